"""Pictures from outside: written anew from their pixels (no EXIF, no location), kept by hash."""

from __future__ import annotations

import io
import os
import random
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from PIL.ExifTags import GPS, Base

from kiosk.pictures.checked import (
    NoPictureError,
    NotAPictureError,
    PictureBombError,
    PictureTooLargeError,
    checked_picture,
)
from kiosk.pictures.store import MediaKeyError, MediaStore


def _photo_with_location(side: int = 3000) -> bytes:
    """A phone photo of a drawing: noisy (so it is large), with camera, time and GPS tags."""
    rng = random.Random(7)  # noqa: S311 - noise for a test picture, not a secret
    image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    ImageDraw.Draw(image).rectangle((side // 4, side // 4, side // 2, side // 2), fill="red")
    exif = Image.Exif()
    exif[Base.Make] = "PhoneMaker"
    exif[Base.DateTime] = "2025:10:08 15:32:10"
    exif[Base.Orientation] = 6  # held on its side: turned upright when written anew
    exif.get_ifd(Base.GPSInfo).update(
        {GPS.GPSLatitudeRef: "N", GPS.GPSLatitude: (50.0, 56.0, 26.0), GPS.GPSLongitudeRef: "E",
         GPS.GPSLongitude: (11.0, 34.0, 44.0)}
    )  # fmt: skip
    out = io.BytesIO()
    image.crop((0, 0, side, side * 3 // 4)).save(out, "JPEG", quality=95, exif=exif)
    return out.getvalue()


def test_a_5_mb_photo_is_kept_upright_smaller_and_without_exif(tmp_path: Path) -> None:
    raw = _photo_with_location()
    assert len(raw) > 5 * 1024 * 1024
    with Image.open(io.BytesIO(raw)) as sent:
        assert sent.getexif().get_ifd(Base.GPSInfo)  # the location is in what was sent
        assert sent.size == (3000, 2250)
    picture = checked_picture(raw, photo=True)
    store = MediaStore(tmp_path / "media")
    key = store.put(picture)
    kept = store.read(key)
    with Image.open(io.BytesIO(kept)) as back:
        assert back.format == "JPEG"
        exif = back.getexif()
        assert not exif.get_ifd(Base.GPSInfo) and Base.Make not in exif and len(exif) == 0
        assert "exif" not in back.info and "icc_profile" not in back.info
        assert back.size == (1800, 2400)  # turned upright (orientation 6), longer side 2400
    for marker in (b"PhoneMaker", b"2025:10:08", b"Exif"):
        assert marker not in kept
    assert len(kept) < len(raw)


def test_a_drawing_is_kept_as_png_and_the_same_picture_is_one_file(tmp_path: Path) -> None:
    image = Image.new("RGBA", (1280, 800), (255, 255, 255, 255))
    ImageDraw.Draw(image).ellipse((200, 100, 900, 700), outline=(220, 0, 0, 255), width=30)
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=_text_chunk("Author", "Max Mustermann"))
    picture = checked_picture(out.getvalue(), photo=False)
    assert picture.mime == "image/png" and (picture.width, picture.height) == (1280, 800)
    assert b"Mustermann" not in picture.data  # text chunks (a name!) are not written anew
    store = MediaStore(tmp_path)
    first, second = store.put(picture), store.put(checked_picture(out.getvalue(), photo=False))
    assert first == second == f"{picture.sha256}.png"
    assert store.keys() == [first]
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [first]  # no temp left
    assert store.remove(first) and not store.has(first) and not store.remove(first)


def _text_chunk(key: str, value: str):  # type: ignore[no-untyped-def]
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text(key, value)
    return info


def _bomb() -> bytes:
    """A PNG whose header claims 50 000 × 50 000 pixels: a few hundred bytes on the wire."""
    out = io.BytesIO()
    Image.new("1", (50000, 50000)).save(out, "PNG")
    return out.getvalue()


def _truncated() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), "blue").save(out, "JPEG")
    return out.getvalue()[: len(out.getvalue()) // 2]


HOSTILE = {
    "nothing": (b"", NoPictureError),
    "an svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>',
        NotAPictureError,
    ),
    "a pdf": (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", NotAPictureError),
    "a gif": (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", NotAPictureError),
    "text": (b"Hallo, ich bin kein Bild.", NotAPictureError),
    "a truncated jpeg": (_truncated(), NotAPictureError),
    "a bomb": (_bomb(), PictureBombError),
    "too many bytes": (b"\xff\xd8\xff" + b"0" * (12 * 1024 * 1024), PictureTooLargeError),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_are_refused_readably_and_nothing_is_kept(name: str, tmp_path: Path) -> None:
    raw, error = HOSTILE[name]
    store = MediaStore(tmp_path)
    with pytest.raises(error) as refused:
        store.put(checked_picture(raw, photo=True))
    assert 400 <= refused.value.status < 500 and refused.value.message
    assert list(tmp_path.iterdir()) == []


NOT_KEYS = [
    "../secret_key", "/etc/passwd", "ab/../../x.png", "A" * 64 + ".png", "0" * 64 + ".svg",
    "0" * 63 + ".png", "0" * 64 + ".png/..",
]  # fmt: skip


@pytest.mark.parametrize("key", NOT_KEYS)
def test_a_key_cannot_reach_outside_the_folder(key: str, tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    with pytest.raises(MediaKeyError):
        store.path(key)
    with pytest.raises(MediaKeyError):
        store.read(key)


def test_a_write_that_fails_leaves_no_file_behind(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    picture = checked_picture(_small_png(), photo=False)
    store = MediaStore(tmp_path)

    def broken(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        store.put(picture)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def _small_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, "PNG")
    return out.getvalue()

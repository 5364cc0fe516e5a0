"""The organiser's logo on posters: what is refused (oversized, no picture, image bombs) with
nothing stored, and that every code with a logo in its middle still reads (zbar)."""

from __future__ import annotations

import functools
import io
import random
import struct
import zlib

import pytest
import qrcode
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image, ImageDraw
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_M
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from kiosk.access.permissions import Role
from kiosk.models import Campaign, PosterLogo
from kiosk.printing.logos import (
    MAX_BYTES,
    EmptyLogoError,
    LogoBombError,
    LogoError,
    LogoMissingError,
    LogoTooLargeError,
    NotAPictureError,
    normalise_logo,
)
from kiosk.printing.posters import MM, PaperSize, qr_image, render_poster
from kiosk.web import db
from tests.helpers import login_as
from tests.test_posters import CONTENT, LINK, pdf_page, pdf_pages_of, zbar


def picture(fmt: str = "PNG", size: tuple[int, int] = (400, 300)) -> bytes:
    """A logo-like picture: a red disc beside a green square, on transparency (PNG, WebP)."""
    mode = "RGB" if fmt == "JPEG" else "RGBA"
    image = Image.new(mode, size, "white" if mode == "RGB" else (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.ellipse((0, 0, w * 3 // 4, h), fill="#c0392b")
    draw.rectangle((w // 2, h // 6, w - 1, h * 5 // 6), fill="#1b5e20")
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width × height pixels (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = zlib.compress(b"\x00" * 64)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_a_logo_is_stored_as_a_small_png(fmt: str) -> None:
    stored = Image.open(io.BytesIO(normalise_logo(picture(fmt, (2400, 1800)))))
    assert stored.format == "PNG" and stored.mode == "RGBA"
    assert max(stored.size) == 600  # shrunk to fit 600 × 600, proportions kept
    assert abs(stored.width / stored.height - 4 / 3) < 0.02


def test_transparent_edges_are_trimmed() -> None:
    image = Image.new("RGBA", (500, 500), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((100, 200, 299, 249), fill="#1b5e20")
    out = io.BytesIO()
    image.save(out, "PNG")
    assert Image.open(io.BytesIO(normalise_logo(out.getvalue()))).size == (200, 50)


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    return out.getvalue()


@functools.cache
def _bomb() -> bytes:
    """A real PNG of 20,000 × 20,000 black pixels: 400 million, in about 50 KB."""
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG", optimize=True)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", LogoMissingError),
        (b"x" * (MAX_BYTES + 1), LogoTooLargeError),
        (b"Hallo, ich bin kein Bild", NotAPictureError),
        (b"%PDF-1.4\n1 0 obj << >> endobj\n", NotAPictureError),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            NotAPictureError,
        ),
        (picture()[:200], NotAPictureError),  # cut off in the middle
        (_gif(), NotAPictureError),  # a picture, but not one of PNG, JPEG, WebP
        (png_claiming(100_000, 100_000), LogoBombError),  # a header claiming 10 billion pixels
        (png_claiming(20_000, 1), LogoBombError),  # a side longer than any logo
        (_bomb(), LogoBombError),
        (png_claiming(0, 0), NotAPictureError),
    ],
    ids=[
        "empty",
        "over 2 MB",
        "text",
        "pdf",
        "svg",
        "truncated",
        "gif",
        "header bomb",
        "long side",
        "real bomb",
        "no pixels",
    ],
)
def test_what_is_not_a_logo_is_refused_clearly(data: bytes, error: type[LogoError]) -> None:
    with pytest.raises(error) as raised:
        normalise_logo(data)
    assert raised.value.status == 422 and raised.value.message


def test_a_phone_photo_is_stored_the_way_up_it_was_held() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turn 90° clockwise to show
    out = io.BytesIO()
    Image.new("RGB", (400, 200), "#1b5e20").save(out, "JPEG", exif=exif)
    assert Image.open(io.BytesIO(normalise_logo(out.getvalue()))).size == (200, 400)


def test_a_fully_transparent_picture_is_refused() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(out, "PNG")
    with pytest.raises(EmptyLogoError):
        normalise_logo(out.getvalue())


def _logo(kind: str = "disc") -> Image.Image:
    """A logo as stored: a light disc on transparency, black to its edges, or photo noise."""
    if kind == "disc":
        return Image.open(io.BytesIO(normalise_logo(picture())))
    rng = random.Random(7)  # noqa: S311 (test noise)
    image = Image.new("RGB", (300, 300), "black")
    if kind == "noise":
        image.putdata([(rng.randrange(256),) * 3 for _ in range(300 * 300)])
    out = io.BytesIO()
    image.save(out, "JPEG")
    return Image.open(io.BytesIO(normalise_logo(out.getvalue())))


# The longest link a poster can hold: a long public address, a place code of 32 characters
# (the most a code may have) and a signed label of 8.
LONGEST_LINK = (
    "https://beteiligung.jena.de/q/" + "spielplatz-zeitzer-strasse-nord1" + "?p=abcd1234.k2x7qa"
)
LINKS = [LINK + "?p=bus3.k2x7qa", LONGEST_LINK]


@pytest.mark.parametrize("link", LINKS, ids=["short", "longest"])
@pytest.mark.parametrize("kind", ["disc", "black", "noise"])
@pytest.mark.parametrize("size", [round(30 * MM), round(36 * MM), 600, 1300, 1838])
def test_a_code_with_a_logo_in_the_middle_still_reads(link: str, kind: str, size: int) -> None:
    plain, marked = qr_image(link, size), qr_image(link, size, _logo(kind))
    assert zbar(marked) == [link]
    # High error correction (30 %) with the logo, medium (15 %) without: module for module.
    for image, level in ((marked, ERROR_CORRECT_H), (plain, ERROR_CORRECT_M)):
        code = qrcode.QRCode(error_correction=level, border=4)
        code.add_data(link)
        code.make(fit=True)
        modules = code.modules_count + 8
        assert image.width == modules * (size // modules)
    if kind == "disc":  # the logo is there: the middle holds the disc's red
        fifth = marked.width // 5
        centre = marked.convert("RGB").crop((2 * fifth, 2 * fifth, 3 * fifth, 3 * fifth))
        assert any(r > 150 and g < 90 for r, g, _ in centre.get_flattened_data())


@pytest.mark.parametrize("size", list(PaperSize))
@pytest.mark.parametrize("kind", ["disc", "black", "noise"])
def test_a_poster_with_a_logo_reads_exactly_the_link(size: PaperSize, kind: str) -> None:
    out = io.BytesIO()
    _logo(kind).save(out, "PNG")
    for link in LINKS:
        content = CONTENT.__class__(**{**CONTENT.__dict__, "link": link, "logo": out.getvalue()})
        assert zbar(pdf_page(render_poster(content, size))) == [link]


def upload_logo(client: FlaskClient, path: str, upload: tuple[bytes, str] | None) -> TestResponse:
    """Post a logo file as a browser would; the multipart body written out by hand, as the
    test client spools a large file to a temporary file it never closes."""
    name, data = (upload[1], upload[0]) if upload else ("", b"")
    body = (
        f'--x\r\nContent-Disposition: form-data; name="logo"; filename="{name}"\r\n'.encode()
        + b"Content-Type: application/octet-stream\r\n\r\n"
        + data
        + b"\r\n--x--\r\n"
    )
    return client.post(path, data=body, content_type="multipart/form-data; boundary=x")


def _logo_rows(app: Flask) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(PosterLogo)) or 0


def _campaign_id(app: Flask) -> int:
    with app.app_context():
        return db.session().scalars(select(Campaign.id)).one()


def test_staff_put_a_logo_on_a_campaign_s_posters(app: Flask, staff_client: FlaskClient) -> None:
    campaign = _campaign_id(app)
    page = staff_client.get(f"/staff/campaign/{campaign}/posters")
    assert page.status_code == 200 and "Die Plakate haben kein Logo." in page.text
    for linking in (f"/staff/setup/campaigns/{campaign}", f"/staff/campaign/{campaign}"):
        assert f"/staff/campaign/{campaign}/posters" in staff_client.get(linking).text, linking
    jpeg = (picture("JPEG", (1200, 900)), "logo.jpg")
    sent = upload_logo(staff_client, f"/staff/campaign/{campaign}/poster-logo", jpeg)
    assert sent.status_code == 303 and _logo_rows(app) == 1
    shown = staff_client.get(f"/staff/campaign/{campaign}/poster-logo.png")
    assert shown.mimetype == "image/png" and Image.open(io.BytesIO(shown.data)).width == 600
    assert "Das Logo ist jetzt auf den Plakaten." in staff_client.get(sent.location).text

    # Every poster of the campaign carries it, and every code still reads.
    pages = pdf_pages_of(staff_client.get(f"/staff/campaign/{campaign}/posters-a4.pdf").data)
    assert [zbar(page) for page in pages] == [
        ["http://localhost/q/ehp"],
        ["http://localhost/q/zeitzer"],
    ]
    poster = pdf_page(staff_client.get("/staff/location/1/poster-a4.pdf?poster=bus3").data)
    (read,) = zbar(poster)
    assert read.startswith("http://localhost/q/ehp?p=bus3.")

    # A copy of the campaign keeps the logo; removing it takes it off.
    copied = staff_client.post(f"/staff/setup/campaigns/{campaign}/copy", data={"title": "Neu"})
    assert copied.status_code == 303 and _logo_rows(app) == 2
    assert staff_client.post(f"/staff/campaign/{campaign}/poster-logo/remove").status_code == 303
    assert staff_client.get(f"/staff/campaign/{campaign}/poster-logo.png").status_code == 404
    assert _logo_rows(app) == 1


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (None, "Wählen Sie zuerst eine Bilddatei"),
        ((b"GIF89a nonsense", "logo.gif"), "keine PNG-, JPEG- oder WebP-Datei"),
        ((_bomb(), "bomb.png"), "viel zu viele Pixel"),
        ((b"\x89PNG" + b"x" * (MAX_BYTES + 10), "big.png"), "größer als 2 MB"),
    ],
    ids=["no file", "not a picture", "image bomb", "over 2 MB"],
)
def test_a_bad_logo_is_refused_and_nothing_stored(
    app: Flask, staff_client: FlaskClient, upload: tuple[bytes, str] | None, message: str
) -> None:
    campaign = _campaign_id(app)
    refused = upload_logo(staff_client, f"/staff/campaign/{campaign}/poster-logo", upload)
    assert refused.status_code == 422 and message in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert _logo_rows(app) == 0


def test_a_body_far_over_the_limit_gets_a_readable_413(
    app: Flask, staff_client: FlaskClient
) -> None:
    campaign = _campaign_id(app)
    huge = (b"x" * (4 * 1024 * 1024), "huge.png")
    refused = upload_logo(staff_client, f"/staff/campaign/{campaign}/poster-logo", huge)
    assert refused.status_code == 413 and "<html" in refused.text.lower()
    assert _logo_rows(app) == 0


def test_only_editors_change_the_logo(app: Flask) -> None:
    campaign = _campaign_id(app)
    editor = login_as(app, Role.EDITOR)
    unknown = upload_logo(editor, "/staff/campaign/999999/poster-logo", (picture(), "l.png"))
    assert unknown.status_code == 404
    viewer = login_as(app, Role.VIEWER)
    assert viewer.get(f"/staff/campaign/{campaign}/posters").status_code == 200  # may print
    sent = upload_logo(viewer, f"/staff/campaign/{campaign}/poster-logo", (picture(), "l.png"))
    assert sent.status_code == 403
    assert viewer.post(f"/staff/campaign/{campaign}/poster-logo/remove").status_code == 403
    assert _logo_rows(app) == 0
    anonymous = app.test_client()
    assert anonymous.get(f"/staff/campaign/{campaign}/poster-logo.png").status_code == 302
    assert anonymous.get("/staff/campaign/999999/posters").status_code == 302

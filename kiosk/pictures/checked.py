"""Reading a picture that came from outside, and writing it anew with nothing but its pixels.

An upload is read with Pillow only after its header says it is a PNG, JPEG or WebP picture
of sensible size: an oversized file, something that is no picture (an SVG, a PDF, a text), a
truncated one or an image bomb (a small file that unpacks into billions of pixels) is
refused with a clear message before anything is kept. What is kept is encoded anew from the
pixels: no EXIF (no camera, no time, no location), no comments, no colour profile tricks,
turned as the phone was held, and no larger than it needs to be.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from kiosk.core.errors import N_, KioskError

FORMATS = ("PNG", "JPEG", "WEBP")
MAX_BYTES = 12 * 1024 * 1024  # a phone's photo of a drawing: a few MB; 12 MB at most
MAX_SIDE = 12000  # pixels a side, read from the header: more is a trap, not a photo
STORED_SIDE = 2400  # kept at most 2400 pixels on the longer side: a printed A4 page at 200 dpi


class PictureError(KioskError):
    """An upload that cannot be a picture kept here."""

    status = 422
    message = N_("The picture must be a PNG, JPEG or WebP file of at most 12 MB.")


class NoPictureError(PictureError):
    """The form came without a file."""

    message = N_("Choose a picture file first.")


class PictureTooLargeError(PictureError):
    """More bytes than MAX_BYTES."""

    status = 413
    message = N_("The picture file is larger than 12 MB: please send a smaller one.")


class NotAPictureError(PictureError):
    """Pillow cannot read it, it is cut short, or it is not PNG, JPEG or WebP."""

    message = N_("This file is not a complete PNG, JPEG or WebP picture.")


class PictureBombError(PictureError):
    """The picture claims more pixels than any photo has (a decompression bomb)."""

    message = N_("The picture is far too large in pixels (at most 12000 on a side).")


@dataclass(frozen=True)
class Picture:
    """A picture written anew: its bytes, their kind, its size, and its content's hash."""

    data: bytes
    mime: str  # "image/png" (drawings: flat colours) or "image/jpeg" (photos)
    width: int
    height: int

    @property
    def sha256(self) -> str:
        """The hex SHA-256 of the bytes: the picture's name in the media store."""
        return hashlib.sha256(self.data).hexdigest()

    @property
    def extension(self) -> str:
        """The file name's ending for its kind."""
        return "png" if self.mime == "image/png" else "jpg"


@contextmanager
def opened(
    data: bytes, *, max_side: int, formats: tuple[str, ...] = FORMATS, draft_side: int = 0
) -> Iterator[Image.Image]:
    """The picture decoded (its first frame, turned upright), or a PictureError.

    Its size is checked from the header before anything is decoded (max_side); a JPEG is
    decoded at a fraction of its size where draft_side allows. Every failure of the reader
    (unknown, cut short, a bomb) becomes a PictureError of its own kind.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=formats) as picture:
                width, height = picture.size  # from the header: nothing decoded yet
                if max(width, height) > max_side:
                    raise PictureBombError()
                if width < 1 or height < 1:
                    raise NotAPictureError()
                picture.seek(0)  # the first frame of an animated WebP
                if draft_side and picture.format == "JPEG":
                    picture.draft("RGB", (draft_side, draft_side))
                picture.load()
                upright = ImageOps.exif_transpose(picture)  # as the phone was held
                yield upright
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PictureBombError() from error
    except PictureError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise NotAPictureError() from error


def checked_picture(
    data: bytes,
    *,
    photo: bool,
    max_bytes: int = MAX_BYTES,
    max_side: int = MAX_SIDE,
    stored_side: int = STORED_SIDE,
) -> Picture:
    """A picture from outside, written anew from its pixels only, or a PictureError.

    photo: a photograph (kept as JPEG, quality 85); else a drawing of flat colours (kept as
    PNG). Either is shrunk to stored_side on its longer side, never enlarged.
    """
    if not data:
        raise NoPictureError()
    if len(data) > max_bytes:
        raise PictureTooLargeError()
    with opened(data, max_side=max_side, draft_side=2 * stored_side) as upright:
        pixels = upright.convert("RGBA" if upright.mode in ("RGBA", "LA", "PA", "P") else "RGB")
        pixels.thumbnail((stored_side, stored_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if photo:
        flat = Image.new("RGB", pixels.size, "white")
        flat.paste(pixels, mask=pixels.getchannel("A") if pixels.mode == "RGBA" else None)
        flat.save(out, "JPEG", quality=85, optimize=True)  # no exif=, no icc_profile=: none
        mime = "image/jpeg"
    else:
        pixels.save(out, "PNG", optimize=True)
        mime = "image/png"
    return Picture(out.getvalue(), mime, pixels.width, pixels.height)

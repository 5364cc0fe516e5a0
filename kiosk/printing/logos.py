"""An organiser's logo for the posters: checked, shrunk and stored as a small PNG.

Whatever staff upload is read with Pillow only after its header says it is a modest PNG,
JPEG or WebP picture; an oversized file, something that is no picture, a truncated one or an
image bomb (a small file that unpacks into billions of pixels) is refused with a clear
message before anything is stored.
"""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy.orm import Session

from kiosk.core.errors import N_, KioskError
from kiosk.models import Actor, PosterLogo, audit, upsert_insert, utcnow
from kiosk.pictures.checked import PictureBombError, PictureError, opened

MAX_BYTES = 2 * 1024 * 1024  # a logo file of at most 2 MB
MAX_SIDE = 5000  # pixels a side: anything larger is not a logo but a trap (an image bomb)
STORED_SIDE = 600  # the stored PNG fits in 600 × 600: enough for the middle of an A3 code


class LogoError(KioskError):
    """An upload that cannot be a poster logo."""

    status = 422
    message = N_("The logo must be a PNG, JPEG or WebP picture of at most 2 MB.")


class LogoMissingError(LogoError):
    """The form came without a file."""

    message = N_("Choose a picture file for the logo first.")


class LogoTooLargeError(LogoError):
    """More than MAX_BYTES."""

    message = N_("The logo file is larger than 2 MB: please save it smaller.")


class NotAPictureError(LogoError):
    """Pillow cannot read it, or it is not PNG, JPEG or WebP (e.g. a PDF or an SVG)."""

    message = N_("This file is not a PNG, JPEG or WebP picture.")


class LogoBombError(LogoError):
    """The picture claims more pixels than any logo needs (a decompression bomb)."""

    message = N_("The picture is far too large in pixels (at most 5000 × 5000): not a logo.")


class EmptyLogoError(LogoError):
    """Every pixel is transparent: nothing would show."""

    message = N_("The picture is completely transparent: nothing would show on the poster.")


def normalise_logo(data: bytes) -> bytes:
    """The logo as a PNG of at most 600 × 600 pixels with transparency, or a LogoError."""
    if not data:
        raise LogoMissingError()
    if len(data) > MAX_BYTES:
        raise LogoTooLargeError()
    try:
        with opened(data, max_side=MAX_SIDE, draft_side=2 * STORED_SIDE) as upright:
            if upright.mode not in ("RGB", "RGBA"):  # palette, grey, 16 bit: smooth shrinking
                upright = upright.convert("RGBA")
            upright.thumbnail((STORED_SIDE, STORED_SIDE), Image.Resampling.LANCZOS)
            logo = upright.convert("RGBA")
    except PictureBombError as error:
        raise LogoBombError() from error
    except PictureError as error:
        raise NotAPictureError() from error
    box = logo.getbbox()  # trim fully transparent edges
    if box is None:
        raise EmptyLogoError()
    out = io.BytesIO()
    logo.crop(box).save(out, "PNG", optimize=True)
    return out.getvalue()


def campaign_logo(session: Session, campaign_id: int) -> bytes | None:
    """The campaign's poster logo as a PNG, or None."""
    logo = session.get(PosterLogo, campaign_id)
    return logo.png if logo else None


def set_campaign_logo(session: Session, campaign_id: int, png: bytes, *, actor: Actor) -> None:
    """Give the campaign's posters this logo (checked by normalise_logo); audited, caller commits.

    One upsert: two uploads at once (a double click) leave one logo, the later one.
    """
    insert = upsert_insert(session.connection().dialect.name)
    statement = insert(PosterLogo).values(campaign_id=campaign_id, png=png, uploaded_at=utcnow())
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["campaign_id"],
            set_={"png": statement.excluded.png, "uploaded_at": statement.excluded.uploaded_at},
        )
    )
    audit(session, actor, "poster-logo", campaign=campaign_id, bytes=len(png))


def remove_campaign_logo(session: Session, campaign_id: int, *, actor: Actor) -> bool:
    """Take the logo off the campaign's posters; False when it had none. Audited, caller commits."""
    logo = session.get(PosterLogo, campaign_id)
    if logo is not None:
        session.delete(logo)
        audit(session, actor, "poster-logo-remove", campaign=campaign_id)
    return logo is not None

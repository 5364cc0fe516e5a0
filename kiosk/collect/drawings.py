"""Drawings coming in: a paper drawing photographed by staff, checked, numbered, kept pending.

The picture is checked and written anew (kiosk.pictures.checked) before anything is kept;
the row is made with the next short number of its campaign (the campaign's row is locked
while it is counted, so two uploads at once get two numbers). Nothing is public before a
moderator approves it (kiosk.safety.drawings).
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.core.errors import N_, Errors, FormError, KioskError
from kiosk.models import (
    Actor,
    AgeGroup,
    Campaign,
    Drawing,
    DrawingSource,
    Location,
    audit,
    campaign_location,
    utcnow,
)
from kiosk.pictures.checked import checked_picture
from kiosk.pictures.store import MediaStore


class DrawingNumberBusyError(KioskError):
    """Uploads kept taking the same number (many at once): nothing kept, try again."""

    status = 409
    message = N_("Many drawings are being saved at this moment: please send it again.")


def _place_of(
    session: Session, raw_campaign: str, raw_place: str, errors: Errors
) -> tuple[Campaign | None, Location | None]:
    """The campaign and one of its places, from a form's values (errors for what is off)."""
    campaign = place = None
    if raw_campaign.isdecimal() and len(raw_campaign) < 10:
        campaign = session.get(Campaign, int(raw_campaign))
    if campaign is None:
        errors["campaign"] = (N_("Please choose from the list."), {})
    if raw_place.isdecimal() and len(raw_place) < 10:
        place = session.get(Location, int(raw_place))
    if place is None:
        errors["place"] = (N_("Please choose from the list."), {})
    return campaign, place


def add_paper_drawing(
    session: Session,
    store: MediaStore,
    data: bytes,
    *,
    campaign: str,
    place: str,
    age_group: str,
    actor: Actor,
) -> Drawing:
    """Keep a photographed paper drawing, pending moderation; the caller commits.

    Every field is checked first (FormError, or a PictureError for the file): nothing is
    kept of a refused upload. (Whether the place lies in the staff member's areas is the
    caller's to ask, before: kiosk.access.reach.)
    """
    errors: Errors = {}
    found, where = _place_of(session, campaign, place, errors)
    group = None
    try:
        group = AgeGroup(age_group)
    except ValueError:
        errors["age_group"] = (N_("Please choose the child's age group."), {})
    if found is not None and where is not None:
        runs_there = session.scalar(
            select(func.count())
            .select_from(campaign_location)
            .where(
                campaign_location.c.campaign_id == found.id,
                campaign_location.c.location_id == where.id,
            )
        )
        if not runs_there:
            errors["place"] = (N_("The campaign does not run at this place."), {})
    if errors:
        raise FormError(errors)
    assert found is not None and where is not None  # noqa: S101 - errors said otherwise
    picture = checked_picture(data, photo=True)
    key = store.put(picture)  # the same picture twice is one file; a row each
    for _attempt in range(3):  # two uploads at once on SQLite (no row lock there): once more
        locked = session.get_one(Campaign, found.id, with_for_update=True)
        last = session.scalar(
            select(func.max(Drawing.number)).where(Drawing.campaign_id == locked.id)
        )
        drawing = Drawing(
            uuid=uuid.uuid4(),
            campaign_id=locked.id,
            location_id=where.id,
            number=(last or 0) + 1,
            media_key=key,
            width=picture.width,
            height=picture.height,
            age_group=group,
            source=DrawingSource.PAPER,
            received_at=utcnow(),
        )
        try:
            with session.begin_nested():
                session.add(drawing)
        except IntegrityError:
            continue  # the number was taken a moment ago: count again
        break
    else:
        raise DrawingNumberBusyError()
    audit(session, actor, "drawing-add", drawing=drawing.id, campaign=locked.id, place=where.id)
    return drawing

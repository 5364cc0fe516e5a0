"""Setting up areas and places: validated, with a message per field, nothing half-saved."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload

from kiosk.access.reach import EVERYWHERE, Reach, require
from kiosk.core.errors import N_, Errors, FormError, NotFoundError
from kiosk.models import Actor, Area, Location, Response, audit

CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,30}[a-z0-9]")
NAME_MAX = 200
ADDRESS_MAX = 300
HOURS_MAX = 200


def _name(errors: Errors, field: str, raw: str) -> str:
    name = " ".join(raw.split())
    if not name:
        errors[field] = (N_("Please give a name."), {})
    elif len(name) > NAME_MAX:
        errors[field] = (N_("At most %(max)d characters, please."), {"max": NAME_MAX})
    return name


def save_area(session: Session, area_id: int | None, *, name: str, actor: Actor) -> Area:
    """Create an area, or rename one; the caller commits."""
    errors: Errors = {}
    name = _name(errors, "name", name)
    area = None
    if area_id is not None:
        area = session.get(Area, area_id)
        if area is None:
            raise NotFoundError()
    taken = select(Area.id).where(func.lower(Area.name) == name.lower())
    if area is not None:
        taken = taken.where(Area.id != area.id)
    if not errors and session.scalar(taken) is not None:
        errors["name"] = (N_("An area with this name exists already."), {})
    if errors:
        raise FormError(errors)
    if area is None:
        area = Area(name=name)
        session.add(area)
    area.name = name
    session.flush()
    audit(session, actor, "area-save", area=area.id, name=area.name)
    return area


@dataclass(frozen=True)
class PlaceForm:
    """A place as a staff form sends it: every field a string."""

    area_id: str = ""
    name: str = ""
    code: str = ""
    address: str = ""
    opening_hours: str = ""
    latitude: str = ""
    longitude: str = ""


def _coordinate(errors: Errors, field: str, raw: str, limit: int) -> Decimal | None:
    raw = raw.strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or abs(value) > limit:
        errors[field] = (N_("A number between -%(max)d and %(max)d, please."), {"max": limit})
        return None
    return value.quantize(Decimal("0.000001"))


def save_place(
    session: Session,
    location_id: int | None,
    form: PlaceForm,
    *,
    reach: Reach = EVERYWHERE,
    actor: Actor,
) -> Location:
    """Create a place or change one; the caller commits.

    The code is the place's link (/k/<code>, /q/<code>) and is printed on posters: once a
    place has answers its code stays. The area must lie within the staff member's reach.
    """
    errors: Errors = {}
    location = None
    if location_id is not None:
        location = session.get(Location, location_id)
        if location is None:
            raise NotFoundError()
    name = _name(errors, "name", form.name)
    area_id = form.area_id.strip()
    area = session.get(Area, int(area_id)) if area_id.isdecimal() and len(area_id) < 10 else None
    if area is None:
        errors["area_id"] = (N_("Please choose an area."), {})
    else:  # another's area is refused as such (403), nothing stored
        require(reach.covers_area(area.id))
    code = form.code.strip().lower()
    if not CODE.fullmatch(code):
        errors["code"] = (
            N_(
                "2 to 32 small letters, digits or dashes (not at the ends), e.g. “spielplatz-nord”."
            ),
            {},
        )
    elif location is not None and code != location.code and _has_answers(session, location):
        errors["code"] = (
            N_("This place has answers, and its link may be printed: its code stays."),
            {},
        )
    else:
        taken = select(Location.id).where(Location.code == code)
        if location is not None:
            taken = taken.where(Location.id != location.id)
        if session.scalar(taken) is not None:
            errors["code"] = (N_("Another place has this code already."), {})
    address = " ".join(form.address.split())
    if len(address) > ADDRESS_MAX:
        errors["address"] = (N_("At most %(max)d characters, please."), {"max": ADDRESS_MAX})
    opening_hours = " ".join(form.opening_hours.split())
    if len(opening_hours) > HOURS_MAX:
        errors["opening_hours"] = (N_("At most %(max)d characters, please."), {"max": HOURS_MAX})
    latitude = _coordinate(errors, "latitude", form.latitude, 90)
    longitude = _coordinate(errors, "longitude", form.longitude, 180)
    one_coordinate = (latitude is None) != (longitude is None)
    if one_coordinate and "latitude" not in errors and "longitude" not in errors:
        errors["longitude" if longitude is None else "latitude"] = (
            N_("Give both coordinates, or neither."),
            {},
        )
    if errors or area is None:
        raise FormError(errors)
    if location is None:
        location = Location()
        session.add(location)
    location.area_id = area.id
    location.name = name
    location.code = code
    location.address = address or None
    location.opening_hours = opening_hours or None
    location.latitude = latitude
    location.longitude = longitude
    session.flush()
    audit(session, actor, "place-save", place=location.id, code=location.code)
    return location


def _has_answers(session: Session, location: Location) -> bool:
    return bool(session.scalar(select(exists().where(Response.location_id == location.id))))


def areas_with_places(session: Session, reach: Reach = EVERYWHERE) -> list[Area]:
    """The areas within reach, by name, with their places loaded."""
    return list(
        session.scalars(
            select(Area)
            .where(reach.where_area(Area.id))
            .options(selectinload(Area.locations))
            .order_by(Area.name)
        )
    )


def places_within(session: Session, reach: Reach = EVERYWHERE) -> list[Location]:
    """The places within reach, by name."""
    return list(
        session.scalars(
            select(Location).where(reach.where_area(Location.area_id)).order_by(Location.name)
        )
    )


def all_areas(session: Session) -> list[Area]:
    """Every area, by name."""
    return list(session.scalars(select(Area).order_by(Area.name)))

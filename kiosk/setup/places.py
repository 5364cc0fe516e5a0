"""Setting up areas and places: validated, with a message per field, nothing half-saved."""

from __future__ import annotations

import re
import unicodedata
import uuid
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


@dataclass(frozen=True)
class CheckedPlace:
    """A place's fields as save_place stores them, checked."""

    area_id: int
    name: str
    code: str
    address: str | None
    opening_hours: str | None
    latitude: Decimal | None
    longitude: Decimal | None


def check_place(
    session: Session, location_id: int | None, form: PlaceForm, *, reach: Reach = EVERYWHERE
) -> CheckedPlace:
    """A place's form checked field by field (FormError), nothing written.

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
    elif _code_taken(session, code, but=location.id if location is not None else None):
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
    return CheckedPlace(
        area.id, name, code, address or None, opening_hours or None, latitude, longitude
    )


def write_place(
    session: Session, location_id: int | None, checked: CheckedPlace, *, actor: Actor
) -> Location:
    """Store a checked place, new or changed; the caller commits."""
    location = session.get(Location, location_id) if location_id is not None else None
    if location is None:
        location = Location()
        session.add(location)
    location.area_id = checked.area_id
    location.name = checked.name
    location.code = checked.code
    location.address = checked.address
    location.opening_hours = checked.opening_hours
    location.latitude = checked.latitude
    location.longitude = checked.longitude
    session.flush()
    audit(session, actor, "place-save", place=location.id, code=location.code)
    return location


def save_place(
    session: Session,
    location_id: int | None,
    form: PlaceForm,
    *,
    reach: Reach = EVERYWHERE,
    actor: Actor,
) -> Location:
    """Create a place or change one, checked first (check_place); the caller commits."""
    checked = check_place(session, location_id, form, reach=reach)
    return write_place(session, location_id, checked, actor=actor)


def _code_taken(session: Session, code: str, *, but: int | None = None) -> bool:
    taken = select(Location.id).where(Location.code == code)
    if but is not None:
        taken = taken.where(Location.id != but)
    return session.scalar(taken.limit(1)) is not None


# Letters that Unicode does not decompose into a Latin letter and a mark, spelled as Germans
# (and Turks, Scandinavians, Poles) would in an address: "Höllein" -> "hoellein".
_SPELLED = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe", "œ": "oe",
     "å": "aa", "ı": "i", "ł": "l", "đ": "d", "ð": "d", "þ": "th"}
)  # fmt: skip
CODE_FALLBACK = "ort"  # a name with no Latin letters or digits to make a code of


def suggest_code(session: Session, name: str) -> str:
    """A free code for a place of this name: "Emil-Höllein-Platz" -> "emil-hoellein-platz".

    Lower case, umlauts spelled out, other accents dropped, anything else a dash; at most
    32 characters, cut at a dash where it can be. Taken already: "-2", "-3" and so on.
    """
    spelled = unicodedata.normalize("NFKD", name.lower().translate(_SPELLED))
    ascii_only = "".join(c for c in spelled if c.isascii())
    base = "-".join(re.findall(r"[a-z0-9]+", ascii_only)) or CODE_FALLBACK
    if len(base) < 2:
        base = f"{CODE_FALLBACK}-{base}"
    for number in range(1, 1000):
        suffix = f"-{number}" if number > 1 else ""
        stem = base[: 32 - len(suffix)]
        if len(base) > len(stem) and "-" in stem[8:]:  # cut at a word where one ends late enough
            stem = stem[: stem.rindex("-")]
        code = stem.strip("-") + suffix
        if not _code_taken(session, code):
            return code
    return f"{CODE_FALLBACK}-{uuid.uuid4().hex[:8]}"  # a thousand places of one name


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

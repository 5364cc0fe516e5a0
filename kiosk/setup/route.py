"""A climate walk's route: its places as numbered stations, and questions asked at one only.

A route is a campaign of the format "climate walk". Its places are its stations, numbered
from 1 in the order staff set (campaign_location.position); a place added later comes last.
Each station may say what is shown there, and a question may be asked at one station only
(question.location_id); the others are asked at every station.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.collect.catalog import bump_revision
from kiosk.core.errors import N_, FormError, NotFoundError
from kiosk.models import (
    Actor,
    Campaign,
    CampaignFormat,
    Location,
    Question,
    audit,
    campaign_location,
    station_order,
)

NOTE_MAX = 300
_LINK = campaign_location.c


@dataclass(frozen=True)
class Station:
    """A place on a route: its number (from 1), the place, and what is shown there."""

    number: int
    location: Location
    note: str


def is_route(campaign: Campaign) -> bool:
    """Whether the campaign's places are stations in an order (a climate walk)."""
    return campaign.format == CampaignFormat.CLIMATE_WALK


def route_of(session: Session, campaign_id: int) -> list[Station]:
    """The campaign's places in station order (numbered first, then by name), from 1."""
    rows = session.execute(
        select(Location, _LINK.position, _LINK.note)
        .join(campaign_location, _LINK.location_id == Location.id)
        .where(_LINK.campaign_id == campaign_id)
    ).all()
    ordered = sorted(rows, key=lambda row: station_order(row[1], row[0].name, row[0].id))
    return [
        Station(number, location, note or "")
        for number, (location, _position, note) in enumerate(ordered, start=1)
    ]


def _write_order(session: Session, campaign_id: int, location_ids: list[int]) -> None:
    """Number the stations 1, 2, … in this order (links changed around the ORM: bumped)."""
    for number, location_id in enumerate(location_ids, start=1):
        session.execute(
            update(campaign_location)
            .where(_LINK.campaign_id == campaign_id, _LINK.location_id == location_id)
            .values(position=number)
        )
    bump_revision(session)


def number_stations(session: Session, campaign: Campaign) -> None:
    """Give a route's places the numbers 1..n in their order, new places last; else nothing."""
    if not is_route(campaign):
        return
    session.flush()
    route = route_of(session, campaign.id)
    numbers = session.execute(
        select(_LINK.location_id, _LINK.position).where(_LINK.campaign_id == campaign.id)
    ).all()
    now = {location_id: position for location_id, position in numbers}
    if all(now[s.location.id] == s.number for s in route):
        return
    _write_order(session, campaign.id, [s.location.id for s in route])


def move_station(
    session: Session, campaign_id: int, location_id: int, step: int, *, actor: Actor
) -> None:
    """Swap a station with the one before (-1) or after (+1) it; the caller commits."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or not is_route(campaign):
        raise NotFoundError()
    order = [s.location.id for s in route_of(session, campaign_id)]
    if location_id not in order:
        raise NotFoundError()
    index = order.index(location_id)
    other = index + (1 if step > 0 else -1)
    if not 0 <= other < len(order):
        return
    order[index], order[other] = order[other], order[index]
    _write_order(session, campaign_id, order)
    audit(session, actor, "station-move", campaign=campaign_id, location=location_id, step=step)


def save_station_note(
    session: Session, campaign_id: int, location_id: int, note: str, *, actor: Actor
) -> None:
    """Say what is shown at a station (empty: nothing); the caller commits."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or not is_route(campaign):
        raise NotFoundError()
    if location_id not in {s.location.id for s in route_of(session, campaign_id)}:
        raise NotFoundError()
    text = " ".join(note.split())
    if len(text) > NOTE_MAX:
        raise FormError({"note": (N_("At most %(max)d characters, please."), {"max": NOTE_MAX})})
    session.execute(
        update(campaign_location)
        .where(_LINK.campaign_id == campaign_id, _LINK.location_id == location_id)
        .values(note=text or None)
    )
    bump_revision(session)
    audit(session, actor, "station-note", campaign=campaign_id, location=location_id)


def station_of(session: Session, campaign: Campaign, raw: str) -> int | None:
    """The place a question is to be asked at only, from a form's value ("": every station).

    Only a station of this route; anything else is a FormError.
    """
    raw = raw.strip()
    if not raw:
        return None
    places = {str(s.location.id): s.location.id for s in route_of(session, campaign.id)}
    if not is_route(campaign) or raw not in places:
        raise FormError({"station": (N_("Please choose from the list."), {})})
    return places[raw]


def ask_at(session: Session, question: Question, location_id: int | None, *, actor: Actor) -> bool:
    """Ask a question at one station only, or everywhere (None); False if it already was so."""
    if question.location_id == location_id:
        return False
    question.location_id = location_id
    session.flush()
    audit(session, actor, "question-station", question=question.id, location=location_id)
    return True


def release_station_questions(session: Session, campaign: Campaign, *, actor: Actor) -> None:
    """Ask everywhere what was asked at one station that is none now (audited).

    When a campaign stops being a route, or a station leaves it, its own questions would be
    asked nowhere, unseen by staff: they are asked at every place instead.
    """
    stations = {place.id for place in campaign.locations} if is_route(campaign) else set()
    for question in campaign.questions:
        if question.location_id is not None and question.location_id not in stations:
            ask_at(session, question, None, actor=actor)

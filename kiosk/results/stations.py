"""A climate walk's results per station: its stations side by side, question by question."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from kiosk.models import (
    Campaign,
    CampaignFormat,
    Location,
    QuestionKind,
    campaign_location,
    station_order,
)
from kiosk.models.response import PUBLIC_WISH, Response
from kiosk.results.tallies import OptionTally, PlaceTally, QuestionTally, Wish


@dataclass(frozen=True)
class StationCell:
    """One question at one station: how many answered, and the answer most chose."""

    answers: int
    top: OptionTally | None  # None for a wish, or with no answers


@dataclass(frozen=True)
class StationRow:
    """One station of the route: its number, its place, and a cell per question."""

    number: int
    location: Location
    cells: list[StationCell | None]  # None: the question is not asked at this station


def station_numbers(session: Session, campaign: Campaign) -> dict[int, int]:
    """A route's stations: {place id: number from 1}, in station order; {} for other formats."""
    if campaign.format != CampaignFormat.CLIMATE_WALK:
        return {}
    link = campaign_location.c
    rows = session.execute(
        select(link.location_id, link.position, Location.name)
        .join(Location, Location.id == link.location_id)
        .where(link.campaign_id == campaign.id)
    ).all()
    ordered = sorted(rows, key=lambda r: station_order(r[1], r[2], r[0]))
    return {location_id: number for number, (location_id, _, _) in enumerate(ordered, start=1)}


def in_station_order(places: list[PlaceTally], numbers: dict[int, int]) -> list[PlaceTally]:
    """The places of a route's tally in station order (others after them, as they came)."""
    if not numbers:
        return places
    last = len(numbers) + 1
    return sorted(places, key=lambda p: numbers.get(p.location.id, last))


def station_table(
    campaign: Campaign, places: list[PlaceTally], numbers: dict[int, int]
) -> tuple[list[QuestionTally], list[StationRow]]:
    """The route's questions (as the whole campaign's tally has them) and a row per station."""
    rows = []
    columns: list[QuestionTally] = []
    for place in in_station_order(places, numbers):
        number = numbers.get(place.location.id)
        mine = next((c for c in place.campaigns if c.campaign.id == campaign.id), None)
        if number is None or mine is None:
            continue
        if not columns:
            columns = mine.questions
        cells: list[StationCell | None] = []
        for q in mine.questions:
            asked_here = q.question.location_id in (None, place.location.id)
            if not asked_here:
                cells.append(None)
                continue
            top = None
            if q.question.kind != QuestionKind.WISH and q.answers:
                top = max(q.options, key=lambda o: (o.total, -o.option.position))
            cells.append(StationCell(q.answers, top))
        rows.append(StationRow(number, place.location, cells))
    return columns, rows


def station_wishes(
    session: Session,
    campaign: Campaign,
    numbers: dict[int, int],
    *,
    limit: int,
    approved_only: bool,
) -> list[tuple[StationRow, list[Wish]]]:
    """A route's wishes station by station: the newest `limit` of each (or the public ones)."""
    places = {p.id: p for p in session.scalars(select(Location).where(Location.id.in_(numbers)))}
    fit = [text(PUBLIC_WISH)] if approved_only else []  # literal: the partial index proves it
    found = []
    for location_id, number in sorted(numbers.items(), key=lambda item: item[1]):
        rows = session.execute(
            select(
                Response.text,
                Response.channel,
                Response.wish_state,
                Response.received_at,
                Response.wish_mark,
            )
            .where(
                Response.campaign_id == campaign.id,
                Response.location_id == location_id,
                Response.text.is_not(None),
                Response.text != "",
                *fit,
            )
            .order_by(Response.id.desc())
            .limit(limit)
        )
        place = places[location_id]
        wishes = [
            Wish(text or "", place.name, channel, state, at, mark, location_id=place.id)
            for text, channel, state, at, mark in rows
        ]
        found.append((StationRow(number, place, []), wishes))
    return found

"""Configuration flowing down: central describes its campaigns, a kiosk node takes them over.

Places, campaigns, questions and options keep central's ids on the node, so the answers the
node sends up name the same questions and options. Each place carries the campaign staff
pinned there, so that a node shows what central's rule shows (kiosk.collect.catalog).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Collection
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import String, cast, delete, func, select, update
from sqlalchemy.orm import Session, selectinload

from kiosk.collect.catalog import bump_revision, current_revision, place_pins
from kiosk.models import (
    Area,
    Campaign,
    CampaignFormat,
    Location,
    Option,
    Question,
    QuestionKind,
    Response,
    ResultsShown,
    SharedWish,
    WishState,
    campaign_location,
    option_fields,
)


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


SHARED_WISHES_PER_PLACE = 12


def shared_wishes(
    session: Session, location_ids: Collection[int] | None = None
) -> list[dict[str, Any]]:
    """The newest approved wishes of these places (or of every place), per campaign.

    What a kiosk node shows in its attract loop: the text, and the minute it arrived.
    """
    ranked = (
        select(
            Response.uuid,
            Response.location_id,
            Response.campaign_id,
            Response.text,
            Response.received_at,
            func.row_number()
            .over(
                partition_by=(Response.location_id, Response.campaign_id),
                order_by=Response.id.desc(),
            )
            .label("rank"),
        )
        .where(
            Response.text.is_not(None),
            Response.wish_state == WishState.APPROVED.value,
            Response.wish_mark.is_(None),  # a marked wish (personal data) is never public
            *([Response.location_id.in_(sorted(location_ids))] if location_ids is not None else []),
        )
        .subquery()
    )
    rows = session.execute(
        select(ranked.c.uuid, ranked.c.location_id, ranked.c.campaign_id, ranked.c.text)
        .add_columns(ranked.c.received_at)
        .where(ranked.c.rank <= SHARED_WISHES_PER_PLACE)
        .order_by(ranked.c.location_id, ranked.c.campaign_id, ranked.c.rank)
    )
    return [
        {
            "uuid": str(uuid),
            "location_id": location_id,
            "campaign_id": campaign_id,
            "text": text,
            "received_at": _time(received_at.replace(second=0, microsecond=0)),
        }
        for uuid, location_id, campaign_id, text, received_at in rows
    ]


def config_etag(
    session: Session, wishes: list[dict[str, Any]], places: Collection[int] | None = None
) -> str:
    """The configuration's ETag: its revision, and a digest of its places and approved wishes."""
    described = {"wishes": wishes, "places": sorted(places) if places is not None else None}
    digest = hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:16]
    return f'"{current_revision(session)}.{digest}"'


def config_document(
    session: Session,
    wishes: list[dict[str, Any]] | None = None,
    places: Collection[int] | None = None,
) -> dict[str, Any]:
    """Everything a kiosk node needs to ask the questions, at the current revision.

    Only of these places, if given (a kiosk's: its campaigns, their questions, the places'
    areas), with the approved wishes of each place (read here unless given).
    """
    if wishes is None:
        wishes = shared_wishes(session, places)
    campaigns = list(
        session.scalars(
            select(Campaign)
            .options(
                selectinload(Campaign.questions).selectinload(Question.options),
                selectinload(Campaign.locations),
            )
            .order_by(Campaign.id)
        )
    )
    locations = list(session.scalars(select(Location).order_by(Location.id)))
    if places is not None:
        locations = [loc for loc in locations if loc.id in places]
        campaigns = [c for c in campaigns if any(loc.id in places for loc in c.locations)]

    def running_at(campaign: Campaign) -> list[int]:
        return [loc.id for loc in campaign.locations if places is None or loc.id in places]

    def asked_here(question: Question) -> bool:
        """A station's own question goes to the kiosks of that station only."""
        return question.location_id is None or places is None or question.location_id in places

    stations = _stations(session)

    area_ids = {loc.area_id for loc in locations}
    pins = place_pins(session)
    return {
        "revision": current_revision(session),
        "areas": [
            {"id": a.id, "name": a.name}
            for a in session.scalars(select(Area).order_by(Area.id))
            if a.id in area_ids
        ],
        "locations": [
            {
                "id": loc.id,
                "area_id": loc.area_id,
                "code": loc.code,
                "name": loc.name,
                "address": loc.address,
                "latitude": None if loc.latitude is None else str(loc.latitude),
                "longitude": None if loc.longitude is None else str(loc.longitude),
                "pinned_campaign_id": pins.get(loc.id),
            }
            for loc in locations
        ],
        "campaigns": [
            {
                "id": c.id,
                "title": c.title,
                "intro": c.intro,
                "starts_at": _time(c.starts_at),
                "ends_at": _time(c.ends_at),
                "location_ids": running_at(c),
                "format": str(c.format),
                # The route's stations of these places: {place id: [number, what is shown]}.
                "stations": {
                    str(location_id): station
                    for location_id, station in stations.get(c.id, {}).items()
                    if location_id in running_at(c)
                },
                "questions": [
                    {
                        "id": q.id,
                        "position": q.position,
                        "kind": str(q.kind),
                        "texts": q.texts,
                        "max_choices": q.max_choices,
                        "results_shown": str(q.results_shown),
                        "options": [{"id": o.id, **option_fields(o)} for o in q.options],
                        "location_id": q.location_id,
                    }
                    for q in c.questions
                    if asked_here(q)
                ],
            }
            for c in campaigns
        ],
        "wishes": wishes,
    }


def _stations(session: Session) -> dict[int, dict[int, list[Any]]]:
    """Every route's stations: {campaign id: {place id: [number, what is shown there]}}."""
    link = campaign_location.c
    rows = session.execute(
        select(link.campaign_id, link.location_id, link.position, link.note).where(
            link.position.is_not(None)
        )
    )
    stations: dict[int, dict[int, list[Any]]] = {}
    for campaign_id, location_id, position, note in rows:
        stations.setdefault(campaign_id, {})[location_id] = [position, note]
    return stations


def _place_stations(session: Session, document: dict[str, Any]) -> None:
    """Number the stations of central's routes here as central numbers them."""
    link = campaign_location.c
    here = _stations(session)
    changed = False
    for c in document["campaigns"]:
        for location_id in c["location_ids"]:
            wanted = list(c.get("stations", {}).get(str(location_id), [None, None]))
            if here.get(c["id"], {}).get(location_id, [None, None]) == wanted:
                continue
            session.execute(
                update(campaign_location)
                .where(link.campaign_id == c["id"], link.location_id == location_id)
                .values(position=wanted[0], note=wanted[1])
            )
            changed = True
    if changed:
        bump_revision(session)  # links changed around the ORM: the node's workers reload


def _pin(session: Session, document: dict[str, Any]) -> None:
    """Pin central's campaign at each of its places (a central from before pins: none)."""
    places = {loc["id"] for loc in document["locations"]}
    wanted = {
        loc["id"]: loc["pinned_campaign_id"]
        for loc in document["locations"]
        if loc.get("pinned_campaign_id") is not None
    }
    if {p: c for p, c in place_pins(session).items() if p in places} == wanted:
        return
    link = campaign_location.c
    # Unpinned first: a place holds one pin at most (uq_campaign_location_pinned).
    session.execute(
        update(campaign_location)
        .where(link.location_id.in_(sorted(places)), link.pinned)
        .values(pinned=False)
    )
    for location_id, campaign_id in wanted.items():
        session.execute(
            update(campaign_location)
            .where(link.location_id == location_id, link.campaign_id == campaign_id)
            .values(pinned=True)
        )
    bump_revision(session)  # links changed around the ORM: the node's workers reload


def _decimal(raw: str | None) -> Decimal | None:
    return Decimal(raw) if raw is not None else None


def _parse_time(raw: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(raw) if raw else None


def _make_room(session: Session, document: dict[str, Any]) -> None:
    """Move unique names, codes and positions out of the way before central's are written.

    Central may have swapped two questions' positions or two places' codes; written row by
    row, the first row would collide with the second's old value. The rows central lists
    first get a value derived from their id (no real value looks like it); then the
    document writes the real ones. Rows central does not list are left as they are, but an
    option central no longer lists for a question it lists (deleted there before anyone
    picked it) is hidden here and moved out of the way, and so is a question central no
    longer lists for a campaign it lists (asked at another station now).
    """
    areas = [a["id"] for a in document["areas"]]
    places = [loc["id"] for loc in document["locations"]]
    questions = [q["id"] for c in document["campaigns"] for q in c["questions"]]
    options = [o["id"] for c in document["campaigns"] for q in c["questions"] for o in q["options"]]
    session.execute(update(Area).where(Area.id.in_(areas)).values(name="~" + cast(Area.id, String)))
    session.execute(
        update(Location).where(Location.id.in_(places)).values(code="~" + cast(Location.id, String))
    )
    session.execute(
        update(Question).where(Question.id.in_(questions)).values(position=-Question.id)
    )
    # A question central no longer lists for a campaign it lists (another station's own,
    # since it moved there) is not asked here any more: out of the way, and out of the
    # catalog (a negative position; kiosk.collect.catalog.load_catalog leaves it out).
    campaigns = [c["id"] for c in document["campaigns"]]
    session.execute(
        update(Question)
        .where(Question.campaign_id.in_(campaigns), Question.id.not_in(questions or [-1]))
        .values(position=-Question.id)
    )
    session.execute(update(Option).where(Option.id.in_(options)).values(position=-Option.id))
    session.execute(
        update(Option)
        .where(Option.question_id.in_(questions), Option.id.not_in(options or [-1]))
        .values(position=-Option.id, hidden=True)
    )
    session.expire_all()  # the ORM's copies of these rows are stale now


def apply_config(session: Session, document: dict[str, Any]) -> None:
    """Make the node's configuration central's: rows by central's ids; the caller commits.

    Nothing is deleted (answers may point at it): a campaign central no longer lists stops
    running here, because its places are taken away.
    """
    _make_room(session, document)
    for area in document["areas"]:
        session.merge(Area(id=area["id"], name=area["name"]))
    session.flush()
    for loc in document["locations"]:
        session.merge(
            Location(
                id=loc["id"],
                area_id=loc["area_id"],
                code=loc["code"],
                name=loc["name"],
                address=loc.get("address"),
                latitude=_decimal(loc.get("latitude")),
                longitude=_decimal(loc.get("longitude")),
            )
        )
    session.flush()
    listed = set()
    for c in document["campaigns"]:
        listed.add(c["id"])
        campaign = session.merge(
            Campaign(
                id=c["id"],
                title=c["title"],
                intro=c["intro"],
                starts_at=_parse_time(c["starts_at"]),
                ends_at=_parse_time(c["ends_at"]),
                # A central from before formats: a pop-up, as every campaign was.
                format=CampaignFormat(c.get("format", CampaignFormat.POP_UP.value)),
            )
        )
        campaign.locations = [session.get_one(Location, i) for i in c["location_ids"]]
        for q in c["questions"]:
            session.merge(
                Question(
                    id=q["id"],
                    campaign_id=c["id"],
                    position=q["position"],
                    kind=QuestionKind(q["kind"]),
                    texts=q["texts"],
                    max_choices=q["max_choices"],
                    # A central from before this field: results shown, as they were.
                    results_shown=ResultsShown(q.get("results_shown", "live")),
                    location_id=q.get("location_id"),
                )
            )
            for o in q["options"]:
                session.merge(Option(id=o["id"], question_id=q["id"], **option_fields(o)))
        session.flush()
    for campaign in session.scalars(select(Campaign).where(Campaign.id.not_in(listed or {-1}))):
        campaign.locations = []
    session.flush()
    _place_stations(session, document)
    _pin(session, document)
    if "wishes" in document:  # a central from before the attract loop sends none
        _share_wishes(session, document["wishes"])


def _share_wishes(session: Session, wishes: list[dict[str, Any]]) -> None:
    """Replace the approved wishes kept for the attract loop with central's."""
    session.execute(delete(SharedWish))
    session.add_all(
        SharedWish(
            uuid=UUID(w["uuid"]),
            location_id=w["location_id"],
            campaign_id=w["campaign_id"],
            text=w["text"],
            received_at=_parse_time(w["received_at"]),
        )
        for w in wishes
    )
    session.flush()

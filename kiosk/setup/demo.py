"""The demo: Jena Nord's pre-events: the pop-up "WerkStadt", the movement wheel, the climate walk.

"WerkStadt – Leben in Jena Nord" runs at Emil-Höllein-Platz and the playground Zeitzer
Straße; the movement event's wheel stands at the playground since 1 Oct 2025 (and shows
there, started later); the climate walk of 8 Oct 2025 has four stations of its own from a
meeting point on Emil-Höllein-Platz on, two with questions of their own. The stations'
coordinates are approximate (a demo, not a survey map).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.access.accounts import create_user
from kiosk.collect.answers import Answer, record_answer
from kiosk.collect.catalog import CatalogCampaign, load_catalog
from kiosk.models import (
    Actor,
    Area,
    Campaign,
    CampaignFormat,
    Location,
    Option,
    Question,
    QuestionKind,
    Response,
    StaffUser,
    WishState,
    audit,
    campaign_location,
)
from kiosk.setup.campaign_templates import CLIMATE_WALK, MOVEMENT, POP_UP, texts_in_all

DEMO_EMAIL = "demo@example.org"
DEMO_PASSWORD = "jena-nord-demo"  # noqa: S105 - printed on purpose: the demo's staff login
AREA_NAME = "Jena Nord"


@dataclass(frozen=True)
class DemoEvent:
    """One of the Jena Nord pre-events the demo's answers come from: a day, hours, a place."""

    place: str  # the place's code (a walk: its first station's)
    day: dt.date
    start_hour: int  # local time (Europe/Berlin)
    end_hour: int
    share: float  # of the demo's visits
    wishes: tuple[str, ...]  # what people there wished for, each said once
    campaign: str = "werkstadt"  # which of the demo's campaigns people answered there
    stations: tuple[str, ...] = ()  # a walk: the places people answered at, in order


# The three pre-events of the neighbourhood conference (../shared/CONTEXT.md). The climate
# walk started at Emil-Höllein-Platz; its hours are not recorded, the afternoon is assumed.
EVENTS = (
    DemoEvent(
        place="ehp",
        day=dt.date(2025, 9, 27),
        start_hour=10,
        end_hour=14,
        share=0.45,
        wishes=(
            "Ein Trinkbrunnen am Emil-Höllein-Platz wäre toll!",
            "Bänke, auf denen auch ältere Menschen gut sitzen können.",
            "Mehr Mülleimer und öfter leeren.",
            "Ein Wochenmarkt auf dem Platz, einmal die Woche.",
            "Ein Stadtteilfest mit Essen aus allen Ländern, jedes Jahr.",
            "Eine überdachte Ecke, wo man sich bei Regen treffen kann.",
        ),
    ),
    DemoEvent(
        place="zeitzer",
        campaign="movement",
        day=dt.date(2025, 10, 1),
        start_hour=15,
        end_hour=18,
        share=0.35,
        wishes=(
            "Mehr Schatten auf dem Spielplatz, im Sommer ist es zu heiß.",
            "Ein Treffpunkt für Jugendliche am Abend.",
            "Eine Tischtennisplatte und ein Basketballkorb.",
            "Geräte zum Klettern für die Größeren.",
            "Sportkurse im Freien für Ältere, kostenlos.",
        ),
    ),
    DemoEvent(
        place="ehp",
        campaign="walk",
        stations=("ehp-start", "naumburger", "nordschule", "camburger"),
        day=dt.date(2025, 10, 8),
        start_hour=15,
        end_hour=18,
        share=0.20,
        wishes=(
            "Mehr Bäume an der Straßenbahnhaltestelle.",
            "Die Fassaden begrünen, damit es im Sommer kühler bleibt.",
            "Regenwasser sammeln und damit die Beete gießen.",
        ),
    ),
)
EVENT_ZONE = ZoneInfo("Europe/Berlin")


def load_demo(
    session: Session,
    *,
    actor: Actor,
    seed: int = 27,
    sample_visits: int = 40,
    formats: bool = True,
) -> bool:
    """Create the demo area, places, campaigns and staff login; False if it exists already.

    Audited (the demo's answers come in as answers do: they are not staff changes). Without
    formats, only the pop-up campaign at its two places (the ground most tests stand on);
    its share of the sample visits is the same.
    """
    if session.scalar(select(Area.id).where(Area.name == AREA_NAME)) is not None:
        return False
    area = Area(name=AREA_NAME)
    square = Location(
        area=area, code="ehp", name="Emil-Höllein-Platz", address="Emil-Höllein-Platz, 07743 Jena"
    )
    playground = Location(
        area=area,
        code="zeitzer",
        name="Spielplatz Zeitzer Straße",
        address="Zeitzer Straße, 07743 Jena",
    )
    campaign = Campaign(
        title="WerkStadt – Leben in Jena Nord",
        intro=texts_in_all(POP_UP.intro, AREA_NAME),
        starts_at=dt.datetime(2025, 9, 27, 8, 0, tzinfo=dt.UTC),
        ends_at=None,
        locations=[square, playground],
        questions=POP_UP.build_questions(AREA_NAME),
    )
    session.add_all([area, campaign])
    session.flush()
    audit(session, actor, "demo-load", area=area.id, campaign=campaign.id)
    _staff_login(session, actor)
    if not formats:
        session.flush()
        catalog = load_catalog(session)
        places = {square.code: square.id, playground.code: playground.id}
        only = {"werkstadt": catalog.campaigns[campaign.id]}
        _sample_answers(session, only, places, seed, sample_visits)
        return True
    movement = Campaign(
        title="Gesunder Sozialraum – Bewegungsrad",
        intro=texts_in_all(MOVEMENT.intro, AREA_NAME),
        format=CampaignFormat.MOVEMENT,
        starts_at=_local(dt.date(2025, 10, 1), 15),
        locations=[playground],
        questions=MOVEMENT.build_questions(AREA_NAME),
    )
    # The walk's own places, its start on the square among them: the square's kiosk and
    # posters keep the pop-up (a place shows the campaign started last, or the one pinned).
    stations = [Location(area=area, **place) for place in WALK_PLACES]
    walk = Campaign(
        title="Klimaspaziergang Jena Nord",
        intro=texts_in_all(CLIMATE_WALK.intro, AREA_NAME),
        format=CampaignFormat.CLIMATE_WALK,
        starts_at=_local(dt.date(2025, 10, 8), 15),
        locations=stations,
        questions=CLIMATE_WALK.build_questions(AREA_NAME),
    )
    session.add_all([movement, walk])
    session.flush()
    _route(session, walk, stations)
    session.flush()
    catalog = load_catalog(session)
    snapshots = {
        "werkstadt": catalog.campaigns[campaign.id],
        "movement": catalog.campaigns[movement.id],
        "walk": catalog.campaigns[walk.id],
    }
    places = {place.code: place.id for place in (square, playground, *stations)}
    _sample_answers(session, snapshots, places, seed, sample_visits)
    return True


def _staff_login(session: Session, actor: Actor) -> None:
    """The demo's staff login (an admin), unless it exists."""
    if session.scalar(select(StaffUser.id).where(StaffUser.email == DEMO_EMAIL)) is None:
        create_user(
            session,
            email=DEMO_EMAIL,
            name="Demo-Koordination",
            password=DEMO_PASSWORD,
            role="admin",
            actor=actor,
        )


# The climate walk's stations from its start on Emil-Höllein-Platz on, in order
# (coordinates approximate).
WALK_PLACES = (
    {
        "code": "ehp-start",
        "name": "Emil-Höllein-Platz, Treffpunkt",
        "address": "Emil-Höllein-Platz, 07743 Jena",
        "latitude": Decimal("50.940600"),
        "longitude": Decimal("11.578900"),
    },
    {
        "code": "naumburger",
        "name": "Grünstreifen Naumburger Straße",
        "address": "Naumburger Straße, 07743 Jena",
        "latitude": Decimal("50.942400"),
        "longitude": Decimal("11.576100"),
    },
    {
        "code": "nordschule",
        "name": "Haltestelle Nordschule",
        "address": "Dornburger Straße, 07743 Jena",
        "latitude": Decimal("50.944900"),
        "longitude": Decimal("11.579800"),
    },
    {
        "code": "camburger",
        "name": "Innenhof Camburger Straße",
        "address": "Camburger Straße, 07743 Jena",
        "latitude": Decimal("50.943300"),
        "longitude": Decimal("11.583600"),
    },
)
# What each station shows, in order.
WALK_NOTES = (
    "Start: der Platz in der Nachmittagshitze – wo gibt es Schatten?",
    "Versiegelte Fläche, die entsiegelt und begrünt werden könnte",
    "Warten in der Sonne: die Haltestelle ohne Dach und Baum",
    "Ein Hof voller Beete: Regenwasser sammeln und gießen",
)


def _route(session: Session, walk: Campaign, stations: list[Location]) -> None:
    """Number the walk's stations, say what each shows, and give two their own question."""
    for number, (place, note) in enumerate(zip(stations, WALK_NOTES, strict=True), start=1):
        session.execute(
            update(campaign_location)
            .where(
                campaign_location.c.campaign_id == walk.id,
                campaign_location.c.location_id == place.id,
            )
            .values(position=number, note=note)
        )
    last = max(q.position for q in walk.questions)
    own = (
        (stations[1], "Was soll mit dieser Fläche geschehen?",
         (("🌿", "Entsiegeln und begrünen"), ("🌳", "Bäume pflanzen"),
          ("🪑", "Bänke im Schatten"), ("🅿️", "So lassen"))),
        (stations[2], "Wie lange warten Sie hier meist in der Sonne?",
         (("☀️", "Unter 5 Minuten"), ("🥵", "5 bis 10 Minuten"), ("😓", "Länger"))),
    )  # fmt: skip
    for offset, (place, text, options) in enumerate(own, start=1):
        session.add(
            Question(
                campaign_id=walk.id,
                position=last + offset,
                kind=QuestionKind.SINGLE,
                texts={"de": text},
                location_id=place.id,
                options=[
                    Option(position=i, texts={"de": label}, emoji=emoji, colour=colour)
                    for i, ((emoji, label), colour) in enumerate(
                        zip(options, ("#2e7d32", "#ef6c00", "#1565c0", "#6d4c41"), strict=False)
                    )
                ],
            )
        )
    session.flush()
    session.expire(walk, ["questions"])


def _local(day: dt.date, hour: int) -> dt.datetime:
    """A local hour of a day (Europe/Berlin), in UTC."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=EVENT_ZONE).astimezone(dt.UTC)


def _event_time(rng: random.Random, event: DemoEvent) -> dt.datetime:
    """A moment during the event, most people around its middle (a triangular spread)."""
    hours = rng.triangular(event.start_hour, event.end_hour)
    local = dt.datetime.combine(event.day, dt.time(), tzinfo=EVENT_ZONE) + dt.timedelta(hours=hours)
    return local.astimezone(dt.UTC).replace(microsecond=0)


def _sample_answers(
    session: Session,
    campaigns: dict[str, CatalogCampaign],
    places: dict[str, int],
    seed: int,
    visits: int,
) -> None:
    """Answers as if people had taken part at the three events, on their days and hours.

    Each visit answers the questions a few seconds apart, at a kiosk or by phone; each
    wish is said once (the last one of each event waits for a moderator, the others are
    approved, so public screens have some to show).
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
    wishes = {id(event): list(event.wishes) for event in EVENTS}
    said: list[tuple[Answer, DemoEvent]] = []
    for number in range(visits):
        event = _event_of(number, visits)
        campaign = campaigns.get(event.campaign)
        if campaign is None:  # the demo without formats: the pop-up's questions everywhere
            campaign, place = campaigns["werkstadt"], places[event.place]
        else:
            # A walk's visitors answer at each station in turn, as the group walked on.
            place = places[
                event.stations[number % len(event.stations)] if event.stations else event.place
            ]
        channel = "kiosk" if rng.random() < 0.6 else "qr"
        visit = uuid.UUID(int=rng.getrandbits(128), version=4)
        at = _event_time(rng, event)
        for question in campaign.questions_at(place):
            at += dt.timedelta(seconds=rng.randint(6, 40))
            if rng.random() < 0.15:
                continue  # skipped, as people do
            answer_uuid = uuid.UUID(int=rng.getrandbits(128), version=4)
            if question.kind == QuestionKind.WISH:
                left = wishes[id(event)]
                if left and rng.random() < 0.45:
                    answer = Answer(answer_uuid, visit, question, text=left.pop(0))
                    record_answer(session, answer, campaign=campaign, location_id=place,
                                  channel=channel, now=at)  # fmt: skip
                    said.append((answer, event))
                continue
            count = rng.randint(1, question.max_choices or 1)
            picked = rng.sample(question.options, count)
            answer = Answer(
                answer_uuid,
                visit,
                question,
                option_ids=tuple(option.id for option in picked),
                value=picked[0].value if question.kind == QuestionKind.SCALE else None,
            )
            record_answer(session, answer, campaign=campaign, location_id=place,
                          channel=channel, now=at)  # fmt: skip
    last_of_each = {id(event): answer.uuid for answer, event in said}  # the last one said
    approved = [a.uuid for a, _ in said if a.uuid not in last_of_each.values()]
    if approved:
        session.execute(
            update(Response)
            .where(Response.uuid.in_(approved))
            .values(wish_state=WishState.APPROVED.value)
        )


def _event_of(number: int, visits: int) -> DemoEvent:
    """The event a visit belongs to: the first 45 % at the cooking event, and so on."""
    position = (number + 0.5) / max(visits, 1)
    reached = 0.0
    for event in EVENTS:
        reached += event.share
        if position < reached:
            return event
    return EVENTS[-1]

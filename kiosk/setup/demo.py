"""The demo: "WerkStadt – Leben in Jena Nord", two places, the pop-up event's five questions."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
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
    Location,
    QuestionKind,
    Response,
    StaffUser,
    WishState,
    audit,
)
from kiosk.setup.campaign_templates import POP_UP, texts_in_all

DEMO_EMAIL = "demo@example.org"
DEMO_PASSWORD = "jena-nord-demo"  # noqa: S105 - printed on purpose: the demo's staff login
AREA_NAME = "Jena Nord"


@dataclass(frozen=True)
class DemoEvent:
    """One of the Jena Nord pre-events the demo's answers come from: a day, hours, a place."""

    place: str  # the place's code
    day: dt.date
    start_hour: int  # local time (Europe/Berlin)
    end_hour: int
    share: float  # of the demo's visits
    wishes: tuple[str, ...]  # what people there wished for, each said once


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


def load_demo(session: Session, *, actor: Actor, seed: int = 27, sample_visits: int = 40) -> bool:
    """Create the demo area, places, campaign and staff login; False if it exists already.

    Audited (the demo's answers come in as answers do: they are not staff changes).
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
    if session.scalar(select(StaffUser.id).where(StaffUser.email == DEMO_EMAIL)) is None:
        create_user(
            session,
            email=DEMO_EMAIL,
            name="Demo-Koordination",
            password=DEMO_PASSWORD,
            role="admin",
            actor=actor,
        )
    session.flush()
    snapshot = load_catalog(session).campaigns[campaign.id]
    places = {square.code: square.id, playground.code: playground.id}
    _sample_answers(session, snapshot, places, seed, sample_visits)
    return True


def _event_time(rng: random.Random, event: DemoEvent) -> dt.datetime:
    """A moment during the event, most people around its middle (a triangular spread)."""
    hours = rng.triangular(event.start_hour, event.end_hour)
    local = dt.datetime.combine(event.day, dt.time(), tzinfo=EVENT_ZONE) + dt.timedelta(hours=hours)
    return local.astimezone(dt.UTC).replace(microsecond=0)


def _sample_answers(
    session: Session, campaign: CatalogCampaign, places: dict[str, int], seed: int, visits: int
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
        place = places[event.place]
        channel = "kiosk" if rng.random() < 0.6 else "qr"
        visit = uuid.UUID(int=rng.getrandbits(128), version=4)
        at = _event_time(rng, event)
        for question in campaign.questions:
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

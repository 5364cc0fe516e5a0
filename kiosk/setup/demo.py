"""The demo: "WerkStadt – Leben in Jena Nord", two places, the pop-up event's five questions."""

from __future__ import annotations

import datetime as dt
import random
import uuid

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

SAMPLE_WISHES = [
    "Mehr Schatten auf dem Spielplatz, im Sommer ist es zu heiß.",
    "Ein Trinkbrunnen am Emil-Höllein-Platz wäre toll!",
    "Bänke, auf denen auch ältere Menschen gut sitzen können.",
    "Ein Treffpunkt für Jugendliche am Abend.",
    "Mehr Mülleimer und öfter leeren.",
]


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
    _sample_answers(session, snapshot, [square.id, playground.id], seed, sample_visits)
    # As if moderated already: all sample wishes but the last are approved, for public screens.
    session.execute(
        update(Response)
        .where(Response.text.in_(SAMPLE_WISHES[:-1]))
        .values(wish_state=WishState.APPROVED.value)
    )
    return True


def _sample_answers(
    session: Session, campaign: CatalogCampaign, places: list[int], seed: int, visits: int
) -> None:
    """Answers as if some people had already taken part, so the staff pages show something."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
    for number in range(visits):
        place = places[number % len(places)]
        channel = "kiosk" if rng.random() < 0.6 else "qr"
        visit = uuid.UUID(int=rng.getrandbits(128), version=4)
        for question in campaign.questions:
            if rng.random() < 0.15:
                continue  # skipped, as people do
            answer_uuid = uuid.UUID(int=rng.getrandbits(128), version=4)
            if question.kind == QuestionKind.WISH:
                if rng.random() < 0.3:
                    answer = Answer(answer_uuid, visit, question, text=rng.choice(SAMPLE_WISHES))
                    record_answer(
                        session, answer, campaign=campaign, location_id=place, channel=channel
                    )
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
            record_answer(session, answer, campaign=campaign, location_id=place, channel=channel)

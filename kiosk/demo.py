"""The demo: "WerkStadt – Leben in Jena Nord", two places, five questions, a few answers."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.accounts import create_user
from kiosk.answers import Answer, record_answer
from kiosk.catalog import CatalogCampaign, load_catalog
from kiosk.models import (
    Area,
    Campaign,
    Location,
    Option,
    Question,
    QuestionKind,
    Response,
    ResultsShown,
    StaffUser,
    WishState,
)

DEMO_EMAIL = "demo@example.org"
DEMO_PASSWORD = "jena-nord-demo"  # noqa: S105 - printed on purpose: the demo's staff login
AREA_NAME = "Jena Nord"

Choice = tuple[str, str, str, str]  # emoji, German, English, colour

QUESTIONS: list[tuple[QuestionKind, str, str, int | None, list[Choice]]] = [
    (
        QuestionKind.SINGLE,
        "Was ist Ihnen in Jena Nord am wichtigsten?",
        "What matters most to you in Jena Nord?",
        None,
        [
            ("🌳", "Grün und Schatten", "Green and shade", "#2e7d32"),
            ("⚽", "Spielen und Sport", "Play and sport", "#ef6c00"),
            ("🪑", "Treffpunkte", "Places to meet", "#6a1b9a"),
            ("🧹", "Sauberkeit", "Cleanliness", "#00838f"),
            ("🛡️", "Sicherheit", "Safety", "#37474f"),
            ("💧", "Wasser", "Water", "#1565c0"),
        ],
    ),
    (
        QuestionKind.SCALE,
        "Wie gern sind Sie hier?",
        "How much do you like being here?",
        None,
        [
            ("😞", "Gar nicht gern", "Not at all", "#c62828"),
            ("🙁", "Nicht so gern", "Not much", "#ef6c00"),
            ("😐", "Geht so", "It's okay", "#9e9d24"),
            ("🙂", "Gern", "I like it", "#558b2f"),
            ("😀", "Sehr gern", "I love it", "#2e7d32"),
        ],
    ),
    (
        QuestionKind.MULTI,
        "Was fehlt hier? (bis zu 3)",
        "What is missing here? (up to 3)",
        3,
        [
            ("🌲", "Mehr Bäume", "More trees", "#2e7d32"),
            ("🚰", "Trinkbrunnen", "Drinking fountain", "#1565c0"),
            ("🪑", "Bänke", "Benches", "#6d4c41"),
            ("🚻", "Toiletten", "Toilets", "#455a64"),
            ("💡", "Licht am Abend", "Light in the evening", "#f9a825"),
            ("🤸", "Bewegung für alle Generationen", "Exercise for all ages", "#ad1457"),
        ],
    ),
    (
        QuestionKind.SINGLE,
        "Wie alt sind Sie?",
        "How old are you?",
        None,
        [
            ("🧒", "unter 12", "under 12", "#8e24aa"),
            ("🧑", "12 bis 17", "12 to 17", "#3949ab"),
            ("👩", "18 bis 64", "18 to 64", "#00897b"),
            ("👵", "65 und älter", "65 and older", "#6d4c41"),
        ],
    ),
    (
        QuestionKind.WISH,
        "Was wünschen Sie sich für Jena Nord?",
        "What do you wish for Jena Nord?",
        None,
        [],
    ),
]

# The age question's results are shown to the public only once the campaign has ended.
RESULTS_AFTER_CLOSE = {"Wie alt sind Sie?"}

SAMPLE_WISHES = [
    "Mehr Schatten auf dem Spielplatz, im Sommer ist es zu heiß.",
    "Ein Trinkbrunnen am Emil-Höllein-Platz wäre toll!",
    "Bänke, auf denen auch ältere Menschen gut sitzen können.",
    "Ein Treffpunkt für Jugendliche am Abend.",
    "Mehr Mülleimer und öfter leeren.",
]


def load_demo(session: Session, *, seed: int = 27, sample_visits: int = 40) -> bool:
    """Create the demo area, places, campaign and staff login; False if it exists already."""
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
        intro={
            "de": "Sagen Sie uns, was Ihnen in Jena Nord wichtig ist. Es dauert eine Minute.",
            "en": "Tell us what matters to you in Jena Nord. It takes one minute.",
        },
        starts_at=dt.datetime(2025, 9, 27, 8, 0, tzinfo=dt.UTC),
        ends_at=None,
        locations=[square, playground],
    )
    for position, (kind, german, english, max_choices, choices) in enumerate(QUESTIONS):
        question = Question(
            campaign=campaign,
            position=position,
            kind=kind,
            texts={"de": german, "en": english},
            max_choices=max_choices,
            results_shown=(
                ResultsShown.AFTER_CLOSE if german in RESULTS_AFTER_CLOSE else ResultsShown.LIVE
            ),
        )
        for option_position, (emoji, de_label, en_label, colour) in enumerate(choices):
            question.options.append(
                Option(
                    position=option_position,
                    emoji=emoji,
                    colour=colour,
                    texts={"de": de_label, "en": en_label},
                    value=option_position + 1 if kind == QuestionKind.SCALE else None,
                )
            )
    session.add_all([area, campaign])
    session.flush()
    if session.scalar(select(StaffUser.id).where(StaffUser.email == DEMO_EMAIL)) is None:
        create_user(
            session,
            email=DEMO_EMAIL,
            name="Demo-Koordination",
            password=DEMO_PASSWORD,
            role="admin",
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

"""The demo tells the real story: answers on the Jena Nord events' days and hours, no wish twice."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.cli import upgrade_database
from kiosk.models import COMMAND_LINE, HourCount, Location, Response, WishState
from kiosk.models.engine import make_engine
from kiosk.setup.demo import EVENT_ZONE, EVENTS, load_demo


def test_the_demo_answers_fall_on_the_event_days_and_hours(empty_database_url: str) -> None:
    upgrade_database(empty_database_url)
    engine = make_engine(empty_database_url)
    with Session(engine) as session:
        assert load_demo(session, sample_visits=40, actor=COMMAND_LINE)
        session.commit()
        codes = {i: code for i, code in session.execute(select(Location.id, Location.code))}
        answers = session.execute(
            select(Response.location_id, Response.answered_at, Response.text, Response.wish_state)
        ).all()
        hours = session.scalars(select(HourCount.hour)).all()
    engine.dispose()

    windows = {
        (place, event.day): (event.start_hour, event.end_hour)
        for event in EVENTS
        for place in event.stations or (event.place,)
    }
    days = Counter()
    for location_id, answered_at, _, _ in answers:
        local = answered_at.astimezone(EVENT_ZONE)
        start, end = windows[(codes[location_id], local.date())]  # an event's place and day
        assert dt.time(start) <= local.time() <= dt.time(end, 5), local  # a visit may run over
        days[local.date()] += 1
    assert sorted(days) == sorted(event.day for event in EVENTS)  # three event days
    assert min(days.values()) >= 10  # each with plausibly many answers
    assert len({hour.astimezone(EVENT_ZONE).date() for hour in hours}) == 3  # "per day": 3 bars
    # Hours spread over each event, not one moment.
    assert len({a.astimezone(EVENT_ZONE).hour for _, a, _, _ in answers}) >= 6

    wishes = [text for _, _, text, _ in answers if text]
    assert len(wishes) >= 6 and len(set(wishes)) == len(wishes)  # no wish twice
    states = Counter(state for _, _, text, state in answers if text)
    assert states[WishState.APPROVED.value] >= 3 and states[WishState.PENDING.value] >= 1


def test_loading_the_demo_twice_adds_nothing(empty_database_url: str) -> None:
    upgrade_database(empty_database_url)
    engine = make_engine(empty_database_url)
    with Session(engine) as session:
        assert load_demo(session, sample_visits=5, actor=COMMAND_LINE)
        session.commit()
        before = session.scalar(select(sa.func.count()).select_from(Response))
        assert not load_demo(session, sample_visits=5, actor=COMMAND_LINE)
        assert session.scalar(select(sa.func.count()).select_from(Response)) == before
    engine.dispose()


def test_the_demo_has_the_wheel_at_the_playground_and_the_walk_with_its_stations(
    empty_database_url: str,
) -> None:
    from kiosk.collect.catalog import load_catalog
    from kiosk.models import AnswerCount, CampaignFormat, QuestionKind
    from kiosk.models.base import utcnow

    upgrade_database(empty_database_url)
    engine = make_engine(empty_database_url)
    with Session(engine) as session:
        assert load_demo(session, sample_visits=40, actor=COMMAND_LINE)
        session.commit()
        catalog = load_catalog(session)
        now = utcnow()
        shown = {
            code: catalog.running_campaign(catalog.locations[code], now)
            for code in ("ehp", "zeitzer", "ehp-start", "naumburger", "nordschule", "camburger")
        }
        assert shown["ehp"].title.startswith("WerkStadt")  # the walk starts at its own place
        wheel = shown["zeitzer"]
        assert wheel.format == CampaignFormat.MOVEMENT
        assert wheel.questions[0].kind == QuestionKind.WHEEL
        assert wheel.starts_at.astimezone(EVENT_ZONE).date() == dt.date(2025, 10, 1)
        walk = shown["naumburger"]
        assert shown["ehp-start"] is walk  # station 1 shows the walk, the square the pop-up
        assert walk.format == CampaignFormat.CLIMATE_WALK
        assert walk.starts_at.astimezone(EVENT_ZONE).date() == dt.date(2025, 10, 8)
        assert [s.code for s in walk.stations] == [
            "ehp-start",
            "naumburger",
            "nordschule",
            "camburger",
        ]
        assert all(s.latitude and s.longitude and s.note for s in walk.stations)
        own = [q for q in walk.questions if q.location_id is not None]
        assert len(own) == 2
        for question in own:  # asked at its station only
            asked = [s.code for s in walk.stations if question in walk.questions_at(s.location_id)]
            assert len(asked) == 1
        # Every station and the wheel have answers on their event days.
        counted = dict(
            session.execute(
                select(AnswerCount.location_id, sa.func.sum(AnswerCount.count))
                .where(AnswerCount.question_id.in_([q.id for q in walk.questions]))
                .group_by(AnswerCount.location_id)
            ).all()
        )
        assert all(counted.get(s.location_id, 0) > 0 for s in walk.stations), counted
        spun = session.scalar(
            select(sa.func.sum(AnswerCount.count)).where(
                AnswerCount.question_id == wheel.questions[0].id
            )
        )
        assert spun and spun >= 5
    engine.dispose()

"""Casting an answer at a door: every outcome, what it stores and what it counts."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.collect.casting import Cast, Door, Outcome, RateLimit, cast_answer
from kiosk.core.errors import CampaignClosedError, InvalidAnswerError
from kiosk.models import QuestionKind, Response, utcnow
from kiosk.safety.safeguards import Safeguard, ballot_key, refusals
from tests.helpers import demo, question

WISH_MAX = 280


def _form(option_id: int, answer_uuid: str | None = None) -> dict[str, list[str]]:
    return {"uuid": [answer_uuid or str(uuid.uuid4())], "option": [str(option_id)]}


def _stored(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Response)) or 0


def _cast(session: Session, door: Door, form: dict[str, list[str]], **kwargs: object) -> Cast:
    campaign, _, _ = demo(session)
    q = question(campaign, QuestionKind.SINGLE)
    return cast_answer(session, door, campaign, q, form, wish_max_chars=WISH_MAX, **kwargs)  # type: ignore[arg-type]


def _option(session: Session) -> int:
    campaign, _, _ = demo(session)
    return question(campaign, QuestionKind.SINGLE).options[0].id


def test_stored_then_duplicate(session: Session) -> None:
    _, square, _ = demo(session)
    door = Door(channel="kiosk", location_id=square.id)
    form = _form(_option(session))
    assert _cast(session, door, form).outcome == Outcome.STORED
    assert _cast(session, door, form).outcome == Outcome.DUPLICATE
    session.commit()
    assert _stored(session) == 1


def test_a_kiosk_in_its_cooldown_counts_a_refusal_and_stores_nothing(session: Session) -> None:
    _, square, _ = demo(session)
    door = Door(channel="kiosk", location_id=square.id, kiosk_cooldown=dt.timedelta(seconds=30))
    option = _option(session)
    assert _cast(session, door, _form(option)).outcome == Outcome.STORED
    assert _cast(session, door, _form(option)).outcome == Outcome.COOLDOWN
    session.commit()
    assert _stored(session) == 1
    assert refusals(session, [square.id])[Safeguard.KIOSK_COOLDOWN] == 1


def test_a_phone_answers_a_question_once(session: Session) -> None:
    _, square, _ = demo(session)
    campaign, _, _ = demo(session)
    q = question(campaign, QuestionKind.SINGLE)
    door = Door(channel="qr", location_id=square.id, ballot=ballot_key("s" * 32, "phone", q.id))
    option = _option(session)
    assert _cast(session, door, _form(option)).outcome == Outcome.STORED
    assert _cast(session, door, _form(option)).outcome == Outcome.ALREADY_ANSWERED
    session.commit()
    assert _stored(session) == 1
    assert refusals(session, [square.id])[Safeguard.QR_REPEAT] == 1


def test_a_network_past_its_limit_is_counted_and_turned_away(session: Session) -> None:
    _, square, _ = demo(session)
    rate = RateLimit(secret="s" * 32, address="192.0.2.1", limit=2, window=dt.timedelta(minutes=5))
    door = Door(channel="qr", location_id=square.id, rate=rate)
    option = _option(session)
    outcomes = [_cast(session, door, _form(option)).outcome for _ in range(3)]
    session.commit()
    assert outcomes == [Outcome.STORED, Outcome.STORED, Outcome.RATE_LIMITED]
    assert _stored(session) == 2
    assert refusals(session, [square.id])[Safeguard.RATE_LIMIT] == 1


def test_a_malformed_answer_is_refused_with_its_error_and_nothing_stored(
    session: Session,
) -> None:
    _, square, _ = demo(session)
    rate = RateLimit(secret="s" * 32, address="192.0.2.1", limit=1, window=dt.timedelta(minutes=5))
    door = Door(channel="qr", location_id=square.id, rate=rate)
    cast = _cast(session, door, {"uuid": ["not a uuid"], "option": ["1"]})
    session.commit()
    assert cast.outcome == Outcome.REFUSED
    assert isinstance(cast.error, InvalidAnswerError)
    assert _stored(session) == 0
    # the network's count holds: the next answer is past the limit of one
    assert _cast(session, door, _form(_option(session))).outcome == Outcome.RATE_LIMITED


def test_a_closed_campaign_refuses_and_rolls_back_to_before_the_answer(session: Session) -> None:
    _, square, _ = demo(session)
    door = Door(channel="kiosk", location_id=square.id)
    before_it_began = utcnow() - dt.timedelta(days=3650)
    cast = _cast(session, door, _form(_option(session)), now=before_it_began)
    session.commit()
    assert cast.outcome == Outcome.REFUSED
    assert isinstance(cast.error, CampaignClosedError)
    assert _stored(session) == 0


def test_a_stored_answer_waits_for_the_callers_commit(committed_engine: sa.Engine) -> None:
    """Cast on a fresh session (no write yet), then roll back: nothing stays (SQLite too)."""
    with Session(committed_engine) as fresh:  # the engine as served: no test transaction
        _, square, _ = demo(fresh)
        before = _stored(fresh)
        fresh.rollback()  # as a request starts: nothing written yet
        cast = _cast(fresh, Door(channel="kiosk", location_id=square.id), _form(_option(fresh)))
        assert cast.outcome == Outcome.STORED
        fresh.rollback()
        assert _stored(fresh) == before

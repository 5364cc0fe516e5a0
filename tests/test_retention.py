"""Retention: after the period, visit numbers, exact times and unapproved wish texts go; the
results stay exactly as they were, and a second run changes nothing more."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kiosk.collect.answers import Answer, record_answer
from kiosk.models import (
    COMMAND_LINE,
    AnswerCount,
    AsideResponse,
    OptionCount,
    QuestionKind,
    RejectedResponse,
    Response,
    WishState,
    utcnow,
)
from kiosk.safety.moderation import WishAction, moderate
from kiosk.safety.retention import apply_retention
from kiosk.sync.devices import register_device
from tests.helpers import demo, pick, question

NOW = utcnow()  # the command runs at the real now
LONG_AGO = (NOW - dt.timedelta(days=500)).replace(minute=37, second=12, microsecond=345678)
LATELY = (NOW - dt.timedelta(days=5)).replace(minute=13, second=5, microsecond=0)


def given(session: Session, answer: Answer, at: dt.datetime) -> int:
    campaign, square, _ = demo(session)
    record_answer(session, answer, campaign=campaign, location_id=square.id, channel="kiosk")
    found = session.scalar(select(Response.id).where(Response.uuid == answer.uuid))
    assert found is not None
    # Given then (the demo campaign opened lately: the times are set afterwards).
    times = {"client_at": at, "received_at": at, "answered_at": at}
    session.execute(update(Response).where(Response.id == found).values(**times))
    return found


def wish(session: Session, text: str, at: dt.datetime) -> int:
    campaign, _, _ = demo(session)
    return given(session, Answer(uuid.uuid4(), None, question(campaign, QuestionKind.WISH),
                                 text=text), at)  # fmt: skip


def results(session: Session) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    options = session.execute(select(OptionCount).order_by(OptionCount.option_id)).scalars()
    answers = session.execute(select(AnswerCount).order_by(AnswerCount.question_id)).scalars()
    return (
        [(o.location_id, o.option_id, o.channel, o.count) for o in options],
        [(a.location_id, a.question_id, a.channel, a.count) for a in answers],
    )


@pytest.fixture
def history(session: Session) -> dict[str, int]:
    campaign, _, _ = demo(session)
    single = question(campaign, QuestionKind.SINGLE)
    visit = uuid.uuid4()
    ids = {
        "old_vote": given(session, pick(single, 0, answer_uuid=uuid.uuid4()), LONG_AGO),
        "new_vote": given(session, pick(single, 1, answer_uuid=uuid.uuid4()), LATELY),
        "old_pending": wish(session, "Ruf an: 0176 1234567", LONG_AGO),
        "old_approved": wish(session, "Mehr Bänke am Platz", LONG_AGO),
        "old_marked": wish(session, "Frau Müller aus Nr. 5 hilft gern", LONG_AGO),
        "new_pending": wish(session, "Ein Trinkbrunnen", LATELY),
    }
    session.execute(update(Response).values(visit_id=visit))
    moderate(
        session, [ids["old_approved"], ids["old_marked"]], WishAction.APPROVE, actor=COMMAND_LINE
    )
    moderate(session, [ids["old_marked"]], WishAction.MARK_PERSONAL_DATA, actor=COMMAND_LINE)
    old_uuid = session.get(Response, ids["old_pending"]).uuid  # type: ignore[union-attr]
    for at in (LONG_AGO, LATELY):
        session.add(
            RejectedResponse(
                uuid=str(old_uuid), reason="conflict", payload={"text": "x"}, received_at=at
            )
        )
    _, square, playground = demo(session)
    device, _ = register_device(session, name="Pi", location_id=square.id, actor=COMMAND_LINE)
    for at in (LONG_AGO, LATELY):  # sent for a place it is not assigned to, never released
        session.add(AsideResponse(uuid=uuid.uuid4(), device_id=device.id,
                                  location_id=playground.id, payload={"text": "x"},
                                  received_at=at))  # fmt: skip
    session.commit()
    return ids


def test_old_answers_lose_what_could_point_at_a_person(
    session: Session, history: dict[str, int]
) -> None:
    before = results(session)
    report = apply_retention(session, days=365, now=NOW, actor=COMMAND_LINE)
    session.commit()
    assert (report.anonymised, report.wishes_blanked, report.kept_aside_deleted) == (4, 2, 2)
    assert results(session) == before  # the results do not change
    session.expire_all()

    def row(name: str) -> Response:
        found = session.get(Response, history[name])
        assert found is not None
        return found

    old = row("old_vote")
    assert (old.visit_id, old.client_at) == (None, None)
    assert old.received_at == old.answered_at == LONG_AGO.replace(minute=0, second=0, microsecond=0)
    assert row("old_pending").text == "" and row("old_pending").wish_mark == "redacted"
    assert row("old_marked").text == ""  # approved, but marked as personal data
    assert row("old_approved").text == "Mehr Bänke am Platz"  # shown in public: kept
    assert row("old_approved").wish_state == WishState.APPROVED
    for name in ("new_vote", "new_pending"):  # within the period: untouched
        assert row(name).visit_id is not None and row(name).received_at == LATELY
    assert row("new_pending").text == "Ein Trinkbrunnen"
    assert [r.received_at for r in session.scalars(select(RejectedResponse))] == [LATELY]
    assert [r.received_at for r in session.scalars(select(AsideResponse))] == [LATELY]

    again = apply_retention(session, days=365, now=NOW, actor=COMMAND_LINE)
    assert (again.anonymised, again.wishes_blanked, again.kept_aside_deleted) == (0, 0, 0)


def test_a_dry_run_counts_and_changes_nothing(session: Session, history: dict[str, int]) -> None:
    report = apply_retention(session, days=365, now=NOW, dry_run=True, actor=COMMAND_LINE)
    session.commit()
    assert (report.anonymised, report.wishes_blanked, report.kept_aside_deleted) == (4, 2, 2)
    assert session.scalar(select(func.count()).where(Response.visit_id.is_(None))) == 0
    assert session.get(Response, history["old_pending"]).text  # type: ignore[union-attr]


def test_a_period_under_a_day_is_refused(session: Session) -> None:
    with pytest.raises(ValueError, match="at least one day"):
        apply_retention(session, days=0, actor=COMMAND_LINE)


def test_the_command_says_what_it_did(app: Flask, history: dict[str, int]) -> None:
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["retention", "--dry-run", "--days", "30"])
    assert dry.exit_code == 0, dry.output
    assert "4 answers would be anonymised, 2 wish texts would be removed" in dry.output
    done = runner.invoke(args=["retention", "--days", "30"])
    assert done.exit_code == 0 and "4 answers anonymised" in done.output
    for bad in (["--days", "0"], ["--days", "zwölf"], ["--days", "-5"]):
        refused = runner.invoke(args=["retention", *bad])
        assert refused.exit_code == 2 and "Invalid value for '--days'" in refused.output
    app.config["RETENTION_DAYS"] = 0  # off: the nightly timer still runs and must not fail
    off = runner.invoke(args=["retention"])
    assert off.exit_code == 0 and "KIOSK_RETENTION_DAYS is 0 (off)" in off.output

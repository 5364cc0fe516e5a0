"""The paper channel: counts from a paper tally sheet, typed in by staff, in every tally."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from kiosk.core.errors import N_, Errors, FormError, NotFoundError
from kiosk.models import (
    Actor,
    Campaign,
    Channel,
    Location,
    PaperTally,
    Question,
    QuestionKind,
    audit,
    campaign_location,
    utcnow,
)
from kiosk.models.counters import add_counts

MAX_COUNT = 100_000  # a sheet with more is a typing slip


def _count(errors: Errors, field: str, raw: str) -> int:
    raw = raw.strip() or "0"
    if not raw.isdecimal() or len(raw) > 9 or int(raw) > MAX_COUNT:
        errors[field] = (N_("A whole number from 0 to %(max)d, please."), {"max": MAX_COUNT})
        return 0
    return int(raw)


def paper_questions(session: Session, location_id: int) -> list[Question]:
    """The choice questions asked at a place (of its campaigns): those a paper sheet counts."""
    return list(
        session.scalars(
            select(Question)
            .join(Campaign, Campaign.id == Question.campaign_id)
            .join(campaign_location, campaign_location.c.campaign_id == Campaign.id)
            .where(
                campaign_location.c.location_id == location_id,
                Question.kind != QuestionKind.WISH,
                # A station's own question counts there only.
                or_(Question.location_id.is_(None), Question.location_id == location_id),
            )
            .order_by(Campaign.id, Question.position)
        )
    )


def enter_paper_tally(
    session: Session,
    *,
    location_id: int,
    question_id: int,
    counts: Mapping[str, str],
    answers: str,
    note: str = "",
    actor: Actor,
) -> PaperTally:
    """Count a paper sheet for one question at one place; audited, the caller commits.

    counts: the form's counts by option id. For a multiple choice, answers is how many
    people filled it in (each may tick several); otherwise it is the sum of the counts.
    """
    location = session.get(Location, location_id)
    question = session.get(Question, question_id)
    if location is None or question is None or question.kind == QuestionKind.WISH:
        raise NotFoundError()
    if question.id not in {q.id for q in paper_questions(session, location.id)}:
        raise NotFoundError()  # a question of a campaign that does not run here
    errors: Errors = {}
    by_option = {
        str(option.id): _count(errors, f"option-{option.id}", counts.get(str(option.id), ""))
        for option in question.options
    }
    picked = sum(by_option.values())
    if question.kind == QuestionKind.MULTI:
        people = _count(errors, "answers", answers)
        most = max(by_option.values(), default=0)
        # Each person ticks one answer at least, and at most as many as the question allows.
        fewest = max(most, -(-picked // (question.max_choices or picked or 1)))
        if not errors and not fewest <= people <= picked:
            errors["answers"] = (
                N_("Between %(low)d and %(high)d people, for these counts."),
                {"low": fewest, "high": picked},
            )
    else:
        people = picked
    if not errors and picked == 0:
        errors["counts"] = (N_("Please type in the counts from the sheet."), {})
    if len(note) > 200:
        errors["note"] = (N_("At most %(max)d characters, please."), {"max": 200})
    if errors:
        raise FormError(errors)
    sheet = PaperTally(
        location_id=location.id,
        question_id=question.id,
        counts={k: v for k, v in by_option.items() if v},
        answers=people,
        note=" ".join(note.split()) or None,
        entered_by=actor.user_id,
    )
    session.add(sheet)
    _add_to_counters(session, sheet, sign=1)
    session.flush()
    audit(session, actor, "paper-enter", sheet=sheet.id, place=location.id)
    return sheet


def withdraw_paper_tally(
    session: Session, sheet_id: int, *, location_id: int, actor: Actor
) -> PaperTally:
    """Take a sheet's counts out of the tallies again (a typing slip); audited, caller commits."""
    sheet = session.get(PaperTally, sheet_id)
    if sheet is None or sheet.location_id != location_id:
        raise NotFoundError()
    # One conditional UPDATE: of two withdrawals at once, only one takes the counts out.
    taken = session.execute(
        update(PaperTally)
        .where(PaperTally.id == sheet.id, PaperTally.withdrawn_at.is_(None))
        .values(withdrawn_at=utcnow())
        .returning(PaperTally.id)
        .execution_options(synchronize_session=False)
    ).first()
    if taken is not None:
        _add_to_counters(session, sheet, sign=-1)
        audit(session, actor, "paper-withdraw", sheet=sheet.id, place=location_id)
    session.refresh(sheet)
    return sheet


def _add_to_counters(session: Session, sheet: PaperTally, *, sign: int) -> None:
    add_counts(
        session,
        location_id=sheet.location_id,
        question_id=sheet.question_id,
        channel=Channel.PAPER.value,
        answers=sign * sheet.answers,
        options={int(option_id): sign * count for option_id, count in sheet.counts.items()},
    )


def paper_sheets(session: Session, location_id: int) -> list[PaperTally]:
    """The paper sheets counted at a place, the latest first (withdrawn ones too)."""
    return list(
        session.scalars(
            select(PaperTally)
            .where(PaperTally.location_id == location_id)
            .order_by(PaperTally.id.desc())
        )
    )

"""Retention: after the configured period, what could point at a person is removed.

Answers stay (the counters are kept by triggers on insert, and the counts must not change);
what goes from answers older than the period is what could link them to each other or to
a moment someone was seen at a kiosk (the comparison by age group keeps them: its counter
took each answer's group when the answer came; only counting afresh, when staff mark another
question as the demographic one, puts them under "not stated"):
- the visit number that groups one person's answers, and the device's own clock;
- the exact time: answered and received times are cut to the hour (the hourly charts stay);
- the text of every wish that was never approved, or is marked as personal data (an
  approved wish was found fit to be shown in public, and stays as the public record);
- copies kept aside by central (conflicts, refused items), whole.
Counters of rate limits older than a day go too. Running it twice changes nothing more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from kiosk.models import (
    Actor,
    AsideResponse,
    RejectedResponse,
    Response,
    WishState,
    audit,
    hour_of,
    utcnow,
)
from kiosk.safety.moderation import WishMark, redact
from kiosk.safety.ratelimits import forget_rates


@dataclass(frozen=True)
class RetentionReport:
    """What a retention run changed (or, in a dry run, would change)."""

    cutoff: dt.datetime
    anonymised: int  # answers whose visit number, device clock and exact times went
    wishes_blanked: int  # wishes whose text went
    kept_aside_deleted: int  # copies central kept aside, deleted
    rate_counts_deleted: int


def _count(session: Session, *conditions: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).select_from(Response).where(*conditions)) or 0)


def apply_retention(
    session: Session,
    *,
    days: int,
    actor: Actor,
    now: dt.datetime | None = None,
    dry_run: bool = False,
) -> RetentionReport:
    """Anonymise what is older than `days` days; with dry_run, only count.

    A run that changed anything is audited; the caller commits.
    """
    if days < 1:
        raise ValueError("the retention period is at least one day")
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=days)
    dialect = session.connection().dialect.name
    old = Response.received_at < cutoff
    text_to_go = and_(
        old,
        Response.text.is_not(None),
        or_(Response.wish_mark.is_(None), Response.wish_mark != WishMark.REDACTED.value),
        or_(
            Response.wish_state.is_distinct_from(WishState.APPROVED.value),
            Response.wish_mark.is_not(None),
        ),
    )
    # Received and answered times: exact to the second until now; cut to the hour after.
    exact = or_(
        Response.visit_id.is_not(None),
        Response.client_at.is_not(None),
        Response.received_at != hour_of(Response.received_at, dialect),
        and_(
            Response.answered_at.is_not(None),
            Response.answered_at != hour_of(Response.answered_at, dialect),
        ),
    )
    kept_aside = RejectedResponse.received_at < cutoff
    # Answers a kiosk sent for another place, decided or not: after the period nobody
    # releases them any more, and what they say (visit, text) goes like the rest.
    waited_aside = AsideResponse.received_at < cutoff
    if dry_run:
        return RetentionReport(
            cutoff,
            _count(session, old, exact),
            _count(session, text_to_go),
            int(
                session.scalar(select(func.count()).select_from(RejectedResponse).where(kept_aside))
                or 0
            )
            + int(
                session.scalar(select(func.count()).select_from(AsideResponse).where(waited_aside))
                or 0
            ),
            0,
        )
    blanked = redact(session, select(Response.id).where(text_to_go))
    anonymised = session.execute(
        update(Response)
        .where(old, exact)
        .values(
            visit_id=None,
            client_at=None,
            received_at=hour_of(Response.received_at, dialect),
            answered_at=hour_of(Response.answered_at, dialect),
        )
        .execution_options(synchronize_session=False)
    )
    deleted = session.execute(delete(RejectedResponse).where(kept_aside))
    deleted_aside = session.execute(delete(AsideResponse).where(waited_aside))
    rates = forget_rates(session, before=now - dt.timedelta(days=1))
    report = RetentionReport(
        cutoff,
        int(getattr(anonymised, "rowcount", 0) or 0),
        blanked,
        int(getattr(deleted, "rowcount", 0) or 0) + int(getattr(deleted_aside, "rowcount", 0) or 0),
        rates,
    )
    if report.anonymised or report.wishes_blanked or report.kept_aside_deleted:
        audit(
            session,
            actor,
            "retention",
            days=days,
            anonymised=report.anonymised,
            wishes_blanked=report.wishes_blanked,
            kept_aside_deleted=report.kept_aside_deleted,
        )
    return report

"""Casting an answer at a door (kiosk or phone): the safeguards, then one stored answer.

One operation for every door (the kiosk and phone pages call it, and the benchmarks time it
through them), so the order of the checks and what each refusal leaves behind are decided
once. It flushes and returns an outcome; the caller commits once, under the write lock.
The network's count is part of that one commit: it holds whatever the outcome, but a server
fault rolls it back with the rest.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kiosk.collect.answers import FormData, parse_answer, record_answer, take_kiosk_turn
from kiosk.collect.catalog import CatalogCampaign, CatalogQuestion
from kiosk.core.errors import KioskCooldownError, KioskError
from kiosk.models import utcnow
from kiosk.models.dialect import begin_writing
from kiosk.safety.ratelimits import Scope, over_limit
from kiosk.safety.safeguards import (
    AlreadyAnsweredError,
    Safeguard,
    count_refusal,
    take_qr_ballot,
)


class Outcome(enum.StrEnum):
    """What became of an answer."""

    STORED = "stored"
    DUPLICATE = "duplicate"  # its UUID was stored before: a resent form, nothing new
    COOLDOWN = "cooldown"  # a shared kiosk took an answer to this question a moment ago
    ALREADY_ANSWERED = "already-answered"  # this phone's first answer to it counts
    RATE_LIMITED = "rate-limited"  # very many answers from one network in a few minutes
    REFUSED = "refused"  # malformed, or its campaign closed: Cast.error says why


@dataclass(frozen=True)
class Cast:
    """The outcome of casting an answer; for a refused one, the error to show."""

    outcome: Outcome
    error: KioskError | None = None


@dataclass(frozen=True)
class RateLimit:
    """Answers per network: the keyed hash of the address counts, never the address."""

    secret: str
    address: str
    limit: int
    window: dt.timedelta


@dataclass(frozen=True)
class Door:
    """Where an answer comes in, and the safeguards that stand there."""

    channel: str
    location_id: int
    source: str | None = None  # the poster a phone came from
    queue: bool = False  # a kiosk node forwards what it stores
    rate: RateLimit | None = None  # phones, and kiosk pages served by central
    kiosk_cooldown: dt.timedelta | None = None  # a shared kiosk: one answer per question and pace
    ballot: str | None = None  # a phone's ballot for this question (one answer per phone)


def cast_answer(
    session: Session,
    door: Door,
    campaign: CatalogCampaign,
    question: CatalogQuestion,
    form: FormData,
    *,
    wish_max_chars: int,
    now: dt.datetime | None = None,
) -> Cast:
    """Count the network, parse and store the answer, and take its safeguard turn; flushes.

    Whatever the outcome, what was written may be committed: the network's count always
    holds, a safeguard's refusal is counted per place, and of a refused or turned-away
    answer nothing stays.
    """
    now = now or utcnow()
    if door.rate is not None and over_limit(
        session,
        Scope.ANSWER,
        secret=door.rate.secret,
        address=door.rate.address,
        limit=door.rate.limit,
        window=door.rate.window,
        now=now,
    ):
        count_refusal(session, door.location_id, Safeguard.RATE_LIMIT, now=now)
        return Cast(Outcome.RATE_LIMITED)
    try:
        answer = parse_answer(question, form, wish_max_chars=wish_max_chars)
    except KioskError as error:
        return Cast(Outcome.REFUSED, error)
    begin_writing(session)
    turn = session.begin_nested()  # the answer and its turn stay together, or neither does
    try:
        stored = record_answer(
            session,
            answer,
            campaign=campaign,
            location_id=door.location_id,
            channel=door.channel,
            source=door.source,
            queue=door.queue,
            now=now,
        )
        if stored and door.kiosk_cooldown is not None:
            take_kiosk_turn(
                session,
                location_id=door.location_id,
                question_id=question.id,
                cooldown=door.kiosk_cooldown,
                now=now,
            )
        elif stored and door.ballot is not None:
            take_qr_ballot(session, question_id=question.id, ballot=door.ballot)
    except KioskCooldownError:
        turn.rollback()
        count_refusal(session, door.location_id, Safeguard.KIOSK_COOLDOWN, now=now)
        return Cast(Outcome.COOLDOWN)
    except AlreadyAnsweredError:
        turn.rollback()
        count_refusal(session, door.location_id, Safeguard.QR_REPEAT, now=now)
        return Cast(Outcome.ALREADY_ANSWERED)
    except KioskError as error:  # the campaign closed meanwhile
        turn.rollback()
        return Cast(Outcome.REFUSED, error)
    turn.commit()  # releases the savepoint into the caller's transaction
    return Cast(Outcome.STORED if stored else Outcome.DUPLICATE)

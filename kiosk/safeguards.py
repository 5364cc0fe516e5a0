"""Safeguards against ballot stuffing on the QR pages, and the count of what they turned away.

A phone carries an anonymous cookie: a random id, signed so that a made-up one is not taken.
Each question it answers takes a ballot, a keyed hash of that id and the question, whose
primary key lets one in: two posts at once, in two workers, still leave one answer. Neither
the cookie nor the ballot holds anything about the person or the device beyond that id.
(A shared kiosk is the other trust model: its cooldown is answers.take_kiosk_turn.)
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import secrets
from collections.abc import Iterable

from itsdangerous import BadSignature, Signer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.errors import N_, KioskError
from kiosk.models import QrBallot, RefusalCount, upsert_insert, utcnow

VOTER_COOKIE = "kiosk_voter"


class Safeguard(enum.StrEnum):
    """A rule that turns an answer away."""

    KIOSK_COOLDOWN = "kiosk_cooldown"  # a shared kiosk took an answer to it a moment ago
    QR_REPEAT = "qr_repeat"  # this phone has answered the question already


class AlreadyAnsweredError(KioskError):
    """A phone answers a question it answered before: its first answer counts."""

    status = 409
    message = N_("You have answered this question on this phone already: your first answer counts.")


def _signer(secret: str) -> Signer:
    return Signer(secret, salt="kiosk-voter-cookie")


def new_voter_cookie(secret: str) -> tuple[str, str]:
    """A new phone's anonymous id and the signed cookie value that carries it."""
    voter = secrets.token_urlsafe(16)
    return voter, _signer(secret).sign(voter).decode()


def voter_of(secret: str, cookie: str | None) -> str | None:
    """The anonymous id in a phone's cookie, or None when it has none or not one we signed."""
    if not cookie or len(cookie) > 100:
        return None
    try:
        return _signer(secret).unsign(cookie).decode()
    except (BadSignature, UnicodeDecodeError):
        return None


def ballot_key(secret: str, voter: str, question_id: int) -> str:
    """The ballot of a phone for a question: 32 hex characters, not linkable without secret."""
    key = hashlib.sha256(b"kiosk-qr-ballot:" + secret.encode()).digest()
    return hmac.new(key, f"{voter}:{question_id}".encode(), hashlib.sha256).hexdigest()[:32]


def take_qr_ballot(session: Session, *, question_id: int, ballot: str) -> None:
    """Let this phone's answer to the question count, or raise AlreadyAnsweredError.

    One INSERT ... ON CONFLICT DO NOTHING: the primary key decides, not a check beforehand.
    Call it after record_answer stored a new answer, in the same transaction, and roll back
    when it raises.
    """
    statement = (
        upsert_insert(session.connection().dialect.name)(QrBallot)
        .values(question_id=question_id, voter=ballot)
        .on_conflict_do_nothing(index_elements=["question_id", "voter"])
        .returning(QrBallot.question_id)
    )
    if session.execute(statement).first() is None:
        raise AlreadyAnsweredError()


def answered_by(session: Session, secret: str, voter: str, question_ids: Iterable[int]) -> set[int]:
    """The questions among these that this phone has answered (holds a ballot for)."""
    ballots = {ballot_key(secret, voter, question_id): question_id for question_id in question_ids}
    found = session.scalars(
        select(QrBallot.voter).where(
            QrBallot.question_id.in_(list(ballots.values())), QrBallot.voter.in_(list(ballots))
        )
    )
    return {ballots[ballot] for ballot in found}


def count_refusal(
    session: Session, location_id: int, safeguard: Safeguard, *, now: dt.datetime | None = None
) -> None:
    """Count one answer a safeguard turned away at a place today (UTC); the caller commits."""
    statement = upsert_insert(session.connection().dialect.name)(RefusalCount).values(
        location_id=location_id, safeguard=safeguard.value, day=(now or utcnow()).date(), count=1
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["location_id", "safeguard", "day"],
            set_={"count": RefusalCount.count + 1},
        )
    )


def refusals(
    session: Session, location_ids: Iterable[int], *, since: dt.date | None = None
) -> dict[Safeguard, int]:
    """How many answers each safeguard turned away at these places (since a day, or ever)."""
    query = (
        select(RefusalCount.safeguard, func.sum(RefusalCount.count))
        .where(RefusalCount.location_id.in_(list(location_ids)))
        .group_by(RefusalCount.safeguard)
    )
    if since is not None:
        query = query.where(RefusalCount.day >= since)
    found = {Safeguard(name): int(total) for name, total in session.execute(query).all()}
    return {safeguard: found.get(safeguard, 0) for safeguard in Safeguard}

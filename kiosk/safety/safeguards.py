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

from kiosk.core.errors import N_, KioskError
from kiosk.models import Device, DeviceRefusal, QrBallot, RefusalCount, upsert_insert, utcnow

VOTER_COOKIE = "kiosk_voter"


class Safeguard(enum.StrEnum):
    """A rule that turns an answer away."""

    KIOSK_COOLDOWN = "kiosk_cooldown"  # a shared kiosk took an answer to it a moment ago
    QR_REPEAT = "qr_repeat"  # this phone has answered the question already
    RATE_LIMIT = "rate_limit"  # very many answers from one network in a few minutes


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
    """How many answers each safeguard turned away at these places (since a day, or ever).

    Kiosk nodes' cooldown refusals, as they reported them, count for their kiosk's place.
    """
    places = list(location_ids)
    query = (
        select(RefusalCount.safeguard, func.sum(RefusalCount.count))
        .where(RefusalCount.location_id.in_(places))
        .group_by(RefusalCount.safeguard)
    )
    on_nodes = (
        select(func.sum(DeviceRefusal.count))
        .join(Device, Device.id == DeviceRefusal.device_id)
        .where(Device.location_id.in_(places))
    )
    if since is not None:
        query = query.where(RefusalCount.day >= since)
        on_nodes = on_nodes.where(DeviceRefusal.day >= since)
    found = {Safeguard(name): int(total) for name, total in session.execute(query).all()}
    found[Safeguard.KIOSK_COOLDOWN] = found.get(Safeguard.KIOSK_COOLDOWN, 0) + int(
        session.scalar(on_nodes) or 0
    )
    return {safeguard: found.get(safeguard, 0) for safeguard in Safeguard}


REPORTED_DAYS = 7  # a node reports its cooldown refusals of this many latest days


def refusals_by_day(session: Session, *, today: dt.date) -> dict[str, int]:
    """On a node: its kiosk cooldown's refusals per day (ISO date), of the latest days."""
    rows = session.execute(
        select(RefusalCount.day, func.sum(RefusalCount.count))
        .where(
            RefusalCount.safeguard == Safeguard.KIOSK_COOLDOWN.value,
            RefusalCount.day > today - dt.timedelta(days=REPORTED_DAYS),
        )
        .group_by(RefusalCount.day)
    ).all()
    return {day.isoformat(): int(count) for day, count in rows}


def parse_reported_refusals(raw: object, *, today: dt.date) -> dict[dt.date, int]:
    """A node's reported refusals per day, of sound entries only (the rest is ignored).

    Days must be ISO dates within the reported span around central's today (a node's clock
    may be a day off); counts whole numbers from 0 below 2**31.
    """
    if not isinstance(raw, dict) or len(raw) > 2 * REPORTED_DAYS:
        return {}
    reported: dict[dt.date, int] = {}
    earliest, latest = today - dt.timedelta(days=REPORTED_DAYS), today + dt.timedelta(days=1)
    for key, count in raw.items():
        try:
            day = dt.date.fromisoformat(key) if isinstance(key, str) and len(key) == 10 else None
        except ValueError:
            continue
        whole = isinstance(count, int) and not isinstance(count, bool) and 0 <= count < 2**31
        if day is not None and earliest < day <= latest and whole:
            reported[day] = count
    return reported


def note_device_refusals(session: Session, device_id: int, reported: dict[dt.date, int]) -> None:
    """Keep what a node reported of its refusals: its latest word per day; the caller commits."""
    if not reported:
        return
    statement = upsert_insert(session.connection().dialect.name)(DeviceRefusal).values(
        [{"device_id": device_id, "day": day, "count": count} for day, count in reported.items()]
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["device_id", "day"], set_={"count": statement.excluded.count}
        )
    )


def recent_device_refusals(session: Session, *, today: dt.date) -> dict[int, int]:
    """By device id: the most answers its cooldown turned away today or yesterday.

    As the node reported them; a node's day may end an hour away from central's.
    """
    rows = session.execute(
        select(DeviceRefusal.device_id, func.max(DeviceRefusal.count))
        .where(DeviceRefusal.day >= today - dt.timedelta(days=1), DeviceRefusal.day <= today)
        .group_by(DeviceRefusal.device_id)
    ).all()
    return {device_id: int(count) for device_id, count in rows}

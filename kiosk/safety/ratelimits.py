"""Rate limits per client that hold across all workers, and store no network address.

A client is known by a keyed hash of its address (an IPv6 address by its /64 network, the
part a phone keeps while it changes the rest) and of the day: the key changes every day, so
two days' rows do not link, and without the server's secret no row names an address. Each
request of a limited kind adds one to its client's counter for the current window, in the
database, by one INSERT ... ON CONFLICT DO UPDATE ... RETURNING: every worker sees the same
count, and two requests at once cannot both read the old one.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import ipaddress

from sqlalchemy import delete
from sqlalchemy.orm import Session

from kiosk.core.errors import N_, KioskError
from kiosk.models import RateCount, upsert_insert, utcnow


class Scope(enum.StrEnum):
    """A kind of request with a limit of its own."""

    ANSWER = "answer"  # an answer from a phone, or from a kiosk page central serves
    LOGIN = "login"  # a staff login attempt


class RateLimitedError(KioskError):
    """A client sent more requests of a kind than its limit allows in the window."""

    status = 429
    message = N_(
        "Very many answers came from your network in the last minutes. "
        "Please try again in a few minutes."
    )


def network_of(address: str) -> str:
    """The part of an address that names one client: IPv4 whole, IPv6 by its /64 network."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return "unknown"  # not an address (a test client, a Unix socket): one shared bucket
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def client_key(secret: str, address: str, day: dt.date) -> str:
    """A client's key for the day: 32 hex characters of a keyed hash, not the address."""
    key = hashlib.sha256(f"kiosk-rate:{secret}:{day.isoformat()}".encode()).digest()
    return hmac.new(key, network_of(address).encode(), hashlib.sha256).hexdigest()[:32]


def window_start(now: dt.datetime, window: dt.timedelta) -> dt.datetime:
    """The start of the window that holds this moment (windows start at midnight UTC)."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + ((now - midnight) // window) * window


def count_request(
    session: Session,
    scope: Scope,
    client: str,
    *,
    window: dt.timedelta,
    now: dt.datetime | None = None,
) -> int:
    """Count one request of this client in the current window; return the window's count.

    The caller commits; the count must hold whatever the request's outcome (a login commits
    it before the password is read; an answer with its one commit, refusals included). A
    new window first deletes the rows of windows before the last one.
    """
    now = now or utcnow()
    since = window_start(now, window)
    statement = (
        upsert_insert(session.connection().dialect.name)(RateCount)
        .values(scope=scope.value, client=client, since=since, count=1)
        .on_conflict_do_update(
            index_elements=["scope", "client", "since"], set_={"count": RateCount.count + 1}
        )
        .returning(RateCount.count)
    )
    count = int(session.execute(statement).scalar_one())
    if count == 1:
        stale = RateCount.scope == scope.value, RateCount.since < since - window
        session.execute(delete(RateCount).where(*stale))
    return count


def over_limit(
    session: Session,
    scope: Scope,
    *,
    secret: str,
    address: str,
    limit: int,
    window: dt.timedelta,
    now: dt.datetime | None = None,
) -> bool:
    """Count this request; tell whether it is past the limit (0: no limit, nothing counted).

    The caller commits the count whatever comes of the request (see count_request) and
    refuses the request when this says so.
    """
    if limit <= 0:
        return False
    now = now or utcnow()
    key = client_key(secret, address, now.date())
    return count_request(session, scope, key, window=window, now=now) > limit


def forget_rates(session: Session, *, before: dt.datetime) -> int:
    """Delete the counters of windows that began before this moment; the caller commits."""
    result = session.execute(delete(RateCount).where(RateCount.since < before))
    return int(getattr(result, "rowcount", 0) or 0)

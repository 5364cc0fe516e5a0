"""Answers held aside: sent by a kiosk for a place it is not assigned to, released or rejected.

An editor or admin of the place's area decides, per kiosk and place. Released answers are
stored as if they had arrived from an assigned kiosk when they came (a wish still waits for
moderation); rejected ones lose their content. Either way the UUID stays, so a resend is
acknowledged and nothing comes back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kiosk.access.reach import Reach
from kiosk.collect.catalog import Catalog
from kiosk.core.errors import NotFoundError
from kiosk.models import Actor, AsideResponse, Device, Location, audit, utcnow
from kiosk.sync.ingest import ingest


@dataclass(frozen=True)
class AsideGroup:
    """What one kiosk sent for one place it is not assigned to, waiting for a decision."""

    device: Device
    location: Location
    count: int
    first_at: dt.datetime
    last_at: dt.datetime


def _waiting() -> Any:
    return AsideResponse.decision.is_(None)


def aside_overview(session: Session, reach: Reach) -> list[AsideGroup]:
    """Per kiosk and place within reach: how many answers wait aside, first and last arrival."""
    rows = session.execute(
        select(
            AsideResponse.device_id,
            AsideResponse.location_id,
            func.count(),
            func.min(AsideResponse.received_at),
            func.max(AsideResponse.received_at),
        )
        .join(Location, Location.id == AsideResponse.location_id)
        .where(_waiting(), reach.where_area(Location.area_id))
        .group_by(AsideResponse.device_id, AsideResponse.location_id)
        .order_by(AsideResponse.device_id, AsideResponse.location_id)
    ).all()
    return [
        AsideGroup(
            session.get_one(Device, device_id),
            session.get_one(Location, location_id),
            count,
            first_at,
            last_at,
        )
        for device_id, location_id, count, first_at, last_at in rows
    ]


def aside_count(session: Session, reach: Reach) -> int:
    """How many answers wait aside at places within reach."""
    return (
        session.scalar(
            select(func.count())
            .select_from(AsideResponse)
            .join(Location, Location.id == AsideResponse.location_id)
            .where(_waiting(), reach.where_area(Location.area_id))
        )
        or 0
    )


def _group(session: Session, device_id: int, location_id: int) -> list[AsideResponse]:
    rows = list(
        session.scalars(
            select(AsideResponse)
            .where(
                _waiting(),
                AsideResponse.device_id == device_id,
                AsideResponse.location_id == location_id,
            )
            .order_by(AsideResponse.id)
            # A release and a rejection at once: the second waits, then finds nothing left.
            .with_for_update()
        )
    )
    if not rows:
        raise NotFoundError()
    return rows


def release_aside(
    session: Session,
    catalog: Catalog,
    *,
    device_id: int,
    location_id: int,
    wish_max_chars: int,
    actor: Actor,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Store and count what a kiosk sent for a place, as it would have been when it came.

    Each batch as it arrived goes through the same checks again (a campaign ended meanwhile
    still took an answer given while it ran); what fails them is kept among the refused
    answers. Returns the verdicts counted; the caller commits.
    """
    rows = _group(session, device_id, location_id)
    device = session.get_one(Device, device_id)
    # By the place's id: its code may have changed since (and another place taken the old one).
    code = session.get_one(Location, location_id).code
    counts = {"stored": 0, "duplicate": 0, "conflict": 0, "rejected": 0}

    def batch(row: AsideResponse) -> tuple[dt.datetime, int | None]:
        return row.received_at, row.clock_offset_ms

    for (received_at, offset_ms), group in groupby(sorted(rows, key=_order), key=batch):
        held = list(group)
        verdicts = ingest(
            session,
            catalog,
            device,
            [{**(row.payload or {}), "location": code} for row in held],
            wish_max_chars=wish_max_chars,
            now=received_at,
            clock_offset=None if offset_ms is None else dt.timedelta(milliseconds=offset_ms),
            hold_aside=False,
        )
        for verdict in verdicts:
            counts[verdict.status] += 1
    _decide(session, [row.id for row in rows], "released", now or utcnow())
    audit(session, actor, "kiosk-release", device=device_id, location=location_id, **counts)
    return counts


def _order(row: AsideResponse) -> tuple[dt.datetime, int, int]:
    return row.received_at, row.clock_offset_ms or 0, row.id


def reject_aside(
    session: Session,
    *,
    device_id: int,
    location_id: int,
    actor: Actor,
    now: dt.datetime | None = None,
) -> int:
    """Refuse what a kiosk sent for a place: nothing is counted, the content is dropped."""
    rows = _group(session, device_id, location_id)
    _decide(session, [row.id for row in rows], "rejected", now or utcnow())
    audit(session, actor, "kiosk-reject", device=device_id, location=location_id, count=len(rows))
    return len(rows)


def _decide(session: Session, ids: list[int], decision: str, now: dt.datetime) -> None:
    for start in range(0, len(ids), 5000):
        session.execute(
            update(AsideResponse)
            .where(AsideResponse.id.in_(ids[start : start + 5000]), _waiting())
            .values(decision=decision, decided_at=now, payload=None)
            .execution_options(synchronize_session=False)
        )
    session.flush()

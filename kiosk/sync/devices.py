"""Kiosk devices: register, enrol with a one-time code, authenticate by token, revoke."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Select, case, exists, func, select, update
from sqlalchemy.orm import Session, selectinload

from kiosk.access.reach import Reach, require
from kiosk.core.errors import N_, KioskError, NotFoundError
from kiosk.models import (
    Actor,
    AsideResponse,
    Device,
    Location,
    RejectedResponse,
    Response,
    audit,
    device_place,
    utcnow,
)
from kiosk.safety.safeguards import recent_device_refusals

ENROLMENT_VALID = dt.timedelta(days=7)


class DeviceAuthError(KioskError):
    """A missing, unknown, expired or revoked code or token."""

    status = 401
    message = N_("This kiosk is not (or no longer) enrolled.")


def _digest(secret: str) -> str:
    # The secrets are 128-256 random bits, so a plain SHA-256 is enough; no slow hash needed.
    return hashlib.sha256(secret.encode()).hexdigest()


def register_device(
    session: Session, *, name: str, location_id: int, actor: Actor
) -> tuple[Device, str]:
    """Add a kiosk for a location; return it with its one-time enrolment code (shown once)."""
    location = session.get(Location, location_id)
    if location is None:
        raise NotFoundError()
    device = Device(name=name.strip()[:200] or "Kiosk", location_id=location_id, places=[location])
    session.add(device)
    code = _start_enrolment(session, device, utcnow())
    audit(session, actor, "kiosk-register", device=device.id)
    return device, code


def enrolment_code() -> str:
    """A one-time code that never starts with "-" (a command line would read it as an option)."""
    while (code := secrets.token_urlsafe(16)).startswith("-"):
        pass
    return code


def new_enrolment(
    session: Session, device: Device, *, actor: Actor, now: dt.datetime | None = None
) -> str:
    """Start a re-enrolment: a fresh one-time code; any token the device had stops working."""
    code = _start_enrolment(session, device, now or utcnow())
    audit(session, actor, "kiosk-reenrol", device=device.id)
    return code


def _start_enrolment(session: Session, device: Device, now: dt.datetime) -> str:
    code = enrolment_code()
    device.enrolment_hash = _digest(code)
    device.enrolment_expires_at = now + ENROLMENT_VALID
    device.token_hash = None
    device.revoked_at = None
    session.flush()
    return code


def enrol(session: Session, code: str, *, now: dt.datetime | None = None) -> tuple[Device, str]:
    """Trade a valid enrolment code for the device's token (returned once, stored hashed)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    # One statement takes the code and sets the token, so a code redeemed twice at once
    # enrols once: the second finds no row.
    device_id = session.execute(
        update(Device)
        .where(Device.enrolment_hash == _digest(code), Device.enrolment_expires_at >= now)
        .values(
            token_hash=_digest(token),
            enrolment_hash=None,
            enrolment_expires_at=None,
            enrolled_at=now,
        )
        .returning(Device.id)
        .execution_options(synchronize_session=False)
    ).scalar()
    if device_id is None:
        raise DeviceAuthError(N_("This enrolment code is unknown or has expired."))
    device = session.get_one(Device, device_id, populate_existing=True)
    return device, token


def authenticate_device(session: Session, token: str) -> Device:
    """The enrolled, unrevoked device with this token, or DeviceAuthError."""
    if not token:
        raise DeviceAuthError()
    device = session.scalar(select(Device).where(Device.token_hash == _digest(token)))
    if device is None or device.revoked_at is not None:
        raise DeviceAuthError()
    return device


def revoke(
    session: Session, device: Device, *, actor: Actor, now: dt.datetime | None = None
) -> None:
    """Stop a device's token from working; what it collected stays wherever it is."""
    device.revoked_at = now or utcnow()
    device.token_hash = None
    device.enrolment_hash = None
    audit(session, actor, "kiosk-revoke", device=device.id)
    session.flush()


def assign_places(
    session: Session, device: Device, location_ids: set[int], *, reach: Reach, actor: Actor
) -> None:
    """Set the places a kiosk serves among those within reach; the others stay as they are.

    A place outside reach among those chosen refuses the whole change (OutOfReachError).
    Its own place always stays one of them. The kiosk gets their configuration at its next
    sync, and its answers for them count from now on. The caller commits.
    """
    chosen = set(session.scalars(select(Location).where(Location.id.in_(sorted(location_ids)))))
    require(all(reach.covers_area(p.area_id) for p in chosen))  # another area's: 403
    kept = [p for p in device.places if not reach.covers_area(p.area_id)]
    wanted = chosen | set(kept) | {device.location}
    before = {p.id for p in device.places}
    device.places = sorted(wanted, key=lambda p: p.code)
    session.flush()
    after = {p.id for p in wanted}
    if after != before:
        audit(
            session,
            actor,
            "kiosk-places",
            device=device.id,
            added=sorted(after - before),
            removed=sorted(before - after),
        )


def note_contact(
    device: Device,
    *,
    now: dt.datetime,
    device_clock: dt.datetime | None = None,
    captured: int | None = None,
    unsent: int | None = None,
) -> None:
    """Remember the device's last contact, its clock offset and what it says it holds."""
    device.last_seen_at = now
    if device_clock is not None:
        # A Pi without a battery clock may be off by years: keep it within the column.
        offset = round((device_clock - now).total_seconds() * 1000)
        device.clock_offset_ms = max(-(2**31) + 1, min(2**31 - 1, offset))
    if captured is not None:
        device.reported_captured = captured
    if unsent is not None:
        device.reported_unsent = unsent


@dataclass(frozen=True)
class KioskStatus:
    """One kiosk as staff see it: contact, clock, and whether the answers add up."""

    device: Device
    received: int  # responses central holds from it
    held: int  # what central kept aside (conflicts, rejects)
    aside: int  # answers for places it is not assigned to, waiting for a person
    aside_arrived: int  # ... waiting or rejected: they reached central, but are not received
    silent: bool  # not heard from for longer than allowed (or never)
    elsewhere: int  # answers it sent for other places than its own: worth a look
    refused: int  # answers its cooldown turned away today or yesterday (as it reported)

    @property
    def gap(self) -> int | None:
        """Answers the node has taken that central has not received (None: not reported).

        Answers kept aside for a release have arrived: the node forgot them.
        """
        if self.device.reported_captured is None:
            return None
        return self.device.reported_captured - self.received - self.aside_arrived


def kiosk_overview(
    session: Session,
    *,
    now: dt.datetime,
    silent_after: dt.timedelta,
    places: Select[int] | None = None,
) -> list[KioskStatus]:
    """Every kiosk (at these places, if given) with its reconciliation, newest first."""
    received = dict(
        session.execute(
            select(Response.device_id, func.count())
            .where(Response.device_id.is_not(None))
            .group_by(Response.device_id)
        ).all()
    )
    held = dict(
        session.execute(
            select(RejectedResponse.device_id, func.count()).group_by(RejectedResponse.device_id)
        ).all()
    )
    waiting = AsideResponse.decision.is_(None)
    aside = {
        device_id: (waits, arrived)
        for device_id, waits, arrived in session.execute(
            select(
                AsideResponse.device_id,
                func.count(case((waiting, 1))),
                # Released ones are among the received: the rest arrived too.
                func.count(case((AsideResponse.decision.is_distinct_from("released"), 1))),
            ).group_by(AsideResponse.device_id)
        )
    }
    assigned = exists().where(
        device_place.c.device_id == Response.device_id,
        device_place.c.location_id == Response.location_id,
    )
    elsewhere = dict(
        session.execute(
            select(Response.device_id, func.count())
            .where(Response.device_id.is_not(None), ~assigned)
            .group_by(Response.device_id)
        ).all()
    )
    refused = recent_device_refusals(session, today=now.date())
    query = (
        select(Device)
        .options(selectinload(Device.location), selectinload(Device.places))
        .order_by(Device.id.desc())
    )
    if places is not None:
        query = query.where(Device.location_id.in_(places))
    devices = session.scalars(query)
    return [
        KioskStatus(
            device,
            received.get(device.id, 0),
            held.get(device.id, 0),
            *aside.get(device.id, (0, 0)),
            device.revoked_at is None
            and (device.last_seen_at is None or now - device.last_seen_at > silent_after),
            elsewhere.get(device.id, 0),
            refused.get(device.id, 0),
        )
        for device in devices
    ]

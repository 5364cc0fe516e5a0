"""Kiosk devices, which forward their answers to central, and what central refused of them."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk.models.base import Base, bigintpk, intpk, name_str, utcnow
from kiosk.models.place import Location

device_place = Table(
    "device_place",
    Base.metadata,
    Column("device_id", ForeignKey("device.id", ondelete="CASCADE"), primary_key=True),
    Column("location_id", ForeignKey("location.id"), primary_key=True, index=True),
)
"""The places a kiosk is assigned to: it gets their configuration, and its answers for them count.

Its own place (Device.location_id, where it was registered) is always one of them.
"""


class Device(Base):
    """A kiosk node. Central keeps only hashes of its enrolment code and of its token."""

    __tablename__ = "device"

    id: Mapped[intpk]
    name: Mapped[name_str]
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    enrolment_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    enrolment_expires_at: Mapped[dt.datetime | None]
    enrolled_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    last_seen_at: Mapped[dt.datetime | None]
    clock_offset_ms: Mapped[int | None]  # the node's clock minus ours, at its last contact
    # What the node reported at its last contact: answers it has taken, and not yet sent.
    reported_captured: Mapped[int | None]
    reported_unsent: Mapped[int | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    location: Mapped[Location] = relationship()
    places: Mapped[list[Location]] = relationship(secondary=device_place, order_by=Location.code)


class AsideResponse(Base):
    """An answer a kiosk sent for a place it is not assigned to: kept aside, not counted.

    An editor or admin of that place's area releases it (it is stored and counted as if it
    had come from an assigned kiosk; a wish still waits for moderation) or rejects it. A
    decided row keeps its UUID, so a resend is acknowledged again and nothing comes back,
    but no longer its content.
    """

    __tablename__ = "aside_response"

    id: Mapped[bigintpk]
    uuid: Mapped[UUID] = mapped_column(unique=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    payload: Mapped[dict[str, object] | None] = mapped_column(JSON)
    clock_offset_ms: Mapped[int | None]  # the device's clock minus central's, as it arrived
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decision: Mapped[str | None] = mapped_column(String(16))  # released | rejected
    decided_at: Mapped[dt.datetime | None]


class RejectedResponse(Base):
    """A response central did not store, kept as it came for a person to look at.

    A "conflict" is a UUID that central holds already with other content: the first one stays
    counted, this one waits here.
    """

    __tablename__ = "rejected_response"

    id: Mapped[bigintpk]
    uuid: Mapped[str] = mapped_column(String(64), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"))
    reason: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class KioskPace(Base):
    """When a kiosk last counted an answer to a question: its cooldown reads and moves this.

    A shared kiosk takes many people's answers, so "one vote per device" is wrong there;
    instead a question counts at most one answer per cooldown at each kiosk place.
    """

    __tablename__ = "kiosk_pace"

    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), primary_key=True)
    last_at: Mapped[dt.datetime]

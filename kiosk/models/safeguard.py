"""What the safeguards against ballot stuffing keep: one answer per phone, refusals counted."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.models.base import Base


class QrBallot(Base):
    """A phone has answered this question (QR pages): its primary key allows one.

    The voter is a keyed hash of the phone's anonymous cookie and the question: without the
    server's secret it names no cookie, and one phone's rows for two questions do not match.
    """

    __tablename__ = "qr_ballot"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), primary_key=True
    )
    voter: Mapped[str] = mapped_column(String(32), primary_key=True)


class RefusalCount(Base):
    """How many answers a safeguard turned away at a place on a day (for staff to see)."""

    __tablename__ = "refusal_count"

    location_id: Mapped[int] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), primary_key=True
    )
    safeguard: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class RateCount(Base):
    """How many requests of a kind one client sent in a time window (rate limits).

    The client is a keyed hash of its network address and the day: the address itself is
    never stored, and without the server's secret a row names no address. Rows of past
    windows are deleted as new windows begin.
    """

    __tablename__ = "rate_count"

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    client: Mapped[str] = mapped_column(String(32), primary_key=True)
    since: Mapped[dt.datetime] = mapped_column(primary_key=True, index=True)
    count: Mapped[int] = mapped_column(default=0)


class DeviceRefusal(Base):
    """How many answers a kiosk node's cooldown turned away on a day, as the node reports.

    The node counts its own refusals (RefusalCount, on the node) and sends its latest days
    with each sync; central keeps what it said last, per kiosk and day.
    """

    __tablename__ = "device_refusal"

    device_id: Mapped[int] = mapped_column(
        ForeignKey("device.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(default=0)

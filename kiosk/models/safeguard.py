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

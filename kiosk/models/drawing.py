"""Children's drawings: a picture in the media folder, its short number, its moderation."""

from __future__ import annotations

import datetime as dt
import enum
from uuid import UUID

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.models.base import Base, checked_enum, intpk


class AgeGroup(enum.StrEnum):
    """The child's age group: the only thing kept of who drew it."""

    UP_TO_5 = "0-5"
    SIX_TO_9 = "6-9"
    TEN_TO_13 = "10-13"
    FOURTEEN_TO_18 = "14-18"


class DrawingSource(enum.StrEnum):
    """How a drawing came in."""

    KIOSK = "kiosk"  # drawn on a kiosk's canvas
    PAPER = "paper"  # a paper drawing photographed and uploaded by staff


class PictureState(enum.StrEnum):
    """Where a picture stands in moderation: nothing is public before approval."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class RejectReason(enum.StrEnum):
    """Why a moderator turned a picture away."""

    FACE_OR_NAME = "face_or_name"  # it shows a face or a name: never public
    NOT_A_DRAWING = "not_a_drawing"
    OTHER = "other"


class Drawing(Base):
    """A drawing for a campaign at a place; the picture itself lies in the media folder.

    The number is short and per campaign: shown when it is saved and written on the paper
    original, so organisers can tell winners apart without any name being kept.
    """

    __tablename__ = "drawing"
    __table_args__ = (UniqueConstraint("campaign_id", "number", name="uq_drawing_number"),)

    id: Mapped[intpk]
    uuid: Mapped[UUID] = mapped_column(unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    number: Mapped[int]
    media_key: Mapped[str] = mapped_column(String(80))  # kiosk.pictures.store: <sha256>.<ext>
    width: Mapped[int]
    height: Mapped[int]
    age_group: Mapped[AgeGroup | None] = mapped_column(
        checked_enum(AgeGroup, name="age_group", length=8)
    )
    source: Mapped[DrawingSource] = mapped_column(
        checked_enum(DrawingSource, name="source", length=8)
    )
    state: Mapped[PictureState] = mapped_column(
        checked_enum(PictureState, name="state", length=12),
        default=PictureState.PENDING,
        server_default=PictureState.PENDING.value,
        index=True,
    )
    reason: Mapped[RejectReason | None] = mapped_column(
        checked_enum(RejectReason, name="reason", length=16)
    )
    received_at: Mapped[dt.datetime]
    moderated_at: Mapped[dt.datetime | None]

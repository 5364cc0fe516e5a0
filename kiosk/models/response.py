"""Responses (one answer each, identified by a UUID) and the counters tallies read."""

from __future__ import annotations

import datetime as dt
import enum
from uuid import UUID

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.models.base import (
    Base,
    BigIntPK,
    UTCDateTime,
    bigintpk,
    checked_enum,
    intpk,
    utcnow,
)


class Channel(enum.StrEnum):
    """How a response reached us."""

    KIOSK = "kiosk"
    QR = "qr"
    WEB = "web"
    PAPER = "paper"  # counts typed in from a paper tally sheet: in the counters, no responses


CHANNELS = tuple(channel.value for channel in Channel)
# The channels a single response comes through (paper comes only as counts).
RESPONSE_CHANNELS = tuple(channel.value for channel in Channel if channel != Channel.PAPER)


class WishState(enum.StrEnum):
    """Moderation state of a wish; nothing is deleted, rejection hides."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


PUBLIC_WISH = "text IS NOT NULL AND wish_state = 'approved' AND wish_mark IS NULL"
"""SQL true of a wish the public may read: approved by a moderator and not marked.

Written out literally in the queries that read such wishes, so that the databases can use
the partial indexes made with it (a bound parameter would not prove the state)."""


class Response(Base):
    """One person's answer to one question at one location."""

    __tablename__ = "response"
    __table_args__ = (
        # A wish has its text and its state (a redacted one: "" and rejected); an answer
        # that is no wish has neither.
        CheckConstraint(
            "(text IS NULL AND wish_state IS NULL)"
            " OR (text IS NOT NULL AND wish_state IS NOT NULL)",
            name="wish_text_and_state",
        ),
        # Raw exports of one location stream in id order without a sort.
        Index("ix_response_location_id_id", "location_id", "id"),
        Index("ix_response_device_id", "device_id"),
        # A visit's answers (to a question), for the cross-tab counters' triggers (0018).
        Index("ix_response_visit_id_question_id", "visit_id", "question_id"),
        # Wishes are few among many votes: partial indexes find the newest without a scan.
        Index(
            "ix_response_wish_location",
            "location_id",
            "id",
            sqlite_where=sql_text("text IS NOT NULL"),
            postgresql_where=sql_text("text IS NOT NULL"),
        ),
        # The moderation queue: wishes by state, newest first.
        Index(
            "ix_response_wish_state",
            "wish_state",
            "id",
            sqlite_where=sql_text("text IS NOT NULL"),
            postgresql_where=sql_text("text IS NOT NULL"),
        ),
        Index(
            "ix_response_wish_campaign",
            "campaign_id",
            "id",
            sqlite_where=sql_text("text IS NOT NULL"),
            postgresql_where=sql_text("text IS NOT NULL"),
        ),
        # The wishes the public may read (approved, unmarked), newest first: a wall and a
        # kiosk's loop find them without walking a moderation backlog (migration 0019).
        Index(
            "ix_response_public_wish_location",
            "location_id",
            "id",
            sqlite_where=sql_text(PUBLIC_WISH),
            postgresql_where=sql_text(PUBLIC_WISH),
        ),
        Index(
            "ix_response_public_wish_campaign",
            "campaign_id",
            "id",
            sqlite_where=sql_text(PUBLIC_WISH),
            postgresql_where=sql_text(PUBLIC_WISH),
        ),
    )

    id: Mapped[bigintpk]
    # Made where the answer was given (kiosk node or central); its identity everywhere.
    uuid: Mapped[UUID] = mapped_column(unique=True)
    visit_id: Mapped[UUID | None]  # groups one person's answers
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    channel: Mapped[str] = mapped_column(checked_enum(RESPONSE_CHANNELS, name="channel", length=8))
    source: Mapped[str | None] = mapped_column(String(64))  # the poster it came from
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"))  # a kiosk node
    value: Mapped[int | None]  # the point on a scale
    text: Mapped[str | None] = mapped_column(Text)  # a wish
    wish_state: Mapped[WishState | None] = mapped_column(
        checked_enum(WishState, name="wish_state", length=16)
    )
    wish_mark: Mapped[str | None] = mapped_column(String(32))  # e.g. personal data: never public
    client_at: Mapped[dt.datetime | None]  # the answering device's clock, as it said
    received_at: Mapped[dt.datetime]  # our own clock
    # When it was answered, as best we know: the device's clock corrected by its offset
    # (kiosk.sync.ingest); set on every row.
    answered_at: Mapped[dt.datetime]


class ResponseOption(Base):
    """An option picked in a response (one for single choice and scale, several for multi)."""

    __tablename__ = "response_option"

    response_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    option_id: Mapped[int] = mapped_column(ForeignKey("option.id"), primary_key=True)


class OptionCount(Base):
    """How often an option was picked at a location through a channel.

    Kept by a database trigger in the transaction that inserts the response (migration
    0003), so that a tally reads a few counter rows instead of scanning millions of responses.
    Responses are never deleted; whatever comes to delete them needs a decrementing trigger.
    """

    __tablename__ = "option_count"
    __table_args__ = (Index("ix_option_count_question_id", "question_id"),)

    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), primary_key=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("option.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    count: Mapped[int] = mapped_column(default=0)


class AnswerCount(Base):
    """How many responses a question got at a location through a channel (share denominators)."""

    __tablename__ = "answer_count"
    __table_args__ = (Index("ix_answer_count_question_id", "question_id"),)

    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class HourCount(Base):
    """How many responses a campaign got at a location in each UTC hour (by answered_at).

    Kept by a database trigger like the other counters (migration 0017), so the charts over
    time read a row per hour instead of grouping millions of responses. Paper sheets have no
    hours and are not in it.
    """

    __tablename__ = "hour_count"
    __table_args__ = (Index("ix_hour_count_campaign_id_hour", "campaign_id", "hour"),)

    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), primary_key=True)
    hour: Mapped[dt.datetime] = mapped_column(UTCDateTime(), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class PosterCount(Base):
    """How many responses came through each labelled poster, per place and campaign.

    Kept by a database trigger like the other counters (migration 0017).
    """

    __tablename__ = "poster_count"

    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), primary_key=True)
    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class CrossCount(Base):
    """Answers and picks of a campaign's questions per group of its demographic question.

    group_id is the option the person's visit chose on the demographic question (its latest
    answer there), or 0: not stated (no visit, or the visit did not answer it). option_id is
    the picked option, or 0 for the answer itself (a question's answers per group). Kept by
    database triggers like the other counters (migration 0018); when staff mark another
    question as the demographic one, kiosk.models.counters.recount_cross counts the campaign
    afresh. Paper sheets have no visits and are not in it.
    """

    __tablename__ = "cross_count"
    __table_args__ = (Index("ix_cross_count_campaign_id", "campaign_id"),)

    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), primary_key=True)
    option_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    group_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    count: Mapped[int] = mapped_column(default=0)


class Outbox(Base):
    """On a kiosk node: a response central has not acknowledged yet.

    The row goes in with the response, in one transaction, and goes away only when central
    has acknowledged that UUID. A response central refused stays, with the reason, for a
    person to look at; it is not sent again.
    """

    __tablename__ = "outbox"

    response_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    held_reason: Mapped[str | None] = mapped_column(Text)


class SharedWish(Base):
    """On a kiosk node: a wish approved at central, for the kiosk's attract loop.

    Central moderates; its configuration document carries the newest approved wishes of
    each place, and the node replaces these rows with them. Central itself reads approved
    wishes from the responses and leaves this table empty.
    """

    __tablename__ = "shared_wish"

    uuid: Mapped[UUID] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    text: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime]


class PaperTally(Base):
    """Counts of one question at one place, typed in from a paper tally sheet.

    They go straight into the counters (channel "paper"), as there are no single responses
    behind them; withdrawing the sheet takes them out again. Nothing is deleted.
    """

    __tablename__ = "paper_tally"

    id: Mapped[intpk]
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    counts: Mapped[dict[str, int]] = mapped_column(JSON)  # option id (as text) → count
    answers: Mapped[int]  # people who answered on paper
    note: Mapped[str | None] = mapped_column(String(200))
    entered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    withdrawn_at: Mapped[dt.datetime | None]

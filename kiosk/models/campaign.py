"""Campaigns, the questions they ask and the options people pick."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
    false,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk.models.base import Base, Texts, UTCDateTime, checked_enum, intpk, name_str
from kiosk.models.place import Location


class QuestionKind(enum.StrEnum):
    """What kind of answer a question takes."""

    SINGLE = "single"  # one option
    MULTI = "multi"  # up to max_choices options
    SCALE = "scale"  # a smiley or rating scale; each point is an option with a value
    WISH = "wish"  # a short free text
    # One option, picked on a wheel of pictograms: spun or tapped (a "Bewegungsrad"). It is
    # counted as a single choice; only the screens and the chart (a wheel) differ.
    WHEEL = "wheel"

    @property
    def one_choice(self) -> bool:
        """Whether a person picks exactly one option (a single choice or a wheel)."""
        return self in (QuestionKind.SINGLE, QuestionKind.WHEEL)


class CampaignFormat(enum.StrEnum):
    """What kind of event or occasion a campaign is (a template gives one; staff may change it).

    A climate walk's places are stations in an order; an event's documentation says what
    the event was by its format.
    """

    POP_UP = "pop_up"  # a pop-up stand on a square
    COOKING = "cooking"  # a cooking event ("Stadtteilpizza")
    MOVEMENT = "movement"  # a movement event with a wheel ("Bewegungsrad")
    CLIMATE_WALK = "climate_walk"  # a walk along ordered stations
    DRAWING_CONTEST = "drawing_contest"
    ASSEMBLY = "assembly"  # a residents' assembly
    POSTER = "poster"  # posters only: QR codes on squares, no event
    OTHER = "other"


class ResultsShown(enum.StrEnum):
    """When the public may see a question's results (thank-you screen, attract loop)."""

    LIVE = "live"  # as the answers come in
    AFTER_CLOSE = "after_close"  # only once the campaign has ended


campaign_location = Table(
    "campaign_location",
    Base.metadata,
    Column("campaign_id", ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True),
    Column("location_id", ForeignKey("location.id", ondelete="CASCADE"), primary_key=True),
    # Staff pinned this campaign at this place: it shows there while it is open, whatever
    # else runs there (kiosk.collect.catalog.shown_campaign). The pin lives on the link, so it
    # goes with it when the campaign leaves the place; one per place at most.
    Column("pinned", Boolean, nullable=False, server_default=false()),
    # On a route (a climate walk): the station's number (1, 2, …) and what is shown there.
    # Other campaigns leave both empty; their places sort by name.
    Column("position", Integer),
    Column("note", String(300)),
    Index(
        "uq_campaign_location_pinned",
        "location_id",
        unique=True,
        sqlite_where=sql_text("pinned"),
        postgresql_where=sql_text("pinned"),
    ),
)


def station_order(position: int | None, name: str, location_id: int) -> tuple[bool, int, str, int]:
    """How a route's places sort: numbered stations by number first, then the rest by name."""
    return (position is None, position or 0, name.casefold(), location_id)


class Campaign(Base):
    """A set of questions asked at some locations for some time."""

    __tablename__ = "campaign"
    # Either end may be open (NULL); where both are set, the start comes first.
    __table_args__ = (
        CheckConstraint(
            "starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at", name="starts_before_end"
        ),
    )

    id: Mapped[intpk]
    title: Mapped[name_str]
    intro: Mapped[Texts] = mapped_column(default=dict)
    starts_at: Mapped[dt.datetime | None]
    ends_at: Mapped[dt.datetime | None]
    format: Mapped[CampaignFormat] = mapped_column(
        checked_enum(CampaignFormat, name="format", length=24),
        default=CampaignFormat.POP_UP,
        server_default=CampaignFormat.POP_UP.value,
    )

    questions: Mapped[list[Question]] = relationship(
        back_populates="campaign", order_by="Question.position"
    )
    locations: Mapped[list[Location]] = relationship(
        secondary=campaign_location, order_by="Location.name"
    )


class Question(Base):
    """One question of a campaign, shown on its own screen."""

    __tablename__ = "question"
    __table_args__ = (
        UniqueConstraint("campaign_id", "position", name="uq_question_position"),
        # At most one demographic question per campaign.
        Index(
            "uq_question_demographic",
            "campaign_id",
            unique=True,
            sqlite_where=sql_text("demographic"),
            postgresql_where=sql_text("demographic"),
        ),
    )

    id: Mapped[intpk]
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    position: Mapped[int]
    kind: Mapped[QuestionKind] = mapped_column(checked_enum(QuestionKind, name="kind", length=16))
    texts: Mapped[Texts]
    max_choices: Mapped[int | None]
    results_shown: Mapped[ResultsShown] = mapped_column(
        checked_enum(ResultsShown, name="results_shown", length=16),
        default=ResultsShown.LIVE,
        server_default=ResultsShown.LIVE.value,
    )

    # The campaign's question about who answers (e.g. age group): results compare by it.
    demographic: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A question asked at one station of a route only (None: at every place of the campaign).
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"), index=True)

    campaign: Mapped[Campaign] = relationship(back_populates="questions")
    options: Mapped[list[Option]] = relationship(
        back_populates="question", order_by="Option.position"
    )


class Option(Base):
    """An answer to pick, with a pictogram so that it reads without words."""

    __tablename__ = "option"
    __table_args__ = (UniqueConstraint("question_id", "position", name="uq_option_position"),)

    id: Mapped[intpk]
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    position: Mapped[int]
    texts: Mapped[Texts]
    emoji: Mapped[str] = mapped_column(String(16), default="")
    colour: Mapped[str] = mapped_column(String(7), default="#4a7c59")
    value: Mapped[int | None]  # the point on a scale question
    hidden: Mapped[bool] = mapped_column(default=False)

    question: Mapped[Question] = relationship(back_populates="options")


OPTION_FIELDS = ("position", "texts", "emoji", "colour", "value", "hidden")
"""What an option carries wherever it goes: the catalog, the configuration a kiosk node
gets, a campaign's copy. A new column of Option goes here (a test holds them equal)."""


def option_fields(option: Any) -> dict[str, Any]:
    """The OPTION_FIELDS of an option (a row, a snapshot or a mapping), texts as a new dict."""
    if isinstance(option, dict):
        fields = {name: option[name] for name in OPTION_FIELDS}
    else:
        fields = {name: getattr(option, name) for name in OPTION_FIELDS}
    fields["texts"] = dict(fields["texts"])
    return fields


class PosterLogo(Base):
    """The organiser's logo a campaign's posters carry in the middle of their code."""

    __tablename__ = "poster_logo"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )
    png: Mapped[bytes] = mapped_column(LargeBinary)  # checked and shrunk by kiosk.printing.logos
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class CatalogRevision(Base):
    """One row counting changes to the configuration, so workers know when to reload it."""

    __tablename__ = "catalog_revision"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(default=0)

"""Tallies per location, area or campaign, read from counters instead of the responses."""

from __future__ import annotations

import datetime as dt
import enum
import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from kiosk.core.errors import N_, NotFoundError
from kiosk.models import (
    CHANNELS,
    AnswerCount,
    Area,
    Campaign,
    CampaignFormat,
    CrossCount,
    HourCount,
    Location,
    Option,
    OptionCount,
    PosterCount,
    Question,
    QuestionKind,
    Response,
    WishState,
    campaign_location,
    station_order,
)
from kiosk.models.response import PUBLIC_WISH

CHANNEL_WORDS = {
    "kiosk": N_("Kiosk"),
    "qr": N_("Phone (QR code or link)"),
    # No door writes it (the phone pages count as "qr"); a value the first schema allowed.
    "web": N_("Web (not in use)"),
    "paper": N_("Paper tally sheet"),
}
"""What each channel is, for people: how an answer reached us (translated where shown)."""


class ScopeKind(enum.StrEnum):
    """What a tally or an export covers."""

    LOCATION = "location"
    AREA = "area"
    CAMPAIGN = "campaign"


@dataclass(frozen=True)
class Scope:
    """A location, an area or a campaign, loaded, with a name people recognise."""

    kind: ScopeKind
    id: int
    name: str
    slug: str  # for file names


def load_scope(session: Session, kind: str, scope_id: int) -> Scope:
    """Load the thing a tally is about, or raise NotFoundError."""
    try:
        scope_kind = ScopeKind(kind)
    except ValueError:
        raise NotFoundError() from None
    if scope_kind == ScopeKind.LOCATION:
        location = session.get(Location, scope_id)
        if location is not None:
            return Scope(scope_kind, location.id, location.name, location.code)
    elif scope_kind == ScopeKind.AREA:
        area = session.get(Area, scope_id)
        if area is not None:
            return Scope(scope_kind, area.id, area.name, f"area-{area.id}")
    else:
        campaign = session.get(Campaign, scope_id)
        if campaign is not None:
            return Scope(scope_kind, campaign.id, campaign.title, f"campaign-{campaign.id}")
    raise NotFoundError()


@dataclass
class OptionTally:
    """Counts of one option, per channel."""

    option: Option
    by_channel: dict[str, int]
    total: int
    share: float  # of the people who answered the question; multi-choice shares add up past 1


@dataclass
class QuestionTally:
    """Counts of one question: how many answered, and what they picked."""

    question: Question
    answers_by_channel: dict[str, int]
    answers: int
    options: list[OptionTally] = field(default_factory=list)

    @property
    def mean(self) -> float | None:
        """The mean point of a scale question, or None."""
        if self.question.kind != QuestionKind.SCALE:
            return None
        weighted = [(o.option.value or 0, o.total) for o in self.options]
        picked = sum(total for _, total in weighted)
        return sum(v * t for v, t in weighted) / picked if picked else None


@dataclass
class CampaignTally:
    """The tally of one campaign within a scope."""

    campaign: Campaign
    questions: list[QuestionTally]

    @property
    def answers(self) -> int:
        """Answers given to all questions of the campaign in this scope."""
        return sum(q.answers for q in self.questions)


Counter = (
    type[OptionCount] | type[AnswerCount] | type[HourCount] | type[PosterCount] | type[CrossCount]
)


def counted_in(model: Counter, scope: Scope) -> ColumnElement[bool]:
    """The WHERE clause that limits counter rows (kept per place) to the scope."""
    if scope.kind == ScopeKind.LOCATION:
        return model.location_id == scope.id
    if scope.kind == ScopeKind.AREA:
        return model.location_id.in_(select(Location.id).where(Location.area_id == scope.id))
    if model is OptionCount or model is AnswerCount:  # kept per question
        questions = select(Question.id).where(Question.campaign_id == scope.id)
        return model.question_id.in_(questions)
    return model.campaign_id == scope.id  # type: ignore[union-attr]


def responses_in(scope: Scope) -> ColumnElement[bool]:
    """The WHERE clause that limits single responses to the scope."""
    if scope.kind == ScopeKind.LOCATION:
        return Response.location_id == scope.id
    if scope.kind == ScopeKind.AREA:
        return Response.location_id.in_(select(Location.id).where(Location.area_id == scope.id))
    return Response.campaign_id == scope.id


def _campaigns_in(session: Session, scope: Scope, question_ids: set[int]) -> list[Campaign]:
    """Campaigns that run in the scope or have answers there, with questions and options."""
    query = select(Campaign).options(
        selectinload(Campaign.questions).selectinload(Question.options)
    )
    if scope.kind == ScopeKind.CAMPAIGN:
        query = query.where(Campaign.id == scope.id)
    else:
        locations = (
            [scope.id]
            if scope.kind == ScopeKind.LOCATION
            else select(Location.id).where(Location.area_id == scope.id)
        )
        running = select(campaign_location.c.campaign_id).where(
            campaign_location.c.location_id.in_(locations)
        )
        answered = select(Question.campaign_id).where(Question.id.in_(question_ids or [-1]))
        query = query.where(Campaign.id.in_(running) | Campaign.id.in_(answered))
    return list(
        session.scalars(query.order_by(Campaign.starts_at.desc().nulls_last(), Campaign.id))
    )


def _summed(
    session: Session,
    model: type[OptionCount] | type[AnswerCount],
    key: InstrumentedAttribute[int],
    scope: Scope,
) -> dict[int, dict[str, int]]:
    """Counter rows in the scope, summed over places: {option or question id: {channel: n}}."""
    query = (
        select(key, model.channel, func.sum(model.count))
        .where(counted_in(model, scope))
        .group_by(key, model.channel)
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for ident, channel, count in session.execute(query):
        counts[ident][channel] = int(count)
    return counts


def tally(session: Session, scope: Scope) -> list[CampaignTally]:
    """Count answers per question and option, per channel, for everything in the scope."""
    option_counts = _summed(session, OptionCount, OptionCount.option_id, scope)
    answer_counts = _summed(session, AnswerCount, AnswerCount.question_id, scope)
    campaigns = _campaigns_in(session, scope, set(answer_counts))
    return _tallied(campaigns, option_counts, answer_counts)


def _tallied(
    campaigns: list[Campaign],
    option_counts: dict[int, dict[str, int]],
    answer_counts: dict[int, dict[str, int]],
) -> list[CampaignTally]:
    """The campaigns' tallies from counts by option and by question: {id: {channel: n}}."""
    result = []
    for campaign in campaigns:
        questions = []
        for question in campaign.questions:
            answered = answer_counts.get(question.id, {})
            by_channel = {c: answered.get(c, 0) for c in CHANNELS}
            answers = sum(by_channel.values())
            q_tally = QuestionTally(question, by_channel, answers)
            for option in question.options:
                picked = option_counts.get(option.id, {})
                counts = {c: picked.get(c, 0) for c in CHANNELS}
                total = sum(counts.values())
                share = total / answers if answers else 0.0
                q_tally.options.append(OptionTally(option, counts, total, share))
            questions.append(q_tally)
        result.append(CampaignTally(campaign, questions))
    return result


@dataclass
class PlaceTally:
    """The tally of one place within a scope (of the scope's campaigns that concern it)."""

    location: Location
    campaigns: list[CampaignTally]


def _per_place(
    session: Session,
    model: type[OptionCount] | type[AnswerCount],
    key: InstrumentedAttribute[int],
    scope: Scope,
) -> dict[int, dict[int, dict[str, int]]]:
    """Counter rows in the scope by place: {place id: {option or question id: {channel: n}}}."""
    query = (
        select(model.location_id, key, model.channel, func.sum(model.count))
        .where(counted_in(model, scope))
        .group_by(model.location_id, key, model.channel)
    )
    counts: dict[int, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for place, ident, channel, count in session.execute(query):
        counts[place][ident][channel] = int(count)
    return counts


def tally_per_place(
    session: Session, scope: Scope, campaigns: list[Campaign] | None = None
) -> list[PlaceTally]:
    """Each place of the scope with its own tally, places by name (case folded).

    A place belongs to the scope as it does to a tally: a place of the area, or a place the
    campaign runs at or has answers from. Each place counts the scope's campaigns that run
    there or have answers from there. campaigns: the scope's, when the caller has them
    (from tally), else read again.
    """
    option_counts = _per_place(session, OptionCount, OptionCount.option_id, scope)
    answer_counts = _per_place(session, AnswerCount, AnswerCount.question_id, scope)
    answered = {  # place id: the questions with answers there
        place: {q for q, channels in questions.items() if any(channels.values())}
        for place, questions in answer_counts.items()
    }
    if campaigns is None:
        questions = {q for found in answered.values() for q in found}
        campaigns = _campaigns_in(session, scope, questions)
    running: dict[int, set[int]] = defaultdict(set)  # campaign id: its places
    for campaign_id, location_id in session.execute(
        select(campaign_location.c.campaign_id, campaign_location.c.location_id).where(
            campaign_location.c.campaign_id.in_([c.id for c in campaigns])
        )
    ):
        running[campaign_id].add(location_id)

    if scope.kind == ScopeKind.LOCATION:
        wanted = select(Location).where(Location.id == scope.id)
    elif scope.kind == ScopeKind.AREA:
        wanted = select(Location).where(Location.area_id == scope.id)
    else:
        ids = running[scope.id] | {p for p, found in answered.items() if found}
        wanted = select(Location).where(Location.id.in_(ids))
    result = []
    # By name as people read it, alike on both databases (their collations differ).
    found = sorted(session.scalars(wanted), key=lambda place: (place.name.casefold(), place.id))
    route = next(
        (c for c in campaigns if c.id == scope.id and c.format == CampaignFormat.CLIMATE_WALK),
        None,
    )
    if scope.kind == ScopeKind.CAMPAIGN and route is not None:  # a walk: in station order
        link = campaign_location.c
        numbers = dict(
            session.execute(
                select(link.location_id, link.position).where(link.campaign_id == route.id)
            ).all()
        )
        found.sort(key=lambda place: station_order(numbers.get(place.id), place.name, place.id))
    for place in found:
        here = answered.get(place.id, set())
        concerned = [
            c
            for c in campaigns
            if place.id in running[c.id] or any(q.id in here for q in c.questions)
        ]
        counted = _tallied(
            concerned, option_counts.get(place.id, {}), answer_counts.get(place.id, {})
        )
        result.append(PlaceTally(place, counted))
    return result


def questions_per_place(
    places: list[PlaceTally],
) -> dict[int, list[tuple[Location, QuestionTally]]]:
    """Each question's tally at each place that concerns it: {question id: [(place, tally)]}."""
    found: dict[int, list[tuple[Location, QuestionTally]]] = defaultdict(list)
    for place in places:
        for campaign in place.campaigns:
            for q in campaign.questions:
                found[q.question.id].append((place.location, q))
    return dict(found)


class PlaceColumn(enum.StrEnum):
    """What a table of places can be sorted by (besides an option's share)."""

    PLACE = "place"
    ANSWERS = "answers"
    MEAN = "mean"


def sorted_places(
    rows: list[tuple[Location, QuestionTally]],
    column: PlaceColumn | int,
    *,
    descending: bool,
) -> list[tuple[Location, QuestionTally]]:
    """A question's places sorted by a column, ascending or descending.

    The column: the name, the answers, the mean of a scale, or an option (by id: its share
    of the place's answers, then its count). Ties (and places without a mean) keep the order
    of the names; an option the question does not have sorts nothing.
    """

    def key(row: tuple[Location, QuestionTally]) -> tuple[float, ...]:
        q = row[1]
        if column == PlaceColumn.ANSWERS:
            return (q.answers,)
        if column == PlaceColumn.MEAN:
            mean = q.mean
            return (0, 0.0) if mean is None else (1, mean)
        for o in q.options:
            if o.option.id == column:
                return (o.share, o.total)
        return (0,)

    by_name = sorted(rows, key=lambda row: (row[0].name.casefold(), row[0].id))
    if column == PlaceColumn.PLACE:
        return by_name[::-1] if descending else by_name
    return sorted(by_name, key=key, reverse=descending)  # stable: ties keep the names' order


def channels_with_answers(tallies: list[CampaignTally], always: tuple[str, ...]) -> list[str]:
    """The channels worth a column: the ones always shown, plus any that has answers."""
    used = {
        channel
        for campaign in tallies
        for question in campaign.questions
        for channel, count in question.answers_by_channel.items()
        if count
    }
    return [c for c in CHANNELS if c in always or c in used]


@dataclass(frozen=True)
class Wish:
    """A wish as staff read it."""

    text: str
    location: str
    channel: str
    state: str | None
    received_at: dt.datetime
    mark: str | None = None
    location_id: int | None = None

    @property
    def approved(self) -> bool:
        """Approved by a moderator and not marked (e.g. personal data): fit for the public."""
        return self.state == WishState.APPROVED.value and self.mark is None


def wishes(
    session: Session, scope: Scope, *, limit: int = 200, approved_only: bool = False
) -> list[Wish]:
    """The newest wishes in the scope (or only those fit for the public), with their place.

    Each read walks a partial index of wishes (by place, or by campaign) from its newest end
    and stops at the limit, however many answers there are. An area takes the newest of each
    of its places and the newest of those.
    """
    if scope.kind == ScopeKind.AREA:
        places = session.scalars(select(Location.id).where(Location.area_id == scope.id)).all()
        found = heapq.nlargest(
            limit,
            (
                row
                for place in places
                for row in _newest_wishes(session, "location", place, limit, approved_only)
            ),
            key=lambda row: row[0],
        )
    else:
        found = _newest_wishes(session, scope.kind.value, scope.id, limit, approved_only)
    names = dict(
        session.execute(
            select(Location.id, Location.name).where(
                Location.id.in_({row.location_id for row in found})
            )
        ).all()
    )
    return [
        Wish(text or "", names[place], channel, state, at, mark, location_id=place)
        for _, text, place, channel, state, at, mark in found
    ]


_WISH_INDEXES = {"location": "ix_response_wish_location", "campaign": "ix_response_wish_campaign"}
_PUBLIC_WISH_INDEXES = {
    "location": "ix_response_public_wish_location",
    "campaign": "ix_response_public_wish_campaign",
}


def _newest_wishes(
    session: Session, kind: str, scope_id: int, limit: int, approved_only: bool
) -> list[Any]:
    """The newest wishes of a place or a campaign (or the public ones), by a partial index.

    SQLite is told the index (INDEXED BY): without statistics it would as soon walk all of a
    campaign's answers by ix_response_campaign_id, reading each to see if it is a wish.
    """
    index = (_PUBLIC_WISH_INDEXES if approved_only else _WISH_INDEXES)[kind]
    hint = f" INDEXED BY {index}" if session.connection().dialect.name == "sqlite" else ""
    fit = f" AND {PUBLIC_WISH}" if approved_only else ""
    query = text(
        "SELECT id, text, location_id, channel, wish_state, received_at, wish_mark "  # noqa: S608
        f"FROM response{hint} "
        f"WHERE text IS NOT NULL AND text <> '' AND {kind}_id = :scope_id{fit} "
        "ORDER BY id DESC LIMIT :limit"
    ).columns(
        Response.id,
        Response.text,
        Response.location_id,
        Response.channel,
        Response.wish_state,
        Response.received_at,
        Response.wish_mark,
    )
    # A wish whose text a moderator removed ("") has nothing to show.
    return list(session.execute(query, {"scope_id": scope_id, "limit": limit}))


def answers_per_poster(session: Session, scope: Scope) -> list[tuple[str, int]]:
    """How many answers came through each labelled poster in the scope, most first.

    Read from the poster counters, never the responses.
    """
    total = func.sum(PosterCount.count)
    query = select(PosterCount.source, total).where(counted_in(PosterCount, scope))
    rows = session.execute(
        query.group_by(PosterCount.source)
        .having(total > 0)
        .order_by(total.desc(), PosterCount.source)
    )
    return [(str(source), int(count)) for source, count in rows]


def answers_per_hour(session: Session, scope: Scope) -> list[tuple[dt.datetime, int]]:
    """How many answers were given in each hour (UTC, by answered_at), oldest first.

    Read from the hour counters (a row per place, campaign and hour; never the responses);
    the caller folds the hours into local days or hours of the day (whole-hour offsets make
    a UTC hour one local hour, summer time or not). Paper sheets have no times: not in it.
    """
    total = func.sum(HourCount.count)
    query = select(HourCount.hour, total).where(counted_in(HourCount, scope))
    query = query.group_by(HourCount.hour)
    rows = session.execute(query.having(total > 0).order_by(HourCount.hour)).all()
    return [(_utc_hour(value), int(count)) for value, count in rows]


def _utc_hour(value: Any) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class OverTime:
    """Answers per local day (oldest first) and per local hour of the day (0 to 23)."""

    days: list[tuple[dt.date, int]]
    hours: list[int]


def over_time(hours: list[tuple[dt.datetime, int]], zone: dt.tzinfo) -> OverTime:
    """Fold UTC hours into local days and hours of the day."""
    days: dict[dt.date, int] = defaultdict(int)
    of_day = [0] * 24
    for moment, count in hours:
        local = moment.astimezone(zone)
        days[local.date()] += count
        of_day[local.hour] += count
    return OverTime(sorted(days.items()), of_day)


def answers_per_place(session: Session) -> dict[int, int]:
    """How many answers each place has (every channel), from the counters."""
    rows = session.execute(
        select(AnswerCount.location_id, func.sum(AnswerCount.count)).group_by(
            AnswerCount.location_id
        )
    )
    return {int(location_id): int(count) for location_id, count in rows}

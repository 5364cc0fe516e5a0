"""What the public flow needs of the configuration, as an immutable in-memory snapshot.

Places, campaigns, questions and options change rarely but are read on every vote. Each
worker keeps a snapshot and checks one counter row (catalog_revision) per request: any ORM
flush that changes the configuration bumps it, so every worker sees a change at its next
request, and no worker's memory decides anything on its own. A change made around the ORM
(a Core UPDATE, a data migration, psql) must bump catalog_revision itself (bump_revision).

Which campaign a place shows when several are open there is decided here, once, for central
and for kiosk nodes alike (shown_campaign): the one staff pinned at the place while it is
open, else the one started last.
"""

from __future__ import annotations

import datetime as dt
import enum
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol, TypeVar

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, selectinload

from kiosk.core.errors import N_, NotFoundError
from kiosk.models import (
    Area,
    Campaign,
    CampaignFormat,
    CatalogRevision,
    Location,
    Option,
    Question,
    QuestionKind,
    ResultsShown,
    campaign_location,
    option_fields,
    station_order,
)

CONFIG_MODELS = (Area, Location, Campaign, Question, Option)
# An open start (no first day) counts as the earliest start of all.
NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)


class Scheduled(Protocol):
    """A campaign's identity and days, as a row or a snapshot has them."""

    @property
    def id(self) -> int: ...
    @property
    def starts_at(self) -> dt.datetime | None: ...
    @property
    def ends_at(self) -> dt.datetime | None: ...


S = TypeVar("S", bound=Scheduled)


def open_at(campaign: Scheduled, at: dt.datetime) -> bool:
    """Tell whether the campaign accepts answers at the given time (its end is not in it)."""
    if campaign.starts_at is not None and at < campaign.starts_at:
        return False
    return campaign.ends_at is None or at < campaign.ends_at


def shown_campaign(campaigns: Iterable[S], pinned_id: int | None, at: dt.datetime) -> S | None:
    """The campaign a place shows at that time, of those that run there.

    The rule: of the campaigns open then, the one staff pinned at the place; else the one
    started last (an open start counts as the earliest; of two started together, the one
    made last). A pinned campaign that has not begun or has ended pins nothing: the rule
    applies as if there were no pin.
    """
    running = [c for c in campaigns if open_at(c, at)]
    pinned = next((c for c in running if c.id == pinned_id), None)
    if pinned is not None:
        return pinned
    return max(running, key=lambda c: (c.starts_at or NEVER, c.id), default=None)


@dataclass(frozen=True, slots=True)
class CatalogOption:
    """An option as the public flow shows it."""

    id: int
    position: int
    texts: dict[str, str]
    emoji: str
    colour: str
    value: int | None
    hidden: bool


@dataclass(frozen=True, slots=True)
class CatalogQuestion:
    """A question with its options, in order."""

    id: int
    campaign_id: int
    position: int
    kind: QuestionKind
    texts: dict[str, str]
    max_choices: int | None
    results_shown: ResultsShown
    options: tuple[CatalogOption, ...]
    location_id: int | None = None  # asked at this station only (None: at every place)
    # Lookups made once per snapshot: a sync batch validates a thousand answers at a time.
    option_by_id: dict[int, CatalogOption] = field(init=False, repr=False, compare=False)
    visible_by_id: dict[int, CatalogOption] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "option_by_id", {o.id: o for o in self.options})
        object.__setattr__(self, "visible_by_id", {o.id: o for o in self.options if not o.hidden})

    @property
    def visible_options(self) -> tuple[CatalogOption, ...]:
        """The options a person can pick."""
        return tuple(self.visible_by_id.values())

    def results_public(self, campaign_closed: bool) -> bool:
        """Whether passers-by may see this question's results now."""
        return self.results_shown == ResultsShown.LIVE or campaign_closed

    def asked_at(self, location_id: int) -> bool:
        """Whether the question is asked at this place (a station's own, or everywhere)."""
        return self.location_id is None or self.location_id == location_id


@dataclass(frozen=True, slots=True)
class CatalogStation:
    """A place on a campaign's route: its number (from 1), what is shown there, where it is."""

    number: int
    location_id: int
    code: str
    name: str
    address: str | None
    latitude: float | None
    longitude: float | None
    note: str | None


@dataclass(frozen=True, slots=True)
class CatalogCampaign:
    """A campaign with its questions and where it runs."""

    id: int
    title: str
    intro: dict[str, str]
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    questions: tuple[CatalogQuestion, ...]
    location_ids: frozenset[int]
    format: CampaignFormat = CampaignFormat.POP_UP
    stations: tuple[CatalogStation, ...] = ()  # a route's places in order; else none
    question_by_id: dict[int, CatalogQuestion] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "question_by_id", {q.id: q for q in self.questions})

    def is_open(self, at: dt.datetime) -> bool:
        """Tell whether the campaign accepts answers at the given time."""
        return open_at(self, at)

    def question(self, question_id: int) -> CatalogQuestion | None:
        """The campaign's question with this id, if it has one."""
        return self.question_by_id.get(question_id)

    def questions_at(self, location_id: int) -> tuple[CatalogQuestion, ...]:
        """The questions asked at this place, in order: the shared ones and the station's own."""
        return tuple(q for q in self.questions if q.asked_at(location_id))

    def station(self, location_id: int) -> CatalogStation | None:
        """The route's station at this place, if the campaign is a route and the place on it."""
        return next((s for s in self.stations if s.location_id == location_id), None)

    def next_station(self, location_id: int) -> CatalogStation | None:
        """The station after this place's on the route, if there is one."""
        here = self.station(location_id)
        if here is None:
            return None
        return next((s for s in self.stations if s.number > here.number), None)


@dataclass(frozen=True, slots=True)
class CatalogLocation:
    """A place, the campaigns that run there (earliest start first) and the one pinned there."""

    id: int
    code: str
    name: str
    campaign_ids: tuple[int, ...]
    pinned_campaign_id: int | None = None


@dataclass(frozen=True, slots=True)
class Overlap:
    """At a place, from a moment on, one open campaign shows and hides another open there."""

    location: CatalogLocation
    shown: CatalogCampaign
    hidden: CatalogCampaign
    since: dt.datetime
    pinned: bool  # the shown one is pinned at the place


@dataclass(frozen=True, slots=True)
class Showing:
    """What a place of a campaign shows now, or when the campaign begins if that is later."""

    location: CatalogLocation
    shown: CatalogCampaign | None  # None: the campaign has ended
    later: dt.datetime | None  # the campaign's start, when it is still to come
    pinned: bool  # the shown one is pinned at the place


class CampaignState(enum.StrEnum):
    """Where a campaign stands at a place at a time."""

    SHOWS = "shows"  # open, and the place shows it
    HIDDEN = "hidden"  # open, but the place shows another
    UPCOMING = "upcoming"  # not begun
    ENDED = "ended"


@dataclass(frozen=True)
class Catalog:
    """Everything the public flow reads, at one configuration revision."""

    revision: int
    locations: dict[str, CatalogLocation] = field(default_factory=dict)
    campaigns: dict[int, CatalogCampaign] = field(default_factory=dict)
    campaign_of_question: dict[int, CatalogCampaign] = field(default_factory=dict)

    def location(self, code: str) -> CatalogLocation:
        """The location with this QR code, or NotFoundError."""
        location = self.locations.get(code.lower())
        if location is None:
            raise NotFoundError(N_("There is no place with the code “%(code)s”."), code=code[:40])
        return location

    def running_campaign(
        self, location: CatalogLocation, at: dt.datetime
    ) -> CatalogCampaign | None:
        """The campaign this location shows at that time (see shown_campaign), if any."""
        return shown_campaign(
            (self.campaigns[i] for i in location.campaign_ids), location.pinned_campaign_id, at
        )

    def next_campaign(self, location: CatalogLocation, at: dt.datetime) -> CatalogCampaign | None:
        """The campaign this location will show when the next one there begins, if any."""
        starts = sorted(
            start
            for i in location.campaign_ids
            if (start := self.campaigns[i].starts_at) is not None and start > at
        )
        return self.running_campaign(location, starts[0]) if starts else None

    def places_of(self, campaign_id: int) -> list[CatalogLocation]:
        """The locations where the campaign runs, by name."""
        return sorted(
            (loc for loc in self.locations.values() if campaign_id in loc.campaign_ids),
            key=lambda loc: (loc.name, loc.id),
        )

    def showing(self, campaign_id: int, now: dt.datetime) -> list[Showing]:
        """For each place of the campaign (by name): what it shows now, or when it begins."""
        campaign = self.campaigns[campaign_id]
        ended = campaign.ends_at is not None and campaign.ends_at <= now
        later = campaign.starts_at if campaign.starts_at and campaign.starts_at > now else None
        shown_list = []
        for location in self.places_of(campaign_id):
            shown = None if ended else self.running_campaign(location, later or now)
            pinned = shown is not None and shown.id == location.pinned_campaign_id
            shown_list.append(Showing(location, shown, later, pinned))
        return shown_list

    def states(
        self, location: CatalogLocation, now: dt.datetime
    ) -> list[tuple[CatalogCampaign, CampaignState]]:
        """The campaigns of a place (earliest start first), and where each stands now."""
        shown = self.running_campaign(location, now)
        states = []
        for campaign_id in location.campaign_ids:
            campaign = self.campaigns[campaign_id]
            if campaign is shown:
                state = CampaignState.SHOWS
            elif campaign.is_open(now):
                state = CampaignState.HIDDEN
            elif campaign.starts_at is not None and now < campaign.starts_at:
                state = CampaignState.UPCOMING
            else:
                state = CampaignState.ENDED
            states.append((campaign, state))
        return states

    def overlaps(self, campaign_id: int, now: dt.datetime) -> list[Overlap]:
        """Where, from now on, this campaign hides another open at the same place or is hidden.

        What a place shows changes only when a campaign there begins or ends, so the rule is
        asked at now and at each of those moments to come. Each pair of campaigns at a place
        is told once, from the first moment on (earliest first). "Hides" means the other one
        would show if this campaign did not run there.
        """
        campaign = self.campaigns[campaign_id]
        found: dict[tuple[int, int, int], Overlap] = {}
        for location in self.places_of(campaign_id):
            others = [self.campaigns[i] for i in location.campaign_ids if i != campaign_id]
            moments = {now} | {
                moment
                for c in (campaign, *others)
                for moment in (c.starts_at, c.ends_at)
                if moment is not None and moment > now
            }
            for at in sorted(moments):
                if not campaign.is_open(at):
                    continue
                shown = self.running_campaign(location, at) or campaign  # open here then
                hidden = campaign
                if shown is campaign:
                    without = shown_campaign(others, location.pinned_campaign_id, at)
                    if without is None:
                        continue
                    hidden = without
                pinned = shown.id == location.pinned_campaign_id
                key = (location.id, shown.id, hidden.id)
                found.setdefault(key, Overlap(location, shown, hidden, at, pinned))
        return sorted(found.values(), key=lambda o: (o.since, o.location.name, o.location.id))

    def ended_campaign(self, location: CatalogLocation, at: dt.datetime) -> CatalogCampaign | None:
        """The campaign that ended last at this location before that time, if any."""
        ended = [
            self.campaigns[i]
            for i in location.campaign_ids
            if (ends_at := self.campaigns[i].ends_at) is not None and ends_at <= at
        ]
        return max(ended, key=lambda c: (c.ends_at, c.id), default=None)


_REVISION = select(CatalogRevision.revision).where(CatalogRevision.id == 1)


def current_revision(session: Session) -> int:
    """The configuration's revision counter (read on every public request, so through Core)."""
    return session.connection().execute(_REVISION).scalar() or 0


def place_pins(session: Session) -> dict[int, int]:
    """The campaign staff pinned at each place that has one: {place id: campaign id}."""
    pinned = select(campaign_location.c.location_id, campaign_location.c.campaign_id).where(
        campaign_location.c.pinned
    )
    return {location_id: campaign_id for location_id, campaign_id in session.execute(pinned)}


def load_catalog(session: Session) -> Catalog:
    """Read the whole public configuration in a few queries."""
    revision = current_revision(session)
    campaigns = session.scalars(
        select(Campaign).options(
            selectinload(Campaign.questions).selectinload(Question.options),
        )
    ).all()
    links = session.execute(
        select(
            campaign_location.c.campaign_id,
            campaign_location.c.location_id,
            campaign_location.c.position,
            campaign_location.c.note,
        )
    ).all()
    where: dict[int, set[int]] = {}
    for campaign_id, location_id, _position, _note in links:
        where.setdefault(campaign_id, set()).add(location_id)
    places = {loc.id: loc for loc in session.scalars(select(Location))}
    routes = _routes(links, places)
    pins = place_pins(session)
    catalog_campaigns = {
        c.id: CatalogCampaign(
            id=c.id,
            title=c.title,
            intro=dict(c.intro or {}),
            starts_at=c.starts_at,
            ends_at=c.ends_at,
            location_ids=frozenset(where.get(c.id, ())),
            format=CampaignFormat(c.format),
            stations=routes.get(c.id, ()) if c.format == CampaignFormat.CLIMATE_WALK else (),
            questions=tuple(
                CatalogQuestion(
                    id=q.id,
                    campaign_id=c.id,
                    position=q.position,
                    kind=QuestionKind(q.kind),
                    texts=dict(q.texts),
                    max_choices=q.max_choices,
                    results_shown=ResultsShown(q.results_shown),
                    options=tuple(CatalogOption(id=o.id, **option_fields(o)) for o in q.options),
                    location_id=q.location_id,
                )
                for q in c.questions
                # A negative position: a kiosk node's copy of a question central no longer
                # sends it (asked at another station now); central's are numbered from 0.
                if q.position >= 0
            ),
        )
        for c in campaigns
    }
    order = sorted(catalog_campaigns.values(), key=lambda c: (c.starts_at or NEVER, c.id))
    locations = {
        loc.code: CatalogLocation(
            id=loc.id,
            code=loc.code,
            name=loc.name,
            campaign_ids=tuple(c.id for c in order if loc.id in c.location_ids),
            pinned_campaign_id=pins.get(loc.id),
        )
        for loc in places.values()
    }
    by_question = {q.id: c for c in catalog_campaigns.values() for q in c.questions}
    return Catalog(revision, locations, catalog_campaigns, by_question)


def _routes(
    links: Iterable[tuple[int, int, int | None, str | None]], places: dict[int, Location]
) -> dict[int, tuple[CatalogStation, ...]]:
    """Each campaign's places in station order (numbered places first), with their numbers."""
    by_campaign: dict[int, list[tuple[int, int | None, str | None]]] = {}
    for campaign_id, location_id, position, note in links:
        by_campaign.setdefault(campaign_id, []).append((location_id, position, note))
    routes = {}
    for campaign_id, stops in by_campaign.items():
        ordered = sorted(stops, key=lambda s: station_order(s[1], places[s[0]].name, s[0]))
        routes[campaign_id] = tuple(
            CatalogStation(
                # Central numbers every station 1..n; a kiosk node holds its own stations
                # only, with central's numbers.
                number=position if position is not None else number,
                location_id=location_id,
                code=places[location_id].code,
                name=places[location_id].name,
                address=places[location_id].address,
                latitude=_degrees(places[location_id].latitude),
                longitude=_degrees(places[location_id].longitude),
                note=note,
            )
            for number, (location_id, position, note) in enumerate(ordered, start=1)
        )
    return routes


def _degrees(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


class CatalogCache:
    """A worker's snapshot, reloaded when the revision in the database has moved on."""

    def __init__(self) -> None:
        self._catalog: Catalog | None = None
        self._lock = threading.Lock()

    def get(self, session: Session) -> Catalog:
        """The snapshot at the database's current revision."""
        catalog = self._catalog
        if catalog is not None and catalog.revision == current_revision(session):
            return catalog
        with self._lock:
            catalog = load_catalog(session)
            self._catalog = catalog
        return catalog


def bump_revision(session: Session) -> None:
    """Move the configuration's revision on, in the session's transaction.

    For a change made around the ORM: every worker and kiosk node reloads at its next request.
    """
    session.execute(
        update(CatalogRevision)
        .where(CatalogRevision.id == 1)
        .values(revision=CatalogRevision.revision + 1)
    )


@event.listens_for(Session, "before_flush")
def _bump_revision(session: Session, _context: object, _instances: object) -> None:
    """Any change to the configuration moves the revision on, in the same transaction."""
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(instance, CONFIG_MODELS) for instance in changed):
        bump_revision(session)

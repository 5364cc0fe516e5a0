"""What the public flow needs of the configuration, as an immutable in-memory snapshot.

Places, campaigns, questions and options change rarely but are read on every vote. Each
worker keeps a snapshot and checks one counter row (catalog_revision) per request: any ORM
flush that changes the configuration bumps it, so every worker sees a change at its next
request, and no worker's memory decides anything on its own. A change made around the ORM
(a Core UPDATE, a data migration, psql) must bump catalog_revision itself.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, selectinload

from kiosk.core.errors import N_, NotFoundError
from kiosk.models import (
    Area,
    Campaign,
    CatalogRevision,
    Location,
    Option,
    Question,
    QuestionKind,
    ResultsShown,
    campaign_location,
    option_fields,
)

CONFIG_MODELS = (Area, Location, Campaign, Question, Option)


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
    question_by_id: dict[int, CatalogQuestion] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "question_by_id", {q.id: q for q in self.questions})

    def is_open(self, at: dt.datetime) -> bool:
        """Tell whether the campaign accepts answers at the given time."""
        if self.starts_at is not None and at < self.starts_at:
            return False
        return self.ends_at is None or at < self.ends_at

    def question(self, question_id: int) -> CatalogQuestion | None:
        """The campaign's question with this id, if it has one."""
        return self.question_by_id.get(question_id)


@dataclass(frozen=True, slots=True)
class CatalogLocation:
    """A place, and the campaigns that run there (earliest start first)."""

    id: int
    code: str
    name: str
    campaign_ids: tuple[int, ...]


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
        """The campaign open at this location at that time (the earliest started), if any."""
        for campaign_id in location.campaign_ids:
            campaign = self.campaigns[campaign_id]
            if campaign.is_open(at):
                return campaign
        return None

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


def load_catalog(session: Session) -> Catalog:
    """Read the whole public configuration in a few queries."""
    revision = current_revision(session)
    campaigns = session.scalars(
        select(Campaign).options(
            selectinload(Campaign.questions).selectinload(Question.options),
        )
    ).all()
    links = session.execute(
        select(campaign_location.c.campaign_id, campaign_location.c.location_id)
    ).all()
    where: dict[int, set[int]] = {}
    for campaign_id, location_id in links:
        where.setdefault(campaign_id, set()).add(location_id)
    catalog_campaigns = {
        c.id: CatalogCampaign(
            id=c.id,
            title=c.title,
            intro=dict(c.intro or {}),
            starts_at=c.starts_at,
            ends_at=c.ends_at,
            location_ids=frozenset(where.get(c.id, ())),
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
                )
                for q in c.questions
            ),
        )
        for c in campaigns
    }
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    order = sorted(catalog_campaigns.values(), key=lambda c: (c.starts_at or never, c.id))
    locations = {
        loc.code: CatalogLocation(
            id=loc.id,
            code=loc.code,
            name=loc.name,
            campaign_ids=tuple(c.id for c in order if loc.id in c.location_ids),
        )
        for loc in session.scalars(select(Location))
    }
    by_question = {q.id: c for c in catalog_campaigns.values() for q in c.questions}
    return Catalog(revision, locations, catalog_campaigns, by_question)


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


@event.listens_for(Session, "before_flush")
def _bump_revision(session: Session, _context: object, _instances: object) -> None:
    """Any change to the configuration moves the revision on, in the same transaction."""
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(instance, CONFIG_MODELS) for instance in changed):
        session.execute(
            update(CatalogRevision)
            .where(CatalogRevision.id == 1)
            .values(revision=CatalogRevision.revision + 1)
        )

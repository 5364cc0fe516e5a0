"""Where a staff member may work: every area, or only the areas they are limited to.

Admins work everywhere. Other staff limited to some areas see and change only what lies
there: places of those areas, the areas themselves, and campaigns whose places (and whose
answers) all lie there. A campaign without places yet belongs to everybody who may edit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from kiosk.access.permissions import Role
from kiosk.core.errors import N_, ForbiddenError
from kiosk.models import (
    AnswerCount,
    Campaign,
    Location,
    Question,
    StaffUser,
    campaign_location,
)
from kiosk.results.tallies import Scope, ScopeKind


class OutOfReachError(ForbiddenError):
    """The thing asked for lies in an area this staff member does not work in."""

    message = N_("This belongs to an area you do not work in. Ask an administrator if you need it.")


@dataclass(frozen=True)
class Reach:
    """The areas a staff member works in; None means all of them."""

    area_ids: frozenset[int] | None = None

    @property
    def everywhere(self) -> bool:
        """Tell whether no limit applies."""
        return self.area_ids is None

    def covers_area(self, area_id: int) -> bool:
        """Tell whether the area is one of this staff member's."""
        return self.area_ids is None or area_id in self.area_ids

    def where_area(self, column: InstrumentedAttribute[int]) -> ColumnElement[bool]:
        """A WHERE clause keeping rows whose area column is within reach."""
        return true() if self.area_ids is None else column.in_(sorted(self.area_ids))

    def location_ids(self) -> Select[int]:
        """The ids of the places within reach, as a subquery to filter by."""
        return select(Location.id).where(self.where_area(Location.area_id))


EVERYWHERE = Reach()


def reach_of(user: StaffUser) -> Reach:
    """The reach of a staff member: admins and staff without listed areas work everywhere."""
    if user.role == Role.ADMIN.value or not user.areas:
        return EVERYWHERE
    return Reach(frozenset(area.id for area in user.areas))


def campaign_areas(session: Session, campaign_id: int) -> set[int]:
    """The areas a campaign runs in or has answers from."""
    running = (
        select(Location.area_id)
        .join(campaign_location, campaign_location.c.location_id == Location.id)
        .where(campaign_location.c.campaign_id == campaign_id)
    )
    answered = (
        select(Location.area_id)
        .join(AnswerCount, AnswerCount.location_id == Location.id)
        .where(
            AnswerCount.question_id.in_(
                select(Question.id).where(Question.campaign_id == campaign_id)
            )
        )
    )
    return set(session.scalars(running.union(answered)))


def reaches_campaign(session: Session, reach: Reach, campaign_id: int) -> bool:
    """Tell whether every place of the campaign (and every answer's place) is within reach."""
    if reach.area_ids is None:
        return True
    return campaign_areas(session, campaign_id) <= reach.area_ids


def reaches_location(session: Session, reach: Reach, location_id: int) -> bool:
    """Tell whether the place lies within reach (an unknown place does not)."""
    if reach.area_ids is None:
        return True
    area_id = session.scalar(select(Location.area_id).where(Location.id == location_id))
    return area_id is not None and area_id in reach.area_ids


def reaches_scope(session: Session, reach: Reach, scope: Scope) -> bool:
    """Tell whether a place, an area or a campaign lies within reach."""
    if scope.kind == ScopeKind.LOCATION:
        return reaches_location(session, reach, scope.id)
    if scope.kind == ScopeKind.AREA:
        return reach.covers_area(scope.id)
    return reaches_campaign(session, reach, scope.id)


def campaigns_within(
    session: Session, reach: Reach, campaigns: Iterable[Campaign]
) -> list[Campaign]:
    """Those of the campaigns that lie within reach (all of them when it is everywhere)."""
    return [c for c in campaigns if reaches_campaign(session, reach, c.id)]


def require(allowed: bool) -> None:
    """Raise OutOfReachError unless allowed."""
    if not allowed:
        raise OutOfReachError()


def codes_within(session: Session, reach: Reach, codes: Iterable[str]) -> bool:
    """Whether none of these place codes names a place outside reach (unknown codes: none)."""
    if reach.everywhere:
        return True
    outside = session.scalar(
        select(Location.id)
        .where(Location.code.in_(set(codes)), ~reach.where_area(Location.area_id))
        .limit(1)
    )
    return outside is None

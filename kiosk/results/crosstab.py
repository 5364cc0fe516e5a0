"""Cross-tabs: what each group of the demographic question (e.g. under 18, adults) chose.

A person's answers share a visit id, so each answer is put in the group its visit chose on
the campaign's demographic question, or in "not stated". Paper sheets count totals only and
have no visits: they are not in a cross-tab.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from kiosk.models import Campaign, Option, Question, QuestionKind, Response, ResponseOption
from kiosk.results.tallies import Scope, responses_in


@dataclass(frozen=True)
class Group:
    """A column of a cross-tab: an option of the demographic question, or None (not stated)."""

    option: Option | None


@dataclass(frozen=True)
class CrossRow:
    """An option of the compared question, counted per group (aligned with the groups)."""

    option: Option
    counts: tuple[int, ...]


@dataclass(frozen=True)
class CrossTab:
    """One question compared by the demographic question."""

    question: Question
    groups: tuple[Group, ...]
    answers: tuple[int, ...]  # answers to the question, per group
    rows: tuple[CrossRow, ...]

    def share(self, row: CrossRow, index: int) -> float:
        """The share of the group's answers that picked the row's option (0 when none)."""
        return row.counts[index] / self.answers[index] if self.answers[index] else 0.0


@dataclass(frozen=True)
class CampaignCrossTabs:
    """A campaign's questions compared by its demographic question."""

    campaign: Campaign
    demographic: Question
    tables: tuple[CrossTab, ...]


def demographic_question(campaign: Campaign) -> Question | None:
    """The campaign's demographic question, if it has one."""
    return next((q for q in campaign.questions if q.demographic), None)


def cross_tabs(
    session: Session, scope: Scope, campaigns: list[Campaign]
) -> list[CampaignCrossTabs]:
    """Compare each choice and scale question by the demographic one, per campaign."""
    result = []
    for campaign in campaigns:
        demographic = demographic_question(campaign)
        if demographic is None:
            continue
        result.append(_campaign_cross_tabs(session, scope, campaign, demographic))
    return result


def _campaign_cross_tabs(
    session: Session, scope: Scope, campaign: Campaign, demographic: Question
) -> CampaignCrossTabs:
    # One group per visit: should a visit have answered twice (a phone's back button), its
    # latest answer counts. (Grouped, so that the database computes it once and joins it by
    # an index of its own, instead of flattening it into a nested loop.)
    latest = (
        select(Response.visit_id, func.max(Response.id).label("response_id"))
        .where(
            Response.question_id == demographic.id,
            Response.visit_id.is_not(None),
            responses_in(scope),
        )
        .group_by(Response.visit_id)
        .subquery()
    )
    group_pick = aliased(ResponseOption)
    group_column = group_pick.option_id
    compared = (
        Response.campaign_id == campaign.id,
        Response.question_id != demographic.id,
        responses_in(scope),
    )
    picks: dict[int, dict[int | None, int]] = defaultdict(dict)
    for option_id, picked_group, count in session.execute(
        select(ResponseOption.option_id, group_column, func.count())
        .join(Response, Response.id == ResponseOption.response_id)
        .outerjoin(latest, latest.c.visit_id == Response.visit_id)
        .outerjoin(group_pick, group_pick.response_id == latest.c.response_id)
        .where(*compared)
        .group_by(ResponseOption.option_id, group_column)
    ):
        picks[option_id][picked_group] = int(count)
    # One option per answer to a single choice or a scale: its answers are the sum of its picks.
    # Only a multiple choice question counts its answers again (one answer, several picks).
    answers: dict[int, dict[int | None, int]] = defaultdict(lambda: defaultdict(int))
    multiple = [q.id for q in campaign.questions if q.kind == QuestionKind.MULTI]
    question_of = {o.id: q.id for q in campaign.questions for o in q.options}
    for option_id, by_group in picks.items():
        question_id = question_of.get(option_id)
        if question_id is not None and question_id not in multiple:
            for key, count in by_group.items():
                answers[question_id][key] += count
    if multiple:
        for question_id, group, count in session.execute(
            select(Response.question_id, group_column, func.count())
            .outerjoin(latest, latest.c.visit_id == Response.visit_id)
            .outerjoin(group_pick, group_pick.response_id == latest.c.response_id)
            .where(Response.question_id.in_(multiple), *compared)
            .group_by(Response.question_id, group_column)
        ):
            answers[question_id][group] = int(count)

    not_stated = any(None in by_group for by_group in answers.values())
    groups = tuple(Group(option) for option in demographic.options) + (
        (Group(None),) if not_stated else ()
    )
    keys = [group.option.id if group.option else None for group in groups]
    tables = []
    for question in campaign.questions:
        if question.id == demographic.id or question.kind == QuestionKind.WISH:
            continue
        rows = tuple(
            CrossRow(option, tuple(picks[option.id].get(key, 0) for key in keys))
            for option in question.options
        )
        answered = tuple(answers[question.id].get(key, 0) for key in keys)
        tables.append(CrossTab(question, groups, answered, rows))
    return CampaignCrossTabs(campaign, demographic, tuple(tables))

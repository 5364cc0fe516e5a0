"""Cross-tabs: what each group of the demographic question (e.g. under 18, adults) chose.

A person's answers share a visit id, so each answer is put in the group its visit chose on
the campaign's demographic question (its latest answer there), or in "not stated". The
counts come from cross_count, which triggers keep with each answer: a read of a few hundred
rows at any number of answers. Paper sheets count totals only and have no visits: they are
not in a cross-tab.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.models import Campaign, CrossCount, Option, Question, QuestionKind
from kiosk.results.tallies import Scope, counted_in


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
    # From the counter the triggers keep (kiosk.models.counters): option 0 is the answer
    # itself (a question's answers per group), group 0 is "not stated".
    picks: dict[int, dict[int | None, int]] = defaultdict(dict)
    answers: dict[int, dict[int | None, int]] = defaultdict(dict)
    for question_id, option_id, group_id, count in session.execute(
        select(
            CrossCount.question_id,
            CrossCount.option_id,
            CrossCount.group_id,
            func.sum(CrossCount.count),
        )
        .where(CrossCount.campaign_id == campaign.id, counted_in(CrossCount, scope))
        .group_by(CrossCount.question_id, CrossCount.option_id, CrossCount.group_id)
    ):
        if not count:
            continue  # moved to another group, all of it
        group = group_id or None
        if option_id:
            picks[option_id][group] = int(count)
        else:
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

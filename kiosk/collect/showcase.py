"""What a kiosk may show passers-by: results so far and approved wishes, per place."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from kiosk.collect.catalog import CatalogCampaign, CatalogOption, CatalogQuestion
from kiosk.models import AnswerCount, OptionCount, QuestionKind, Response, SharedWish
from kiosk.models.response import PUBLIC_WISH


@dataclass(frozen=True)
class OptionResult:
    """How often one option was picked, and its share of the people who answered.

    For a multiple choice the shares add up to more than the whole (people pick several),
    while its pie shows the picks.
    """

    option: CatalogOption
    count: int
    share: float


@dataclass(frozen=True)
class QuestionResult:
    """A question's results at one place, options most picked first (a scale in its order)."""

    question: CatalogQuestion
    answered: int
    options: tuple[OptionResult, ...]


def public_results(
    session: Session,
    campaign: CatalogCampaign,
    location_id: int | None,
    *,
    now: dt.datetime,
    min_answers: int = 1,
) -> list[QuestionResult]:
    """The results of the campaign's choice questions at a place that the public may see now.

    A question set to show its results only after the campaign closed is left out until
    then, and so is a question with fewer than min_answers answers (the first few people's
    answers must not be readable from a screen). Counts come from the counters (all channels
    this database knows: on a kiosk node, the answers given at this kiosk). Without a place,
    the campaign's results at all its places.
    """
    closed = campaign.ends_at is not None and now >= campaign.ends_at
    questions = [
        q
        for q in campaign.questions
        if q.kind != QuestionKind.WISH
        and q.results_public(closed)
        and (location_id is None or q.asked_at(location_id))
    ]
    if not questions:
        return []
    ids = [q.id for q in questions]
    picked = dict(
        session.execute(
            select(OptionCount.option_id, func.sum(OptionCount.count))
            .where(
                OptionCount.question_id.in_(ids), *_place_is(OptionCount.location_id, location_id)
            )
            .group_by(OptionCount.option_id)
        ).all()
    )
    answered = dict(
        session.execute(
            select(AnswerCount.question_id, func.sum(AnswerCount.count))
            .where(
                AnswerCount.question_id.in_(ids), *_place_is(AnswerCount.location_id, location_id)
            )
            .group_by(AnswerCount.question_id)
        ).all()
    )
    results = []
    for question in questions:
        people = int(answered.get(question.id) or 0)
        counts = {o.id: int(picked.get(o.id) or 0) for o in question.options}
        options = [
            OptionResult(option, counts[option.id], counts[option.id] / people if people else 0.0)
            for option in question.options
            if counts[option.id] or not option.hidden
        ]
        if question.kind != QuestionKind.SCALE:  # a scale keeps its own order
            options.sort(key=lambda o: (-o.count, o.option.position))
        if people >= max(min_answers, 1):
            results.append(QuestionResult(question, people, tuple(options)))
    return results


def _place_is(column: Any, location_id: int | None) -> list[ColumnElement[bool]]:
    """The condition "at this place", or none for all places."""
    return [] if location_id is None else [column == location_id]


def approved_wishes(
    session: Session, campaign_id: int, location_id: int | None, *, limit: int = 6
) -> list[str]:
    """The newest approved wishes of a campaign at a place (or all its places), newest first.

    Central reads its moderated responses; a kiosk node the wishes central sent down.
    """
    # Approved and unmarked (a marked wish, e.g. personal data, is never public), written out
    # so that the databases walk the partial index of public wishes from the newest end.
    moderated = session.execute(
        select(Response.text, Response.received_at)
        .where(
            *_place_is(Response.location_id, location_id),
            Response.campaign_id == campaign_id,
            sql_text(PUBLIC_WISH),
        )
        .order_by(Response.id.desc())
        .limit(limit)
    ).all()
    shared = session.execute(
        select(SharedWish.text, SharedWish.received_at)
        .where(
            SharedWish.campaign_id == campaign_id, *_place_is(SharedWish.location_id, location_id)
        )
        .order_by(SharedWish.received_at.desc())
        .limit(limit)
    ).all()
    newest = sorted([*moderated, *shared], key=lambda row: row[1], reverse=True)
    texts: list[str] = []
    for text, _received in newest:
        if text and text not in texts:
            texts.append(text)
    return texts[:limit]


@dataclass(frozen=True)
class Slide:
    """One screen of the attract loop: a question's pie, or a few wishes."""

    result: QuestionResult | None = None
    wishes: tuple[str, ...] = ()


def attract_slides(
    results: list[QuestionResult], wishes: list[str], *, per_slide: int = 3
) -> list[Slide]:
    """The attract loop's screens: each question's pie, then the wishes in threes."""
    slides = [Slide(result=r) for r in results]
    slides += [
        Slide(wishes=tuple(wishes[i : i + per_slide])) for i in range(0, len(wishes), per_slide)
    ]
    return slides

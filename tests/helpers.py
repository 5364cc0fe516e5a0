"""Small helpers shared by the tests: find demo objects, build answers."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.answers import Answer
from kiosk.models import Campaign, Location, Question, QuestionKind


def demo(session: Session) -> tuple[Campaign, Location, Location]:
    """The demo campaign and its two places (square, playground)."""
    campaign = session.scalars(select(Campaign)).one()
    square = session.scalars(select(Location).where(Location.code == "ehp")).one()
    playground = session.scalars(select(Location).where(Location.code == "zeitzer")).one()
    return campaign, square, playground


def question(campaign: Campaign, kind: QuestionKind, nth: int = 0) -> Question:
    """The nth question of a kind in the campaign."""
    return [q for q in campaign.questions if q.kind == kind][nth]


def pick(q: Question, *positions: int, answer_uuid: uuid.UUID | None = None) -> Answer:
    """An answer picking the options at these positions."""
    options = tuple(q.options[p] for p in positions)
    value = options[0].value if q.kind == QuestionKind.SCALE else None
    return Answer(answer_uuid or uuid.uuid4(), None, q, tuple(o.id for o in options), value)

"""Small helpers shared by the tests: find demo objects, build answers."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from kiosk.answers import Answer
from kiosk.catalog import CatalogCampaign, CatalogLocation, CatalogQuestion, load_catalog
from kiosk.models import QuestionKind


def demo(session: Session) -> tuple[CatalogCampaign, CatalogLocation, CatalogLocation]:
    """The demo campaign and its two places (square, playground), as the flow sees them."""
    catalog = load_catalog(session)
    (campaign,) = catalog.campaigns.values()
    return campaign, catalog.locations["ehp"], catalog.locations["zeitzer"]


def question(campaign: CatalogCampaign, kind: QuestionKind, nth: int = 0) -> CatalogQuestion:
    """The nth question of a kind in the campaign."""
    return [q for q in campaign.questions if q.kind == kind][nth]


def pick(q: CatalogQuestion, *positions: int, answer_uuid: uuid.UUID | None = None) -> Answer:
    """An answer picking the options at these positions."""
    options = tuple(q.options[p] for p in positions)
    value = options[0].value if q.kind == QuestionKind.SCALE else None
    return Answer(answer_uuid or uuid.uuid4(), None, q, tuple(o.id for o in options), value)

"""Small helpers shared by the tests: find demo objects, build answers, log staff in."""

from __future__ import annotations

import uuid

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from kiosk.access.accounts import create_user
from kiosk.access.permissions import Role
from kiosk.collect.answers import Answer
from kiosk.collect.catalog import CatalogCampaign, CatalogLocation, CatalogQuestion, load_catalog
from kiosk.models import COMMAND_LINE, QuestionKind
from kiosk.web import db


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


PASSWORD = "correct horse battery"


def login_as(app: Flask, role: Role) -> FlaskClient:
    """A client logged in as a new staff member with this role."""
    email = f"{role.value}@example.org"
    with app.app_context():
        create_user(
            db.session(),
            email=email,
            name=role.value,
            password=PASSWORD,
            role=role,
            actor=COMMAND_LINE,
        )
        db.session().commit()
    client = app.test_client()
    assert (
        client.post("/staff/login", data={"email": email, "password": PASSWORD}).status_code == 302
    )
    return client

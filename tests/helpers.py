"""Small helpers shared by the tests: find demo objects, build answers, log staff in."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
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


# Columns later migrations add that today's code writes or reads on every path it takes: the
# tests of an old migration run today's code on an old schema to fill it, and lend them so.
LATER_COLUMNS = (
    ("campaign_location", "pinned", "BOOLEAN NOT NULL DEFAULT false"),
    ("campaign_location", "position", "INTEGER"),
    ("campaign_location", "note", "VARCHAR(300)"),
    ("campaign", "format", "VARCHAR(24) NOT NULL DEFAULT 'pop_up'"),
    ("question", "location_id", "INTEGER"),
)


@contextmanager
def todays_code_on(engine: sa.Engine) -> Iterator[None]:
    """Let today's code write and read an older schema: the later columns lent, then taken back.

    Only for columns the old migrations under test never touch, so that what they see is
    the old schema with the old rows.
    """
    lent = []
    with engine.begin() as connection:
        for table, column, kind in LATER_COLUMNS:
            if column not in {c["name"] for c in sa.inspect(connection).get_columns(table)}:
                connection.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
                lent.append((table, column))
    try:
        yield
    finally:
        with engine.begin() as connection:
            for table, column in lent:
                connection.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
        engine.dispose()

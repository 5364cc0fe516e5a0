"""The fixtures' promise: what a test commits, through its session or the app, is rolled back
before the next test, on SQLite as on PostgreSQL, and no app trusts a catalog left behind."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from kiosk.collect.catalog import current_revision
from kiosk.models import Area, Location
from kiosk.web import create_app, db
from tests.conftest import APP_CONFIG, rolled_back, savepoint_sessions

PROBES = ("probe-session", "probe-app")
# The demo's configuration revision as the first test of this module found it, per database.
PRISTINE: dict[str, int] = {}


def _commit_probes(session: Session, app: Flask) -> None:
    """Add a place through the test's session and one through the app's, each committed."""
    area_id = session.scalars(sa.select(Area.id)).first()
    session.add(Location(area_id=area_id, code=PROBES[0], name="Probe"))
    session.commit()
    with app.app_context():
        db.session().add(Location(area_id=area_id, code=PROBES[1], name="Probe"))
        db.session().commit()
        assert set(PROBES) <= set(db.catalog().locations)  # the app's snapshot has them


def _probes(connection: sa.Connection) -> list[str]:
    return list(connection.scalars(sa.select(Location.code).where(Location.code.in_(PROBES))))


def test_a_commits_places_through_its_session_and_the_app(session: Session, app: Flask) -> None:
    """Test A: changes the configuration and commits; test B, next, must not see it."""
    PRISTINE[session.get_bind().dialect.name] = current_revision(session)
    _commit_probes(session, app)
    assert current_revision(session) > PRISTINE[session.get_bind().dialect.name]


def test_b_finds_the_pristine_demo_after_a(session: Session, app: Flask) -> None:
    """Test B: runs after A (file order) and sees neither its places nor its revision."""
    revision = current_revision(session)
    assert _probes(session.connection()) == []
    assert revision == PRISTINE.get(session.get_bind().dialect.name, revision)
    with app.app_context():  # a new app loads its own snapshot, at the pristine revision
        catalog = db.catalog()
        assert catalog.revision == revision and not set(PROBES) & set(catalog.locations)


def test_commits_inside_a_rolled_back_block_are_gone_outside_it(
    demo_engine: sa.Engine, database_url: str
) -> None:
    """The same as A and B in one test, so that it fails even when run alone: the block is
    what each test's `connection` fixture runs in."""
    with demo_engine.connect() as outside:
        before = outside.scalar(sa.text("SELECT revision FROM catalog_revision"))
    with rolled_back(demo_engine) as connection:
        sessions = savepoint_sessions(connection)
        app = create_app({**APP_CONFIG, "DATABASE_URL": database_url})
        app.extensions["kiosk.sessionmaker"] = sessions
        with sessions() as session:
            _commit_probes(session, app)
        app.extensions["kiosk.engine"].dispose()
        assert sorted(_probes(connection)) == sorted(PROBES)
        # Another connection sees nothing yet: the commits were only SAVEPOINTs.
        with demo_engine.connect() as outside:
            assert _probes(outside) == []
    with demo_engine.connect() as outside:
        assert _probes(outside) == []
        assert outside.scalar(sa.text("SELECT revision FROM catalog_revision")) == before

"""Fixtures: every test runs against SQLite and against a real PostgreSQL.

Each kind of database holds the demo, loaded and committed once per run. A test runs inside
one transaction on one connection, rolled back at its end: the test's sessions and the app's
are bound to that connection, so what they commit only releases a SAVEPOINT (SQLAlchemy's
"joining a Session into an external transaction"). The next test finds the pristine demo.

Tests whose commits other connections must see (threads with sessions of their own, gunicorn
in another process, a second engine) take `committed_engine` or `committed_app` instead: a
database of their own, wiped and given the demo again before each test, as every test was.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.security import generate_password_hash

from kiosk.cli import upgrade_database
from kiosk.models import COMMAND_LINE, Base
from kiosk.models.engine import make_engine
from kiosk.setup.demo import load_demo
from kiosk.web import create_app

POSTGRES_ADMIN_URL = os.environ.get(
    "KIOSK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
# What every test app runs with; a test adds to it through make_app(**config).
APP_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    # Pictures of tests go to a folder of their own, never into the checkout's instance/.
    "MEDIA_DIR": tempfile.mkdtemp(prefix="kiosk-test-media-"),
}


@pytest.hookimpl(tryfirst=True)  # before -m deselects by it
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what needs PostgreSQL (its half of the parametrised tests, a central on it), so
    that `make quick` can leave it out with one marker."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        fixtures = getattr(item, "fixturenames", ())
        if "postgresql" in params.values() or "postgres_url" in fixtures:
            item.add_marker(pytest.mark.postgresql)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Show the lines tests recorded with record_property("summary", line) at the end of the
    run, for CI's output: what a test prints itself stays in pytest-xdist's worker."""
    for reports in terminalreporter.stats.values():
        for report in reports:
            if isinstance(report, pytest.TestReport) and report.when == "call":
                for name, value in report.user_properties:
                    if name == "summary":
                        terminalreporter.write_line(str(value))


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashes() -> Iterator[None]:
    """Staff passwords hashed with few rounds in tests: scrypt's 0.1 s per demo load and per
    login would add up. Checking works the same for any method."""
    quick = partial(generate_password_hash, method="pbkdf2:sha256:1000")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("kiosk.access.accounts.generate_password_hash", quick)
        yield


@contextmanager
def fresh_postgres_database(prefix: str = "kiosk_test") -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped on leaving.

    No PostgreSQL is an error, not a skip: `make test` starts one (scripts/test-services.sh).
    """
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        pytest.fail(f"PostgreSQL is needed at {POSTGRES_ADMIN_URL}: {error}", pytrace=False)
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def new_postgres_database() -> Iterator[Callable[[], str]]:
    """Make fresh PostgreSQL databases for this test run (their URLs); all dropped afterwards.

    No PostgreSQL is an error, not a skip: `make test` starts one (scripts/test-services.sh).
    """
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    names: list[str] = []

    def new() -> str:
        name = f"kiosk_test_{uuid.uuid4().hex[:10]}"
        try:
            with admin.connect() as connection:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        except sa.exc.OperationalError as error:
            pytest.fail(f"PostgreSQL is needed at {POSTGRES_ADMIN_URL}: {error}", pytrace=False)
        names.append(name)
        return admin.url.set(database=name).render_as_string(hide_password=False)

    yield new
    with admin.connect() as connection:
        for name in names:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_url(new_postgres_database: Callable[[], str]) -> str:
    """A PostgreSQL database for tests that commit for real (gunicorn serving it, say); each
    such test wipes it and loads the demo first (see reload_demo)."""
    return new_postgres_database()


def _new_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty database of the kind the test is parametrised with."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'kiosk.sqlite3'}"
    else:
        url = request.getfixturevalue("new_postgres_database")()
    upgrade_database(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind, not migrated, for one test that migrates it step by step."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
        return
    with fresh_postgres_database() as url:
        yield url


def wipe(engine: sa.Engine) -> None:
    """Empty every table but the revision counter, so each test starts from the same state."""
    tables = [
        table.name
        for table in reversed(Base.metadata.sorted_tables)
        if table.name != "catalog_revision"  # its one row is made by the migration
    ]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            quoted = ", ".join(f'"{name}"' for name in tables)
            connection.execute(sa.text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                connection.execute(sa.text(f'DELETE FROM "{name}"'))


def reload_demo(engine: sa.Engine) -> None:
    """Wipe the database and commit the demo (without sample answers) afresh.

    The pop-up campaign at its two places only: the ground most tests stand on. The movement
    wheel and the climate walk of the full demo are tested in test_demo and test_route.
    """
    wipe(engine)
    with Session(engine) as session:
        load_demo(session, sample_visits=0, actor=COMMAND_LINE, formats=False)
        session.commit()


# --- One transaction per test, rolled back --------------------------------------------------


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database of each kind holding the demo, made once per test run and changed
    only inside the transactions the tests roll back."""
    url = _new_url(request, tmp_path_factory)
    engine = make_engine(url)
    reload_demo(engine)
    engine.dispose()
    return url


def _savepoints_on_sqlite(engine: sa.Engine) -> None:
    """pysqlite begins a transaction only before a write, and not for SAVEPOINT, so a released
    SAVEPOINT would commit: let SQLAlchemy's BEGIN reach SQLite instead (SQLAlchemy's pysqlite
    notes, "Serializable isolation / Savepoints / Transactional DDL")."""

    @sa.event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN")


@pytest.fixture(scope="session")
def demo_engine(database_url: str) -> Iterator[sa.Engine]:
    """The engine the tests' transactions run on."""
    engine = make_engine(database_url)
    if engine.dialect.name == "sqlite":
        _savepoints_on_sqlite(engine)
    yield engine
    engine.dispose()


@contextmanager
def rolled_back(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection in a transaction that is rolled back at the end of the block."""
    with engine.connect() as connection:
        outer = connection.begin()
        try:
            yield connection
        finally:
            intact = outer.is_active
            if intact:
                outer.rollback()
    if not intact:  # a commit got through: give the next tests their demo back, and say so
        reload_demo(engine)
        pytest.fail(
            "the test ended its outer transaction (committed for real?): bind sessions with "
            "the `sessions` fixture, or use `committed_engine`",
            pytrace=False,
        )


def savepoint_sessions(connection: sa.Connection) -> sessionmaker[Session]:
    """Sessions on this connection whose commits release a SAVEPOINT within its transaction."""
    return sessionmaker(
        connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
def connection(demo_engine: sa.Engine) -> Iterator[sa.Connection]:
    """The test's connection, in a transaction rolled back after the test."""
    with rolled_back(demo_engine) as connection:
        yield connection


@pytest.fixture
def sessions(connection: sa.Connection) -> sessionmaker[Session]:
    """Sessions on the test's connection: a commit there releases a SAVEPOINT, nothing more."""
    return savepoint_sessions(connection)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session for domain tests; it commits as the app does, within the test's transaction."""
    with sessions() as db_session:
        yield db_session


@pytest.fixture
def make_app(database_url: str, sessions: sessionmaker[Session]) -> Iterator[Callable[..., Flask]]:
    """Make apps on the demo database (APP_CONFIG and what a test adds), whose sessions are on
    the test's connection."""
    made: list[Flask] = []

    def make(**config: object) -> Flask:
        app = create_app({**APP_CONFIG, "DATABASE_URL": database_url, **config})
        app.extensions["kiosk.sessionmaker"] = sessions
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["kiosk.engine"].dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """The app on the test database, CSRF off (one test turns it on)."""
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client without a login."""
    return app.test_client()


@pytest.fixture
def staff_client(app: Flask) -> FlaskClient:
    """A test client logged in as the demo staff user."""
    from kiosk.setup.demo import DEMO_EMAIL, DEMO_PASSWORD

    test_client = app.test_client()
    response = test_client.post(
        "/staff/login", data={"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302, response.text
    return test_client


# --- Real commits, for tests that need other connections to see them --------------------------


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def committed_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A migrated database of each kind, apart from the demo database the others roll back on."""
    return _new_url(request, tmp_path_factory)


@pytest.fixture
def committed_engine(committed_database_url: str) -> Iterator[sa.Engine]:
    """An engine on a wiped database holding the demo, for tests whose commits must be real:
    several connections at once (threads), or another process reading what they wrote."""
    engine = make_engine(committed_database_url)
    reload_demo(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def committed_app(committed_engine: sa.Engine, committed_database_url: str) -> Iterator[Flask]:
    """The app with an engine of its own on committed_engine's database (CSRF off)."""
    app = create_app({**APP_CONFIG, "DATABASE_URL": committed_database_url})
    yield app
    app.extensions["kiosk.engine"].dispose()

"""Fixtures: every test runs against SQLite and against a real PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

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


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashes() -> Iterator[None]:
    """Staff passwords hashed with few rounds in tests: scrypt's 0.1 s per demo load, times
    every test, would double the suite. Checking works the same for any method."""
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
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped afterwards."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty database of each kind, made once per test run."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'kiosk.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
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


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    """An engine on a wiped database holding the demo (without sample answers)."""
    engine = make_engine(database_url)
    wipe(engine)
    with Session(engine) as session:
        load_demo(session, sample_visits=0, actor=COMMAND_LINE)
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: sa.Engine) -> Iterator[Session]:
    """A session for domain tests; the test commits what it wants to keep."""
    with sessionmaker(engine, expire_on_commit=False)() as db_session:
        yield db_session


@pytest.fixture
def app(engine: sa.Engine, database_url: str) -> Iterator[Flask]:
    """The app on the test database, CSRF off (one test turns it on)."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
        }
    )
    yield app
    app.extensions["kiosk.engine"].dispose()


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

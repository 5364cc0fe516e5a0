"""The database engine and the one session per request (or per CLI command)."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from kiosk.catalog import Catalog, CatalogCache


def make_engine(url: str, *, echo: bool = False, sqlite_synchronous: str = "NORMAL") -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 15})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={sqlite_synchronous}")
            cursor.execute("PRAGMA foreign_keys=ON")
            # Keep indexes of millions of responses in memory rather than re-reading pages.
            cursor.execute("PRAGMA cache_size=-32000")
            cursor.execute("PRAGMA mmap_size=268435456")
            cursor.close()

        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


class WriteLock:
    """Serialises write transactions of all workers on one SQLite file (a no-op elsewhere).

    SQLite lets one writer in at a time; the others wait in its busy handler, which polls
    in sleeps of 1 to 100 ms. A blocking file lock instead wakes the next writer the moment
    the lock is free, which keeps the vote path fast and its latency even.
    """

    def __init__(self, url: str) -> None:
        database = make_url(url).database if url.startswith("sqlite") else None
        self.path = f"{database}.write-lock" if database and database != ":memory:" else None

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lock for the block (the write and its commit)."""
        if self.path is None:
            yield
            return
        with open(self.path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def init_app(app: Flask) -> None:
    """Attach an engine and a session factory to the app; sessions close with the app context."""
    # A kiosk node must not lose a confirmed answer when its power is cut: every commit is
    # synced to disk there (about 7 times slower, still milliseconds).
    node = app.config["ROLE"] == "node"
    engine = make_engine(
        app.config["DATABASE_URL"],
        echo=app.config["SQL_ECHO"],
        sqlite_synchronous="FULL" if node else "NORMAL",
    )
    app.extensions["kiosk.catalog"] = CatalogCache()
    app.extensions["kiosk.write_lock"] = WriteLock(app.config["DATABASE_URL"])
    app.extensions["kiosk.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.extensions["kiosk.engine"] = engine  # disposed by tests; used by nothing else yet
    app.teardown_appcontext(_close_session)


def session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["kiosk.sessionmaker"]()
    return g.db_session  # type: ignore[no-any-return]


def session_factory() -> sessionmaker[Session]:
    """Return the app's session factory, for work that outlives the request (a streamed body)."""
    return current_app.extensions["kiosk.sessionmaker"]  # type: ignore[no-any-return]


def catalog() -> Catalog:
    """The configuration snapshot of this worker, checked against the database's revision."""
    cache: CatalogCache = current_app.extensions["kiosk.catalog"]
    return cache.get(session())


def write_lock() -> WriteLock:
    """The app's lock for write transactions (see WriteLock)."""
    return current_app.extensions["kiosk.write_lock"]  # type: ignore[no-any-return]


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()

"""The app's engine and the one session per request (or per CLI command)."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from kiosk.collect.catalog import Catalog, CatalogCache
from kiosk.models.engine import WriteLock, make_engine


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

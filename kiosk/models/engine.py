"""Engines for SQLite and PostgreSQL, and the write lock of one SQLite file."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url


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

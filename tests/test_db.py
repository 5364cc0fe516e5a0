"""The write lock that lines up SQLite writers from several workers."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from kiosk.models.engine import WriteLock


def test_the_write_lock_serialises_writers_on_one_sqlite_file(tmp_path: Path) -> None:
    lock = WriteLock(f"sqlite:///{tmp_path / 'kiosk.sqlite3'}")
    assert lock.path == f"{tmp_path / 'kiosk.sqlite3'}.write-lock"
    events: list[str] = []

    def writer(name: str) -> None:
        with lock.held():
            events.append(f"{name} in")
            time.sleep(0.05)
            events.append(f"{name} out")

    threads = [threading.Thread(target=writer, args=(name,)) for name in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Never two writers inside at once: every "in" is followed by its own "out".
    assert events[0][0] == events[1][0] and events[2][0] == events[3][0]
    assert [e.split()[1] for e in events] == ["in", "out", "in", "out"]


def test_the_write_lock_is_a_no_op_on_postgresql() -> None:
    lock = WriteLock("postgresql+psycopg://postgres@127.0.0.1/kiosk")
    assert lock.path is None
    with lock.held(), lock.held():  # nested: would deadlock if it locked anything
        pass


def test_a_kiosk_node_syncs_every_commit_to_disk(tmp_path: Path) -> None:
    from kiosk.web import create_app

    def synchronous(role: str) -> int:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite3'}",
                "SECRET_KEY": "x" * 64,
                "ROLE": role,
            }
        )
        with app.extensions["kiosk.engine"].connect() as connection:
            value = int(connection.exec_driver_sql("PRAGMA synchronous").scalar())
        app.extensions["kiosk.engine"].dispose()
        return value

    assert synchronous("node") == 2  # FULL
    assert synchronous("central") == 1  # NORMAL: central on SQLite, a demo, a single site

"""SIGKILL the node and central's workers at random points: nothing lost, nothing doubled."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.cli import upgrade_database
from kiosk.models import COMMAND_LINE, Location
from kiosk.models.engine import make_engine
from kiosk.sync.configuration import apply_config, config_document
from kiosk.sync.devices import enrol, register_device
from tests.faults import inject
from tests.test_sync_e2e import central  # noqa: F401 - the fixture: gunicorn on PostgreSQL

INJECTIONS = int(os.environ.get("KIOSK_FAULT_INJECTIONS", "200"))
SEED = int(os.environ.get("KIOSK_FAULT_SEED", "20251213"))


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def test_killed_at_random_points_nothing_is_lost_or_doubled(
    central: tuple[str, subprocess.Popen[bytes]],  # noqa: F811
    postgres_url: str,
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    engine = make_engine(postgres_url)
    with Session(engine) as session:
        square = session.scalars(select(Location).where(Location.code == "ehp")).one()
        _, code = register_device(session, name="Kiosk", location_id=square.id, actor=COMMAND_LINE)
        _, token = enrol(session, code)
        document = config_document(session)
        session.commit()
    engine.dispose()
    node_url = f"sqlite:///{tmp_path / 'node.sqlite3'}"
    upgrade_database(node_url)
    node = make_engine(node_url)
    with Session(node) as session:
        apply_config(session, document)
        session.commit()
    node.dispose()

    report = inject(
        node_url=node_url,
        central_url=central[0],
        central_db_url=postgres_url,
        token=token,
        central_workers=lambda: workers_of(central[1].pid),
        injections=INJECTIONS,
        seed=SEED,
    )
    record_property("summary", report.line())  # for CI's output (see tests/conftest.py)
    assert report.confirmed > 0
    assert (report.lost, report.duplicated) == (0, 0), report.line()

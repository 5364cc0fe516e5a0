"""Fault injection for sync: SIGKILL the node and central's workers at random points.

The node is killed while it takes answers (before, during, after a commit) and while it
syncs (mid-batch, after central's commit but before the acknowledgement is stored); central's
gunicorn workers are killed while they store. Then the network behaves, and the UUIDs on
central must be exactly those the node confirmed, none twice. Used by
tests/test_fault_injection.py and bench/faults.py. Linux only (fork, SIGKILL).
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from kiosk.collect.answers import Answer, record_answer
from kiosk.collect.catalog import load_catalog
from kiosk.models import Response
from kiosk.models.engine import make_engine
from kiosk.sync.node import SyncError, http_transport, sync


@dataclass
class FaultReport:
    """What the injections did, and what was lost or doubled."""

    injections: int
    confirmed: int
    lost: int
    duplicated: int
    seed: int

    def line(self) -> str:
        """The summary line the issue asks for."""
        return (
            f"injections={self.injections} lost={self.lost} "
            f"duplicated={self.duplicated} seed={self.seed}"
        )


def _capture(node_url: str, write_fd: int, count: int) -> None:
    """In a child: take answers like the kiosk does; report each UUID once it is committed."""
    engine = make_engine(node_url, sqlite_synchronous="FULL")
    with Session(engine) as session:
        catalog = load_catalog(session)
        campaign = next(iter(catalog.campaigns.values()))
        place = catalog.locations["ehp"]
        question = next(q for q in campaign.questions if q.options)
        for n in range(count):
            answer = Answer(uuid.uuid4(), None, question, (question.options[n % 2].id,))
            record_answer(
                session,
                answer,
                campaign=campaign,
                location_id=place.id,
                channel="kiosk",
                queue=True,
            )
            session.commit()
            os.write(write_fd, answer.uuid.bytes)  # the thank-you screen: confirmed


def _sync_forever(node_url: str, central: str, token: str) -> None:
    engine = make_engine(node_url, sqlite_synchronous="FULL")
    transport = http_transport(central, token, timeout=5)
    sync(
        sessionmaker(engine),
        transport,
        batch_size=25,
        forever=True,
        idle_seconds=0.01,
        max_backoff=0.05,
        log=lambda _: None,
    )


def _fork(work: Callable[..., None], *args: object) -> int:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        try:
            work(*args)
        finally:
            os._exit(0)
    return pid


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def inject(
    *,
    node_url: str,
    central_url: str,
    central_db_url: str,
    token: str,
    central_workers: callable,
    injections: int,
    seed: int,  # type: ignore[valid-type]
) -> FaultReport:
    """Run the injections with this seed, then sync cleanly and compare."""
    rng = random.Random(seed)  # noqa: S311 - reproducible faults, not secrets
    confirmed: set[uuid.UUID] = set()
    for _ in range(injections):
        kind = rng.choice(("capture", "sync", "sync", "central"))
        if kind == "central":
            workers = central_workers()
            if workers:
                os.kill(rng.choice(workers), signal.SIGKILL)  # gunicorn's master starts another
            continue
        read_fd, write_fd = os.pipe()
        if kind == "capture":
            pid = _fork(_capture, node_url, write_fd, rng.randint(1, 8))
        else:
            pid = _fork(_sync_forever, node_url, central_url, token)
        os.close(write_fd)
        time.sleep(rng.uniform(0, 0.08))
        _kill(pid)
        data = b""
        while chunk := os.read(read_fd, 4096):
            data += chunk
        os.close(read_fd)
        confirmed.update(uuid.UUID(bytes=data[i : i + 16]) for i in range(0, len(data) - 15, 16))

    # Then the network and the processes behave: everything must arrive, once.
    engine = make_engine(node_url, sqlite_synchronous="FULL")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    for _ in range(50):
        try:
            sync(
                sessionmaker(engine),
                http_transport(central_url, token, timeout=10),
                batch_size=200,
                attempts=3,
                sleep=lambda _: time.sleep(0.2),
                log=lambda _: None,
            )
            break
        except SyncError:
            time.sleep(0.2)
    engine.dispose()
    central = sa.create_engine(central_db_url)
    with central.connect() as connection:
        rows = list(connection.execute(sa.select(Response.uuid)).scalars())
    central.dispose()
    on_central = set(rows)
    return FaultReport(
        injections, len(confirmed), len(confirmed - on_central), len(rows) - len(on_central), seed
    )

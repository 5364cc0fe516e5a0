"""Two real processes over HTTP: a kiosk node (SQLite) sends to central (gunicorn, PostgreSQL)."""

from __future__ import annotations

import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from flask import Flask
from sqlalchemy.orm import Session
from uuid6 import uuid7

from kiosk.cli import upgrade_database
from kiosk.models import COMMAND_LINE, Location, Outbox, Response
from kiosk.models.engine import make_engine
from kiosk.sync.devices import register_device
from kiosk.sync.node import SyncError, http_transport, sync
from kiosk.web import create_app, db
from tests.conftest import reload_demo

ROOT = Path(__file__).resolve().parent.parent
HX = {"HX-Request": "true"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def demo_on_postgres(url: str) -> None:
    """The schema and the demo, without sample visits, on a clean PostgreSQL database."""
    upgrade_database(url)
    engine = make_engine(url)
    reload_demo(engine)
    engine.dispose()


def wait_until_serving(base: str) -> None:
    """Wait (up to 10 s) until the server at base answers."""
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/", timeout=1)  # noqa: S310
            return
        except OSError:
            time.sleep(0.1)


@contextmanager
def serving_central(
    postgres_url: str, **settings: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Central on the demo on PostgreSQL, served by gunicorn's two workers: (URL, process).

    settings: more environment, e.g. KIOSK_ANSWERS_PER_CLIENT="40".
    """
    demo_on_postgres(postgres_url)
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--no-control-socket",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "KIOSK_DATABASE_URL": postgres_url,
            "KIOSK_SECRET_KEY": secrets.token_hex(32),
            **settings,
        },
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base)
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def central(postgres_url: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Central: the demo on PostgreSQL, served by gunicorn in its own process."""
    with serving_central(postgres_url) as served:
        yield served


@pytest.fixture
def node(
    tmp_path: Path, central: tuple[str, subprocess.Popen[bytes]], monkeypatch: pytest.MonkeyPatch
) -> Flask:
    """A kiosk node on its own, empty SQLite file: not enrolled, nothing configured yet."""
    monkeypatch.setattr("kiosk.core.config.INSTANCE_DIR", tmp_path)
    url = f"sqlite:///{tmp_path / 'node.sqlite3'}"
    upgrade_database(url)
    # Like a Pi set up by the guide: a node from the start, not told its central: `kiosk
    # enrol` writes that to instance/, where `kiosk sync` reads it.
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "SECRET_KEY": "n" * 64,
            "WTF_CSRF_ENABLED": False,
            "ROLE": "node",
            "KIOSK_COOLDOWN_SECONDS": 0,  # passers-by here answer faster than people can
        }
    )


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match
    return match.group(1)


def vote(node: Flask, times: int) -> None:
    """Passers-by at the node's kiosk answer the first question."""
    client = node.test_client()
    for n in range(times):
        screen = client.post("/k/ehp/begin", headers=HX).text
        option = re.findall(r'name="option" value="(\d+)"', screen)[n % 3]
        data = {k: hidden(screen, k) for k in ("visit", "uuid", "question")}
        answer = client.post("/k/ehp/answer", headers=HX, data={**data, "option": option})
        assert answer.status_code == 200, answer.text


def uuids(url: str) -> list[str]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = [str(u) for u in connection.execute(sa.select(Response.uuid)).scalars()]
    engine.dispose()
    return found


def run(node: Flask, *args: str) -> Result:
    result = node.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result


def register_kiosk(postgres_url: str, name: str) -> tuple[int, str]:
    """Register a kiosk at the square on central, as staff do; its id and enrolment code."""
    engine = make_engine(postgres_url)
    with Session(engine) as session:
        square = session.scalars(sa.select(Location).where(Location.code == "ehp")).one()
        device, code = register_device(
            session, name=name, location_id=square.id, actor=COMMAND_LINE
        )
        session.commit()
        device_id = device.id
    engine.dispose()
    return device_id, code


def test_a_node_enrols_and_hands_everything_to_central_once(
    node: Flask, central: tuple[str, subprocess.Popen[bytes]], postgres_url: str
) -> None:
    _, code = register_kiosk(postgres_url, "Kiosk am Platz")
    link = f"{central[0]}/enrol#{code}"  # what staff copy from the kiosks page
    assert "Enrolled as kiosk “Kiosk am Platz” at ehp." in run(node, "enrol", link).output
    assert node.test_client().get("/k/ehp").status_code == 404  # knows no places yet
    # The first sync brings central's configuration; the node can ask the questions.
    assert "sent=0" in run(node, "sync").output
    assert "WerkStadt – Leben in Jena Nord" in node.test_client().get("/k/ehp").text
    etag = (
        Path(str(node.config["DATABASE_URL"]).removeprefix("sqlite:///")).parent / "config_etag"
    ).read_text()

    vote(node, 7)
    node_url = node.config["DATABASE_URL"]
    assert len(uuids(node_url)) == 7
    assert "sent=7 acknowledged=7 held=0 remaining=0" in run(node, "sync").output
    assert sorted(uuids(postgres_url)) == sorted(uuids(node_url))
    assert "sent=0 acknowledged=0" in run(node, "sync").output  # nothing sent twice
    assert (
        etag
        == (
            Path(str(node.config["DATABASE_URL"]).removeprefix("sqlite:///")).parent / "config_etag"
        ).read_text()
    )  # unchanged configuration: a 304

    # Central goes away: the node keeps what it has and says so.
    central[1].terminate()
    central[1].wait(timeout=30)
    vote(node, 2)
    transport = http_transport(central[0], "any-token", timeout=2)
    with node.app_context(), pytest.raises(SyncError):
        sync(db.session_factory(), transport, attempts=2, sleep=lambda _: None, log=lambda _: None)
    with node.app_context():
        assert db.session().scalar(sa.select(sa.func.count()).select_from(Outbox)) == 2
    assert len(uuids(postgres_url)) == 7


def test_a_batch_file_carried_to_central_counts_once_even_with_a_later_sync(
    node: Flask,
    central: tuple[str, subprocess.Popen[bytes]],
    postgres_url: str,
    tmp_path: Path,
) -> None:
    device_id, code = register_kiosk(postgres_url, "Kiosk ohne Netz")
    run(node, "enrol", "--central", central[0], code)
    run(node, "sync")  # the configuration
    vote(node, 5)
    stick = tmp_path / "usb" / "kiosk.json"
    stick.parent.mkdir()
    assert "Wrote 5 answers" in run(node, "export-outbox", str(stick)).output

    office = create_app({"TESTING": True, "DATABASE_URL": postgres_url, "SECRET_KEY": "o" * 64})
    assert "stored=5 duplicate=0" in run(office, "import-batch", str(stick)).output
    assert "stored=0 duplicate=5" in run(office, "import-batch", str(stick)).output
    assert len(uuids(postgres_url)) == 5
    # The node still holds them until central acknowledges: its next sync finds them known.
    assert "sent=5 acknowledged=5 held=0 remaining=0" in run(node, "sync").output
    assert len(uuids(postgres_url)) == 5
    engine = make_engine(postgres_url)
    with Session(engine) as session:
        assert set(session.scalars(sa.select(Response.device_id))) == {device_id}
    engine.dispose()

    junk = tmp_path / "junk.json"
    junk.write_text("{}")
    refused = office.test_cli_runner().invoke(args=["import-batch", str(junk)])
    assert refused.exit_code == 1
    assert "not a batch file exported by a kiosk" in refused.output
    office.extensions["kiosk.engine"].dispose()


def test_the_same_batch_from_two_processes_at_once_counts_once(
    central: tuple[str, subprocess.Popen[bytes]], postgres_url: str
) -> None:
    import json
    import threading

    _, code = register_kiosk(postgres_url, "Kiosk")
    engine = make_engine(postgres_url)
    with engine.connect() as connection:
        question_id, option_id = connection.execute(
            sa.text("SELECT question_id, id FROM option ORDER BY id LIMIT 1")
        ).one()

    def post(path: str, body: dict[str, object], token: str = "") -> dict[str, object]:
        request = urllib.request.Request(  # noqa: S310 - our own server on loopback
            central[0] + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return dict(json.load(answer))

    token = str(post("/api/v1/enrol", {"code": code})["token"])
    batch = {
        "responses": [
            {
                "uuid": str(uuid7()),
                "location": "ehp",
                "question_id": question_id,
                "option_ids": [option_id],
            }
            for _ in range(200)
        ]
    }
    verdicts: list[list[str]] = []

    backwards = {"responses": list(reversed(batch["responses"]))}

    def sender(body: dict[str, object]) -> None:
        for _ in range(3):
            results = post("/api/v1/responses", body, token)["results"]
            verdicts.append([r["status"] for r in results])  # type: ignore[index, union-attr]

    # In opposite orders, too: central takes the counter rows' locks in one order regardless.
    threads = [threading.Thread(target=sender, args=(body,)) for body in (batch, backwards)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(verdicts) == 6
    stored = sum(statuses.count("stored") for statuses in verdicts)
    duplicate = sum(statuses.count("duplicate") for statuses in verdicts)
    assert (stored, duplicate) == (200, 1000)
    with engine.connect() as connection:
        counted = connection.execute(
            sa.text("SELECT count FROM option_count WHERE option_id = :o"), {"o": option_id}
        ).scalar()
        rows = connection.execute(sa.text("SELECT count(*) FROM response")).scalar()
    engine.dispose()
    assert (counted, rows) == (200, 200)

"""Benchmark sync: a kiosk node with many unsent answers hands them to central (gunicorn on
PostgreSQL), and a vote on the node while its outbox is full.

Usage: .venv/bin/python bench/sync.py [--unsent 200000] [--postgres URL]
Creates and drops its own PostgreSQL database; the node's SQLite file goes to bench/out/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import secrets
import statistics
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from uuid6 import uuid7

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

from bench.run import Gunicorn  # noqa: E402
from kiosk.cli import upgrade_database  # noqa: E402
from kiosk.models import COMMAND_LINE, Campaign, Location, Outbox, Response, ResponseOption  # noqa: E402
from kiosk.models.engine import make_engine  # noqa: E402
from kiosk.setup.demo import load_demo  # noqa: E402
from kiosk.sync.configuration import apply_config, config_document  # noqa: E402
from kiosk.sync.devices import enrol, register_device  # noqa: E402
from kiosk.sync.node import http_transport, sync  # noqa: E402
from kiosk.web import create_app  # noqa: E402


def fill_outbox(node_url: str, count: int) -> None:
    """count unsent kiosk answers, written in bulk as the node would have taken them."""
    engine = make_engine(node_url)
    with Session(engine) as session:
        campaign = session.scalars(sa.select(Campaign)).one()
        place = session.scalars(sa.select(Location).where(Location.code == "ehp")).one()
        choice = [
            (q.id, [(o.id, o.value) for o in q.options]) for q in campaign.questions if q.options
        ]
        campaign_id, place_id = campaign.id, place.id
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=14)
    with engine.begin() as connection:
        for first in range(0, count, 20_000):
            responses, picks, queued = [], [], []
            for n in range(first, min(count, first + 20_000)):
                question_id, options = choice[n % len(choice)]
                option_id, value = options[n % len(options)]
                responses.append(
                    {
                        "id": n + 1,
                        "uuid": uuid7(),
                        "visit_id": None,
                        "campaign_id": campaign_id,
                        "question_id": question_id,
                        "location_id": place_id,
                        "channel": "kiosk",
                        "source": None,
                        "device_id": None,
                        "value": value,
                        "text": None,
                        "wish_state": None,
                        "client_at": None,
                        "received_at": start + dt.timedelta(seconds=n * 6),
                        "answered_at": start + dt.timedelta(seconds=n * 6),  # on the node itself
                    }
                )
                picks.append({"response_id": n + 1, "option_id": option_id})
                queued.append({"response_id": n + 1, "held_reason": None})
            connection.execute(sa.insert(Response), responses)
            connection.execute(sa.insert(ResponseOption), picks)
            connection.execute(sa.insert(Outbox), queued)
    engine.dispose()


def central_alone(
    base: str,
    token: str,
    question_options: list[tuple[int, list[tuple[int, int | None]]]],
    *,
    batches: int,
    concurrency: int,
) -> float:
    """Central's own ingest rate: ready-made batches of new answers posted by light clients.

    The bodies are encoded before the clock starts, so what is measured is central: HTTP,
    parsing, validation, the inserts and counters, the commit, the verdicts.
    """
    answered_at = dt.datetime.now(dt.UTC).isoformat()
    bodies = []
    for b in range(batches):
        items = []
        for n in range(1000):
            question_id, options = question_options[(b + n) % len(question_options)]
            option_id, value = options[n % len(options)]
            items.append(
                {
                    "uuid": str(uuid7()),
                    "visit_id": None,
                    "location": "ehp",
                    "question_id": question_id,
                    "option_ids": [option_id],
                    "value": value,
                    "text": None,
                    "answered_at": answered_at,
                }
            )
        bodies.append(json.dumps({"responses": items, "node": {}}).encode())

    def post(body: bytes) -> int:
        request = urllib.request.Request(  # noqa: S310 - our own loopback server
            base + "/api/v1/responses",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310
            results = json.load(answer)["results"]
        return sum(1 for r in results if r["status"] == "stored")

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        stored = sum(pool.map(post, bodies))
    seconds = time.perf_counter() - began
    if stored != batches * 1000:
        raise SystemExit(f"central stored {stored} of {batches * 1000}")
    return stored / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unsent", type=int, default=200_000)
    parser.add_argument("--central-batches", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the central-alone part")
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    name = f"kiosk_bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    central_url = admin.url.set(database=name).render_as_string(hide_password=False)
    node_path = OUT / "node.sqlite3"
    for stale in OUT.glob("node.sqlite3*"):
        stale.unlink()
    node_url = f"sqlite:///{node_path}"
    server = None
    try:
        upgrade_database(central_url)
        central_engine = make_engine(central_url)
        with Session(central_engine) as session:
            load_demo(session, sample_visits=0, actor=COMMAND_LINE)
            place = session.scalars(sa.select(Location).where(Location.code == "ehp")).one()
            _, code = register_device(
                session, name="Bench", location_id=place.id, actor=COMMAND_LINE
            )
            _, token = enrol(session, code)
            document = config_document(session)
            session.commit()
        upgrade_database(node_url)
        node_engine = make_engine(node_url, sqlite_synchronous="FULL")
        with Session(node_engine) as session:
            apply_config(session, document)
            session.commit()
        began = time.perf_counter()
        fill_outbox(node_url, args.unsent)
        print(
            f"node: {args.unsent:,} unsent answers written in {time.perf_counter() - began:.1f} s"
        )

        server = Gunicorn(
            "wsgi:app",
            {"KIOSK_DATABASE_URL": central_url, "KIOSK_SECRET_KEY": secrets.token_hex(32)},
        )
        base = server.base

        # A vote on the node while the outbox is full (p95 of 200 votes, in process).
        node_app = create_app(
            {
                "DATABASE_URL": node_url,
                "SECRET_KEY": "b" * 64,
                "ROLE": "node",
                "WTF_CSRF_ENABLED": False,
            }
        )
        client = node_app.test_client()
        latencies = []
        for _ in range(200):
            screen = client.post("/k/ehp/begin", headers={"HX-Request": "true"}).text
            fields = {
                k: re.search(rf'name="{k}" value="([^"]*)"', screen).group(1)
                for k in ("visit", "uuid", "question")
            }
            option = re.search(r'name="option" value="(\d+)"', screen).group(1)
            began = time.perf_counter()
            client.post(
                "/k/ehp/answer", headers={"HX-Request": "true"}, data={**fields, "option": option}
            )
            latencies.append((time.perf_counter() - began) * 1000)
        node_app.extensions["kiosk.engine"].dispose()
        p95 = statistics.quantiles(latencies, n=20)[-1]
        print(
            f"node: vote with {args.unsent:,} queued, p50 {statistics.median(latencies):.1f} ms"
            f", p95 {p95:.1f} ms (target < 50 ms)"
        )

        began = time.perf_counter()
        report = sync(
            sessionmaker(node_engine),
            http_transport(base, token, timeout=120),
            batch_size=1000,
            log=print,
        )
        seconds = time.perf_counter() - began
        print(
            f"sync: sent={report.sent:,} acknowledged={report.acknowledged:,} "
            f"held={report.held:,} remaining={report.remaining} in {seconds:.1f} s = "
            f"{report.sent / seconds:,.0f} "
            "answers/s (targets: all 200,000 in < 20 s; >= 20,000/s)"
        )
        with central_engine.connect() as connection:
            stored = connection.execute(sa.text("SELECT count(*) FROM response")).scalar()
        print(f"central: {stored:,} responses stored")

        with Session(central_engine) as session:
            campaign = session.scalars(sa.select(Campaign)).one()
            question_options = [
                (q.id, [(o.id, o.value) for o in q.options])
                for q in campaign.questions
                if q.options
            ]
        # The 200,000 just written leave a checkpoint to do; let it pass before measuring.
        with central_engine.connect() as connection:
            connection.execute(sa.text("CHECKPOINT"))
        hello = Gunicorn("bench.hello:app", {})
        try:
            for round_ in range(1, args.rounds + 1):
                for concurrency in (1, 2):
                    ceiling = central_alone(
                        hello.base,
                        token,
                        question_options,
                        batches=args.central_batches,
                        concurrency=concurrency,
                    )
                    rate = central_alone(
                        base,
                        token,
                        question_options,
                        batches=args.central_batches,
                        concurrency=concurrency,
                    )
                    print(
                        f"central alone, round {round_}: {args.central_batches} batches of 1,000 "
                        f"new answers, {concurrency} at a time: {rate:,.0f} answers/s "
                        f"= {rate / ceiling:.0%} of Flask parsing the same batches and answering "
                        f"verdicts without storing ({ceiling:,.0f}/s) (target >= 20,000/s)"
                    )
        finally:
            hello.stop()
        node_engine.dispose()
        central_engine.dispose()
    finally:
        if server is not None:
            server.stop()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()

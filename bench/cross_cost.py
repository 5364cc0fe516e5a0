"""What the cross-tab counter's triggers (migration 0018) cost, with and without them in the
same run: central taking sync batches of 1,000 answers on PostgreSQL (on a new database, then
after ANALYZE), and one answer at a time on SQLite, as the table grows.

Usage: .venv/bin/python bench/cross_cost.py [--postgres URL] [--rounds 10]
PostgreSQL gets a database of its own (dropped afterwards); SQLite a temporary file.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.cli import upgrade_database  # noqa: E402
from kiosk.collect.answers import Answer, record_answer  # noqa: E402
from kiosk.collect.catalog import load_catalog  # noqa: E402
from kiosk.models import COMMAND_LINE, Device, Location, Response  # noqa: E402
from kiosk.models.counters import SQLITE_CROSS_TRIGGERS  # noqa: E402
from kiosk.models.engine import make_engine  # noqa: E402
from kiosk.setup.demo import load_demo  # noqa: E402
from kiosk.sync.devices import enrol, register_device  # noqa: E402
from kiosk.sync.ingest import ingest  # noqa: E402

PG_TRIGGERS = (("response", "response_cross"), ("response_option", "response_option_cross"))


def demo_with_device(url: str) -> tuple[sa.Engine, int]:
    upgrade_database(url)
    engine = make_engine(url)
    with Session(engine) as session:
        load_demo(session, sample_visits=0, actor=COMMAND_LINE)
        place = session.scalars(sa.select(Location).where(Location.code == "ehp")).one()
        _, code = register_device(session, name="Pi", location_id=place.id, actor=COMMAND_LINE)
        device, _ = enrol(session, code)
        session.commit()
        return engine, device.id


def batches(engine: sa.Engine, rng: random.Random, count: int) -> list[list[dict]]:
    """Batches of 1,000 answers from whole visits (the age question among them)."""
    with Session(engine) as session:
        campaign = next(iter(load_catalog(session).campaigns.values()))
        questions = [q for q in campaign.questions if q.options]
    out = []
    for _ in range(count):
        items: list[dict] = []
        while len(items) < 1000:
            visit = str(uuid.uuid4())
            for q in questions:
                option = rng.choice(q.options)
                items.append({"uuid": str(uuid.uuid4()), "visit_id": visit, "location": "ehp",
                              "question_id": q.id, "option_ids": [option.id],
                              "value": option.value})  # fmt: skip
        out.append(items[:1000])
    return out


def ingest_rate(engine: sa.Engine, device_id: int, work: list[list[dict]]) -> float:
    took = 0.0
    for items in work:
        with Session(engine) as session:
            device, catalog = session.get_one(Device, device_id), load_catalog(session)
            began = time.perf_counter()
            ingest(session, catalog, device, items, wish_max_chars=280)
            session.commit()
            took += time.perf_counter() - began
    return sum(map(len, work)) / took


def postgresql(admin_url: str, rounds: int) -> None:
    name = f"kiosk_cross_cost_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        engine, device_id = demo_with_device(url)
        rng = random.Random(1)
        fresh = ingest_rate(engine, device_id, batches(engine, rng, 5))
        print(f"PostgreSQL, a new database: {fresh:,.0f} answers/s with the triggers")
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")

        def switch(state: str) -> None:
            with engine.begin() as connection:
                for table, trigger in PG_TRIGGERS:
                    connection.exec_driver_sql(f"ALTER TABLE {table} {state} TRIGGER {trigger}")

        for _ in range(2):
            with_ = ingest_rate(engine, device_id, batches(engine, rng, rounds))
            switch("DISABLE")
            without = ingest_rate(engine, device_id, batches(engine, rng, rounds))
            switch("ENABLE")
            print(f"PostgreSQL, after ANALYZE: {with_:,.0f} answers/s with, {without:,.0f} without")
        engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def sqlite(answers: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine, _ = demo_with_device(f"sqlite:///{folder}/cost.sqlite3")
        rng = random.Random(2)

        def per_answer() -> float:
            with Session(engine) as session:
                campaign = next(iter(load_catalog(session).campaigns.values()))
                place = session.scalar(sa.select(Location.id).where(Location.code == "ehp"))
                questions = [q for q in campaign.questions if q.options]
                began, visit = time.perf_counter(), uuid.uuid4()
                for n in range(answers):
                    if n % len(questions) == 0:
                        visit = uuid.uuid4()
                    q = questions[n % len(questions)]
                    option = rng.choice(q.options)
                    answer = Answer(uuid.uuid4(), visit, q, (option.id,), option.value)
                    record_answer(session, answer, campaign=campaign, location_id=place,
                                  channel="kiosk")  # fmt: skip
                    session.commit()
                return (time.perf_counter() - began) / answers * 1000

        def rows() -> int:
            with Session(engine) as session:
                return int(session.scalar(sa.select(sa.func.count()).select_from(Response)) or 0)

        def switch(make: Callable[[sa.Connection], None]) -> None:
            with engine.begin() as connection:
                make(connection)

        def drop(connection: sa.Connection) -> None:
            for name in ("response_cross", "response_option_cross", "response_option_regroup"):
                connection.exec_driver_sql(f"DROP TRIGGER {name}")

        def create(connection: sa.Connection) -> None:
            for statement in SQLITE_CROSS_TRIGGERS:
                connection.exec_driver_sql(statement)

        for _ in range(2):
            with_ = per_answer()
            switch(drop)
            without = per_answer()
            switch(create)
            print(f"SQLite, an answer and its commit ({rows():,} rows): "
                  f"{with_:.3f} ms with, {without:.3f} ms without")  # fmt: skip
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--rounds", type=int, default=10, help="batches of 1,000 per measure")
    parser.add_argument("--answers", type=int, default=3000, help="SQLite answers per measure")
    args = parser.parse_args()
    postgresql(args.postgres, args.rounds)
    sqlite(args.answers)


if __name__ == "__main__":
    main()

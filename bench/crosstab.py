"""Time the cross-tab (who chose what, by age group) against the counter-based tally, in the
same run, on SQLite and PostgreSQL: 100,000 visits of 4 answers each at one place.

Usage: .venv/bin/python bench/crosstab.py [--visits 100000] [--pg-visits 20000] [--postgres URL]
(PostgreSQL gets fewer visits by default: its counter triggers make the fill slow, not the
query.)
The SQLite file goes to bench/out/; PostgreSQL gets a database of its own, dropped after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

from kiosk.cli import upgrade_database  # noqa: E402
from kiosk.models import COMMAND_LINE, Campaign, QuestionKind, Response, ResponseOption  # noqa: E402
from kiosk.models.engine import make_engine  # noqa: E402
from kiosk.results.crosstab import cross_tabs  # noqa: E402
from kiosk.results.tallies import load_scope, tally  # noqa: E402
from kiosk.setup.demo import load_demo  # noqa: E402

BENCH_TIME = dt.datetime(2026, 9, 1, 10, tzinfo=dt.UTC)


def fill(url: str, visits: int) -> None:
    """The demo, and `visits` people at the square answering the four choice questions."""
    upgrade_database(url)
    engine = make_engine(url)
    with Session(engine) as session:
        load_demo(session, sample_visits=0, actor=COMMAND_LINE)
        campaign = session.scalars(sa.select(Campaign)).one()
        square = campaign.locations[0].id
        plan = [
            (q.id, [o.id for o in q.options])
            for q in campaign.questions
            if q.kind != QuestionKind.WISH
        ]
        campaign_id = campaign.id
        session.commit()
    rng = random.Random(7)
    next_id = 1
    with engine.begin() as connection:
        for start in range(0, visits, 5_000):
            responses, picks = [], []
            for _ in range(start, min(visits, start + 5_000)):
                visit = uuid.uuid4()
                for question_id, options in plan:
                    responses.append(
                        {
                            "id": next_id,
                            "uuid": uuid.uuid4(),
                            "visit_id": visit,
                            "campaign_id": campaign_id,
                            "question_id": question_id,
                            "location_id": square,
                            "channel": "kiosk",
                            "received_at": BENCH_TIME,
                        }
                    )
                    picks.append({"response_id": next_id, "option_id": rng.choice(options)})
                    next_id += 1
            connection.execute(sa.insert(Response), responses)
            connection.execute(sa.insert(ResponseOption), picks)
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    engine.dispose()


def timed(engine: sa.Engine, runs: int) -> tuple[float, float]:
    """Median milliseconds of the tally and of the cross-tab of the square."""
    tally_ms, cross_ms = [], []
    with Session(engine) as session:
        scope = load_scope(session, "location", 1)
        for _ in range(runs):
            begin = time.perf_counter()
            tallies = tally(session, scope)
            middle = time.perf_counter()
            found = cross_tabs(session, scope, [t.campaign for t in tallies])
            end = time.perf_counter()
            if not found or sum(found[0].tables[0].answers) == 0:
                raise SystemExit("the cross-tab came back empty")
            tally_ms.append((middle - begin) * 1000)
            cross_ms.append((end - middle) * 1000)
            session.expire_all()
    return statistics.median(tally_ms), statistics.median(cross_ms)


def main() -> None:
    """Fill each database, time both, print the figures and the ratio."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=100_000)
    parser.add_argument("--pg-visits", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    path = OUT / "crosstab.sqlite3"
    path.unlink(missing_ok=True)
    targets = {"sqlite": f"sqlite:///{path}"}
    admin = sa.create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    name = f"kiosk_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    targets["postgresql"] = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        for kind, url in targets.items():
            visits = args.visits if kind == "sqlite" else args.pg_visits
            began = time.perf_counter()
            fill(url, visits)
            filled = time.perf_counter() - began
            engine = make_engine(url)
            tally_ms, cross_ms = timed(engine, args.runs)
            engine.dispose()
            responses = visits * 4
            print(
                f"{kind}: {responses:,} responses ({visits:,} visits,"
                f" filled in {filled:.0f} s):"
                f" tally {tally_ms:.1f} ms, cross-tab {cross_ms:.1f} ms"
                f" = {cross_ms / tally_ms:.0f}x the tally (median of {args.runs})"
            )
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()

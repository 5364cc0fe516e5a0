"""The benchmark that cannot lie: load through HTTP with wrk, then count what arrived.

Scenarios, on SQLite and PostgreSQL (each database built once per size and kept):

  phone     a whole phone response as after a poster scan, every phone a fresh cookie jar:
            GET /q/<place>, POST a vote with htmx, POST a wish; at 1 and at 8 clients
  kiosk     a kiosk visit on a node (ROLE=node, its own SQLite): start page, begin, an
            answer to each question, the thank-you screen; 1 client (a node has one screen)
  pages     every staff results page, the public walls and the kiosk loop at the big place,
            1 connection
  export    the raw CSV of 10,000 and of 100,000 answers (one worker: the median of three
            downloads, its peak memory; the CSV parsed and checked against the database)
  sync      batches of 1,000 answers from a kiosk node (device token), and one sent again

Every write scenario counts the answers the server confirmed as stored (status and the
screen that follows a stored answer, never a refusal), then finds the rows that arrived in
the database after it began, by UUID (place, channel, poster and device too), and FAILS when
they differ; the counters the results pages read (answer_count, hour_count) must have grown
by the same number. Answers on the wire when wrk stopped are known by UUID and reported
apart. Each page must be the page (a marker, not the login form). A Flask hello world is
measured with the same wrk script in the same run; rates are given as shares of it.

The databases (bench/data.py) are built once per size and kept: SQLite in bench/out/,
PostgreSQL as kiosk_bench_<size> on --postgres. A kept one is brought up to the current
schema, or built afresh when a migration it was built with has changed since. The bench's
own answers stay in it (the table shows the live count; --rebuild starts afresh).

Usage: .venv/bin/python bench/run.py [--responses 1000000] [--database sqlite|postgresql|both]
       [--seconds 5] [--rebuild] [--postgres URL] [--workers 2]
   the 10M run: .venv/bin/python bench/run.py --responses 10000000 (the builds take minutes)
Needs wrk (apt-get install wrk). Exit status 1 when a check FAILS; a MISS of a speed target
does not fail the run. Results: the table on stdout and bench/out/latest.json.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import http.cookiejar
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import textwrap
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent
LUA = ROOT / "bench" / "load.lua"
sys.path.insert(0, str(ROOT))

from uuid6 import uuid7  # noqa: E402

from bench.data import POSTERS, SPRING_TITLE, Built, build_node, ensure, label  # noqa: E402
from kiosk.models import COMMAND_LINE, Area, Campaign, Device, Location, QuestionKind  # noqa: E402
from kiosk.models.engine import make_engine  # noqa: E402
from kiosk.printing.posters import poster_key, poster_token  # noqa: E402
from kiosk.safety.safeguards import VOTER_COOKIE  # noqa: E402
from kiosk.setup.demo import DEMO_EMAIL, DEMO_PASSWORD  # noqa: E402
from kiosk.sync.devices import enrol, new_enrolment  # noqa: E402

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# The safeguards that would turn the bench's load away, switched off through the environment.
# One answer per phone stays on: every simulated phone has a cookie jar of its own.
SAFEGUARDS_OFF = {
    "KIOSK_ANSWERS_PER_CLIENT": "0",  # answers per network in 10 minutes (300)
    "KIOSK_LOGINS_PER_CLIENT": "0",  # staff login attempts per network (30)
    "KIOSK_KIOSK_COOLDOWN_SECONDS": "0",  # a kiosk counts one answer per question per 5 s
}
PAGE_TARGET_MS = 5.0
EXPORT_TARGET_S = 0.5
EXPORT_MEMORY_MB = 20.0
SLOW_PAGE_S = 2.0  # a page slower than this is timed by three fetches instead of wrk
EXPORT_TIMES = 3  # downloads of each export: the median is reported
GUNICORN_TIMEOUT = 30  # gunicorn's default, as deployed: a longer request is killed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Gunicorn:
    """gunicorn with sync workers on a free loopback port, stopped on exit."""

    def __init__(
        self,
        target: str,
        env: dict[str, str],
        workers: int = 2,
        *,
        timeout: int | None = None,
    ) -> None:
        self.port = free_port()
        self.env = env
        command = [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-control-socket",
        ]
        if timeout is not None:
            command += ["--timeout", str(timeout)]
        self.process = subprocess.Popen([*command, target], cwd=ROOT, env={**os.environ, **env})
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(self.base + "/", timeout=5)  # noqa: S310
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn {target} did not start")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def stop(self) -> None:
        """SIGTERM (gunicorn waits up to 30 s for requests in progress), then SIGKILL for
        this server's own master and workers, by their ids."""
        if self.process.poll() is not None:
            return
        try:
            workers = self.worker_pids()
        except OSError:
            workers = []
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=45)
        except subprocess.TimeoutExpired:
            for pid in workers:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.process.kill()
            self.process.wait(timeout=30)


# --- the report --------------------------------------------------------------------------------


@dataclass
class Report:
    """The table's rows (scenario, database, measure, target, verdict) and the raw figures."""

    rows: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    def add(
        self, scenario: str, database: str, measure: str, target: str = "", verdict: str = ""
    ) -> None:
        self.rows.append((scenario, database, measure, target, verdict))
        line = f"  {scenario} [{database}] {measure}"
        print(line + (f"  (target {target}: {verdict})" if target or verdict else ""), flush=True)

    def check(self, scenario: str, database: str, measure: str, target: str, ok: bool) -> None:
        """A correctness check: PASS or FAIL (a FAIL makes the run exit 1)."""
        self.add(scenario, database, measure, target, "PASS" if ok else "FAIL")

    def speed(self, scenario: str, database: str, measure: str, target: str, ok: bool) -> None:
        """A speed target: PASS or MISS."""
        self.add(scenario, database, measure, target, "PASS" if ok else "MISS")

    @property
    def failed(self) -> bool:
        return any(row[4] == "FAIL" for row in self.rows)

    def table(self, measure_width: int = 96) -> str:
        """The rows as a text table, long measures wrapped within their column."""
        header = ("scenario", "database", "measure", "target", "verdict")
        wrapped = [
            (row, textwrap.wrap(row[2], measure_width) or [""]) for row in [header, *self.rows]
        ]
        widths = [max(len(str(row[i])) for row, _ in wrapped) for i in range(5)]
        widths[2] = max(len(line) for _, lines in wrapped for line in lines)
        lines = []
        for number, (row, measure) in enumerate(wrapped):
            for index, part in enumerate(measure):
                cells = (*row[:2], part, *row[3:]) if index == 0 else ("", "", part, "", "")
                lines.append(
                    "  ".join(str(c).ljust(widths[i]) for i, c in enumerate(cells)).rstrip()
                )
            if number == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)


def percentile(values: list[float], percent: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(percent / 100 * len(ordered)) - 1))]


def latencies_ms(samples_us: list[float]) -> dict[str, float]:
    return {f"p{p}": percentile(samples_us, p) / 1000 for p in (50, 90, 99)} | {
        "n": len(samples_us)
    }


def fmt_ms(figures: dict[str, float]) -> str:
    return f"p50 {figures['p50']:.1f} / p90 {figures['p90']:.1f} / p99 {figures['p99']:.1f} ms"


# --- wrk ---------------------------------------------------------------------------------------


def wrk(base: str, mode: str, *, clients: int, seconds: float, env: dict[str, str]) -> dict:
    """Run bench/load.lua in wrk with one connection per thread; return its JSON."""
    command = [
        "wrk",
        "-t",
        str(clients),
        "-c",
        str(clients),
        "-d",
        f"{seconds:g}s",
        "--timeout",
        "60s",
        "-s",
        str(LUA),
        base + "/",
    ]
    completed = subprocess.run(
        command,
        capture_output=True,
        text=True,
        errors="replace",
        env={**os.environ, **env, "BENCH_MODE": mode},
        timeout=seconds + 180,
        check=False,
    )
    line = next((x for x in completed.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if completed.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed:\n{completed.stdout}\n{completed.stderr}")
    result = json.loads(line.removeprefix("BENCH_JSON "))
    for name in ("counts", "samples", "errors"):
        if not isinstance(result.get(name), dict):
            result[name] = {}
    for name in ("stored", "unknown", "problems"):
        if not isinstance(result.get(name), list):
            result[name] = []
    result["seconds"] = result["duration_us"] / 1e6
    result["socket_errors"] = sum(int(v) for v in result["errors"].values())
    return result


def wrk_summary(result: dict) -> str:
    errors = ", ".join(f"{k} {v}" for k, v in result["errors"].items() if v)
    return f"socket errors: {errors}" if errors else "no socket errors"


# --- the database side of the checks ------------------------------------------------------------


def hexed(value: Any) -> str:
    """A UUID as 32 lower-case hex digits, however the database or the page wrote it."""
    return str(value).replace("-", "").lower()


def max_id(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM response").scalar())


def settle(engine: sa.Engine, after: int) -> None:
    """Wait until no more rows arrive (a request on the wire when wrk stopped finishes)."""
    last, stable_since = -1, time.monotonic()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            now = int(
                connection.exec_driver_sql(
                    "SELECT count(*) FROM response WHERE id > ?"
                    if engine.dialect.name == "sqlite"
                    else "SELECT count(*) FROM response WHERE id > %s",
                    (after,),
                ).scalar()
            )
        if now != last:
            last, stable_since = now, time.monotonic()
        elif time.monotonic() - stable_since > 0.7:
            return
        time.sleep(0.2)


def arrived(engine: sa.Engine, after: int) -> list[tuple[str, int, str, str | None, int | None]]:
    """(uuid, place, channel, source, device) of every response stored after id `after`."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT uuid, location_id, channel, source, device_id FROM response "
                "WHERE id > :after ORDER BY id"
            ),
            {"after": after},
        ).all()
    return [(hexed(u), loc, ch, src, dev) for u, loc, ch, src, dev in rows]


@dataclass
class Arrival:
    """Answers confirmed by the server against the rows that arrived."""

    successes: int
    rows: int
    from_unknown: int  # rows of answers whose response never came back (wrk stopped)
    missing: int  # confirmed, but no row
    unexpected: int  # a row nobody sent, or sent twice
    misplaced: int  # a row at another place, channel, poster or device than sent
    duplicates: int  # a UUID confirmed twice
    examples: dict[str, list[str]] = field(default_factory=dict)  # the first offending UUIDs

    @property
    def ok(self) -> bool:
        return (
            self.rows - self.from_unknown == self.successes
            and not self.missing
            and not self.unexpected
            and not self.misplaced
            and not self.duplicates
        )

    def measure(self) -> str:
        text = (
            f"rows stored {self.rows - self.from_unknown:,}, successes counted {self.successes:,}"
        )
        if self.from_unknown:
            text += f" (+{self.from_unknown} stored from requests on the wire when wrk stopped)"
        for name in ("missing", "unexpected", "misplaced", "duplicates"):
            if getattr(self, name):
                text += f"; {name} {getattr(self, name)}"
        return text


def compare_arrivals(
    rows: list[tuple[str, int, str, str | None, int | None]],
    confirmed: list[tuple[str, str | None]],
    unknown: list[str],
    *,
    location_id: int,
    channel: str,
    device_id: int | None = None,
) -> Arrival:
    """Match the confirmed answers (uuid, poster label) with the rows that arrived."""
    sent = {hexed(u): source for u, source in confirmed}
    lost = {hexed(u) for u in unknown}
    found = {row[0]: row for row in rows}
    missing = [u for u in sent if u not in found]
    unexpected = [u for u in found if u not in sent and u not in lost]
    misplaced = [
        u
        for u, source in sent.items()
        if u in found and found[u][1:] != (location_id, channel, source, device_id)
    ]
    return Arrival(
        successes=len(confirmed),
        rows=len(rows),
        from_unknown=sum(1 for u in found if u in lost and u not in sent),
        missing=len(missing),
        unexpected=len(unexpected) + (len(rows) - len(found)),
        misplaced=len(misplaced),
        duplicates=len(confirmed) - len(sent),
        examples={
            "missing": missing[:5],
            "unexpected": [f"{u} {found[u][1:]}" for u in unexpected[:5]],
            "misplaced": [f"{u} {found[u][1:]} sent {sent[u]!r}" for u in misplaced[:5]],
        },
    )


def counters(engine: sa.Engine, location_id: int, channel: str) -> tuple[int, int]:
    """What the tally and the charts read for a place: its answers through a channel
    (answer_count) and its answers per hour (hour_count)."""
    with engine.connect() as connection:
        answers = connection.execute(
            sa.text(
                "SELECT coalesce(sum(count), 0) FROM answer_count "
                "WHERE location_id = :place AND channel = :channel"
            ),
            {"place": location_id, "channel": channel},
        ).scalar()
        hours = connection.execute(
            sa.text("SELECT coalesce(sum(count), 0) FROM hour_count WHERE location_id = :place"),
            {"place": location_id},
        ).scalar()
    return int(answers), int(hours)


def counted(before: tuple[int, int], after: tuple[int, int], rows: int) -> tuple[str, bool]:
    """The counters' growth against the rows that arrived: the measure and whether it holds."""
    answers, hours = after[0] - before[0], after[1] - before[1]
    return f"answer_count +{answers:,}, hour_count +{hours:,}", answers == hours == rows


def refusals(engine: sa.Engine) -> int:
    """Answers the safeguards turned away so far (all places and days)."""
    with engine.connect() as connection:
        return int(
            connection.exec_driver_sql("SELECT coalesce(sum(count), 0) FROM refusal_count").scalar()
        )


@dataclass(frozen=True)
class Layout:
    """Where things are in a bench database."""

    places: dict[str, int]
    area: int
    werkstadt: int
    wish_question: int
    device: int
    choice: tuple[tuple[int, str, tuple[tuple[int, int | None], ...]], ...]


def read_layout(engine: sa.Engine) -> Layout:
    with Session(engine) as session:
        places = {loc.code: loc.id for loc in session.scalars(sa.select(Location))}
        area = session.scalars(sa.select(Area).where(Area.name == "Jena Nord")).one()
        werkstadt = session.scalars(
            sa.select(Campaign).where(Campaign.title != SPRING_TITLE).order_by(Campaign.id)
        ).first()
        if werkstadt is None:
            raise SystemExit("the bench database has no WerkStadt campaign")
        questions = sorted(werkstadt.questions, key=lambda q: q.position)
        wish = next(q for q in questions if q.kind == QuestionKind.WISH)
        device = session.scalars(
            sa.select(Device).where(Device.location_id == places["ehp"]).order_by(Device.id)
        ).first()
        if device is None:
            raise SystemExit("the bench database has no kiosk device at ehp")
        choice = tuple(
            (q.id, str(q.kind), tuple((o.id, o.value) for o in q.options))
            for q in questions
            if q.options
        )
        return Layout(places, area.id, werkstadt.id, wish.id, device.id, choice)


# --- HTTP helpers --------------------------------------------------------------------------------


def login(base: str) -> tuple[urllib.request.OpenerDirector, str]:
    """Log in as the demo staff user; return the opener and its Cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/staff/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrf_token": token, "email": DEMO_EMAIL, "password": DEMO_PASSWORD}
    ).encode()
    landing = opener.open(base + "/staff/login", data=data).read().decode()
    if 'name="password"' in landing:
        raise SystemExit("could not log in as the demo user")
    return opener, "; ".join(f"{c.name}={c.value}" for c in jar)


def memory_kb(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    return {
        name: int(re.search(rf"{name}:\s+(\d+) kB", status).group(1))
        for name in ("VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem")
    }


def reset_peak(pid: int) -> bool:
    """Reset the process's VmHWM to its current RSS (Linux: clear_refs 5)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


# --- scenarios -----------------------------------------------------------------------------------


def hello_ceiling(report: Report, hello: Gunicorn, seconds: float) -> dict[int, float]:
    """Flask's hello world through the same wrk script, at 1 and at 8 connections."""
    env = {"BENCH_PATH": "/", "BENCH_MARKER": "Hallo"}
    wrk(hello.base, "get", clients=2, seconds=1, env=env)  # warm up
    # As BASELINES.md measured it: plain wrk (no script), 2 threads, 10 connections.
    plain = subprocess.run(
        ["wrk", "-t", "2", "-c", "10", "-d", f"{seconds:g}s", "--latency", hello.base + "/"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    plain_rps = float(re.search(r"Requests/sec:\s+([\d.]+)", plain).group(1))
    report.figures.setdefault("hello", {})["plain_t2_c10"] = {"rps": plain_rps}
    report.add(
        "hello, plain wrk -t2 -c10",
        "-",
        f"{plain_rps:,.0f} req/s (no script, as BASELINES.md measured; the rows below use the "
        "bench's own script, whose work per request shares the 2 cores)",
    )
    rates = {}
    for clients in (1, 8):
        result = wrk(hello.base, "get", clients=clients, seconds=seconds, env=env)
        ok = result["counts"].get("ok", 0)
        rates[clients] = ok / result["seconds"]
        lat = latencies_ms(result["samples"].get("get", []))
        report.figures.setdefault("hello", {})[f"c{clients}"] = {"rps": rates[clients], **lat}
        report.add(
            f"hello ceiling c{clients}",
            "-",
            f"{rates[clients]:,.0f} req/s, {fmt_ms(lat)}; {wrk_summary(result)}",
        )
    return rates


def phones(
    report: Report,
    db: str,
    app: Gunicorn,
    engine: sa.Engine,
    layout: Layout,
    secret: str,
    *,
    clients: int,
    seconds: float,
    hello: dict[int, float],
    late: set[str],
) -> None:
    """Whole phone responses (GET + vote + wish), every phone a fresh cookie jar."""
    name = f"phone c{clients}"
    key = poster_key(secret)
    env = {
        "BENCH_PLACE": "ehp",
        "BENCH_ORIGIN": app.base,
        "BENCH_VOTER_COOKIE": VOTER_COOKIE,
        "BENCH_WISH_QUESTION": str(layout.wish_question),
        "BENCH_POSTERS": ",".join(f"{p}={poster_token(key, 'ehp', p)}" for p in POSTERS),
    }
    refused_before = refusals(engine)
    counters_before = counters(engine, layout.places["ehp"], "qr")
    before = max_id(engine)
    result = wrk(app.base, "phone", clients=clients, seconds=seconds, env=env)
    settle(engine, before)
    counts = result["counts"]
    confirmed = [(u, src or None) for u, _, src in (s.partition(" ") for s in result["stored"])]
    rows = arrived(engine, before)
    growth, counters_ok = counted(
        counters_before, counters(engine, layout.places["ehp"], "qr"), len(rows)
    )
    check = compare_arrivals(
        rows,
        confirmed,
        [*result["unknown"], *late],
        location_id=layout.places["ehp"],
        channel="qr",
    )
    late.update(hexed(u) for u in result["unknown"])
    refused = refusals(engine) - refused_before
    whole = counts.get("phones", 0) / result["seconds"]
    requests = counts.get("responses", 0) / result["seconds"]
    samples = result["samples"]
    lat = {kind: latencies_ms(samples.get(kind, [])) for kind in ("page", "vote", "wish")}
    everything = latencies_ms(
        [us for kind in ("page", "vote", "wish") for us in samples.get(kind, [])]
    )
    report.figures.setdefault(db, {})[name] = {
        "phones_per_s": whole,
        "requests_per_s": requests,
        "share_of_hello": requests / hello[clients],
        "latency_ms": {**lat, "all": everything},
        "counts": counts,
        "errors": result["errors"],
        "arrival": check.__dict__,
        "refusals_counted_by_the_app": refused,
        "problems": result["problems"],
    }
    report.add(
        name,
        db,
        f"{whole:,.0f} whole phone responses/s ({requests:,.0f} req/s = "
        f"{requests / hello[clients]:.0%} of hello c{clients}); request latency "
        f"{fmt_ms(everything)} (page p50 {lat['page']['p50']:.1f}, vote p50 "
        f"{lat['vote']['p50']:.1f}, wish p50 {lat['wish']['p50']:.1f} ms); {wrk_summary(result)}",
    )
    held = {
        kind: (counts.get(f"{kind}_with_id_cookie", 0), counts.get(f"{kind}_without_id_cookie", 0))
        for kind in ("vote", "wish")
    }
    report.add(
        name,
        db,
        f"the phone's id cookie ({VOTER_COOKIE}) was in its jar for {held['vote'][0]:,} of "
        f"{sum(held['vote']):,} votes and {held['wish'][0]:,} of {sum(held['wish']):,} wishes "
        "(wrk passes a script only the last Set-Cookie of the question page: the session's)",
    )
    bad = sum(v for k, v in counts.items() if k.startswith("bad_"))
    report.check(
        name,
        db,
        f"unexpected responses {bad} (of {counts.get('responses', 0):,}); refusals the app "
        f"counted {refused}" + (f"; first: {result['problems'][0][:160]}" if bad else ""),
        "0 and 0",
        bad == 0 and refused == 0,
    )
    report.check(
        name,
        db,
        check.measure()
        + f" (votes {counts.get('vote_stored', 0):,} + wishes {counts.get('wish_stored', 0):,})"
        + f"; {growth}",
        "rows == successes == counted",
        check.ok and check.successes > 0 and counters_ok,
    )


PAGES = (
    # (name, path, marker): the marker shows the page rendered what it is for.
    ("staff overview", "/staff/", 'href="/staff/location/{ehp}"'),
    ("results: place", "/staff/location/{ehp}", 'class="card question-tally"'),
    ("compare: place", "/staff/location/{ehp}/compare", 'class="table crosstab"'),
    ("report: place", "/staff/location/{ehp}/report", 'class="page report-page"'),
    ("results: area", "/staff/area/{area}", 'class="card question-tally"'),
    ("results: campaign", "/staff/campaign/{werkstadt}", 'class="card question-tally"'),
    ("compare: campaign", "/staff/campaign/{werkstadt}/compare", 'class="table crosstab"'),
    ("wall: place", "/wall/ehp", 'id="wall"'),
    ("wall: campaign", "/wall/campaign/{werkstadt}", 'id="wall"'),
    ("kiosk loop", "/k/ehp/loop?revision={revision}", 'class="showcase-'),
)


def pages(
    report: Report,
    db: str,
    app: Gunicorn,
    layout: Layout,
    *,
    seconds: float,
    hello: dict[int, float],
) -> None:
    """Each results page at the big place, 1 connection: p50 < 5 ms."""
    opener, cookie = login(app.base)
    start = urllib.request.urlopen(app.base + "/k/ehp").read().decode()  # noqa: S310
    revision = re.search(r"/k/ehp/loop\?revision=(\d+)", start)
    values = {
        "ehp": layout.places["ehp"],
        "area": layout.area,
        "werkstadt": layout.werkstadt,
        "revision": revision.group(1) if revision else "none",
    }
    figures = report.figures.setdefault(db, {}).setdefault("pages", {})
    missed: list[tuple[str, str]] = []
    for name, template, marker_template in PAGES:
        path = template.format(**values)
        marker = marker_template.format(**values)
        staff = path.startswith("/staff/")
        # One fetch first: it must be the page (not the login form), and shows how slow it is.
        began = time.perf_counter()
        try:
            with opener.open(app.base + path, timeout=GUNICORN_TIMEOUT * 4) as answer:
                status, body = answer.status, answer.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            status, body = error.code, ""
        except OSError as error:
            status, body = 0, f"{type(error).__name__}: {error}"
        first = time.perf_counter() - began
        if status == 0:  # no answer: the worker killed at its timeout, or the wait gave up
            figures[name] = {"path": path, "error": body, "seconds": first}
            report.speed(
                f"page {name}",
                db,
                f"no page after {first:.0f} s ({body[:120]}); the bench's workers time out at "
                f"{GUNICORN_TIMEOUT * 4} s, as deployed at {GUNICORN_TIMEOUT} s",
                "p50 < 5 ms",
                False,
            )
            continue
        if status != 200 or marker not in body or (staff and 'name="password"' in body):
            report.check(
                f"page {name}",
                db,
                f"GET {path}: status {status}, "
                + ("the login form" if 'name="password"' in body else f"no {marker!r}"),
                "200 and the page",
                False,
            )
            continue
        if first > SLOW_PAGE_S:
            # Too slow for wrk's window: two more fetches, the median of three.
            times = [first]
            for _ in range(2):
                began = time.perf_counter()
                opener.open(app.base + path, timeout=GUNICORN_TIMEOUT * 4).read()
                times.append(time.perf_counter() - began)
            p50 = statistics.median(times) * 1000
            note = (
                f"median of 3 fetches ({', '.join(f'{t:.1f}' for t in times)} s), too slow for wrk"
            )
            if max(times) > GUNICORN_TIMEOUT:
                note += f"; over gunicorn's {GUNICORN_TIMEOUT} s worker timeout as deployed"
            figures[name] = {"path": path, "p50": p50, "fetches_s": times, "bytes": len(body)}
            report.speed(f"page {name}", db, f"p50 {p50:,.0f} ms, {note}", "p50 < 5 ms", False)
            continue
        env = {
            "BENCH_PATH": path,
            "BENCH_MARKER": marker,
            "BENCH_COOKIE": cookie if staff else "",
            "BENCH_ANTIMARKER": 'name="password"',
        }
        result = wrk(app.base, "get", clients=1, seconds=seconds, env=env)
        ok = result["counts"].get("ok", 0)
        bad = sum(v for k, v in result["counts"].items() if k.startswith("bad_"))
        lat = latencies_ms(result["samples"].get("get", []))
        rps = ok / result["seconds"]
        figures[name] = {"path": path, **lat, "rps": rps, "bytes": len(body), "bad": bad}
        measure = (
            f"{fmt_ms(lat)}, {rps:,.0f} req/s = {rps / hello[1]:.0%} of hello c1, "
            f"{len(body) / 1024:,.0f} KB"
        )
        if bad:
            report.check(f"page {name}", db, f"{bad} responses without the page", "0", False)
        report.speed(f"page {name}", db, measure, "p50 < 5 ms", lat["p50"] < PAGE_TARGET_MS)
        if lat["p50"] >= PAGE_TARGET_MS:
            missed.append((name, path))
    if missed:
        page_floors(report, db, app.env["KIOSK_DATABASE_URL"], missed)


def page_floors(report: Report, db: str, url: str, missed: list[tuple[str, str]]) -> None:
    """Where a page that missed spends its time: the same page in process on the same
    database, with every SQL statement it runs timed. The SQL is the part the answers'
    number could grow; the rest is Flask, the templates and the charts."""
    from kiosk.web import create_app  # the app in this process, beside the servers

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    login = client.post("/staff/login", data={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    engine = app.extensions["kiosk.engine"]
    if login.status_code != 302:  # else it would time the login form
        report.check("page floors", db, f"login in process: {login.status_code}", "302", False)
        engine.dispose()
        return
    spent: list[float] = []

    def began(_c: Any, _cur: Any, _s: Any, _p: Any, context: Any, _m: Any) -> None:
        context.bench_began = time.perf_counter()

    def ended(_c: Any, _cur: Any, _s: Any, _p: Any, context: Any, _m: Any) -> None:
        spent.append(time.perf_counter() - context.bench_began)

    sa.event.listen(engine, "before_cursor_execute", began)
    sa.event.listen(engine, "after_cursor_execute", ended)
    try:
        for name, path in missed:
            client.get(path)
            totals, sql, statements = [], [], 0
            for _ in range(15):
                spent.clear()
                start = time.perf_counter()
                answer = client.get(path)
                totals.append((time.perf_counter() - start) * 1000)
                sql.append(sum(spent) * 1000)
                statements = len(spent)
            if answer.status_code != 200 or b'name="password"' in answer.data:
                report.check(f"page {name}", db, "in process: no page", "200", False)
                continue
            total, in_sql = statistics.median(totals), statistics.median(sql)
            report.add(
                f"page {name}",
                db,
                f"floor, in process: p50 {total:.1f} ms, of it SQL {in_sql:.1f} ms in "
                f"{statements} statements; the other {total - in_sql:.1f} ms render the page",
                "",
                "",
            )
    finally:
        engine.dispose()


def place_uuids(engine: sa.Engine, location_id: int) -> tuple[int, set[str]]:
    with engine.connect() as connection:
        found = connection.execute(
            sa.text("SELECT uuid FROM response WHERE location_id = :place"), {"place": location_id}
        ).scalars()
        uuids = {hexed(u) for u in found}
    return len(uuids), uuids


def export(
    report: Report, db: str, url: str, engine: sa.Engine, layout: Layout, env: dict[str, str]
) -> None:
    """The raw CSV of 10,000 and 100,000 answers from one worker: time, rows, peak memory."""
    server = Gunicorn("wsgi:app", env, workers=1, timeout=600)
    try:
        opener, _ = login(server.base)
        (worker,) = server.worker_pids()
        download = OUT / "export.csv"
        results = {}
        for code, warm in (("lib", True), ("lib", False), ("zeitzer", False)):
            place = layout.places[code]
            link = f"{server.base}/staff/location/{place}/raw.csv?headers=names"  # by UUID
            reset = reset_peak(worker)
            peaks = {"RssAnon": 0, "RssFile": 0, "RssShmem": 0}
            stop = threading.Event()

            def sample(peaks: dict[str, int] = peaks, stop: threading.Event = stop) -> None:
                while not stop.is_set():
                    now = memory_kb(worker)
                    for key in peaks:
                        peaks[key] = max(peaks[key], now[key])
                    time.sleep(0.005)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            times, first_bytes = [], []
            for _ in range(1 if warm else EXPORT_TIMES):  # the median: the machine is shared
                began = time.perf_counter()
                first_byte = None
                with opener.open(link, timeout=600) as answer, download.open("wb") as out:
                    while chunk := answer.read(1 << 20):
                        first_byte = first_byte or time.perf_counter() - began
                        out.write(chunk)
                times.append(time.perf_counter() - began)
                first_bytes.append(first_byte or 0.0)
            seconds = statistics.median(times)
            first_byte = statistics.median(first_bytes)
            stop.set()
            sampler.join()
            memory = memory_kb(worker)
            if warm:
                continue  # the worker's first export: imports, the catalog, the first query
            # Parse after the clock: a wish may hold a line break inside its quotes.
            with download.open(newline="", encoding="utf-8-sig") as text:
                reader = csv.reader(text, delimiter=";")
                header = next(reader)
                widths, rows, multiline, uuids = set(), 0, 0, set()
                column = header.index("uuid") if "uuid" in header else None
                for row in reader:
                    rows += 1
                    widths.add(len(row))
                    multiline += any("\n" in cell for cell in row)
                    if column is not None:
                        uuids.add(hexed(row[column]))
            stored, stored_uuids = place_uuids(engine, place)
            same = rows == stored and widths == {len(header)}
            if column is not None:
                same = same and uuids == stored_uuids
            results[code] = {
                "rows": rows,
                "rows_in_database": stored,
                "seconds": seconds,
                "times_s": times,
                "first_byte_s": first_byte,
                "bytes": download.stat().st_size,
                "peak_mb": memory["VmHWM"] / 1024,
                "peak_anon_mb": peaks["RssAnon"] / 1024,
                "peak_file_mb": peaks["RssFile"] / 1024,
                "peak_reset": reset,
                "lines_with_a_break": multiline,
            }
            report.check(
                f"export {rows:,}",
                db,
                f"CSV rows {rows:,} == responses in the place {stored:,}; each row "
                f"{len(header)} columns; "
                + ("the same UUIDs; " if column is not None else "")
                + f"{multiline:,} rows with a line break in a cell",
                "rows == database",
                same,
            )
        download.unlink(missing_ok=True)
        small, big = results["lib"], results["zeitzer"]
        report.figures.setdefault(db, {})["export"] = results
        for code in ("lib", "zeitzer"):
            r = results[code]
            target = "< 0.5 s" if code == "zeitzer" else ""
            measure = (
                f"{r['rows']:,} rows in {r['seconds']:.2f} s (median of "
                f"{', '.join(f'{t:.2f}' for t in r['times_s'])}; {r['bytes'] / 1e6:.1f} MB, first "
                f"byte {r['first_byte_s'] * 1000:.0f} ms); worker peak {r['peak_mb']:.0f} MB "
                f"(anon {r['peak_anon_mb']:.0f} MB, file-backed {r['peak_file_mb']:.0f} MB"
                + (", the SQLite map of the database)" if db == "sqlite" else ")")
            )
            if code == "zeitzer":
                report.speed(
                    f"export {r['rows']:,}", db, measure, target, r["seconds"] < EXPORT_TARGET_S
                )
            else:
                report.add(f"export {r['rows']:,}", db, measure)
        growth = big["peak_mb"] - small["peak_mb"]
        report.speed(
            "export memory",
            db,
            f"peak {big['peak_mb']:.0f} MB for {big['rows']:,} rows vs {small['peak_mb']:.0f} MB "
            f"for {small['rows']:,}: {growth:+.0f} MB"
            + ("" if big["peak_reset"] else " (peak not reset between exports)"),
            "< +20 MB",
            growth < EXPORT_MEMORY_MB,
        )
    finally:
        server.stop()


def sync_batch(
    report: Report,
    db: str,
    app: Gunicorn,
    hello: Gunicorn,
    engine: sa.Engine,
    layout: Layout,
    *,
    batches: int = 10,
    budget: float = 15,
    late: set[str],
) -> None:
    """Batches of 1,000 answers (visits with the demographic question) from the kiosk node
    at the big place, one at a time, for up to `batches` or `budget` seconds; then the
    first batch again, which must store nothing."""
    with Session(engine) as session:
        device = session.get(Device, layout.device)
        code = new_enrolment(session, device, actor=COMMAND_LINE)  # the old token stops
        _, token = enrol(session, code)
        session.commit()
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    bodies = []
    for b in range(batches):
        items = []
        visit = None
        for n in range(1000):
            question_id, kind, options = layout.choice[n % len(layout.choice)]
            if n % len(layout.choice) == 0:
                visit = str(uuid7())
            option_id, value = options[(b * 7 + n) % len(options)]
            items.append(
                {
                    "uuid": str(uuid7()),
                    "visit_id": visit,
                    "location": "ehp",
                    "question_id": question_id,
                    "option_ids": [option_id],
                    "value": value if kind == "scale" else None,
                    "text": None,
                    "answered_at": (moment + dt.timedelta(seconds=b * 60 + n)).isoformat(),
                }
            )
        bodies.append(json.dumps({"responses": items, "node": {}}).encode())

    def post(base: str, body: bytes) -> list[dict]:
        request = urllib.request.Request(  # noqa: S310 - our own loopback server
            base + "/api/v1/responses",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=GUNICORN_TIMEOUT * 4 + 10) as answer:  # noqa: S310
            return json.load(answer)["results"]

    counters_before = counters(engine, layout.places["ehp"], "kiosk")
    before = max_id(engine)
    verdicts: list[dict] = []
    times: list[float] = []
    error = None
    began = time.perf_counter()
    for body in bodies:
        if times and (time.perf_counter() - began > budget or max(times) > GUNICORN_TIMEOUT):
            break
        started = time.perf_counter()
        try:
            verdicts += post(app.base, body)
        except OSError as failure:  # the worker killed at its timeout, or the wait gave up
            error = failure
            break
        times.append(time.perf_counter() - started)
    sent = len(times)
    rate = sent * 1000 / sum(times) if times else 0.0
    again = post(app.base, bodies[0]) if sent else []
    began = time.perf_counter()
    for body in bodies[: max(sent, 1)]:
        post(hello.base, body)
    echo = max(sent, 1) * 1000 / (time.perf_counter() - began)
    settle(engine, before)
    confirmed = [(v["uuid"], None) for v in verdicts if v["status"] == "stored"]
    rows = arrived(engine, before)
    growth, counters_ok = counted(
        counters_before, counters(engine, layout.places["ehp"], "kiosk"), len(rows)
    )
    check = compare_arrivals(
        rows,
        confirmed,
        list(late),
        location_id=layout.places["ehp"],
        channel="kiosk",
        device_id=layout.device,
    )
    duplicates = sum(1 for v in again if v["status"] == "duplicate")
    others = {v["status"] for v in verdicts} - {"stored"}
    report.figures.setdefault(db, {})["sync"] = {
        "batches": sent,
        "batch_seconds": times,
        "answers_per_s": rate,
        "hello_echo_per_s": echo,
        "verdicts": len(verdicts),
        "stored": len(confirmed),
        "resent_duplicates": duplicates,
        "arrival": check.__dict__,
        "error": str(error) if error else None,
    }
    slowest = max(times) if times else float("nan")
    report.add(
        "sync batch",
        db,
        f"{sent} batch(es) of 1,000 one at a time: {rate:,.0f} answers/s = {rate / echo:.0%} of "
        f"Flask parsing them and answering verdicts ({echo:,.0f}/s); slowest batch "
        f"{slowest:.2f} s" + (f"; stopped: {error}" if error else ""),
    )
    report.speed(
        "sync batch",
        db,
        f"slowest batch of 1,000 {slowest:.2f} s"
        if error is None
        else f"a batch of 1,000 did not come back: {error} (the bench's workers time out at "
        f"{GUNICORN_TIMEOUT * 4} s)",
        f"< {GUNICORN_TIMEOUT} s (worker timeout as deployed)",
        error is None and slowest < GUNICORN_TIMEOUT,
    )
    report.check(
        "sync batch",
        db,
        f"'stored' verdicts {len(confirmed):,} of {len(verdicts):,}"
        + (f" (others: {', '.join(sorted(others))})" if others else "")
        + f"; {check.measure()}; the first batch sent again: {duplicates:,} 'duplicate', no "
        f"row; {growth}"
        + ("" if sent else "; no batch completed, so this holds of nothing stored"),
        "rows == stored == counted",
        check.ok
        and len(confirmed) == len(verdicts)
        and (duplicates == 1000 or not sent)
        and counters_ok,
    )


def kiosk_node(report: Report, central_url: str, *, seconds: float, secret: str) -> None:
    """Kiosk visits on a node: its own SQLite, ROLE=node, every stored answer queued."""
    path = OUT / "node.sqlite3"
    url = build_node(central_url, path)
    engine = make_engine(url)
    with engine.connect() as connection:
        place = connection.exec_driver_sql("SELECT id FROM location WHERE code = 'ehp'").scalar()
    env = {
        "KIOSK_DATABASE_URL": url,
        "KIOSK_SECRET_KEY": secret,
        "KIOSK_ROLE": "node",
        **SAFEGUARDS_OFF,
    }
    server = Gunicorn("wsgi:app", env)
    try:
        counters_before = counters(engine, place, "kiosk")
        before = max_id(engine)
        result = wrk(
            server.base,
            "kiosk",
            clients=1,
            seconds=seconds,
            env={"BENCH_PLACE": "ehp", "BENCH_ORIGIN": server.base},
        )
        settle(engine, before)
    finally:
        server.stop()
    counts = result["counts"]
    rows = arrived(engine, before)
    growth, counters_ok = counted(counters_before, counters(engine, place, "kiosk"), len(rows))
    confirmed = [(s.split(" ")[0], None) for s in result["stored"]]
    check = compare_arrivals(rows, confirmed, result["unknown"], location_id=place, channel="kiosk")
    with engine.connect() as connection:
        queued = int(
            connection.exec_driver_sql(
                "SELECT count(*) FROM outbox WHERE response_id > ?", (before,)
            ).scalar()
        )
    engine.dispose()
    visits = counts.get("visits", 0) / result["seconds"]
    samples = result["samples"]
    kinds = ("start", "begin", "answer", "wish", "skip")
    lat = {kind: latencies_ms(samples.get(kind, [])) for kind in kinds}
    everything = latencies_ms([us for kind in kinds for us in samples.get(kind, [])])
    report.figures["node"] = {
        "visits_per_s": visits,
        "latency_ms": {**lat, "all": everything},
        "counts": counts,
        "arrival": check.__dict__,
        "queued": queued,
        "problems": result["problems"],
    }
    report.add(
        "kiosk visit c1",
        "node sqlite",
        f"{visits:,.1f} whole visits/s ({counts.get('responses', 0) / result['seconds']:,.0f} "
        "req/s); "
        f"request latency {fmt_ms(everything)} (answer p50 {lat['answer']['p50']:.1f}, "
        f"start page p50 {lat['start']['p50']:.1f} ms); {wrk_summary(result)}",
    )
    bad = sum(v for k, v in counts.items() if k.startswith("bad_"))
    report.check(
        "kiosk visit c1",
        "node sqlite",
        f"unexpected responses {bad}" + (f"; first: {result['problems'][0][:160]}" if bad else ""),
        "0",
        bad == 0,
    )
    stored_rows = len(rows) - check.from_unknown
    report.check(
        "kiosk visit c1",
        "node sqlite",
        check.measure() + f" (answers {counts.get('answer_stored', 0):,} + wishes "
        f"{counts.get('wish_stored', 0):,}); queued for central {queued:,}; {growth}",
        "rows == successes == queued == counted",
        check.ok
        and check.successes > 0
        and queued == len(rows)
        and stored_rows == check.successes
        and counters_ok,
    )


# --- the run -------------------------------------------------------------------------------------


def guarded(report: Report, scenario: str, db: str, work: Callable[[], None]) -> None:
    """Run a scenario; if it breaks off, a FAIL row says so and the others still run."""
    try:
        work()
    except Exception as error:  # one scenario must not hide the others
        report.check(
            scenario,
            db,
            f"did not complete: {type(error).__name__}: {str(error)[:300]}",
            "completes",
            False,
        )


def run_database(
    report: Report,
    built: Built,
    *,
    seconds: float,
    hello: dict[int, float],
    hello_server: Gunicorn,
    secret: str,
    workers: int,
) -> None:
    db = built.kind
    engine = make_engine(built.url)
    layout = read_layout(engine)
    with engine.connect() as connection:
        total = int(connection.exec_driver_sql("SELECT count(*) FROM response").scalar())
        big = int(
            connection.execute(
                sa.text("SELECT count(*) FROM response WHERE location_id = :p"),
                {"p": layout.places["ehp"]},
            ).scalar()
        )
    built_how = (
        f"built in {built.build_seconds:,.0f} s ({built.build_rows:,} rows, "
        f"{built.build_rows / built.build_seconds:,.0f} rows/s, triggers active)"
        if built.build_seconds is not None and built.build_rows
        else "build time unknown"
    ) + (" (kept from an earlier run)" if built.kept else "")
    report.figures.setdefault(db, {})["database"] = {
        "responses": total,
        "big_place": big,
        "build_seconds": built.build_seconds,
        "kept": built.kept,
    }
    drift = big / built.size - 1
    report.add(
        "database",
        db,
        f"{total:,} responses, {big:,} at the big place (ehp); {built_how}"
        + (
            f"; {drift:.0%} more at the big place than built, from earlier runs' answers "
            "(--rebuild starts afresh)"
            if drift > 0.05
            else ""
        ),
    )
    env = {"KIOSK_DATABASE_URL": built.url, "KIOSK_SECRET_KEY": secret, **SAFEGUARDS_OFF}
    app = Gunicorn("wsgi:app", env, workers=workers, timeout=GUNICORN_TIMEOUT * 4)
    late: set[str] = set()  # answers on the wire when a scenario ended may land in the next
    try:
        for clients in (1, 8):
            guarded(
                report,
                f"phone c{clients}",
                db,
                lambda clients=clients: phones(
                    report,
                    db,
                    app,
                    engine,
                    layout,
                    secret,
                    clients=clients,
                    seconds=seconds,
                    hello=hello,
                    late=late,
                ),
            )
        guarded(
            report,
            "pages",
            db,
            lambda: pages(report, db, app, layout, seconds=seconds, hello=hello),
        )
        guarded(
            report,
            "sync batch",
            db,
            lambda: sync_batch(
                report, db, app, hello_server, engine, layout, budget=3 * seconds, late=late
            ),
        )
    finally:
        app.stop()
    guarded(report, "export", db, lambda: export(report, db, built.url, engine, layout, env))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--responses",
        type=int,
        default=1_000_000,
        help="responses at the big place (the others hold 130,000 more)",
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=5, help="per wrk measurement")
    parser.add_argument("--rebuild", action="store_true", help="build the database(s) afresh")
    parser.add_argument("--postgres", default=POSTGRES, help="an admin URL of the server")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers for the app")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    OUT.mkdir(parents=True, exist_ok=True)
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    started = dt.datetime.now(dt.UTC)
    print(f"bench {started:%Y-%m-%d %H:%M} UTC: {' '.join(sys.argv)}")
    print(f"load average at the start: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    print(
        "safeguards switched off for the bench through the environment: "
        + ", ".join(f"{k}={v}" for k, v in SAFEGUARDS_OFF.items())
        + ". One answer per phone stays on: each simulated phone has a fresh cookie jar."
    )
    print(
        "note: wrk shows a script only the last of several Set-Cookie headers: of the question "
        "page's two (the phone's anonymous id, then the session) a phone keeps the session, so "
        "its vote gets the anonymous-id cookie and the wish carries both."
    )
    report = Report()
    built = {
        kind: ensure(kind, args.responses, admin_url=args.postgres, rebuild=args.rebuild, log=print)
        for kind in kinds
    }
    secret = secrets.token_hex(32)
    hello_server = Gunicorn("bench.hello:app", {}, workers=args.workers)
    try:
        hello = hello_ceiling(report, hello_server, args.seconds)
        for kind in kinds:
            run_database(
                report,
                built[kind],
                seconds=args.seconds,
                hello=hello,
                hello_server=hello_server,
                secret=secret,
                workers=args.workers,
            )
    finally:
        hello_server.stop()
    guarded(
        report,
        "kiosk visit c1",
        "node sqlite",
        lambda: kiosk_node(report, built[kinds[0]].url, seconds=args.seconds, secret=secret),
    )

    print()
    print(
        f"responses at the big place: {args.responses:,} ({label(args.responses)}); gunicorn "
        f"{args.workers} sync workers; wrk -t N -c N (one connection per thread), "
        f"{args.seconds:g} s per measurement; load average at the end: "
        f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])}"
    )
    print(report.table())
    failed = report.failed
    misses = sum(1 for row in report.rows if row[4] == "MISS")
    print()
    print(
        ("FAILED: a check did not hold (see FAIL above)" if failed else "all checks held")
        + f"; {misses} speed target(s) missed"
    )
    document = json.dumps(
        {
            "started": started.isoformat(),
            "command": sys.argv,
            "responses": args.responses,
            "seconds": args.seconds,
            "workers": args.workers,
            "safeguards_off": SAFEGUARDS_OFF,
            "table": [
                dict(
                    zip(
                        ("scenario", "database", "measure", "target", "verdict"),
                        row,
                        strict=True,
                    )
                )
                for row in report.rows
            ],
            "figures": report.figures,
            "failed": failed,
        },
        indent=1,
        default=str,
    )
    # latest.json is the last run; latest-<size>.json the last run at that size.
    for name in ("latest.json", f"latest-{label(args.responses)}.json"):
        (OUT / name).write_text(document)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

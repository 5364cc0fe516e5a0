"""Benchmark the core loop under gunicorn with wrk, against a Flask hello world measured in the
same run: the QR vote POST, the QR flow (question page + vote), one location's tally page with
1,000,000 responses in the database, and a CSV export of 100,000 responses.

Usage: .venv/bin/python bench/run.py [--seconds 10] [--rebuild]
Needs wrk (Debian package). Writes its database to bench/out/ (kept for the next run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from kiosk.cli import upgrade_database  # noqa: E402
from kiosk.models import (  # noqa: E402
    COMMAND_LINE,
    Campaign,
    Location,
    QuestionKind,
    Response,
    ResponseOption,
)
from kiosk.models.engine import make_engine  # noqa: E402
from kiosk.setup.demo import DEMO_EMAIL, DEMO_PASSWORD, load_demo  # noqa: E402

# Responses per place: 1,000,000 in all. The tally is read at "ehp"; the export of "zeitzer"
# (100,000) is compared with "lib" (10,000) to see whether memory grows with the rows.
VOLUMES = {"ehp": 890_000, "zeitzer": 100_000, "lib": 10_000}


def build_database(path: Path) -> str:
    """A SQLite database with the demo and 1,000,000 responses (triggers keep the counters)."""
    url = f"sqlite:///{path}"
    upgrade_database(url)
    engine = make_engine(url)
    with Session(engine) as session:
        load_demo(session, sample_visits=0, actor=COMMAND_LINE)
        campaign = session.scalars(sa.select(Campaign)).one()
        library = Location(area=campaign.locations[0].area, code="lib", name="Stadtteilbibliothek")
        campaign.locations.append(library)
        session.commit()
        places = {loc.code: loc.id for loc in session.scalars(sa.select(Location))}
        choice = [q for q in campaign.questions if q.kind != QuestionKind.WISH]
        wish = next(q for q in campaign.questions if q.kind == QuestionKind.WISH)
        plan = [(q.id, [o.id for o in q.options]) for q in choice]
        campaign_id, wish_id = campaign.id, wish.id

    start = dt.datetime(2025, 9, 27, 8, tzinfo=dt.UTC)
    next_id = 1
    with engine.begin() as connection:
        for code, volume in VOLUMES.items():
            location_id = places[code]
            for batch_start in range(0, volume, 20_000):
                responses, picks = [], []
                for n in range(batch_start, min(volume, batch_start + 20_000)):
                    received = start + dt.timedelta(seconds=n * 7)
                    if n % 25 == 24:
                        question_id, text, option_id = wish_id, f"Wunsch Nummer {n}", None
                    else:
                        question_id, options = plan[n % len(plan)]
                        option_id, text = options[(n * 7919) % len(options)], None
                    responses.append(
                        {
                            "id": next_id,
                            "uuid": uuid.uuid4(),
                            "visit_id": None,
                            "campaign_id": campaign_id,
                            "question_id": question_id,
                            "location_id": location_id,
                            "channel": "kiosk" if n % 3 else "qr",
                            "source": None,
                            "value": None,
                            "text": text,
                            "wish_state": "pending" if text else None,
                            "client_at": None,
                            "received_at": received,
                        }
                    )
                    if option_id is not None:
                        picks.append({"response_id": next_id, "option_id": option_id})
                    next_id += 1
                connection.execute(sa.insert(Response), responses)
                connection.execute(sa.insert(ResponseOption), picks)
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Gunicorn:
    """gunicorn with sync workers on a free loopback port, stopped on exit."""

    def __init__(self, target: str, env: dict[str, str], workers: int = 2) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
                "--no-control-socket",
                target,
            ],
            cwd=ROOT,
            env={**os.environ, **env},
        )
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(self.base + "/", timeout=1)  # noqa: S310
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn {target} did not start")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def wrk(
    url: str,
    seconds: int,
    connections: int = 10,
    script: str | None = None,
    env: dict[str, str] | None = None,
) -> dict[str, float]:
    """Run wrk; return requests/s and latency percentiles in ms."""
    threads = str(min(2, connections))
    command = ["wrk", "-t", threads, "-c", str(connections), "-d", f"{seconds}s", "--latency", url]
    if script:
        command[1:1] = ["-s", script]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, env={**os.environ, **(env or {})}
    ).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"errors under load:\n{output}")
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for percent in ("50", "90", "99"):
        value, unit = re.search(rf"\s{percent}%\s+([\d.]+)(us|ms|s)\b", output).groups()
        result[f"p{percent}"] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return result


def login(base: str) -> tuple[urllib.request.OpenerDirector, str]:
    """Log in as the demo staff user; return the opener and its Cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/staff/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrf_token": token, "email": DEMO_EMAIL, "password": DEMO_PASSWORD}
    ).encode()
    opener.open(base + "/staff/login", data=data).read()
    return opener, "; ".join(f"{c.name}={c.value}" for c in jar)


def vmhwm_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers for the app")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    OUT.mkdir(parents=True, exist_ok=True)
    db_path = OUT / "bench.sqlite3"
    if db_path.exists():
        upgrade_database(f"sqlite:///{db_path}")  # a database kept from an older schema
    if args.rebuild or not db_path.exists():
        for stale in OUT.glob("bench.sqlite3*"):
            stale.unlink()
        began = time.perf_counter()
        build_database(db_path)
        print(
            f"built {db_path.name} with {sum(VOLUMES.values()):,} responses in "
            f"{time.perf_counter() - began:.0f} s"
        )
    url = f"sqlite:///{db_path}"
    engine = make_engine(url)
    with Session(engine) as session:
        total = session.scalar(sa.select(sa.func.count()).select_from(Response))
        ids = {loc.code: loc.id for loc in session.scalars(sa.select(Location))}
        campaign = session.scalars(sa.select(Campaign)).one()
        first = campaign.questions[0]
        question_id, option_id = first.id, first.options[0].id
    engine.dispose()
    print(f"database: {total:,} responses")
    app_env = {
        "KIOSK_DATABASE_URL": url,
        "KIOSK_SECRET_KEY": secrets.token_hex(32),
        "KIOSK_ANSWERS_PER_CLIENT": "0",  # one load generator: the rate limit would refuse it
    }
    results: dict[str, dict[str, float]] = {}

    hello = Gunicorn("bench.hello:app", {})
    try:
        wrk(hello.base + "/", 2)
        results["hello"] = wrk(hello.base + "/", args.seconds)
    finally:
        hello.stop()

    app = Gunicorn("wsgi:app", app_env, workers=args.workers)
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(app.base + "/q/ehp").read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        vote_env = {
            "BENCH_COOKIE": "; ".join(f"{c.name}={c.value}" for c in jar),
            "BENCH_TOKEN": token,
            "BENCH_QUESTION": str(question_id),
            "BENCH_OPTION": str(option_id),
            "BENCH_PATH": "/q/ehp/answer",
            "BENCH_PAGE": "/q/ehp",
        }
        script = str(ROOT / "bench" / "vote.lua")
        wrk(app.base + "/q/ehp", 2, script=script, env=vote_env)
        results["vote_post"] = wrk(app.base + "/", args.seconds, script=script, env=vote_env)
        results["vote_post_nojs"] = wrk(
            app.base + "/", args.seconds, script=script, env={**vote_env, "BENCH_PLAIN": "1"}
        )
        flow = wrk(app.base + "/", args.seconds, script=script, env={**vote_env, "BENCH_FLOW": "1"})
        flow["flows_per_s"] = flow["rps"] / 2
        results["qr_flow"] = flow

        _, staff_cookie = login(app.base)
        tally_url = f"{app.base}/staff/location/{ids['ehp']}"
        header_script = OUT / "cookie.lua"
        header_script.write_text(f'wrk.headers["Cookie"] = {json.dumps(staff_cookie)}\n')
        wrk(tally_url, 2, connections=1, script=str(header_script))
        results["tally_page_c1"] = wrk(
            tally_url, args.seconds, connections=1, script=str(header_script)
        )
        results["tally_page_c10"] = wrk(tally_url, args.seconds, script=str(header_script))
    finally:
        app.stop()

    # Export with one worker, so its peak memory (VmHWM) is the export's own.
    exporter = Gunicorn("wsgi:app", app_env, workers=1)
    try:
        opener, _ = login(exporter.base)
        (worker,) = exporter.worker_pids()
        for code in ("lib", "zeitzer"):
            began = time.perf_counter()
            with opener.open(f"{exporter.base}/staff/location/{ids[code]}/raw.csv") as answer:
                lines = sum(chunk.count(b"\n") for chunk in iter(lambda: answer.read(65536), b""))
            seconds = time.perf_counter() - began
            results[f"export_{code}"] = {
                "rows": lines - 1,
                "seconds": seconds,
                "worker_peak_mb": vmhwm_kb(worker) / 1024,
            }
    finally:
        exporter.stop()

    ceiling = results["hello"]["rps"]
    print()
    print(f"{'measure':<26}{'req/s':>10}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'vs hello':>10}")
    for name in (
        "hello",
        "vote_post",
        "vote_post_nojs",
        "qr_flow",
        "tally_page_c1",
        "tally_page_c10",
    ):
        r = results[name]
        print(
            f"{name:<26}{r['rps']:>10.0f}{r['p50']:>9.2f}{r['p90']:>9.2f}{r['p99']:>9.2f}"
            f"{r['rps'] / ceiling:>10.0%}"
        )
    print(f"qr_flow: {results['qr_flow']['flows_per_s']:.0f} full flows/s (question page + vote)")
    for code in ("lib", "zeitzer"):
        r = results[f"export_{code}"]
        print(
            f"export {code}: {r['rows']:,} rows in {r['seconds']:.2f} s, "
            f"worker peak {r['worker_peak_mb']:.0f} MB"
        )
    checks = {
        "vote POST >= 30% of hello": results["vote_post"]["rps"] >= 0.3 * ceiling,
        "vote POST p99 < 20 ms at 10 connections": results["vote_post"]["p99"] < 20,
        "tally page p50 < 10 ms": results["tally_page_c1"]["p50"] < 10,
        "CSV export of 100,000 rows < 1 s": results["export_zeitzer"]["seconds"] < 1,
        "export memory flat (100k vs 10k rows, < +20 MB)": results["export_zeitzer"][
            "worker_peak_mb"
        ]
        - results["export_lib"]["worker_peak_mb"]
        < 20,
    }
    print()
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'MISS'}  {name}")
    (OUT / "latest.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

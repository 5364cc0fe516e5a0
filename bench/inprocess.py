"""Where a vote's time goes, in process (no HTTP, no wrk): run after bench/run.py built its
database. Prints milliseconds per request for the vote POST, the same POST with the insert
stubbed out, the question page, and the record-and-commit step alone.

Usage: .venv/bin/python bench/inprocess.py
"""

from __future__ import annotations

import re
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy.orm import sessionmaker
from werkzeug.test import EnvironBuilder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kiosk.collect.casting as casting  # noqa: E402
from kiosk.collect.answers import Answer, record_answer  # noqa: E402
from kiosk.collect.catalog import load_catalog  # noqa: E402
from kiosk.models.engine import make_engine  # noqa: E402
from kiosk.web import create_app  # noqa: E402

URL = f"sqlite:///{ROOT / 'bench' / 'out' / 'bench-1m.sqlite3'}"  # bench/run.py's default size
ROUNDS = 1000


def per_request_ms(app, path: str, post: bool) -> float:  # type: ignore[no-untyped-def]
    client = app.test_client()
    page = client.get("/q/ehp").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    question = re.search(r'name="question" value="(\d+)"', page).group(1)
    option = re.search(r'name="option" value="(\d+)"', page).group(1)
    cookie = f"session={client.get_cookie('session').value}"
    environs = []
    for _ in range(ROUNDS + 100):
        body = (
            f"csrf_token={token}&visit={uuid.uuid4()}&uuid={uuid.uuid4()}"
            f"&question={question}&option={option}"
        )
        builder = EnvironBuilder(
            path=path,
            method="POST" if post else "GET",
            data=body if post else None,
            content_type="application/x-www-form-urlencoded",
            headers={"HX-Request": "true", "Cookie": cookie},
        )
        environs.append(builder.get_environ())

    def start_response(status: str, headers: object, exc_info: object = None) -> None:
        if not status.startswith("200"):
            raise RuntimeError(f"unexpected {status}")

    for environ in environs[:100]:
        b"".join(app(environ, start_response))
    began = time.perf_counter()
    for environ in environs[100:]:
        b"".join(app(environ, start_response))
    return (time.perf_counter() - began) / ROUNDS * 1000


def record_ms() -> float:
    engine = make_engine(URL)
    make_session = sessionmaker(engine, expire_on_commit=False)
    with make_session() as session:
        catalog = load_catalog(session)
    campaign = next(iter(catalog.campaigns.values()))
    question, place = campaign.questions[0], catalog.locations["ehp"]

    def one() -> None:
        with make_session() as session:
            answer = Answer(uuid.uuid4(), uuid.uuid4(), question, (question.options[0].id,))
            record_answer(session, answer, campaign=campaign, location_id=place.id, channel="qr")
            session.commit()

    for _ in range(100):
        one()
    began = time.perf_counter()
    for _ in range(ROUNDS):
        one()
    engine.dispose()
    return (time.perf_counter() - began) / ROUNDS * 1000


def main() -> None:
    # One client sends every vote: the per-network rate limit would refuse most of them.
    app = create_app({"DATABASE_URL": URL, "SECRET_KEY": "x" * 64, "ANSWERS_PER_CLIENT": 0})
    print(f"vote POST (htmx)                 {per_request_ms(app, '/q/ehp/answer', True):.3f} ms")
    real = casting.record_answer
    casting.record_answer = lambda *args, **kwargs: True  # type: ignore[assignment]
    print(f"vote POST, insert stubbed out    {per_request_ms(app, '/q/ehp/answer', True):.3f} ms")
    casting.record_answer = real
    print(f"question page GET                {per_request_ms(app, '/q/ehp', False):.3f} ms")
    print(f"record_answer + commit alone     {record_ms():.3f} ms")


if __name__ == "__main__":
    main()

"""Rate limits per client: held in the database across gunicorn's workers, keyed by a hash
of the network and the day, never by a stored address; what they turn away is counted."""

from __future__ import annotations

import datetime as dt
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kiosk.models import RateCount, Response, utcnow
from kiosk.models.engine import make_engine
from kiosk.safety.ratelimits import Scope, client_key, count_request, network_of, window_start
from kiosk.safety.safeguards import Safeguard, refusals
from tests.test_public_views import HX, answer_fields, hidden, option_ids, responses
from tests.test_sync_e2e import serving_central

SECRET = "test-secret"
DAY = dt.date(2026, 11, 21)
LIMIT_NOTICE = "Sehr viele Antworten kamen in den letzten Minuten aus Ihrem Netz"


def test_a_client_is_its_address_or_its_ipv6_network() -> None:
    assert network_of("192.0.2.7") == "192.0.2.7"
    assert network_of("::ffff:192.0.2.7") == "192.0.2.7"
    # A phone changes the last 64 bits of its IPv6 address as it likes; its network stays.
    assert network_of("2001:db8:1:2:aaaa::1") == network_of("2001:db8:1:2:ffff:1:2:3")
    assert network_of("2001:db8:1:2::1") != network_of("2001:db8:1:3::1")
    assert network_of("not an address") == network_of("") == "unknown"


def test_a_client_key_names_no_address_and_changes_every_day() -> None:
    key = client_key(SECRET, "192.0.2.7", DAY)
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert key == client_key(SECRET, "192.0.2.7", DAY)
    assert key != client_key(SECRET, "192.0.2.8", DAY)
    assert key != client_key(SECRET, "192.0.2.7", DAY + dt.timedelta(days=1))  # not linkable
    assert key != client_key("another-secret", "192.0.2.7", DAY)


def test_windows_start_on_the_clock() -> None:
    window = dt.timedelta(minutes=10)
    moment = dt.datetime(2026, 11, 21, 14, 37, 12, tzinfo=dt.UTC)
    assert window_start(moment, window) == dt.datetime(2026, 11, 21, 14, 30, tzinfo=dt.UTC)


def test_counts_go_up_per_window_and_old_windows_are_forgotten(session: Session) -> None:
    window = dt.timedelta(minutes=10)
    start = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
    minutes = [start + dt.timedelta(minutes=n) for n in range(3)]
    counts = [
        count_request(session, Scope.ANSWER, "a" * 32, window=window, now=moment)
        for moment in minutes
    ]
    assert counts == [1, 2, 3]
    assert count_request(session, Scope.LOGIN, "a" * 32, window=window, now=start) == 1  # own
    # Twenty minutes on: a new window, and the rows of windows before the last one go.
    later = start + dt.timedelta(minutes=25)
    assert count_request(session, Scope.ANSWER, "a" * 32, window=window, now=later) == 1
    session.commit()
    kept = session.execute(select(RateCount.scope, RateCount.since)).all()
    assert sorted(kept) == [("answer", later.replace(minute=20)), ("login", start)]


def test_counting_at_once_in_many_sessions_loses_no_count(committed_engine: sa.Engine) -> None:
    """The upsert returns each count once: none read before another's write."""
    factory = sessionmaker(committed_engine)  # sessions of their own, in threads: real commits
    now = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)

    def count(_: int) -> int:
        with factory() as session:
            value = count_request(
                session, Scope.ANSWER, "b" * 32, window=dt.timedelta(minutes=10), now=now
            )
            session.commit()
            return value

    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = sorted(pool.map(count, range(40)))
    assert counts == list(range(1, 41))


@pytest.fixture
def limited(app: Flask) -> Flask:
    app.config["ANSWERS_PER_CLIENT"] = 2
    return app


def answer_from_a_new_phone(app: Flask, address: str, **headers: str) -> tuple[int, str]:
    phone = app.test_client()
    page = phone.get("/q/ehp", headers=HX).text
    answer = phone.post(
        "/q/ehp/answer",
        headers=HX | headers,
        data=answer_fields(page, option=option_ids(page)[0]),
        environ_base={"REMOTE_ADDR": address},
    )
    return answer.status_code, answer.text


def test_phones_on_one_network_answer_up_to_the_limit(limited: Flask) -> None:
    statuses = [answer_from_a_new_phone(limited, "198.51.100.4")[0] for _ in range(2)]
    status, page = answer_from_a_new_phone(limited, "198.51.100.4")
    assert statuses == [200, 200] and status == 429
    assert LIMIT_NOTICE in page and 'name="option"' in page  # the question again, readable
    assert responses(limited) == 2  # the third is not stored
    # Another network has a count of its own.
    assert answer_from_a_new_phone(limited, "203.0.113.9")[0] == 200
    with limited.app_context():
        from kiosk.web import db

        session = db.session()
        assert refusals(session, [1])[Safeguard.RATE_LIMIT] == 1
        clients = set(session.scalars(select(RateCount.client)))
    today = utcnow().date()
    # Stored under the keyed hashes of the two networks, not the addresses.
    assert clients == {client_key(SECRET, a, today) for a in ("198.51.100.4", "203.0.113.9")}


def test_a_skip_is_not_counted(limited: Flask) -> None:
    phone = limited.test_client()
    for _ in range(3):
        page = phone.get("/q/ehp", headers=HX).text
        skip = {
            "visit": hidden(page, "visit"),
            "question": hidden(page, "question"),
            "skip": "1",
        }
        assert phone.post("/q/ehp/answer", headers=HX, data=skip).status_code == 200
    assert answer_from_a_new_phone(limited, "127.0.0.1")[0] == 200


def test_the_forwarded_address_counts_only_behind_a_trusted_proxy(app: Flask) -> None:
    app.config["ANSWERS_PER_CLIENT"] = 1
    forged = {"X-Forwarded-For": "192.0.2.1"}
    assert answer_from_a_new_phone(app, "127.0.0.1", **forged)[0] == 200
    # Without a trusted proxy, a header made up by the client changes nothing.
    assert answer_from_a_new_phone(app, "127.0.0.1", **{"X-Forwarded-For": "192.0.2.2"})[0] == 429


def test_a_trusted_proxy_tells_the_clients_apart(make_app: Callable[..., Flask]) -> None:
    behind_nginx = make_app(SECRET_KEY=SECRET, TRUSTED_PROXIES=1, ANSWERS_PER_CLIENT=1)
    statuses = [
        answer_from_a_new_phone(behind_nginx, "127.0.0.1", **{"X-Forwarded-For": address})[0]
        for address in ("192.0.2.1", "192.0.2.2", "192.0.2.1")
    ]
    assert statuses == [200, 200, 429]


def test_logins_from_one_network_are_limited(app: Flask) -> None:
    app.config["LOGINS_PER_CLIENT"] = 3
    browser = app.test_client()
    for n in range(3):
        tried = browser.post("/staff/login", data={"email": f"x{n}@example.org", "password": "x"})
        assert tried.status_code == 422
    blocked = browser.post(
        "/staff/login", data={"email": "demo@example.org", "password": "jena-nord-demo"}
    )
    assert blocked.status_code == 429 and "Zu viele Anmeldungen aus Ihrem Netz" in blocked.text
    assert browser.get("/staff/").status_code == 302  # not logged in: back to the login


def test_the_limit_holds_across_gunicorn_workers(postgres_url: str) -> None:
    """60 phones at once from one address, two workers, a limit of 40: 40 rows, 20 refused."""
    secret = "g" * 64
    settings = {"KIOSK_ANSWERS_PER_CLIENT": "40", "KIOSK_SECRET_KEY": secret}
    with serving_central(postgres_url, **settings) as (base, _):

        def answer(_: int) -> int:
            phone = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
            page = phone.open(f"{base}/q/ehp", timeout=10).read().decode()
            form = {
                "csrf_token": hidden(page, "csrf_token"),
                "visit": hidden(page, "visit"),
                "question": hidden(page, "question"),
                "uuid": str(uuid.uuid4()),
                "option": option_ids(page)[0],
            }
            request = urllib.request.Request(  # noqa: S310
                f"{base}/q/ehp/answer",
                data=urllib.parse.urlencode(form).encode(),
                headers=HX,
            )
            try:
                with phone.open(request, timeout=30) as sent:
                    return int(sent.status)
            except urllib.error.HTTPError as error:
                return int(error.code)

        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(answer, range(60)))
    assert sorted(statuses) == [200] * 40 + [429] * 20
    engine = make_engine(postgres_url)
    try:
        with engine.connect() as connection:
            rows = connection.scalar(select(func.count()).select_from(Response))
            refused = connection.scalar(
                sa.text("SELECT sum(count) FROM refusal_count WHERE safeguard = 'rate_limit'")
            )
            counts = connection.execute(select(RateCount.client, RateCount.count)).all()
    finally:
        engine.dispose()
    assert (rows, refused) == (40, 20)
    # One counter, under the keyed hash of the address, not the address.
    assert [tuple(row) for row in counts] == [
        (client_key(secret, "127.0.0.1", utcnow().date()), 60)
    ]


def test_kiosk_pages_served_by_central_count_too_a_nodes_own_kiosk_not(app: Flask) -> None:
    app.config.update(ANSWERS_PER_CLIENT=1, KIOSK_COOLDOWN_SECONDS=0)
    kiosk = app.test_client()

    def answer() -> int:
        screen = kiosk.post("/k/ehp/begin", headers=HX).text
        fields = answer_fields(screen, option=option_ids(screen)[0])
        return kiosk.post("/k/ehp/answer", headers=HX, data=fields).status_code

    assert [answer(), answer()] == [200, 429]
    app.config["ROLE"] = "node"  # the kiosk beside its own node: its passers-by are not limited
    assert [answer(), answer()] == [200, 200]


@pytest.mark.parametrize(
    "setting", [{"RATE_WINDOW_MINUTES": 0}, {"ANSWERS_PER_CLIENT": -1}, {"RETENTION_DAYS": -5}]
)
def test_a_setting_that_would_break_the_limits_is_refused_at_start(setting: dict[str, int]) -> None:
    from kiosk.core.config import load_config

    with pytest.raises(ValueError, match=next(iter(setting))):
        load_config({"SECRET_KEY": "s" * 64, **setting})

"""A kiosk someone keeps hammering: its node counts what its cooldown turned away, reports
the latest days with each sync, and staff see the count per kiosk and place, flagged."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import DeviceRefusal, utcnow
from kiosk.safety.safeguards import (
    Safeguard,
    count_refusal,
    parse_reported_refusals,
    refusals,
    refusals_by_day,
)
from kiosk.sync.node import node_status
from kiosk.web import db
from tests.helpers import demo
from tests.test_sync import token  # noqa: F401 - the fixture: an enrolled kiosk's token

TODAY = dt.date(2026, 11, 21)


def test_a_node_reports_its_cooldown_refusals_of_the_latest_days(session: Session) -> None:
    _, square, playground = demo(session)
    now = utcnow()
    for _ in range(3):
        count_refusal(session, square.id, Safeguard.KIOSK_COOLDOWN, now=now)
    count_refusal(session, playground.id, Safeguard.KIOSK_COOLDOWN, now=now)
    count_refusal(session, square.id, Safeguard.QR_REPEAT, now=now)  # not the kiosk's
    count_refusal(session, square.id, Safeguard.KIOSK_COOLDOWN, now=now - dt.timedelta(days=2))
    count_refusal(session, square.id, Safeguard.KIOSK_COOLDOWN, now=now - dt.timedelta(days=30))
    session.commit()
    reported = {now.date().isoformat(): 4, (now - dt.timedelta(days=2)).date().isoformat(): 1}
    assert refusals_by_day(session, today=now.date()) == reported
    assert node_status(session)["refused"] == reported


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"2026-11-21": 40, "2026-11-20": 3}, {TODAY: 40, dt.date(2026, 11, 20): 3}),
        ({"2026-11-22": 1}, {dt.date(2026, 11, 22): 1}),  # a node's clock a day ahead
        ({"2026-11-01": 5, "2027-01-01": 5}, {}),  # outside the span: ignored
        ({"2026-11-21": -1, "2026-11-20": True, "2026-11-19": 2**31, "2026-11-18": "9"}, {}),
        ({"21.11.2026": 4, "2026-11-21T00": 4, "": 4, "2026-13-01": 4}, {}),
        ([["2026-11-21", 4]], {}),
        ("2026-11-21", {}),
        (None, {}),
        ({f"2026-11-{day:02}": 1 for day in range(1, 16)}, {}),  # more days than a node sends
    ],
)
def test_only_sound_reports_are_kept(raw: object, expected: dict[dt.date, int]) -> None:
    assert parse_reported_refusals(raw, today=TODAY) == expected


def push(client: FlaskClient, token: str, refused: object) -> int:  # noqa: F811
    return client.post(
        "/api/v1/responses",
        json={"responses": [], "node": {"captured": 0, "unsent": 0, "refused": refused}},
        headers={"Authorization": f"Bearer {token}"},
    ).status_code


def test_central_keeps_the_nodes_latest_word_and_staff_see_the_flag(
    app: Flask,
    client: FlaskClient,
    staff_client: FlaskClient,
    token: str,  # noqa: F811
) -> None:
    today = utcnow().date()
    yesterday = today - dt.timedelta(days=1)
    assert push(client, token, {yesterday.isoformat(): 3, today.isoformat(): 12}) == 200
    assert push(client, token, {today.isoformat(): 45}) == 200  # the same day, later
    assert push(client, token, {"kaputt": "x"}) == 200  # odd reports change nothing
    assert push(client, token, [1, 2, 3]) == 200
    with app.app_context():
        session = db.session()
        kept = sorted(session.execute(select(DeviceRefusal.day, DeviceRefusal.count)).all())
        assert kept == [(yesterday, 3), (today, 45)]
        _, square, _ = demo(session)
        assert refusals(session, [square.id])[Safeguard.KIOSK_COOLDOWN] == 48
    page = staff_client.get("/staff/kiosks/").text
    row = re.search(r"<tr>\s*<th scope=\"row\">Kiosk</th>(.*?)</tr>", page, re.S)
    assert row is not None
    assert "45" in row.group(1) and "immer wieder getippt?" in row.group(1)
    results = staff_client.get(f"/staff/location/{square.id}").text
    assert "48 Kiosk-Antworten in der Pause" in " ".join(results.split())


def test_a_kiosk_below_the_threshold_is_not_flagged(
    staff_client: FlaskClient,
    client: FlaskClient,
    app: Flask,
    token: str,  # noqa: F811
) -> None:
    app.config["KIOSK_HAMMER_REFUSALS"] = 30
    assert push(client, token, {utcnow().date().isoformat(): 29}) == 200
    page = staff_client.get("/staff/kiosks/").text
    assert "immer wieder getippt?" not in page and ">29<" in page.replace("<br>", "<")

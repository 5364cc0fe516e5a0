"""Hardening every response shares: a crawl of every route (anonymous and as staff) finds the
security headers on each and no server error; cross-site posts are refused; HSTS behind TLS;
a kiosk page left open for a day still takes a vote; a kiosk's device token opens no staff page.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import AnyConverter, Rule

from kiosk.models import COMMAND_LINE, Campaign, Question
from kiosk.sync.devices import register_device
from kiosk.web import db
from kiosk.web.hooks import CONTENT_SECURITY_POLICY
from tests.test_public_views import HX, answer_fields, hidden, option_ids, responses

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _samples(app: Flask) -> dict[str, object]:
    with app.app_context():
        session = db.session()
        campaign = session.scalars(select(Campaign.id)).first()
        question = session.scalars(select(Question.id).order_by(Question.id)).first()
    return {
        "code": "ehp", "step": 0, "scope_id": 1, "location_id": 1, "device_id": 1,
        "user_id": 1, "area_id": 1, "sheet_id": 1, "campaign_id": campaign, "drawing_id": 1,
        "question_id": question, "filename": "app.css",
    }  # fmt: skip


def _urls(app: Flask, rule: Rule, samples: dict[str, object]) -> Iterator[str]:
    """Every URL of the rule: each choice of its <any(...)> parts, sample ids elsewhere."""
    choices: list[dict[str, object]] = [{}]
    for name in sorted(rule.arguments):
        converter = rule._converters[name]
        values = sorted(converter.items) if isinstance(converter, AnyConverter) else [samples[name]]
        choices = [done | {name: value} for done in choices for value in values]
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        for values in choices:
            yield adapter.build(rule.endpoint, values, method=next(iter(rule.methods or ())))


def _checked(response_headers: object, status: int, where: str) -> None:
    assert status < 500, where
    for name, value in HEADERS.items():
        assert response_headers.get(name) == value, (where, name)  # type: ignore[attr-defined]


def test_every_route_answers_with_the_security_headers_and_no_server_error(
    app: Flask, staff_client: FlaskClient
) -> None:
    samples = _samples(app)
    anonymous = app.test_client()
    seen = 0
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            for url in _urls(app, rule, samples):
                clients = [("anonymous", anonymous)]
                if not rule.endpoint.startswith("auth.logout"):
                    clients.append(("staff", staff_client))
                for who, client in clients:
                    answer = client.open(url, method=method, data={})
                    _checked(answer.headers, answer.status_code, f"{who} {method} {url}")
                    seen += 1
    print(f"crawled requests={seen}")  # for SECURITY.md
    assert seen > 150  # every route, both ways (about 70 rules)


def _first_answer(client: FlaskClient) -> dict[str, str | list[str]]:
    page = client.post("/k/ehp/begin", headers=HX).text
    return answer_fields(page, option=option_ids(page)[0])


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # another subdomain's page
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://localhost.evil.example"},
    ],
)
def test_a_post_from_another_site_is_refused(
    app: Flask, client: FlaskClient, headers: dict[str, str]
) -> None:
    fields = _first_answer(client)
    refused = client.post("/k/ehp/answer", data=fields, headers=headers)
    assert refused.status_code == 403
    assert "von einer anderen Website" in refused.text
    assert responses(app) == 0
    login = client.post(
        "/staff/login", data={"email": "demo@example.org", "password": "x"}, headers=headers
    )
    assert login.status_code == 403


def test_a_post_from_the_page_itself_is_taken(app: Flask, client: FlaskClient) -> None:
    app.config["KIOSK_COOLDOWN_SECONDS"] = 0  # two answers in a row at one kiosk
    fields = _first_answer(client)
    same = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}
    assert client.post("/k/ehp/answer", data=fields, headers=same | HX).status_code == 200
    # Older browsers send neither header: the CSRF token alone decides then.
    fields = _first_answer(client)
    assert client.post("/k/ehp/answer", data=fields, headers=HX).status_code == 200
    # A proxy may pass the host without the port the browser saw: the host name decides.
    fields = _first_answer(client)
    port = {"Origin": "https://localhost:8443"} | HX
    assert client.post("/k/ehp/answer", data=fields, headers=port).status_code == 200
    assert responses(app) == 3


def test_hsts_only_behind_tls(client: FlaskClient) -> None:
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_htmx_runs_no_eval_and_no_swapped_in_scripts(client: FlaskClient) -> None:
    page = client.get("/k/ehp").text
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)
    assert config is not None
    assert '"allowEval": false' in config.group(1)
    assert '"allowScriptTags": false' in config.group(1)


def test_a_kiosk_page_left_open_for_a_day_still_takes_a_vote(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    kiosk = app.test_client()
    start = kiosk.get("/k/ehp").text
    page = kiosk.post(
        "/k/ehp/begin", headers=HX, data={"csrf_token": hidden(start, "csrf_token")}
    ).text
    fields = answer_fields(page, option=option_ids(page)[0]) | {
        "csrf_token": hidden(page, "csrf_token")
    }
    later = time.time() + 25 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    assert kiosk.post("/k/ehp/answer", data=fields, headers=HX).status_code == 200
    assert responses(app) == 1
    # Without the token it is refused, however fresh the page.
    del fields["csrf_token"]
    assert app.test_client().post("/k/ehp/answer", data=fields).status_code == 400


def test_a_kiosk_device_token_opens_no_staff_page(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        session = db.session()
        _, code = register_device(session, name="Kiosk Platz", location_id=1, actor=COMMAND_LINE)
        session.commit()
    token = client.post("/api/v1/enrol", json={"code": code}).get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/config", headers=bearer).status_code == 200  # what it is for
    for path in ("/staff/", "/staff/location/1", "/staff/people/", "/staff/kiosks/"):
        answer = client.get(path, headers=bearer)
        assert answer.status_code == 302 and "/staff/login" in answer.headers["Location"], path

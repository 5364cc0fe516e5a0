"""Staff manage kiosks in the browser: register, enrolment link and QR, revoke, import, balance."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re
import uuid

import zxingcpp
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from kiosk.models import Device, Location, QuestionKind
from kiosk.web import db
from tests.helpers import demo, question


def register(staff_client: FlaskClient, app: Flask, name: str = "Kiosk am Platz") -> str:
    with app.app_context():
        square = db.session().scalars(select(Location).where(Location.code == "ehp")).one()
    page = staff_client.post("/staff/kiosks/", data={"name": name, "location": str(square.id)})
    assert page.status_code == 200, page.text
    match = re.search(r"kiosk enrol (http://localhost/enrol#[\w-]+)", page.text)
    assert match, page.text
    return match.group(1)


def test_kiosk_pages_need_a_login(client: FlaskClient) -> None:
    assert client.get("/staff/kiosks/").status_code == 302
    assert client.post("/staff/kiosks/", data={"name": "x"}).status_code == 302


def test_registering_shows_a_link_and_its_qr_code_once(
    app: Flask, staff_client: FlaskClient, client: FlaskClient
) -> None:
    link = register(staff_client, app)
    page = staff_client.get("/staff/kiosks/").text
    assert "Kiosk am Platz" in page and "noch nicht angemeldet" in page
    assert link not in page  # the code is shown once, at registration
    # The QR code on the registration page holds the same link.
    with app.app_context():  # not id 1: PostgreSQL's sequences outlive the rolled-back tests
        device_id = db.session().scalars(select(Device.id)).one()
    again = staff_client.post(f"/staff/kiosks/{device_id}/enrolment")
    uri = re.search(r'src="data:image/png;base64,([^"]+)"', again.text).group(1)
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(base64.b64decode(uri))))
    new_link = re.search(r"kiosk enrol (http://localhost/enrol#[\w-]+)", again.text).group(1)
    assert [code.text for code in decoded] == [new_link]
    # Opening the link shows how to use it and changes nothing; the code after "#" is never
    # sent to a server, so it stays out of every log.
    assert "kiosk enrol" in client.get("/enrol").text
    old = client.post("/api/v1/enrol", json={"code": link.rpartition("#")[2]})
    assert old.status_code == 401  # replaced by the new one
    fresh = client.post("/api/v1/enrol", json={"code": new_link.rpartition("#")[2]})
    assert fresh.status_code == 200


def test_a_kiosk_needs_a_name_and_a_place(app: Flask, staff_client: FlaskClient) -> None:
    for data in (
        {"name": "", "location": "1"},
        {"name": "K", "location": "999"},
        {"name": "K", "location": "abc"},
        {"name": "x" * 300, "location": "1"},
    ):
        response = staff_client.post("/staff/kiosks/", data=data)
        assert response.status_code == 422
        assert "Bitte geben Sie dem Kiosk einen Namen" in response.text
    with app.app_context():
        assert db.session().scalars(select(Device)).all() == []


def test_contact_clock_and_balance_are_shown(
    app: Flask, staff_client: FlaskClient, client: FlaskClient
) -> None:
    link = register(staff_client, app, name="<b>Kiosk</b>")
    token = client.post("/api/v1/enrol", json={"code": link.rpartition("#")[2]}).get_json()["token"]
    with app.app_context():
        campaign, _, _ = demo(db.session())
    single = question(campaign, QuestionKind.SINGLE)
    items = [
        {
            "uuid": str(uuid.uuid4()),
            "location": "ehp",
            "question_id": single.id,
            "option_ids": [single.options[0].id],
        }
        for _ in range(3)
    ]
    late = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)).isoformat()
    client.post(
        "/api/v1/responses",
        headers={"Authorization": f"Bearer {token}"},
        json={"responses": items, "node": {"clock": late, "captured": 5, "unsent": 2}},
    )
    playground = {
        "uuid": str(uuid.uuid4()),
        "location": "zeitzer",
        "question_id": single.id,
        "option_ids": [single.options[0].id],
    }
    client.post(
        "/api/v1/responses",
        headers={"Authorization": f"Bearer {token}"},
        json={"responses": [playground]},
    )
    page = staff_client.get("/staff/kiosks/").text
    # The kiosk stands at the square: its answer for the playground waits for a release.
    assert "1 wartet auf Freigabe" in page and "Antworten warten auf Ihre Freigabe" in page
    assert "&lt;b&gt;Kiosk&lt;/b&gt;" in page
    assert "1 Antwort noch nicht hier" in page  # taken 5, received 3, 1 aside
    assert "Uhr falsch" in page
    assert "still" not in page
    with app.app_context():
        session = db.session()
        session.scalars(select(Device)).one().last_seen_at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        session.commit()
    assert "seit über 24 h still" in staff_client.get("/staff/kiosks/").text


def test_revoking_stops_the_token(
    app: Flask, staff_client: FlaskClient, client: FlaskClient
) -> None:
    link = register(staff_client, app)
    token = client.post("/api/v1/enrol", json={"code": link.rpartition("#")[2]}).get_json()["token"]
    with app.app_context():
        device_id = db.session().scalars(select(Device.id)).one()
    assert staff_client.post(f"/staff/kiosks/{device_id}/revoke").status_code == 303
    refused = client.post(
        "/api/v1/responses", json={"responses": []}, headers={"Authorization": f"Bearer {token}"}
    )
    assert refused.status_code == 401
    assert "gesperrt" in staff_client.get("/staff/kiosks/").text
    assert staff_client.post("/staff/kiosks/99999/revoke").status_code == 404


def test_importing_a_batch_file_twice_counts_it_once(
    app: Flask, staff_client: FlaskClient, client: FlaskClient
) -> None:
    link = register(staff_client, app)
    client.post("/api/v1/enrol", json={"code": link.rpartition("#")[2]})
    with app.app_context():
        device_id = db.session().scalars(select(Device.id)).one()
        campaign, _, _ = demo(db.session())
    single = question(campaign, QuestionKind.SINGLE)
    document = {
        "format": "kiosk-batch/1",
        "device_id": device_id,
        "responses": [
            {
                "uuid": str(uuid.uuid4()),
                "location": "ehp",
                "question_id": single.id,
                "option_ids": [single.options[1].id],
            }
            for _ in range(4)
        ]
        + ["kaputt"],
    }
    raw = json.dumps(document).encode()

    def upload(data: bytes) -> str:
        response = staff_client.post(
            "/staff/kiosks/import",
            content_type="multipart/form-data",
            data={"batch": (io.BytesIO(data), "kiosk.json")},
        )
        return f"{response.status_code} {response.text}"

    assert "4 neu, 0 schon bekannt, 1 zurückgestellt" in upload(raw)
    assert "0 neu, 4 schon bekannt, 1 zurückgestellt" in upload(raw)
    assert upload(b"not json").startswith("422")
    assert "keine Stapeldatei" in upload(b"{}")
    stranger = json.dumps({**document, "device_id": 424242}).encode()
    assert "nennt keinen bekannten Kiosk" in upload(stranger)
    for odd in (True, 2**40, "1"):
        assert "beschädigt" in upload(json.dumps({**document, "device_id": odd}).encode())
    big = json.dumps({**document, "responses": document["responses"] * 200}).encode()
    assert len(big) > 64 * 1024 and "800 schon bekannt" in upload(big)
    missing = staff_client.post("/staff/kiosks/import", data={})
    assert missing.status_code == 422

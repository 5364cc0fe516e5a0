"""The staff area over HTTP: login, tallies, wishes, downloads, the QR code."""

from __future__ import annotations

import csv
import io
import json

import pytest
import zxingcpp
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from kiosk.collect.answers import Answer, record_answer
from kiosk.models import Area, AuditEntry, Campaign, QuestionKind
from kiosk.setup.demo import DEMO_EMAIL
from kiosk.web import db
from tests.helpers import demo, pick, question


@pytest.fixture
def answered(app: Flask) -> dict[str, int]:
    """Two kiosk votes and one QR vote at the square, a wish at the playground."""
    with app.app_context():
        session = db.session()
        campaign, square, playground = demo(session)
        first = question(campaign, QuestionKind.SINGLE)
        for channel in ("kiosk", "kiosk", "qr"):
            record_answer(
                session, pick(first, 0), campaign=campaign, location_id=square.id, channel=channel
            )
        wish = question(campaign, QuestionKind.WISH)
        record_answer(
            session,
            Answer(pick(wish).uuid, None, wish, text="<script>alert(1)</script> Mehr Bänke"),
            campaign=campaign,
            location_id=playground.id,
            channel="qr",
        )
        session.commit()
        area_id = session.scalar(select(Area.id))
        return {
            "square": square.id,
            "playground": playground.id,
            "area": area_id,
            "campaign": campaign.id,
        }


def test_staff_pages_need_a_login(client: FlaskClient, answered: dict[str, int]) -> None:
    for url in [
        "/staff/",
        f"/staff/location/{answered['square']}",
        f"/staff/location/{answered['square']}/tally.csv",
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert "/staff/login" in response.headers["Location"]


def test_a_wrong_password_is_refused_readably(client: FlaskClient) -> None:
    response = client.post("/staff/login", data={"email": DEMO_EMAIL, "password": "falsch"})
    assert response.status_code == 422
    assert "E-Mail oder Passwort ist falsch." in response.text
    oversized = client.post("/staff/login", data={"email": "x" * 5000, "password": "y" * 5000})
    assert oversized.status_code == 422


def test_login_follows_next_only_within_the_site(client: FlaskClient) -> None:
    from kiosk.setup.demo import DEMO_PASSWORD

    credentials = {"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
    evil = client.post("/staff/login?next=//evil.example.com/x", data=credentials)
    assert evil.headers["Location"] == "/staff/"
    client.post("/staff/logout")
    fine = client.post("/staff/login?next=/staff/location/1", data=credentials)
    assert fine.headers["Location"] == "/staff/location/1"


def test_overview_lists_places_with_their_answers(
    staff_client: FlaskClient, answered: dict[str, int]
) -> None:
    page = staff_client.get("/staff/")
    assert page.status_code == 200
    assert "Emil-Höllein-Platz" in page.text
    assert "Spielplatz Zeitzer Straße" in page.text
    assert '<td class="num">3</td>' in page.text
    assert "WerkStadt – Leben in Jena Nord" in page.text


def test_location_results_show_counts_shares_channels_and_wishes(
    staff_client: FlaskClient, answered: dict[str, int]
) -> None:
    page = staff_client.get(f"/staff/location/{answered['square']}")
    assert page.status_code == 200
    assert "3 Antworten" in page.text
    assert "Kiosk: 2, Handy (QR-Code oder Link): 1" in page.text
    assert "100\xa0%" in page.text  # German number format: 100 %, non-breaking
    playground = staff_client.get(f"/staff/location/{answered['playground']}").text
    # A hostile wish is shown as text, never as markup.
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Mehr Bänke" in playground
    assert "<script>alert(1)" not in playground


@pytest.mark.parametrize("kind", ["area", "campaign"])
def test_area_and_campaign_results(
    staff_client: FlaskClient, answered: dict[str, int], kind: str
) -> None:
    page = staff_client.get(f"/staff/{kind}/{answered[kind]}")
    assert page.status_code == 200
    assert "Kiosk: 2, Handy (QR-Code oder Link): 1" in page.text
    assert "Mehr Bänke" in page.text


def test_tally_csv_download(
    app: Flask, staff_client: FlaskClient, answered: dict[str, int]
) -> None:
    response = staff_client.get(f"/staff/location/{answered['square']}/tally.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="ehp-tally.csv"' in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][6:12] == ["Grün und Schatten", "🌳", "2", "1", "0", "3"]
    with app.app_context():
        entry = db.session().scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
        assert entry.detail["what"] == "tally"


@pytest.mark.parametrize(("sep", "char"), [("comma", ","), ("tab", "\t")])
def test_separator_is_selectable(
    staff_client: FlaskClient, answered: dict[str, int], sep: str, char: str
) -> None:
    # A streamed download keeps its database cursor until the response is closed.
    with staff_client.get(
        f"/staff/area/{answered['area']}/raw.csv?sep={sep}&headers=names"
    ) as response:
        assert response.status_code == 200
        body = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=char))
    assert len(rows) == 5  # header, 3 votes, 1 wish
    assert rows[0][0] == "uuid"


def test_an_unknown_separator_or_scope_is_a_readable_4xx(
    staff_client: FlaskClient, answered: dict[str, int]
) -> None:
    bad = staff_client.get(f"/staff/location/{answered['square']}/tally.csv?sep=pipe")
    assert bad.status_code == 400
    assert "Unbekanntes Trennzeichen" in bad.text
    assert staff_client.get("/staff/location/99999").status_code == 404
    assert staff_client.get("/staff/location/99999/raw.json").status_code == 404
    assert staff_client.get("/staff/street/1").status_code == 404
    assert staff_client.get(f"/staff/location/{answered['square']}/tally.xml").status_code == 404


def test_json_downloads(staff_client: FlaskClient, answered: dict[str, int]) -> None:
    tally = staff_client.get(f"/staff/campaign/{answered['campaign']}/tally.json").get_json()
    first = tally["campaigns"][0]["questions"][0]
    assert first["answers"] == 3
    assert first["options"][0]["by_channel"] == {"kiosk": 2, "qr": 1, "web": 0, "paper": 0}
    with staff_client.get(f"/staff/campaign/{answered['campaign']}/raw.json") as response:
        raw = json.loads(response.data)
    assert len(raw) == 4
    assert {row["location_code"] for row in raw} == {"ehp", "zeitzer"}


def test_location_qr_code_opens_the_phone_link(
    staff_client: FlaskClient, answered: dict[str, int]
) -> None:
    response = staff_client.get(f"/staff/location/{answered['square']}/qr.png")
    assert response.mimetype == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.data)))
    assert [code.text for code in decoded] == ["http://localhost/q/ehp"]


def test_public_url_setting_is_used_for_qr_links(
    app: Flask, staff_client: FlaskClient, answered: dict[str, int]
) -> None:
    app.config["PUBLIC_URL"] = "https://beteiligung.example.org/"
    page = staff_client.get(f"/staff/location/{answered['square']}")
    assert "https://beteiligung.example.org/q/ehp" in page.text


def test_staff_pages_in_english(staff_client: FlaskClient, answered: dict[str, int]) -> None:
    page = staff_client.get(f"/staff/location/{answered['square']}?lang=en")
    assert "3 answers" in page.text
    assert "Kiosk: 2, Phone (QR code or link): 1" in page.text
    assert "What matters most to you in Jena Nord?" in page.text


def test_logout(staff_client: FlaskClient) -> None:
    assert staff_client.post("/staff/logout").status_code == 302
    assert staff_client.get("/staff/").status_code == 302


def test_a_closed_campaign_still_shows_its_results(
    app: Flask, staff_client: FlaskClient, answered: dict[str, int]
) -> None:
    import datetime as dt

    with app.app_context():
        session = db.session()
        session.get(Campaign, answered["campaign"]).ends_at = dt.datetime(
            2025, 12, 13, tzinfo=dt.UTC
        )
        session.commit()
    page = staff_client.get(f"/staff/location/{answered['square']}")
    assert "3 Antworten" in page.text


@pytest.mark.parametrize("ident", ["2147483648", "9223372036854775808", "9" * 30])
def test_huge_ids_are_a_404_not_an_overflow(staff_client: FlaskClient, ident: str) -> None:
    for url in [
        f"/staff/location/{ident}",
        f"/staff/area/{ident}/tally.csv",
        f"/staff/campaign/{ident}/raw.json",
        f"/staff/location/{ident}/qr.png",
    ]:
        assert staff_client.get(url).status_code == 404, url

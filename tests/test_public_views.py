"""The passer-by's flow over HTTP: kiosk and QR, with and without htmx, and bad input."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from kiosk.models import Campaign, Option, Question, QuestionKind, Response
from kiosk.web import db

HX = {"HX-Request": "true"}


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


def responses(app: Flask) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Response)) or 0


def option_ids(html: str) -> list[str]:
    return re.findall(r'name="option" value="(\d+)"', html)


def answer_fields(html: str, **extra: str | list[str]) -> dict[str, str | list[str]]:
    fields: dict[str, str | list[str]] = {
        name: hidden(html, name) for name in ("visit", "uuid", "question")
    }
    fields.update(extra)
    return fields


def test_kiosk_flow_with_htmx_from_start_to_thanks(app: Flask, client: FlaskClient) -> None:
    page = client.get("/k/ehp")
    assert page.status_code == 200
    assert "WerkStadt – Leben in Jena Nord" in page.text
    assert '<html lang="de" dir="ltr">' in page.text

    screen = client.post("/k/ehp/begin", headers=HX)
    assert screen.status_code == 200
    assert "<html" not in screen.text  # a fragment for the swap
    assert "Frage 1 von 5" in screen.text
    assert "Was ist Ihnen in Jena Nord am wichtigsten?" in screen.text

    screen = client.post(
        "/k/ehp/answer",
        headers=HX,
        data=answer_fields(screen.text, option=option_ids(screen.text)[1]),
    )
    assert "Frage 2 von 5" in screen.text
    screen = client.post("/k/ehp/answer", headers=HX, data=answer_fields(screen.text, value="5"))
    assert "Frage 3 von 5" in screen.text
    screen = client.post(
        "/k/ehp/answer",
        headers=HX,
        data=answer_fields(screen.text, option=option_ids(screen.text)[:2]),
    )
    assert "Frage 4 von 5" in screen.text
    screen = client.post("/k/ehp/answer", headers=HX, data=answer_fields(screen.text, skip="1"))
    assert "Frage 5 von 5" in screen.text
    screen = client.post(
        "/k/ehp/answer", headers=HX, data=answer_fields(screen.text, text="Ein Trinkbrunnen bitte")
    )
    assert screen.status_code == 200
    assert "Danke!" in screen.text
    assert 'data-return-to="/k/ehp?lang=de"' in screen.text
    assert responses(app) == 4  # one question skipped
    assert screen.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in screen.headers["Vary"]


def test_qr_flow_without_javascript_redirects_between_pages(
    app: Flask, client: FlaskClient
) -> None:
    page = client.get("/q/ehp")  # a phone goes straight to the first question
    assert page.status_code == 200
    assert "<html" in page.text
    assert "Frage 1 von 5" in page.text
    visit = hidden(page.text, "visit")
    for number in range(1, 6):
        data = answer_fields(page.text, skip="1")
        if number == 1:
            data = answer_fields(page.text, option=option_ids(page.text)[0])
        posted = client.post("/q/ehp/answer", data=data)
        assert posted.status_code == 303
        page = client.get(posted.headers["Location"])
        assert page.status_code == 200
        if number < 5:
            assert f"visit={visit}" in posted.headers["Location"]
            assert f"Frage {number + 1} von 5" in page.text
    assert "Danke!" in page.text
    assert "Nächste Person" not in page.text  # only a kiosk invites the next person
    with app.app_context():
        stored = db.session().scalars(select(Response)).one()
        assert (stored.channel, str(stored.visit_id)) == ("qr", visit)


def test_kiosk_thanks_page_without_javascript_returns_to_start(client: FlaskClient) -> None:
    page = client.get("/k/ehp/thanks")
    assert '<meta http-equiv="refresh" content="8; url=/k/ehp?lang=de">' in page.text


def test_a_double_tap_counts_once(app: Flask, client: FlaskClient) -> None:
    screen = client.post("/k/ehp/begin", headers=HX)
    data = answer_fields(screen.text, option=option_ids(screen.text)[0])
    first = client.post("/k/ehp/answer", headers=HX, data=data)
    second = client.post("/k/ehp/answer", headers=HX, data=data)
    assert first.status_code == second.status_code == 200
    assert responses(app) == 1


def test_english_interface_and_content(client: FlaskClient) -> None:
    page = client.get("/q/ehp?lang=en")
    assert '<html lang="en" dir="ltr">' in page.text
    assert "Question 1 of 5" in page.text
    assert "What matters most to you in Jena Nord?" in page.text
    assert "Green and shade" in page.text
    # The choice is remembered for the next screens.
    assert "Question 1 of 5" in client.get("/q/ehp").text


def test_every_page_has_a_strict_content_security_policy(client: FlaskClient) -> None:
    for url in ["/", "/k/ehp", "/q/ehp", "/staff/login", "/nowhere"]:
        policy = client.get(url).headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "default-src 'self'" in policy


def test_pages_load_nothing_from_another_host(client: FlaskClient) -> None:
    for url in ["/", "/k/ehp", "/q/ehp", "/staff/login"]:
        html = client.get(url).text
        assert not re.search(r'(src|href)="(https?:)?//', html), url
        assert "<script>" not in html and "style=" not in html, url


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"option": "abc"}, 422, "gehört nicht zu den Auswahlmöglichkeiten"),
        ({"option": "999999"}, 422, "gehört nicht zu den Auswahlmöglichkeiten"),
        ({}, 422, "Bitte wählen Sie eine Antwort"),
        ({"uuid": "not-a-uuid"}, 422, "Formular war beschädigt"),
        ({"visit": "xyz"}, 422, "Formular war beschädigt"),
        ({"question": "abc"}, 422, "Formular war beschädigt"),
    ],
)
def test_bad_answers_get_a_readable_fragment_and_store_nothing(
    app: Flask, client: FlaskClient, data: dict[str, str], status: int, message: str
) -> None:
    screen = client.post("/k/ehp/begin", headers=HX)
    fields = answer_fields(screen.text)
    fields.update(data)
    response = client.post("/k/ehp/answer", headers=HX, data=fields)
    assert response.status_code == status
    assert message in response.text
    assert "<html" not in response.text
    assert responses(app) == 0


def test_a_bad_answer_without_htmx_gets_the_whole_page_back(client: FlaskClient) -> None:
    page = client.get("/q/ehp")
    response = client.post("/q/ehp/answer", data=answer_fields(page.text, option="x"))
    assert response.status_code == 422
    assert "<html" in response.text
    assert "Frage 1 von 5" in response.text
    # The same answer identity is kept, so a corrected resend is still one answer.
    assert hidden(response.text, "uuid") == hidden(page.text, "uuid")


def test_empty_and_oversized_wishes_are_refused(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        campaign = db.session().scalars(select(Campaign)).one()
        wish_id = str(campaign.questions[-1].id)
    base = {"visit": str(uuid.uuid4()), "question": wish_id}
    empty = client.post(
        "/k/ehp/answer", headers=HX, data={**base, "uuid": str(uuid.uuid4()), "text": "   "}
    )
    assert empty.status_code == 422
    assert "Bitte schreiben Sie Ihren Wunsch" in empty.text
    long = client.post(
        "/k/ehp/answer", headers=HX, data={**base, "uuid": str(uuid.uuid4()), "text": "ä" * 281}
    )
    assert long.status_code == 422
    assert "höchstens 280 Zeichen" in long.text
    assert ("ä" * 281) in long.text  # what was typed is not lost
    assert responses(app) == 0


def test_an_oversized_body_is_refused_readably(app: Flask, client: FlaskClient) -> None:
    response = client.post("/k/ehp/answer", data={"text": "x" * 200_000})
    assert response.status_code == 413
    assert "zu viel Text" in response.text
    assert responses(app) == 0


def test_unknown_place_is_a_readable_404(client: FlaskClient) -> None:
    for url in ["/k/nirgendwo", "/q/nirgendwo", "/q/nirgendwo/s/0"]:
        response = client.get(url)
        assert response.status_code == 404
        assert "Es gibt keinen Ort mit dem Kürzel „nirgendwo“" in response.text


def test_a_step_out_of_range_or_a_bad_visit_is_a_4xx(client: FlaskClient) -> None:
    visit = uuid.uuid4()
    assert client.get(f"/q/ehp/s/99?visit={visit}").status_code == 404
    assert client.get("/q/ehp/s/0?visit=nope").status_code == 422


def test_a_question_of_another_campaign_is_refused(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        session = db.session()
        foreign = Question(
            position=0,
            kind=QuestionKind.SINGLE,
            texts={"de": "Fremd?"},
            options=[Option(position=0, texts={"de": "Ja"}, emoji="✅")],
        )
        session.add(Campaign(title="Andere Befragung", questions=[foreign]))
        session.commit()
        foreign_id, option_id = foreign.id, foreign.options[0].id
    response = client.post(
        "/k/ehp/answer",
        headers=HX,
        data={
            "visit": str(uuid.uuid4()),
            "uuid": str(uuid.uuid4()),
            "question": str(foreign_id),
            "option": str(option_id),
        },
    )
    assert response.status_code == 422
    assert "gehört nicht zur Befragung an diesem Ort" in response.text
    assert responses(app) == 0


def test_a_closed_campaign_shows_a_notice_and_refuses_answers(
    app: Flask, client: FlaskClient
) -> None:
    page = client.get("/q/ehp")
    with app.app_context():
        session = db.session()
        session.scalars(select(Campaign)).one().ends_at = dt.datetime(2025, 12, 13, tzinfo=dt.UTC)
        session.commit()
    assert "Hier läuft gerade keine Befragung" in client.get("/k/ehp").text
    response = client.post(
        "/q/ehp/answer", headers=HX, data=answer_fields(page.text, option=option_ids(page.text)[0])
    )
    assert response.status_code == 409
    assert "Diese Befragung läuft gerade nicht" in response.text
    assert responses(app) == 0


def test_csrf_is_enforced_when_on(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/q/ehp")
    refused = client.post("/q/ehp/answer", data=answer_fields(page.text, option="1"))
    assert refused.status_code == 400
    assert "Bitte laden Sie sie neu" in refused.text
    accepted = client.post(
        "/q/ehp/answer",
        data=answer_fields(
            page.text, option=option_ids(page.text)[0], csrf_token=hidden(page.text, "csrf_token")
        ),
    )
    assert accepted.status_code == 303
    assert responses(app) == 1


def test_wrong_methods_are_readable(client: FlaskClient) -> None:
    response = client.get("/k/ehp/answer")
    assert response.status_code == 405
    assert "lässt sich so nicht verwenden" in response.text


def test_nul_characters_are_refused_everywhere(app: Flask, client: FlaskClient) -> None:
    page = client.get("/q/ehp")
    response = client.post(
        "/q/ehp/answer", headers=HX, data=answer_fields(page.text, option="1\x00")
    )
    assert response.status_code == 400
    assert "Zeichen, das nicht erlaubt ist" in response.text
    login = client.post("/staff/login", data={"email": "demo\x00@example.org", "password": "x"})
    assert login.status_code == 400
    assert client.get("/q/ehp?lang=de\x00").status_code == 400
    assert responses(app) == 0


def test_a_wish_with_a_nul_character_stores_nothing(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        wish_id = str(db.session().scalars(select(Campaign)).one().questions[-1].id)
    response = client.post(
        "/q/ehp/answer",
        headers=HX,
        data={
            "visit": str(uuid.uuid4()),
            "uuid": str(uuid.uuid4()),
            "question": wish_id,
            "text": "a\x00b",
        },
    )
    assert response.status_code == 400
    assert responses(app) == 0


def test_an_unknown_place_offers_the_front_page_not_itself(client: FlaskClient) -> None:
    page = client.get("/q/nirgendwo")
    assert 'href="/"' in page.text
    assert 'href="/q/nirgendwo"' not in page.text


def test_a_server_fault_shows_a_calm_page(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    import kiosk.collect.casting as casting

    def broken(*_args: object, **_kwargs: object) -> bool:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(casting, "record_answer", broken)
    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    page = client.get("/q/ehp")
    response = client.post(
        "/q/ehp/answer", headers=HX, data=answer_fields(page.text, option=option_ids(page.text)[0])
    )
    assert response.status_code == 500
    assert "Bitte versuchen Sie es noch einmal" in response.text
    assert "disk on fire" not in response.text


def test_the_next_kiosk_visitor_starts_in_the_kiosk_language(client: FlaskClient) -> None:
    assert "Question 1 of 5" in client.post("/k/ehp/begin?lang=en", headers=HX).text
    thanks = client.get("/k/ehp/thanks")
    assert 'data-return-to="/k/ehp?lang=de"' in thanks.text
    assert "Los geht's" in client.get("/k/ehp?lang=de").text


def test_kiosk_questions_return_to_the_start_when_left_alone(client: FlaskClient) -> None:
    screen = client.post("/k/ehp/begin", headers=HX).text
    assert 'data-idle-reset="90" data-still-there="20" data-return-to="/k/ehp?lang=de"' in screen
    assert "data-idle-reset" not in client.get("/q/ehp").text  # a phone is its owner's


def test_language_links_point_at_this_screen_even_after_a_post(client: FlaskClient) -> None:
    page = client.get("/q/ehp")
    visit = hidden(page.text, "visit")
    refused = client.post("/q/ehp/answer", data=answer_fields(page.text, option="x"))
    assert refused.status_code == 422
    link = f'href="/q/ehp/s/0?visit={visit}&amp;lang=en"'
    assert link in refused.text
    assert "Question 1 of 5" in client.get(f"/q/ehp/s/0?visit={visit}&lang=en").text


def test_a_malformed_uuid_is_replaced_so_the_question_can_be_answered(
    app: Flask, client: FlaskClient
) -> None:
    page = client.get("/q/ehp")
    bad = answer_fields(page.text, option=option_ids(page.text)[0], uuid="kaputt")
    refused = client.post("/q/ehp/answer", data=bad)
    assert refused.status_code == 422
    fresh = hidden(refused.text, "uuid")
    assert uuid.UUID(fresh)
    again = client.post("/q/ehp/answer", data={**bad, "uuid": fresh})
    assert again.status_code == 303
    assert responses(app) == 1


def test_a_wish_with_line_breaks_counts_them_as_the_browser_does(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        wish_id = str(db.session().scalars(select(Campaign)).one().questions[-1].id)
    text = "Bänk\r\n" * 56  # 336 characters sent, 280 as the browser counts them
    response = client.post(
        "/q/ehp/answer",
        data={
            "visit": str(uuid.uuid4()),
            "uuid": str(uuid.uuid4()),
            "question": wish_id,
            "text": text,
        },
    )
    assert response.status_code == 303
    with app.app_context():
        stored = db.session().scalars(select(Response)).one().text
        assert "\r" not in stored

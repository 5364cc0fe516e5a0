"""Ballot stuffing on the QR pages: one answer per question and phone, kept by the database
(100 posts at once with one cookie, through two gunicorn workers on PostgreSQL, leave one
row); what the safeguards turn away is counted for staff; the cookie says nothing about anyone.
"""

from __future__ import annotations

import re
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.models import QrBallot, Response
from kiosk.models.engine import make_engine
from kiosk.safety.safeguards import (
    VOTER_COOKIE,
    AlreadyAnsweredError,
    Safeguard,
    ballot_key,
    count_refusal,
    new_voter_cookie,
    refusals,
    take_qr_ballot,
    voter_of,
)
from tests.helpers import demo, question
from tests.test_public_views import HX, answer_fields, hidden, option_ids, responses
from tests.test_sync_e2e import central  # noqa: F401 (a fixture: gunicorn on PostgreSQL)

SECRET = "test-secret"
REPEAT_NOTICE = "Diese Frage haben Sie auf diesem Handy schon beantwortet"


def first_question(phone: FlaskClient) -> str:
    return phone.get("/q/ehp", headers=HX).text


def test_a_phone_answers_each_question_once(app: Flask, client: FlaskClient) -> None:
    page = first_question(client)
    first = answer_fields(page, option=option_ids(page)[0])
    after_first = client.post("/q/ehp/answer", headers=HX, data=first)
    assert after_first.status_code == 200 and REPEAT_NOTICE not in after_first.text
    # The same phone again from a tab left open on the first question: a new answer id (as a
    # script would send) and another choice.
    again = answer_fields(page, option=option_ids(page)[1]) | {"uuid": str(uuid.uuid4())}
    second = client.post("/q/ehp/answer", headers=HX, data=again)
    assert second.status_code == 200 and REPEAT_NOTICE in second.text  # said on the next screen
    assert responses(app) == 1
    # It goes on to the next question, which counts.
    following = answer_fields(second.text, value="5")  # the smiley scale
    assert client.post("/q/ehp/answer", headers=HX, data=following).status_code == 200
    assert responses(app) == 2
    # Without htmx (a plain form), the notice waits for the next page.
    again = answer_fields(page, option=option_ids(page)[0]) | {"uuid": str(uuid.uuid4())}
    plain = client.post("/q/ehp/answer", data=again)
    assert plain.status_code == 303
    assert REPEAT_NOTICE in client.get(plain.headers["Location"]).text
    # A resend of the first answer (same id) is the same answer, not a second one.
    assert client.post("/q/ehp/answer", headers=HX, data=first).status_code == 200
    assert REPEAT_NOTICE not in client.post("/q/ehp/answer", headers=HX, data=first).text
    assert responses(app) == 2
    # Another phone answers the first question too.
    phone = app.test_client()
    page = first_question(phone)
    assert (
        phone.post(
            "/q/ehp/answer", headers=HX, data=answer_fields(page, option=option_ids(page)[0])
        ).status_code
        == 200
    )
    assert responses(app) == 3


def test_a_phone_coming_back_is_asked_only_what_it_has_not_answered(
    app: Flask, client: FlaskClient
) -> None:
    page = first_question(client)
    client.post("/q/ehp/answer", headers=HX, data=answer_fields(page, option=option_ids(page)[0]))
    back = first_question(client)
    assert hidden(back, "question") != hidden(page, "question")  # straight to the second
    assert "Frage 2 von 5" in back
    # Answer the rest; then the phone is thanked for what it gave before.
    screen = back
    while 'name="question"' in screen:
        fields = answer_fields(screen, skip="1")
        if option_ids(screen):
            fields = answer_fields(screen, option=option_ids(screen)[0])
        elif 'name="value"' in screen:
            fields = answer_fields(screen, value="5")
        elif 'name="text"' in screen:
            fields = answer_fields(screen, text="Mehr Bänke")
        screen = client.post("/q/ehp/answer", headers=HX, data=fields).text
    assert "Ihre Antworten sind gespeichert" in screen and responses(app) == 5
    done = client.get("/q/ehp")
    assert done.status_code == 200 and "schon alle Fragen beantwortet" in done.text
    assert 'name="question"' not in done.text and responses(app) == 5
    # Another phone starts at the beginning.
    assert "Frage 1 von 5" in first_question(app.test_client())


def test_skipping_takes_no_ballot(app: Flask, client: FlaskClient) -> None:
    page = first_question(client)
    assert (
        client.post("/q/ehp/answer", headers=HX, data=answer_fields(page, skip="1")).status_code
        == 200
    )
    page = first_question(client)
    answered = client.post(
        "/q/ehp/answer", headers=HX, data=answer_fields(page, option=option_ids(page)[0])
    )
    assert REPEAT_NOTICE not in answered.text and responses(app) == 1


def test_the_cookie_is_anonymous_signed_and_kept_to_the_qr_pages(
    app: Flask, client: FlaskClient
) -> None:
    page = client.get("/q/ehp")
    (header,) = [h for h in page.headers.getlist("Set-Cookie") if h.startswith(VOTER_COOKIE)]
    parts = [part.strip().lower() for part in header.split(";")]
    assert "httponly" in parts and "samesite=lax" in parts and "path=/q/" in parts
    assert any(part.startswith("max-age=") for part in parts)
    value = SimpleCookie(header)[VOTER_COOKIE].value
    voter = voter_of(SECRET, value)
    assert voter is not None and re.fullmatch(r"[A-Za-z0-9_-]{22}", voter)  # 128 random bits
    # Kept: the next page sets none; the kiosk pages never get one.
    assert not any(
        h.startswith(VOTER_COOKIE) for h in client.get("/q/ehp").headers.getlist("Set-Cookie")
    )
    kiosk = app.test_client().get("/k/ehp")
    assert not any(h.startswith(VOTER_COOKIE) for h in kiosk.headers.getlist("Set-Cookie"))
    # A made-up or altered cookie is not taken: the phone gets a new one.
    for forged in ("abc", value[:-2] + "xx", "x" * 500, f"{voter}.AAAA"):
        phone = app.test_client()
        phone.set_cookie(VOTER_COOKIE, forged, path="/q/")
        again = phone.get("/q/ehp").headers.getlist("Set-Cookie")
        assert any(h.startswith(VOTER_COOKIE) for h in again), forged


def test_a_ballot_names_no_cookie_and_links_no_questions() -> None:
    voter, cookie = new_voter_cookie(SECRET)
    assert voter_of(SECRET, cookie) == voter and voter_of("another secret", cookie) is None
    one, two = ballot_key(SECRET, voter, 1), ballot_key(SECRET, voter, 2)
    assert re.fullmatch(r"[0-9a-f]{32}", one) and one != two
    assert one == ballot_key(SECRET, voter, 1)  # the same phone, the same question: the same
    assert voter not in one and ballot_key("another secret", voter, 1) != one


def test_the_database_lets_one_ballot_in(session: Session) -> None:
    campaign, _, _ = demo(session)
    single = question(campaign, "single").id
    take_qr_ballot(session, question_id=single, ballot="a" * 32)
    take_qr_ballot(session, question_id=question(campaign, "wish").id, ballot="a" * 32)
    with pytest.raises(AlreadyAnsweredError) as refused:
        take_qr_ballot(session, question_id=single, ballot="a" * 32)
    assert refused.value.status == 409
    session.rollback()


def test_refusals_are_counted_per_place_safeguard_and_day(session: Session) -> None:
    _, square, other = demo(session)
    for _ in range(3):
        count_refusal(session, square.id, Safeguard.QR_REPEAT)
    count_refusal(session, square.id, Safeguard.KIOSK_COOLDOWN)
    count_refusal(session, other.id, Safeguard.QR_REPEAT)
    session.commit()
    assert refusals(session, [square.id]) == {
        Safeguard.KIOSK_COOLDOWN: 1,
        Safeguard.QR_REPEAT: 3,
        Safeguard.RATE_LIMIT: 0,
    }
    assert refusals(session, [square.id, other.id])[Safeguard.QR_REPEAT] == 4


def test_staff_see_what_the_safeguards_turned_away(
    app: Flask, client: FlaskClient, staff_client: FlaskClient
) -> None:
    app.config["KIOSK_COOLDOWN_SECONDS"] = 60
    page = first_question(client)
    for _ in range(2):  # a phone answering twice, from the same open page (new answer ids)
        fields = answer_fields(page, option="1") | {"uuid": str(uuid.uuid4())}
        client.post("/q/ehp/answer", headers=HX, data=fields)
    kiosk = app.test_client()
    for _ in range(3):  # a kiosk hammered: the first counts, two wait
        screen = kiosk.post("/k/ehp/begin", headers=HX).text
        fields = answer_fields(screen, option=option_ids(screen)[0])
        kiosk.post("/k/ehp/answer", headers=HX, data=fields)
    results = staff_client.get("/staff/location/1").text
    shown = re.search(r'<p class="muted" id="refused">(.*?)</p>', results, re.S)
    assert shown is not None
    text = " ".join(shown.group(1).split())
    assert "1 zweite Antwort vom selben Handy" in text
    assert "2 Kiosk-Antworten in der Pause" in text


def test_a_hundred_posts_at_once_with_one_cookie_leave_one_row(
    central: tuple[str, object],  # noqa: F811
    postgres_url: str,
) -> None:
    base, _ = central
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    page = opener.open(f"{base}/q/ehp", timeout=10).read().decode()
    form = {
        "csrf_token": hidden(page, "csrf_token"),
        "visit": hidden(page, "visit"),
        "question": hidden(page, "question"),
        "option": option_ids(page)[0],
    }

    def post(_: int) -> int:
        # A script would send a new answer id each time: only the cookie ties them together.
        body = urllib.parse.urlencode(form | {"uuid": str(uuid.uuid4())}).encode()
        request = urllib.request.Request(  # noqa: S310
            f"{base}/q/ehp/answer", data=body, headers={"HX-Request": "true"}
        )
        try:
            with opener.open(request, timeout=30) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(post, range(100)))
    assert statuses == [200] * 100  # every post answered; none a server error
    engine = make_engine(postgres_url)
    try:
        with engine.connect() as connection:
            rows = connection.scalar(select(func.count()).select_from(Response))
            ballots = connection.scalar(select(func.count()).select_from(QrBallot))
            refused = connection.scalar(sa.text("SELECT sum(count) FROM refusal_count"))
    finally:
        engine.dispose()
    assert (rows, ballots, refused) == (1, 1, 99)

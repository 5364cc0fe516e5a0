"""What a kiosk shows passers-by: results so far, approved wishes, the attract loop, its pace."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kiosk.cli import upgrade_database
from kiosk.collect.answers import Answer, record_answer, take_kiosk_turn
from kiosk.collect.showcase import approved_wishes, attract_slides, public_results
from kiosk.core.errors import KioskCooldownError
from kiosk.models import (
    COMMAND_LINE,
    AuditEntry,
    Campaign,
    KioskPace,
    Location,
    Question,
    QuestionKind,
    Response,
    ResultsShown,
    SharedWish,
    WishState,
)
from kiosk.models.engine import make_engine
from kiosk.results.charts import Slice, pie_svg
from kiosk.setup.campaigns import copy_campaign
from kiosk.sync.configuration import apply_config, config_document, config_etag, shared_wishes
from kiosk.web import db
from tests.helpers import demo, pick, question
from tests.test_public_views import HX, answer_fields, option_ids, responses

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
SVG = "{http://www.w3.org/2000/svg}"


def svg_tree(svg: object) -> ElementTree.Element:
    """Parse the SVG the app made (well-formed, or this raises)."""
    return ElementTree.fromstring(str(svg))  # noqa: S314 - our own output, not untrusted input


# --- The pie -----------------------------------------------------------------------------


def test_a_pie_is_valid_svg_with_one_slice_per_answered_option() -> None:
    svg = pie_svg(
        [Slice("Bäume", 3, "#2e7d32"), Slice("Bänke", 1, "#6d4c41"), Slice("Licht", 0, "#f9a825")],
        title="Was fehlt hier?",
    )
    root = svg_tree(str(svg))
    assert root.get("role") == "img" and root.get("aria-label") == "Was fehlt hier?"
    paths = root.findall(f"{SVG}path")
    assert [p.get("fill") for p in paths] == ["#2e7d32", "#6d4c41"]
    assert [p.findtext(f"{SVG}title") for p in paths] == ["Bäume: 3", "Bänke: 1"]
    # Three quarters, then the last quarter: the first arc is the large one and ends at nine.
    first = paths[0].get("d") or ""
    assert " 0 1 1 2.00 100.00 Z" in first
    assert (paths[1].get("d") or "").endswith(" 0 0 1 100.00 2.00 Z")  # back at twelve


def test_a_pie_of_one_option_is_a_circle_and_of_none_an_empty_ring() -> None:
    whole = svg_tree(str(pie_svg([Slice("Ja", 5, "#123456")], title="t")))
    assert whole.find(f"{SVG}circle") is not None and whole.find(f"{SVG}path") is None
    empty = svg_tree(str(pie_svg([Slice("Ja", 0, "#123456")], title="t")))
    assert empty.find(f"{SVG}circle").get("fill") == "none"  # type: ignore[union-attr]


def test_a_pie_escapes_its_words_and_refuses_odd_colours() -> None:
    svg = str(
        pie_svg(
            [
                Slice('<script>alert(1)</script>"', 2, 'red" onload="alert(1)'),
                Slice("b", 1, "#fff"),
                Slice("c", 1, "rgb(0,0,0)"),
            ],
            title='"><img src=x onerror=alert(1)>',
        )
    )
    root = svg_tree(svg)  # still well-formed
    assert "<script>" not in svg and "<img" not in svg and "onload" not in svg
    assert [p.get("fill") for p in root.findall(f"{SVG}path")] == ["#6b7a72", "#fff", "#6b7a72"]


# --- Results the public may see ------------------------------------------------------------


def test_results_count_per_place_and_hide_until_close_where_asked(session: Session) -> None:
    campaign, square, playground = demo(session)
    single = question(campaign, QuestionKind.SINGLE)
    age = question(campaign, QuestionKind.SINGLE, 1)  # the demo keeps its results until close
    assert age.results_shown == ResultsShown.AFTER_CLOSE
    for positions, place in [((0,), square), ((0,), square), ((2,), square), ((1,), playground)]:
        record_answer(session, pick(single, *positions), campaign=campaign,
                      location_id=place.id, channel="kiosk")  # fmt: skip
    record_answer(session, pick(age, 1), campaign=campaign, location_id=square.id, channel="qr")
    session.commit()

    running = {r.question.id: r for r in public_results(session, campaign, square.id, now=NOW)}
    assert age.id not in running  # hidden while the campaign runs
    result = running[single.id]
    assert result.answered == 3
    assert [(o.option.position, o.count) for o in result.options[:2]] == [(0, 2), (2, 1)]
    assert result.options[0].share == pytest.approx(2 / 3)

    session.execute(update(Campaign).values(ends_at=NOW - dt.timedelta(days=1)))
    session.commit()
    closed_campaign = demo(session)[0]
    closed = {
        r.question.id: r for r in public_results(session, closed_campaign, square.id, now=NOW)
    }
    assert closed[age.id].answered == 1  # shown once the campaign has ended


def test_a_scale_keeps_its_order_and_wishes_have_no_pie(session: Session) -> None:
    campaign, square, _ = demo(session)
    scale = question(campaign, QuestionKind.SCALE)
    for position in (4, 4, 0):
        record_answer(session, pick(scale, position), campaign=campaign, location_id=square.id,
                      channel="kiosk")  # fmt: skip
    session.commit()
    results = {r.question.id: r for r in public_results(session, campaign, square.id, now=NOW)}
    assert [o.option.position for o in results[scale.id].options] == [0, 1, 2, 3, 4]
    assert all(r.question.kind != QuestionKind.WISH for r in results.values())


def test_a_multiple_choice_shares_people_not_picks(session: Session) -> None:
    campaign, square, _ = demo(session)
    multi = question(campaign, QuestionKind.MULTI)
    for positions in [(0, 1), (0,)]:
        record_answer(session, pick(multi, *positions), campaign=campaign,
                      location_id=square.id, channel="kiosk")  # fmt: skip
    (result,) = [
        r for r in public_results(session, campaign, square.id, now=NOW) if r.question == multi
    ]
    assert result.answered == 2
    shares = [(o.option.position, o.share) for o in result.options if o.count]
    assert shares == [(0, 1.0), (1, 0.5)]  # as staff read it; the pie shows the picks


def _wish(session: Session, text: str, *, state: WishState, location_id: int) -> uuid.UUID:
    campaign, _, _ = demo(session)
    answer_uuid = uuid.uuid4()
    wish_question = question(campaign, QuestionKind.WISH)
    record_answer(session, Answer(answer_uuid, None, wish_question, text=text), campaign=campaign,
                  location_id=location_id, channel="qr")  # fmt: skip
    session.execute(
        update(Response).where(Response.uuid == answer_uuid).values(wish_state=state.value)
    )
    return answer_uuid


def test_only_approved_wishes_are_shown_newest_first(session: Session) -> None:
    campaign, square, playground = demo(session)
    _wish(session, "Mehr Bänke", state=WishState.APPROVED, location_id=square.id)
    _wish(session, "Name und Adresse von jemandem", state=WishState.REJECTED, location_id=square.id)
    _wish(session, "Noch nicht gelesen", state=WishState.PENDING, location_id=square.id)
    _wish(session, "Ein Trinkbrunnen", state=WishState.APPROVED, location_id=square.id)
    _wish(session, "Am Spielplatz", state=WishState.APPROVED, location_id=playground.id)
    session.commit()
    assert approved_wishes(session, campaign.id, square.id) == ["Ein Trinkbrunnen", "Mehr Bänke"]


def test_attract_slides_are_pies_of_answered_questions_then_wishes_in_threes(
    session: Session,
) -> None:
    campaign, square, _ = demo(session)
    single = question(campaign, QuestionKind.SINGLE)
    record_answer(session, pick(single, 1), campaign=campaign, location_id=square.id,
                  channel="kiosk")  # fmt: skip
    results = public_results(session, campaign, square.id, now=NOW)
    slides = attract_slides(results, ["a", "b", "c", "d"])
    assert [s.result.question.id if s.result else s.wishes for s in slides] == [
        single.id,
        ("a", "b", "c"),
        ("d",),
    ]
    assert attract_slides(public_results(session, campaign, 999_999, now=NOW), []) == []


# --- Wishes and settings flowing down to a kiosk node --------------------------------------


def test_approved_wishes_travel_to_a_node_and_change_the_etag(
    session: Session, tmp_path: Path
) -> None:
    campaign, square, _ = demo(session)
    before = config_etag(session, shared_wishes(session))
    pending = _wish(session, "Schatten bitte", state=WishState.PENDING, location_id=square.id)
    session.commit()
    assert config_etag(session, shared_wishes(session)) == before  # nothing public changed
    session.execute(
        update(Response).where(Response.uuid == pending).values(wish_state=WishState.APPROVED.value)
    )
    session.commit()
    document = config_document(session)
    assert config_etag(session, document["wishes"]) != before
    assert [w["text"] for w in document["wishes"]] == ["Schatten bitte"]
    assert document["campaigns"][0]["questions"][3]["results_shown"] == "after_close"

    node = _node_session(tmp_path)
    apply_config(node, document)
    node.commit()
    assert approved_wishes(node, campaign.id, square.id) == ["Schatten bitte"]
    (age,) = node.scalars(select(Question).where(Question.position == 3)).all()
    assert age.results_shown == ResultsShown.AFTER_CLOSE

    document["wishes"] = []  # rejected at central after all: gone from the node too
    apply_config(node, document)
    node.commit()
    assert node.scalar(select(func.count()).select_from(SharedWish)) == 0


def test_a_document_from_an_older_central_still_applies(session: Session, tmp_path: Path) -> None:
    document = config_document(session)
    del document["wishes"]
    for c in document["campaigns"]:
        for q in c["questions"]:
            del q["results_shown"]
    node = _node_session(tmp_path)
    apply_config(node, document)
    node.commit()
    assert set(node.scalars(select(Question.results_shown))) == {ResultsShown.LIVE}


def _node_session(directory: Path) -> Session:
    url = f"sqlite:///{directory / 'node.sqlite3'}"
    upgrade_database(url)
    return Session(make_engine(url))


# --- The kiosk's pace ------------------------------------------------------------------------


def test_a_kiosk_counts_one_answer_per_question_per_cooldown(session: Session) -> None:
    campaign, square, _ = demo(session)
    single = question(campaign, QuestionKind.SINGLE)
    scale = question(campaign, QuestionKind.SCALE)

    def turn(question_id: int, seconds: float) -> None:
        take_kiosk_turn(
            session,
            location_id=square.id,
            question_id=question_id,
            cooldown=dt.timedelta(seconds=5),
            now=NOW + dt.timedelta(seconds=seconds),
        )

    turn(single.id, 0)
    with pytest.raises(KioskCooldownError):
        turn(single.id, 4)
    turn(scale.id, 1)  # another question has its own turn
    turn(single.id, 5)
    with pytest.raises(KioskCooldownError):
        turn(single.id, 6)
    with pytest.raises(KioskCooldownError):
        turn(single.id, 4.999)  # another worker whose clock said a moment earlier
    # A clock set back by an hour (NTP after a cold start) does not lock the kiosk.
    turn(single.id, -3600)


# --- Over HTTP -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _results_at_once(app: Flask) -> None:
    """Results from the first answer, never a snapshot (one test checks both limits)."""
    app.config.update(PUBLIC_RESULTS_MIN_ANSWERS=1, PUBLIC_RESULTS_MINUTES=0)


@pytest.fixture
def paced(app: Flask) -> Flask:
    app.config["KIOSK_COOLDOWN_SECONDS"] = 60
    return app


def test_a_hammered_kiosk_gets_a_calm_message_and_counts_once(
    paced: Flask, client: FlaskClient
) -> None:
    def first_question() -> str:
        return client.post("/k/ehp/begin", headers=HX).text

    screen = first_question()
    assert client.post("/k/ehp/answer", headers=HX, data=answer_fields(
        screen, option=option_ids(screen)[0])).status_code == 200  # fmt: skip
    screen = first_question()
    fields = answer_fields(screen, option=option_ids(screen)[1])
    hammered = client.post("/k/ehp/answer", headers=HX, data=fields)
    assert hammered.status_code == 429
    assert "Einen Moment bitte" in hammered.text and "Frage 1 von 5" in hammered.text
    assert hidden_uuid(hammered.text) == fields["uuid"]  # the same answer, when tapped again
    assert responses(paced) == 1

    with paced.app_context():  # as if the cooldown had passed
        db.session().execute(update(KioskPace).values(last_at=NOW - dt.timedelta(days=365)))
        db.session().commit()
    assert client.post("/k/ehp/answer", headers=HX, data=fields).status_code == 200
    assert responses(paced) == 2


def test_the_cooldown_leaves_resends_skips_and_phones_alone(
    paced: Flask, client: FlaskClient
) -> None:
    screen = client.post("/k/ehp/begin", headers=HX).text
    fields = answer_fields(screen, option=option_ids(screen)[0])
    assert client.post("/k/ehp/answer", headers=HX, data=fields).status_code == 200
    assert client.post("/k/ehp/answer", headers=HX, data=fields).status_code == 200  # resend
    skip = answer_fields(client.post("/k/ehp/begin", headers=HX).text, skip="1")
    assert client.post("/k/ehp/answer", headers=HX, data=skip).status_code == 200
    for _ in range(3):  # phones have their own trust model: one answer per phone
        phone = paced.test_client()
        page = phone.get("/q/ehp", headers=HX).text
        data = answer_fields(page, option=option_ids(page)[0])
        assert phone.post("/q/ehp/answer", headers=HX, data=data).status_code == 200
    assert responses(paced) == 4


def test_thanks_shows_results_so_far_but_not_those_kept_until_close(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        campaign, square, _ = demo(db.session())
        for q in campaign.questions:
            if q.kind != QuestionKind.WISH:
                record_answer(db.session(), pick(q, 0), campaign=campaign,
                              location_id=square.id, channel="kiosk")  # fmt: skip
        db.session().commit()
    page = client.get("/k/ehp/thanks").text
    assert "So wurde hier bisher geantwortet" in page
    assert "Was ist Ihnen in Jena Nord am wichtigsten?" in page
    assert "Wie alt sind Sie?" not in page  # kept until the campaign closes
    assert page.count('class="pie"') == 2 and page.count("legend-bars") == 1  # multi: bars
    assert re.search(r"Grün und Schatten</span>\s*<strong[^>]*>100\s%</strong>", page)


def test_the_idle_start_screen_shows_the_loop_and_it_can_be_switched_off(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        square_id = db.session().scalar(select(Location.id).where(Location.code == "ehp"))
        assert square_id is not None
        _wish(db.session(), "Mehr Schatten", state=WishState.APPROVED, location_id=square_id)
        db.session().commit()
    page = client.get("/k/ehp").text
    assert "Mehr Schatten" in page
    loop = re.search(r'hx-get="(/k/ehp/loop\?revision=\d+)"', page)
    assert loop is not None
    assert "Wünsche von hier" in client.get(loop.group(1)).text
    assert client.get("/k/zeitzer/loop?revision=0").headers.get("HX-Refresh") == "true"
    assert client.get("/k/nowhere/loop").status_code == 404
    with app.app_context():  # staff change the campaign: the start screen comes anew
        first = db.session().scalars(select(Question).where(Question.position == 0)).one()
        first.texts = {"de": "Was ist Ihnen hier am wichtigsten?"}
        db.session().commit()
    changed = client.get(loop.group(1))
    assert changed.status_code == 204 and changed.headers.get("HX-Refresh") == "true"

    app.config["KIOSK_ATTRACT_SECONDS"] = 0
    page = client.get("/k/ehp").text
    assert "/loop" not in page and "Mehr Schatten" not in page


def hidden_uuid(html: str) -> str:
    match = re.search(r'name="uuid" value="([^"]*)"', html)
    assert match
    return match.group(1)


def test_staff_choose_when_a_questions_results_are_public(
    app: Flask, staff_client: FlaskClient
) -> None:
    with app.app_context():
        campaign, _, _ = demo(db.session())
    single = question(campaign, QuestionKind.SINGLE)
    page = staff_client.get(f"/staff/campaign/{campaign.id}").text
    assert f'action="/staff/question/{single.id}/results-shown"' in page
    answer = staff_client.post(
        f"/staff/question/{single.id}/results-shown",
        data={"results_shown": "after_close", "next": f"/staff/campaign/{campaign.id}"},
    )
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/staff/campaign/{campaign.id}#question-{single.id}"
    with app.app_context():
        session = db.session()
        assert session.get(Question, single.id).results_shown == ResultsShown.AFTER_CLOSE  # type: ignore[union-attr]
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None and entry.action == "question-results-shown"
        assert entry.detail == {"question": single.id, "value": "after_close"}
        assert config_document(session)["campaigns"][0]["questions"][0]["results_shown"] == (
            "after_close"
        )  # kiosk nodes take it over with the configuration
    assert (
        "Was ist Ihnen in Jena Nord am wichtigsten?" not in staff_client.get("/k/ehp/thanks").text
    )


def test_a_bad_results_setting_is_refused_readably(app: Flask, staff_client: FlaskClient) -> None:
    with app.app_context():
        campaign, _, _ = demo(db.session())
    single = question(campaign, QuestionKind.SINGLE)
    for value in ["", "always", "x" * 10_000, "LIVE"]:
        answer = staff_client.post(
            f"/staff/question/{single.id}/results-shown", data={"results_shown": value}
        )
        assert answer.status_code == 422
        assert "Diese Einstellung kennt diesen Wert nicht" in answer.text
    nul = staff_client.post(
        f"/staff/question/{single.id}/results-shown", data={"results_shown": "live\x00"}
    )
    assert nul.status_code == 400  # refused before any view, like every NUL character
    assert staff_client.post("/staff/question/999999/results-shown").status_code == 404
    assert (
        staff_client.post(
            f"/staff/question/{single.id}/results-shown",
            data={"results_shown": "live", "next": "/\\evil.example"},
        )
        .headers["Location"]
        .startswith("/staff/#question-")
    )  # never to another host
    with app.app_context():
        assert db.session().get(Question, single.id).results_shown == ResultsShown.LIVE  # type: ignore[union-attr]


def test_the_results_setting_needs_a_login(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        single = question(demo(db.session())[0], QuestionKind.SINGLE)
    answer = client.post(
        f"/staff/question/{single.id}/results-shown", data={"results_shown": "after_close"}
    )
    assert answer.status_code == 302 and "/staff/login" in answer.headers["Location"]
    with app.app_context():
        assert db.session().get(Question, single.id).results_shown == ResultsShown.LIVE  # type: ignore[union-attr]


def _answer_single(app: Flask, position: int, times: int = 1) -> None:
    with app.app_context():
        campaign, square, _ = demo(db.session())
        for _ in range(times):
            record_answer(db.session(), pick(question(campaign, QuestionKind.SINGLE), position),
                          campaign=campaign, location_id=square.id, channel="kiosk")  # fmt: skip
        db.session().commit()


def test_public_results_wait_for_a_few_answers_and_stay_a_snapshot(
    app: Flask, client: FlaskClient
) -> None:
    app.config.update(PUBLIC_RESULTS_MIN_ANSWERS=3, PUBLIC_RESULTS_MINUTES=15)
    _answer_single(app, 0, times=2)
    assert "Grün und Schatten" not in client.get("/k/ehp/thanks").text  # two: too few
    _answer_single(app, 0)
    shown = client.get("/k/ehp/thanks").text
    assert re.search(r"Grün und Schatten</span>\s*<strong[^>]*>100\s%</strong>", shown)
    _answer_single(app, 1)  # the next person: the screen does not give them away
    assert client.get("/k/ehp/thanks").text == shown
    app.config["PUBLIC_RESULTS_MINUTES"] = 0  # the snapshot has aged
    assert re.search(
        r"Grün und Schatten</span>\s*<strong[^>]*>75\s%</strong>", client.get("/k/ehp/thanks").text
    )


def test_an_ended_campaign_shows_its_final_results_at_the_place(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        campaign, square, _ = demo(db.session())
        age = question(campaign, QuestionKind.SINGLE, 1)
        record_answer(db.session(), pick(age, 2), campaign=campaign, location_id=square.id,
                      channel="qr")  # fmt: skip
        db.session().commit()
    _answer_single(app, 0)
    assert "Wie alt sind Sie?" not in client.get("/k/ehp/thanks").text  # kept while it runs
    with app.app_context():
        db.session().scalars(select(Campaign)).one().ends_at = dt.datetime(
            2026, 1, 1, tzinfo=dt.UTC
        )
        db.session().commit()
    for prefix in ("k", "q"):
        page = client.get(f"/{prefix}/ehp").text
        assert "Hier läuft gerade keine Befragung" in page
        assert "So wurde hier bei „WerkStadt – Leben in Jena Nord“ abgestimmt" in page
        assert "Wie alt sind Sie?" in page and "Grün und Schatten" in page  # now all of it
    assert "So wurde hier" not in client.get("/k/zeitzer").text  # no answers there


def test_a_kiosk_node_gets_only_its_own_places_approved_wishes(app: Flask) -> None:
    from kiosk.sync.devices import register_device

    with app.app_context():
        session = db.session()
        _, square, playground = demo(session)
        _wish(session, "Am Platz", state=WishState.APPROVED, location_id=square.id)
        _wish(session, "Am Spielplatz", state=WishState.APPROVED, location_id=playground.id)
        _, code = register_device(
            session, name="Kiosk Spielplatz", location_id=playground.id, actor=COMMAND_LINE
        )
        session.commit()
    client = app.test_client()
    token = client.post("/api/v1/enrol", json={"code": code}).get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    first = client.get("/api/v1/config", headers=auth)
    assert [w["text"] for w in first.get_json()["wishes"]] == ["Am Spielplatz"]
    assert first.get_json()["wishes"][0]["received_at"].endswith(":00+00:00")  # the minute
    etag = first.headers["ETag"]
    with app.app_context():  # a wish approved elsewhere does not make this node reload
        _wish(db.session(), "Noch einer am Platz", state=WishState.APPROVED, location_id=square.id)
        db.session().commit()
    assert client.get("/api/v1/config", headers={**auth, "If-None-Match": etag}).status_code == 304


def test_the_wall_answers_bad_addresses_readably(app: Flask, client: FlaskClient) -> None:
    assert client.get("/wall/nowhere").status_code == 404
    assert client.get("/wall/campaign/999999").status_code == 404
    assert client.get(f"/wall/campaign/{2**40}").status_code == 404
    with app.app_context():  # a copy not set up yet is nobody's business
        copy = copy_campaign(
            db.session(), demo(db.session())[0].id, title="Kopie", actor=COMMAND_LINE
        )
        db.session().commit()
        copy_id = copy.id
    assert client.get(f"/wall/campaign/{copy_id}").status_code == 404
    page = client.get("/wall/ehp")
    assert page.status_code == 200 and "/q/ehp" in page.text
    fragment = client.get("/wall/ehp", headers=HX).text
    assert "<html" not in fragment and "Emil-Höllein-Platz" in fragment


def test_the_wall_shows_the_same_snapshot_as_the_kiosk(app: Flask, client: FlaskClient) -> None:
    app.config.update(PUBLIC_RESULTS_MIN_ANSWERS=1, PUBLIC_RESULTS_MINUTES=15)
    _answer_single(app, 0)
    shown = client.get("/wall/ehp", headers=HX).text
    assert "1 Person hat geantwortet." in shown
    _answer_single(app, 1)  # the next person
    assert "1 Person hat geantwortet." in client.get("/wall/ehp", headers=HX).text
    assert "HX-Request" in client.get("/wall/ehp").headers["Vary"]

"""Downloads for the conference: the tally as XLSX, charts as PNG, bars in the results page."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import update
from sqlalchemy.orm import Session

from kiosk.access.permissions import Role
from kiosk.collect.answers import Answer, record_answer
from kiosk.models import QuestionKind, Response
from kiosk.results.charts import Bar, Slice, bar_png, bar_svg, pie_png
from kiosk.results.tallies import answers_per_hour, load_scope, over_time
from kiosk.setup.demo import DEMO_EMAIL, DEMO_PASSWORD
from kiosk.web import db
from tests.helpers import demo, login_as, pick, question
from tests.test_showcase import svg_tree


def _answers(app: Flask) -> int:
    """A few answers at the square, a hostile wish among them; the campaign's id."""
    with app.app_context():
        session = db.session()
        campaign, square, _ = demo(session)
        single = question(campaign, QuestionKind.SINGLE)
        for position, channel in [(0, "kiosk"), (0, "qr"), (2, "kiosk")]:
            record_answer(session, pick(single, position), campaign=campaign,
                          location_id=square.id, channel=channel)  # fmt: skip
        wish = Answer(uuid.uuid4(), None, question(campaign, QuestionKind.WISH),
                      text="=HYPERLINK(\"http://evil.example\";\"klick\")")  # fmt: skip
        record_answer(session, wish, campaign=campaign, location_id=square.id, channel="qr")
        session.commit()
        return campaign.id


def test_the_tally_as_a_workbook_with_a_sheet_per_question(
    app: Flask, staff_client: FlaskClient
) -> None:
    campaign_id = _answers(app)
    answer = staff_client.get(f"/staff/campaign/{campaign_id}/tally.xlsx")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].endswith('-tally.xlsx"')
    book = load_workbook(io.BytesIO(answer.data))
    assert book.sheetnames[0].startswith("1 Was ist Ihnen in Jena Nord")
    assert len(book.sheetnames[0]) <= 31 and book.sheetnames[-1] == "Wünsche"
    sheet = book[book.sheetnames[0]]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Was ist Ihnen in Jena Nord am wichtigsten?"
    assert rows[4][:2] == ("Antwort", "Piktogramm") and "Kiosk" in rows[4]
    first = rows[5][: len([cell for cell in rows[4] if cell])]  # the rows beneath are wider
    assert first[0] == "Grün und Schatten" and first[1] == "🌳"
    assert first[-2] == 2 and abs(first[-1] - 2 / 3) < 0.001  # total, share of the people
    wishes = list(book["Wünsche"].iter_rows(values_only=True))
    assert wishes[1][0] == '=HYPERLINK("http://evil.example";"klick")'
    assert book["Wünsche"]["A2"].data_type == "s"  # text, never a formula


def test_charts_download_as_png_pies_and_bars(app: Flask, staff_client: FlaskClient) -> None:
    campaign_id = _answers(app)
    with app.app_context():
        single = question(demo(db.session())[0], QuestionKind.SINGLE)
    for form in ("bar", "pie"):
        answer = staff_client.get(f"/staff/campaign/{campaign_id}/chart/{single.id}-{form}.png")
        assert answer.status_code == 200 and answer.mimetype == "image/png"
        image = Image.open(io.BytesIO(answer.data))
        assert image.format == "PNG" and image.width == 1200
    with app.app_context():
        wish = question(demo(db.session())[0], QuestionKind.WISH)
    charts = f"/staff/campaign/{campaign_id}/chart"
    assert staff_client.get(f"{charts}/{wish.id}-pie.png").status_code == 404  # no options
    assert staff_client.get(f"{charts}/99999-bar.png").status_code == 404
    page = staff_client.get(f"/staff/campaign/{campaign_id}").text
    assert 'class="bars"' in page and "2 (67 %)" in page


def test_png_charts_are_drawn_with_their_numbers_and_survive_odd_input() -> None:
    bars = [Bar("Grün und Schatten", 2, 2 / 3, "#2e7d32"), Bar("x" * 500, 1, 1 / 3, "nope")]
    image = Image.open(io.BytesIO(bar_png(bars, title="Was ist wichtig?" * 20)))
    assert image.width == 1200 and image.height > 120 + 56 * 2 + 30  # the long texts wrapped
    colours = {colour for _count, colour in image.getcolors(1_000_000) or []}
    assert (46, 125, 50) in colours  # the first bar's own colour
    empty = Image.open(io.BytesIO(pie_png([Slice("Ja", 0, "#123456")], title="Leer")))
    assert empty.format == "PNG"
    pie = Image.open(io.BytesIO(pie_png([Slice("Ja", 3, "#123456"), Slice("Nein", 1, "#abc")],
                                        title="Ja oder nein?")))  # fmt: skip
    assert (18, 52, 86) in {c for _n, c in pie.getcolors(1_000_000) or []}


def test_bar_svg_is_well_formed_and_escapes_its_words() -> None:
    svg = bar_svg([Bar("<script>x</script>", 1, 1.0, 'red" onload="x')], title='"><b>')
    root = svg_tree(svg)
    assert root.get("aria-label") == '"><b>'
    assert "<script>" not in str(svg) and "onload" not in str(svg)


def test_the_printable_report_has_every_question_and_only_approved_wishes(
    app: Flask, staff_client: FlaskClient
) -> None:
    campaign_id = _answers(app)
    with app.app_context():
        session = db.session()
        campaign, square, _ = demo(session)
        wish = Answer(uuid.uuid4(), None, question(campaign, QuestionKind.WISH),
                      text="Mehr Bänke am Platz")  # fmt: skip
        record_answer(session, wish, campaign=campaign, location_id=square.id, channel="qr")
        session.execute(
            update(Response).where(Response.uuid == wish.uuid).values(wish_state="approved")
        )
        session.commit()
    page = staff_client.get(f"/staff/campaign/{campaign_id}/report")
    assert page.status_code == 200
    assert page.text.count('class="bars"') == 4  # every choice question, as bars
    assert "Mehr Bänke am Platz" in page.text
    assert "HYPERLINK" not in page.text  # still waiting for a moderator
    assert "data-print" in page.text


def test_viewers_read_only_approved_wishes_and_control_characters_do_no_harm(
    app: Flask, staff_client: FlaskClient
) -> None:
    campaign_id = _answers(app)
    with app.app_context():
        session = db.session()
        campaign, square, _ = demo(session)
        for text, state in [("Ruf an: 0176 1234567", "pending"), ("Bänke\x07 bitte", "approved")]:
            wish = Answer(uuid.uuid4(), None, question(campaign, QuestionKind.WISH), text=text)
            record_answer(session, wish, campaign=campaign, location_id=square.id, channel="qr")
            session.execute(
                update(Response).where(Response.uuid == wish.uuid).values(wish_state=state)
            )
        session.commit()
    workbook = f"/staff/campaign/{campaign_id}/tally.xlsx"
    book = load_workbook(io.BytesIO(staff_client.get(workbook).data))
    texts = [row[0] for row in book["Wünsche"].iter_rows(min_row=2, values_only=True)]
    assert "Bänke bitte" in texts and "Ruf an: 0176 1234567" in texts  # moderators read all
    viewer = login_as(app, Role.VIEWER)
    page = viewer.get(f"/staff/campaign/{campaign_id}").text
    assert "Bänke" in page and "0176 1234567" not in page
    book = load_workbook(io.BytesIO(viewer.get(workbook).data))
    texts = [row[0] for row in book["Wünsche"].iter_rows(min_row=2, values_only=True)]
    assert texts == ["Bänke bitte"]
    raw = viewer.get(f"/staff/campaign/{campaign_id}/raw.csv").data.decode("utf-8-sig")
    assert "0176 1234567" not in raw and "HYPERLINK" not in raw and "Bänke" in raw


def test_answers_over_time_fold_into_local_days_and_hours(session: Session) -> None:
    campaign, square, _ = demo(session)
    single = question(campaign, QuestionKind.SINGLE)
    berlin = ZoneInfo("Europe/Berlin")
    # 22:30 UTC on 31 March is 00:30 on 1 April in Berlin (summer time); two at 09:15 UTC.
    for moment in ["2026-03-31T22:30:00+00:00", "2026-04-01T09:15:00+00:00",
                   "2026-04-01T09:45:00+00:00"]:  # fmt: skip
        record_answer(session, pick(single, 0), campaign=campaign, location_id=square.id,
                      channel="qr", now=dt.datetime.fromisoformat(moment))  # fmt: skip
    session.commit()
    hours = answers_per_hour(session, load_scope(session, "location", square.id))
    assert hours == [
        (dt.datetime(2026, 3, 31, 22, tzinfo=dt.UTC), 1),
        (dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC), 2),
    ]
    folded = over_time(hours, berlin)
    assert folded.days == [(dt.date(2026, 4, 1), 3)]
    assert folded.hours[0] == 1 and folded.hours[11] == 2 and sum(folded.hours) == 3


def test_the_results_page_shows_answers_over_time(app: Flask, staff_client: FlaskClient) -> None:
    campaign_id = _answers(app)
    page = staff_client.get(f"/staff/campaign/{campaign_id}").text
    assert "Antworten im Zeitverlauf" in page and 'aria-label="Antworten pro Tag"' in page
    empty = staff_client.get("/staff/location/2").text  # no answers at the playground
    assert "Antworten im Zeitverlauf" not in empty


def test_a_raw_download_left_halfway_leaves_the_database_fit_for_the_next(
    committed_app: Flask,
) -> None:
    """A browser that goes away mid-download ends the stream (PostgreSQL: a COPY cut short);
    its session rolls back and the next download, on the same pooled connection, is whole."""
    with committed_app.app_context():
        session = db.session()
        campaign, square, _ = demo(session)
        wish = question(campaign, QuestionKind.WISH)
        for number in range(600):  # about 150 KB: more than one chunk of the stream
            answer = Answer(uuid.uuid4(), None, wish, text=f"Wunsch {number} " + "x" * 150)
            record_answer(session, answer, campaign=campaign, location_id=square.id, channel="qr")
        session.commit()
        url = f"/staff/location/{square.id}/raw.csv?headers=names"
    client = committed_app.test_client()
    client.post("/staff/login", data={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    for _ in range(3):
        partial = client.get(url, buffered=False)
        chunks = iter(partial.response)
        first, second = next(chunks), next(chunks)
        assert first.startswith("\ufeffuuid".encode()) and second
        partial.close()
    whole = client.get(url)
    assert whole.status_code == 200
    assert whole.text.count("Wunsch ") == 600


def test_the_report_prints_the_newest_approved_wishes_and_says_when_there_are_more(
    app: Flask, staff_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign_id = _answers(app)
    with app.app_context():
        session = db.session()
        campaign, square, _ = demo(session)
        for number, (state, mark) in enumerate(
            [
                ("approved", None),
                ("approved", "personal"),
                ("pending", None),
                ("approved", None),
                ("approved", None),
            ]
        ):
            wish = Answer(uuid.uuid4(), None, question(campaign, QuestionKind.WISH),
                          text=f"Wunsch Nummer {number}")  # fmt: skip
            record_answer(session, wish, campaign=campaign, location_id=square.id, channel="qr")
            session.execute(update(Response).where(Response.uuid == wish.uuid)
                            .values(wish_state=state, wish_mark=mark))  # fmt: skip
        session.commit()
    url = f"/staff/campaign/{campaign_id}/report"
    page = staff_client.get(url).text
    shown = [n for n in range(5) if f"Wunsch Nummer {n}" in page]
    assert shown == [0, 3, 4]  # the marked one and the pending one are not for print
    assert "im Excel-Download stehen alle" not in page
    monkeypatch.setattr("kiosk.web.staff.results.REPORT_WISHES", 2)
    page = staff_client.get(url).text
    assert [n for n in range(5) if f"Wunsch Nummer {n}" in page] == [3, 4]  # the newest
    assert "Die neuesten 2 freigegebenen Wünsche; im Excel-Download stehen alle." in page

"""Downloads a conference can use as they are, and the places side by side on the results page.

Column names, channels and wish states in the staff member's language (machine names with
?headers=names or --headers names), a place column and a block per place in a campaign's
or an area's tally, the workbook alike; the results page's table of places, sorted by a link.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import Area, Location, Question, QuestionKind
from kiosk.results.exports import TALLY_HEADER, tally_csv
from kiosk.results.rawcsv import RAW_COLUMNS, RAW_HEADER, Wording, raw_csv
from kiosk.results.tallies import (
    CHANNEL_WORDS,
    PlaceColumn,
    load_scope,
    sorted_places,
    tally,
    tally_per_place,
)
from kiosk.web import db
from tests.helpers import demo, question
from tests.hostile import FORMULAS
from tests.test_hour_counts import _statements
from tests.test_tallies_exports import seed

ENGLISH_TALLY = [
    "Campaign",
    "Place code",
    "Place",
    "Question no.",
    "Question",
    "Answer no.",
    "Answer",
    "Pictogram",
    "Kiosk",
    "Phone (QR code or link)",
    "Paper tally sheet",
    "Total",
    "People who answered the question",
    "Share of these people",
]
GERMAN_TALLY = [
    "Befragung",
    "Ortskürzel",
    "Ort",
    "Frage Nr.",
    "Frage",
    "Antwort Nr.",
    "Antwort",
    "Piktogramm",
    "Kiosk",
    "Handy (QR-Code oder Link)",
    "Papier-Strichliste",
    "Gesamt",
    "Personen, die die Frage beantwortet haben",
    "Anteil dieser Personen",
]
ENGLISH_RAW = [
    "ID of the answer (UUID)",
    "Received (UTC)",
    "Time on the device (UTC)",
    "Answered (UTC)",
    "Campaign no.",
    "Place code",
    "Place",
    "Channel",
    "Poster label",
    "Visit (ID)",
    "Question no.",
    "Question",
    "Answer",
    "IDs of the chosen answers",
    "Point on the scale",
    "Wish: moderation",
]


def rows_of(text: str, separator: str = ";") -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=separator))


def by_name(rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(TALLY_HEADER, row, strict=True)) for row in rows[1:]]


# --- The domain: a place column, a block per place, words or machine names ----------------


def test_a_campaigns_tally_has_all_places_first_then_each_place(session: Session) -> None:
    campaign = seed(session)
    scope = load_scope(session, "campaign", campaign.id)
    tallies = tally(session, scope)
    text = "".join(tally_csv(scope, tallies, tally_per_place(session, scope), ";"))
    rows = rows_of(text)
    assert rows[0] == TALLY_HEADER  # machine names by default in the domain
    first = [row for row in by_name(rows) if row["question_number"] == "1"]
    places = [(row["location_code"], row["location"]) for row in first]
    assert list(dict.fromkeys(places)) == [
        ("", ""),  # all places
        ("ehp", "Emil-Höllein-Platz"),
        ("zeitzer", "Spielplatz Zeitzer Straße"),
    ]
    counted = {
        (row["location_code"], row["option_number"]): (
            row["count_kiosk"],
            row["count_qr"],
            row["count_total"],
            row["answers_total"],
            row["share"],
        )
        for row in first
    }
    assert counted[("", "1")] == ("2", "1", "3", "6", "0,5000")
    assert counted[("ehp", "1")] == ("2", "1", "3", "4", "0,7500")
    assert counted[("ehp", "3")] == ("0", "0", "0", "4", "0,0000")
    assert counted[("zeitzer", "3")] == ("0", "2", "2", "2", "1,0000")
    assert counted[("zeitzer", "1")] == ("0", "0", "0", "2", "0,0000")


def test_an_areas_tally_has_a_block_per_place_and_a_places_only_its_own(
    session: Session,
) -> None:
    seed(session)
    _, square, _ = demo(session)
    area = load_scope(session, "area", session.scalars(select(Area.id)).one())
    rows = by_name(rows_of("".join(tally_csv(area, tally(session, area),
                                             tally_per_place(session, area), ";"))))  # fmt: skip
    assert [code for code in dict.fromkeys(row["location_code"] for row in rows)] == [
        "",
        "ehp",
        "zeitzer",
    ]
    place = load_scope(session, "location", square.id)
    rows = by_name(rows_of("".join(tally_csv(place, tally(session, place), [], ";"))))
    assert {(row["location_code"], row["location"]) for row in rows} == {
        ("ehp", "Emil-Höllein-Platz")
    }


def test_words_name_the_columns_channels_and_wish_states_on_both_databases(
    session: Session,
) -> None:
    """The words come through translate (here: marked in capitals) in the header and, on
    PostgreSQL's COPY and SQLite's path alike, as each line's channel and wish state."""
    campaign = seed(session)
    scope = load_scope(session, "campaign", campaign.id)
    shout = Wording(str.upper)
    tally_text = "".join(tally_csv(scope, tally(session, scope), [], ",", wording=shout))
    header = rows_of(tally_text, ",")[0]
    assert header == [word.upper() for word in ENGLISH_TALLY]  # "web": no door writes it
    assert rows_of(tally_text, ",")[1][2] == "ALL PLACES"
    for separator in (";", ",", "\t"):
        raw = rows_of(b"".join(raw_csv(session, scope, separator, wording=shout)).decode(),
                      separator)  # fmt: skip
        assert raw[0] == [word.upper() for word in RAW_COLUMNS.values()]
        lines = [dict(zip(RAW_HEADER, row, strict=True)) for row in raw[1:]]
        assert {line["channel"] for line in lines} == {"KIOSK", "PHONE (QR CODE OR LINK)"}
        wishes = [line for line in lines if line["answer"] in ('\'=HYPERLINK("x")', "Schatten!")]
        assert [line["wish_state"] for line in wishes] == ["OPEN", "OPEN"]
        assert all(line["wish_state"] == "" for line in lines if line not in wishes)
    machine = rows_of(b"".join(raw_csv(session, scope, ";")).decode())
    assert machine[0] == RAW_HEADER
    assert {row[RAW_HEADER.index("channel")] for row in machine[1:]} == {"kiosk", "qr"}


def test_every_channel_says_what_it_is() -> None:
    assert set(CHANNEL_WORDS) == {"kiosk", "qr", "web", "paper"}
    assert CHANNEL_WORDS["qr"] == "Phone (QR code or link)"
    assert CHANNEL_WORDS["paper"] == "Paper tally sheet"


def test_hostile_place_names_are_defused_in_the_place_column(session: Session) -> None:
    campaign = seed(session)
    _, square, playground = demo(session)
    for place, name in zip((square, playground), FORMULAS[:2], strict=True):
        session.get(Location, place.id).name = name  # type: ignore[union-attr]
    session.flush()
    scope = load_scope(session, "campaign", campaign.id)
    places = tally_per_place(session, scope)
    for wording in (Wording(), Wording(str)):
        rows = rows_of("".join(tally_csv(scope, tally(session, scope), places, ";",
                                         wording=wording)))  # fmt: skip
        names = {row[2] for row in rows[1:]}
        assert {"'" + FORMULAS[0], "'" + FORMULAS[1]} <= names
        assert not any(name.startswith(("=", "+", "-", "@")) for name in names)


def test_places_sort_by_any_column_ties_by_name(session: Session) -> None:
    campaign = seed(session)
    scope = load_scope(session, "campaign", campaign.id)
    first = question(campaign, QuestionKind.SINGLE)
    rows = [
        (place.location, q)
        for place in tally_per_place(session, scope)
        for c in place.campaigns
        for q in c.questions
        if q.question.id == first.id
    ]
    names = lambda found: [place.code for place, _ in found]  # noqa: E731
    assert names(sorted_places(rows, PlaceColumn.PLACE, descending=False)) == ["ehp", "zeitzer"]
    assert names(sorted_places(rows, PlaceColumn.PLACE, descending=True)) == ["zeitzer", "ehp"]
    assert names(sorted_places(rows, PlaceColumn.ANSWERS, descending=True)) == ["ehp", "zeitzer"]
    third = first.options[2].id  # all of the playground's answers, none of the square's
    assert names(sorted_places(rows, third, descending=True)) == ["zeitzer", "ehp"]
    assert names(sorted_places(rows, third, descending=False)) == ["ehp", "zeitzer"]
    assert names(sorted_places(rows, 999_999, descending=True)) == ["ehp", "zeitzer"]
    assert names(sorted_places(rows, PlaceColumn.MEAN, descending=True)) == ["ehp", "zeitzer"]


def test_the_places_tally_never_reads_the_responses(session: Session) -> None:
    """As the tally (tests/test_hour_counts.py): from the counters kept per place."""
    campaign = seed(session)
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    for kind, ident in [("campaign", campaign.id), ("area", 1), ("location", 1)]:
        scope = load_scope(session, kind, ident)
        with _statements(session) as seen:
            tally_per_place(session, scope)
        assert seen
        for statement, parameters in seen:
            explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
            plan = "\n".join(
                " ".join(str(cell) for cell in row)
                for row in connection.exec_driver_sql(explain + statement, parameters)
            )
            assert re.search(r"\b(SCAN|SEARCH|on) response\b", plan) is None, statement


# --- The downloads as staff get them ---------------------------------------------------------


def _campaign_id(app: Flask) -> int:
    with app.app_context():
        return seed(db.session()).id


def test_the_csv_speaks_the_staff_members_language(app: Flask, staff_client: FlaskClient) -> None:
    campaign = _campaign_id(app)
    url = f"/staff/campaign/{campaign}/tally.csv"
    english = rows_of(staff_client.get(f"{url}?lang=en").text)
    assert english[0] == ENGLISH_TALLY
    assert english[1][:3] == ["WerkStadt – Leben in Jena Nord", "", "All places"]
    names = rows_of(staff_client.get(f"{url}?headers=names").text)
    assert names[0] == TALLY_HEADER and "count_web" in names[0]  # the same columns as ever
    with staff_client.get(f"/staff/campaign/{campaign}/raw.csv?lang=en") as raw:
        lines = rows_of(raw.text)
    assert lines[0] == ENGLISH_RAW
    assert {line[7] for line in lines[1:]} == {"Kiosk", "Phone (QR code or link)"}
    with staff_client.get(f"/staff/campaign/{campaign}/raw.csv?headers=names&sep=tab") as raw:
        lines = rows_of(raw.text, "\t")
    assert lines[0] == RAW_HEADER and {line[7] for line in lines[1:]} == {"kiosk", "qr"}
    bad = staff_client.get(f"{url}?headers=columns&lang=en")
    assert bad.status_code == 400 and "Unknown headers: use words" in bad.text


def test_the_csv_is_german_for_a_german_staff_member(app: Flask, staff_client: FlaskClient) -> None:
    """(The German words come with issue 20's strings file.)"""
    campaign = _campaign_id(app)
    german = rows_of(staff_client.get(f"/staff/campaign/{campaign}/tally.csv?lang=de").text)
    assert german[0] == GERMAN_TALLY
    assert german[1][2] == "Alle Orte"
    # The raw CSV streams after the request: its words were translated before.
    with staff_client.get(f"/staff/campaign/{campaign}/raw.csv") as raw:
        lines = rows_of(raw.text)
    assert lines[0][:3] == [
        "Kennung der Antwort (UUID)",
        "Empfangen (UTC)",
        "Uhrzeit des Geräts (UTC)",
    ]
    assert {line[7] for line in lines[1:]} == {"Kiosk", "Handy (QR-Code oder Link)"}
    assert {line[15] for line in lines[1:]} == {"", "Offen"}


def test_the_cli_writes_words_or_machine_names(app: Flask, tmp_path: Path) -> None:
    campaign = _campaign_id(app)
    runner = app.test_cli_runner()
    out = tmp_path / "tally.csv"
    for arguments, header in [
        (["--headers", "names"], TALLY_HEADER),
        (["--lang", "en"], ENGLISH_TALLY),
    ]:
        done = runner.invoke(
            args=["export-tally", "campaign", str(campaign), "-o", str(out), *arguments]
        )
        assert done.exit_code == 0, done.output
        rows = rows_of(out.read_text("utf-8"))
        assert rows[0] == header
        assert [row[1] for row in rows[1:]].count("zeitzer") == 22  # a row per option or wish
    refused = runner.invoke(args=["export-tally", "campaign", str(campaign), "--headers", "x"])
    assert refused.exit_code == 2


def test_the_json_tally_counts_each_place_too(app: Flask, staff_client: FlaskClient) -> None:
    campaign = _campaign_id(app)
    document = staff_client.get(f"/staff/campaign/{campaign}/tally.json").get_json()
    first = document["campaigns"][0]["questions"][0]
    assert first["answers"] == 6 and first["options"][0]["by_channel"]["web"] == 0
    at = {entry["place"]["code"]: entry for entry in first["places"]}
    assert sorted(at) == ["ehp", "zeitzer"]
    assert at["ehp"]["answers"] == 4 and at["ehp"]["options"][0]["count"] == 3
    assert at["zeitzer"]["options"][2] == {
        "id": first["options"][2]["id"],
        "count": 2,
        "by_channel": {"kiosk": 0, "qr": 2, "web": 0, "paper": 0},
        "share": 1.0,
    }
    json.dumps(document)


def test_the_workbook_names_the_channels_and_compares_the_places(
    app: Flask, staff_client: FlaskClient
) -> None:
    campaign = _campaign_id(app)
    with app.app_context():
        session = db.session()
        session.get(Location, demo(session)[2].id).name = FORMULAS[0]  # type: ignore[union-attr]
        session.commit()
    answer = staff_client.get(f"/staff/campaign/{campaign}/tally.xlsx?lang=en")
    book = load_workbook(io.BytesIO(answer.data))
    sheet = book[book.sheetnames[0]]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[4][:8] == ("Answer", "Pictogram", "Kiosk", "Phone (QR code or link)",
                           "Paper tally sheet", "Total", "Share", None)  # fmt: skip
    at = [row[0] for row in rows].index("Per place")
    assert rows[at + 1][:4] == ("Place", "Answers", "Green and shade", "Green and shade %")
    assert rows[at + 2][:2] == (FORMULAS[0], 2)  # "=" before "E"
    assert sheet.cell(row=at + 3, column=1).data_type == "s"  # a text, never a formula
    assert rows[at + 3][:4] == ("Emil-Höllein-Platz", 4, 3, 0.75)
    with app.app_context():
        square = demo(db.session())[1].id
    place = load_workbook(io.BytesIO(staff_client.get(f"/staff/location/{square}/tally.xlsx").data))
    assert "Per place" not in [r[0] for r in place.worksheets[0].iter_rows(values_only=True)]


# --- The results page: the places side by side, sorted by a link ---------------------------


def _order(page: str, question_id: int) -> list[str]:
    table = page[page.index(f'id="places-{question_id}"') :]
    table = table[: table.index("</table>")]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return re.findall(r'<th scope="row"><a href="/staff/location/\d+">([^<]+)</a>', body)


def test_the_campaign_page_compares_its_places_and_sorts_them(
    app: Flask, staff_client: FlaskClient
) -> None:
    campaign = _campaign_id(app)
    with app.app_context():
        session = db.session()
        first = session.scalars(
            select(Question).where(Question.campaign_id == campaign).order_by(Question.position)
        ).first()
        assert first is not None
        q, third = first.id, first.options[2].id
        other = session.scalars(
            select(Question).where(Question.campaign_id == campaign, Question.id != q)
        ).first()
        assert other is not None
        elsewhere = other.options[0].id
    url = f"/staff/campaign/{campaign}"
    page = staff_client.get(f"{url}?lang=en").text
    assert _order(page, q) == ["Emil-Höllein-Platz", "Spielplatz Zeitzer Straße"]
    assert "<caption>Per place" in page
    assert '<strong>75%</strong> <span class="muted">(3)</span>' in page  # share, count
    assert f'href="{url}?sort=q{q}-o{third}&amp;order=desc#places-{q}"' in page
    down = staff_client.get(f"{url}?sort=q{q}-o{third}&order=desc").text
    assert _order(down, q) == ["Spielplatz Zeitzer Straße", "Emil-Höllein-Platz"]
    assert 'aria-sort="descending"' in down
    assert f'href="{url}?sort=q{q}-o{third}&amp;order=asc#places-{q}"' in down  # flips
    up = staff_client.get(f"{url}?sort=q{q}-o{third}&order=asc").text
    assert _order(up, q) == ["Emil-Höllein-Platz", "Spielplatz Zeitzer Straße"]
    by_name = staff_client.get(f"{url}?sort=q{q}-place&order=desc").text
    assert _order(by_name, q) == ["Spielplatz Zeitzer Straße", "Emil-Höllein-Platz"]
    # Anything else is ignored: the places by name, never an error.
    for bad in [
        "sort=nonsense",
        f"sort=q{q}-o{third}&order=sideways",
        f"sort=q{q}-o99999999999",
        f"sort=q{q}-o{elsewhere}&order=desc",  # an answer of another question
        "sort=q99999-answers&order=desc",
        "sort=q%C3%BC-place",
        f"sort=q{q}-answers&sort=q{q}-place",
    ]:
        answer = staff_client.get(f"{url}?{bad}")
        assert answer.status_code == 200, bad
        assert _order(answer.text, q)[0] == "Emil-Höllein-Platz", bad
    assert staff_client.get(f"{url}?sort=q{q}-o{third}%00").status_code == 400  # as any NUL


def test_a_place_page_has_no_table_of_places_and_multiple_choice_no_pie(
    app: Flask, staff_client: FlaskClient
) -> None:
    campaign_id = _campaign_id(app)
    with app.app_context():
        campaign, square, _ = demo(db.session())
        multi = question(campaign, QuestionKind.MULTI).id
        single = question(campaign, QuestionKind.SINGLE).id
    assert 'id="places-' not in staff_client.get(f"/staff/location/{square.id}").text
    page = staff_client.get(f"/staff/campaign/{campaign_id}").text
    assert f"/chart/{single}-pie.png" in page and f"/chart/{single}-bar.png" in page
    assert f"/chart/{multi}-pie.png" not in page and f"/chart/{multi}-bar.png" in page


def test_the_download_form_offers_the_column_names(staff_client: FlaskClient) -> None:
    page = staff_client.get("/staff/campaign/1?lang=en").text
    form = page[page.index('class="download-form"') :]
    form = form[: form.index("</form>")]
    assert '<select id="headers" name="headers">' in form
    assert '<option value="words" selected>in words, in your language</option>' in form
    assert '<option value="names">machine names, for scripts</option>' in form

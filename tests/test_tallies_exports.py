"""Tallies per location, area and campaign, and the files staff download."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

from sqlalchemy import update
from sqlalchemy.orm import Session

from kiosk.collect.answers import Answer, record_answer
from kiosk.models import Area, Campaign, Location, Option, QuestionKind, Response, hour_of
from kiosk.results.cells import FORMULA_START, defused
from kiosk.results.exports import (
    TALLY_HEADER,
    csv_stream,
    json_array_stream,
    raw_documents,
    raw_rows,
    tally_csv,
    tally_document,
)
from kiosk.results.rawcsv import RAW_HEADER, raw_csv
from kiosk.results.tallies import ScopeKind, load_scope, tally, wishes
from tests.helpers import demo, pick, question
from tests.hostile import CONTROL_FORMULAS, FULL_WIDTH_FORMULAS, HOSTILE


def seed(session: Session) -> Campaign:
    """Square: 3 kiosk + 1 QR answers to question 1; playground: 2 QR; one wish each."""
    campaign, square, playground = demo(session)
    first = question(campaign, QuestionKind.SINGLE)
    for position, place, channel in [
        (0, square, "kiosk"),
        (0, square, "kiosk"),
        (1, square, "kiosk"),
        (0, square, "qr"),
        (2, playground, "qr"),
        (2, playground, "qr"),
    ]:
        record_answer(
            session, pick(first, position), campaign=campaign, location_id=place.id, channel=channel
        )
    wish = question(campaign, QuestionKind.WISH)
    record_answer(
        session,
        Answer(pick(wish).uuid, None, wish, text='=HYPERLINK("x")'),
        campaign=campaign,
        location_id=square.id,
        channel="kiosk",
    )
    record_answer(
        session,
        Answer(pick(wish).uuid, None, wish, text="Schatten!"),
        campaign=campaign,
        location_id=playground.id,
        channel="qr",
    )
    session.commit()
    return campaign


def first_question_counts(session: Session, kind: ScopeKind, scope_id: int) -> list:
    tallies = tally(session, load_scope(session, kind, scope_id))
    q = tallies[0].questions[0]
    return [q.answers, q.answers_by_channel, [(o.total, round(o.share, 3)) for o in q.options[:3]]]


def test_location_tally_counts_shares_and_channels(session: Session) -> None:
    campaign = seed(session)
    _, square, playground = demo(session)
    answers, channels, options = first_question_counts(session, ScopeKind.LOCATION, square.id)
    assert answers == 4
    assert channels == {"kiosk": 3, "qr": 1, "web": 0, "paper": 0}
    assert options == [(3, 0.75), (1, 0.25), (0, 0.0)]
    answers, _, options = first_question_counts(session, ScopeKind.LOCATION, playground.id)
    assert (answers, options[2]) == (2, (2, 1.0))
    # Questions nobody answered are in the tally too, with zeros.
    assert len(tally(session, load_scope(session, "location", square.id))[0].questions) == len(
        campaign.questions
    )


def test_area_and_campaign_tallies_add_up_the_places(session: Session) -> None:
    campaign = seed(session)
    area_id = session.query(Area.id).scalar()
    for kind, scope_id in [(ScopeKind.AREA, area_id), (ScopeKind.CAMPAIGN, campaign.id)]:
        answers, channels, options = first_question_counts(session, kind, scope_id)
        assert answers == 6
        assert channels == {"kiosk": 3, "qr": 3, "web": 0, "paper": 0}
        assert options == [(3, 0.5), (1, round(1 / 6, 3)), (2, round(2 / 6, 3))]


def test_a_place_without_a_campaign_has_an_empty_tally(session: Session) -> None:
    _, square, _ = demo(session)
    lonely = Location(
        area_id=session.get(Location, square.id).area_id, code="lonely", name="Leerer Ort"
    )
    session.add(lonely)
    session.commit()
    assert tally(session, load_scope(session, "location", lonely.id)) == []


def test_scale_mean(session: Session) -> None:
    campaign, square, _ = demo(session)
    scale = question(campaign, QuestionKind.SCALE)
    for position in (0, 4, 4):  # 1, 5, 5
        record_answer(
            session,
            pick(scale, position),
            campaign=campaign,
            location_id=square.id,
            channel="kiosk",
        )
    session.commit()
    q = tally(session, load_scope(session, "location", square.id))[0].questions[scale.position]
    assert q.mean == (1 + 5 + 5) / 3


def test_wishes_per_scope_newest_first(session: Session) -> None:
    seed(session)
    _, square, _ = demo(session)
    area_id = session.query(Area.id).scalar()
    assert [w.text for w in wishes(session, load_scope(session, "location", square.id))] == [
        '=HYPERLINK("x")'
    ]
    assert [w.text for w in wishes(session, load_scope(session, "area", area_id))] == [
        "Schatten!",
        '=HYPERLINK("x")',
    ]


def read_csv(text: str, separator: str) -> list[list[str]]:
    assert text.startswith("\ufeff"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(text[1:]), delimiter=separator))


def test_tally_csv_for_a_german_excel(session: Session) -> None:
    seed(session)
    _, square, _ = demo(session)
    scope = load_scope(session, "location", square.id)
    text = "".join(tally_csv(scope, tally(session, scope), [], ";"))
    rows = read_csv(text, ";")
    assert rows[0] == TALLY_HEADER
    green = dict(zip(TALLY_HEADER, rows[1], strict=True))
    assert green["option"] == "Grün und Schatten"
    assert green["pictogram"] == "🌳"
    assert (green["location_code"], green["location"]) == ("ehp", "Emil-Höllein-Platz")
    assert green["count_kiosk"] == "2"
    assert green["count_total"] == "3"
    assert green["share"] == "0,7500"  # decimal comma with ";"
    comma_rows = read_csv("".join(tally_csv(scope, tally(session, scope), [], ",")), ",")
    assert comma_rows[1][TALLY_HEADER.index("share")] == "0.7500"


def test_raw_export_has_one_line_per_response_and_defuses_formulas(session: Session) -> None:
    campaign = seed(session)
    _, square, _ = demo(session)
    multi = question(campaign, QuestionKind.MULTI)
    record_answer(
        session, pick(multi, 1, 2), campaign=campaign, location_id=square.id, channel="qr"
    )
    session.commit()
    scope = load_scope(session, "location", square.id)
    rows = read_csv(b"".join(raw_csv(session, scope, "\t")).decode(), "\t")
    assert rows[0] == RAW_HEADER
    body = rows[1:]
    assert len(body) == 6  # 4 votes, 1 wish, 1 multi-choice answer
    answer = RAW_HEADER.index("answer")
    assert '\'=HYPERLINK("x")' in [row[answer] for row in body]
    multi_row = body[-1]
    assert multi_row[answer] == "Trinkbrunnen; Bänke"
    assert multi_row[RAW_HEADER.index("option_ids")] == (
        f"{multi.options[1].id} {multi.options[2].id}"
    )
    assert {row[RAW_HEADER.index("location_code")] for row in body} == {"ehp"}


def test_json_exports_are_valid_documents(session: Session) -> None:
    campaign = seed(session)
    scope = load_scope(session, "campaign", campaign.id)
    raw = json.loads("".join(json_array_stream(raw_documents(raw_rows(session, scope)))))
    assert len(raw) == 8
    assert {row["channel"] for row in raw} == {"kiosk", "qr"}
    assert all(re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", r["uuid"]) for r in raw)
    assert all(
        dt.datetime.fromisoformat(r["received_at"]).utcoffset() == dt.timedelta(0) for r in raw
    )
    assert sorted(len(r["option_ids"]) for r in raw) == [0, 0, 1, 1, 1, 1, 1, 1]
    document = json.loads(json.dumps(tally_document(scope, tally(session, scope))))
    first = document["campaigns"][0]["questions"][0]
    assert first["answers"] == 6
    assert first["options"][0]["count"] == 3
    assert first["options"][0]["by_channel"] == {"kiosk": 2, "qr": 1, "web": 0, "paper": 0}


def test_csv_stream_comes_in_chunks_for_many_rows() -> None:
    chunks = list(csv_stream(["n"], ([n] for n in range(5000)), ";"))
    assert len(chunks) == 3
    assert "".join(chunks).count("\r\n") == 5001


def test_raw_csv_defuses_and_quotes_every_hostile_text_alike_on_both_databases(
    session: Session,
) -> None:
    """The raw CSV's one rule (kiosk.results.cells) holds on SQLite's path and on COPY."""
    campaign, square, _ = demo(session)
    texts = [*HOSTILE, *CONTROL_FORMULAS, *FULL_WIDTH_FORMULAS, 'Ein "Zitat"; und\r\nzwei Zeilen']
    texts.append("a,b\tc")
    single = question(campaign, QuestionKind.SINGLE)
    multi = question(campaign, QuestionKind.MULTI)
    wish = question(campaign, QuestionKind.WISH)
    # Hostile labels and a hostile place name, alone and first or later in a multi-choice.
    session.get(Option, single.options[0].id).texts = {"de": "=1+2"}
    session.get(Option, multi.options[1].id).texts = {"de": "@SUM(1); zwei"}
    session.get(Option, multi.options[2].id).texts = {"de": '-3"'}
    session.get(Location, square.id).name = '+Platz; "Nord"'
    session.flush()
    for number, text in enumerate(texts):
        record_answer(
            session,
            Answer(pick(wish).uuid, None, wish, text=text),
            campaign=campaign,
            location_id=square.id,
            channel="qr",
            source=texts[(number + 1) % len(texts)][:64],
        )
    record_answer(session, pick(single, 0), campaign=campaign, location_id=square.id, channel="qr")
    record_answer(
        session, pick(multi, 1, 2), campaign=campaign, location_id=square.id, channel="qr"
    )
    session.commit()
    scope = load_scope(session, "location", square.id)
    expected_texts = [defused(text) for text in texts]
    for separator in (";", ",", "\t"):
        rows = read_csv(b"".join(raw_csv(session, scope, separator)).decode(), separator)
        assert rows[0] == RAW_HEADER
        body = [dict(zip(RAW_HEADER, row, strict=True)) for row in rows[1:]]
        assert [row["answer"] for row in body[: len(texts)]] == expected_texts
        assert [row["source"] for row in body[: len(texts)]] == [
            defused(texts[(n + 1) % len(texts)][:64]) for n in range(len(texts))
        ]
        assert {row["location"] for row in body} == {'\'+Platz; "Nord"'}
        assert body[-2]["answer"] == "'=1+2"
        assert body[-1]["answer"] == "'@SUM(1); zwei; '-3\""
        for row in body:
            for name in ("location", "source", "question", "answer"):
                assert not row[name].startswith(FORMULA_START), (name, row[name])
        for text in FULL_WIDTH_FORMULAS:  # folded into = + - @ by some spreadsheets
            assert "'" + text in [row["answer"] for row in body]


def test_raw_csv_writes_times_cut_by_retention_alike_on_both_databases(session: Session) -> None:
    """Retention cuts old answers' times to the hour (SQLite then keeps them without a
    fraction); the export writes them as it writes every time, with six decimals."""
    campaign, square, _ = demo(session)
    at = dt.datetime(2025, 9, 27, 8, 30, 12, 345678, tzinfo=dt.UTC)
    record_answer(session, pick(question(campaign, QuestionKind.SINGLE), 0), campaign=campaign,
                  location_id=square.id, channel="qr", now=at)  # fmt: skip
    dialect = session.connection().dialect.name
    columns = ("received_at", "answered_at")
    cut = {name: hour_of(getattr(Response, name), dialect) for name in columns}
    session.execute(update(Response).values(**cut))
    session.commit()
    rows = read_csv(b"".join(raw_csv(session, load_scope(session, "location", square.id), ";"))
                    .decode(), ";")  # fmt: skip
    (row,) = [dict(zip(RAW_HEADER, line, strict=True)) for line in rows[1:]]
    assert row["received_at"] == row["answered_at"] == "2025-09-27T08:00:00.000000+00:00"

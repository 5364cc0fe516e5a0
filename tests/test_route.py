"""The movement wheel and the climate walk, below the browser: stored, synced, tallied, in order."""

from __future__ import annotations

import datetime as dt
import io
import uuid
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from PIL import Image
from pyzbar.pyzbar import decode
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.access.permissions import Role
from kiosk.collect.answers import Answer, InvalidAnswerError, parse_answer, record_answer
from kiosk.collect.catalog import load_catalog
from kiosk.core.errors import FormError
from kiosk.models import (
    COMMAND_LINE,
    AnswerCount,
    Campaign,
    CampaignFormat,
    Location,
    OptionCount,
    Question,
    QuestionKind,
    Response,
)
from kiosk.models.engine import make_engine
from kiosk.setup.campaigns import CampaignForm, create_campaign, update_campaign
from kiosk.setup.route import ask_at, move_station, route_of, station_of
from kiosk.sync.configuration import apply_config, config_document
from kiosk.sync.devices import enrol, register_device
from kiosk.sync.ingest import ingest
from kiosk.sync.node import outbox_batch
from kiosk.web import db
from tests.helpers import login_as

ZONE = ZoneInfo("Europe/Berlin")
SVG = "{http://www.w3.org/2000/svg}"


def _places(session: Session) -> dict[str, Location]:
    """The demo's two places and three more stations along a walk, with coordinates."""
    square = session.scalars(select(Location).where(Location.code == "ehp")).one()
    square.latitude, square.longitude = Decimal("50.9406"), Decimal("11.5789")
    found = {"ehp": square}
    for code, lat, lon in (
        ("gruen", "50.9424", "11.5761"),
        ("halt", "50.9449", "11.5798"),
        ("hof", "50.9433", "11.5836"),
    ):
        found[code] = Location(
            area_id=square.area_id,
            code=code,
            name=f"Station {code}",
            latitude=Decimal(lat),
            longitude=Decimal(lon),
        )
        session.add(found[code])
    found["zeitzer"] = session.scalars(select(Location).where(Location.code == "zeitzer")).one()
    session.flush()
    return found


def _campaign(session: Session, template: str, places: list[Location], title: str) -> Campaign:
    form = CampaignForm(
        title=title,
        starts_on="2025-10-01",
        template=template,
        location_ids=[str(place.id) for place in places],
    )
    return create_campaign(session, form, zone=ZONE, actor=COMMAND_LINE)


def _walk(session: Session) -> tuple[Campaign, dict[str, Location]]:
    places = _places(session)
    stations = [places[c] for c in ("ehp", "gruen", "halt", "hof")]
    walk = _campaign(session, "climate-walk", stations, "Klimaspaziergang")
    return walk, places


def test_a_template_gives_its_format_and_staff_may_change_it(session: Session) -> None:
    places = _places(session)
    moving = _campaign(session, "movement", [places["zeitzer"]], "Bewegung")
    assert moving.format == CampaignFormat.MOVEMENT
    assert moving.questions[0].kind == QuestionKind.WHEEL
    form = CampaignForm(
        title="Bewegung",
        location_ids=[str(places["zeitzer"].id)],
        format="assembly",
    )
    update_campaign(session, moving.id, form, zone=ZONE, actor=COMMAND_LINE)
    assert moving.format == CampaignFormat.ASSEMBLY
    bad = CampaignForm(title="x", location_ids=[str(places["zeitzer"].id)], format="rave")
    with pytest.raises(FormError) as refused:
        update_campaign(session, moving.id, bad, zone=ZONE, actor=COMMAND_LINE)
    assert set(refused.value.fields) == {"format"}


def test_a_wheel_answer_is_stored_synced_from_a_node_and_tallied_like_any_other(
    session: Session, tmp_path: Path
) -> None:
    from kiosk.cli import upgrade_database

    places = _places(session)
    moving = _campaign(session, "movement", [places["zeitzer"]], "Bewegungsrad")
    moving.starts_at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    session.commit()
    device, code = register_device(
        session, name="Kiosk Spielplatz", location_id=places["zeitzer"].id, actor=COMMAND_LINE
    )
    enrol(session, code)
    session.commit()

    url = f"sqlite:///{tmp_path / 'node.sqlite3'}"
    upgrade_database(url)
    node_engine = make_engine(url)
    with Session(node_engine) as node:
        apply_config(node, config_document(session, places={places["zeitzer"].id}))
        node.commit()
        shown = load_catalog(node).campaigns[moving.id]
        wheel = shown.questions[0]
        assert wheel.kind == QuestionKind.WHEEL and len(wheel.visible_options) == 6
        picked = wheel.visible_options[4]  # 🚲
        # One sector, as on the wheel: two are refused like a single choice's.
        form = {"uuid": [str(uuid.uuid4())], "option": [str(picked.id), str(wheel.options[0].id)]}
        with pytest.raises(InvalidAnswerError, match="only one"):
            parse_answer(wheel, form, wish_max_chars=300)
        answer = Answer(uuid.uuid4(), uuid.uuid4(), wheel, (picked.id,))
        assert record_answer(
            node, answer, campaign=shown, location_id=places["zeitzer"].id, channel="kiosk",
            queue=True,
        )  # fmt: skip
        node.commit()
        items = [item for _, item in outbox_batch(node, 10)]
    node_engine.dispose()
    assert len(items) == 1

    catalog = load_catalog(session)
    for _ in range(2):  # sent, and sent again: counted once
        (verdict,) = ingest(session, catalog, device, items, wish_max_chars=300)
        session.commit()
    assert verdict.status in ("stored", "duplicate")
    counted = session.scalar(
        select(func.sum(OptionCount.count)).where(OptionCount.option_id == picked.id)
    )
    answered = session.scalar(
        select(func.sum(AnswerCount.count)).where(AnswerCount.question_id == wheel.id)
    )
    assert (counted, answered) == (1, 1)
    assert session.scalar(select(func.count()).select_from(Response)) == 1


def test_station_order_survives_edits_and_config_sync(session: Session, tmp_path: Path) -> None:
    from kiosk.cli import upgrade_database

    walk, places = _walk(session)
    names = [s.location.code for s in route_of(session, walk.id)]
    assert names == ["ehp", "gruen", "halt", "hof"]  # by name at first: as chosen
    move_station(session, walk.id, places["hof"].id, -1, actor=COMMAND_LINE)
    move_station(session, walk.id, places["ehp"].id, +1, actor=COMMAND_LINE)
    wanted = ["gruen", "ehp", "hof", "halt"]
    assert [s.location.code for s in route_of(session, walk.id)] == wanted
    # Saving the campaign with another place added keeps the order; the new one comes last.
    extra = Location(area_id=places["ehp"].area_id, code="aaa", name="AAA Anfang")
    session.add(extra)
    session.flush()
    form = CampaignForm(
        title=walk.title,
        location_ids=[str(p.id) for p in (*places.values(), extra) if p.code != "zeitzer"],
    )
    update_campaign(session, walk.id, form, zone=ZONE, actor=COMMAND_LINE)
    assert [s.location.code for s in route_of(session, walk.id)] == [*wanted, "aaa"]
    session.commit()
    central = load_catalog(session).campaigns[walk.id]
    assert [(s.number, s.code) for s in central.stations] == list(
        enumerate([*wanted, "aaa"], start=1)
    )

    url = f"sqlite:///{tmp_path / 'node.sqlite3'}"
    upgrade_database(url)
    node_engine = make_engine(url)
    with Session(node_engine) as node:
        apply_config(node, config_document(session))
        node.commit()
        mirrored = load_catalog(node).campaigns[walk.id]
        assert mirrored.stations == central.stations
        revision = load_catalog(node).revision
    move_station(session, walk.id, places["halt"].id, -1, actor=COMMAND_LINE)
    session.commit()
    with Session(node_engine) as node:
        apply_config(node, config_document(session))
        node.commit()
        after = load_catalog(node)
        assert after.revision > revision  # the node's workers reload
        assert [s.code for s in after.campaigns[walk.id].stations] == [
            "gruen", "ehp", "halt", "hof", "aaa",
        ]  # fmt: skip
    node_engine.dispose()


def test_a_stations_own_question_is_asked_there_only(session: Session, tmp_path: Path) -> None:
    from kiosk.cli import upgrade_database

    walk, places = _walk(session)
    walk.starts_at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    own = Question(position=99, kind=QuestionKind.WISH, texts={"de": "Nur hier?"})
    walk.questions.append(own)
    session.flush()
    ask_at(session, own, station_of(session, walk, str(places["halt"].id)), actor=COMMAND_LINE)
    with pytest.raises(FormError) as refused:
        station_of(session, walk, str(places["zeitzer"].id))  # no station of this walk
    assert set(refused.value.fields) == {"station"}
    session.commit()
    catalog = load_catalog(session)
    shown = catalog.campaigns[walk.id]
    assert own.id in {q.id for q in shown.questions_at(places["halt"].id)}
    assert own.id not in {q.id for q in shown.questions_at(places["gruen"].id)}
    # An answer to it at another station is refused, at central as from a node.
    answer = Answer(uuid.uuid4(), None, shown.question(own.id), text="Schatten!")  # type: ignore[arg-type]
    with pytest.raises(InvalidAnswerError, match="does not belong"):
        record_answer(session, answer, campaign=shown, location_id=places["gruen"].id, channel="qr")
    assert record_answer(
        session, answer, campaign=shown, location_id=places["halt"].id, channel="qr"
    )
    # A kiosk at another station is not even told of it.
    document = config_document(session, places={places["gruen"].id})
    (sent,) = [c for c in document["campaigns"] if c["id"] == walk.id]
    assert own.id not in {q["id"] for q in sent["questions"]}
    document = config_document(session, places={places["halt"].id})
    (sent,) = [c for c in document["campaigns"] if c["id"] == walk.id]
    assert own.id in {q["id"] for q in sent["questions"]}
    url = f"sqlite:///{tmp_path / 'node.sqlite3'}"
    upgrade_database(url)
    node_engine = make_engine(url)
    with Session(node_engine) as node:
        apply_config(node, document)
        node.commit()
        at_node = load_catalog(node).campaigns[walk.id]
        assert own.id in {q.id for q in at_node.questions_at(places["halt"].id)}
    node_engine.dispose()


def _picture_points(svg: str) -> list[tuple[int, float, float]]:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    points = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "station":
            circle = group.find(f"{SVG}circle")
            assert circle is not None
            points.append(
                (
                    int(group.get("data-number", "0")),
                    float(circle.get("cx", 0)),
                    float(circle.get("cy", 0)),
                )
            )
    return points


def test_the_route_picture_draws_the_stations_in_their_order(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        walk, places = _walk(session)
        move_station(session, walk.id, places["hof"].id, -1, actor=COMMAND_LINE)  # hof before halt
        session.commit()
        walk_id = walk.id
    viewer = login_as(app, Role.VIEWER)
    svg = viewer.get(f"/staff/setup/campaigns/{walk_id}/route.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    points = _picture_points(svg.get_data(as_text=True))
    assert [number for number, _, _ in points] == [1, 2, 3, 4]
    by_number = {number: (x, y) for number, x, y in points}
    # Station 3 is now the courtyard (east, 11.5836) and 4 the stop (north, 50.9449).
    assert by_number[3][0] > by_number[4][0]  # the third is east of the fourth
    assert by_number[4][1] < by_number[3][1]  # the fourth is north of the third
    assert by_number[1][1] > by_number[4][1]  # the square lies south of the stop
    png = viewer.get(f"/staff/setup/campaigns/{walk_id}/route.png")
    assert png.status_code == 200 and Image.open(io.BytesIO(png.data)).format == "PNG"
    # A campaign that is no route has no route picture.
    assert viewer.get("/staff/setup/campaigns/1/route.svg").status_code == 404


def test_station_posters_say_station_n_of_m_and_decode(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        walk, places = _walk(session)
        walk.starts_at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        session.commit()
        walk_id, halt = walk.id, places["halt"]
        halt_id, halt_code = halt.id, halt.code
        from kiosk.web.shared import poster_content

        with app.test_request_context("/"):
            content = poster_content(session.get_one(Location, halt_id), walk_id)
        assert content.station == "Station 3 von 4 · Klimaspaziergang"
    viewer = login_as(app, Role.VIEWER)
    poster = viewer.get(f"/staff/location/{halt_id}/poster-a4.png")
    assert poster.status_code == 200
    image = Image.open(io.BytesIO(poster.data))
    codes = [found.data.decode() for found in decode(image)]
    assert any(code.endswith(f"/q/{halt_code}") for code in codes), codes
    stickers = viewer.get(f"/staff/campaign/{walk_id}/stickers.pdf")
    assert stickers.status_code == 200 and stickers.data.startswith(b"%PDF")


def test_the_phone_shows_the_way_to_the_next_station(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        walk, _ = _walk(session)
        walk.starts_at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        session.commit()
    client = app.test_client()
    page = client.get("/q/gruen/thanks").get_data(as_text=True)
    assert "Station 2 von 4" in page
    assert "Weiter zu Station 3: <bdi>Station halt</bdi>" in page
    assert "nordosten" in page.casefold() or "nord-osten" in page.casefold()
    last = client.get("/q/hof/thanks").get_data(as_text=True)
    assert "Weiter zu Station" not in last  # the last station has no next one


def test_results_report_and_workbook_put_the_stations_side_by_side(app: Flask) -> None:
    from openpyxl import load_workbook

    with app.app_context():
        session = db.session()
        walk, places = _walk(session)
        walk.starts_at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        move_station(session, walk.id, places["hof"].id, -1, actor=COMMAND_LINE)
        session.commit()
        shown = load_catalog(session).campaigns[walk.id]
        scale = next(q for q in shown.questions if q.kind == QuestionKind.SCALE)
        # Two people at the courtyard find it very pleasant, one at the square unpleasant.
        for code, position in (("hof", 4), ("hof", 4), ("ehp", 1)):
            option = scale.options[position]
            answer = Answer(uuid.uuid4(), None, scale, (option.id,), option.value)
            record_answer(
                session, answer, campaign=shown, location_id=places[code].id, channel="qr"
            )
        session.commit()
        walk_id = walk.id
    viewer = login_as(app, Role.VIEWER)
    response = viewer.get(f"/staff/campaign/{walk_id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:2000]
    table = page[page.index('id="stations"') :]
    rows = [
        table.index(f"{n}. Station {code}") for n, code in ((2, "gruen"), (3, "hof"), (4, "halt"))
    ]
    assert rows == sorted(rows)  # in route order, the courtyard moved before the stop
    assert "1. Emil-Höllein-Platz" in table
    courtyard = table[table.index("3. Station hof") :].split("</tr>")[0]
    assert "100" in courtyard and "(2 " in courtyard  # all of its 2 people: very pleasant
    report = viewer.get(f"/staff/campaign/{walk_id}/report").get_data(as_text=True)
    assert 'id="stations"' in report and "3. Station hof" in report
    download = viewer.get(f"/staff/campaign/{walk_id}/tally.xlsx")
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(download.data), read_only=True)
    first = book[book.sheetnames[0]]
    cells = [row for row in first.iter_rows(values_only=True)]
    assert [row[:2] for row in cells[1:]] == [
        (1, "Emil-Höllein-Platz"), (2, "Station gruen"), (3, "Station hof"), (4, "Station halt"),
    ]  # fmt: skip
    header = list(cells[0])
    at = header.index(next(h for h in header if h and h.endswith(": Antworten")))
    assert cells[3][at] == 2 and cells[1][at] == 1  # the courtyard's 2, the square's 1


def test_a_kiosk_at_one_station_keeps_centrals_numbers_and_loses_a_question_moved_away(
    session: Session, tmp_path: Path
) -> None:
    from kiosk.cli import upgrade_database

    walk, places = _walk(session)
    halt = places["halt"]
    own = Question(position=99, kind=QuestionKind.WISH, texts={"de": "Hier?"})
    walk.questions.append(own)
    session.flush()
    ask_at(session, own, halt.id, actor=COMMAND_LINE)
    session.commit()
    url = f"sqlite:///{tmp_path / 'node.sqlite3'}"
    upgrade_database(url)
    node_engine = make_engine(url)
    with Session(node_engine) as node:  # the kiosk at the third station: its place only
        apply_config(node, config_document(session, places={halt.id}))
        node.commit()
        at_node = load_catalog(node).campaigns[walk.id]
        assert [(s.number, s.code) for s in at_node.stations] == [(3, "halt")]
        assert own.id in {q.id for q in at_node.questions_at(halt.id)}
    # Central moves the question to the fourth station: the third's kiosk stops asking it.
    ask_at(session, own, places["hof"].id, actor=COMMAND_LINE)
    session.commit()
    with Session(node_engine) as node:
        apply_config(node, config_document(session, places={halt.id}))
        node.commit()
        at_node = load_catalog(node).campaigns[walk.id]
        asked = {q.id for q in at_node.questions_at(halt.id)}
        assert own.id not in asked and len(asked) == len(walk.questions) - 1
    node_engine.dispose()


def test_a_walk_that_stops_being_one_asks_its_station_questions_everywhere(
    session: Session,
) -> None:
    walk, places = _walk(session)
    own = Question(position=99, kind=QuestionKind.WISH, texts={"de": "Hier?"})
    walk.questions.append(own)
    session.flush()
    ask_at(session, own, places["halt"].id, actor=COMMAND_LINE)
    stations = [str(places[c].id) for c in ("ehp", "gruen", "hof")]  # the stop leaves
    form = CampaignForm(title=walk.title, location_ids=stations, format="climate_walk")
    update_campaign(session, walk.id, form, zone=ZONE, actor=COMMAND_LINE)
    assert own.location_id is None  # asked at every station, not at none
    ask_at(session, own, places["hof"].id, actor=COMMAND_LINE)
    form = CampaignForm(title=walk.title, location_ids=stations, format="pop_up")
    update_campaign(session, walk.id, form, zone=ZONE, actor=COMMAND_LINE)
    assert own.location_id is None  # no route: no station's own question


def test_staff_ask_a_question_at_one_station_through_the_forms(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        walk, places = _walk(session)
        session.commit()
        walk_id, halt_id, zeitzer_id = walk.id, places["halt"].id, places["zeitzer"].id
    editor = login_as(app, Role.EDITOR)
    page = editor.get(f"/staff/setup/campaigns/{walk_id}").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    form = {
        "csrf_token": token, "kind": "single", "de": "Nur an der Haltestelle?",
        "n0-de": "Ja", "n0-emoji": "👍", "n1-de": "Nein", "n1-emoji": "👎",
    }  # fmt: skip
    refused = editor.post(
        f"/staff/setup/campaigns/{walk_id}/questions", data={**form, "station": str(zeitzer_id)}
    )
    assert refused.status_code == 422  # the playground is no station of this walk
    with app.app_context():
        count = db.session().scalar(
            select(func.count()).select_from(Question).where(Question.campaign_id == walk_id)
        )
    made = editor.post(
        f"/staff/setup/campaigns/{walk_id}/questions", data={**form, "station": str(halt_id)}
    )
    assert made.status_code == 303
    with app.app_context():
        added = (
            db.session()
            .scalars(
                select(Question).where(Question.campaign_id == walk_id).order_by(Question.id.desc())
            )
            .first()
        )
        assert added is not None and added.location_id == halt_id
        assert (
            db.session().scalar(
                select(func.count()).select_from(Question).where(Question.campaign_id == walk_id)
            )
            == count + 1
        )  # the refused form added nothing
        added_id = added.id
    page = editor.get(f"/staff/setup/campaigns/{walk_id}").get_data(as_text=True)
    assert "nur an Station 3" in page
    question_page = editor.get(f"/staff/setup/questions/{added_id}").get_data(as_text=True)
    assert f'<option value="{halt_id}" selected>' in question_page


def test_a_paper_sheet_counts_a_stations_own_question_there_only(session: Session) -> None:
    from kiosk.collect.paper import paper_questions

    walk, places = _walk(session)
    own = Question(position=99, kind=QuestionKind.SINGLE, texts={"de": "Hier?"})
    walk.questions.append(own)
    session.flush()
    ask_at(session, own, places["halt"].id, actor=COMMAND_LINE)
    assert own.id in {q.id for q in paper_questions(session, places["halt"].id)}
    assert own.id not in {q.id for q in paper_questions(session, places["gruen"].id)}

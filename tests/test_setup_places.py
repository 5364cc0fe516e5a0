"""Setting up areas and places: field messages, nothing half-saved, codes that stay once used."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.access.permissions import Role
from kiosk.collect.answers import record_answer
from kiosk.core.errors import FormError
from kiosk.models import COMMAND_LINE, Area, AuditEntry, Location, QuestionKind
from kiosk.setup.places import CODE, PlaceForm, save_area, save_place, suggest_code
from kiosk.web import db
from tests.helpers import demo, login_as, pick, question


def area_id(session: Session) -> str:
    return str(session.scalar(select(Area.id)))


def test_a_place_is_created_with_its_code_and_coordinates(session: Session) -> None:
    place = save_place(
        session,
        None,
        PlaceForm(
            area_id=area_id(session),
            name="  Spielplatz   Nord ",
            code="Spielplatz-Nord",
            address="Nordstraße 1, 07743 Jena",
            opening_hours="  Mo–Fr 10–18 Uhr,\n Sa 10–13 Uhr ",
            latitude="50,9412",
            longitude="11.5863",
        ),
        actor=COMMAND_LINE,
    )
    assert (place.name, place.code) == ("Spielplatz Nord", "spielplatz-nord")
    assert str(place.latitude) == "50.941200" and str(place.longitude) == "11.586300"
    assert place.opening_hours == "Mo–Fr 10–18 Uhr, Sa 10–13 Uhr"


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"name": "   "}, {"name"}),
        ({"name": "x" * 201}, {"name"}),
        ({"code": "a"}, {"code"}),
        ({"code": "-nord"}, {"code"}),
        ({"code": "nörd"}, {"code"}),
        ({"code": "ehp"}, {"code"}),  # the demo's square has it
        ({"code": "a b"}, {"code"}),
        ({"code": "x" * 33}, {"code"}),
        ({"area_id": ""}, {"area_id"}),
        ({"area_id": "999999"}, {"area_id"}),
        ({"area_id": "²"}, {"area_id"}),  # a digit to Unicode, not a number to int()
        ({"area_id": "9" * 30}, {"area_id"}),
        ({"latitude": "91"}, {"latitude"}),
        ({"latitude": "NaN", "longitude": "1"}, {"latitude"}),
        ({"latitude": "50.9"}, {"longitude"}),
        ({"longitude": "1e400", "latitude": "1"}, {"longitude"}),
        ({"address": "x" * 301}, {"address"}),
        ({"opening_hours": "x" * 201}, {"opening_hours"}),
        ({"name": "", "code": "", "area_id": ""}, {"name", "code", "area_id"}),
    ],
)
def test_a_bad_place_gets_a_message_per_field_and_nothing_is_saved(
    session: Session, changes: dict[str, str], fields: set[str]
) -> None:
    before = session.scalar(select(func.count()).select_from(Location))
    sent = {"area_id": area_id(session), "name": "Neuer Platz", "code": "neuer-platz", **changes}
    with pytest.raises(FormError) as error:
        save_place(session, None, PlaceForm(**sent), actor=COMMAND_LINE)
    assert set(error.value.fields) == fields
    assert session.scalar(select(func.count()).select_from(Location)) == before


def test_a_place_with_answers_keeps_its_code(session: Session) -> None:
    campaign, square, playground = demo(session)
    record_answer(session, pick(question(campaign, QuestionKind.SINGLE), 0), campaign=campaign,
                  location_id=square.id, channel="qr")  # fmt: skip
    form = PlaceForm(area_id=area_id(session), name="Emil-Höllein-Platz", code="platz")
    with pytest.raises(FormError) as error:
        save_place(session, square.id, form, actor=COMMAND_LINE)
    assert set(error.value.fields) == {"code"}
    renamed = save_place(session, square.id, PlaceForm(area_id=area_id(session), name="Platz",
                                                       code="ehp"), actor=COMMAND_LINE)  # fmt: skip
    assert renamed.name == "Platz"
    form = PlaceForm(area_id=area_id(session), name="Spielplatz", code="spiel")
    moved = save_place(session, playground.id, form, actor=COMMAND_LINE)
    assert moved.code == "spiel"  # no answers there yet: the code can still change


def test_area_names_are_unique_whatever_the_case(session: Session) -> None:
    with pytest.raises(FormError):
        save_area(session, None, name="jena nord", actor=COMMAND_LINE)
    assert save_area(session, None, name="Lobeda", actor=COMMAND_LINE).name == "Lobeda"


def test_editors_set_up_a_place_in_the_browser_forms(app: Flask) -> None:
    editor = login_as(app, Role.EDITOR)
    assert editor.post("/staff/setup/areas", data={"name": "Winzerla"}).status_code == 303
    with app.app_context():
        winzerla = db.session().scalar(select(Area.id).where(Area.name == "Winzerla"))
    page = editor.get(f"/staff/setup/places/new?area={winzerla}").text
    assert f'<option value="{winzerla}" selected>' in page
    bad = editor.post(
        "/staff/setup/places/new",
        data={"area_id": str(winzerla), "name": "Bibliothek", "code": "ehp"},
    )
    assert bad.status_code == 422
    assert "Ein anderer Ort hat diesen Code schon" in bad.text
    assert 'aria-invalid="true"' in bad.text and 'value="Bibliothek"' in bad.text  # kept
    good = editor.post(
        "/staff/setup/places/new",
        data={"area_id": str(winzerla), "name": "Bibliothek", "code": "bibliothek",
              "opening_hours": "Di–Sa 10–18 Uhr"},
    )  # fmt: skip
    assert good.status_code == 303
    places = editor.get("/staff/setup/places").text
    assert "Bibliothek" in places and "Di–Sa 10–18 Uhr" in places
    with app.app_context():
        library = db.session().scalar(select(Location.id).where(Location.code == "bibliothek"))
    assert 'value="Di–Sa 10–18 Uhr"' in editor.get(f"/staff/setup/places/{library}").text
    assert "Di–Sa 10–18 Uhr" in editor.get(f"/staff/location/{library}").text
    assert editor.get("/k/bibliothek").status_code == 200  # the place answers at its link
    with app.app_context():
        actions = db.session().scalars(select(AuditEntry.action)).all()
        assert "area-save" in actions and "place-save" in actions


def test_setting_up_needs_the_edit_role(app: Flask, client: FlaskClient) -> None:
    moderator = login_as(app, Role.MODERATOR)
    assert moderator.get("/staff/setup/places").status_code == 403
    assert moderator.post("/staff/setup/areas", data={"name": "X"}).status_code == 403
    assert client.get("/staff/setup/places").status_code == 302
    editor = login_as(app, Role.EDITOR)
    assert editor.get("/staff/setup/places/999999").status_code == 404
    assert editor.post("/staff/setup/areas/999999", data={"name": "X"}).status_code == 404
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Area)) == 1


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Emil-Höllein-Platz", "emil-hoellein-platz"),
        ("Spielplatz Zeitzer Straße", "spielplatz-zeitzer-strasse"),
        ("  ÜBER  den   Dächern ", "ueber-den-daechern"),
        ("Çarşı Meydanı", "carsi-meydani"),
        ("Café Crêpe & Co.", "cafe-crepe-co"),
        ("Klimastation 1", "klimastation-1"),
        ("Stadtteilzentrum und Begegnungsstätte Jena Nord", "stadtteilzentrum-und"),
        ("Spielplatzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "spielplatzzzzzzzzzzzzzzzzzzzzzzz"),
        ("A", "ort-a"),
        ("Київ", "ort"),  # no Latin letters to make a code of
        ("ملعب", "ort"),
        ("🌳🌳", "ort"),
    ],
)
def test_a_code_is_suggested_from_a_place_s_name(session: Session, name: str, code: str) -> None:
    assert suggest_code(session, name) == code


def test_a_suggested_code_is_free_a_number_added_when_it_is_taken(session: Session) -> None:
    assert suggest_code(session, "EHP") == "ehp-2"  # the demo's square has "ehp"
    for code in ("ehp-2", "ehp-3"):
        save_place(session, None, PlaceForm(area_id=area_id(session), name="x", code=code),
                   actor=COMMAND_LINE)  # fmt: skip
    assert suggest_code(session, "ehp") == "ehp-4"
    long = "Stadtteilzentrum und Begegnungsstätte Jena Nord"
    save_place(session, None, PlaceForm(area_id=area_id(session), name=long,
               code=suggest_code(session, long)), actor=COMMAND_LINE)  # fmt: skip
    second = suggest_code(session, long)
    assert second == "stadtteilzentrum-und-2" and len(second) <= 32


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.text(max_size=300))
def test_every_suggested_code_is_one_a_place_may_have(session: Session, name: str) -> None:
    code = suggest_code(session, name)
    assert CODE.fullmatch(code), (name, code)
    assert session.scalar(select(Location.id).where(Location.code == code)) is None

"""Campaigns set up by staff: from a template, changed, copied; bad input refused."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.access.permissions import Role
from kiosk.access.reach import OutOfReachError, Reach
from kiosk.collect.catalog import load_catalog
from kiosk.core.errors import FormError
from kiosk.models import (
    COMMAND_LINE,
    Area,
    AuditEntry,
    Campaign,
    Location,
    Question,
    QuestionKind,
    StaffUser,
)
from kiosk.setup.campaign_templates import TEMPLATES
from kiosk.setup.campaigns import CampaignForm, copy_campaign, create_campaign, update_campaign
from kiosk.setup.places import PlaceForm
from kiosk.web import db
from tests.helpers import login_as

BERLIN = ZoneInfo("Europe/Berlin")


def place_ids(session: Session) -> list[str]:
    return [str(i) for i in session.scalars(select(Location.id).order_by(Location.id))]


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_every_template_makes_a_campaign_people_can_answer(session: Session, key: str) -> None:
    campaign = create_campaign(
        session,
        CampaignForm(
            title="Sommer im Viertel",
            starts_on="2026-06-01",
            ends_on="2026-06-30",
            location_ids=place_ids(session)[:1],
            template=key,
        ),
        zone=BERLIN,
        actor=COMMAND_LINE,
    )
    session.commit()
    assert campaign.starts_at == dt.datetime(2026, 5, 31, 22, 0, tzinfo=dt.UTC)  # local midnight
    assert campaign.ends_at == dt.datetime(2026, 6, 30, 22, 0, tzinfo=dt.UTC)  # last day whole
    snapshot = load_catalog(session).campaigns[campaign.id]
    assert len(snapshot.questions) == len(TEMPLATES[key].questions) >= 3
    assert all("{area}" not in text for q in snapshot.questions for text in q.texts.values())
    assert campaign.intro["de"] and campaign.intro["en"]
    assert all("{area}" not in text for text in campaign.intro.values())
    if "{area}" in TEMPLATES[key].intro:
        assert "Jena Nord" in campaign.intro["de"]  # the place's area, in the invitation
    for question in snapshot.questions:
        if question.kind != QuestionKind.WISH:
            assert question.options and all(o.emoji for o in question.options)
    assert any(q.kind == QuestionKind.WISH for q in snapshot.questions)


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"template": ""}, {"template"}),
        ({"template": "party"}, {"template"}),
        ({"location_ids": ()}, {"location_ids"}),
        ({"location_ids": ("999999",)}, {"location_ids"}),
        ({"location_ids": ("x",)}, {"location_ids"}),
        ({"location_ids": ("²",)}, {"location_ids"}),
        ({"title": "  "}, {"title"}),
        ({"title": "x" * 201}, {"title"}),
        ({"starts_on": "27.09.2026"}, {"starts_on"}),
        ({"starts_on": "2026-02-30"}, {"starts_on"}),
        ({"starts_on": "0001-01-01"}, {"starts_on"}),
        ({"ends_on": "9999-12-31"}, {"ends_on"}),
        ({"starts_on": "20260927"}, {"starts_on"}),
        ({"starts_on": "2026-07-01", "ends_on": "2026-06-30"}, {"ends_on"}),
        ({"intro_de": "x" * 501}, {"intro_de"}),
        ({"title": "", "template": "", "location_ids": ()}, {"title", "template", "location_ids"}),
    ],
)
def test_a_bad_campaign_gets_a_message_per_field_and_nothing_is_saved(
    session: Session, changes: dict[str, object], fields: set[str]
) -> None:
    sent: dict[str, object] = {
        "title": "Neu",
        "template": "pop-up",
        "location_ids": tuple(place_ids(session)),
        **changes,
    }
    with pytest.raises(FormError) as error:
        create_campaign(session, CampaignForm(**sent), zone=BERLIN, actor=COMMAND_LINE)  # type: ignore[arg-type]
    assert set(error.value.fields) == fields
    session.flush()  # whatever it may have added would be written now
    assert session.scalar(select(func.count()).select_from(Campaign)) == 1  # the demo's only
    assert session.scalar(select(func.count()).select_from(Question)) == 5


def test_a_campaign_changes_its_days_and_places_and_a_copy_keeps_its_questions(
    session: Session,
) -> None:
    demo_id = session.scalar(select(Campaign.id))
    assert demo_id is not None
    changed = update_campaign(
        session,
        demo_id,
        CampaignForm(
            title="WerkStadt 2026", ends_on="2026-12-31", location_ids=place_ids(session)[1:]
        ),
        zone=BERLIN,
        actor=COMMAND_LINE,
    )
    assert changed.title == "WerkStadt 2026" and [loc.code for loc in changed.locations] == [
        "zeitzer"
    ]
    copy = copy_campaign(session, demo_id, title="Kopie von WerkStadt 2026", actor=COMMAND_LINE)
    session.commit()
    assert copy.locations == [] and copy.starts_at is None
    original = session.scalars(select(Question).where(Question.campaign_id == demo_id)).all()
    copied = session.scalars(select(Question).where(Question.campaign_id == copy.id)).all()
    assert [(q.kind, q.texts, len(q.options), q.demographic) for q in copied] == [
        (q.kind, q.texts, len(q.options), q.demographic) for q in original
    ]
    assert sum(q.demographic for q in copied) == 1  # the age group still groups the copy
    assert {o.id for q in copied for o in q.options}.isdisjoint(
        {o.id for q in original for o in q.options}
    )  # its own options: answers to one never count for the other


def test_an_editor_makes_a_campaign_in_the_browser_forms_and_the_kiosk_asks_it(app: Flask) -> None:
    editor = login_as(app, Role.EDITOR)
    with app.app_context():
        zeitzer = db.session().scalar(select(Location.id).where(Location.code == "zeitzer"))
        db.session().scalars(select(Campaign)).one().locations = []  # the demo stops there
        db.session().commit()
    page = editor.get("/staff/setup/campaigns/new").text
    assert "Ein Spielplatz" in page and 'value="pop-up" checked' in page
    bad = editor.post(
        "/staff/setup/campaigns/new",
        data={"title": "Spielplatzcheck", "template": "playground", "ends_on": "morgen"},
    )
    assert bad.status_code == 422
    assert "Bitte wählen Sie mindestens einen Ort" in bad.text
    assert 'value="Spielplatzcheck"' in bad.text and 'value="playground" checked' in bad.text
    made = editor.post(
        "/staff/setup/campaigns/new",
        data={"title": "Spielplatzcheck", "template": "playground", "location_ids": str(zeitzer)},
    )
    assert made.status_code == 303
    kiosk = app.test_client().get("/k/zeitzer").text
    assert "Spielplatzcheck" in kiosk and "Tippt auf die Bilder" in kiosk
    copied = editor.post(made.headers["Location"] + "/copy")
    assert copied.status_code == 303
    assert "Kopie von Spielplatzcheck" in editor.get(copied.headers["Location"]).text
    with app.app_context():
        actions = db.session().scalars(select(AuditEntry.action)).all()
        assert {"campaign-create", "campaign-copy"} <= set(actions)


def test_campaign_set_up_needs_the_edit_role(app: Flask) -> None:
    viewer = login_as(app, Role.VIEWER)
    assert viewer.get("/staff/setup/campaigns").status_code == 403
    assert viewer.post("/staff/setup/campaigns/new", data={"title": "x"}).status_code == 403
    editor = login_as(app, Role.EDITOR)
    assert editor.get("/staff/setup/campaigns/999999").status_code == 404
    assert editor.post("/staff/setup/campaigns/999999/copy").status_code == 404


def test_saving_keeps_a_start_time_and_the_german_invitation(session: Session) -> None:
    demo_campaign = session.scalars(select(Campaign)).one()
    start = demo_campaign.starts_at
    assert start is not None and start.astimezone(BERLIN).hour == 10
    form = CampaignForm(
        title="WerkStadt",
        intro_de="Sagen Sie uns Ihre Meinung.",
        starts_on=start.astimezone(BERLIN).date().isoformat(),
        location_ids=place_ids(session),
    )
    assert (
        update_campaign(session, demo_campaign.id, form, zone=BERLIN, actor=COMMAND_LINE).starts_at
        == start
    )
    english_only = CampaignForm(title="X", intro_en="Tell us.", location_ids=place_ids(session))
    with pytest.raises(FormError) as error:
        update_campaign(session, demo_campaign.id, english_only, zone=BERLIN, actor=COMMAND_LINE)
    assert set(error.value.fields) == {"intro_de"}
    made = create_campaign(
        session,
        CampaignForm(
            title="Neu", intro_en="Tell us.", location_ids=place_ids(session)[:1], template="pop-up"
        ),
        zone=BERLIN,
        actor=COMMAND_LINE,
    )
    assert made.intro["en"] == "Tell us." and "Jena Nord" in made.intro["de"]


# --- A new place from the campaign's form (made with the campaign, or not at all) -------------


def _counts(session: Session) -> tuple[int, int, int]:
    session.flush()  # whatever a refused form may have added would be written now
    return (
        session.scalar(select(func.count()).select_from(Campaign)) or 0,
        session.scalar(select(func.count()).select_from(Location)) or 0,
        session.scalar(select(func.count()).select_from(AuditEntry)) or 0,
    )


def _area(session: Session) -> str:
    return str(session.scalar(select(Area.id)))


def test_a_new_place_comes_with_the_campaign_its_code_made_from_its_name(
    session: Session,
) -> None:
    made = create_campaign(
        session,
        CampaignForm(
            title="Klimaspaziergang",
            template="pop-up",
            new_place=PlaceForm(
                area_id=_area(session), name="Klimastation 1 – Höllein-Brücke",
                address="  Löbstedter Straße 1,\n 07743 Jena ",
            ),
        ),
        zone=BERLIN,
        actor=COMMAND_LINE,
    )  # fmt: skip
    (place,) = made.locations
    assert (place.name, place.code) == (
        "Klimastation 1 – Höllein-Brücke",
        "klimastation-1-hoellein-bruecke",
    )
    assert place.address == "Löbstedter Straße 1, 07743 Jena"
    assert "Jena Nord" in made.intro["de"]  # the template names the new place's area
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["place-save", "campaign-create"]
    # With places chosen too, and a code of its own; on a campaign that exists already.
    werkstadt = session.scalars(select(Campaign).where(Campaign.title.like("WerkStadt%"))).one()
    changed = update_campaign(
        session,
        werkstadt.id,
        CampaignForm(
            title=werkstadt.title, starts_on="2025-09-27", location_ids=place_ids(session)[:1],
            new_place=PlaceForm(area_id=_area(session), name="Stadtteilbüro", code="Buero"),
        ),
        zone=BERLIN,
        actor=COMMAND_LINE,
    )  # fmt: skip
    assert sorted(p.code for p in changed.locations) == ["buero", "ehp"]


def test_a_taken_code_made_from_a_name_gets_a_number(session: Session) -> None:
    for expected in ("emil-hoellein-platz", "emil-hoellein-platz-2"):
        made = create_campaign(
            session,
            CampaignForm(title="Fest", template="pop-up",
                         new_place=PlaceForm(area_id=_area(session), name="Emil-Höllein-Platz")),
            zone=BERLIN,
            actor=COMMAND_LINE,
        )  # fmt: skip
        assert made.locations[0].code == expected


# (A NUL never reaches the domain: the web layer refuses it in any field, a readable 400.)
HOSTILE_NAME = "\u202eBühne\u200b<script>alert(1)</script>"


@pytest.mark.parametrize(
    ("campaign", "place", "fields"),
    [
        # The campaign refused: the place, fine in itself, is not made.
        ({"title": ""}, {}, {"title"}),
        ({"template": "party"}, {}, {"template"}),
        ({"starts_on": "2026-02-30"}, {}, {"starts_on"}),
        ({"location_ids": ("999999",)}, {}, {"location_ids"}),
        # The place refused: no campaign either, and each message under the place's field.
        ({}, {"code": "ehp"}, {"place_code"}),
        ({}, {"code": "<script>"}, {"place_code"}),
        ({}, {"name": "x" * 10_000}, {"place_name"}),
        ({}, {"name": "   ", "address": "Nordstraße 1"}, {"place_name"}),
        ({}, {"address": "x" * 301}, {"place_address"}),
        ({}, {"area_id": ""}, {"place_area_id"}),
        ({}, {"area_id": "9" * 30}, {"place_area_id"}),
        ({}, {"area_id": "²"}, {"place_area_id"}),
        ({}, {"name": HOSTILE_NAME * 20}, {"place_name"}),
        # Both: every message at once.
        ({"title": "", "starts_on": "morgen"}, {"code": "a"}, {"title", "starts_on", "place_code"}),
    ],
)
def test_a_refused_form_makes_neither_the_place_nor_the_campaign(
    session: Session, campaign: dict[str, object], place: dict[str, str], fields: set[str]
) -> None:
    before = _counts(session)
    new_place = PlaceForm(**{"area_id": _area(session), "name": "Bühne am Platz", **place})
    sent: dict[str, object] = {"title": "Neu", "template": "pop-up", **campaign}
    with pytest.raises(FormError) as error:
        create_campaign(session, CampaignForm(**sent, new_place=new_place), zone=BERLIN,  # type: ignore[arg-type]
                        actor=COMMAND_LINE)  # fmt: skip
    assert set(error.value.fields) == fields
    assert _counts(session) == before
    werkstadt = session.scalars(select(Campaign.id)).first()
    assert werkstadt is not None
    if fields == {"template"}:
        return  # a campaign that exists has its questions: no template to choose
    with pytest.raises(FormError):
        update_campaign(
            session, werkstadt, CampaignForm(**{"title": "X", **campaign, "template": ""},  # type: ignore[arg-type]
                                             new_place=new_place),
            zone=BERLIN, actor=COMMAND_LINE,
        )  # fmt: skip
    assert _counts(session) == before


def test_a_hostile_name_makes_a_plain_code_and_is_kept_as_text(session: Session) -> None:
    made = create_campaign(
        session,
        CampaignForm(title="Neu", template="pop-up",
                     new_place=PlaceForm(area_id=_area(session), name=HOSTILE_NAME)),
        zone=BERLIN,
        actor=COMMAND_LINE,
    )  # fmt: skip
    assert made.locations[0].code == "buehne-script-alert-1-script"
    assert "<script>" in made.locations[0].name  # text: escaped wherever it is shown


def test_a_new_place_in_another_area_is_refused_as_such(session: Session) -> None:
    lobeda = Area(name="Lobeda")
    session.add(lobeda)
    session.flush()
    before = _counts(session)
    jena = Reach(frozenset({int(_area(session))}))
    with pytest.raises(OutOfReachError):
        create_campaign(
            session,
            CampaignForm(title="Neu", template="pop-up",
                         new_place=PlaceForm(area_id=str(lobeda.id), name="Markt")),
            zone=BERLIN, reach=jena, actor=COMMAND_LINE,
        )  # fmt: skip
    assert _counts(session) == before


def test_an_editor_makes_a_campaign_with_a_new_place_in_one_form(app: Flask) -> None:
    editor = login_as(app, Role.EDITOR)
    with app.app_context():
        jena = _area(db.session())
    form = editor.get("/staff/setup/campaigns/new").text
    assert f'<input type="hidden" name="place_area_id" value="{jena}">' in form  # one area
    assert 'name="place_name"' in form and 'hx-get="/staff/setup/places/code"' in form
    sent = {"title": "Klimaspaziergang", "template": "climate-walk", "place_area_id": jena,
            "place_name": "Klimastation 1", "place_address": "Dornburger Straße 1"}  # fmt: skip
    bad = editor.post("/staff/setup/campaigns/new", data=sent | {"starts_on": "27.09.2026"})
    assert bad.status_code == 422
    assert 'value="Klimastation 1"' in bad.text and 'value="Dornburger Straße 1"' in bad.text
    assert 'value="Klimaspaziergang"' in bad.text and '<details class="new-place" open>' in bad.text
    assert "klimastation-1" in bad.text  # the code it would get, told beside its field
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Location)) == 2  # none new
    made = editor.post("/staff/setup/campaigns/new", data=sent)
    assert made.status_code == 303
    page = editor.get(made.headers["Location"]).text
    assert "/q/klimastation-1" in page and "Klimastation 1" in page
    kiosk = app.test_client().get("/k/klimastation-1").text
    assert "Klimaspaziergang" in kiosk


def test_the_new_place_s_code_is_suggested_while_the_name_is_typed(app: Flask) -> None:
    editor = login_as(app, Role.EDITOR)
    hint = editor.get("/staff/setup/places/code", query_string={"place_name": "Emil-Höllein-Platz"})
    assert hint.status_code == 200 and 'id="h-place_code"' in hint.text
    assert "emil-hoellein-platz" in hint.text
    empty = editor.get("/staff/setup/places/code", query_string={"place_name": "x" * 100_000})
    assert empty.status_code == 200 and "x" * 32 in empty.text and "x" * 33 not in empty.text
    viewer = login_as(app, Role.VIEWER)
    assert viewer.get("/staff/setup/places/code?place_name=a").status_code == 403


def test_oversized_or_odd_new_place_fields_are_a_422_over_http(app: Flask) -> None:
    editor = login_as(app, Role.EDITOR)
    with app.app_context():
        jena = _area(db.session())
    base = {"title": "Neu", "template": "pop-up", "place_area_id": jena, "place_name": "Platz"}
    for extra in (
        {"place_name": "x" * 20_000},
        {"place_address": "y" * 20_000},
        {"place_code": "ä" * 40},
        {"place_area_id": "-1"},
        {"place_area_id": "9" * 40},
    ):
        answer = editor.post("/staff/setup/campaigns/new", data=base | extra)
        assert answer.status_code == 422, extra
        assert len(answer.text) < 60_000  # what was typed comes back cut to a kilobyte
    nul = editor.post("/staff/setup/campaigns/new", data=base | {"place_code": "\x00"})
    assert nul.status_code == 400
    huge = editor.post("/staff/setup/campaigns/new", data=base | {"place_name": "x" * 200_000})
    assert huge.status_code == 413
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Location)) == 2
        assert db.session().scalar(select(func.count()).select_from(Campaign)) == 1


def test_a_member_limited_to_an_area_adds_places_only_there(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        jena = int(_area(session))
        lobeda = Area(name="Lobeda")
        session.add(lobeda)
        session.commit()
        lobeda_id = lobeda.id
    admin = login_as(app, Role.ADMIN)
    chooser = admin.get("/staff/setup/campaigns/new").text
    assert 'name="place_area_id"' in chooser and f'<option value="{lobeda_id}"' in chooser
    editor = login_as(app, Role.EDITOR)
    with app.app_context():
        user = db.session().scalars(select(StaffUser).where(StaffUser.role == "editor")).one()
        user.areas = [db.session().get_one(Area, lobeda_id)]
        db.session().commit()
    form = editor.get("/staff/setup/campaigns/new").text
    assert f'<input type="hidden" name="place_area_id" value="{lobeda_id}">' in form
    assert f'<option value="{jena}"' not in form
    sent = {"title": "Lobeda fragt", "template": "pop-up", "place_name": "Markt Lobeda"}
    refused = editor.post("/staff/setup/campaigns/new", data=sent | {"place_area_id": str(jena)})
    assert refused.status_code == 403
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Location)) == 2
    made = editor.post("/staff/setup/campaigns/new", data=sent | {"place_area_id": str(lobeda_id)})
    assert made.status_code == 303
    with app.app_context():
        place = db.session().scalars(select(Location).where(Location.code == "markt-lobeda")).one()
        assert place.area_id == lobeda_id

"""Campaigns set up by staff: from a template, changed, copied; bad input refused."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.access.permissions import Role
from kiosk.collect.catalog import load_catalog
from kiosk.core.errors import FormError
from kiosk.models import COMMAND_LINE, AuditEntry, Campaign, Location, Question, QuestionKind
from kiosk.setup.campaign_templates import TEMPLATES
from kiosk.setup.campaigns import CampaignForm, copy_campaign, create_campaign, update_campaign
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

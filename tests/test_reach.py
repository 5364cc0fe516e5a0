"""Staff limited to some areas see and change only what lies there."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.access.accounts import change_user, create_user
from kiosk.access.permissions import Role
from kiosk.access.reach import EVERYWHERE, Reach, reach_of, reaches_campaign, reaches_location
from kiosk.collect.answers import Answer, record_answer
from kiosk.models import (
    COMMAND_LINE,
    Actor,
    Area,
    AsideResponse,
    AuditEntry,
    Campaign,
    Device,
    Location,
    Response,
    StaffUser,
    WishState,
)
from kiosk.web import db
from tests.helpers import PASSWORD, demo, login_as, question

OUT_OF_REACH = "Das gehört zu einem Sozialraum, in dem Sie nicht arbeiten"


def _lobeda(session: Session) -> tuple[int, int]:
    """A second area with one place; returns (area id, place id)."""
    area = Area(name="Lobeda")
    area.locations.append(Location(code="lobeda-markt", name="Markt Lobeda"))
    session.add(area)
    session.flush()
    return area.id, area.locations[0].id


def _limited(app: Flask, role: Role) -> tuple[FlaskClient, dict[str, int]]:
    """A client of a staff member with this role, limited to Lobeda; and the ids involved."""
    with app.app_context():
        session = db.session()
        campaign, square, _ = demo(session)
        area_id, place_id = _lobeda(session)
        user = create_user(session, email="lobeda@example.org", name="Lobeda",
                           password=PASSWORD, role=role, actor=COMMAND_LINE)  # fmt: skip
        user.areas = [session.get_one(Area, area_id)]
        wish = Answer(uuid.uuid4(), None, question(campaign, "wish"), text="Mehr Bänke am Platz")
        record_answer(session, wish, campaign=campaign, location_id=square.id, channel="qr")
        session.commit()
        wish_id = session.scalar(select(Response.id).where(Response.text.is_not(None)))
        ids = {
            "area": area_id,
            "place": place_id,
            "square": square.id,
            "jena": session.get_one(Location, square.id).area_id,
            "campaign": campaign.id,
            "question": question(campaign, "single").id,
            "wish": wish_id or 0,
        }
    client = app.test_client()
    login = {"email": "lobeda@example.org", "password": PASSWORD}
    assert client.post("/staff/login", data=login).status_code == 302
    return client, ids


def _refused(client: FlaskClient, path: str, data: dict[str, str] | None = None) -> None:
    answer = client.post(path, data=data or {}) if data is not None else client.get(path)
    assert answer.status_code == 403, path
    assert OUT_OF_REACH in answer.text


def test_a_viewer_limited_to_an_area_reads_only_its_results(
    app: Flask, staff_client: FlaskClient
) -> None:
    viewer, ids = _limited(app, Role.VIEWER)
    everything = staff_client.get("/staff/").text  # the admin's
    assert "Lobeda" in everything and "Jena Nord" in everything and "WerkStadt" in everything
    overview = viewer.get("/staff/").text
    assert "Lobeda" in overview and "Jena Nord" not in overview
    assert "WerkStadt" not in overview  # the demo campaign runs in Jena Nord
    assert viewer.get(f"/staff/area/{ids['area']}").status_code == 200
    assert viewer.get(f"/staff/location/{ids['place']}").status_code == 200
    for path in (
        f"/staff/location/{ids['square']}",
        f"/staff/area/{ids['jena']}",
        f"/staff/campaign/{ids['campaign']}",
        f"/staff/campaign/{ids['campaign']}/compare",
        f"/staff/campaign/{ids['campaign']}/report",
        f"/staff/location/{ids['square']}/raw.csv",
        f"/staff/location/{ids['square']}/tally.xlsx",
        f"/staff/location/{ids['square']}/chart/{ids['question']}-bar.png",
        f"/staff/location/{ids['square']}/qr.png",
    ):
        _refused(viewer, path)


def test_an_editor_limited_to_an_area_sets_up_only_there(app: Flask) -> None:
    editor, ids = _limited(app, Role.EDITOR)
    unlimited = login_as(app, Role.EDITOR)
    assert "Emil-Höllein-Platz" in unlimited.get("/staff/setup/places").text
    assert "WerkStadt" in unlimited.get("/staff/setup/campaigns").text
    assert "Emil-Höllein-Platz" in unlimited.get("/staff/kiosks/").text
    places = editor.get("/staff/setup/places").text
    assert "Markt Lobeda" in places and "Emil-Höllein-Platz" not in places
    assert 'action="/staff/setup/areas"' not in places  # no new areas
    _refused(editor, "/staff/setup/areas", {"name": "Winzerla"})
    _refused(editor, f"/staff/setup/areas/{ids['jena']}", {"name": "Jena-Nord"})
    assert (
        editor.post(f"/staff/setup/areas/{ids['area']}", data={"name": "Lobeda-West"}).status_code
        == 303
    )
    _refused(editor, f"/staff/setup/places/{ids['square']}")
    forged = {"area_id": str(ids["jena"]), "name": "Bibliothek", "code": "bibliothek"}
    _refused(editor, "/staff/setup/places/new", forged)
    with app.app_context():
        assert db.session().scalar(select(Location).where(Location.code == "bibliothek")) is None
    unknown = editor.post("/staff/setup/places/new", data=forged | {"area_id": "99999"})
    assert unknown.status_code == 422 and "Bitte wählen Sie einen Sozialraum" in unknown.text
    mine = forged | {"area_id": str(ids["area"])}
    assert editor.post("/staff/setup/places/new", data=mine).status_code == 303

    assert "WerkStadt" not in editor.get("/staff/setup/campaigns").text
    for path in (
        f"/staff/setup/campaigns/{ids['campaign']}",
        f"/staff/setup/questions/{ids['question']}",
        f"/staff/campaign/{ids['campaign']}/posters",
        f"/staff/campaign/{ids['campaign']}/poster-logo.png",
        f"/staff/campaign/{ids['campaign']}/posters-a4.pdf",
        f"/staff/location/{ids['square']}/poster",
    ):
        _refused(editor, path)
    for path in (
        f"/staff/setup/campaigns/{ids['campaign']}/copy",
        f"/staff/setup/campaigns/{ids['campaign']}/questions",
        f"/staff/setup/questions/{ids['question']}/move",
        f"/staff/question/{ids['question']}/results-shown",
        f"/staff/paper/{ids['square']}/{ids['question']}",
        f"/staff/campaign/{ids['campaign']}/poster-logo",
        f"/staff/campaign/{ids['campaign']}/poster-logo/remove",
    ):
        _refused(editor, path, {"direction": "up", "results_shown": "live"})
    _refused(editor, f"/staff/paper/{ids['square']}")

    campaign = {"template": "pop-up", "title": "Lobeda fragt", "starts_on": "", "ends_on": ""}
    _refused(editor, "/staff/setup/campaigns/new", campaign | {"location_ids": str(ids["square"])})
    both = {"location_ids": [str(ids["place"]), str(ids["square"])]}
    _refused(editor, "/staff/setup/campaigns/new", campaign | both)  # type: ignore[arg-type]
    with app.app_context():
        assert db.session().scalar(select(Campaign).where(Campaign.title == "Lobeda fragt")) is None
    unknown = editor.post("/staff/setup/campaigns/new",
                          data=campaign | {"location_ids": "99999"})  # fmt: skip
    assert unknown.status_code == 422 and "Bitte wählen Sie Orte aus der Liste" in unknown.text
    made = editor.post("/staff/setup/campaigns/new",
                       data=campaign | {"location_ids": str(ids["place"])})  # fmt: skip
    assert made.status_code == 303
    assert editor.get(made.headers["Location"]).status_code == 200
    widened = campaign | {"location_ids": [str(ids["place"]), str(ids["square"])]}
    widened.pop("template")
    _refused(editor, made.headers["Location"], widened)  # type: ignore[arg-type]
    assert "Lobeda fragt" in editor.get("/staff/").text

    with app.app_context():  # the demo campaign also runs at the Lobeda place now
        session = db.session()
        running = session.get_one(Campaign, ids["campaign"])
        running.locations.append(session.get_one(Location, ids["place"]))
        session.commit()
    location_page = editor.get(f"/staff/location/{ids['place']}").text
    assert "WerkStadt" in location_page  # its results at this place are readable
    setting = f"/staff/question/{ids['question']}/results-shown"
    assert setting not in location_page  # but it spans Jena Nord: no setting form to fail

    kiosks = editor.get("/staff/kiosks/").text
    assert "Markt Lobeda" in kiosks and "Emil-Höllein-Platz" not in kiosks
    _refused(editor, "/staff/kiosks/", {"name": "Pi", "location": str(ids["square"])})
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Device)) == 0
    unknown = editor.post("/staff/kiosks/", data={"name": "Pi", "location": "99999"})
    assert unknown.status_code == 422


def test_a_moderator_limited_to_an_area_moderates_only_its_wishes(app: Flask) -> None:
    moderator, ids = _limited(app, Role.MODERATOR)
    assert "Mehr Bänke am Platz" in login_as(app, Role.MODERATOR).get("/staff/wishes/").text
    queue = moderator.get("/staff/wishes/?state=all").text
    assert "Mehr Bänke am Platz" not in queue
    moderator.post("/staff/wishes/", data={"row": f"approve:{ids['wish']}"})
    with app.app_context():
        state = db.session().scalar(select(Response.wish_state).where(Response.id == ids["wish"]))
    assert state == WishState.PENDING.value  # not theirs: unchanged


def test_admins_work_everywhere_and_set_the_areas(app: Flask, staff_client: FlaskClient) -> None:
    _, ids = _limited(app, Role.VIEWER)
    with app.app_context():
        session = db.session()
        member = session.scalar(select(StaffUser.id).where(StaffUser.email == "lobeda@example.org"))
    page = staff_client.get("/staff/people/").text
    assert "nur Lobeda" in page and 'name="areas"' in page
    sent = {"role": "viewer", "active": "yes", "areas": [str(ids["area"]), str(ids["jena"])]}
    assert staff_client.post(f"/staff/people/{member}", data=sent).status_code == 303
    with app.app_context():
        session = db.session()
        user = session.get_one(StaffUser, member)
        assert {a.id for a in user.areas} == {ids["area"], ids["jena"]}
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None and sorted(entry.detail["areas"]) == sorted(
            [ids["area"], ids["jena"]]
        )  # type: ignore[arg-type]
    for bad in (["999999"], ["x"], ["1"] * 1001):
        refused = staff_client.post(f"/staff/people/{member}", data=sent | {"areas": bad})
        assert (
            refused.status_code == 422
            and "Bitte wählen Sie Sozialräume aus der Liste" in refused.text
        )
    with app.app_context():
        assert len(db.session().get_one(StaffUser, member).areas) == 2  # nothing half-saved
    # An admin listed with areas still works everywhere.
    with app.app_context():
        admin = db.session().scalar(select(StaffUser).where(StaffUser.role == "admin"))
        assert admin is not None
        admin.areas = [db.session().get_one(Area, ids["area"])]
        db.session().commit()
    assert staff_client.get(f"/staff/location/{ids['square']}").status_code == 200


def test_a_campaign_is_out_of_reach_where_its_answers_came_from_elsewhere(
    session: Session,
) -> None:
    campaign, square, _ = demo(session)
    area_id, place_id = _lobeda(session)
    record_answer(session, Answer(uuid.uuid4(), None, question(campaign, "wish"), text="Hallo"),
                  campaign=campaign, location_id=square.id, channel="qr")  # fmt: skip
    stored = session.get_one(Campaign, campaign.id)
    stored.locations = [session.get_one(Location, place_id)]  # now runs only in Lobeda
    session.commit()
    lobeda = Reach(frozenset({area_id}))
    assert reaches_location(session, lobeda, place_id)
    assert not reaches_location(session, lobeda, square.id)
    assert not reaches_location(session, lobeda, 999999)
    assert not reaches_campaign(session, lobeda, campaign.id)  # the square's answer
    assert reaches_campaign(session, EVERYWHERE, campaign.id)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EDITOR])
def test_reach_of_a_member(session: Session, role: Role) -> None:
    area_id, _ = _lobeda(session)
    user = create_user(
        session, email="x@example.org", name="X", password=PASSWORD, role=role, actor=COMMAND_LINE
    )
    assert reach_of(user).everywhere
    acting = create_user(
        session,
        email="a@example.org",
        name="A",
        password=PASSWORD,
        role="admin",
        actor=COMMAND_LINE,
    )
    change_user(
        session, user.id, role=role, active=True, actor=Actor(acting.id), area_ids=[area_id]
    )
    assert reach_of(user).everywhere == (role == Role.ADMIN)


def test_a_carried_file_may_not_bring_answers_for_other_areas(app: Flask) -> None:
    import io
    import json

    from kiosk.models import Device

    editor, ids = _limited(app, Role.EDITOR)
    assert (
        editor.post(
            "/staff/kiosks/", data={"name": "Pi", "location": str(ids["place"])}
        ).status_code
        == 200
    )
    with app.app_context():
        device_id = db.session().scalars(select(Device.id)).one()
        before = db.session().scalar(select(func.count()).select_from(Response))
        campaign, _, _ = demo(db.session())
    single = question(campaign, "single")
    answer = {"uuid": str(uuid.uuid4()), "location": "ehp", "question_id": single.id,
              "option_ids": [single.options[0].id]}  # fmt: skip
    document = {"format": "kiosk-batch/1", "device_id": device_id, "responses": [answer]}
    sent = editor.post(
        "/staff/kiosks/import",
        content_type="multipart/form-data",
        data={"batch": (io.BytesIO(json.dumps(document).encode()), "kiosk.json")},
    )
    assert sent.status_code == 403 and OUT_OF_REACH in sent.text
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Response)) == before
        assert db.session().scalar(select(func.count()).select_from(AsideResponse)) == 0

"""A kiosk counts answers only for the places it is assigned to; the rest wait for a person.

A token taken from one kiosk must not add answers anywhere (issue 19, item 1); a kiosk
carried to another site must not lose what it took there.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.access.accounts import create_user
from kiosk.access.permissions import Role
from kiosk.access.reach import EVERYWHERE, Reach
from kiosk.collect.answers import record_answer
from kiosk.collect.catalog import load_catalog
from kiosk.core.errors import NotFoundError
from kiosk.models import (
    COMMAND_LINE,
    AnswerCount,
    Area,
    AsideResponse,
    AuditEntry,
    Campaign,
    CrossCount,
    Device,
    HourCount,
    Location,
    OptionCount,
    Outbox,
    QuestionKind,
    Response,
    WishState,
)
from kiosk.sync.aside import aside_count, aside_overview, reject_aside, release_aside
from kiosk.sync.configuration import config_document
from kiosk.sync.devices import assign_places, enrol, kiosk_overview, register_device
from kiosk.sync.ingest import ingest
from kiosk.sync.node import send_round
from kiosk.web import db
from tests.helpers import PASSWORD, demo, login_as, pick, question


def item(q_id: int, place: str, **extra: object) -> dict[str, object]:
    """One answer as a node sends it."""
    return {
        "uuid": str(uuid.uuid4()),
        "visit_id": str(uuid.uuid4()),
        "location": place,
        "question_id": q_id,
        "answered_at": (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=3)).isoformat(),
        **extra,
    }


def counted(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every counter there is, and the responses: what must not move for answers aside."""
    return {
        name: sorted(map(tuple, session.execute(select(*columns))))
        for name, columns in {
            "answers": (AnswerCount.location_id, AnswerCount.question_id, AnswerCount.count),
            "options": (OptionCount.location_id, OptionCount.option_id, OptionCount.count),
            "hours": (HourCount.location_id, HourCount.hour, HourCount.count),
            "cross": (CrossCount.location_id, CrossCount.option_id, CrossCount.count),
            "responses": (Response.uuid,),
        }.items()
    }


@pytest.fixture
def kiosk(session: Session) -> Device:
    """A kiosk registered and enrolled for the square (not the playground)."""
    _, square, _ = demo(session)
    device, code = register_device(session, name="Pi Platz", location_id=square.id,
                                   actor=COMMAND_LINE)  # fmt: skip
    enrol(session, code)
    session.commit()
    return device


def batch_for_the_playground(session: Session) -> list[dict[str, object]]:
    campaign, _, _ = demo(session)
    single, wish = question(campaign, QuestionKind.SINGLE), question(campaign, QuestionKind.WISH)
    return [
        item(single.id, "zeitzer", option_ids=[single.options[0].id]),
        item(wish.id, "zeitzer", text="Ein Trinkbrunnen am Spielplatz"),
    ]


def test_answers_for_a_place_the_kiosk_is_not_assigned_to_wait_uncounted(
    session: Session, kiosk: Device
) -> None:
    before = counted(session)
    batch = batch_for_the_playground(session)
    for _ in range(3):  # resent: still aside, once
        verdicts = ingest(session, load_catalog(session), kiosk, batch, wish_max_chars=280)
        session.commit()
        assert [(v.status, v.acknowledged) for v in verdicts] == [("aside", True)] * 2
    assert counted(session) == before  # no counter moved, no response row
    aside = session.scalars(select(AsideResponse)).all()
    assert sorted(str(a.uuid) for a in aside) == sorted(str(i["uuid"]) for i in batch)
    assert {(a.device_id, a.decision) for a in aside} == {(kiosk.id, None)}
    assert aside_count(session, EVERYWHERE) == 2
    (status,) = kiosk_overview(session, now=dt.datetime.now(dt.UTC),
                               silent_after=dt.timedelta(hours=1))  # fmt: skip
    assert status.aside == 2


def test_its_own_and_assigned_places_count_at_once(session: Session, kiosk: Device) -> None:
    campaign, _, playground = demo(session)
    single = question(campaign, QuestionKind.SINGLE)
    own = item(single.id, "ehp", option_ids=[single.options[1].id])
    (verdict,) = ingest(session, load_catalog(session), kiosk, [own], wish_max_chars=280)
    assert verdict.status == "stored"
    assign_places(session, kiosk, {playground.id}, reach=EVERYWHERE, actor=COMMAND_LINE)
    assert [p.code for p in kiosk.places] == ["ehp", "zeitzer"]
    verdicts = ingest(session, load_catalog(session), kiosk, batch_for_the_playground(session),
                      wish_max_chars=280)  # fmt: skip
    assert [v.status for v in verdicts] == ["stored", "stored"]
    assert session.scalar(select(func.count()).select_from(AsideResponse)) == 0


def test_a_release_counts_them_as_they_came_and_wishes_wait_for_moderation(
    session: Session, kiosk: Device
) -> None:
    _, _, playground = demo(session)
    batch = batch_for_the_playground(session)
    offset = dt.timedelta(hours=2)  # the kiosk's clock ran two hours ahead
    sent_at = dt.datetime.now(dt.UTC)
    shifted = [{**i, "answered_at": (sent_at + offset - dt.timedelta(minutes=3)).isoformat()}
               for i in batch]  # fmt: skip
    ingest(session, load_catalog(session), kiosk, shifted, wish_max_chars=280, now=sent_at,
           clock_offset=offset)  # fmt: skip
    before = counted(session)
    counts = release_aside(session, load_catalog(session), device_id=kiosk.id,
                           location_id=playground.id, wish_max_chars=280,
                           actor=COMMAND_LINE)  # fmt: skip
    session.commit()
    assert counts == {"stored": 2, "duplicate": 0, "conflict": 0, "rejected": 0}
    after = counted(session)
    assert after != before and len(after["responses"]) == len(before["responses"]) + 2
    stored = session.scalars(select(Response).where(Response.location_id == playground.id)).all()
    assert {r.device_id for r in stored} == {kiosk.id}
    assert {r.received_at for r in stored} == {sent_at}
    for response in stored:  # the clock corrected as it was when the batch came
        assert abs(response.answered_at - (sent_at - dt.timedelta(minutes=3))) < dt.timedelta(
            seconds=1
        )
    wish = next(r for r in stored if r.text)
    assert wish.wish_state == WishState.PENDING.value
    assert {a.decision for a in session.scalars(select(AsideResponse))} == {"released"}
    assert all(a.payload is None for a in session.scalars(select(AsideResponse)))
    again = ingest(session, load_catalog(session), kiosk, shifted, wish_max_chars=280)
    assert [v.status for v in again] == ["duplicate", "duplicate"]
    with pytest.raises(NotFoundError):  # nothing waits any more
        release_aside(session, load_catalog(session), device_id=kiosk.id,
                      location_id=playground.id, wish_max_chars=280,
                      actor=COMMAND_LINE)  # fmt: skip
    assert session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "kiosk-release")
    )


def test_a_rejection_counts_nothing_and_forgets_the_content(
    session: Session, kiosk: Device
) -> None:
    _, _, playground = demo(session)
    batch = batch_for_the_playground(session)
    ingest(session, load_catalog(session), kiosk, batch, wish_max_chars=280)
    before = counted(session)
    rejected = reject_aside(session, device_id=kiosk.id, location_id=playground.id,
                            actor=COMMAND_LINE)  # fmt: skip
    assert rejected == 2
    assert counted(session) == before
    assert [(a.decision, a.payload) for a in session.scalars(select(AsideResponse))] == [
        ("rejected", None)
    ] * 2
    again = ingest(session, load_catalog(session), kiosk, batch, wish_max_chars=280)
    assert [v.status for v in again] == ["aside", "aside"]  # acknowledged; nothing comes back
    assert counted(session) == before
    assert aside_count(session, EVERYWHERE) == 0


def test_a_uuid_stored_before_is_judged_as_a_resend_wherever_it_claims_to_be(
    session: Session, kiosk: Device
) -> None:
    campaign, _, _ = demo(session)
    single = question(campaign, QuestionKind.SINGLE)
    original = item(single.id, "ehp", option_ids=[single.options[0].id])
    ingest(session, load_catalog(session), kiosk, [original], wish_max_chars=280)
    moved = {**original, "location": "zeitzer"}
    (verdict,) = ingest(session, load_catalog(session), kiosk, [moved], wish_max_chars=280)
    assert verdict.status == "conflict"
    assert session.scalar(select(func.count()).select_from(AsideResponse)) == 0


def test_the_kiosk_gets_the_configuration_of_its_places_only(
    session: Session, kiosk: Device
) -> None:
    _, square, playground = demo(session)
    document = config_document(session, places={square.id})
    assert [loc["code"] for loc in document["locations"]] == ["ehp"]
    assert all(c["location_ids"] == [square.id] for c in document["campaigns"])
    both = config_document(session, places={square.id, playground.id})
    assert [loc["code"] for loc in both["locations"]] == ["ehp", "zeitzer"]


def test_a_node_forgets_what_central_keeps_aside(session: Session) -> None:
    campaign, square, _ = demo(session)
    single = question(campaign, QuestionKind.SINGLE)
    record_answer(session, pick(single, 0), campaign=campaign, location_id=square.id,
                  channel="kiosk", queue=True)  # fmt: skip
    session.commit()
    assert session.scalar(select(func.count()).select_from(Outbox)) == 1

    def central(items: list[dict[str, Any]], _status: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"uuid": i["uuid"], "status": "aside"} for i in items]

    report = send_round(session, central)
    assert (report.sent, report.acknowledged, report.held) == (1, 1, 0)
    assert session.scalar(select(func.count()).select_from(Outbox)) == 0


# --- over HTTP: the device's token, and staff of each area --------------------------------


@pytest.fixture
def lobeda(app: Flask) -> dict[str, Any]:
    """A second area (Lobeda) where the demo campaign runs too, a kiosk in Jena Nord and its
    token, and staff: an editor limited to Lobeda, one limited to Jena Nord."""
    with app.app_context():
        session = db.session()
        _, square, _ = demo(session)
        area = Area(name="Lobeda")
        area.locations.append(Location(code="lobeda-markt", name="Markt Lobeda"))
        session.add(area)
        session.flush()
        place = area.locations[0]
        running = session.scalars(select(Campaign)).one()
        running.locations.append(place)
        jena = session.get_one(Location, square.id).area
        device, code = register_device(session, name="Pi Platz", location_id=square.id,
                                       actor=COMMAND_LINE)  # fmt: skip
        _, token = enrol(session, code)
        for email, areas in (("lobeda@example.org", [area]), ("jena@example.org", [jena])):
            user = create_user(session, email=email, name=email, password=PASSWORD,
                               role=Role.EDITOR, actor=COMMAND_LINE)  # fmt: skip
            user.areas = areas
        session.commit()
        catalog = load_catalog(session)
        campaign = next(iter(catalog.campaigns.values()))
        ids = {"device": device.id, "place": place.id, "square": square.id,
               "area": area.id, "token": token,
               "single": question(campaign, QuestionKind.SINGLE),
               "wish": question(campaign, QuestionKind.WISH)}  # fmt: skip
    return ids


def _login(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    response = client.post("/staff/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _push(client: FlaskClient, token: str, items: list[dict[str, object]]) -> list[str]:
    response = client.post("/api/v1/responses", json={"responses": items},
                           headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert response.status_code == 200, response.text
    return [r["status"] for r in response.get_json()["results"]]


def test_a_token_from_one_area_adds_nothing_to_another_until_its_staff_release_it(
    app: Flask, client: FlaskClient, lobeda: dict[str, Any]
) -> None:
    single, wish = lobeda["single"], lobeda["wish"]
    items = [
        item(single.id, "lobeda-markt", option_ids=[single.options[0].id]),
        item(wish.id, "lobeda-markt", text="Mehr Licht am Markt"),
    ]
    assert _push(client, lobeda["token"], items) == ["aside", "aside"]
    with app.app_context():
        session = db.session()
        assert (
            session.scalar(
                select(func.count())
                .select_from(Response)
                .where(Response.location_id == lobeda["place"])
            )
            == 0
        )
        assert (
            session.scalar(
                select(func.count())
                .select_from(AnswerCount)
                .where(AnswerCount.location_id == lobeda["place"])
            )
            == 0
        )

    release = f"/staff/kiosks/{lobeda['device']}/aside/{lobeda['place']}/release"
    reject = f"/staff/kiosks/{lobeda['device']}/aside/{lobeda['place']}/reject"
    # The kiosk's own area is not the place's: its editor neither sees nor decides.
    jena = _login(app, "jena@example.org")
    assert "Markt Lobeda" not in jena.get("/staff/kiosks/").text.split("Pi Platz")[0]
    for path in (release, reject):
        assert jena.post(path).status_code == 403
    for role in (Role.VIEWER, Role.MODERATOR):
        other = login_as(app, role)
        assert other.post(release).status_code == 403
        assert other.post(reject).status_code == 403
    # The editor of the place's area sees the count, and releases.
    editor = _login(app, "lobeda@example.org")
    page = editor.get("/staff/kiosks/").text
    assert "Antworten warten auf Ihre Freigabe" in page and "Markt Lobeda" in page
    answer = editor.post(release)
    assert answer.status_code == 303
    assert "2 Antworten zählen jetzt" in editor.get("/staff/kiosks/").text
    with app.app_context():
        session = db.session()
        stored = session.scalars(
            select(Response).where(Response.location_id == lobeda["place"])
        ).all()
        assert len(stored) == 2
        assert {r.wish_state for r in stored if r.text} == {WishState.PENDING.value}
    assert editor.post(release).status_code == 404  # nothing waits any more
    assert _push(client, lobeda["token"], items) == ["duplicate", "duplicate"]
    assert editor.post(f"/staff/kiosks/{lobeda['device']}/aside/99999/release").status_code == 404


def test_an_editor_assigns_places_within_reach_only(app: Flask, lobeda: dict[str, Any]) -> None:
    places = f"/staff/kiosks/{lobeda['device']}/places"
    lobeda_editor = _login(app, "lobeda@example.org")
    assert lobeda_editor.post(places, data={"place": str(lobeda["place"])}).status_code == 403
    jena = _login(app, "jena@example.org")
    refused = jena.post(places, data={"place": [str(lobeda["place"]), str(lobeda["square"])]})
    assert refused.status_code == 403 and "Sozialraum, in dem Sie nicht arbeiten" in refused.text
    with app.app_context():
        device = db.session().get_one(Device, lobeda["device"])
        assert [p.code for p in device.places] == ["ehp"]  # Lobeda is not theirs to give
    admin = login_as(app, Role.ADMIN)
    assert admin.post(places, data={"place": str(lobeda["place"])}).status_code == 303
    assert jena.post(places, data={"place": []}).status_code == 303  # untick all they can
    with app.app_context():
        device = db.session().get_one(Device, lobeda["device"])
        # Its own place stays; Lobeda, out of the Jena editor's reach, stays too.
        assert [p.code for p in device.places] == ["ehp", "lobeda-markt"]
    config = app.test_client().get(
        "/api/v1/config", headers={"Authorization": f"Bearer {lobeda['token']}"}
    )
    assert [loc["code"] for loc in config.get_json()["locations"]] == ["ehp", "lobeda-markt"]
    single = lobeda["single"]
    counted_now = item(single.id, "lobeda-markt", option_ids=[single.options[0].id])
    assert _push(app.test_client(), lobeda["token"], [counted_now]) == ["stored"]
    for bad in ({"place": "x"}, {"place": "1" * 12}):
        assert admin.post(places, data=bad).status_code == 422


def test_a_limited_reach_keeps_the_other_areas_places(session: Session, kiosk: Device) -> None:
    _, _, playground = demo(session)
    assign_places(session, kiosk, {playground.id}, reach=EVERYWHERE, actor=COMMAND_LINE)
    elsewhere = Reach(frozenset({-1}))  # an editor of some other area
    assign_places(session, kiosk, set(), reach=elsewhere, actor=COMMAND_LINE)
    assert [p.code for p in kiosk.places] == ["ehp", "zeitzer"]
    assign_places(session, kiosk, set(), reach=EVERYWHERE, actor=COMMAND_LINE)
    assert [p.code for p in kiosk.places] == ["ehp"]  # its own place stays
    assert aside_overview(session, EVERYWHERE) == []


def test_a_release_counts_at_the_place_they_were_held_for_even_after_its_code_changed(
    session: Session, kiosk: Device
) -> None:
    _, _, playground = demo(session)
    ingest(session, load_catalog(session), kiosk, batch_for_the_playground(session),
           wish_max_chars=280)  # fmt: skip
    place = session.get_one(Location, playground.id)
    place.code = "zeitzer-alt"  # renamed while the answers wait; the old code is taken again
    session.add(Location(area_id=place.area_id, code="zeitzer", name="Eine andere Stelle"))
    session.flush()
    counts = release_aside(session, load_catalog(session), device_id=kiosk.id,
                           location_id=playground.id, wish_max_chars=280,
                           actor=COMMAND_LINE)  # fmt: skip
    assert counts["stored"] == 2
    places = set(
        session.scalars(select(Response.location_id).where(Response.device_id == kiosk.id))
    )
    assert places == {playground.id}


def test_the_balance_counts_rejected_answers_aside_as_arrived(
    session: Session, kiosk: Device
) -> None:
    _, _, playground = demo(session)
    ingest(session, load_catalog(session), kiosk, batch_for_the_playground(session),
           wish_max_chars=280)  # fmt: skip
    kiosk.reported_captured = 2  # both taken on the node, both sent
    reject_aside(session, device_id=kiosk.id, location_id=playground.id, actor=COMMAND_LINE)
    (status,) = kiosk_overview(session, now=dt.datetime.now(dt.UTC),
                               silent_after=dt.timedelta(hours=1))  # fmt: skip
    assert (status.aside, status.gap) == (0, 0)  # none waits, none missing

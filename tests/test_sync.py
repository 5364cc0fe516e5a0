"""Kiosk devices and central's ingest: enrol, push batches, idempotent by UUID."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kiosk.collect.catalog import load_catalog
from kiosk.models import (
    COMMAND_LINE,
    AnswerCount,
    Campaign,
    Device,
    OptionCount,
    Outbox,
    QuestionKind,
    RejectedResponse,
    Response,
    utcnow,
)
from kiosk.sync.devices import (
    DeviceAuthError,
    authenticate_device,
    enrol,
    new_enrolment,
    register_device,
    revoke,
)
from kiosk.sync.ingest import ingest
from kiosk.sync.node import SyncAuthError, SyncError, outbox_batch, release_held, send_round, sync
from kiosk.web import db
from tests.helpers import demo, question


@pytest.fixture
def device(session: Session) -> Device:
    _, square, _ = demo(session)
    registered, code = register_device(
        session, name="Kiosk Platz", location_id=square.id, actor=COMMAND_LINE
    )
    enrol(session, code)
    session.commit()
    return registered


def item(q_id: int, option_ids: list[int], **extra: object) -> dict[str, object]:
    return {
        "uuid": str(uuid.uuid4()),
        "visit_id": str(uuid.uuid4()),
        "location": "ehp",
        "question_id": q_id,
        "option_ids": option_ids,
        "answered_at": dt.datetime.now(dt.UTC).isoformat(),
        **extra,
    }


def counters(session: Session) -> tuple[list[tuple], list[tuple]]:
    return (
        sorted(map(tuple, session.execute(select(OptionCount.option_id, OptionCount.count)))),
        sorted(map(tuple, session.execute(select(AnswerCount.question_id, AnswerCount.count)))),
    )


def test_a_batch_sent_again_and_again_is_stored_once(session: Session, device: Device) -> None:
    campaign, _, _ = demo(session)
    single = question(campaign, QuestionKind.SINGLE)
    batch = [item(single.id, [single.options[i % 3].id]) for i in range(6)]
    first = ingest(session, load_catalog(session), device, batch, wish_max_chars=280)
    session.commit()
    assert [v.status for v in first] == ["stored"] * 6
    after_first = counters(session)
    for _ in range(3):
        again = ingest(
            session, load_catalog(session), device, list(reversed(batch)), wish_max_chars=280
        )
        session.commit()
        assert {v.status for v in again} == {"duplicate"}
        assert all(v.acknowledged for v in again)
    assert counters(session) == after_first
    assert session.scalar(select(func.count()).select_from(Response)) == 6
    assert set(session.scalars(select(Response.device_id))) == {device.id}


def test_the_same_uuid_with_other_content_is_a_conflict_kept_aside(
    session: Session, device: Device
) -> None:
    campaign, _, _ = demo(session)
    single = question(campaign, QuestionKind.SINGLE)
    original = item(single.id, [single.options[0].id])
    ingest(session, load_catalog(session), device, [original], wish_max_chars=280)
    forged = {**original, "option_ids": [single.options[1].id]}
    (verdict,) = ingest(session, load_catalog(session), device, [forged], wish_max_chars=280)
    session.commit()
    assert (verdict.status, verdict.acknowledged) == ("conflict", False)
    kept = session.scalars(select(RejectedResponse)).one()
    assert (kept.reason, kept.uuid, kept.payload["option_ids"]) == (
        "conflict",
        original["uuid"],
        [single.options[1].id],
    )
    assert counters(session)[0] == [(single.options[0].id, 1)]


def test_bad_items_do_not_cost_the_good_ones(session: Session, device: Device) -> None:
    campaign, _, _ = demo(session)
    single, wish = question(campaign, QuestionKind.SINGLE), question(campaign, QuestionKind.WISH)
    multi = question(campaign, QuestionKind.MULTI)
    batch = [
        item(single.id, [single.options[0].id]),
        "not an object",
        item(99999, [1]),
        item(single.id, [single.options[0].id], uuid="kaputt"),
        item(single.id, [multi.options[0].id]),
        item(wish.id, [], text="a\x00b"),
        item(single.id, [single.options[0].id], location="nirgendwo"),
        item(single.id, ["1"]),
        item(single.id, [single.options[0].id], answered_at="gestern"),
        item(wish.id, [], text="Mehr Schatten"),
    ]
    verdicts = ingest(session, load_catalog(session), device, batch, wish_max_chars=280)
    session.commit()
    assert [v.status for v in verdicts] == ["stored"] + ["rejected"] * 8 + ["stored"]
    assert all(v.error for v in verdicts if v.status == "rejected")
    assert session.scalar(select(func.count()).select_from(Response)) == 2
    assert session.scalar(select(func.count()).select_from(RejectedResponse)) == 8


def test_an_answer_given_offline_counts_if_the_campaign_was_open_then(
    session: Session, device: Device
) -> None:
    campaign_row = session.scalars(select(Campaign)).one()
    campaign_row.ends_at = dt.datetime(2025, 12, 13, tzinfo=dt.UTC)
    session.commit()
    campaign, _, _ = demo(session)
    single = question(campaign, QuestionKind.SINGLE)
    during = item(single.id, [single.options[0].id], answered_at="2025-10-01T10:00:00+02:00")
    after = item(single.id, [single.options[0].id], answered_at="2025-12-14T10:00:00+00:00")
    verdicts = ingest(session, load_catalog(session), device, [during, after], wish_max_chars=280)
    assert [v.status for v in verdicts] == ["stored", "rejected"]


def test_enrolment_codes_work_once_and_tokens_can_be_revoked(session: Session) -> None:
    _, square, _ = demo(session)
    device, code = register_device(session, name="Kiosk", location_id=square.id, actor=COMMAND_LINE)
    assert device.token_hash is None and device.enrolment_hash != code  # only hashes kept
    _, token = enrol(session, code)
    assert authenticate_device(session, token) is device
    assert device.token_hash != token
    with pytest.raises(DeviceAuthError):
        enrol(session, code)  # used up
    revoke(session, device, actor=COMMAND_LINE)
    with pytest.raises(DeviceAuthError):
        authenticate_device(session, token)
    fresh = new_enrolment(session, device, actor=COMMAND_LINE)
    _, new_token = enrol(session, fresh)
    assert authenticate_device(session, new_token) is device
    with pytest.raises(DeviceAuthError):
        authenticate_device(session, token)
    later = new_enrolment(session, device, actor=COMMAND_LINE)
    with pytest.raises(DeviceAuthError, match="expired"):
        enrol(session, later, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=8))


# --- over HTTP -------------------------------------------------------------------------


@pytest.fixture
def token(app: Flask) -> str:
    with app.app_context():
        session = db.session()
        _, square, _ = demo(session)
        _, code = register_device(session, name="Kiosk", location_id=square.id, actor=COMMAND_LINE)
        session.commit()
    response = app.test_client().post("/api/v1/enrol", json={"code": code})
    assert response.status_code == 200, response.text
    return str(response.get_json()["token"])


def test_the_api_wants_a_valid_token(client: FlaskClient, token: str) -> None:
    for headers in ({}, {"Authorization": "Bearer falsch"}, {"Authorization": token}):
        response = client.post("/api/v1/responses", json={"responses": []}, headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "not (or no longer) enrolled" in response.get_json()["error"]
    assert client.post("/api/v1/enrol", json={"code": "falsch"}).status_code == 401
    assert client.post("/api/v1/enrol", data="kein json").status_code == 401


@pytest.mark.parametrize(
    "body", [b"kein json", b"[]", b'{"responses": 5}', b'{"responses": [' + b"{}," * 1000 + b"{}]}"]
)
def test_a_malformed_batch_is_a_readable_400(client: FlaskClient, token: str, body: bytes) -> None:
    response = client.post(
        "/api/v1/responses",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert "at most 1000 responses" in response.get_json()["error"]


def test_an_oversized_batch_is_a_413(client: FlaskClient, token: str) -> None:
    response = client.post(
        "/api/v1/responses",
        data=b"x" * (5 * 1024 * 1024),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 413
    assert response.is_json


def test_a_batch_over_http_and_the_clock_offset(
    app: Flask, client: FlaskClient, token: str
) -> None:
    with app.app_context():
        campaign, _, _ = demo(db.session())
    single = question(campaign, QuestionKind.SINGLE)
    batch = [item(single.id, [single.options[0].id]), item(single.id, [999999])]
    skewed = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).isoformat()
    response = client.post(
        "/api/v1/responses",
        json={"responses": batch, "node": {"clock": skewed, "captured": 40, "unsent": 2}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert [r["status"] for r in body["results"]] == ["stored", "rejected"]
    assert body["results"][0]["uuid"] == batch[0]["uuid"]
    with app.app_context():
        device = db.session().scalars(select(Device)).one()
        assert device.last_seen_at is not None
        assert 4 * 60_000 < (device.clock_offset_ms or 0) < 6 * 60_000
        assert (device.reported_captured, device.reported_unsent) == (40, 2)


# --- the node's outbox ----------------------------------------------------------------


def queue_votes(session: Session, count: int) -> list[str]:
    from kiosk.collect.answers import Answer, record_answer

    campaign, square, _ = demo(session)
    single = question(campaign, QuestionKind.SINGLE)
    sent = []
    for n in range(count):
        answer = Answer(uuid.uuid4(), None, single, (single.options[n % 3].id,))
        record_answer(
            session, answer, campaign=campaign, location_id=square.id, channel="kiosk", queue=True
        )
        sent.append(str(answer.uuid))
    session.commit()
    return sent


def outbox(session: Session) -> list[tuple[int, str | None]]:
    return list(map(tuple, session.execute(select(Outbox.response_id, Outbox.held_reason))))


def test_the_outbox_forgets_only_what_central_acknowledged(session: Session) -> None:
    sent = queue_votes(session, 4)
    seen: list[list[dict[str, object]]] = []

    def central(
        items: list[dict[str, object]], status: dict[str, object]
    ) -> list[dict[str, object]]:
        seen.append(items)
        assert (status["captured"], status["unsent"]) == (4, 4 if len(seen) == 1 else 2)
        verdicts = ["stored", "duplicate", "conflict", "lost"]  # the last one has no verdict
        return [
            {"uuid": i["uuid"], "status": s, "error": "x"}
            for i, s in zip(items, verdicts[: len(items)], strict=True)
        ]

    report = send_round(session, central, batch_size=10)
    assert [i["uuid"] for i in seen[0]] == sent
    assert (report.sent, report.acknowledged, report.held, report.remaining) == (4, 2, 1, 1)
    left = outbox(session)
    assert len(left) == 2
    assert sorted(reason or "" for _, reason in left) == ["", "conflict: x"]
    # The held one is not sent again; the unanswered one is.
    send_round(session, central, batch_size=10)
    assert [i["uuid"] for i in seen[1]] == [sent[3]]
    # Released (say, after central's configuration was fixed), it goes again.
    assert release_held(session) == 1
    session.commit()
    assert sent[2] in [item["uuid"] for _, item in outbox_batch(session, 10)]


@pytest.mark.parametrize("failure", [SyncError("reset by peer"), SyncAuthError("revoked")])
def test_a_failed_send_keeps_everything(
    session: Session, sessions: sessionmaker[Session], failure: SyncError
) -> None:
    queue_votes(session, 3)

    def central(_items: list[dict[str, object]], _status: object) -> list[dict[str, object]]:
        raise failure

    naps: list[float] = []
    with pytest.raises(type(failure)):
        sync(
            sessions,
            central,
            attempts=3,
            sleep=naps.append,
            log=lambda _: None,
        )
    assert len(outbox(session)) == 3
    if not isinstance(failure, SyncAuthError):
        assert len(naps) == 2 and all(0 <= nap <= 8 for nap in naps)  # backoff with jitter
    else:
        assert naps == []  # a refused token stops at once


def test_the_api_is_described_by_a_valid_openapi_document(app: Flask, client: FlaskClient) -> None:
    from openapi_spec_validator import validate

    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    routes = {rule.rule for rule in app.url_map.iter_rules()}
    for path, methods in document["paths"].items():
        assert f"/api/v1{path}" in routes
        for method in methods:
            assert any(
                method.upper() in (rule.methods or ())
                for rule in app.url_map.iter_rules()
                if rule.rule == f"/api/v1{path}"
            )


def swap_positions(session: Session, a: object, b: object) -> None:
    """Swap two rows' positions on central (through a free value, as central must)."""
    first, second = a.position, b.position  # type: ignore[attr-defined]
    a.position = -999  # type: ignore[attr-defined]
    session.flush()
    b.position = first  # type: ignore[attr-defined]
    session.flush()
    a.position = second  # type: ignore[attr-defined]
    session.flush()


def test_a_node_takes_over_centrals_configuration(session: Session, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kiosk.cli import upgrade_database
    from kiosk.models import Location, Option
    from kiosk.models.engine import make_engine
    from kiosk.sync.configuration import apply_config, config_document

    def without_revision(document: dict[str, object]) -> dict[str, object]:
        return {k: v for k, v in document.items() if k != "revision"}

    url = f"sqlite:///{tmp_path / 'node.sqlite3'}"
    upgrade_database(url)
    node_engine = make_engine(url)
    central_config = config_document(session)
    with Session(node_engine) as node:
        apply_config(node, central_config)
        node.commit()
        assert without_revision(config_document(node)) == without_revision(central_config)
        before = load_catalog(node).revision

    # Central hides an option and stops a campaign; the node follows.
    campaign = session.scalars(select(Campaign)).one()
    session.scalars(select(Option)).first().hidden = True
    campaign.locations = []
    session.commit()
    with Session(node_engine) as node:
        apply_config(node, config_document(session))
        node.commit()
        catalog = load_catalog(node)
        assert catalog.revision > before  # the node's workers reload their snapshot
        assert catalog.locations["ehp"].campaign_ids == ()
        assert catalog.campaigns[campaign.id].questions[0].options[0].hidden

    # Central swaps two questions, two options and two places' codes: no unique value collides.
    places = session.scalars(select(Location).order_by(Location.id)).all()
    options = campaign.questions[0].options
    swapped = campaign.questions[0].id  # first before, second after
    swap_positions(session, campaign.questions[0], campaign.questions[1])
    swap_positions(session, options[0], options[1])
    codes = [p.code for p in places]
    places[0].code, places[1].code = "tmp-swap", codes[0]
    session.flush()
    places[0].code = codes[1]
    session.commit()
    with Session(node_engine) as node:
        area_id = node.scalars(select(Location)).first().area_id
        node.add(Location(id=999, area_id=area_id, code="nur-hier", name="Nur auf dem Kiosk"))
        node.commit()
        apply_config(node, config_document(session))
        node.commit()
        assert node.get_one(Location, 999).code == "nur-hier"  # not central's: left alone
        node.delete(node.get_one(Location, 999))
        node.commit()
        session.expire_all()  # central's collections in their new order
        assert without_revision(config_document(node)) == without_revision(config_document(session))
        catalog = load_catalog(node)
        assert catalog.campaigns[campaign.id].questions[1].id == swapped
        assert catalog.locations[codes[1]].id == places[0].id

    # Central deletes an option nobody picked (the second of six; the rest move up one).
    doomed = campaign.questions[1].options[1]
    doomed_id = doomed.id
    question_id = campaign.questions[1].id
    session.delete(doomed)
    session.flush()
    for position, option in enumerate(o for o in campaign.questions[1].options if o is not doomed):
        option.position = -1 - position
    session.flush()
    for position, option in enumerate(o for o in campaign.questions[1].options if o is not doomed):
        option.position = position
    session.commit()
    session.expire_all()
    with Session(node_engine) as node:
        apply_config(node, config_document(session))  # no unique position collides
        node.commit()
        kept = node.get_one(Option, doomed_id)
        assert kept.hidden and kept.position < 0  # the node keeps it, out of sight
        visible = load_catalog(node).campaigns[campaign.id].question_by_id[question_id]
        assert doomed_id not in {o.id for o in visible.visible_options}
    node_engine.dispose()


def test_config_is_served_to_enrolled_kiosks_with_an_etag(client: FlaskClient, token: str) -> None:
    assert client.get("/api/v1/config").status_code == 401
    auth = {"Authorization": f"Bearer {token}"}
    first = client.get("/api/v1/config", headers=auth)
    assert first.status_code == 200
    assert first.get_json()["locations"][0]["code"] in {"ehp", "zeitzer"}
    etag = first.headers["ETag"]
    again = client.get("/api/v1/config", headers={**auth, "If-None-Match": etag})
    assert again.status_code == 304


# --- hostile or odd input never costs a 500 or a bad row -------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"responses": [{"uuid": "x", "value": NaN}]}',
        b'{"responses": [{"uuid": "x", "value": 1e999, "extra": -1e999}]}',  # found by hypothesis
        b"[" * 5000 + b"]" * 5000,
        b'{"responses": [{"uuid": "\\ud800", "location": "\\ud800", "text": "\\ud800"}]}',
        b'{"responses": [{"uuid": "a", "answered_at": "0001-01-01T00:00:00+01:00"}]}',
        '{"responses": [{"uuid": "ä"}]}'.encode("latin-1"),
    ],
)
def test_odd_json_is_a_4xx_or_a_rejected_item(client: FlaskClient, token: str, body: bytes) -> None:
    response = client.post(
        "/api/v1/responses",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert {r["status"] for r in response.get_json()["results"]} == {"rejected"}


def test_a_batch_larger_than_a_form_is_fine(app: Flask, client: FlaskClient, token: str) -> None:
    with app.app_context():
        campaign, _, _ = demo(db.session())
    wish = question(campaign, QuestionKind.WISH)
    batch = [item(wish.id, [], text="Ein langer Wunsch für den Platz " * 8) for _ in range(500)]
    body = json.dumps({"responses": batch}).encode()
    assert len(body) > 64 * 1024  # more than any public form may send
    response = client.post(
        "/api/v1/responses",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert {r["status"] for r in response.get_json()["results"]} == {"stored"}


def test_a_refused_item_sent_again_is_kept_aside_once(session: Session, device: Device) -> None:
    bad = item(99999, [1])
    for _ in range(3):
        ingest(session, load_catalog(session), device, [bad], wish_max_chars=280)
    session.commit()
    assert session.scalar(select(func.count()).select_from(RejectedResponse)) == 1


def test_an_option_hidden_while_the_kiosk_was_offline_still_counts(
    session: Session, device: Device
) -> None:
    from kiosk.models import Option

    campaign, _, _ = demo(session)
    single = question(campaign, QuestionKind.SINGLE)
    session.get_one(Option, single.options[0].id).hidden = True
    session.commit()
    (verdict,) = ingest(
        session,
        load_catalog(session),
        device,
        [item(single.id, [single.options[0].id])],
        wish_max_chars=280,
    )
    assert verdict.status == "stored"


def test_a_clock_years_off_is_noted_within_bounds(session: Session, device: Device) -> None:
    from kiosk.sync.devices import note_contact

    now = dt.datetime.now(dt.UTC)
    note_contact(device, now=now, device_clock=now - dt.timedelta(days=3650))
    session.commit()
    assert device.clock_offset_ms == -(2**31) + 1


def test_one_uuid_twice_in_a_batch_is_stored_once(session: Session, device: Device) -> None:
    campaign, _, _ = demo(session)
    single = question(campaign, QuestionKind.SINGLE)
    first = item(single.id, [single.options[0].id])
    batch = [first, dict(first), {**first, "option_ids": [single.options[1].id]}]
    verdicts = ingest(session, load_catalog(session), device, batch, wish_max_chars=280)
    assert [v.status for v in verdicts] == ["stored", "duplicate", "conflict"]
    assert session.scalar(select(func.count()).select_from(Response)) == 1


def test_a_batch_keeps_text_and_times_exactly(session: Session, device: Device) -> None:
    """The batch insert goes through JSON on PostgreSQL: quotes, escapes, emoji and the
    UTC offset of the node's clock must come out as they went in."""
    campaign, _, _ = demo(session)
    wish = question(campaign, QuestionKind.WISH)
    multi = question(campaign, QuestionKind.MULTI)
    text = 'Bänke "mit" \\ Schatten\n😀 ✓ \u202eß {"x": [1]}'  # sent stripped
    sent = [
        item(wish.id, [], text=text, answered_at="2026-06-01T14:30:15.250000+02:00"),
        item(multi.id, [o.id for o in multi.options[:2]], visit_id=None),
    ]
    now = dt.datetime(2026, 6, 3, 9, 0, 0, 123456, tzinfo=dt.UTC)
    verdicts = ingest(session, load_catalog(session), device, sent, wish_max_chars=280, now=now)
    session.commit()
    assert [v.status for v in verdicts] == ["stored", "stored"]
    stored = {r.uuid: r for r in session.scalars(select(Response))}
    first, second = stored[uuid.UUID(sent[0]["uuid"])], stored[uuid.UUID(sent[1]["uuid"])]
    assert first.text == text
    assert first.client_at == dt.datetime(2026, 6, 1, 12, 30, 15, 250000, tzinfo=dt.UTC)
    assert first.received_at == now and first.device_id == device.id
    assert first.visit_id == uuid.UUID(sent[0]["visit_id"]) and second.visit_id is None
    assert first.wish_state == "pending" and second.wish_state is None
    assert counters(session)[1] == sorted([(wish.id, 1), (multi.id, 1)])
    assert sorted(counters(session)[0]) == sorted((o.id, 1) for o in multi.options[:2])


def test_a_pass_keeps_batches_in_flight_and_settles_what_came_back(session: Session) -> None:
    """Two batches on their way at once; a failure still settles the batches acknowledged."""
    from kiosk.sync.node import send_pass

    sent = queue_votes(session, 10)
    seen: list[list[str]] = []
    lock = threading.Lock()

    unsent: list[object] = []

    def central(
        items: list[dict[str, object]], status: dict[str, object]
    ) -> list[dict[str, object]]:
        with lock:
            seen.append([str(i["uuid"]) for i in items])
            unsent.append(status["unsent"])
        if str(items[0]["uuid"]) == sent[6]:  # the third batch of three
            raise SyncError("reset by peer")
        return [{"uuid": i["uuid"], "status": "stored"} for i in items]

    with pytest.raises(SyncError):
        send_pass(session, central, batch_size=3, in_flight=2)
    # The fourth batch was on its way when the third failed: it is settled too.
    assert sorted(u for batch in seen for u in batch) == sorted(sent)  # none twice
    assert len(outbox(session)) == 3  # only the failed batch stays
    assert sorted(unsent, key=str) == sorted([10, 10, 7, 4], key=str)  # as it stood at sending
    with pytest.raises(SyncError):
        send_pass(session, central, batch_size=3, in_flight=2)
    assert len(outbox(session)) == 3
    seen.clear()

    def healed(items: list[dict[str, object]], _status: object) -> list[dict[str, object]]:
        seen.append([str(i["uuid"]) for i in items])
        return [{"uuid": i["uuid"], "status": "duplicate"} for i in items]

    report = send_pass(session, healed, batch_size=3, in_flight=2)
    assert (report.sent, report.acknowledged, report.remaining) == (3, 3, 0)
    assert [u for batch in seen for u in batch] == sent[6:9]


def test_answered_at_is_the_nodes_time_corrected_by_its_clock_offset() -> None:
    from kiosk.sync.ingest import estimate_answered_at

    now = dt.datetime(2026, 6, 3, 12, 0, tzinfo=dt.UTC)
    hour, minute = dt.timedelta(hours=1), dt.timedelta(minutes=1)
    at = now - 2 * hour
    assert estimate_answered_at(None, clock_offset=None, now=now) == now
    assert estimate_answered_at(at, clock_offset=None, now=now) == at
    assert estimate_answered_at(at, clock_offset=minute, now=now) == at  # within tolerance
    assert estimate_answered_at(at, clock_offset=hour, now=now) == at - hour
    assert estimate_answered_at(at, clock_offset=-hour, now=now) == at + hour
    # Never newer than its arrival, whatever the node's clock says.
    assert estimate_answered_at(now + hour, clock_offset=None, now=now) == now
    assert estimate_answered_at(at, clock_offset=-10 * hour, now=now) == now
    # A clock thousands of years off is out of bounds, not an error.
    far = dt.timedelta(days=3_000_000)
    assert estimate_answered_at(now, clock_offset=-far, now=now) == now
    year_one = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
    assert estimate_answered_at(year_one, clock_offset=far, now=now).year == 1


def test_a_node_clock_a_year_behind_does_not_lose_its_answers(
    app: Flask, client: FlaskClient, token: str
) -> None:
    """A Pi without a battery clock that thinks it is a year earlier, before the campaign
    started: its answers count, at the time they were really given."""
    with app.app_context():
        campaign, _, _ = demo(db.session())
        row = db.session().get(Campaign, campaign.id)
        row.starts_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
        db.session().commit()
    single = question(campaign, QuestionKind.SINGLE)
    year = dt.timedelta(days=365)
    node_now = dt.datetime.now(dt.UTC) - year
    given = node_now - dt.timedelta(hours=3)  # three hours ago, by the node's clock
    batch = [item(single.id, [single.options[0].id], answered_at=given.isoformat())]
    auth = {"Authorization": f"Bearer {token}"}
    alone = client.post("/api/v1/responses", json={"responses": batch}, headers=auth)
    assert alone.get_json()["results"][0]["status"] == "rejected"  # no clock: before the start
    batch = [item(single.id, [single.options[0].id], answered_at=given.isoformat())]
    body = {"responses": batch, "node": {"clock": node_now.isoformat()}}
    assert (
        client.post("/api/v1/responses", json=body, headers=auth).get_json()["results"][0]["status"]
        == "stored"
    )
    with app.app_context():
        stored = (
            db.session()
            .scalars(select(Response).where(Response.uuid == uuid.UUID(batch[0]["uuid"])))
            .one()
        )
        assert stored.client_at == given  # what the node said, kept
        truth = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
        assert abs(stored.answered_at - truth) < dt.timedelta(minutes=1)


def test_a_sync_loop_refreshes_before_every_pass(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    """`kiosk sync --forever` pulls central's configuration on every round, not only once."""
    queue_votes(session, 2)
    calls: list[str] = []

    class Enough(Exception):
        pass

    def idle(_seconds: float) -> None:
        if calls.count("refresh") >= 3:
            raise Enough

    def central(items: list[dict[str, object]], _status: object) -> list[dict[str, object]]:
        calls.append("send")
        return [{"uuid": i["uuid"], "status": "stored"} for i in items]

    with pytest.raises(Enough):
        sync(
            sessions,
            central,
            forever=True,
            sleep=idle,
            before_pass=lambda: calls.append("refresh"),
            log=lambda _: None,
        )
    assert calls == ["refresh", "send", "refresh", "refresh"]


def test_enrolment_codes_never_look_like_a_command_line_option() -> None:
    from unittest import mock

    from kiosk.sync.devices import enrolment_code

    # The first code drawn starts with "-" (as 1 in 64 do): another one is drawn.
    with mock.patch("secrets.token_urlsafe", side_effect=["-Ffw8ic5SOlmEuC6vnxexg", "Abc"]):
        assert enrolment_code() == "Abc"
    assert not any(enrolment_code().startswith("-") for _ in range(2000))


def test_a_redacted_or_anonymised_answer_resent_stays_as_it_is(
    session: Session, device: Device
) -> None:
    """A lost acknowledgement or a batch file imported twice: the text must not come back."""
    from kiosk.safety.moderation import WishAction, moderate
    from kiosk.safety.retention import apply_retention

    campaign, _, _ = demo(session)
    wish = item(question(campaign, QuestionKind.WISH).id, [], text="Ruf an: 0176 1234567")
    ingest(session, load_catalog(session), device, [wish], wish_max_chars=280)
    session.commit()
    stored = session.scalars(select(Response).where(Response.text.is_not(None))).one()
    moderate(session, [stored.id], WishAction.REDACT, actor=COMMAND_LINE)
    session.commit()
    again = ingest(session, load_catalog(session), device, [wish], wish_max_chars=280)
    assert [v.status for v in again] == ["duplicate"]
    # Years later, after retention took the visit number too.
    apply_retention(session, days=1, now=utcnow() + dt.timedelta(days=800), actor=COMMAND_LINE)
    session.commit()
    later = ingest(session, load_catalog(session), device, [wish], wish_max_chars=280)
    assert [v.status for v in later] == ["duplicate"]
    session.commit()
    assert session.scalars(select(RejectedResponse)).all() == []
    session.expire_all()
    assert session.get(Response, stored.id).text == ""  # type: ignore[union-attr]
    # Other content under the same UUID is still a conflict.
    changed = ingest(session, load_catalog(session), device, [wish | {"question_id": 99999}],
                     wish_max_chars=280)  # fmt: skip
    assert [v.status for v in changed] != ["duplicate"]


def test_a_node_shows_the_campaign_central_pinned_and_an_older_central_pins_nothing(
    session: Session, tmp_path: Path
) -> None:
    from kiosk.cli import upgrade_database
    from kiosk.models import Location
    from kiosk.models.engine import make_engine
    from kiosk.setup.campaign_templates import TEMPLATES
    from kiosk.setup.campaigns import pin_campaign
    from kiosk.sync.configuration import apply_config, config_document

    now = utcnow()
    werkstadt = session.scalars(select(Campaign)).one()
    square = session.scalars(select(Location).where(Location.code == "ehp")).one()
    climate = Campaign(
        title="Klimastation 1",
        starts_at=now - dt.timedelta(days=1),
        locations=[square],
        questions=TEMPLATES["climate-walk"].build_questions("Jena Nord"),
    )
    session.add(climate)
    session.flush()
    pin_campaign(session, square.id, str(werkstadt.id), actor=COMMAND_LINE)
    session.commit()
    document = config_document(session, places={square.id})  # a kiosk's: its place only
    (described,) = document["locations"]
    assert described["pinned_campaign_id"] == werkstadt.id

    url = f"sqlite:///{tmp_path / 'node.sqlite3'}"
    upgrade_database(url)
    node_engine = make_engine(url)
    with Session(node_engine) as node:
        apply_config(node, document)
        node.commit()
        catalog = load_catalog(node)
        assert catalog.running_campaign(catalog.locations["ehp"], now).id == werkstadt.id
        mirrored = config_document(node)
        assert mirrored["locations"] == document["locations"]  # the pin went down as it is
        revision = catalog.revision

    # Central unpins: the node follows (and its workers reload), the newest shows there too.
    pin_campaign(session, square.id, "", actor=COMMAND_LINE)
    session.commit()
    with Session(node_engine) as node:
        apply_config(node, config_document(session, places={square.id}))
        node.commit()
        catalog = load_catalog(node)
        assert catalog.revision > revision
        assert catalog.locations["ehp"].pinned_campaign_id is None
        assert catalog.running_campaign(catalog.locations["ehp"], now).id == climate.id

    # A node pinned, then a central from before pins: its document names none, so none holds.
    pin_campaign(session, square.id, str(werkstadt.id), actor=COMMAND_LINE)
    session.commit()
    with Session(node_engine) as node:
        apply_config(node, config_document(session, places={square.id}))
        node.commit()
        older = config_document(session, places={square.id})
        for place in older["locations"]:
            del place["pinned_campaign_id"]
        apply_config(node, older)
        node.commit()
        catalog = load_catalog(node)
        assert catalog.locations["ehp"].pinned_campaign_id is None
        assert catalog.running_campaign(catalog.locations["ehp"], now).id == climate.id
    node_engine.dispose()

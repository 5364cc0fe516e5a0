"""Every command-line change is in the audit log, marked as made on the command line."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from kiosk.cli import upgrade_database
from kiosk.collect.answers import record_answer
from kiosk.models import AuditEntry, Device, Location, QuestionKind
from kiosk.sync.node import BATCH_FILE_FORMAT
from kiosk.web import create_app, db
from tests.helpers import demo, pick, question


def _entries(app: Flask) -> list[tuple[str, dict[str, Any], int | None]]:
    with app.app_context():
        rows = db.session().scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(entry.action, entry.detail, entry.user_id) for entry in rows]


def _invoke(app: Flask, *args: str, input: str | None = None) -> str:
    result = app.test_cli_runner().invoke(args=list(args), input=input)
    assert result.exit_code == 0, result.output
    return result.output


def _last(app: Flask, action: str) -> dict[str, Any]:
    found = [(detail, user) for name, detail, user in _entries(app) if name == action]
    assert found, f"no {action} in {_entries(app)}"
    detail, user = found[-1]
    assert user is None and detail["via"] == "command line"
    return detail


def _device_id(app: Flask) -> int:
    with app.app_context():
        return db.session().scalars(select(Device.id).order_by(Device.id.desc())).first() or 0


def test_create_user_is_audited(app: Flask, staff_client: FlaskClient) -> None:
    _invoke(app, "create-user", "--email", "cli@example.org", "--role", "editor",
            "--password", "lang-genug-geheim")  # fmt: skip
    assert _last(app, "user-add")["role"] == "editor"
    log = staff_client.get("/staff/people/audit").text
    assert "(Kommandozeile)" in log  # who: the command line, in words
    log = staff_client.get("/staff/people/audit?lang=en").text
    assert "(command line)" in log and "as Editor (campaigns, places, kiosks)" in log


def test_device_add_revoke_and_reenrol_are_audited(app: Flask) -> None:
    _invoke(app, "device-add", "--name", "Pi am Platz", "--location", "ehp")
    device_id = _device_id(app)
    assert _last(app, "kiosk-register") == {"via": "command line", "device": device_id}
    _invoke(app, "device-revoke", str(device_id))
    assert _last(app, "kiosk-revoke")["device"] == device_id
    _invoke(app, "device-reenrol", str(device_id))
    assert _last(app, "kiosk-reenrol")["device"] == device_id


def test_import_batch_is_audited_with_its_counts(app: Flask, tmp_path: Path) -> None:
    _invoke(app, "device-add", "--name", "Pi", "--location", "ehp")
    with app.app_context():
        catalog = db.catalog()
        place = db.session().scalars(select(Location).where(Location.code == "ehp")).one()
        campaign = catalog.campaigns[catalog.locations["ehp"].campaign_ids[0]]
        question = next(q for q in campaign.questions if q.options)
        item = {
            "uuid": str(uuid.uuid4()),
            "location": place.code,
            "question": question.id,
            "options": [question.options[0].id],
            "channel": "kiosk",
        }
    batch = tmp_path / "outbox.json"
    document = {"format": BATCH_FILE_FORMAT, "device_id": _device_id(app), "responses": [item]}
    batch.write_text(json.dumps(document))
    _invoke(app, "import-batch", str(batch))
    detail = _last(app, "kiosk-import")
    assert detail["device"] == _device_id(app)
    assert detail["stored"] + detail["rejected"] == 1


def test_load_demo_is_audited_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    upgrade_database(url)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret"})
    _invoke(app, "load-demo")
    _invoke(app, "load-demo")  # there already: nothing changed, nothing noted
    actions = [name for name, _, _ in _entries(app)]
    assert actions.count("demo-load") == 1
    assert actions.count("user-add") == 1  # the demo's staff login
    _last(app, "demo-load")
    app.extensions["kiosk.engine"].dispose()


@pytest.mark.parametrize("dry_run", [False, True])
def test_retention_that_changes_answers_is_audited(app: Flask, dry_run: bool) -> None:
    with app.app_context():  # an answer of October 2025
        session = db.session()
        campaign, square, _ = demo(session)
        answer = pick(question(campaign, QuestionKind.SINGLE), 0)
        old = dt.datetime(2025, 10, 1, 15, 2, 1, tzinfo=dt.UTC)
        record_answer(
            session,
            answer,
            campaign=campaign,
            location_id=square.id,
            channel="kiosk",
            now=old,
            client_at=old,
        )
        session.commit()
    _invoke(app, "retention", "--days", "30", *(["--dry-run"] if dry_run else []))
    retention = [detail for name, detail, _ in _entries(app) if name == "retention"]
    if dry_run:
        assert retention == []  # nothing changed
    else:
        assert retention and retention[-1]["days"] == 30 and retention[-1]["anonymised"] > 0

"""The audit log reads as words with links: every action audit() is called with has words.

The action codes are read from the sources (every call of audit() in kiosk/), so a new
action without words fails here, before an admin ever sees its code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.access.permissions import Role
from kiosk.models import AuditEntry, Campaign, Location, Question, StaffUser
from kiosk.safety.moderation import WishAction
from kiosk.web import db
from kiosk.web.staff.people import ACTOR_WORDS, AUDIT_WORDS
from tests.helpers import login_as

KIOSK = Path(__file__).resolve().parent.parent / "kiosk"

# An action code made with an f-string: its shape ({} for each value) and every code it makes.
MADE_CODES = {"wishes-{}": [f"wishes-{action.value}" for action in WishAction]}


def _calls(name: str) -> list[tuple[Path, ast.Call]]:
    """Every call of a function of this name (plain or as an attribute) in kiosk/."""
    found = []
    for path in sorted(KIOSK.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if called == name:
                    found.append((path, node))
    return found


def audited_actions() -> set[str]:
    """Every action code audit(session, actor, code, ...) is called with anywhere in kiosk/."""
    codes: set[str] = set()
    for path, call in _calls("audit"):
        where = f"{path.relative_to(KIOSK.parent)}:{call.lineno}"
        assert len(call.args) >= 3, f"{where}: audit() without an action?"
        action = call.args[2]
        if isinstance(action, ast.Constant) and isinstance(action.value, str):
            codes.add(action.value)
        elif isinstance(action, ast.JoinedStr):
            shape = "".join(
                part.value if isinstance(part, ast.Constant) else "{}" for part in action.values
            )
            assert shape in MADE_CODES, (
                f"{where}: an action made as f{shape!r}: list the codes it makes in MADE_CODES"
            )
            codes.update(MADE_CODES[shape])
        else:
            raise AssertionError(f"{where}: audit() with an action that is not written out")
    return codes


def actor_doors() -> set[str]:
    """Every door an Actor is made with (Actor(..., via="...")) anywhere in kiosk/."""
    doors = set()
    for _path, call in _calls("Actor"):
        for keyword in call.keywords:
            if keyword.arg == "via" and isinstance(keyword.value, ast.Constant):
                doors.add(str(keyword.value.value))
    return doors - {"web"}  # a staff member in the browser: named by their name


def test_the_sources_are_read_whole() -> None:
    """The reading above finds what is there (so the next test cannot pass on nothing)."""
    codes = audited_actions()
    assert {"campaign-save", "export", "login", "wishes-approve", "kiosk-import"} <= codes
    assert len(codes) >= 30
    assert actor_doors() >= {"command line"}


def test_every_audited_action_and_every_door_has_words() -> None:
    missing = sorted(audited_actions() - set(AUDIT_WORDS))
    assert not missing, f"actions audited without words in kiosk/web/staff/people.py: {missing}"
    doors = sorted(actor_doors() - set(ACTOR_WORDS))
    assert not doors, f"actors without words in kiosk/web/staff/people.py: {doors}"


# Each action with a detail shaped as its audit() call writes it ({...} filled in per test).
SAMPLES: dict[str, dict[str, object]] = {
    "login": {},
    "logout-everywhere": {"member": "{member}"},
    "user-add": {"member": "{member}", "role": "moderator"},
    "user-change": {"member": "{member}", "role": "viewer", "active": False, "areas": ["{area}"]},
    "export": {"scope": "campaign", "id": "{campaign}", "what": "raw", "format": "csv"},
    "retention": {
        "via": "command line",
        "days": 365,
        "anonymised": 12,
        "wishes_blanked": 3,
        "kept_aside_deleted": 1,
    },
    "paper-enter": {"sheet": 7, "place": "{place}"},
    "paper-withdraw": {"sheet": 7, "place": "{place}"},
    "kiosk-register": {"device": 999001},
    "kiosk-reenrol": {"device": 999001},
    "kiosk-revoke": {"device": 999001},
    "kiosk-places": {"device": 999001, "added": ["{place}"], "removed": []},
    "kiosk-import": {
        "device": 999001,
        "stored": 5,
        "duplicate": 1,
        "aside": 0,
        "conflict": 0,
        "rejected": 2,
    },
    "kiosk-release": {
        "device": 999001,
        "location": "{place}",
        "stored": 4,
        "duplicate": 0,
        "conflict": 0,
        "rejected": 0,
    },
    "kiosk-reject": {"device": 999001, "location": "{place}", "count": 3},
    "poster-logo": {"campaign": "{campaign}", "bytes": 1234},
    "poster-logo-remove": {"campaign": "{campaign}"},
    "question-save": {"question": "{question}"},
    "question-add": {"question": "{question}", "campaign": "{campaign}"},
    "question-move": {"question": "{question}", "step": -1},
    "question-results-shown": {"question": "{question}", "value": "after_close"},
    "question-station": {"question": "{question}", "location": "{place}"},
    "station-move": {"campaign": "{campaign}", "location": "{place}", "step": 1},
    "station-note": {"campaign": "{campaign}", "location": "{place}"},
    "campaign-create": {"campaign": "{campaign}", "template": "climate_walk"},
    "campaign-save": {"campaign": "{campaign}"},
    "campaign-copy": {"campaign": "{campaign}", "original": "{campaign}"},
    "campaign-translate": {"campaign": "{campaign}", "language": "ar"},
    "demo-load": {"area": "{area}", "campaign": "{campaign}"},
    "drawing-add": {"drawing": 7, "campaign": "{campaign}", "place": "{place}"},
    "drawing-approve": {"drawing": 7},
    "drawing-reject": {"drawing": 7, "reason": "face_or_name"},
    "area-save": {"area": "{area}", "name": "Jena Nord"},
    "place-save": {"place": "{place}", "code": "ehp"},
    "place-pin": {"place": "{place}", "campaign": "{campaign}"},
    **{code: {"wishes": [1, 2, 3], "changed": 2} for code in MADE_CODES["wishes-{}"]},
}


def test_every_action_with_words_has_a_sample_here() -> None:
    """So that the next test renders each of them (a new action: add its detail above)."""
    assert sorted(SAMPLES) == sorted(AUDIT_WORDS)


def _ids(session: Session) -> dict[str, int]:
    return {
        "place": session.scalars(select(Location.id).where(Location.code == "ehp")).one(),
        "campaign": session.scalars(select(Campaign.id)).first() or 0,
        "question": session.scalars(select(Question.id).order_by(Question.id)).first() or 0,
        "area": session.scalars(select(Location.area_id)).first() or 0,
        "member": session.scalars(select(StaffUser.id).order_by(StaffUser.id)).first() or 0,
    }


def _filled(value: object, ids: dict[str, int]) -> object:
    if isinstance(value, list):
        return [_filled(item, ids) for item in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


def _write(app: Flask, entries: list[tuple[str, dict[str, object]]]) -> dict[str, int]:
    with app.app_context():
        session = db.session()
        ids = _ids(session)
        for action, detail in entries:
            filled = {key: _filled(value, ids) for key, value in detail.items()}
            session.add(AuditEntry(user_id=ids["member"], action=action, detail=filled))
        session.commit()
        return ids


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_action_reads_as_words_with_links(app: Flask, lang: str) -> None:
    ids = _write(app, list(SAMPLES.items()))
    admin = login_as(app, Role.ADMIN)
    page = admin.get(f"/staff/people/audit?lang={lang}")
    assert page.status_code == 200
    log = page.text
    assert "<code>" not in log  # no action shown as its code: all in words
    for action in SAMPLES:
        assert f">{action}<" not in log and f"{action}=" not in log
    # What is named is linked, under its name as it is now.
    assert f'<a href="/staff/setup/places/{ids["place"]}"><bdi>Emil-Höllein-Platz</bdi></a>' in log
    assert f'<a href="/staff/setup/campaigns/{ids["campaign"]}"><bdi>WerkStadt' in log
    assert f'<a href="/staff/setup/questions/{ids["question"]}"><bdi>' in log
    assert f'<a href="/staff/area/{ids["area"]}"><bdi>' in log
    assert f'<a href="/staff/people/#member-{ids["member"]}"><bdi>' in log
    assert "<bdi>العربية</bdi>" in log  # the language translated into, by its own name
    if lang == "en":  # the German words come with the catalogue (strings file of issue 20)
        assert "Downloaded all answers of" in log and "(CSV)" in log
        assert "kiosk no. 999001 (no longer there)" in log  # a kiosk that does not exist
        assert "Approved wishes: 2 changed of 3 chosen" in log
        assert "Moved the question" in log and " up" in log
        assert "(command line)" in log


def test_unknown_and_odd_entries_still_read_sensibly(app: Flask) -> None:
    _write(
        app,
        [
            ("something-old", {"thing": 3, "note": "<b>bold</b>"}),
            ("campaign-save", {"campaign": 999_999}),  # since deleted
            ("campaign-save", {"campaign": "not a number"}),  # another shape
            ("place-save", {}),  # an entry from before places were named in it
            ("user-add", {"member": 1, "role": "boss"}),  # a role that is no more
            ("export", {"scope": "street", "id": 1, "what": "tally", "format": "xml"}),
        ],
    )
    admin = login_as(app, Role.ADMIN)
    log = admin.get("/staff/people/audit?lang=en").text
    assert "<code>something-old</code> (thing=3, note=&lt;b&gt;bold&lt;/b&gt;)" in log
    assert "Saved the campaign campaign no. 999999 (no longer there)" in log
    assert "Saved the campaign (none)" in log
    assert "Saved the place (none)" in log
    assert "as boss" in log
    assert "Downloaded the tally of" in log and "(XML)" in log


def test_hostile_names_in_the_log_stay_text(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        place = session.scalars(select(Location).where(Location.code == "ehp")).one()
        place.name = '<script>alert(1)</script> & "Platz"'
        session.commit()
    _write(app, [("place-save", {"place": "{place}", "code": "ehp"})])
    admin = login_as(app, Role.ADMIN)
    log = admin.get("/staff/people/audit?lang=en").text
    assert "<script>alert(1)" not in log
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Platz&#34;" in log


def test_what_staff_do_reads_as_words_in_the_log(app: Flask, staff_client: FlaskClient) -> None:
    """Real actions through the pages end up in the log as sentences, the actor by name."""
    admin = login_as(app, Role.ADMIN)
    added = admin.post(
        "/staff/people/",
        data={"email": "mia@example.org", "name": "Mia", "role": "moderator", "password": "x" * 12},
    )
    assert added.status_code == 303
    with app.app_context():
        place = db.session().scalars(select(Location.id).where(Location.code == "ehp")).one()
    assert staff_client.get(f"/staff/location/{place}/tally.xlsx").status_code == 200
    log = admin.get("/staff/people/audit?lang=en").text
    assert "Added <a href=" in log and "<bdi>Mia</bdi></a> as Moderator (wishes)" in log
    assert "Downloaded the tally of <a" in log and "Emil-Höllein-Platz</bdi></a> (XLSX)" in log
    assert "Logged in" in log

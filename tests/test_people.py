"""Admins add staff, change roles and access, and read the audit log; nobody locks all out."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.access.accounts import AccountError, change_user, create_user
from kiosk.access.permissions import Role
from kiosk.models import COMMAND_LINE, Actor, StaffUser
from kiosk.web import db
from tests.helpers import PASSWORD, login_as


def user_id(app: Flask, email: str) -> int:
    with app.app_context():
        found = db.session().scalar(select(StaffUser.id).where(StaffUser.email == email))
    assert found is not None
    return found


def test_an_admin_adds_a_moderator_who_can_then_moderate(app: Flask) -> None:
    admin = login_as(app, Role.ADMIN)
    added = admin.post(
        "/staff/people/",
        data={"email": "Mia@Example.org", "name": "Mia", "role": "moderator", "password": PASSWORD},
    )
    assert added.status_code == 303
    mia = app.test_client()
    mia.post("/staff/login", data={"email": "mia@example.org", "password": PASSWORD})
    assert mia.get("/staff/wishes/").status_code == 200
    assert mia.get("/staff/people/").status_code == 403  # not an admin
    log = admin.get("/staff/people/audit?lang=en").text
    assert "<bdi>Mia</bdi></a> as Moderator (wishes)" in log  # in words (tests/test_audit_words.py)
    assert "Logged in" in log
    assert admin.get("/staff/people/audit?before=99999999999999999999").status_code == 200


def test_bad_people_forms_are_refused_readably(app: Flask) -> None:
    admin = login_as(app, Role.ADMIN)
    for data, message in [
        ({"email": "no-at-sign", "password": PASSWORD}, "gültige E-Mail-Adresse"),
        ({"email": "a@example.org", "password": "short"}, "mindestens 10 Zeichen"),
        ({"email": "a@example.org", "password": PASSWORD, "role": "boss"}, "Unbekannte Rolle"),
        ({"email": "x y@example.org", "password": PASSWORD}, "gültige E-Mail-Adresse"),
        ({"email": "a@example.org", "password": PASSWORD, "name": "n" * 250}, "höchstens 200"),
        ({"email": "admin@example.org", "password": PASSWORD}, "Es gibt schon ein Konto"),
    ]:
        answer = admin.post("/staff/people/", data={"role": "viewer", **data})
        assert answer.status_code == 422, data
        assert message in answer.text, data


def test_access_ends_at_once_and_there_is_always_an_admin(app: Flask) -> None:
    admin = login_as(app, Role.ADMIN)
    viewer = login_as(app, Role.VIEWER)
    assert viewer.get("/staff/").status_code == 200
    viewer_id = user_id(app, "viewer@example.org")
    assert admin.post(f"/staff/people/{viewer_id}", data={"role": "viewer"}).status_code == 303
    assert viewer.get("/staff/").status_code == 302  # no access: logged out at once
    assert (
        viewer.post(
            "/staff/login", data={"email": "viewer@example.org", "password": PASSWORD}
        ).status_code
        == 422
    )

    me = user_id(app, "admin@example.org")
    refused = admin.post(f"/staff/people/{me}", data={"role": "viewer", "active": "yes"})
    assert refused.status_code == 422 and "Ihre eigene Rolle" in refused.text
    assert admin.post(f"/staff/people/{viewer_id}", data={"role": "boss"}).status_code == 422
    assert admin.post("/staff/people/999999", data={"role": "viewer"}).status_code == 404


def test_the_last_active_admin_stays(session: Session) -> None:
    demo_admin = session.scalars(select(StaffUser)).one()
    editor = create_user(
        session,
        email="e@example.org",
        name="E",
        password=PASSWORD,
        role=Role.EDITOR,
        actor=COMMAND_LINE,
    )
    with pytest.raises(AccountError, match="one active admin"):
        change_user(session, demo_admin.id, role="viewer", active=True, actor=Actor(editor.id))
    with pytest.raises(AccountError, match="one active admin"):
        change_user(session, demo_admin.id, role="admin", active=False, actor=Actor(editor.id))
    second = create_user(
        session,
        email="a2@example.org",
        name="A2",
        password=PASSWORD,
        role=Role.ADMIN,
        actor=COMMAND_LINE,
    )
    change_user(session, demo_admin.id, role="viewer", active=True, actor=Actor(second.id))
    assert demo_admin.role == "viewer"

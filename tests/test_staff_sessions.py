"""Staff logins: throttled by address (no address or IP kept), sessions that end, fixation."""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from kiosk.access.accounts import LOGIN_FAILURES_ALLOWED
from kiosk.models import AuditEntry, LoginFailure, StaffUser
from kiosk.setup.demo import DEMO_EMAIL, DEMO_PASSWORD
from kiosk.web import db


def log_in(client: FlaskClient, password: str = DEMO_PASSWORD, email: str = DEMO_EMAIL) -> int:
    return client.post("/staff/login", data={"email": email, "password": password}).status_code


def test_logins_are_throttled_per_address_and_keep_no_address(app: Flask) -> None:
    client = app.test_client()
    for _ in range(LOGIN_FAILURES_ALLOWED):
        assert log_in(client, "wrong password") == 422
    throttled = client.post("/staff/login", data={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert throttled.status_code == 429  # even the right password waits now
    assert "Zu viele fehlgeschlagene Anmeldungen" in throttled.text
    assert log_in(app.test_client(), "wrong", "someone.else@example.org") == 422  # not throttled
    with app.app_context():
        keys = db.session().scalars(select(LoginFailure.key)).all()
        assert len(keys) == LOGIN_FAILURES_ALLOWED + 2  # and the refused one, and the other
        assert all(len(k) == 64 and "@" not in k and "example" not in k for k in keys)
        earlier = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16)
        db.session().execute(update(LoginFailure).values(at=earlier))  # the window has passed
        db.session().commit()
    assert log_in(client) == 302
    with app.app_context():  # the old ones are forgotten, and so are those of a login that worked
        assert db.session().scalars(select(LoginFailure.key)).all() == []


def test_a_login_starts_a_fresh_session_but_keeps_the_language(app: Flask) -> None:
    client = app.test_client()
    client.get("/staff/login?lang=en")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    assert log_in(client) == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["lang"] == "en"


def test_a_staff_session_ends_when_idle_and_after_a_working_day(app: Flask) -> None:
    client = app.test_client()
    assert log_in(client) == 302
    assert client.get("/staff/").status_code == 200
    with client.session_transaction() as session:
        session["staff_seen"] = time.time() - 61 * 60
    ended = client.get("/staff/kiosks/")
    assert ended.status_code == 302
    assert ended.headers["Location"] == "/staff/login?next=/staff/kiosks/"
    assert "Ihre Sitzung ist abgelaufen" in client.get(ended.headers["Location"]).text
    assert client.get("/staff/").status_code == 302  # logged out, not just sent away once

    # Every page under /staff/ counts, the posters' too.
    for idle_on in ("/staff/location/1/poster", "/staff/campaign/1/posters"):
        assert log_in(client) == 302
        with client.session_transaction() as session:
            session["staff_seen"] = time.time() - 61 * 60
        assert client.get(idle_on).headers["Location"].startswith("/staff/login"), idle_on
        assert client.get("/staff/").status_code == 302, idle_on

    assert log_in(client) == 302
    with client.session_transaction() as session:
        session["staff_since"] = time.time() - 13 * 3600  # busy all along, but too long
    assert client.get("/staff/").status_code == 302


def test_log_out_everywhere_ends_the_other_browsers_sessions(app: Flask) -> None:
    office, home = app.test_client(), app.test_client()
    assert log_in(office) == 302 and log_in(home) == 302
    assert home.get("/staff/").status_code == 200
    assert office.post("/staff/logout-everywhere").status_code == 302
    assert home.get("/staff/").status_code == 302
    assert office.get("/staff/").status_code == 302
    assert log_in(home) == 302  # a new login works again
    assert home.get("/staff/").status_code == 200
    with app.app_context():
        actions = db.session().scalars(select(AuditEntry.action)).all()
        assert "logout-everywhere" in actions
        epoch = db.session().scalar(select(StaffUser.session_epoch))
        assert epoch == 1


def test_a_forged_session_id_is_no_login(app: Flask) -> None:
    client = app.test_client()
    for forged in ["1", "1.x", "x.0", "1.0.0", "9" * 50 + ".0", "", "².0", "1.²"]:
        with client.session_transaction() as session:
            session["_user_id"] = forged
            session["staff_seen"] = session["staff_since"] = time.time()
        assert client.get("/staff/").status_code == 302, forged


def test_many_logins_at_once_get_no_more_guesses(committed_app: Flask) -> None:
    """Attempts are counted before the password is checked: concurrency buys no guesses."""
    app = committed_app  # eight logins at once, each in a transaction of its own

    def attempt(_: int) -> int:
        return log_in(app.test_client(), "wrong password")

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(attempt, range(20)))
    checked = statuses.count(422)
    assert checked <= LOGIN_FAILURES_ALLOWED and statuses.count(429) == 20 - checked


def test_a_login_form_sent_again_while_logged_in_is_no_failed_attempt(
    staff_client: FlaskClient, app: Flask
) -> None:
    """A second tab still showing the form, or a resend: not counted, nobody locked out."""
    form = {"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
    for _ in range(LOGIN_FAILURES_ALLOWED + 2):
        assert staff_client.post("/staff/login", data=form).status_code == 302
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(LoginFailure)) == 0
    fresh = app.test_client()
    assert fresh.post("/staff/login", data=form).status_code == 302

"""Staff logins: throttled by e-mail (no address or IP kept), sessions that end, fixation.

More on the throttle, per e-mail and network: tests/test_login_throttle.py.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kiosk.access.accounts import (
    LOGIN_FAILURES_ALLOWED,
    end_session,
    logged_in,
    login_attempt,
    session_user,
)
from kiosk.models import AuditEntry, EndedSession, LoginFailure, StaffUser, utcnow
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
        assert len(keys) == LOGIN_FAILURES_ALLOWED + 1  # and the other; the refused one is no guess
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
    hexes = "0123456789abcdef" * 2
    forged_ids = ["1", "1.x", "x.0", "1.0.0", "9" * 50 + ".0", "", "².0", "1.²", "1.0"]
    forged_ids += [f"1.0.{hexes[:-1]}", f"1.0.{hexes.upper()}", f"١.0.{hexes}", f"1.0.{hexes}.0"]
    for forged in forged_ids:
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


def test_a_logout_ends_that_session_for_a_copied_cookie_too(
    make_app: Callable[..., Flask],
) -> None:
    """A session cookie copied before the logout opens nothing after it, on any instance."""
    first, second = make_app(), make_app()  # two instances over one database
    browser = first.test_client()
    assert log_in(browser) == 302
    cookie = browser.get_cookie("session")
    assert cookie is not None
    copy = second.test_client()
    copy.set_cookie("session", cookie.value)
    assert copy.get("/staff/").status_code == 200  # the copy works while the session lasts
    assert browser.post("/staff/logout").status_code == 302
    ended = copy.get("/staff/")
    assert ended.status_code == 302 and ended.headers["Location"].startswith("/staff/login")
    assert log_in(browser) == 302 and browser.get("/staff/").status_code == 200  # a new login


def test_a_session_ended_by_idleness_ends_for_a_busy_copy_too(app: Flask) -> None:
    browser = app.test_client()
    assert log_in(browser) == 302
    cookie = browser.get_cookie("session")
    assert cookie is not None
    copy = app.test_client()
    copy.set_cookie("session", cookie.value)
    with browser.session_transaction() as session:
        session["staff_seen"] = time.time() - 61 * 60
    assert browser.get("/staff/").status_code == 302
    assert copy.get("/staff/").status_code == 302  # kept busy, but the same session


def test_an_ended_session_is_refused_and_kept_until_it_would_have_ended(session: Session) -> None:
    user = session.scalars(select(StaffUser).where(StaffUser.email == DEMO_EMAIL)).one()
    attempt = login_attempt(DEMO_EMAIL, "192.0.2.1", b"secret")
    logged_in(session, user, attempt)
    session_id = user.get_id()
    assert session_user(session, session_id) is user
    now = utcnow()
    end_session(session, user.login_session, until=now + dt.timedelta(hours=1))
    end_session(session, user.login_session, until=now + dt.timedelta(hours=1))  # twice: once
    assert session_user(session, session_id) is None
    logged_in(session, user, attempt, now)
    assert session_user(session, user.get_id()) is user  # a new login, a new session
    assert session.scalar(select(func.count()).select_from(EndedSession)) == 1
    logged_in(session, user, attempt, now + dt.timedelta(hours=2))  # past its end: forgotten
    assert session.scalar(select(func.count()).select_from(EndedSession)) == 0

"""Failed staff logins are throttled per e-mail and network: nobody locks another person out.

A failure is kept for the window under keyed hashes (the e-mail; the e-mail with the
network), never an address; the owner of the e-mail hears at the next login what failed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.access.accounts import (
    FAILURES_TOLD,
    LOGIN_FAILURES_ALLOWED,
    LOGIN_FAILURES_CEILING,
    LOGIN_WINDOW,
    FailedLogins,
    count_failed_login,
    forget_refused,
    logged_in,
    login_attempt,
    login_refused,
    note_login_failure,
)
from kiosk.models import LoginFailure, LoginFailureCount, StaffUser, utcnow
from kiosk.setup.demo import DEMO_EMAIL, DEMO_PASSWORD
from kiosk.web import db

ATTACKER, PERSON = "198.51.100.7", "203.0.113.5"
SECRET = b"test-secret"
NOTICE = "Since your last login, there were failed attempts to log in with your e-mail address."


def browser(app: Flask, address: str) -> FlaskClient:
    """A test client whose requests come from this address, its pages in English."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    client.get("/staff/login?lang=en")
    return client


def log_in(client: FlaskClient, password: str = DEMO_PASSWORD, email: str = DEMO_EMAIL) -> int:
    return client.post("/staff/login", data={"email": email, "password": password}).status_code


# --- The domain: keys, counts, and what is refused -------------------------------------------


def test_an_attempt_is_known_by_keyed_hashes_of_the_e_mail_and_its_network() -> None:
    attempt = login_attempt(" Demo@Example.org ", "2001:db8:1:2::5", SECRET)
    assert attempt == login_attempt("demo@example.org", "2001:db8:1:2:ffff::9", SECRET)  # a /64
    assert attempt.key == login_attempt("demo@example.org", ATTACKER, SECRET).key
    assert attempt.network != login_attempt("demo@example.org", "2001:db8:1:3::5", SECRET).network
    # The same network with another e-mail: its rows do not link to this one's.
    assert attempt.network != login_attempt("other@example.org", "2001:db8:1:2::5", SECRET).network
    assert attempt != login_attempt("demo@example.org", "2001:db8:1:2::5", b"another secret")
    assert len(attempt.key) == 64 and len(attempt.network) == 32
    assert "2001" not in attempt.network and "example" not in attempt.key


def fail(session: Session, address: str, times: int, now: dt.datetime) -> list[bool]:
    """Note this many failed attempts from an address; whether each was refused."""
    refused = []
    for _ in range(times):
        attempt = login_attempt(DEMO_EMAIL, address, SECRET)
        noted = note_login_failure(session, attempt, now)
        refused.append(login_refused(session, attempt, now))
        if refused[-1]:
            forget_refused(session, noted)  # as the login form does: no password was read
    return refused


def test_a_network_waits_after_its_own_failures_only(session: Session) -> None:
    now = utcnow()
    assert fail(session, ATTACKER, LOGIN_FAILURES_ALLOWED + 2, now) == [False] * 5 + [True] * 2
    assert fail(session, PERSON, 1, now) == [False]  # another network still gets in
    other = login_attempt("someone@example.org", ATTACKER, SECRET)
    note_login_failure(session, other, now)
    assert not login_refused(session, other, now)  # nor another e-mail from the same network
    later = now + LOGIN_WINDOW
    assert fail(session, ATTACKER, 1, later) == [False]  # the window has passed: forgotten
    assert session.scalar(select(func.count()).select_from(LoginFailure)) == 1


def test_past_the_ceiling_only_networks_that_failed_wait(session: Session) -> None:
    now = utcnow()
    networks = [f"198.51.100.{n}" for n in range(1, 6)]
    per_network = LOGIN_FAILURES_CEILING // len(networks)
    assert per_network < LOGIN_FAILURES_ALLOWED
    for address in networks:
        assert fail(session, address, per_network, now) == [False] * per_network
    assert fail(session, networks[0], 1, now) == [True]  # it failed before: it waits
    # A network without failures gets in, and a typo there is forgiven once.
    assert fail(session, PERSON, 2, now) == [False, False]
    assert fail(session, PERSON, 1, now) == [True]  # ... then it has failed too often
    for fresh in ("192.0.2.1", "2001:db8:9::1"):
        assert fail(session, fresh, 3, now) == [False, False, True]  # two guesses a network
    # Refused attempts are no guesses: they do not count, and never keep the total up.
    total = session.scalar(select(func.count()).select_from(LoginFailure))
    assert fail(session, networks[0], 5, now) == [True] * 5
    assert session.scalar(select(func.count()).select_from(LoginFailure)) == total


def test_failed_logins_are_told_at_the_next_login_and_then_forgotten(session: Session) -> None:
    user = session.scalars(select(StaffUser).where(StaffUser.email == DEMO_EMAIL)).one()
    now = utcnow()
    for address, times in ((ATTACKER, 3), ("2001:db8::1", 2), ("2001:db8::2", 1)):
        for _ in range(times):
            count_failed_login(session, login_attempt(DEMO_EMAIL, address, SECRET), DEMO_EMAIL, now)
    unknown = login_attempt("nobody@example.org", ATTACKER, SECRET)
    count_failed_login(session, unknown, "nobody@example.org", now)  # no account: nothing
    rows = session.scalars(select(LoginFailureCount)).all()
    assert sorted(row.count for row in rows) == [3, 3]  # one /64 is one network
    assert {row.staff_user_id for row in rows} == {user.id}
    assert all(len(row.network) == 32 and ":" not in row.network for row in rows)

    here = login_attempt(DEMO_EMAIL, PERSON, SECRET)
    assert logged_in(session, user, here, now) == FailedLogins(attempts=6, networks=2)
    assert len(user.login_session) == 32
    assert logged_in(session, user, here, now) == FailedLogins(attempts=0, networks=0)


def test_a_login_forgets_only_its_own_networks_failures(session: Session) -> None:
    user = session.scalars(select(StaffUser).where(StaffUser.email == DEMO_EMAIL)).one()
    now = utcnow()
    fail(session, ATTACKER, 3, now)
    fail(session, PERSON, 2, now)
    logged_in(session, user, login_attempt(DEMO_EMAIL, PERSON, SECRET), now)
    attacker = login_attempt(DEMO_EMAIL, ATTACKER, SECRET).network
    assert set(session.scalars(select(LoginFailure.network))) == {attacker}  # no fresh guesses


def test_counts_of_failures_long_ago_are_forgotten_at_a_login(session: Session) -> None:
    user = session.scalars(select(StaffUser).where(StaffUser.email == DEMO_EMAIL)).one()
    admin = StaffUser(email="admin2@example.org", name="A", password_hash="x")
    session.add(admin)
    session.flush()
    now = utcnow()
    attempt = login_attempt(admin.email, ATTACKER, SECRET)
    count_failed_login(session, attempt, admin.email, now - FAILURES_TOLD - dt.timedelta(hours=1))
    count_failed_login(session, attempt, admin.email, now - FAILURES_TOLD + dt.timedelta(hours=1))
    logged_in(session, user, login_attempt(DEMO_EMAIL, PERSON, SECRET), now)
    assert session.scalar(select(LoginFailureCount.count)) == 2  # the newer one keeps it
    count_failed_login(session, attempt, admin.email, now - FAILURES_TOLD - dt.timedelta(days=1))
    logged_in(session, user, login_attempt(DEMO_EMAIL, PERSON, SECRET), now + dt.timedelta(days=2))
    assert session.scalar(select(func.count()).select_from(LoginFailureCount)) == 0


# --- Over HTTP ---------------------------------------------------------------------------------


def test_failures_from_another_network_do_not_lock_the_person_out(app: Flask) -> None:
    attacker = browser(app, ATTACKER)
    statuses = [log_in(attacker, "wrong password") for _ in range(8)]
    assert statuses == [422] * 5 + [429] * 3
    person = browser(app, PERSON)
    assert log_in(person) == 302
    assert person.get("/staff/").status_code == 200


def test_the_failing_network_waits_even_with_the_right_password(app: Flask) -> None:
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = ATTACKER
    for _ in range(5):
        assert log_in(attacker, "wrong password") == 422
    refused = attacker.post("/staff/login", data={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert refused.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldungen" in refused.text
    assert attacker.get("/staff/").status_code == 302  # not logged in


def test_past_the_ceiling_a_failed_network_waits_and_a_clean_one_gets_in(app: Flask) -> None:
    networks = [browser(app, f"198.51.100.{n}") for n in range(1, 6)]
    for client in networks:
        for _ in range(LOGIN_FAILURES_CEILING // len(networks)):
            assert log_in(client, "wrong password") == 422
    assert log_in(networks[0]) == 429  # the right password, from a network that failed
    guesser = browser(app, "192.0.2.44")
    assert [log_in(guesser, "guess") for _ in range(3)] == [422, 422, 429]
    person = browser(app, PERSON)
    assert log_in(person) == 302
    assert person.get("/staff/").status_code == 200


def test_the_person_is_told_at_the_next_login_on_any_instance(
    make_app: Callable[..., Flask],
) -> None:
    """The counts are in the database: attempts on one instance, the login on another."""
    first, second = make_app(), make_app()
    attacker, elsewhere = browser(first, ATTACKER), browser(first, "2001:db8:5::1")
    assert [log_in(attacker, "wrong") for _ in range(6)] == [422] * 5 + [429]
    assert log_in(elsewhere, "wrong") == 422
    person = browser(second, PERSON)
    assert log_in(person) == 302
    page = person.get("/staff/").text
    assert f"{NOTICE} Attempts: 7. Networks they came from: 2." in page
    assert ATTACKER not in page
    person.post("/staff/logout")
    assert log_in(person) == 302
    assert NOTICE not in person.get("/staff/").text  # told once
    with second.app_context():
        assert db.session().scalar(select(func.count()).select_from(LoginFailureCount)) == 0


def test_a_typo_of_the_person_is_told_too(app: Flask) -> None:
    person = browser(app, PERSON)
    assert log_in(person, "typo") == 422
    assert log_in(person) == 302
    assert f"{NOTICE} Attempts: 1. Networks they came from: 1." in person.get("/staff/").text

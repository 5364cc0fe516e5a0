"""Staff accounts: create them, check a password, throttle logins, end sessions, audit."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import case, delete, exists, func, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from kiosk.access.permissions import Role
from kiosk.core.errors import N_, KioskError, NotFoundError
from kiosk.models import (
    Actor,
    Area,
    AuditEntry,
    Campaign,
    Device,
    EndedSession,
    Location,
    LoginFailure,
    LoginFailureCount,
    Question,
    StaffUser,
    audit,
    upsert_insert,
    utcnow,
)
from kiosk.safety.ratelimits import network_of

MIN_PASSWORD_LENGTH = 10
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
LOGIN_WINDOW = dt.timedelta(minutes=15)
LOGIN_FAILURES_ALLOWED = 5  # per e-mail address and network in the window; then that network waits
LOGIN_FAILURES_CEILING = 20  # ... from all networks: then each network that failed with it waits
LOGIN_SLIPS = 1  # ... past the ceiling, but a network with no more failures than this still tries
FAILURES_TOLD = dt.timedelta(days=90)  # at a login, failures since the last one: this far back
ROLES = tuple(role.value for role in Role)

# Compared against when the e-mail is unknown, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(KioskError):
    """A staff account cannot be created or changed as asked."""

    status = 422


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    role: str = Role.VIEWER.value,
    actor: Actor,
) -> StaffUser:
    """Add a staff user with a hashed password; audited, the caller commits."""
    email = email.strip().lower()
    if not _EMAIL.fullmatch(email) or len(email) > 254:
        raise AccountError(N_("Please give a valid e-mail address."))
    if len(name.strip()) > 200:
        raise AccountError(N_("A name of at most %(max)d characters, please."), max=200)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            N_("The password needs at least %(min)d characters."), min=MIN_PASSWORD_LENGTH
        )
    if role not in ROLES:
        raise AccountError(N_("Unknown role “%(role)s”."), role=role)
    if session.scalar(select(StaffUser.id).where(func.lower(StaffUser.email) == email)):
        raise AccountError(N_("A user with this e-mail address exists already."))
    user = StaffUser(
        email=email,
        name=name.strip() or email,
        password_hash=generate_password_hash(password),
        role=Role(role),
    )
    session.add(user)
    session.flush()
    audit(session, actor, "user-add", member=user.id, role=user.role)
    return user


def authenticate(session: Session, email: str, password: str) -> StaffUser | None:
    """Return the active user with this e-mail and password, else None."""
    user = session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.active or not check_password_hash(user.password_hash, password):
        return None
    return user


def login_key(email: str, secret: bytes) -> str:
    """A keyed hash of the e-mail given at a login: throttles by it, stores no address."""
    return hmac.new(secret, email.strip().casefold().encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class LoginAttempt:
    """A login attempt as it is counted: keyed hashes, no e-mail or network address."""

    key: str  # the e-mail given (login_key)
    network: str  # the e-mail with the client's network: two e-mails' rows do not link


def login_attempt(email: str, address: str, secret: bytes) -> LoginAttempt:
    """The keys a login attempt is counted under: its e-mail, and that with its network."""
    key = login_key(email, secret)
    network = f"login-network:{key}:{network_of(address)}".encode()
    return LoginAttempt(key, hmac.new(secret, network, hashlib.sha256).hexdigest()[:32])


def note_login_failure(
    session: Session, attempt: LoginAttempt, now: dt.datetime | None = None
) -> int:
    """Count an attempt as failed until its password proves right; forget those past the window.

    The caller commits before the password is read, so that attempts at once see each other.
    Returns the id of the row noted (forget_refused takes it back).
    """
    now = now or utcnow()
    session.execute(delete(LoginFailure).where(LoginFailure.at <= now - LOGIN_WINDOW))
    noted = LoginFailure(key=attempt.key, network=attempt.network, at=now)
    session.add(noted)
    session.flush()
    return noted.id


def forget_refused(session: Session, noted: int) -> None:
    """Take back an attempt refused before its password was read: it was no guess.

    Refused attempts do not count, so a network flooding the form keeps no other network's
    owner waiting past the ceiling, nor its own past the window. The caller commits.
    """
    session.execute(delete(LoginFailure).where(LoginFailure.id == noted))


def login_refused(session: Session, attempt: LoginAttempt, now: dt.datetime | None = None) -> bool:
    """Tell whether this attempt must wait, its own failure noted (note_login_failure) first.

    A network waits after LOGIN_FAILURES_ALLOWED failures with an e-mail in the window.
    Past LOGIN_FAILURES_CEILING failures from all networks together, a network that failed
    with it more than LOGIN_SLIPS times waits too; one with fewer (an owner's typo or two)
    still gets in: nobody elsewhere can lock the owner out.
    """
    since = (now or utcnow()) - LOGIN_WINDOW
    here = func.count(case((LoginFailure.network == attempt.network, 1)))
    total, from_here = session.execute(
        select(func.count(), here).where(LoginFailure.key == attempt.key, LoginFailure.at > since)
    ).one()
    if from_here > LOGIN_FAILURES_ALLOWED:
        return True
    return bool(total > LOGIN_FAILURES_CEILING and from_here > LOGIN_SLIPS + 1)


def count_failed_login(
    session: Session, attempt: LoginAttempt, email: str, now: dt.datetime | None = None
) -> None:
    """Count a failed or refused login, per network, for the staff member with this e-mail.

    They are told at their next login (logged_in). An unknown e-mail counts nothing here.
    The caller commits.
    """
    now = now or utcnow()
    user_id = session.scalar(select(StaffUser.id).where(StaffUser.email == email.strip().lower()))
    if user_id is None:
        return
    statement = upsert_insert(session.connection().dialect.name)(LoginFailureCount).values(
        staff_user_id=user_id, network=attempt.network, count=1, last_at=now
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["staff_user_id", "network"],
            set_={"count": LoginFailureCount.count + 1, "last_at": statement.excluded.last_at},
        )
    )


@dataclass(frozen=True)
class FailedLogins:
    """Failed logins with a staff member's e-mail since their last login."""

    attempts: int
    networks: int


def logged_in(
    session: Session, user: StaffUser, attempt: LoginAttempt, now: dt.datetime | None = None
) -> FailedLogins:
    """A login succeeded: give it a new session id; return the failures since the last login.

    Those failures are forgotten then, and so are the failures of this attempt's network in
    the window (another network's still count), ended sessions past their end, and counts of
    failures older than FAILURES_TOLD. Audited; the caller commits.
    """
    now = now or utcnow()
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.key == attempt.key, LoginFailure.network == attempt.network
        )
    )
    mine = LoginFailureCount.staff_user_id == user.id
    attempts, networks = session.execute(
        select(func.coalesce(func.sum(LoginFailureCount.count), 0), func.count()).where(mine)
    ).one()
    session.execute(delete(LoginFailureCount).where(mine))
    session.execute(
        delete(LoginFailureCount).where(LoginFailureCount.last_at < now - FAILURES_TOLD)
    )
    session.execute(delete(EndedSession).where(EndedSession.expires_at < now))
    user.login_session = secrets.token_hex(16)
    audit(session, Actor(user.id), "login")
    return FailedLogins(int(attempts), int(networks))


# "user id.session epoch.session id" (StaffUser.get_id); ASCII digits only, as int() reads.
_SESSION_ID = re.compile(r"([0-9]{1,18})\.([0-9]{1,18})\.([0-9a-f]{32})")


def session_user(session: Session, session_id: str) -> StaffUser | None:
    """The active user of a session, by its id, unless the session has been ended.

    Ended are: every session of an older epoch (end_all_sessions) and one logged out
    (end_session).
    """
    parts = _SESSION_ID.fullmatch(session_id)
    if parts is None:
        return None
    user_id, epoch, login_session = parts.groups()
    user = session.scalar(
        select(StaffUser).where(
            StaffUser.id == int(user_id),
            StaffUser.session_epoch == int(epoch),
            StaffUser.active.is_(True),
            ~exists().where(EndedSession.id == login_session),
        )
    )
    if user is not None:
        user.login_session = login_session
    return user


def end_session(session: Session, login_session: str, *, until: dt.datetime) -> None:
    """End one session everywhere, a copy of its cookie too; the caller commits.

    Kept until `until`, when the session would have ended anyway.
    """
    statement = upsert_insert(session.connection().dialect.name)(EndedSession).values(
        id=login_session, expires_at=until
    )
    session.execute(statement.on_conflict_do_nothing(index_elements=["id"]))


def end_all_sessions(session: Session, user: StaffUser, *, actor: Actor) -> None:
    """Log a staff member out everywhere (every browser, every device); the caller commits."""
    user.session_epoch += 1
    audit(session, actor, "logout-everywhere", member=user.id)


def change_user(
    session: Session,
    user_id: int,
    *,
    role: str,
    active: bool,
    actor: Actor,
    area_ids: Collection[int] = (),
) -> StaffUser:
    """Give a staff member another role, areas, or (de)activate them; audited, caller commits.

    Nobody locks themselves out, and there is always an active admin. A deactivated
    member's sessions end at once. Areas limit where a member works (none: everywhere;
    an admin works everywhere whatever is listed).
    """
    user = session.get(StaffUser, user_id)
    if user is None:
        raise NotFoundError()
    if role not in ROLES:
        raise AccountError(N_("Unknown role “%(role)s”."), role=role)
    if user.id == actor.user_id and (not active or role != user.role):
        raise AccountError(N_("You cannot change your own role or access."))
    if user.active and user.role == Role.ADMIN and (role != Role.ADMIN or not active):
        admins = session.scalar(
            select(func.count())
            .select_from(StaffUser)
            .where(StaffUser.role == Role.ADMIN.value, StaffUser.active.is_(True))
        )
        if (admins or 0) <= 1:
            raise AccountError(N_("There must always be one active admin."))
    areas = list(session.scalars(select(Area).where(Area.id.in_(set(area_ids)))))
    if len(areas) != len(set(area_ids)):
        raise AccountError(N_("Please choose areas from the list."))
    if user.active and not active:
        user.session_epoch += 1  # their sessions end at once
    user.role = Role(role)
    user.active = active
    user.areas = areas
    session.flush()
    audit(
        session,
        actor,
        "user-change",
        member=user.id,
        role=user.role,
        active=user.active,
        areas=[area.id for area in user.areas],
    )
    return user


def staff_members(session: Session) -> list[StaffUser]:
    """Every staff member, by name, with their areas loaded."""
    return list(
        session.scalars(
            select(StaffUser).options(selectinload(StaffUser.areas)).order_by(StaffUser.name)
        )
    )


AUDIT_REFERENCES = {
    "place": "place",
    "location": "place",
    "added": "place",
    "removed": "place",
    "campaign": "campaign",
    "original": "campaign",
    "question": "question",
    "area": "area",
    "areas": "area",
    "device": "kiosk",
    "member": "member",
}
"""Which things an audit entry's detail names by id: detail key, kind of thing (a list of
ids under "added", "removed" and "areas"); an export names its scope (scope=kind, id)."""

_EXPORT_SCOPES = {"location": "place", "area": "area", "campaign": "campaign"}


@dataclass(frozen=True)
class AuditPage:
    """A page of the audit log, newest first, with the names of the things it names."""

    rows: list[tuple[AuditEntry, str | None]]  # each entry with the name of who made it
    older: int | None  # the entry id to go on from, if there are older entries
    names: dict[str, dict[int, object]]  # kind: {id: name}, for things that still exist


def referenced(entry: AuditEntry) -> list[tuple[str, int]]:
    """The things an entry names by id: (kind, id) as in AUDIT_REFERENCES."""
    detail = entry.detail or {}
    found: list[tuple[str, int]] = []
    for key, kind in AUDIT_REFERENCES.items():
        value = detail.get(key)
        for ident in value if isinstance(value, list) else [value]:
            if isinstance(ident, int) and not isinstance(ident, bool):
                found.append((kind, ident))
    scope, ident = detail.get("scope"), detail.get("id")
    if entry.action == "export" and scope in _EXPORT_SCOPES and isinstance(ident, int):
        found.append((_EXPORT_SCOPES[str(scope)], ident))
    return found


def audit_page(session: Session, *, before: int | None, size: int) -> AuditPage:
    """A page of the audit log, newest first (before an entry id), and the id to go on from.

    Each thing the entries name (a place, campaign, question, area, kiosk or staff member)
    comes with its name as it is now (a question: its texts), if it still exists.
    """
    query = select(AuditEntry, StaffUser.name).outerjoin(
        StaffUser, StaffUser.id == AuditEntry.user_id
    )
    if before is not None:
        query = query.where(AuditEntry.id < before)
    rows: list[tuple[AuditEntry, str | None]] = [
        (entry, name)
        for entry, name in session.execute(query.order_by(AuditEntry.id.desc()).limit(size + 1))
    ]
    older = rows[size - 1][0].id if len(rows) > size else None
    rows = rows[:size]
    wanted: dict[str, set[int]] = {kind: set() for kind in set(AUDIT_REFERENCES.values())}
    for entry, _ in rows:
        for kind, ident in referenced(entry):
            wanted[kind].add(ident)
    columns = {
        "place": (Location.id, Location.name),
        "campaign": (Campaign.id, Campaign.title),
        "question": (Question.id, Question.texts),
        "area": (Area.id, Area.name),
        "kiosk": (Device.id, Device.name),
        "member": (StaffUser.id, StaffUser.name),
    }
    names: dict[str, dict[int, object]] = {}
    for kind, (key, name) in columns.items():
        ids = [ident for ident in wanted[kind] if 0 < ident <= 2**62]
        names[kind] = {}
        if ids:
            for ident, value in session.execute(select(key, name).where(key.in_(ids))):
                names[kind][ident] = value
    return AuditPage(rows, older, names)

"""Staff accounts: create them, check a password, write the audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Collection

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from kiosk.access.permissions import Role
from kiosk.core.errors import N_, KioskError, NotFoundError
from kiosk.models import Actor, Area, AuditEntry, LoginFailure, StaffUser, audit, utcnow

MIN_PASSWORD_LENGTH = 10
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
LOGIN_WINDOW = dt.timedelta(minutes=15)
LOGIN_FAILURES_ALLOWED = 5  # per e-mail address in the window; then it waits
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


def login_throttled(
    session: Session,
    key: str,
    now: dt.datetime | None = None,
    *,
    allowed: int = LOGIN_FAILURES_ALLOWED,
) -> bool:
    """Tell whether logins with this key failed `allowed` times lately; try again later, then."""
    since = (now or utcnow()) - LOGIN_WINDOW
    failures = session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.key == key, LoginFailure.at > since)
    )
    return (failures or 0) >= allowed


def note_login_failure(session: Session, key: str, now: dt.datetime | None = None) -> None:
    """Count a failed login, and forget those older than the window; the caller commits."""
    now = now or utcnow()
    session.execute(delete(LoginFailure).where(LoginFailure.at <= now - LOGIN_WINDOW))
    session.add(LoginFailure(key=key, at=now))


def logged_in(session: Session, user: StaffUser, key: str) -> None:
    """A login succeeded: its earlier failures no longer count; audited, the caller commits."""
    session.execute(delete(LoginFailure).where(LoginFailure.key == key))
    audit(session, Actor(user.id), "login")


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


def audit_page(
    session: Session, *, before: int | None, size: int
) -> tuple[list[tuple[AuditEntry, str | None]], int | None]:
    """A page of the audit log, newest first (before an entry id), and the id to go on from."""
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
    return rows[:size], older

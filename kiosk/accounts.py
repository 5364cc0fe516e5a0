"""Staff accounts: create them, check a password, write the audit log."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from kiosk.errors import N_, KioskError
from kiosk.models import AuditEntry, StaffUser
from kiosk.permissions import Role

MIN_PASSWORD_LENGTH = 10
ROLES = tuple(role.value for role in Role)

# Compared against when the e-mail is unknown, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(KioskError):
    """A staff account cannot be created or changed as asked."""

    status = 422


def create_user(
    session: Session, *, email: str, name: str, password: str, role: str = Role.VIEWER.value
) -> StaffUser:
    """Add a staff user with a hashed password; the caller commits."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise AccountError(N_("Please give a valid e-mail address."))
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
        role=role,
    )
    session.add(user)
    session.flush()
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


def audit(session: Session, user: StaffUser | None, action: str, **detail: object) -> None:
    """Note a staff action in the audit log; the caller commits."""
    session.add(AuditEntry(user_id=user.id if user else None, action=action, detail=detail))

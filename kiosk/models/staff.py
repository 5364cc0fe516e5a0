"""Staff users, the audit log of what they did, and what guards their logins and sessions."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk.models.base import Base, bigintpk, checked_enum, intpk, name_str, utcnow
from kiosk.models.place import Area


class Role(enum.StrEnum):
    """A staff member's role (what each may do: kiosk.access.permissions)."""

    ADMIN = "admin"  # everything, including people and the audit log
    EDITOR = "editor"  # campaigns, places, kiosks
    MODERATOR = "moderator"  # wishes
    VIEWER = "viewer"  # results and downloads


# The areas a staff member works in; none means all of them (an admin always has all).
staff_area = Table(
    "staff_area",
    Base.metadata,
    Column("staff_user_id", ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("area.id", ondelete="CASCADE"), primary_key=True),
)


class StaffUser(Base):
    """A person who sets up campaigns and reads results."""

    __tablename__ = "staff_user"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[name_str]
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        checked_enum(Role, name="role", length=16), default=Role.VIEWER
    )
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Part of every session's user id: moving it on ends all of this user's sessions.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")

    areas: Mapped[list[Area]] = relationship(secondary=staff_area, order_by="Area.name")

    # Flask-Login's user protocol, kept here so the login layer stays a thin adapter.
    @property
    def is_active(self) -> bool:
        """Tell whether the user may log in."""
        return self.active

    is_authenticated = True
    is_anonymous = False
    # The random id of the session this object was loaded for (or logged in with): a logout
    # ends that session by it (EndedSession). Not a column: every login has its own.
    login_session = ""

    def get_id(self) -> str:
        """Return the id Flask-Login keeps in the session: "user id.session epoch.session id"."""
        return f"{self.id}.{self.session_epoch}.{self.login_session}"


class AuditEntry(Base):
    """One staff action worth knowing about later: who, what, when."""

    __tablename__ = "audit_entry"

    id: Mapped[bigintpk]
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


class LoginFailure(Base):
    """A failed staff login, kept for a few minutes to throttle logins (no address kept).

    By a keyed hash of the e-mail given (key), and one of it with the client's network.
    """

    __tablename__ = "login_failure"

    id: Mapped[bigintpk]
    key: Mapped[str] = mapped_column(String(64), index=True)
    network: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class LoginFailureCount(Base):
    """Failed logins with a staff member's e-mail since their last login, per network.

    What they are told when they next log in; the network is a keyed hash, no address.
    """

    __tablename__ = "login_failure_count"

    staff_user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True
    )
    network: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int]
    last_at: Mapped[dt.datetime] = mapped_column(index=True)


class EndedSession(Base):
    """A staff session logged out: its cookie, wherever it was copied, opens nothing any more.

    Kept until the session would have ended anyway (its working day after the login).
    """

    __tablename__ = "ended_session"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)

"""Staff users and the audit log of what they did."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.models.base import Base, bigintpk, intpk, name_str, utcnow


class StaffUser(Base):
    """A person who sets up campaigns and reads results."""

    __tablename__ = "staff_user"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[name_str]
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="viewer")  # kiosk.permissions.Role
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    # Flask-Login's user protocol, kept here so the login layer stays a thin adapter.
    @property
    def is_active(self) -> bool:
        """Tell whether the user may log in."""
        return self.active

    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        """Return the id Flask-Login keeps in the session."""
        return str(self.id)


class AuditEntry(Base):
    """One staff action worth knowing about later: who, what, when."""

    __tablename__ = "audit_entry"

    id: Mapped[bigintpk]
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)

"""Staff roles and what each may do: set up, moderate, read, or all of it."""

from __future__ import annotations

import enum

# The roles live with the staff table, whose CHECK constraint takes its values from them.
from kiosk.models import Role

__all__ = ["GRANTS", "Permission", "Role", "allowed"]


class Permission(enum.StrEnum):
    """Something a staff page does."""

    VIEW = "view"  # read results, download them
    MODERATE = "moderate"  # approve, reject and mark wishes
    EDIT = "edit"  # set up campaigns, places and kiosks
    ADMIN = "admin"  # manage people, read the audit log


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.EDITOR: frozenset({Permission.VIEW, Permission.EDIT}),
    Role.MODERATOR: frozenset({Permission.VIEW, Permission.MODERATE}),
    Role.VIEWER: frozenset({Permission.VIEW}),
}


def allowed(role: str, permission: Permission) -> bool:
    """Tell whether a role may do this; an unknown role may do nothing."""
    try:
        return permission in GRANTS[Role(role)]
    except ValueError:
        return False

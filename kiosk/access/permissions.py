"""Staff roles and what each may do: set up, moderate, read, or all of it."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """A staff member's role."""

    ADMIN = "admin"  # everything, including people and the audit log
    EDITOR = "editor"  # campaigns, places, kiosks
    MODERATOR = "moderator"  # wishes
    VIEWER = "viewer"  # results and downloads


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

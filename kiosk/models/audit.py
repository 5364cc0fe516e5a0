"""Who changes what: the actor of a change, and its entry in the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from kiosk.models.staff import AuditEntry


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a staff member (through the web) or the command line."""

    user_id: int | None
    via: str = "web"


COMMAND_LINE = Actor(user_id=None, via="command line")
"""Changes made on the server with `kiosk <command>`: whoever holds the server's shell."""


def audit(session: Session, actor: Actor, action: str, **detail: object) -> None:
    """Note a change in the audit log, by whom and through which door; the caller commits."""
    if actor.via != "web":
        detail = {"via": actor.via, **detail}
    session.add(AuditEntry(user_id=actor.user_id, action=action, detail=detail))

"""Moderating drawings: approve, or reject with a reason; nothing is public before approval."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from kiosk.core.errors import N_, FormError, NotFoundError
from kiosk.models import Actor, Drawing, PictureState, RejectReason, audit, utcnow


def drawings_in(
    session: Session, state: PictureState, places: Select[int] | None, *, limit: int = 60
) -> list[Drawing]:
    """The drawings in a state at these places (None: everywhere), the newest first."""
    query = select(Drawing).where(Drawing.state == state)
    if places is not None:
        query = query.where(Drawing.location_id.in_(places))
    return list(session.scalars(query.order_by(Drawing.id.desc()).limit(limit)))


def moderate_drawing(
    session: Session, drawing: Drawing, action: str, reason: str, *, actor: Actor
) -> None:
    """Approve a drawing, or reject it with a reason; audited, the caller commits."""
    if action == "approve":
        drawing.state, drawing.reason = PictureState.APPROVED, None
    elif action == "reject":
        try:
            drawing.reason = RejectReason(reason)
        except ValueError:
            raise FormError({"reason": (N_("Please say why it is turned away."), {})}) from None
        drawing.state = PictureState.REJECTED
    else:
        raise NotFoundError()
    drawing.moderated_at = utcnow()
    session.flush()
    if action == "approve":
        audit(session, actor, "drawing-approve", drawing=drawing.id)
    else:
        audit(session, actor, "drawing-reject", drawing=drawing.id, reason=reason)

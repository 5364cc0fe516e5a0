"""Admins manage staff members and read the audit log of every change."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from kiosk.access.accounts import AccountError, audit_page, change_user, create_user, staff_members
from kiosk.access.permissions import Permission, Role
from kiosk.core.errors import N_
from kiosk.setup.places import all_areas
from kiosk.web import db
from kiosk.web.auth import acting, requires
from kiosk.web.shared import MAX_ID

bp = Blueprint("people", __name__, url_prefix="/people")
AUDIT_PAGE = 100


def _page(
    status: int = 200, error: str | None = None, form: dict[str, str] | None = None
) -> tuple[str, int]:
    session = db.session()
    return render_template(
        "staff/people/index.html",
        users=staff_members(session),
        areas=all_areas(session),
        roles=list(Role),
        error=error,
        form=form or {},
    ), status


@bp.get("/")
@requires(Permission.ADMIN)
def index() -> ResponseReturnValue:
    """Staff members with their roles, and a form for a new one."""
    return _page()


@bp.post("/")
@requires(Permission.ADMIN)
def add() -> ResponseReturnValue:
    """Add a staff member with a first password (they should change it)."""
    form = {name: request.form.get(name, "")[:300] for name in ("email", "name", "role")}
    session = db.session()
    try:
        user = create_user(
            session, password=request.form.get("password", "")[:1024], actor=acting(), **form
        )
    except AccountError as error:
        session.rollback()
        return _page(422, gettext(error.message, **error.params), form)
    session.commit()
    flash(gettext("Saved: %(name)s.", name=user.name))
    return redirect(url_for(".index"), code=303)


@bp.post(f"/<int(max={MAX_ID}):user_id>")
@requires(Permission.ADMIN)
def change(user_id: int) -> ResponseReturnValue:
    """Change a staff member's role, areas, or their access."""
    session = db.session()
    try:
        user = change_user(
            session,
            user_id,
            role=request.form.get("role", ""),
            active=request.form.get("active") == "yes",
            actor=acting(),
            area_ids=_area_ids(request.form.getlist("areas")),
        )
    except AccountError as error:
        session.rollback()
        return _page(422, gettext(error.message, **error.params))
    session.commit()
    flash(gettext("Saved: %(name)s.", name=user.name))
    return redirect(url_for(".index"), code=303)


def _area_ids(raw: list[str]) -> list[int]:
    """The ticked areas' ids; anything but an id of ours is refused as an unknown area."""
    if len(raw) > 1000:
        raise AccountError(N_("Please choose areas from the list."))
    ids = [int(value) for value in raw if value.isdecimal() and len(value) < 10]
    if len(ids) != len(raw):
        raise AccountError(N_("Please choose areas from the list."))
    return ids


@bp.get("/audit")
@requires(Permission.ADMIN)
def audit_log() -> ResponseReturnValue:
    """Who changed what, newest first."""
    before = request.args.get("before", type=int)
    if before is not None and not 0 < before <= 2**62:
        before = None  # not an id of ours: the newest
    rows, older = audit_page(db.session(), before=before, size=AUDIT_PAGE)
    return render_template("staff/people/audit.html", rows=rows, older=older)

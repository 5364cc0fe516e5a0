"""Setting up: areas and places (editors); forms answer bad input with messages per field."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kiosk import db
from kiosk.accounts import audit
from kiosk.auth import requires
from kiosk.errors import FormError
from kiosk.models import Area, Location
from kiosk.permissions import Permission
from kiosk.places import PlaceForm, save_area, save_place
from kiosk.views.staff import MAX_ID

bp = Blueprint("setup", __name__, url_prefix="/staff/setup")


@bp.before_request
@login_required
def _require_login() -> None:
    """Every set-up page needs a logged-in staff member (and the edit permission)."""


def field_errors(error: FormError) -> dict[str, str]:
    """The messages of a form's fields, translated."""
    return {name: gettext(message, **params) for name, (message, params) in error.fields.items()}


def _areas() -> list[Area]:
    return list(
        db.session().scalars(select(Area).options(selectinload(Area.locations)).order_by(Area.name))
    )


@bp.get("/places")
@requires(Permission.EDIT)
def places() -> ResponseReturnValue:
    """Areas and their places, with a form for a new area."""
    return render_template("setup/places.html", areas=_areas(), errors={}, form={})


@bp.post("/areas")
@bp.post(f"/areas/<int(max={MAX_ID}):area_id>")
@requires(Permission.EDIT)
def area(area_id: int | None = None) -> ResponseReturnValue:
    """Create an area, or rename one."""
    session = db.session()
    try:
        saved = save_area(session, area_id, name=request.form.get("name", ""))
    except FormError as error:
        session.rollback()
        form = {"name": request.form.get("name", ""), "area_id": area_id}
        return render_template(
            "setup/places.html", areas=_areas(), errors=field_errors(error), form=form
        ), 422
    audit(session, current_user, "area-save", area=saved.id, name=saved.name)
    session.commit()
    flash(gettext("Saved: %(name)s.", name=saved.name))
    return redirect(url_for(".places"), code=303)


def _place_page(location: Location | None, form: dict[str, Any], errors: dict[str, str]) -> str:
    return render_template(
        "setup/place.html", location=location, areas=_areas(), form=form, errors=errors
    )


@bp.route("/places/new", methods=["GET", "POST"])
@bp.route(f"/places/<int(max={MAX_ID}):location_id>", methods=["GET", "POST"])
@requires(Permission.EDIT)
def place(location_id: int | None = None) -> ResponseReturnValue:
    """The form of a new place, or of one to change."""
    session = db.session()
    location = session.get(Location, location_id) if location_id is not None else None
    if location_id is not None and location is None:
        return _place_page(None, {}, {}), 404
    if request.method == "GET":
        form = (
            {
                "area_id": str(location.area_id),
                "name": location.name,
                "code": location.code,
                "address": location.address or "",
                "latitude": "" if location.latitude is None else str(location.latitude),
                "longitude": "" if location.longitude is None else str(location.longitude),
            }
            if location
            else {"area_id": request.args.get("area", "")}
        )
        return _place_page(location, form, {})
    sent = {name: request.form.get(name, "")[:1000] for name in PlaceForm.__dataclass_fields__}
    try:
        saved = save_place(session, location_id, PlaceForm(**sent))
    except FormError as error:
        session.rollback()
        return _place_page(location, sent, field_errors(error)), 422
    audit(session, current_user, "place-save", place=saved.id, code=saved.code)
    session.commit()
    flash(gettext("Saved: %(name)s.", name=saved.name))
    return redirect(url_for(".places"), code=303)

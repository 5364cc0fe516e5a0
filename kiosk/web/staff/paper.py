"""Staff type in paper tally sheets per place and question (editors)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext

from kiosk.access.permissions import Permission
from kiosk.collect.paper import (
    enter_paper_tally,
    paper_questions,
    paper_sheets,
    withdraw_paper_tally,
)
from kiosk.core.errors import FormError
from kiosk.models import Location
from kiosk.web import db
from kiosk.web.auth import acting, requires
from kiosk.web.shared import MAX_ID, field_errors, load_location

bp = Blueprint("paper", __name__, url_prefix="/paper")
PLACE = f"<int(max={MAX_ID}):location_id>"


def _page(location: Location, status: int = 200, **context: object) -> tuple[str, int]:
    session = db.session()
    context.setdefault("errors", {})
    context.setdefault("sent", {})
    context.setdefault("question_id", None)
    return render_template(
        "staff/paper/index.html",
        location=location,
        questions=paper_questions(session, location.id),
        sheets=paper_sheets(session, location.id),
        **context,
    ), status


@bp.get(f"/{PLACE}")
@requires(Permission.EDIT)
def index(location_id: int) -> ResponseReturnValue:
    """The place's questions, each with a form for a sheet's counts, and the sheets so far."""
    return _page(load_location(location_id))


@bp.post(f"/{PLACE}/<int(max={MAX_ID}):question_id>")
@requires(Permission.EDIT)
def enter(location_id: int, question_id: int) -> ResponseReturnValue:
    """Count a paper sheet for a question."""
    location = load_location(location_id)
    session = db.session()
    counts = {
        key.removeprefix("option-"): value[:20]
        for key, value in request.form.items()
        if key.startswith("option-")
    }
    try:
        sheet = enter_paper_tally(
            session,
            location_id=location.id,
            question_id=question_id,
            counts=counts,
            answers=request.form.get("answers", "")[:20],
            note=request.form.get("note", "")[:1000],
            actor=acting(),
        )
    except FormError as error:
        sent = {k: v[:200] if k == "note" else v[:20] for k, v in request.form.items()}
        return _page(location, 422, errors=field_errors(error), sent=sent, question_id=question_id)
    session.commit()
    flash(
        ngettext(
            "Counted: %(num)d answer from paper.",
            "Counted: %(num)d answers from paper.",
            sheet.answers,
        )
    )
    return redirect(url_for(".index", location_id=location.id), code=303)


@bp.post(f"/{PLACE}/sheet/<int(max={MAX_ID}):sheet_id>/withdraw")
@requires(Permission.EDIT)
def withdraw(location_id: int, sheet_id: int) -> ResponseReturnValue:
    """Take a sheet's counts out again (a typing slip)."""
    session = db.session()
    load_location(location_id)
    withdraw_paper_tally(session, sheet_id, location_id=location_id, actor=acting())
    session.commit()
    flash(gettext("The sheet no longer counts."))
    return redirect(url_for(".index", location_id=location_id), code=303)

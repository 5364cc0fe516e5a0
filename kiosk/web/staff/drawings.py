"""Children's drawings (a drawing contest): paper drawings uploaded by editors, moderated.

Editors photograph a paper drawing and upload it with the child's age group; it gets a short
number to write on the original and waits for a moderator, who approves it or turns it away
with a reason ("shows a face or a name"). The pictures are shown only to those who moderate
the drawing's place.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, lazy_gettext
from sqlalchemy import select
from werkzeug import Response

from kiosk.access.permissions import Permission
from kiosk.access.reach import require
from kiosk.collect.drawings import add_paper_drawing
from kiosk.core.errors import FormError, NotFoundError
from kiosk.models import AgeGroup, Drawing, Location, PictureState, RejectReason
from kiosk.pictures.checked import PictureError
from kiosk.pictures.store import MediaStore
from kiosk.safety.drawings import drawings_in, moderate_drawing
from kiosk.setup.campaigns import campaigns_by_start
from kiosk.web import db
from kiosk.web.auth import acting, current_reach, requires
from kiosk.web.shared import MAX_ID, field_errors

bp = Blueprint("drawings", __name__, url_prefix="/drawings")
DRAWING = f"/<int(max={MAX_ID}):drawing_id>"
REASON_NAMES = {
    RejectReason.FACE_OR_NAME: lazy_gettext("shows a face or a name"),
    RejectReason.NOT_A_DRAWING: lazy_gettext("not a drawing"),
    RejectReason.OTHER: lazy_gettext("another reason"),
}
STATE_NAMES = {
    PictureState.PENDING: lazy_gettext("waiting"),
    PictureState.APPROVED: lazy_gettext("approved"),
    PictureState.REJECTED: lazy_gettext("turned away"),
}


def media_store() -> MediaStore:
    """The instance's media folder."""
    return MediaStore(Path(current_app.config["MEDIA_DIR"]))


def _upload_page(
    form: dict[str, str], errors: dict[str, str], status: int = 200
) -> ResponseReturnValue:
    reach = current_reach()
    campaigns = campaigns_by_start(db.session(), reach)
    return render_template(
        "staff/drawings/new.html",
        campaigns=campaigns,
        places={c.id: [p for p in c.locations if reach.covers_area(p.area_id)] for c in campaigns},
        age_groups=list(AgeGroup),
        form=form,
        errors=errors,
    ), status


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.EDIT)
def upload() -> ResponseReturnValue:
    """A photographed paper drawing: its campaign, place and age group; numbered, then pending."""
    if request.method == "GET":
        return _upload_page({}, {})
    where = request.form.get("where", "")[:40]  # "<campaign id>:<place id>", one select
    campaign, _, place_id = where.partition(":")
    sent = {
        "campaign": campaign,
        "place": place_id,
        "age_group": request.form.get("age_group", "")[:20],
    }
    session = db.session()
    raw_place = sent["place"]
    if raw_place.isdecimal() and len(raw_place) < 10:
        place = session.get(Location, int(raw_place))
        if place is not None:  # another area's place is no slip of the hand: 403
            require(current_reach().covers_area(place.area_id))
    file = request.files.get("picture")
    data = file.read() if file is not None else b""
    try:
        with db.write_lock().held():  # one number at a time on SQLite (a row lock elsewhere)
            drawing = add_paper_drawing(session, media_store(), data, actor=acting(), **sent)
            session.commit()
    except FormError as error:
        return _upload_page(sent, field_errors(error), 422)
    except PictureError as error:
        return _upload_page(sent, {"picture": gettext(error.message)}, error.status)
    flash(
        gettext(
            "Saved as drawing no. %(number)d: please write the number on the paper original.",
            number=drawing.number,
        )
    )
    return redirect(url_for(".upload"), code=303)


def _reachable(drawing_id: int) -> Drawing:
    """The drawing, if the staff member's areas hold its place (404, or 403)."""
    drawing = db.session().get(Drawing, drawing_id)
    if drawing is None:
        raise NotFoundError()
    place = db.session().get_one(Location, drawing.location_id)
    require(current_reach().covers_area(place.area_id))
    return drawing


@bp.get("/")
@requires(Permission.MODERATE)
def index() -> ResponseReturnValue:
    """The drawings of a state (waiting first), newest first, to approve or turn away."""
    try:
        state = PictureState(request.args.get("state", PictureState.PENDING.value))
    except ValueError:
        state = PictureState.PENDING
    reach = current_reach()
    places = None if reach.everywhere else reach.location_ids()
    session = db.session()
    shown = drawings_in(session, state, places)
    names = dict(
        session.execute(
            select(Location.id, Location.name).where(
                Location.id.in_({d.location_id for d in shown})
            )
        ).all()
    )
    return render_template(
        "staff/drawings/index.html",
        drawings=shown,
        state=state,
        states=STATE_NAMES,
        reasons=REASON_NAMES,
        place_names=names,
    )


@bp.get(f"{DRAWING}/picture")
@requires(Permission.MODERATE)
def picture(drawing_id: int) -> ResponseReturnValue:
    """The drawing's picture, for those who moderate its place (never cached)."""
    drawing = _reachable(drawing_id)
    mime = "image/png" if drawing.media_key.endswith(".png") else "image/jpeg"
    try:
        body = media_store().read(drawing.media_key)
    except FileNotFoundError:
        raise NotFoundError() from None
    return Response(body, mimetype=mime)


@bp.post(f"{DRAWING}/moderate")
@requires(Permission.MODERATE)
def moderate(drawing_id: int) -> ResponseReturnValue:
    """Approve a drawing, or turn it away with a reason."""
    drawing = _reachable(drawing_id)
    state = drawing.state.value
    try:
        moderate_drawing(
            db.session(),
            drawing,
            request.form.get("action", "")[:20],
            request.form.get("reason", "")[:20],
            actor=acting(),
        )
    except FormError as error:
        db.session().rollback()
        flash(field_errors(error)["reason"], "error")
        return redirect(url_for(".index", state=state), code=303)
    db.session().commit()
    flash(gettext("Drawing no. %(number)d: saved.", number=drawing.number))
    return redirect(url_for(".index", state=state), code=303)

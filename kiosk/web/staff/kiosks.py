"""Staff manage kiosk nodes: register and enrol, revoke, see contact and reconciliation."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext
from sqlalchemy.orm import Session

from kiosk.access.permissions import Permission
from kiosk.access.reach import codes_within, require
from kiosk.core.errors import N_, KioskError, NotFoundError
from kiosk.models import Device, Location, utcnow
from kiosk.printing.qr import qr_data_uri
from kiosk.setup.places import places_within
from kiosk.sync.aside import aside_overview, reject_aside, release_aside
from kiosk.sync.devices import (
    assign_places,
    kiosk_overview,
    new_enrolment,
    register_device,
    revoke,
)
from kiosk.sync.ingest import import_items
from kiosk.sync.node import BatchFileError, read_batch_file
from kiosk.web import db
from kiosk.web.auth import acting, current_reach, requires
from kiosk.web.shared import MAX_ID

bp = Blueprint("kiosks", __name__, url_prefix="/kiosks")


class KioskFormError(KioskError):
    """A kiosk form that cannot be used as filled in."""

    status = 422
    message = N_("Please give the kiosk a name and choose its place.")


def _page(status: int = 200, **context: object) -> ResponseReturnValue:
    session = db.session()
    silent_after = dt.timedelta(hours=current_app.config["KIOSK_SILENT_HOURS"])
    reach = current_reach()
    places = None if reach.everywhere else reach.location_ids()
    return render_template(
        "staff/kiosks/index.html",
        kiosks=kiosk_overview(session, now=utcnow(), silent_after=silent_after, places=places),
        locations=places_within(session, reach),
        aside=aside_overview(session, reach),
        reach=reach,
        silent_hours=current_app.config["KIOSK_SILENT_HOURS"],
        hammer_refusals=current_app.config["KIOSK_HAMMER_REFUSALS"],
        **context,
    ), status


@bp.get("/")
@requires(Permission.EDIT)
def index() -> ResponseReturnValue:
    """Every kiosk: last contact, clock, answers taken vs received; forms to add or import."""
    return _page()


def _enrolment_page(device: Device, code: str) -> ResponseReturnValue:
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    link = base.rstrip("/") + url_for("public.enrolment") + "#" + code
    return render_template(
        "staff/kiosks/enrolment.html", device=device, link=link, qr=qr_data_uri(link)
    )


@bp.post("/")
@requires(Permission.EDIT)
def register() -> ResponseReturnValue:
    """Register a kiosk; show its enrolment link and QR code once."""
    name = request.form.get("name", "").strip()
    raw_location = request.form.get("location", "")
    session = db.session()
    valid_id = re.fullmatch(r"[0-9]{1,9}", raw_location) is not None
    location = session.get(Location, int(raw_location)) if valid_id else None
    if location is not None:  # another area's place is refused as such (403)
        require(current_reach().covers_area(location.area_id))
    if not name or len(name) > 200 or location is None:
        return _page(422, error=gettext(KioskFormError.message), name=name[:200])
    device, code = register_device(session, name=name, location_id=location.id, actor=acting())
    session.commit()
    return _enrolment_page(device, code)


def _within_reach(session: Session, items: list[Any]) -> bool:
    """Tell whether every place an item of a carried file names lies within the member's reach.

    (An unknown place is refused item by item, as always.)
    """
    codes = {str(item.get("location", ""))[:40] for item in items if isinstance(item, dict)}
    return codes_within(session, current_reach(), codes)


def _device(device_id: int) -> Device:
    device = db.session().get(Device, device_id)
    if device is None:
        raise NotFoundError()
    require(current_reach().covers_area(device.location.area_id))
    return device


@bp.post(f"/<int(max={MAX_ID}):device_id>/revoke")
@requires(Permission.EDIT)
def revoke_device(device_id: int) -> ResponseReturnValue:
    """Stop a kiosk's token (it keeps what it has not sent)."""
    session = db.session()
    revoke(session, _device(device_id), actor=acting())
    session.commit()
    return redirect(url_for("staff.kiosks.index"), code=303)


@bp.post(f"/<int(max={MAX_ID}):device_id>/enrolment")
@requires(Permission.EDIT)
def reenrol(device_id: int) -> ResponseReturnValue:
    """A new one-time enrolment code for a kiosk (its old token stops working)."""
    session = db.session()
    device = _device(device_id)
    code = new_enrolment(session, device, actor=acting())
    session.commit()
    return _enrolment_page(device, code)


@bp.post(f"/<int(max={MAX_ID}):device_id>/places")
@requires(Permission.EDIT)
def places(device_id: int) -> ResponseReturnValue:
    """Choose the places a kiosk serves (among those within reach; its own stays)."""
    session = db.session()
    device = _device(device_id)
    raw = request.form.getlist("place")
    if len(raw) > 1000 or not all(re.fullmatch(r"[0-9]{1,9}", value) for value in raw):
        return _page(422, error=gettext(KioskFormError.message))
    assign_places(session, device, {int(v) for v in raw}, reach=current_reach(), actor=acting())
    session.commit()
    return redirect(url_for("staff.kiosks.index"), code=303)


def _aside_place(location_id: int) -> Location:
    """A place whose answers kept aside a member may decide on: within their reach."""
    location = db.session().get(Location, location_id)
    if location is None:
        raise NotFoundError()
    require(current_reach().covers_area(location.area_id))
    return location


ASIDE_ROUTE = f"/<int(max={MAX_ID}):device_id>/aside/<int(max={MAX_ID}):location_id>"


@bp.post(f"{ASIDE_ROUTE}/release")
@requires(Permission.EDIT)
def release(device_id: int, location_id: int) -> ResponseReturnValue:
    """Count what a kiosk sent for a place it is not assigned to (wishes go to moderation)."""
    session = db.session()
    _aside_place(location_id)
    catalog = db.catalog()
    with db.write_lock().held():
        counts = release_aside(
            session,
            catalog,
            device_id=device_id,
            location_id=location_id,
            wish_max_chars=current_app.config["WISH_MAX_CHARS"],
            actor=acting(),
        )
        session.commit()
    flash(
        gettext(
            "Released: %(stored)d answers count now (wishes wait for moderation), "
            "%(duplicate)d were here already, %(refused)d no longer fit and were kept aside.",
            stored=counts["stored"],
            duplicate=counts["duplicate"],
            refused=counts["conflict"] + counts["rejected"],
        )
    )
    return redirect(url_for("staff.kiosks.index"), code=303)


@bp.post(f"{ASIDE_ROUTE}/reject")
@requires(Permission.EDIT)
def reject(device_id: int, location_id: int) -> ResponseReturnValue:
    """Refuse what a kiosk sent for a place it is not assigned to: nothing is counted."""
    session = db.session()
    _aside_place(location_id)
    with db.write_lock().held():  # as a release: one decision at a time
        count = reject_aside(session, device_id=device_id, location_id=location_id, actor=acting())
        session.commit()
    flash(
        ngettext(
            "%(num)d answer rejected: it is not counted.",
            "%(num)d answers rejected: they are not counted.",
            count,
        )
    )
    return redirect(url_for("staff.kiosks.index"), code=303)


@bp.post("/import")
@requires(Permission.EDIT)
def import_file() -> ResponseReturnValue:
    """Store the answers of a batch file carried from a kiosk; twice changes nothing."""
    upload = request.files.get("batch")
    try:
        file_device, items = read_batch_file(upload.read() if upload else b"")
    except BatchFileError as error:
        return _page(422, import_error=gettext(error.message))
    session = db.session()
    device = session.get(Device, file_device) if file_device is not None else None
    if device is None:
        return _page(422, import_error=gettext("The file does not name a known kiosk."))
    require(current_reach().covers_area(device.location.area_id))
    require(_within_reach(session, items))  # a file naming another area's place: 403
    catalog = db.catalog()
    with db.write_lock().held():  # all of the write, or a vote meanwhile waits on SQLite
        counts = import_items(
            session,
            catalog,
            device,
            items,
            wish_max_chars=current_app.config["WISH_MAX_CHARS"],
            actor=acting(),
        )
        session.commit()
    return _page(imported=counts, imported_device=device)

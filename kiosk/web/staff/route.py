"""A climate walk's route (editors): station order, what each station shows, its picture."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from kiosk.access.permissions import Permission
from kiosk.access.reach import reaches_campaign, require
from kiosk.core.errors import FormError, NotFoundError
from kiosk.models import Campaign, Location
from kiosk.printing.route import Stop, route_png, route_svg
from kiosk.setup.route import Station, is_route, move_station, route_of, save_station_note
from kiosk.web import db
from kiosk.web.auth import acting, current_reach, requires
from kiosk.web.i18n import right_to_left
from kiosk.web.shared import MAX_ID, field_errors

bp = Blueprint("route", __name__, url_prefix="/setup/campaigns")

STATION = f"/<int(max={MAX_ID}):campaign_id>/stations/<int(max={MAX_ID}):location_id>"


def _route_campaign(campaign_id: int) -> Campaign:
    """The campaign, if it is a route within the staff member's reach (else 404 or 403)."""
    campaign = db.session().get(Campaign, campaign_id)
    if campaign is None:
        raise NotFoundError()
    require(reaches_campaign(db.session(), current_reach(), campaign_id))
    if not is_route(campaign):
        raise NotFoundError()
    return campaign


def _station_place(location_id: int) -> None:
    """A place of another area is not a slip of the hand: 403, as in every form naming one."""
    place = db.session().get(Location, location_id)
    if place is None:
        raise NotFoundError()
    require(current_reach().covers_area(place.area_id))


def _back(campaign_id: int) -> ResponseReturnValue:
    return redirect(url_for("staff.setup.campaign", campaign_id=campaign_id) + "#route", code=303)


@bp.post(f"{STATION}/move")
@requires(Permission.EDIT)
def move(campaign_id: int, location_id: int) -> ResponseReturnValue:
    """Move a station one place earlier or later on the route."""
    _station_place(location_id)
    _route_campaign(campaign_id)
    step = -1 if request.form.get("direction") == "up" else 1
    move_station(db.session(), campaign_id, location_id, step, actor=acting())
    db.session().commit()
    return _back(campaign_id)


@bp.post(f"{STATION}/note")
@requires(Permission.EDIT)
def note(campaign_id: int, location_id: int) -> ResponseReturnValue:
    """Say what is shown at a station."""
    _station_place(location_id)
    _route_campaign(campaign_id)
    try:
        save_station_note(
            db.session(),
            campaign_id,
            location_id,
            request.form.get("note", "")[:2000],
            actor=acting(),
        )
    except FormError as error:
        db.session().rollback()
        flash(field_errors(error)["note"], "error")
        return _back(campaign_id)
    db.session().commit()
    flash(gettext("Saved."))
    return _back(campaign_id)


def stops(route: list[Station]) -> list[Stop]:
    """The stations that have coordinates, as points of the route picture."""
    return [
        Stop(s.number, s.location.name, float(s.location.latitude), float(s.location.longitude))
        for s in route
        if s.location.latitude is not None and s.location.longitude is not None
    ]


@bp.get(f"/<int(max={MAX_ID}):campaign_id>/route.<any(svg, png):kind>")
@requires(Permission.VIEW)
def picture(campaign_id: int, kind: str) -> ResponseReturnValue:
    """The route drawn from its stations' coordinates: numbered points, north, a scale."""
    campaign = _route_campaign(campaign_id)
    route = route_of(db.session(), campaign_id)
    drawn = stops(route)
    if kind == "svg":
        body = str(route_svg(drawn, title=campaign.title, rtl=right_to_left()))
        return Response(body, mimetype="image/svg+xml")
    missing = len(route) - len(drawn)
    details = [gettext("%(count)d stations", count=len(route))]
    if missing:
        details.append(gettext("%(count)d without coordinates: not drawn", count=missing))
    png = route_png(drawn, title=campaign.title, details=details, rtl=right_to_left())
    response = Response(png, mimetype="image/png")
    response.headers["Content-Disposition"] = f'attachment; filename="route-{campaign_id}.png"'
    return response

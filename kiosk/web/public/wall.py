"""The public results wall: full screen, for a projector, refreshing itself."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug import Response

from kiosk.collect.catalog import CatalogCampaign
from kiosk.collect.showcase import approved_wishes
from kiosk.core.errors import NotFoundError
from kiosk.models import utcnow
from kiosk.printing.qr import public_qr_data_uri
from kiosk.web import db
from kiosk.web.hooks import htmx
from kiosk.web.shared import MAX_ID, public_link, results_snapshot

bp = Blueprint("wall", __name__, url_prefix="/wall")


@bp.after_request
def _vary(response: Response) -> Response:
    # The same address answers with the whole wall or, for its own refresh, the board.
    response.vary.add("HX-Request")
    return response


WALL_WISHES = 8


def _wall(campaign: CatalogCampaign | None, location_id: int | None, **context: object) -> str:
    """The whole wall, or (for its own refresh) the board alone."""
    results, wishes = [], []
    if campaign is not None:
        results = results_snapshot(campaign, location_id)  # the same snapshot as the kiosk's
        wishes = approved_wishes(db.session(), campaign.id, location_id, limit=WALL_WISHES)
    return render_template(
        "public/wall/_board.html" if htmx else "public/wall/index.html",
        campaign=campaign,
        results=results,
        wishes=wishes,
        updated=utcnow(),
        refresh=current_app.config["WALL_REFRESH_SECONDS"],
        here=request.path,
        **context,
    )


@bp.get("/<code>")
def place(code: str) -> ResponseReturnValue:
    """A place's wall: the campaign running there (or the one that ended last)."""
    catalog = db.catalog()
    location = catalog.location(code)
    now = utcnow()
    campaign = catalog.running_campaign(location, now) or catalog.ended_campaign(location, now)
    link = public_link(location.code)
    return _wall(
        campaign,
        location.id,
        heading=location.name,
        link=link,
        qr=public_qr_data_uri(link),
    )


@bp.get(f"/campaign/<int(max={MAX_ID}):campaign_id>")
def campaign(campaign_id: int) -> ResponseReturnValue:
    """A campaign's wall: its results at all its places together (once it has started)."""
    found = db.catalog().campaigns.get(campaign_id)
    now = utcnow()
    if found is None or not found.location_ids or not (found.starts_at and found.starts_at <= now):
        raise NotFoundError()
    return _wall(found, None, heading=found.title, link=None, qr=None)

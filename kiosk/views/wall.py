"""The public results wall: full screen, for a projector, refreshing itself."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue

from kiosk import db
from kiosk.catalog import CatalogCampaign
from kiosk.errors import NotFoundError
from kiosk.models import utcnow
from kiosk.qr import qr_data_uri
from kiosk.showcase import approved_wishes, public_results
from kiosk.views.staff import MAX_ID
from kiosk.web import htmx

bp = Blueprint("wall", __name__, url_prefix="/wall")
WALL_WISHES = 8


def _wall(campaign: CatalogCampaign | None, location_id: int | None, **context: object) -> str:
    """The whole wall, or (for its own refresh) the board alone."""
    results, wishes = [], []
    if campaign is not None:
        session = db.session()
        results = public_results(
            session,
            campaign,
            location_id,
            now=utcnow(),
            min_answers=current_app.config["PUBLIC_RESULTS_MIN_ANSWERS"],
        )
        wishes = approved_wishes(session, campaign.id, location_id, limit=WALL_WISHES)
    return render_template(
        "wall/_board.html" if htmx else "wall/index.html",
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
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    link = base.rstrip("/") + url_for("public.start", prefix="q", code=location.code)
    return _wall(
        campaign,
        location.id,
        heading=location.name,
        link=link,
        qr=qr_data_uri(link),
    )


@bp.get(f"/campaign/<int(max={MAX_ID}):campaign_id>")
def campaign(campaign_id: int) -> ResponseReturnValue:
    """A campaign's wall: its results at all its places together."""
    found = db.catalog().campaigns.get(campaign_id)
    if found is None:
        raise NotFoundError()
    return _wall(found, None, heading=found.title, link=None, qr=None)

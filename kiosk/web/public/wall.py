"""The public results wall: full screen, for a projector, refreshing itself."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import TypeVar

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


WALL_WISHES = 8  # the newest; the wall shows as many of them as fit its screen
WALL_CARDS = 4  # results side by side on one screen; more take turns, a few at a time

T = TypeVar("T")


def in_turn(items: Sequence[T], per_screen: int, refresh: int, now: dt.datetime) -> list[T]:
    """The items on the wall now: all of them if they fit one screen, else a few in turn.

    The few change with each refresh, and every wall shows the same ones at the same time.
    """
    if len(items) <= per_screen:
        return list(items)
    screens = math.ceil(len(items) / per_screen)
    turn = int(now.timestamp() // max(refresh, 1)) % screens
    return list(items[turn * per_screen : (turn + 1) * per_screen])


def shown_link(link: str) -> str:
    """A link as a wall writes it for people to type: without "https://" (phones add it)."""
    return link.split("://", 1)[-1].removeprefix("www.")


def _wall(campaign: CatalogCampaign | None, location_id: int | None, **context: object) -> str:
    """The whole wall, or (for its own refresh) the board alone."""
    results, wishes = [], []
    now, refresh = utcnow(), current_app.config["WALL_REFRESH_SECONDS"]
    if campaign is not None:
        results = results_snapshot(campaign, location_id)  # the same snapshot as the kiosk's
        wishes = approved_wishes(db.session(), campaign.id, location_id, limit=WALL_WISHES)
    return render_template(
        "public/wall/_board.html" if htmx else "public/wall/index.html",
        campaign=campaign,
        results=in_turn(results, WALL_CARDS, refresh, now),
        wishes=wishes,
        updated=now,
        refresh=refresh,
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
        link=shown_link(link),
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

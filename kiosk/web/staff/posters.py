"""Posters to print, per place and per campaign, and the organiser's logo on them.

Per place: a preview, A4 and A3 as PDF or PNG, the bare QR code and stickers; per campaign:
every place's poster and stickers in one PDF, and the logo in the middle of the codes.
"""

from __future__ import annotations

import io
import ipaddress
from urllib.parse import urlsplit

import qrcode
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from qrcode.image.svg import SvgPathImage

from kiosk.access.permissions import Permission
from kiosk.access.reach import reaches_campaign, require
from kiosk.core.errors import N_, KioskError, NotFoundError
from kiosk.models import Campaign, Location, utcnow
from kiosk.printing.logos import (
    MAX_BYTES,
    LogoError,
    campaign_logo,
    normalise_logo,
    remove_campaign_logo,
    set_campaign_logo,
)
from kiosk.printing.posters import (
    PaperSize,
    PosterLabelError,
    Sticker,
    pdf_pages,
    poster_image,
    render_poster,
    sticker_sheet_image,
)
from kiosk.printing.typefaces import can_shape_arabic
from kiosk.web import db
from kiosk.web.auth import acting, current_reach, requires
from kiosk.web.shared import (
    MAX_ID,
    load_location,
    poster_content,
    poster_link,
    public_link,
    station_line,
)

bp = Blueprint("posters", __name__, url_prefix="/location")
campaigns = Blueprint("campaign_posters", __name__, url_prefix="/campaign")
PLACE = f"<int(max={MAX_ID}):location_id>"


def only_reachable_here(host: str) -> bool:
    """Whether an address (host[:port]) is one only this computer or its network reaches.

    localhost, a bare machine name, a .local name, or an IP address that is not global
    (loopback, private, link-local, shared, documentation).
    """
    try:
        name = (urlsplit(f"//{host}").hostname or "").rstrip(".")
    except ValueError:  # not an address at all
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return "." not in name or name.endswith((".local", ".localhost", ".lan", ".internal"))
    return not address.is_global


def _public_address() -> dict[str, object]:
    """What the poster pages say about the address the codes lead to, when none is set."""
    return {
        "public_url": current_app.config["PUBLIC_URL"],
        "address_used": request.host_url.rstrip("/"),
        "only_here": only_reachable_here(request.host),
    }


bp.context_processor(_public_address)
campaigns.context_processor(_public_address)


class NoPlacesError(KioskError):
    """A campaign without places has no posters to print."""

    status = 422
    message = N_("This campaign has no places yet: choose them first, then print.")


@bp.get(f"/{PLACE}/poster")
def preview(location_id: int) -> ResponseReturnValue:
    """A print preview of the place's poster, with its downloads."""
    location = load_location(location_id)
    label = request.args.get("poster", "").strip()[:40]  # shown as typed
    try:
        link = poster_link(location)
    except PosterLabelError as error:
        page = render_template(
            "staff/posters/preview.html", location=location, link=None, label=label,
            error=gettext(error.message), arabic_ok=can_shape_arabic(),
        )  # fmt: skip
        return page, error.status
    return render_template(
        "staff/posters/preview.html", location=location, link=link, label=label, error=None,
        arabic_ok=can_shape_arabic(),
    )  # fmt: skip


@bp.get(f"/{PLACE}/poster-preview.png")
def preview_png(location_id: int) -> ResponseReturnValue:
    """A small picture of the A4 poster for the preview page."""
    image = poster_image(poster_content(load_location(location_id)))
    image.thumbnail((700, 1000))
    out = io.BytesIO()
    image.save(out, "PNG")
    return Response(out.getvalue(), mimetype="image/png")


@bp.get(f"/{PLACE}/poster-<any(a4, a3):size>.<any(pdf, png):fmt>")
def poster(location_id: int, size: str, fmt: str) -> ResponseReturnValue:
    """The poster to print: A4 or A3, as a PDF or a PNG at 300 dpi."""
    location = load_location(location_id)
    body = render_poster(poster_content(location), PaperSize(size), fmt=fmt)
    name = f"poster-{location.code}-{size}.{fmt}"
    if fmt == "pdf":
        return _pdf(body, name)
    response = Response(body, mimetype="image/png")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get(f"/{PLACE}/qr.svg")
def qr_svg(location_id: int) -> ResponseReturnValue:
    """The bare QR code of the place's link as SVG, for one's own layouts."""
    location = load_location(location_id)
    out = io.BytesIO()
    qrcode.make(poster_link(location), image_factory=SvgPathImage, box_size=10, border=4).save(out)
    response = Response(out.getvalue(), mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'attachment; filename="qr-{location.code}.svg"'
    return response


@bp.get(f"/{PLACE}/stickers.pdf")
def stickers(location_id: int) -> ResponseReturnValue:
    """A sheet of 15 stickers of the place's code, each with its name and link."""
    location = load_location(location_id)
    catalog, now = db.catalog(), utcnow()
    place = catalog.locations.get(location.code)
    shown = place and (catalog.running_campaign(place, now) or catalog.next_campaign(place, now))
    station = station_line(shown or None, location.id)
    sheet = sticker_sheet_image((Sticker(location.name, poster_link(location), station),) * 15)
    return _pdf(pdf_pages([sheet], title=location.name), f"stickers-{location.code}.pdf")


def load_campaign(campaign_id: int) -> Campaign:
    """The campaign, if the staff member's areas reach it (404: no such campaign; 403)."""
    campaign = db.session().get(Campaign, campaign_id)
    if campaign is None:
        raise NotFoundError()
    require(reaches_campaign(db.session(), current_reach(), campaign.id))
    return campaign


def campaign_places(campaign_id: int) -> list[Location]:
    """The places of a campaign (404: no such campaign; 403 out of reach); a route's in order."""
    places = list(load_campaign(campaign_id).locations)
    shown = db.catalog().campaigns.get(campaign_id)
    if shown is not None and shown.stations:
        numbers = {s.location_id: s.number for s in shown.stations}
        places.sort(key=lambda place: numbers.get(place.id, len(numbers) + 1))
    return places


CAMPAIGN = f"<int(max={MAX_ID}):campaign_id>"


@campaigns.get(f"/{CAMPAIGN}/posters")
def campaign_page(campaign_id: int) -> ResponseReturnValue:
    """A campaign's posters: every place's downloads, and the organiser's logo."""
    return _campaign_page(load_campaign(campaign_id), None)


def _campaign_page(campaign: Campaign, error: str | None) -> str:
    has_logo = campaign_logo(db.session(), campaign.id) is not None
    return render_template(
        "staff/posters/campaign.html", campaign=campaign, has_logo=has_logo, error=error,
        max_megabytes=MAX_BYTES // (1024 * 1024),
    )  # fmt: skip


@campaigns.post(f"/{CAMPAIGN}/poster-logo")
@requires(Permission.EDIT)
def upload_logo(campaign_id: int) -> ResponseReturnValue:
    """Put the organiser's logo on a campaign's posters (PNG, JPEG or WebP, at most 2 MB)."""
    campaign = load_campaign(campaign_id)
    upload = request.files.get("logo")
    try:
        png = normalise_logo(upload.stream.read(MAX_BYTES + 1) if upload else b"")
    except LogoError as error:
        return _campaign_page(campaign, gettext(error.message)), error.status
    session = db.session()
    set_campaign_logo(session, campaign.id, png, actor=acting())
    session.commit()
    flash(gettext("The logo is on the posters now."))
    return redirect(url_for(".campaign_page", campaign_id=campaign.id), code=303)


@campaigns.post(f"/{CAMPAIGN}/poster-logo/remove")
@requires(Permission.EDIT)
def remove_logo(campaign_id: int) -> ResponseReturnValue:
    """Take the logo off a campaign's posters."""
    campaign = load_campaign(campaign_id)
    session = db.session()
    if remove_campaign_logo(session, campaign.id, actor=acting()):
        session.commit()
        flash(gettext("The posters have no logo now."))
    return redirect(url_for(".campaign_page", campaign_id=campaign.id), code=303)


@campaigns.get(f"/{CAMPAIGN}/poster-logo.png")
def logo_png(campaign_id: int) -> ResponseReturnValue:
    """The campaign's poster logo as stored (404 when it has none)."""
    png = campaign_logo(db.session(), load_campaign(campaign_id).id)
    if png is None:
        raise NotFoundError()
    return Response(png, mimetype="image/png")


@campaigns.get(f"/{CAMPAIGN}/posters-<any(a4, a3):size>.pdf")
def campaign_posters(campaign_id: int, size: str) -> ResponseReturnValue:
    """Every place's poster of a campaign, a page each, in one PDF."""
    places = campaign_places(campaign_id)
    if not places:
        raise NoPlacesError()
    pages = [poster_image(poster_content(place, campaign_id), PaperSize(size)) for place in places]
    return _pdf(pdf_pages(pages), f"posters-campaign-{campaign_id}-{size}.pdf")


@campaigns.get(f"/{CAMPAIGN}/stickers.pdf")
def campaign_stickers(campaign_id: int) -> ResponseReturnValue:
    """Stickers of every place of a campaign, five of each, 15 to a sheet."""
    places = campaign_places(campaign_id)
    if not places:
        raise NoPlacesError()
    shown = db.catalog().campaigns.get(campaign_id)
    stickers = [
        Sticker(place.name, public_link(place.code), station_line(shown, place.id))
        for place in places
        for _ in range(5)
    ]
    sheets = [
        sticker_sheet_image(tuple(stickers[start : start + 15]))
        for start in range(0, len(stickers), 15)
    ]
    return _pdf(pdf_pages(sheets), f"stickers-campaign-{campaign_id}.pdf")


def _pdf(body: bytes, name: str) -> Response:
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

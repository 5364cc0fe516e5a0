"""Posters of a place to print: a preview page, A4 and A3 as PDF or PNG, the bare QR code."""

from __future__ import annotations

import io

import qrcode
from flask import Blueprint, Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, gettext
from flask_login import login_required
from qrcode.image.svg import SvgPathImage

from kiosk import db
from kiosk.auth import current_reach
from kiosk.errors import NotFoundError
from kiosk.i18n import localized
from kiosk.models import Location, QuestionKind, utcnow
from kiosk.posters import (
    PaperSize,
    PosterAnswer,
    PosterContent,
    PosterLabelError,
    poster_image,
    poster_key,
    poster_token,
    render_poster,
)
from kiosk.reach import reaches_location, require
from kiosk.views.staff import MAX_ID, public_link

bp = Blueprint("posters", __name__, url_prefix="/staff/location")
PLACE = f"<int(max={MAX_ID}):location_id>"
# "Take part" in further languages, as the poster prints it beneath the link.
OTHER_LANGUAGES = (
    "Katılın: kodu telefon kameranızla okutun",
    "Долучайтеся: відскануйте код камерою телефону",
)


@bp.before_request
@login_required
def _require_login() -> None:
    """Every poster needs a logged-in staff member."""


def _location(location_id: int) -> Location:
    location = db.session().get(Location, location_id)
    if location is None:
        raise NotFoundError()
    require(reaches_location(db.session(), current_reach(), location.id))
    return location


def poster_link(location: Location) -> str:
    """The place's link for a poster: with ?p=<label>.<signature> when staff gave a label.

    A bad label raises PosterLabelError (422).
    """
    link = public_link(location.code)
    label = request.args.get("poster", "").strip().lower()[:40]
    if not label:
        return link
    key = poster_key(current_app.config["SECRET_KEY"])
    return f"{link}?p={poster_token(key, location.code, label)}"


def poster_content(location: Location) -> PosterContent:
    """What the poster of a place shows: the first question of the campaign running there."""
    catalog = db.catalog()
    place = catalog.locations.get(location.code)
    campaign = catalog.running_campaign(place, utcnow()) if place else None
    if campaign is None and place and place.campaign_ids:
        campaign = catalog.campaigns[place.campaign_ids[0]]  # one that has not begun yet
    first = (
        next((q for q in campaign.questions if q.kind != QuestionKind.WISH), None)
        if campaign
        else None
    )
    headline = localized(first.texts) if first else gettext("Your opinion on this place")
    answers = tuple(
        PosterAnswer(localized(o.texts), o.colour) for o in (first.visible_options if first else ())
    )
    with force_locale("en"):
        english = gettext("Take part: scan the code with your phone camera")
    organiser = current_app.config["POSTER_ORGANISER"]
    footer = " ".join(
        part
        for part in (
            gettext("A survey by %(organiser)s.", organiser=organiser) if organiser else "",
            gettext("Anonymous: no name, no sign-up. The link above leads to the same questions."),
        )
        if part
    )
    return PosterContent(
        headline=headline,
        place=location.name,
        link=poster_link(location),
        call=gettext("Take part: scan the code or type the link"),
        answers=answers,
        other_languages=(english, *OTHER_LANGUAGES),
        footer=footer,
    )


@bp.get(f"/{PLACE}/poster")
def preview(location_id: int) -> ResponseReturnValue:
    """A print preview of the place's poster, with its downloads."""
    location = _location(location_id)
    label = request.args.get("poster", "").strip().lower()[:40]
    try:
        link = poster_link(location)
    except PosterLabelError as error:
        page = render_template(
            "posters/preview.html", location=location, link=None, label=label,
            error=gettext(error.message),
        )  # fmt: skip
        return page, error.status
    return render_template(
        "posters/preview.html", location=location, link=link, label=label, error=None
    )


@bp.get(f"/{PLACE}/poster-preview.png")
def preview_png(location_id: int) -> ResponseReturnValue:
    """A small picture of the A4 poster for the preview page."""
    image = poster_image(poster_content(_location(location_id)))
    image.thumbnail((700, 1000))
    out = io.BytesIO()
    image.save(out, "PNG")
    return Response(out.getvalue(), mimetype="image/png")


@bp.get(f"/{PLACE}/poster-<any(a4, a3):size>.<any(pdf, png):fmt>")
def poster(location_id: int, size: str, fmt: str) -> ResponseReturnValue:
    """The poster to print: A4 or A3, as a PDF or a PNG at 300 dpi."""
    location = _location(location_id)
    body = render_poster(poster_content(location), PaperSize(size), fmt=fmt)
    response = Response(body, mimetype="application/pdf" if fmt == "pdf" else "image/png")
    name = f"poster-{location.code}-{size}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get(f"/{PLACE}/qr.svg")
def qr_svg(location_id: int) -> ResponseReturnValue:
    """The bare QR code of the place's link as SVG, for one's own layouts."""
    location = _location(location_id)
    out = io.BytesIO()
    qrcode.make(poster_link(location), image_factory=SvgPathImage, box_size=10, border=4).save(out)
    response = Response(out.getvalue(), mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'attachment; filename="qr-{location.code}.svg"'
    return response

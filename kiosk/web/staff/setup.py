"""Setting up areas, places and campaigns (editors); bad input gets a message per field.

Which campaign a place shows is told on the place's and the campaign's pages (and warned of
when a campaign is saved), with a way to pin one per place.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from kiosk.access.permissions import Permission
from kiosk.access.reach import reaches_campaign, require
from kiosk.collect.catalog import Overlap
from kiosk.core.errors import N_, FormError, NotFoundError
from kiosk.core.languages import KNOWN
from kiosk.models import Area, Campaign, Location, Question, utcnow
from kiosk.setup.campaign_templates import FORMAT_NAMES, TEMPLATES
from kiosk.setup.campaigns import (
    NEW_PLACE,
    CampaignForm,
    campaigns_newest_first,
    copy_campaign,
    create_campaign,
    pin_campaign,
    shown_day,
    update_campaign,
    wants_new_place,
)
from kiosk.setup.content_translations import (
    german_changed_under_translations,
    german_of,
    progress,
    translations_to_check,
)
from kiosk.setup.places import (
    NAME_MAX,
    PlaceForm,
    areas_with_places,
    save_area,
    save_place,
    suggest_code,
)
from kiosk.setup.questions import (
    MAX_OPTIONS,
    PICTOGRAMS,
    OptionForm,
    QuestionForm,
    add_question,
    campaign_answered,
    load_question,
    move_question,
    option_uses,
    save_question,
    typed_limits,
)
from kiosk.setup.route import ask_at, is_route, route_of, station_of
from kiosk.web import db
from kiosk.web.auth import acting, current_reach, requires
from kiosk.web.i18n import local_date
from kiosk.web.shared import MAX_ID, field_errors, load_location

bp = Blueprint("setup", __name__, url_prefix="/setup")


def _areas() -> list[Area]:
    """The areas within the staff member's reach, with their places."""
    return areas_with_places(db.session(), current_reach())


def _campaign_in_reach(campaign_id: int) -> None:
    require(reaches_campaign(db.session(), current_reach(), campaign_id))


def _places_page(errors: dict[str, str], form: dict[str, Any]) -> str:
    catalog, now = db.catalog(), utcnow()
    shows = {
        place.id: shown
        for place in catalog.locations.values()
        if (shown := catalog.running_campaign(place, now)) is not None
    }
    return render_template(
        "staff/setup/places.html", areas=_areas(), errors=errors, form=form, shows=shows
    )


@bp.get("/places")
@requires(Permission.EDIT)
def places() -> ResponseReturnValue:
    """Areas and their places (each with the campaign it shows now), a form for a new area."""
    return _places_page({}, {})


@bp.post("/areas")
@bp.post(f"/areas/<int(max={MAX_ID}):area_id>")
@requires(Permission.EDIT)
def area(area_id: int | None = None) -> ResponseReturnValue:
    """Create an area, or rename one (new areas: staff who work everywhere)."""
    session = db.session()
    reach = current_reach()
    require(reach.everywhere if area_id is None else reach.covers_area(area_id))
    try:
        saved = save_area(session, area_id, name=request.form.get("name", ""), actor=acting())
    except FormError as error:
        errors = field_errors(error)
        form = {"name": request.form.get("name", ""), "area_id": area_id}
        return _places_page(errors, form), 422
    session.commit()
    flash(gettext("Saved: %(name)s.", name=saved.name))
    return redirect(url_for(".places"), code=303)


def _place_page(
    location: Location | None,
    form: dict[str, Any],
    errors: dict[str, str],
    pin_errors: dict[str, str] | None = None,
) -> str:
    """The place's form, and what it shows with the campaigns there to pin one of."""
    catalog, now = db.catalog(), utcnow()
    here = catalog.locations.get(location.code) if location is not None else None
    return render_template(
        "staff/setup/place.html",
        location=location,
        areas=_areas(),
        form=form,
        errors=errors,
        here=here,
        shown=catalog.running_campaign(here, now) if here else None,
        states=catalog.states(here, now) if here else [],
        pin_errors=pin_errors or {},
    )


def _place_form(location: Location) -> dict[str, str]:
    return {
        "area_id": str(location.area_id),
        "name": location.name,
        "code": location.code,
        "address": location.address or "",
        "opening_hours": location.opening_hours or "",
        "latitude": "" if location.latitude is None else str(location.latitude),
        "longitude": "" if location.longitude is None else str(location.longitude),
    }


@bp.route("/places/new", methods=["GET", "POST"])
@bp.route(f"/places/<int(max={MAX_ID}):location_id>", methods=["GET", "POST"])
@requires(Permission.EDIT)
def place(location_id: int | None = None) -> ResponseReturnValue:
    """The form of a new place, or of one to change."""
    session = db.session()
    location = session.get(Location, location_id) if location_id is not None else None
    if location_id is not None and location is None:
        return _place_page(None, {}, {}), 404
    if location is not None:
        require(current_reach().covers_area(location.area_id))
    if request.method == "GET":
        form = _place_form(location) if location else {"area_id": request.args.get("area", "")}
        return _place_page(location, form, {})
    sent = {name: request.form.get(name, "")[:1000] for name in PlaceForm.__dataclass_fields__}
    try:
        saved = save_place(
            session, location_id, PlaceForm(**sent), reach=current_reach(), actor=acting()
        )
    except FormError as error:
        return _place_page(location, sent, field_errors(error)), 422
    session.commit()
    flash(gettext("Saved: %(name)s.", name=saved.name))
    return redirect(url_for(".places"), code=303)


@bp.post(f"/places/<int(max={MAX_ID}):location_id>/pin")
@requires(Permission.EDIT)
def pin(location_id: int) -> ResponseReturnValue:
    """Pin one of a place's campaigns there, or none (then the one started last shows)."""
    session = db.session()
    location = load_location(location_id)
    try:
        pinned = pin_campaign(
            session,
            location_id,
            request.form.get("campaign_id", "")[:20],
            reach=current_reach(),
            actor=acting(),
        )
    except FormError as error:
        errors = field_errors(error)
        return _place_page(location, _place_form(location), {}, errors), 422
    session.commit()
    catalog = db.catalog()
    if pinned is None:
        flash(gettext("Nothing pinned at %(place)s: the campaign started last shows.",
                      place=location.name))  # fmt: skip
    else:
        flash(gettext("Pinned at %(place)s: “%(campaign)s” shows there while it is open.",
                      place=location.name, campaign=catalog.campaigns[pinned].title))  # fmt: skip
    back = request.form.get("from_campaign", "")
    if back.isdecimal() and len(back) < 10:
        return redirect(url_for(".campaign", campaign_id=int(back)) + "#showing", code=303)
    return redirect(url_for(".place", location_id=location_id) + "#showing", code=303)


@bp.get("/places/code")
@requires(Permission.EDIT)
def code_hint() -> ResponseReturnValue:
    """The hint under a new place's code, with the code its name would get (htmx, as typed)."""
    name = request.args.get(NEW_PLACE + "name", "")[:NAME_MAX]
    suggestion = suggest_code(db.session(), name) if name.strip() else None
    return render_template("staff/setup/_code_hint.html", suggestion=suggestion)


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _campaign_page(
    campaign: Campaign | None,
    form: dict[str, Any],
    errors: dict[str, str],
    question_errors: dict[str, str] | None = None,
) -> str:
    return render_template(
        "staff/setup/campaign.html",
        campaign=campaign,
        form=form,
        errors=errors,
        question_errors=question_errors or {},
        sent=request.form if question_errors else {},
        areas=_areas(),
        templates=TEMPLATES.values(),
        pictograms=PICTOGRAMS,
        max_options=6,
        progress=progress(campaign, current_app.config["LANGUAGES"]) if campaign else {},
        known=KNOWN,
        showing=db.catalog().showing(campaign.id, utcnow()) if campaign else [],
        formats=FORMAT_NAMES,
        route=_route(campaign),
        suggestion=_suggestion(form),
        new_place_open=any(name.startswith(NEW_PLACE) for name in errors)
        or any(str(form.get(NEW_PLACE + name, "")).strip() for name in ("name", "code", "address")),
    )


def _route(campaign: Campaign | None) -> list[Any]:
    """A climate walk's stations in order (else none), for its page and its questions'."""
    if campaign is None or not is_route(campaign):
        return []
    return route_of(db.session(), campaign.id)


def _suggestion(form: dict[str, Any]) -> str | None:
    """The code a new place of the campaign's form would get, when its code is left empty."""
    name = str(form.get(NEW_PLACE + "name", ""))[:NAME_MAX]
    if not name.strip() or str(form.get(NEW_PLACE + "code", "")).strip():
        return None
    return suggest_code(db.session(), name)


def _campaign_form(found: Campaign) -> dict[str, Any]:
    zone = _zone()
    return {
        "title": found.title,
        "intro_de": (found.intro or {}).get("de", ""),
        "intro_en": (found.intro or {}).get("en", ""),
        "starts_on": _local_day(found.starts_at, zone),
        "ends_on": _local_day(found.ends_at, zone, last=True),
        "location_ids": [str(loc.id) for loc in found.locations],
        "format": str(found.format),
    }


@bp.get("/campaigns")
@requires(Permission.EDIT)
def campaigns() -> ResponseReturnValue:
    """All campaigns, newest first, with a way to make one from a template or a copy."""
    shown = campaigns_newest_first(db.session(), current_reach())
    return render_template("staff/setup/campaigns.html", campaigns=shown)


NEW_PLACE_FIELDS = ("area_id", "name", "code", "address")  # of PlaceForm, as place_<name>


def _sent_campaign() -> dict[str, Any]:
    sent: dict[str, Any] = {
        name: request.form.get(name, "")[:2000]
        for name in ("title", "intro_de", "intro_en", "starts_on", "ends_on", "template", "format")
    }
    sent["location_ids"] = request.form.getlist("location_ids")[:1000]
    for name in NEW_PLACE_FIELDS:
        sent[NEW_PLACE + name] = request.form.get(NEW_PLACE + name, "")[:1000]
    return sent


def _campaign_form_of(sent: dict[str, Any]) -> CampaignForm:
    """The campaign form's fields, the new place's among them."""
    fields = {name: value for name, value in sent.items() if not name.startswith(NEW_PLACE)}
    place = PlaceForm(**{name: sent[NEW_PLACE + name] for name in NEW_PLACE_FIELDS})
    return CampaignForm(**fields, new_place=place)


def _flash_saved(campaign: Campaign, new_place: bool) -> None:
    """Saved, the new place's link, and where the campaign hides another or is hidden."""
    flash(gettext("Saved: %(name)s.", name=campaign.title))
    if new_place:
        made = max(campaign.locations, key=lambda place: place.id)
        flash(gettext("New place: %(place)s, its link ends in /q/%(code)s.",
                      place=made.name, code=made.code))  # fmt: skip
    now = utcnow()
    for overlap in db.catalog().overlaps(campaign.id, now):
        flash("⚠️ " + _overlap_message(overlap, campaign.id, now))


# Where a campaign saved hides another at a place, or is hidden there: now, or from a date on.
HIDES = {
    False: N_(
        "This campaign shows at %(place)s now and hides “%(other)s” there. "
        "To show “%(other)s” instead, pin it on the place's page."
    ),
    True: N_(
        "From %(date)s this campaign shows at %(place)s and hides “%(other)s” there. "
        "To show “%(other)s” instead, pin it on the place's page."
    ),
}
HIDDEN_BY_PIN = {
    False: N_(
        "“%(other)s” shows at %(place)s now, not this campaign: it is pinned there. "
        "To show this one, pin it there below."
    ),
    True: N_(
        "From %(date)s “%(other)s” shows at %(place)s, not this campaign: it is pinned there. "
        "To show this one, pin it there below."
    ),
}
HIDDEN_BY_LATER = {
    False: N_(
        "“%(other)s” shows at %(place)s now, not this campaign: where campaigns overlap, the "
        "one started last shows. To show this one, pin it there below."
    ),
    True: N_(
        "From %(date)s “%(other)s” shows at %(place)s, not this campaign: where campaigns "
        "overlap, the one started last shows. To show this one, pin it there below."
    ),
}


def _overlap_message(overlap: Overlap, campaign_id: int, now: dt.datetime) -> str:
    """A warning, in words, that this campaign hides another at a place or is hidden there."""
    soon = overlap.since > now
    if overlap.shown.id == campaign_id:
        message, other = HIDES[soon], overlap.hidden.title
    else:
        message = (HIDDEN_BY_PIN if overlap.pinned else HIDDEN_BY_LATER)[soon]
        other = overlap.shown.title
    text: str = gettext(
        message, place=overlap.location.name, other=other, date=local_date(overlap.since)
    )
    return text


def _local_day(moment: dt.datetime | None, zone: ZoneInfo, *, last: bool = False) -> str:
    """The day a stored moment falls on, for a date field (an end shows the day before)."""
    day = shown_day(moment, zone, last=last)
    return day.isoformat() if day else ""


@bp.app_template_global("last_day")
def last_day(moment: dt.datetime | None) -> dt.date | None:
    """A campaign's last day as staff chose it (its end is the next day's start)."""
    return shown_day(moment, _zone(), last=True)


@bp.route("/campaigns/new", methods=["GET", "POST"])
@requires(Permission.EDIT)
def new_campaign() -> ResponseReturnValue:
    """Make a campaign from a template: title, days, places."""
    if request.method == "GET":
        return _campaign_page(None, {"template": request.args.get("template", "pop-up")}, {})
    sent = _sent_campaign()
    session = db.session()
    form = _campaign_form_of(sent)
    try:
        campaign = create_campaign(
            session, form, zone=_zone(), reach=current_reach(), actor=acting()
        )
    except FormError as error:
        return _campaign_page(None, sent, field_errors(error)), 422
    session.commit()
    _flash_saved(campaign, wants_new_place(form.new_place))
    return redirect(url_for(".campaign", campaign_id=campaign.id), code=303)


@bp.route(f"/campaigns/<int(max={MAX_ID}):campaign_id>", methods=["GET", "POST"])
@requires(Permission.EDIT)
def campaign(campaign_id: int) -> ResponseReturnValue:
    """A campaign's title, invitation, days and places, and its questions."""
    session = db.session()
    found = session.get(Campaign, campaign_id)
    if found is None:
        raise NotFoundError()
    _campaign_in_reach(campaign_id)
    if request.method == "GET":
        return _campaign_page(found, _campaign_form(found), {})
    sent = _sent_campaign()
    sent.pop("template")
    german = (found.intro or {}).get("de", "")
    form = _campaign_form_of(sent)
    try:
        update_campaign(
            session, campaign_id, form, zone=_zone(), reach=current_reach(), actor=acting()
        )
    except FormError as error:
        errors = field_errors(error)
        return _campaign_page(session.get(Campaign, campaign_id), sent, errors), 422
    session.commit()
    _flash_saved(found, wants_new_place(form.new_place))
    if german_changed_under_translations(german, found.intro or {}):
        flash(gettext("The German text changed: please check its translations (Languages)."))
    return redirect(url_for(".campaign", campaign_id=campaign_id), code=303)


@bp.post(f"/campaigns/<int(max={MAX_ID}):campaign_id>/copy")
@requires(Permission.EDIT)
def copy(campaign_id: int) -> ResponseReturnValue:
    """A copy of a campaign's questions, to run again elsewhere or later."""
    session = db.session()
    original = session.get(Campaign, campaign_id)
    if original is None:
        raise NotFoundError()
    _campaign_in_reach(campaign_id)
    made = copy_campaign(
        session,
        campaign_id,
        title=gettext("Copy of %(title)s", title=original.title),
        actor=acting(),
    )
    session.commit()
    flash(gettext("Copied. Choose its days and places, then save."))
    return redirect(url_for(".campaign", campaign_id=made.id), code=303)


def _option_rows(count: int) -> list[OptionForm]:
    """The option rows of a sent question form (o0-de, o0-emoji, …)."""
    form = request.form
    return [
        OptionForm(
            id=form.get(f"o{i}-id", "")[:12],
            de=form.get(f"o{i}-de", "")[:500],
            en=form.get(f"o{i}-en", "")[:500],
            emoji=form.get(f"o{i}-emoji", "")[:16],
            colour=form.get(f"o{i}-colour", "#4a7c59")[:16],
            hidden=form.get(f"o{i}-hidden") == "yes",
            order=form.get(f"o{i}-order", "")[:8],
            delete=form.get(f"o{i}-delete") == "yes",
        )
        for i in range(count)
    ]


def _question_page(question: Question, errors: dict[str, str], sent: dict[str, str]) -> str:
    return render_template(
        "staff/setup/question.html",
        question=question,
        errors=errors,
        sent=sent,
        pictograms=PICTOGRAMS,
        new_rows=0 if question.kind in ("scale", "wish") else 2,
        uses=option_uses(db.session(), question.id),
        answered=campaign_answered(db.session(), question.campaign_id),
        typed_limits=typed_limits(question),
        route=_route(question.campaign),
    )


@bp.route(f"/questions/<int(max={MAX_ID}):question_id>", methods=["GET", "POST"])
@requires(Permission.EDIT)
def question(question_id: int) -> ResponseReturnValue:
    """A question's texts, public results setting and options (add, hide, reorder)."""
    session = db.session()
    found = load_question(session, question_id)
    _campaign_in_reach(found.campaign_id)
    if request.method == "GET":
        return _question_page(found, {}, {})
    form = QuestionForm(
        de=request.form.get("de", "")[:1000],
        en=request.form.get("en", "")[:1000],
        results_shown=request.form.get("results_shown", "")[:20],
        max_choices=request.form.get("max_choices", "")[:8],
        demographic=request.form.get("demographic") == "yes",
        options=_option_rows(len(found.options) + 2),
    )
    try:
        german = german_of(found)
        station = (
            station_of(session, found.campaign, request.form.get("station", "")[:12])
            if "station" in request.form
            else found.location_id
        )
        saved = save_question(session, question_id, form, actor=acting())
        ask_at(session, saved, station, actor=acting())
    except FormError as error:
        session.rollback()
        errors, sent = field_errors(error), {k: v[:500] for k, v in request.form.items()}
        return _question_page(load_question(session, question_id), errors, sent), 422
    session.commit()
    flash(gettext("Saved: %(name)s.", name=saved.texts["de"]))
    if translations_to_check(german, saved):
        flash(gettext("The German text changed: please check its translations (Languages)."))
    return redirect(url_for(".campaign", campaign_id=saved.campaign_id), code=303)


@bp.post(f"/questions/<int(max={MAX_ID}):question_id>/move")
@requires(Permission.EDIT)
def move(question_id: int) -> ResponseReturnValue:
    """Move a question one place up or down."""
    session = db.session()
    step = -1 if request.form.get("direction") == "up" else 1
    _campaign_in_reach(load_question(session, question_id).campaign_id)
    moved = move_question(session, question_id, step, actor=acting())
    session.commit()
    return redirect(url_for(".campaign", campaign_id=moved.campaign_id) + "#questions", code=303)


@bp.post(f"/campaigns/<int(max={MAX_ID}):campaign_id>/questions")
@requires(Permission.EDIT)
def new_question(campaign_id: int) -> ResponseReturnValue:
    """Add a question at the end of a campaign."""
    session = db.session()
    if session.get(Campaign, campaign_id) is None:
        raise NotFoundError()
    _campaign_in_reach(campaign_id)
    rows = [
        OptionForm(
            de=request.form.get(f"n{i}-de", "")[:500],
            emoji=request.form.get(f"n{i}-emoji", "")[:16],
        )
        for i in range(MAX_OPTIONS)
    ]
    try:
        campaign = session.get_one(Campaign, campaign_id)
        station = station_of(session, campaign, request.form.get("station", "")[:12])
        made = add_question(
            session,
            campaign_id,
            kind=request.form.get("kind", "")[:20],
            de=request.form.get("de", "")[:1000],
            options=rows,
            actor=acting(),
        )
        ask_at(session, made, station, actor=acting())
    except FormError as error:
        session.rollback()
        errors = field_errors(error)
        found = session.get(Campaign, campaign_id)
        if found is None:
            raise NotFoundError() from None
        return _campaign_page(found, _campaign_form(found), {}, errors), 422
    session.commit()
    flash(gettext("Saved: %(name)s.", name=made.texts["de"]))
    return redirect(url_for(".question", question_id=made.id), code=303)

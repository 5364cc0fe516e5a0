"""The passer-by's flow, on a kiosk (/k/<code>) or a phone after scanning a poster (/q/<code>)."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as flask_session
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from markupsafe import Markup
from uuid6 import uuid7
from werkzeug import Response

from kiosk.collect.answers import (
    parse_uuid,
    question_of,
)
from kiosk.collect.casting import Cast, Door, Outcome, RateLimit, cast_answer
from kiosk.collect.catalog import CatalogCampaign, CatalogLocation, CatalogStation
from kiosk.collect.showcase import (
    QuestionResult,
    Slide,
    approved_wishes,
    attract_slides,
)
from kiosk.core.errors import (
    CampaignClosedError,
    InvalidAnswerError,
    KioskCooldownError,
    NotFoundError,
)
from kiosk.models import Channel, utcnow
from kiosk.printing.posters import poster_key, poster_label
from kiosk.printing.route import Stop, distance_m
from kiosk.printing.route import compass as route_compass
from kiosk.results.charts import OTHERS_COLOUR, Slice, gathered, pie_svg, safe_colour
from kiosk.safety.ratelimits import RateLimitedError
from kiosk.safety.safeguards import (
    VOTER_COOKIE,
    AlreadyAnsweredError,
    answered_by,
    ballot_key,
    new_voter_cookie,
    voter_of,
)
from kiosk.setup.places import areas_with_places
from kiosk.web import db
from kiosk.web.hooks import htmx
from kiosk.web.i18n import localized
from kiosk.web.shared import results_snapshot

bp = Blueprint("public", __name__)

CHANNEL_BY_PREFIX = {"k": Channel.KIOSK.value, "q": Channel.QR.value}
PREFIX = "<any(k, q):prefix>/<code>"


@bp.after_request
def _no_store(response: Response) -> Response:
    # One person's answers must not be shown to the next from a cache or the history.
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("HX-Request")
    return response


@bp.before_request
def _know_the_phone() -> None:
    """On the QR pages: the phone's anonymous id (one answer per question and phone)."""
    if (request.view_args or {}).get("prefix") != "q":
        return
    secret = current_app.config["SECRET_KEY"]
    g.voter = voter_of(secret, request.cookies.get(VOTER_COOKIE))
    if g.voter is None:
        g.voter, g.voter_cookie = new_voter_cookie(secret)


@bp.after_request
def _give_the_phone_its_cookie(response: Response) -> Response:
    """A phone without a (valid) anonymous cookie gets one; the privacy page explains it."""
    cookie = g.pop("voter_cookie", None)
    if cookie is not None:
        response.set_cookie(
            VOTER_COOKIE,
            cookie,
            max_age=current_app.config["QR_VOTER_DAYS"] * 86400,
            path="/q/",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
    return response


@bp.get("/")
def index() -> ResponseReturnValue:
    """A short front page: what this is, and the places with their links."""
    return render_template("public/index.html", areas=areas_with_places(db.session()))


@bp.get("/privacy")
def privacy() -> ResponseReturnValue:
    """What the survey stores and why, and the cookies of the phone pages (German, English)."""
    return render_template(
        "public/privacy.html",
        organiser=current_app.config["POSTER_ORGANISER"],
        contact=current_app.config["PRIVACY_CONTACT"],
        session_days=current_app.permanent_session_lifetime.days,
        voter_cookie=VOTER_COOKIE,
        voter_days=current_app.config["QR_VOTER_DAYS"],
        retention_days=current_app.config["RETENTION_DAYS"],
        answers_per_client=current_app.config["ANSWERS_PER_CLIENT"],
        rate_minutes=current_app.config["RATE_WINDOW_MINUTES"],
    )


@bp.get("/enrol")
def enrolment() -> ResponseReturnValue:
    """What an enrolment link opens: how to enrol the kiosk with it (it changes nothing).

    The code travels after "#", which browsers never send: it stays out of every log.
    """
    return render_template("public/enrolment.html")


def _place(code: str) -> tuple[CatalogLocation, CatalogCampaign | None]:
    """The location (or 404) and the campaign running there now, if any."""
    catalog = db.catalog()
    location = catalog.location(code)
    return location, catalog.running_campaign(location, utcnow())


def _load(code: str) -> tuple[CatalogLocation, CatalogCampaign]:
    location, campaign = _place(code)
    if campaign is None:
        raise CampaignClosedError()
    return location, campaign


def _render(template: str, status: int = 200, **context: Any) -> ResponseReturnValue:
    """The fragment for htmx requests, the whole page otherwise."""
    context["fragment"] = template
    # Where a kiosk goes for the next person: the start, in the kiosk's own language, so
    # that nothing of the last visitor (not even the language chosen) carries over.
    default_language = current_app.config["LANGUAGES"][0]  # the first offered: its own
    context["start_url"] = url_for(
        "public.start",
        prefix=context["prefix"],
        code=context["location"].code,
        lang=default_language,
    )
    context["idle_seconds"] = current_app.config["KIOSK_IDLE_SECONDS"]
    context["still_there_seconds"] = current_app.config["KIOSK_STILL_THERE_SECONDS"]
    return render_template(template if htmx else "public/page.html", **context), status


def _question_screen(
    prefix: str,
    location: CatalogLocation,
    campaign: CatalogCampaign,
    step: int,
    visit: uuid.UUID,
    *,
    error: str | None = None,
    form: dict[str, list[str]] | None = None,
    answer_uuid: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    questions = campaign.questions_at(location.id)
    if not 0 <= step < len(questions):
        raise NotFoundError()
    return _render(
        "public/_question.html",
        status,
        prefix=prefix,
        location=location,
        campaign=campaign,
        question=questions[step],
        step=step,
        total=len(questions),
        visit=visit,
        # The answer's identity, made here where it is created: a second tap resends it.
        # Version 7 UUIDs grow with time, so the unique index takes them at its end.
        answer_uuid=answer_uuid or str(uuid7()),
        error=error,
        form=form or {},
        wish_max_chars=current_app.config["WISH_MAX_CHARS"],
    )


@bp.get(f"/{PREFIX}")
def start(prefix: str, code: str) -> ResponseReturnValue:
    """The kiosk's start screen; a phone goes straight to the first question."""
    location, campaign = _place(code)
    if campaign is None or not campaign.questions_at(location.id):
        ended = db.catalog().ended_campaign(location, utcnow())
        return render_template(
            "public/closed.html",
            prefix=prefix,
            location=location,
            ended=ended,
            results=results_snapshot(ended, location.id) if ended else [],
        )
    if prefix == "q":
        _note_poster(location.code)
        first = _first_open(prefix, location, campaign, 0)
        if first >= len(
            campaign.questions_at(location.id)
        ):  # this phone has answered them all before
            return _thanks(prefix, location, campaign, already=True)
        return _question_screen(prefix, location, campaign, first, uuid7())
    return _render(
        "public/_start.html",
        prefix=prefix,
        location=location,
        campaign=campaign,
        pictograms=_pictograms(campaign),
        slide=_slide_now(_attract_slides(location, campaign)),
        attract_seconds=current_app.config["KIOSK_ATTRACT_SECONDS"],
        revision=db.catalog().revision,
    )


@bp.get("/k/<code>/loop")
def attract_loop(code: str) -> ResponseReturnValue:
    """The attract loop's current screen, for an idle kiosk start screen to show in turn."""
    location, campaign = _place(code)
    if campaign is None or request.args.get("revision") != str(db.catalog().revision):
        # The campaign ended or changed: the whole start screen again, not just this part.
        return "", 204, {"HX-Refresh": "true"}
    slide = _slide_now(_attract_slides(location, campaign))
    if slide is None:
        return "", 204  # nothing to show: the screen stays as it is
    return render_template("public/_slide.html", slide=slide, location=location)


@bp.app_template_global("pie")
def pie(result: QuestionResult, size: int, keep: int) -> Markup:
    """A question's results as a "Stadtteilpizza"; its key beside it speaks for it.

    The key names the first `keep` answers: those after them are one grey slice, as the
    key's "Other answers" (public/_chart.html).
    """
    slices = [Slice(localized(o.option.texts), o.count, o.option.colour) for o in result.options]
    return pie_svg(gathered(slices, keep, gettext("Other answers")), title=None, size=size)


@bp.app_template_global("others_colour")
def others_colour() -> str:
    """The colour of that grey slice, for the key's "Other answers"."""
    return OTHERS_COLOUR


@bp.app_template_filter("colour")
def colour(value: str) -> str:
    """An option's colour, safe to put into an attribute."""
    return safe_colour(value)


def _pictograms(campaign: CatalogCampaign, count: int = 4) -> list[str]:
    """A few of the campaign's own pictograms, to invite people who do not read German."""
    emojis = [o.emoji for q in campaign.questions for o in q.visible_options if o.emoji]
    return list(dict.fromkeys(emojis))[:count]


def _attract_slides(location: CatalogLocation, campaign: CatalogCampaign) -> list[Slide]:
    if current_app.config["KIOSK_ATTRACT_SECONDS"] <= 0:
        return []
    wishes = approved_wishes(db.session(), campaign.id, location.id)
    return attract_slides(results_snapshot(campaign, location.id), wishes)


def _slide_now(slides: list[Slide]) -> Slide | None:
    """The slide for this moment: every kiosk process shows the same one at the same time."""
    if not slides:
        return None
    seconds = max(current_app.config["KIOSK_ATTRACT_SECONDS"], 1)
    return slides[int(time.time() // seconds) % len(slides)]


@bp.post(f"/{PREFIX}/begin")
def begin(prefix: str, code: str) -> ResponseReturnValue:
    """Start a new visit at the first question."""
    location, campaign = _load(code)
    visit = uuid7()
    if not htmx:
        return redirect(_step_url(prefix, code, 0, visit), code=303)
    return _question_screen(prefix, location, campaign, 0, visit)


@bp.get(f"/{PREFIX}/s/<int(max=999):step>")
def step(prefix: str, code: str, step: int) -> ResponseReturnValue:
    """One question as a whole page (after a redirect, or a reload)."""
    location, campaign = _load(code)
    visit = parse_uuid(request.args.get("visit", ""), field="visit")
    return _question_screen(prefix, location, campaign, step, visit)


@bp.post(f"/{PREFIX}/answer")
def answer(prefix: str, code: str) -> ResponseReturnValue:
    """Record an answer (or a skip) and show the next question, or the thank-you screen."""
    location, campaign = _load(code)
    visit = parse_uuid(request.form.get("visit", ""), field="visit")
    question = question_of(campaign, request.form.get("question", ""), location.id)
    index = campaign.questions_at(location.id).index(question)
    if "skip" not in request.form:
        form = request.form.to_dict(flat=False)
        with db.write_lock().held():
            cast = cast_answer(
                db.session(),
                _door(prefix, location, question.id),
                campaign,
                question,
                form,
                wish_max_chars=current_app.config["WISH_MAX_CHARS"],
            )
            db.session().commit()  # the network's count and any refusal hold, whatever came
        if cast.outcome == Outcome.ALREADY_ANSWERED:
            flash(gettext(AlreadyAnsweredError.message))  # shown on the next screen
        elif cast.outcome not in (Outcome.STORED, Outcome.DUPLICATE):
            return _refused(prefix, location, campaign, index, visit, cast, form)
    return _next_screen(prefix, code, (location, campaign), index + 1, visit)


def _next_screen(
    prefix: str,
    code: str,
    place: tuple[CatalogLocation, CatalogCampaign],
    step: int,
    visit: uuid.UUID,
) -> ResponseReturnValue:
    """The next open question from step on, or the thank-you screen (htmx), or a redirect."""
    location, campaign = place
    next_step = _first_open(prefix, location, campaign, step)
    if next_step >= len(campaign.questions_at(location.id)):
        if not htmx:
            return redirect(url_for("public.thanks", prefix=prefix, code=code), code=303)
        return _thanks(prefix, location, campaign)
    if not htmx:
        return redirect(_step_url(prefix, code, next_step, visit), code=303)
    return _question_screen(prefix, location, campaign, next_step, visit)


def _door(prefix: str, location: CatalogLocation, question_id: int) -> Door:
    """Where this answer comes in: a kiosk or a phone, with the safeguards set for it."""
    config = current_app.config
    rate = None
    if prefix == "q" or config["ROLE"] == "central":  # a node's own kiosk has no network limit
        rate = RateLimit(
            secret=config["SECRET_KEY"],
            address=request.remote_addr or "",
            limit=config["ANSWERS_PER_CLIENT"],
            window=dt.timedelta(minutes=config["RATE_WINDOW_MINUTES"]),
        )
    cooldown = config["KIOSK_COOLDOWN_SECONDS"]
    return Door(
        channel=CHANNEL_BY_PREFIX[prefix],
        location_id=location.id,
        source=_poster_of(location.code) if prefix == "q" else None,
        queue=config["ROLE"] == "node",  # a kiosk node forwards it
        rate=rate,
        kiosk_cooldown=dt.timedelta(seconds=cooldown) if prefix == "k" and cooldown > 0 else None,
        ballot=ballot_key(config["SECRET_KEY"], g.voter, question_id) if prefix == "q" else None,
    )


def _refused(
    prefix: str,
    location: CatalogLocation,
    campaign: CatalogCampaign,
    index: int,
    visit: uuid.UUID,
    cast: Cast,
    form: dict[str, list[str]],
) -> ResponseReturnValue:
    """The same question again with why its answer did not count (the same UUID: resendable)."""
    error = cast.error or (
        KioskCooldownError() if cast.outcome == Outcome.COOLDOWN else RateLimitedError()
    )
    if not isinstance(error, (InvalidAnswerError, KioskCooldownError, RateLimitedError)):
        raise error  # a campaign closed meanwhile: its own page
    return _question_screen(
        prefix,
        location,
        campaign,
        index,
        visit,
        error=gettext(error.message, **error.params),
        form=form,
        answer_uuid=_valid_uuid(request.form.get("uuid", "")),
        status=error.status,
    )


@bp.get(f"/{PREFIX}/thanks")
def thanks(prefix: str, code: str) -> ResponseReturnValue:
    """The thank-you screen; a kiosk returns to its start screen by itself."""
    location, campaign = _place(code)
    return _thanks(prefix, location, campaign)


def _first_open(
    prefix: str, location: CatalogLocation, campaign: CatalogCampaign, step: int
) -> int:
    """The first question from step on that this phone has not answered yet (a kiosk: step).

    A phone coming back is not asked again what it answered before; past the last question
    (len of the questions) when it has answered them all.
    """
    if prefix != "q":
        return step
    questions = campaign.questions_at(location.id)
    done = answered_by(
        db.session(), current_app.config["SECRET_KEY"], g.voter, [q.id for q in questions]
    )
    while step < len(questions) and questions[step].id in done:
        step += 1
    return step


def _thanks(
    prefix: str,
    location: CatalogLocation,
    campaign: CatalogCampaign | None,
    *,
    already: bool = False,
) -> ResponseReturnValue:
    results = results_snapshot(campaign, location.id) if campaign is not None else []
    return _render(
        "public/_thanks.html",
        prefix=prefix,
        location=location,
        campaign=campaign,
        results=results,
        # Phones walk on; a kiosk stands at its station (and a node knows its own only).
        way=_way_on(campaign, location) if campaign is not None and prefix == "q" else None,
        return_after=current_app.config["KIOSK_THANKS_SECONDS"],
        already=already,
    )


@dataclass(frozen=True)
class Way:
    """On a route: the station here, the next one, and how far and where it is (if known)."""

    here: CatalogStation
    next: CatalogStation
    total: int
    metres: int | None  # rounded to tens; None without coordinates
    compass: str | None  # "N", "NE", … (see kiosk.printing.route.compass)


def _way_on(campaign: CatalogCampaign, location: CatalogLocation) -> Way | None:
    """The way to the next station, when this place is a station with one after it."""
    here, after = campaign.station(location.id), campaign.next_station(location.id)
    if here is None or after is None:
        return None
    metres = compass = None
    if None not in (here.latitude, here.longitude, after.latitude, after.longitude):
        start = Stop(here.number, here.name, here.latitude or 0.0, here.longitude or 0.0)
        end = Stop(after.number, after.name, after.latitude or 0.0, after.longitude or 0.0)
        metres = max(10, round(distance_m(start, end), -1))
        compass = route_compass(start, end)
    return Way(here, after, len(campaign.stations), int(metres) if metres else None, compass)


def _note_poster(code: str) -> None:
    """Remember which poster a phone came from (?p=, signed), or forget it without one.

    It is kept in the signed session cookie for this place only, so that the visit's answers
    count for that poster; a forged poster link gets a clear page instead.
    """
    token = request.args.get("p")
    if token is None:
        flask_session.pop("poster", None)
        return
    label = poster_label(poster_key(current_app.config["SECRET_KEY"]), code, token[:40])
    flask_session["poster"] = [code, label]


def _poster_of(code: str) -> str | None:
    """The poster this phone came from to this place, if any."""
    noted = flask_session.get("poster")
    if isinstance(noted, list) and len(noted) == 2 and noted[0] == code:
        return str(noted[1])
    return None


def _valid_uuid(raw: str) -> str | None:
    """The sent answer UUID if it is one (a resend stays one answer), else None: a new one."""
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return None


def _step_url(prefix: str, code: str, step: int, visit: uuid.UUID) -> str:
    return url_for("public.step", prefix=prefix, code=code, step=step, visit=str(visit))

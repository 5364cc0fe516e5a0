"""The staff area: overview, tallies and wishes per location, area or campaign, downloads."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_date, gettext, ngettext
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import Session

from kiosk.access.permissions import Permission, allowed
from kiosk.access.reach import reaches_campaign, reaches_scope, require
from kiosk.core.errors import N_, InvalidSettingError, KioskError, NotFoundError
from kiosk.models import (
    Campaign,
    Location,
    Question,
    QuestionKind,
    ResultsShown,
    audit,
    utcnow,
)
from kiosk.printing.qr import qr_png
from kiosk.results.charts import Bar, Slice, bar_png, bar_svg, pie_png, wheel_png, wheel_svg
from kiosk.results.crosstab import cross_tabs, demographic_question
from kiosk.results.exports import (
    SEPARATORS,
    json_array_stream,
    raw_documents,
    raw_rows,
    tally_channels,
    tally_csv,
    tally_document,
    words_in,
)
from kiosk.results.rawcsv import MACHINE_NAMES, WISH_STATE_WORDS, Wording, raw_csv
from kiosk.results.stations import StationRow, station_numbers, station_table, station_wishes
from kiosk.results.tallies import (
    CHANNEL_WORDS,
    CampaignTally,
    PlaceColumn,
    PlaceTally,
    QuestionTally,
    Scope,
    ScopeKind,
    Wish,
    answers_per_hour,
    answers_per_place,
    answers_per_poster,
    channels_with_answers,
    load_scope,
    over_time,
    questions_per_place,
    sorted_places,
    tally,
    tally_per_place,
    wishes,
)
from kiosk.results.workbook import tally_workbook
from kiosk.safety.safeguards import refusals
from kiosk.setup.campaigns import campaigns_by_start
from kiosk.setup.places import areas_with_places
from kiosk.setup.questions import set_results_shown
from kiosk.web import db
from kiosk.web.auth import acting, current_reach, requires, safe_next
from kiosk.web.i18n import current_language, local_date, localized, right_to_left
from kiosk.web.shared import MAX_ID, load_location, public_link

bp = Blueprint("results", __name__)
WISHES_SHOWN = 100
WORKBOOK_WISHES = 100_000
REPORT_WISHES = 300  # a printed report shows the newest; the workbook has them all
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCOPE = f"<any(location, area, campaign):kind>/<int(max={MAX_ID}):scope_id>"


@bp.get("/")
def index() -> ResponseReturnValue:
    """Areas with their locations and answer counts, and the campaigns."""
    session, reach = db.session(), current_reach()
    return render_template(
        "staff/results/index.html",
        areas=areas_with_places(session, reach),
        answers=answers_per_place(session),
        campaigns=campaigns_by_start(session, reach),
    )


def _scope(session: Session, kind: str, scope_id: int) -> Scope:
    """The place, area or campaign asked for, if it lies within the staff member's reach."""
    scope = load_scope(session, kind, scope_id)
    require(reaches_scope(session, current_reach(), scope))
    return scope


def channel_names() -> dict[str, str]:
    """What each channel is, in the page's language."""
    return {code: gettext(words) for code, words in CHANNEL_WORDS.items()}


@dataclass(frozen=True)
class PlaceOrder:
    """How the staff member sorted one question's table of places (?sort=q12-o34&order=asc)."""

    question_id: int
    column: PlaceColumn | int  # an option's id
    descending: bool


_SORT = re.compile(r"q([0-9]{1,10})-(place|answers|mean|o[0-9]{1,10})")


def _place_order() -> PlaceOrder | None:
    """The table of places the request sorts, and how; None for anything else (ignored)."""
    found = _SORT.fullmatch(request.args.get("sort", ""))
    order = request.args.get("order", "")
    if found is None or order not in ("", "asc", "desc"):
        return None
    name = found.group(2)
    column = int(name[1:]) if name.startswith("o") else PlaceColumn(name)
    # A count reads best largest first, a name from A.
    descending = order == "desc" if order else column != PlaceColumn.PLACE
    return PlaceOrder(int(found.group(1)), column, descending)


def _places_table(
    scope: Scope, places: list[PlaceTally]
) -> dict[int, list[tuple[Location, QuestionTally]]]:
    """Each question's places (two or more), in the order the request asks for."""
    if scope.kind == ScopeKind.LOCATION:
        return {}
    per_question = {
        question: rows for question, rows in questions_per_place(places).items() if len(rows) > 1
    }
    order = _place_order()
    for question, rows in per_question.items():
        if order is not None and order.question_id == question:
            per_question[question] = sorted_places(rows, order.column, descending=order.descending)
        else:
            per_question[question] = sorted_places(rows, PlaceColumn.PLACE, descending=False)
    return per_question


@bp.get(f"/{SCOPE}")
def results(kind: str, scope_id: int) -> ResponseReturnValue:
    """The tally of a location, an area or a campaign, with its wishes and downloads."""
    session = db.session()
    scope = _scope(session, kind, scope_id)
    tallies = tally(session, scope)
    location = session.get(Location, scope_id) if kind == "location" else None
    places = [] if location else tally_per_place(session, scope, [t.campaign for t in tallies])
    return render_template(
        "staff/results/results.html",
        route=_route_results(session, scope, tallies, places),
        route_wishes=_route_wishes(session, scope),
        scope=scope,
        tallies=tallies,
        channels=channels_with_answers(tallies, always=("kiosk", "qr")),
        wishes=_readable(wishes(session, scope, limit=WISHES_SHOWN)),
        wish_limit=WISHES_SHOWN,
        location=location,
        link=public_link(location.code) if location else None,
        channel_names=channel_names(),
        places=_places_table(scope, places),
        place_order=_place_order(),
        multiple=QuestionKind.MULTI,
        over_time=_over_time_charts(session, scope),
        posters=answers_per_poster(session, scope),
        refused=refusals(session, [location.id]) if location else None,
        compared_by=[
            q for q in (demographic_question(t.campaign) for t in tallies) if q is not None
        ],
        settable={
            t.campaign.id
            for t in tallies
            if allowed(current_user.role, Permission.EDIT)
            and reaches_campaign(session, current_reach(), t.campaign.id)
        },
    )


@bp.get(f"/{SCOPE}/compare")
def compare(kind: str, scope_id: int) -> ResponseReturnValue:
    """What each group of the demographic question (e.g. under 18, adults) chose."""
    session = db.session()
    scope = _scope(session, kind, scope_id)
    campaigns = [t.campaign for t in tally(session, scope)]
    return render_template(
        "staff/results/compare.html", scope=scope, compared=cross_tabs(session, scope, campaigns)
    )


def _over_time_charts(session: Session, scope: Scope) -> tuple[Markup, Markup] | None:
    """Bars of the answers per local day (the last 60) and per hour of the day, if any."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    folded = over_time(answers_per_hour(session, scope), zone)
    if not folded.days:
        return None
    days = folded.days[-60:]
    most = max(count for _, count in days)
    day_bars = [
        Bar(format_date(day, "EEE d. MMM"), count, count / most, "#2e6b3f") for day, count in days
    ]
    busiest = max(folded.hours) or 1
    hour_bars = [
        Bar(f"{hour:02d}–{(hour + 1) % 24:02d}", count, count / busiest, "#2e6b3f")
        for hour, count in enumerate(folded.hours)
        if count
    ]
    return (
        bar_svg(day_bars, title=gettext("Answers per day"), value="count", rtl=right_to_left()),
        bar_svg(
            hour_bars,
            title=gettext("Answers by hour of the day"),
            value="count",
            rtl=right_to_left(),
        ),
    )


def may_read_every_wish() -> bool:
    """Moderators (and admins) read every wish; other staff only the approved ones."""
    return allowed(current_user.role, Permission.MODERATE)


def _readable(found: list[Wish]) -> list[Wish]:
    """The wishes this staff member may read: all for moderators, else the approved ones."""
    return found if may_read_every_wish() else [w for w in found if w.approved]


def _route_results(
    session: Session, scope: Scope, tallies: list[CampaignTally], places: list[PlaceTally]
) -> tuple[list[QuestionTally], list[StationRow]] | None:
    """A climate walk's stations × questions (its campaign's results only), else None."""
    if scope.kind != ScopeKind.CAMPAIGN or not tallies:
        return None
    campaign = tallies[0].campaign
    numbers = station_numbers(session, campaign)
    return station_table(campaign, places, numbers) if numbers else None


def _route_wishes(
    session: Session, scope: Scope, *, limit: int = WISHES_SHOWN, approved_only: bool = False
) -> list[tuple[StationRow, list[Wish]]]:
    """A climate walk's wishes this staff member may read, station by station."""
    if scope.kind != ScopeKind.CAMPAIGN:
        return []
    campaign = session.get(Campaign, scope.id)
    numbers = station_numbers(session, campaign) if campaign else {}
    if campaign is None or not numbers:
        return []
    public = approved_only or not may_read_every_wish()
    return station_wishes(session, campaign, numbers, limit=limit, approved_only=public)


@bp.get(f"/{SCOPE}/report")
def report(kind: str, scope_id: int) -> ResponseReturnValue:
    """A printable report for the conference: every question as bars, and approved wishes."""
    session = db.session()
    scope = _scope(session, kind, scope_id)
    tallies = tally(session, scope)
    approved = wishes(session, scope, limit=REPORT_WISHES, approved_only=True)
    places = (
        tally_per_place(session, scope, [t.campaign for t in tallies])
        if scope.kind == ScopeKind.CAMPAIGN
        else []
    )
    return render_template(
        "staff/results/report.html",
        route=_route_results(session, scope, tallies, places),
        route_wishes=_route_wishes(session, scope, limit=REPORT_WISHES, approved_only=True),
        scope=scope,
        tallies=tallies,
        compared=cross_tabs(session, scope, [t.campaign for t in tallies]),
        channels=channels_with_answers(tallies, always=("kiosk", "qr")),
        channel_names=channel_names(),
        wishes=approved,
        wishes_cut=len(approved) == REPORT_WISHES,
        printed=utcnow(),
    )


@bp.post(f"/question/<int(max={MAX_ID}):question_id>/results-shown")
@requires(Permission.EDIT)
def results_shown(question_id: int) -> ResponseReturnValue:
    """Set when the public may see a question's results: as they come in, or after the end."""
    session = db.session()
    question = session.get(Question, question_id)
    if question is None:
        raise NotFoundError()
    require(reaches_campaign(session, current_reach(), question.campaign_id))
    try:
        shown = ResultsShown(request.form.get("results_shown", ""))
    except ValueError:
        raise InvalidSettingError() from None
    if set_results_shown(session, question, shown, actor=acting()):
        session.commit()
    back = safe_next(request.form.get("next"))
    return redirect(f"{back}#question-{question.id}", code=303)


class ExportFormatError(KioskError):
    """An export was asked for in a shape we do not make."""

    message = N_("Unknown separator: use semicolon, comma or tab.")


class ExportHeadersError(KioskError):
    """An export was asked for with column names we do not write."""

    message = N_("Unknown headers: use words (in your language) or names (for scripts).")


def wording(headers: str) -> Wording:
    """Words in this request's language (headers=words), or machine names (headers=names)."""
    if headers == "names":
        return MACHINE_NAMES
    if headers == "words":
        return words_in(gettext)
    raise ExportHeadersError()


@bp.get(f"/{SCOPE}/<any(tally, raw):what>.<any(csv, json):fmt>")
def export(kind: str, scope_id: int, what: str, fmt: str) -> ResponseReturnValue:
    """Download a tally or the raw responses as CSV (German Excel friendly) or JSON.

    A CSV's column names, channels and wish states are words in the staff member's
    language, or machine names for scripts with ?headers=names (JSON: always names).
    """
    session = db.session()
    scope = _scope(session, kind, scope_id)
    separator_name = request.args.get("sep", "semicolon")
    if separator_name not in SEPARATORS:
        raise ExportFormatError()
    separator = SEPARATORS[separator_name]
    words = wording(request.args.get("headers", "words"))
    audit(session, acting(), "export", scope=kind, id=scope_id, what=what, format=fmt)
    session.commit()
    language = current_language()
    filename = f"{scope.slug}-{what}.{fmt}"

    if what == "tally":
        tallies = tally(session, scope)
        places = tally_per_place(session, scope, [t.campaign for t in tallies])
        if fmt == "json":
            document = tally_document(scope, tallies, places)
            body = json.dumps(document, ensure_ascii=False, indent=1)
            return _download(body, "application/json", filename)
        text = "".join(tally_csv(scope, tallies, places, separator, language, words))
        return _download(text, "text/csv", filename)

    # The body streams after the request has ended, so it reads in a session of its own.
    make_session = db.session_factory()
    every_wish = may_read_every_wish()

    def chunks() -> Iterator[bytes]:
        with make_session() as own_session:
            if fmt == "json":
                rows = raw_rows(own_session, scope, language, every_wish=every_wish)
                yield from (part.encode() for part in json_array_stream(raw_documents(rows)))
            else:
                yield from raw_csv(
                    own_session, scope, separator, language, every_wish=every_wish, wording=words
                )

    mimetype = "application/json" if fmt == "json" else "text/csv"
    return _download(chunks(), mimetype, filename)


@bp.get(f"/{SCOPE}/tally.xlsx")
def export_xlsx(kind: str, scope_id: int) -> ResponseReturnValue:
    """The tally as an Excel workbook: a sheet per question, and the wishes."""
    session = db.session()
    scope = _scope(session, kind, scope_id)
    audit(session, acting(), "export", scope=kind, id=scope_id, what="tally", format="xlsx")
    session.commit()
    labels = {
        "answer": gettext("Answer"),
        "pictogram": gettext("Pictogram"),
        "total": gettext("Total"),
        "share": gettext("Share"),
        "answers": gettext("Answers"),
        "wishes": gettext("Wishes"),
        "place": gettext("Place"),
        "channel": gettext("Channel"),
        "state": gettext("State"),
        "mark": gettext("Mark"),
        "marked": gettext("marked: personal data"),
        **{f"state-{code}": gettext(words) for code, words in WISH_STATE_WORDS.items()},
        "received": gettext("Received"),
        "compare": gettext("Comparison"),
        "group-answers": gettext("Answers in the group"),
        "not-stated": gettext("not stated"),
        "by-place": gettext("Per place"),
        "stations": gettext("Per station"),
        "station": gettext("Station"),
        "most-chosen": gettext("Most chosen"),
    }
    tallies = tally(session, scope)
    places = tally_per_place(session, scope, [t.campaign for t in tallies])
    body = tally_workbook(
        tallies,
        _readable(wishes(session, scope, limit=WORKBOOK_WISHES)),
        cross=cross_tabs(session, scope, [t.campaign for t in tallies]),
        places=[] if scope.kind == ScopeKind.LOCATION else places,
        channels=tally_channels(tallies, words_in(gettext)),
        lang=current_language(),
        labels=labels,
        channel_names=channel_names(),
        zone=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]),
        route=_route_results(session, scope, tallies, places),
    )
    return _download(body, XLSX, f"{scope.slug}-tally.xlsx")


@bp.get(f"/{SCOPE}/chart/<int(max={MAX_ID}):question_id>-<any(bar, pie, wheel):form>.png")
def chart_png(kind: str, scope_id: int, question_id: int, form: str) -> ResponseReturnValue:
    """A question's results in this scope as a chart to download: bars, a pie or a wheel.

    A multiple choice is bars whatever is asked (a pie cannot show shares of people that add
    up to more than the whole); only a wheel question has a wheel, others get bars instead.
    The picture names the place, the period and the people who answered, so that it stands
    alone on a slide.
    """
    session = db.session()
    scope = _scope(session, kind, scope_id)
    for campaign_tally in tally(session, scope):
        for q in campaign_tally.questions:
            if q.question.id == question_id and q.options:
                title = localized(q.question.texts)
                details = _chart_details(session, scope, q)
                if form == "wheel" and q.question.kind == QuestionKind.WHEEL:
                    body = wheel_png(
                        wheel_slices(q), title=title, details=details, rtl=right_to_left()
                    )
                elif form == "pie" and q.question.kind != QuestionKind.MULTI:
                    slices = [
                        Slice(localized(o.option.texts), o.total, o.option.colour)
                        for o in q.options
                    ]
                    body = pie_png(slices, title=title, details=details, rtl=right_to_left())
                else:
                    form = "bar"
                    body = bar_png(chart_bars(q), title=title, details=details, rtl=right_to_left())
                response = Response(body, mimetype="image/png")
                name = f"{scope.slug}-question-{q.question.position + 1}-{form}.png"
                response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
    raise NotFoundError()


def _chart_details(session: Session, scope: Scope, q: QuestionTally) -> list[str]:
    """Beneath a chart's title: where, when (the days of the first and last answer), how many."""
    details = [scope.name]
    hours = answers_per_hour(session, scope)
    if hours:
        first, last = local_date(hours[0][0]), local_date(hours[-1][0])
        details.append(first if first == last else f"{first} – {last}")
    details.append(ngettext("%(num)d person answered.", "%(num)d people answered.", q.answers))
    return details


def chart_bars(q: QuestionTally) -> list[Bar]:
    """A question's options as bars, labelled in the page's language."""
    return [Bar(localized(o.option.texts), o.total, o.share, o.option.colour) for o in q.options]


@bp.app_template_global("bar_chart")
def bar_chart(q: QuestionTally) -> Markup:
    """A question's results as bars in the page (SVG)."""
    return bar_svg(chart_bars(q), title=localized(q.question.texts), rtl=right_to_left())


@bp.app_template_global("wheel_slices")
def wheel_slices(q: QuestionTally) -> list[Slice]:
    """A wheel question's sectors, labelled in the page's language.

    Its options in their own order, as on the physical wheel: each visible one, and a hidden
    one that has answers.
    """
    return [
        Slice(localized(o.option.texts), o.total, o.option.colour, o.option.emoji)
        for o in q.options
        if o.total or not o.option.hidden
    ]


WHEEL_SIZE = 320  # in the page and the printed report, beside its table or key


@bp.app_template_global("question_chart")
def question_chart(q: QuestionTally) -> Markup:
    """A question's results in the page (SVG): a wheel question as its wheel, others as bars."""
    if q.question.kind == QuestionKind.WHEEL:
        title = localized(q.question.texts)
        return wheel_svg(wheel_slices(q), title=title, size=WHEEL_SIZE, rtl=right_to_left())
    return bar_chart(q)


def _download(body: str | bytes | Iterator[bytes], mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)  # text/* gets "; charset=utf-8" added
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get(f"/location/<int(max={MAX_ID}):location_id>/qr.png")
def location_qr(location_id: int) -> ResponseReturnValue:
    """The QR code of a location's phone link, as a PNG for a poster."""
    location = load_location(location_id)
    return Response(qr_png(public_link(location.code)), mimetype="image/png")

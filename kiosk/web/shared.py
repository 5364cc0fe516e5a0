"""What several views share: id limits, a place in reach, public links, form errors, snapshots."""

from __future__ import annotations

import time

from flask import current_app, request, url_for
from flask_babel import gettext, lazy_gettext

from kiosk.access.reach import require
from kiosk.collect.catalog import CatalogCampaign
from kiosk.collect.showcase import QuestionResult, public_results
from kiosk.core.errors import N_, FormError, NotFoundError
from kiosk.core.languages import SOURCE, catalogue_text
from kiosk.models import Location, QuestionKind, utcnow
from kiosk.printing.logos import campaign_logo
from kiosk.printing.posters import PosterAnswer, PosterContent, poster_key, poster_token
from kiosk.results.tallies import CHANNEL_WORDS
from kiosk.web import db
from kiosk.web.auth import current_reach
from kiosk.web.i18n import current_language, localized, right_to_left

TAKE_PART = N_("Take part: scan the code with your phone camera")


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


def station_line(campaign: CatalogCampaign | None, location_id: int) -> str:
    """On a route: "Station 2 of 5 · <its name>" for the place's posters and stickers; else ""."""
    station = campaign.station(location_id) if campaign else None
    if campaign is None or station is None:
        return ""
    where = gettext(
        "Station %(number)d of %(total)d", number=station.number, total=len(campaign.stations)
    )
    return f"{where} · {campaign.title}"


def poster_content(location: Location, campaign_id: int | None = None) -> PosterContent:
    """What a place's poster shows: the first question of the campaign (or the running one)."""
    catalog = db.catalog()
    place = catalog.locations.get(location.code)
    campaign = None
    if campaign_id is not None:
        campaign = catalog.campaigns.get(campaign_id)
    elif place is not None:  # the one the place shows, else the one it will show next
        now = utcnow()
        campaign = catalog.running_campaign(place, now) or catalog.next_campaign(place, now)
    if campaign is None and place and place.campaign_ids:
        campaign = catalog.campaigns[place.campaign_ids[0]]  # all ended: the first of them
    first = (
        next(
            (
                q
                for q in campaign.questions
                if q.kind != QuestionKind.WISH and (place is None or q.asked_at(place.id))
            ),
            None,
        )
        if campaign
        else None
    )
    headline = localized(first.texts) if first else gettext("Your opinion on this place")
    answers = tuple(
        PosterAnswer(localized(o.texts), o.colour, o.emoji)
        for o in (first.visible_options if first else ())
    )
    # "Take part" in the other languages offered (not German's easy variant), beneath the link.
    here = current_language()
    others = tuple(
        text
        for code in current_app.config["LANGUAGES"]
        if code not in (here, SOURCE, "de-x-ls") and (text := catalogue_text(code, TAKE_PART))
    )
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
        station=station_line(campaign, location.id),
        headline=headline,
        place=location.name,
        link=poster_link(location),
        call=gettext("Take part: scan the code or type the link"),
        answers=answers,
        other_languages=others,
        rtl=right_to_left(),
        footer=footer,
        logo=campaign_logo(db.session(), campaign.id) if campaign else None,
    )


def results_snapshot(campaign: CatalogCampaign, location_id: int | None) -> list[QuestionResult]:
    """The results passers-by may see (at a place, or all of a campaign's): a snapshot.

    From a few answers on, and kept for some minutes (per worker), so that the person after
    cannot read the person before from the difference between two screens.
    """
    config = current_app.config
    snapshots: dict[tuple[int | None, int, int], tuple[float, list[QuestionResult]]]
    snapshots = current_app.extensions.setdefault("kiosk.public_results", {})
    key = (location_id, campaign.id, db.catalog().revision)
    kept = snapshots.get(key)
    if kept is not None and time.monotonic() - kept[0] < config["PUBLIC_RESULTS_MINUTES"] * 60:
        return kept[1]
    results = public_results(
        db.session(),
        campaign,
        location_id,
        now=utcnow(),
        min_answers=config["PUBLIC_RESULTS_MIN_ANSWERS"],
    )
    if len(snapshots) > 512:  # old revisions' snapshots
        snapshots.clear()
    if results:  # nothing to show yet: look again next time
        snapshots[key] = (time.monotonic(), results)
    return results


def field_errors(error: FormError) -> dict[str, str]:
    """A refused form's messages per field, translated; nothing of the form stays.

    The request's session rolls back, so the form is shown again (422) on what is stored.
    """
    db.session().rollback()
    return {name: gettext(message, **params) for name, (message, params) in error.fields.items()}


# The same words as the downloads (one home: kiosk.results.tallies.CHANNEL_WORDS).
CHANNEL_NAMES = {channel: lazy_gettext(words) for channel, words in CHANNEL_WORDS.items()}


MAX_ID = 2**31 - 1  # larger ids do not exist (and overflow the database's integer): a 404


def load_location(location_id: int) -> Location:
    """A place by id (404) that lies within the staff member's areas (403 otherwise)."""
    location = db.session().get(Location, location_id)
    if location is None:
        raise NotFoundError()
    require(current_reach().covers_area(location.area_id))
    return location


def public_link(code: str) -> str:
    """The address a phone opens for a place's code: PUBLIC_URL if set, else this host."""
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + url_for("public.start", prefix="q", code=code)

"""Setting up campaigns: from a template, changed, copied, pinned per place; nothing half-saved.

Each form is checked per field. A new place may come with a campaign's form: it is made with
the campaign, or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from kiosk.access.reach import EVERYWHERE, Reach, campaigns_within, require
from kiosk.collect.catalog import bump_revision
from kiosk.core.errors import N_, Errors, FormError, NotFoundError
from kiosk.core.languages import kept_translations
from kiosk.models import (
    Actor,
    Area,
    Campaign,
    CampaignFormat,
    Location,
    Option,
    PosterLogo,
    Question,
    audit,
    campaign_location,
    option_fields,
)
from kiosk.setup.campaign_templates import TEMPLATES, texts_in_all
from kiosk.setup.places import (
    NAME_MAX,
    CheckedPlace,
    PlaceForm,
    check_place,
    suggest_code,
    write_place,
)
from kiosk.setup.route import number_stations, release_station_questions

INTRO_MAX = 500
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class CampaignForm:
    """A campaign as a staff form sends it: strings, and the ticked places' ids."""

    title: str = ""
    intro_de: str = ""
    intro_en: str = ""
    starts_on: str = ""  # YYYY-MM-DD, the first day (local time)
    ends_on: str = ""  # YYYY-MM-DD, the last day (local time), or empty: open-ended
    location_ids: Sequence[str] = field(default_factory=tuple)
    template: str = ""  # only when a campaign is made
    format: str = ""  # a CampaignFormat; empty when made: the template's
    # A place to make with the campaign and run it there (its fields as place_<name>); made
    # when anything but its area is filled in, its code from its name when left empty.
    new_place: PlaceForm = field(default_factory=PlaceForm)


NEW_PLACE = "place_"  # the new place's fields in the campaign's form and its messages


def _new_place(
    session: Session, form: CampaignForm, reach: Reach, errors: Errors
) -> CheckedPlace | None:
    """The new place of a campaign's form, checked (its messages into errors), if one is asked."""
    place = form.new_place
    if not wants_new_place(place):
        return None
    no_code = not place.code.strip()
    if no_code and place.name.strip():
        place = replace(place, code=suggest_code(session, place.name[:NAME_MAX]))
    try:
        return check_place(session, None, place, reach=reach)
    except FormError as error:
        refused = dict(error.fields)
        if no_code and "name" in refused:  # no name, no code from it: one message, the name's
            refused.pop("code", None)
        errors.update({NEW_PLACE + name: message for name, message in refused.items()})
        return None


def wants_new_place(place: PlaceForm) -> bool:
    """Tell whether a campaign's form asks for a new place (anything but its area given)."""
    return any(value.strip() for name, value in vars(place).items() if name != "area_id")


def _day(errors: Errors, name: str, raw: str) -> dt.date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR or len(raw) != 10:
        errors[name] = (
            N_("A date like 2026-09-27 between %(first)d and %(last)d, please."),
            {"first": FIRST_YEAR, "last": LAST_YEAR},
        )
        return None
    return day


def _places(session: Session, errors: Errors, raw: Sequence[str], reach: Reach) -> list[Location]:
    ids = {int(value) for value in raw if value.isdecimal() and len(value) < 10}
    if len(ids) != len(set(raw)):
        errors["location_ids"] = (N_("Please choose places from the list."), {})
        return []
    places = list(
        session.scalars(select(Location).where(Location.id.in_(ids)).order_by(Location.id))
    )
    # A place of another area is not a slip of the hand: refused as such (403), nothing stored.
    require(all(reach.covers_area(place.area_id) for place in places))
    if len(places) != len(ids):
        errors["location_ids"] = (N_("Please choose places from the list."), {})
    return places


def _format(errors: Errors, raw: str, default: CampaignFormat) -> CampaignFormat:
    """The campaign's format from the form (empty: the default); one from the list."""
    if not raw.strip():
        return default
    try:
        return CampaignFormat(raw.strip())
    except ValueError:
        errors["format"] = (N_("Please choose from the list."), {})
        return default


def _validated(
    session: Session, form: CampaignForm, zone: ZoneInfo, reach: Reach, errors: Errors
) -> tuple[str, dict[str, str], dt.datetime | None, dt.datetime | None, list[Location]]:
    """The form's values, checked; FormError with these errors and the form's, if any."""
    title = " ".join(form.title.split())
    if not title:
        errors["title"] = (N_("Please give a title."), {})
    elif len(title) > NAME_MAX:
        errors["title"] = (N_("At most %(max)d characters, please."), {"max": NAME_MAX})
    intro = {}
    for language, raw in (("de", form.intro_de), ("en", form.intro_en)):
        text = " ".join(raw.split())
        if len(text) > INTRO_MAX:
            errors[f"intro_{language}"] = (
                N_("At most %(max)d characters, please."),
                {"max": INTRO_MAX},
            )
        elif text:
            intro[language] = text
    first, last = _day(errors, "starts_on", form.starts_on), _day(errors, "ends_on", form.ends_on)
    if first and last and last < first:
        errors["ends_on"] = (N_("The last day cannot be before the first."), {})
    places = _places(session, errors, form.location_ids, reach)
    if errors:
        raise FormError(errors)
    starts = dt.datetime.combine(first, dt.time(), zone) if first else None
    # The last day counts whole: the campaign ends when the next day begins.
    ends = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), zone) if last else None
    return title, intro, starts, ends, places


def create_campaign(
    session: Session, form: CampaignForm, *, zone: ZoneInfo, reach: Reach = EVERYWHERE, actor: Actor
) -> Campaign:
    """A new campaign with the questions of a template; the caller commits.

    The template's texts name the area of the first place chosen, so a new campaign needs
    one place at least: chosen, or new with it. Places must lie within the staff member's
    reach. Everything is checked before anything is written: the new place and the campaign
    are made together, or neither.
    """
    template = TEMPLATES.get(form.template)
    errors: Errors = {}
    if template is None:
        errors["template"] = (N_("Please choose a starting point."), {})
    if not form.location_ids and not wants_new_place(form.new_place):
        errors["location_ids"] = (N_("Please choose one place at least."), {})
    new_place = _new_place(session, form, reach, errors)
    made_as = _format(errors, form.format, template.format if template else CampaignFormat.POP_UP)
    title, intro, starts, ends, places = _validated(session, form, zone, reach, errors)
    if template is None:  # told in errors already
        raise FormError(errors)
    if new_place is not None:
        places.append(write_place(session, None, new_place, actor=actor))
    area = session.get_one(Area, places[0].area_id).name
    campaign = Campaign(
        title=title,
        # Without an invitation of its own the template's comes, in every language it has;
        # one of its own in German replaces it (the template's translations say another thing).
        intro=intro if "de" in intro else {**texts_in_all(template.intro, area), **intro},
        starts_at=starts,
        ends_at=ends,
        locations=places,
        questions=template.build_questions(area),
        format=made_as,
    )
    session.add(campaign)
    session.flush()
    number_stations(session, campaign)
    audit(session, actor, "campaign-create", campaign=campaign.id, template=form.template)
    return campaign


def update_campaign(
    session: Session,
    campaign_id: int,
    form: CampaignForm,
    *,
    zone: ZoneInfo,
    reach: Reach = EVERYWHERE,
    actor: Actor,
) -> Campaign:
    """Change a campaign's title, invitation, days and places; the caller commits.

    A new place in the form is made with the change, or not at all.
    """
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFoundError()
    errors: Errors = {}
    new_place = _new_place(session, form, reach, errors)
    if form.intro_en.strip() and not form.intro_de.strip():
        errors["intro_de"] = (N_("The invitation in German is needed."), {})
    made_as = _format(errors, form.format, campaign.format)
    title, intro, starts, ends, places = _validated(session, form, zone, reach, errors)
    if new_place is not None:
        places.append(write_place(session, None, new_place, actor=actor))
    campaign.title = title
    # Emptying the invitation removes it in every language; else the others are kept.
    campaign.intro = (
        kept_translations(campaign.intro or {}, intro["de"], intro.get("en", "")) if intro else {}
    )
    # A moment set elsewhere (e.g. 10:00) stays as long as the day shown for it does.
    if shown_day(campaign.starts_at, zone) != shown_day(starts, zone):
        campaign.starts_at = starts
    if shown_day(campaign.ends_at, zone, last=True) != shown_day(ends, zone, last=True):
        campaign.ends_at = ends
    campaign.locations = places
    campaign.format = made_as
    session.flush()
    number_stations(session, campaign)
    release_station_questions(session, campaign, actor=actor)
    audit(session, actor, "campaign-save", campaign=campaign.id)
    return campaign


def pin_campaign(
    session: Session, location_id: int, campaign_id: str, *, reach: Reach = EVERYWHERE, actor: Actor
) -> int | None:
    """Pin one of the campaigns running at a place there ("": no pin); the caller commits.

    A pinned campaign shows at the place while it is open, whatever else runs there; before
    it begins and once it has ended, the rule decides again (kiosk.collect.catalog). Returns
    the pinned campaign's id.
    """
    # The place's row locked (PostgreSQL): two pins at one place at once take turns, the
    # second unpins the first's, and the one-pin index never sees two.
    location = session.get(Location, location_id, with_for_update=True)
    if location is None:
        raise NotFoundError()
    require(reach.covers_area(location.area_id))
    link = campaign_location.c
    raw = campaign_id.strip()
    pinned = int(raw) if raw.isdecimal() and len(raw) < 10 else None
    runs_here = select(link.campaign_id).where(
        link.location_id == location_id, link.campaign_id == pinned
    )
    if raw and (pinned is None or session.scalar(runs_here) is None):
        raise FormError({"campaign_id": (N_("Please choose a campaign that runs here."), {})})
    # Unpinned first: a place holds one pin at most (uq_campaign_location_pinned).
    session.execute(
        update(campaign_location)
        .where(link.location_id == location_id, link.pinned)
        .values(pinned=False)
    )
    if pinned is not None:
        session.execute(
            update(campaign_location)
            .where(link.location_id == location_id, link.campaign_id == pinned)
            .values(pinned=True)
        )
    bump_revision(session)  # around the ORM: workers and kiosk nodes reload
    audit(session, actor, "place-pin", place=location_id, campaign=pinned)
    return pinned


def shown_day(moment: dt.datetime | None, zone: ZoneInfo, *, last: bool = False) -> dt.date | None:
    """The day a form shows for a stored moment; an end (next day's start) shows the day before."""
    if moment is None:
        return None
    if last:
        moment -= dt.timedelta(microseconds=1)
    return moment.astimezone(zone).date()


def copy_campaign(session: Session, campaign_id: int, *, title: str, actor: Actor) -> Campaign:
    """A copy of a campaign's questions, options and poster logo, with no places or days yet."""
    original = session.scalar(
        select(Campaign)
        .where(Campaign.id == campaign_id)
        .options(selectinload(Campaign.questions).selectinload(Question.options))
    )
    if original is None:
        raise NotFoundError()
    copy = Campaign(
        title=title[:NAME_MAX], intro=dict(original.intro or {}), format=original.format
    )
    for q in original.questions:
        question = Question(
            position=q.position,
            kind=q.kind,
            texts=dict(q.texts),
            max_choices=q.max_choices,
            results_shown=q.results_shown,
            demographic=q.demographic,
            # A station's own question stays that station's: asked there once the copy
            # runs at that place again, and nowhere before.
            location_id=q.location_id,
        )
        question.options = [Option(**option_fields(o)) for o in q.options]
        copy.questions.append(question)
    session.add(copy)
    session.flush()
    logo = session.get(PosterLogo, campaign_id)
    if logo is not None:
        session.add(PosterLogo(campaign_id=copy.id, png=logo.png, uploaded_at=logo.uploaded_at))
    audit(session, actor, "campaign-copy", campaign=copy.id, original=campaign_id)
    return copy


def campaigns_newest_first(session: Session, reach: Reach = EVERYWHERE) -> list[Campaign]:
    """The campaigns within reach, the last made first, with their places."""
    rows = session.scalars(
        select(Campaign).options(selectinload(Campaign.locations)).order_by(Campaign.id.desc())
    )
    return campaigns_within(session, reach, rows)


def campaigns_by_start(session: Session, reach: Reach = EVERYWHERE) -> list[Campaign]:
    """The campaigns within reach, the latest to start first (unstarted last, then by id)."""
    rows = session.scalars(
        select(Campaign).order_by(Campaign.starts_at.desc().nulls_last(), Campaign.id)
    )
    return campaigns_within(session, reach, rows)

"""Campaigns that overlap at a place: the one started last shows, unless staff pin one there.

The rule (kiosk.collect.catalog.shown_campaign), the pin (its form, its reach, its single
row per place), what the public pages show, and the warnings and states staff see.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.access.permissions import Role
from kiosk.access.reach import OutOfReachError, Reach
from kiosk.cli import upgrade_database
from kiosk.collect.catalog import (
    CampaignState,
    current_revision,
    load_catalog,
    shown_campaign,
)
from kiosk.core.errors import FormError
from kiosk.models import (
    COMMAND_LINE,
    Area,
    AuditEntry,
    Campaign,
    Location,
    campaign_location,
    utcnow,
)
from kiosk.models.engine import make_engine
from kiosk.setup.campaign_templates import TEMPLATES
from kiosk.setup.campaigns import pin_campaign
from kiosk.setup.demo import load_demo
from kiosk.web import db
from tests.conftest import fresh_postgres_database
from tests.helpers import login_as

DAY = dt.timedelta(days=1)
T0 = dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Run:
    """A campaign as the rule sees it."""

    id: int
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None = None


# --- The rule --------------------------------------------------------------------------------


def test_of_overlapping_campaigns_the_one_started_last_shows() -> None:
    old, new = Run(1, T0 - 30 * DAY), Run(2, T0 - DAY)
    assert shown_campaign([old, new], None, T0) == new
    assert shown_campaign([new, old], None, T0) == new  # whatever the order given
    assert shown_campaign([old, new], None, T0 - 2 * DAY) == old  # before the new one began
    ended = Run(3, T0 - 5 * DAY, T0 - DAY)
    assert shown_campaign([old, ended], None, T0) == old  # an ended one shows nowhere
    assert shown_campaign([old, ended], None, T0 - 2 * DAY) == ended


def test_an_open_start_counts_as_the_earliest_and_a_tie_goes_to_the_one_made_last() -> None:
    always, dated = Run(9, None), Run(1, T0 - 30 * DAY)
    assert shown_campaign([always, dated], None, T0) == dated
    assert shown_campaign([always], None, T0) == always
    twin_a, twin_b = Run(4, T0 - DAY), Run(5, T0 - DAY)
    assert shown_campaign([twin_b, twin_a], None, T0) == twin_b
    assert shown_campaign([], None, T0) is None


def test_a_pinned_campaign_shows_while_open_and_the_rule_applies_before_and_after() -> None:
    pinned = Run(1, T0 - 30 * DAY, T0 + 10 * DAY)
    newer = Run(2, T0 - DAY)
    assert shown_campaign([pinned, newer], 1, T0) == pinned
    assert shown_campaign([pinned, newer], 1, T0 + 10 * DAY) == newer  # the pinned one ended
    upcoming = Run(3, T0 + 5 * DAY)
    assert shown_campaign([upcoming, newer], 3, T0) == newer  # not begun: the rule decides
    assert shown_campaign([upcoming, newer], 3, T0 + 5 * DAY) == upcoming
    assert shown_campaign([newer], 99, T0) == newer  # a pin of no campaign here pins nothing


# --- The catalog: what a place shows, and what staff are told --------------------------------


def _second_campaign(
    session: Session, starts_at: dt.datetime | None, title: str = "Klimastation 1", **extra: object
) -> Campaign:
    """A campaign at the demo's square, beside the demo's WerkStadt (begun 27 Sep 2025)."""
    square = session.scalars(select(Location).where(Location.code == "ehp")).one()
    campaign = Campaign(
        title=title,
        starts_at=starts_at,
        locations=[square],
        questions=TEMPLATES["climate-walk"].build_questions("Jena Nord"),
        **extra,
    )
    session.add(campaign)
    session.flush()
    return campaign


def _demo_id(session: Session) -> int:
    return session.scalars(select(Campaign.id).where(Campaign.title.like("WerkStadt%"))).one()


def test_a_place_shows_the_campaign_started_last_and_the_pin_decides_over_it(
    session: Session,
) -> None:
    now = utcnow()
    werkstadt = _demo_id(session)
    climate = _second_campaign(session, now - DAY)
    catalog = load_catalog(session)
    square, playground = catalog.locations["ehp"], catalog.locations["zeitzer"]
    assert catalog.running_campaign(square, now).id == climate.id
    assert catalog.running_campaign(playground, now).id == werkstadt  # it runs only there
    states = dict((c.id, state) for c, state in catalog.states(square, now))
    assert states == {werkstadt: CampaignState.HIDDEN, climate.id: CampaignState.SHOWS}

    before = current_revision(session)
    assert pin_campaign(session, square.id, str(werkstadt), actor=COMMAND_LINE) == werkstadt
    assert current_revision(session) > before  # workers and kiosk nodes reload
    catalog = load_catalog(session)
    assert catalog.locations["ehp"].pinned_campaign_id == werkstadt
    assert catalog.running_campaign(catalog.locations["ehp"], now).id == werkstadt
    assert pin_campaign(session, square.id, "", actor=COMMAND_LINE) is None
    catalog = load_catalog(session)
    assert catalog.running_campaign(catalog.locations["ehp"], now).id == climate.id
    actions = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "place-pin"))
    assert [d["campaign"] for d in actions] == [werkstadt, None]


def test_a_pinned_campaign_that_ended_gives_the_place_back_to_the_rule(session: Session) -> None:
    now = utcnow()
    werkstadt = session.get_one(Campaign, _demo_id(session))
    climate = _second_campaign(session, now - DAY)
    square_id = session.scalars(select(Location.id).where(Location.code == "ehp")).one()
    pin_campaign(session, square_id, str(werkstadt.id), actor=COMMAND_LINE)
    werkstadt.ends_at = now - dt.timedelta(hours=1)
    session.flush()
    catalog = load_catalog(session)
    square = catalog.locations["ehp"]
    assert square.pinned_campaign_id == werkstadt.id  # the pin stays, and pins nothing now
    assert catalog.running_campaign(square, now).id == climate.id
    assert dict((c.id, s) for c, s in catalog.states(square, now))[werkstadt.id] == "ended"


def test_a_pin_goes_with_the_campaign_when_it_leaves_the_place(session: Session) -> None:
    werkstadt = session.get_one(Campaign, _demo_id(session))
    square, playground = sorted(werkstadt.locations, key=lambda place: place.code != "ehp")
    pin_campaign(session, square.id, str(werkstadt.id), actor=COMMAND_LINE)
    werkstadt.locations = [playground]
    session.flush()
    pins = session.scalar(select(func.count()).where(campaign_location.c.pinned))
    assert pins == 0
    werkstadt.locations = [playground, square]  # back again: not pinned by itself
    session.flush()
    assert load_catalog(session).locations["ehp"].pinned_campaign_id is None


def test_a_place_holds_one_pin_at_most_in_the_database(session: Session) -> None:
    now = utcnow()
    climate = _second_campaign(session, now - DAY)
    square_id = session.scalars(select(Location.id).where(Location.code == "ehp")).one()
    link = campaign_location.c
    session.execute(
        update(campaign_location)
        .where(link.location_id == square_id, link.campaign_id == climate.id)
        .values(pinned=True)
    )
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(
            update(campaign_location)
            .where(link.location_id == square_id, link.campaign_id == _demo_id(session))
            .values(pinned=True)
        )
    session.execute(insert(Area).values(name="Lobeda"))  # the session still works


@pytest.mark.parametrize("raw", ["x", "-1", "²", "9" * 30, "999999", " 1 1 "])
def test_pinning_a_campaign_that_does_not_run_there_is_refused_and_changes_nothing(
    session: Session, raw: str
) -> None:
    square_id = session.scalars(select(Location.id).where(Location.code == "ehp")).one()
    before = current_revision(session)
    with pytest.raises(FormError) as error:
        pin_campaign(session, square_id, raw, actor=COMMAND_LINE)
    assert set(error.value.fields) == {"campaign_id"}
    assert current_revision(session) == before
    assert session.scalar(select(func.count()).where(campaign_location.c.pinned)) == 0


def test_a_campaign_of_another_place_cannot_be_pinned_and_another_area_s_place_is_403(
    session: Session,
) -> None:
    werkstadt = session.get_one(Campaign, _demo_id(session))
    other = _second_campaign(session, None, "Nur am Platz")
    playground = next(p for p in werkstadt.locations if p.code == "zeitzer")
    with pytest.raises(FormError):
        pin_campaign(session, playground.id, str(other.id), actor=COMMAND_LINE)
    lobeda = Area(name="Lobeda")
    session.add(lobeda)
    session.flush()
    with pytest.raises(OutOfReachError):
        pin_campaign(
            session, playground.id, "", reach=Reach(frozenset({lobeda.id})), actor=COMMAND_LINE
        )


def test_overlaps_tell_who_hides_whom_from_when(session: Session) -> None:
    now = utcnow()
    werkstadt = _demo_id(session)
    climate = _second_campaign(session, now - DAY)
    later = _second_campaign(session, now + 10 * DAY, title="Zukunftswerkstatt")
    catalog = load_catalog(session)

    hides = catalog.overlaps(climate.id, now)
    assert [(o.location.code, o.shown.id, o.hidden.id, o.since) for o in hides] == [
        ("ehp", climate.id, werkstadt, now),  # it hides WerkStadt now
        ("ehp", later.id, climate.id, later.starts_at),  # and is hidden in ten days
    ]
    hidden = catalog.overlaps(werkstadt, now)
    assert [(o.location.code, o.shown.id, o.since) for o in hidden] == [
        ("ehp", climate.id, now),
        ("ehp", later.id, later.starts_at),
    ]
    # Later hides the climate walk from its start on, not WerkStadt (hidden already then).
    assert [(o.shown.id, o.hidden.id) for o in catalog.overlaps(later.id, now)] == [
        (later.id, climate.id)
    ]
    showing = {row.location.code: row for row in catalog.showing(later.id, now)}
    assert showing["ehp"].shown.id == later.id and showing["ehp"].later == later.starts_at

    pin_campaign(session, catalog.locations["ehp"].id, str(werkstadt), actor=COMMAND_LINE)
    catalog = load_catalog(session)
    (pinned,) = catalog.overlaps(later.id, now)
    assert (pinned.shown.id, pinned.hidden.id, pinned.pinned) == (werkstadt, later.id, True)
    assert pinned.since == later.starts_at
    showing = {row.location.code: row for row in catalog.showing(climate.id, now)}
    assert showing["ehp"].shown.id == werkstadt and showing["ehp"].pinned


def test_a_campaign_alone_at_its_places_is_warned_of_nothing(session: Session) -> None:
    now = utcnow()
    werkstadt = session.get_one(Campaign, _demo_id(session))
    assert load_catalog(session).overlaps(werkstadt.id, now) == []
    ended = _second_campaign(session, now - 10 * DAY, ends_at=now - DAY)
    catalog = load_catalog(session)
    assert catalog.overlaps(ended.id, now) == []  # over: it hides nothing any more
    assert catalog.showing(ended.id, now)[0].shown is None


def test_a_place_shows_next_the_campaign_that_will_show_when_the_next_one_begins(
    session: Session,
) -> None:
    now = utcnow()
    werkstadt = session.get_one(Campaign, _demo_id(session))
    werkstadt.ends_at = now - DAY
    soon = _second_campaign(session, now + 3 * DAY, title="Bald")
    catalog = load_catalog(session)
    square = catalog.locations["ehp"]
    assert catalog.running_campaign(square, now) is None
    assert catalog.next_campaign(square, now).id == soon.id
    assert catalog.next_campaign(catalog.locations["zeitzer"], now) is None


# --- What passers-by see ----------------------------------------------------------------------


def _title_on(client: object, path: str) -> str:
    page = client.get(path).text
    return (
        "Klimastation 1" if "Klimastation 1" in page else "WerkStadt" if "WerkStadt" in page else ""
    )


def test_the_public_pages_show_the_campaign_the_rule_picks(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        _second_campaign(session, utcnow() - DAY)
        square_id = session.scalars(select(Location.id).where(Location.code == "ehp")).one()
        session.commit()
        werkstadt = _demo_id(session)
    public = app.test_client()
    # Before: /k/ehp kept showing WerkStadt (the earliest started won).
    assert _title_on(public, "/k/ehp") == "Klimastation 1"
    assert _title_on(public, "/k/zeitzer") == "WerkStadt"  # the new one does not run there
    with app.app_context():
        pin_campaign(db.session(), square_id, str(werkstadt), actor=COMMAND_LINE)
        db.session().commit()
    assert _title_on(public, "/k/ehp") == "WerkStadt"
    with app.app_context():
        db.session().get_one(Campaign, werkstadt).ends_at = utcnow() - dt.timedelta(minutes=1)
        db.session().commit()
    assert _title_on(public, "/k/ehp") == "Klimastation 1"  # the pinned one ended


def test_the_phone_page_asks_the_question_of_the_campaign_that_shows(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        climate = _second_campaign(session, utcnow() - DAY)
        session.commit()
        first = load_catalog(session).campaigns[climate.id].questions[0]
        demo_first = load_catalog(session).campaigns[_demo_id(session)].questions[0]
    page = app.test_client().get("/q/ehp").text
    assert first.texts["de"] in page
    assert demo_first.texts["de"] not in page


# --- What staff see, the warnings, and the pin form -------------------------------------------


def _english_editor(app: Flask, role: Role = Role.EDITOR) -> FlaskClient:
    client = login_as(app, role)
    client.get("/staff/?lang=en")  # the session keeps English: the flashes are in it too
    return client


def test_saving_a_campaign_that_hides_another_warns_in_words(app: Flask) -> None:
    editor = _english_editor(app)
    with app.app_context():
        square_id = db.session().scalars(select(Location.id).where(Location.code == "ehp")).one()
    yesterday = (utcnow() - DAY).date().isoformat()
    made = editor.post(
        "/staff/setup/campaigns/new",
        data={"title": "Klimastation 1", "template": "climate-walk",
              "starts_on": yesterday, "location_ids": str(square_id)},
    )  # fmt: skip
    assert made.status_code == 303
    page = editor.get(made.headers["Location"]).text
    assert "This campaign shows at Emil-Höllein-Platz now and hides “WerkStadt" in page
    assert "✓ shows now" in page
    with app.app_context():
        werkstadt = _demo_id(db.session())
    demo_page = editor.get(f"/staff/setup/campaigns/{werkstadt}").text
    assert "hidden now by “Klimastation 1”" in demo_page
    saved = editor.post(
        f"/staff/setup/campaigns/{werkstadt}",
        data={"title": "WerkStadt – Leben in Jena Nord", "starts_on": "2025-09-27",
              "location_ids": [str(square_id)]},
    )  # fmt: skip
    assert saved.status_code == 303
    warned = editor.get(saved.headers["Location"]).text
    assert "“Klimastation 1” shows at Emil-Höllein-Platz now, not this campaign" in warned
    assert "the one started last shows" in warned


def test_saving_a_campaign_that_a_pinned_one_will_hide_warns_from_its_first_day(
    app: Flask,
) -> None:
    editor = _english_editor(app)
    with app.app_context():
        session = db.session()
        square_id = session.scalars(select(Location.id).where(Location.code == "ehp")).one()
        pin_campaign(session, square_id, str(_demo_id(session)), actor=COMMAND_LINE)
        session.commit()
    first_day = dt.date.today() + dt.timedelta(days=30)
    made = editor.post(
        "/staff/setup/campaigns/new",
        data={"title": "Herbstfest", "template": "pop-up",
              "starts_on": first_day.isoformat(), "location_ids": str(square_id)},
    )  # fmt: skip
    page = editor.get(made.headers["Location"]).text
    assert "shows at Emil-Höllein-Platz, not this campaign: it is pinned there" in page
    assert f"From {first_day:%b} {first_day.day}, {first_day.year}" in page
    assert "from " + f"{first_day:%b} {first_day.day}, {first_day.year} hidden by" in page


def test_the_place_page_tells_what_shows_and_pins_one(app: Flask) -> None:
    editor = _english_editor(app)
    with app.app_context():
        session = db.session()
        climate = _second_campaign(session, utcnow() - DAY)
        square_id = session.scalars(select(Location.id).where(Location.code == "ehp")).one()
        session.commit()
        werkstadt, climate_id = _demo_id(session), climate.id
    page = editor.get(f"/staff/setup/places/{square_id}").text
    assert "Shows now: “Klimastation 1”" in page and "open, hidden now" in page
    assert "Shows now: “Klimastation 1”" in editor.get("/staff/setup/places").text
    pinned = editor.post(
        f"/staff/setup/places/{square_id}/pin", data={"campaign_id": str(werkstadt)}
    )
    assert pinned.status_code == 303 and pinned.headers["Location"].endswith("#showing")
    page = editor.get(pinned.headers["Location"]).text
    assert "Pinned at Emil-Höllein-Platz" in page and "Shows now: “WerkStadt" in page
    assert _title_on(app.test_client(), "/k/ehp") == "WerkStadt"
    with app.app_context():
        db.session().get_one(Campaign, werkstadt).ends_at = utcnow() - dt.timedelta(minutes=1)
        db.session().commit()
    page = editor.get(f"/staff/setup/places/{square_id}").text
    assert "The pinned campaign has ended: the campaign started last shows again." in page
    assert "Shows now: “Klimastation 1”" in page
    # From the campaign page: pinned there, back to the campaign page.
    back = editor.post(
        f"/staff/setup/places/{square_id}/pin",
        data={"campaign_id": str(climate_id), "from_campaign": str(climate_id)},
    )
    assert back.headers["Location"].endswith(f"/staff/setup/campaigns/{climate_id}#showing")
    assert "pinned here" in editor.get(back.headers["Location"]).text
    bad = editor.post(f"/staff/setup/places/{square_id}/pin", data={"campaign_id": "999999"})
    assert bad.status_code == 422 and "Please choose a campaign that runs here" in bad.text
    with app.app_context():
        pins = db.session().execute(
            select(campaign_location.c.campaign_id).where(campaign_location.c.pinned)
        )
        assert pins.scalars().all() == [climate_id]  # the refused form changed nothing


def test_the_pin_form_needs_the_edit_role_and_the_place_s_area(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        square_id = session.scalars(select(Location.id).where(Location.code == "ehp")).one()
        werkstadt = _demo_id(session)
        lobeda = Area(name="Lobeda")
        lobeda.locations.append(Location(code="lobeda-markt", name="Markt Lobeda"))
        session.add(lobeda)
        session.commit()
        lobeda_id = lobeda.id
    data = {"campaign_id": str(werkstadt)}
    viewer = login_as(app, Role.VIEWER)
    assert viewer.post(f"/staff/setup/places/{square_id}/pin", data=data).status_code == 403
    limited = login_as(app, Role.MODERATOR)  # a moderator may not set up either
    assert limited.post(f"/staff/setup/places/{square_id}/pin", data=data).status_code == 403
    editor = login_as(app, Role.EDITOR)
    with app.app_context():
        from kiosk.models import StaffUser

        user = db.session().scalars(select(StaffUser).where(StaffUser.role == "editor")).one()
        user.areas = [db.session().get_one(Area, lobeda_id)]
        db.session().commit()
    refused = editor.post(f"/staff/setup/places/{square_id}/pin", data=data)
    assert refused.status_code == 403
    assert "belongs to an area" in refused.text or "Sozialraum" in refused.text
    assert editor.post("/staff/setup/places/999999/pin", data=data).status_code == 404
    with app.app_context():
        assert db.session().scalar(select(func.count()).where(campaign_location.c.pinned)) == 0
        user = db.session().scalars(select(StaffUser).where(StaffUser.role == "editor")).one()
        user.areas = []  # within reach again: the same form pins
        db.session().commit()
    assert editor.post(f"/staff/setup/places/{square_id}/pin", data=data).status_code == 303


def test_a_poster_asks_what_the_place_shows_or_will_show_next(app: Flask) -> None:
    from kiosk.web.shared import poster_content

    with app.app_context():
        session = db.session()
        werkstadt = session.get_one(Campaign, _demo_id(session))
        werkstadt.ends_at = utcnow() - DAY
        soon = _second_campaign(session, utcnow() + 7 * DAY, title="Bald")
        session.commit()
        first = load_catalog(session).campaigns[soon.id].questions[0].texts["de"]
        square_id = session.scalars(select(Location.id).where(Location.code == "ehp")).one()
    with app.test_request_context(f"/staff/location/{square_id}/poster"):
        content = poster_content(db.session().get_one(Location, square_id))
    # Before: the first campaign ever at the place (WerkStadt, ended) gave the poster its question.
    assert content.headline == first


@pytest.mark.postgresql  # SQLite has one writer at a time: the second pin waits anyway
def test_two_pins_at_one_place_at_once_take_turns() -> None:
    """Two staff pin different campaigns at one place at the same moment: the second waits
    for the first and unpins it, instead of failing on the one-pin index (a 500 before)."""
    with fresh_postgres_database("kiosk_pins") as url:
        upgrade_database(url)
        engine = make_engine(url)
        with Session(engine) as session:
            load_demo(session, sample_visits=0, actor=COMMAND_LINE, formats=False)
            session.flush()
            demo_id, other_id = _demo_id(session), _second_campaign(session, None).id
            square = session.scalars(select(Location.id).where(Location.code == "ehp")).one()
            session.commit()
        first, second = Session(engine), Session(engine)
        pin_campaign(first, square, str(demo_id), actor=COMMAND_LINE)  # not committed yet
        done: list[object] = []

        def pin_too() -> None:
            try:
                pin_campaign(second, square, str(other_id), actor=COMMAND_LINE)
                second.commit()
                done.append("pinned")
            except Exception as error:
                done.append(error)

        racer = threading.Thread(target=pin_too)
        racer.start()
        racer.join(timeout=1)
        assert racer.is_alive()  # it waits for the first
        first.commit()
        racer.join(timeout=10)
        assert done == ["pinned"]
        with Session(engine) as session:
            pins = session.execute(
                select(campaign_location.c.campaign_id).where(campaign_location.c.pinned)
            ).all()
            assert [row.campaign_id for row in pins] == [other_id]  # the later one stands
        first.close()
        second.close()
        engine.dispose()

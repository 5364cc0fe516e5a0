"""Every staff route, walked by everyone who may knock (issue 19).

The routes come from the URL map, so a new one is walked by itself, and fails here until it
is classified. Each is opened with GET and POST (a valid CSRF token each time) anonymously,
with a kiosk's device token, as each role, and as each role limited to one area (Lobeda):
against objects of the other area (Jena Nord, the demo), of their own, and of their own with
the other area's place in the path or the form. Each answer must be the one README's "Roles" and
SECURITY.md document; a refused request changes nothing; no answer is a server error.
Every request runs in a SAVEPOINT rolled back after it, so each finds the same data.
"""

from __future__ import annotations

import io
import json
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from werkzeug.routing import IntegerConverter, Rule
from werkzeug.test import TestResponse

from kiosk.access.accounts import create_user
from kiosk.access.permissions import Permission, Role, allowed
from kiosk.collect.answers import Answer, record_answer
from kiosk.collect.catalog import CatalogCache, load_catalog
from kiosk.collect.paper import enter_paper_tally
from kiosk.models import (
    COMMAND_LINE,
    Area,
    Base,
    Campaign,
    Drawing,
    DrawingSource,
    Location,
    QuestionKind,
    Response,
    utcnow,
)
from kiosk.setup.campaigns import copy_campaign
from kiosk.sync.devices import enrol, register_device
from kiosk.sync.ingest import ingest
from kiosk.web import db
from kiosk.web.staff import posters, results
from tests.helpers import PASSWORD, question
from tests.test_hardening import _urls
from tests.test_kiosk_places import item
from tests.test_public_views import hidden
from tests.test_reach import OUT_OF_REACH

VIEW, MODERATE, EDIT, ADMIN = Permission
ANYONE = None  # the login form and logging out
# What each staff endpoint needs, as README's "Staff" section documents it (its Roles bullet:
# "admin (everything), editor (set-up, kiosks, paper sheets, when results are public),
# moderator (wishes), viewer (results and downloads …)"; People: admins). Written from the
# documentation, not read off the views' decorators: where they differ, the walk fails.
DOCUMENTED: dict[str, Permission | None] = {
    "auth.login": ANYONE,
    "auth.logout": ANYONE,
    "auth.logout_everywhere": ANYONE,
    # Results per place, area and campaign, and downloads: every role.
    "staff.results.index": VIEW,
    "staff.results.results": VIEW,
    "staff.results.compare": VIEW,
    "staff.results.report": VIEW,
    "staff.results.export": VIEW,
    "staff.results.export_xlsx": VIEW,
    "staff.results.chart_png": VIEW,
    "staff.results.location_qr": VIEW,  # "the QR code and link of each place"
    # Posters and stickers are downloads too (README names no role for them).
    "staff.posters.preview": VIEW,
    "staff.posters.preview_png": VIEW,
    "staff.posters.poster": VIEW,
    "staff.posters.qr_svg": VIEW,
    "staff.posters.stickers": VIEW,
    "staff.campaign_posters.campaign_page": VIEW,
    "staff.campaign_posters.campaign_posters": VIEW,
    "staff.campaign_posters.campaign_stickers": VIEW,
    "staff.campaign_posters.logo_png": VIEW,
    # "Editors can give a campaign's posters the organiser's logo."
    "staff.campaign_posters.upload_logo": EDIT,
    "staff.campaign_posters.remove_logo": EDIT,
    # When results are public.
    "staff.results.results_shown": EDIT,
    # Set-up: areas, places, campaigns, questions, their translations.
    "staff.setup.places": EDIT,
    "staff.setup.area": EDIT,
    "staff.setup.place": EDIT,
    "staff.setup.pin": EDIT,  # which campaign a place shows
    "staff.setup.code_hint": EDIT,  # the short code suggested for a new place's name
    "staff.setup.campaigns": EDIT,
    "staff.setup.new_campaign": EDIT,
    "staff.setup.campaign": EDIT,
    "staff.setup.copy": EDIT,
    "staff.setup.new_question": EDIT,
    "staff.setup.question": EDIT,
    "staff.setup.move": EDIT,
    # A climate walk's route: station order and notes (editors), its picture (every role).
    "staff.route.move": EDIT,
    "staff.route.note": EDIT,
    "staff.route.picture": VIEW,
    "staff.translations.translate": EDIT,
    # Kiosks ("the kiosks page too, for viewers and moderators": 403), and paper sheets.
    "staff.kiosks.index": EDIT,
    "staff.kiosks.register": EDIT,
    "staff.kiosks.revoke_device": EDIT,
    "staff.kiosks.reenrol": EDIT,
    "staff.kiosks.places": EDIT,
    "staff.kiosks.release": EDIT,
    "staff.kiosks.reject": EDIT,
    "staff.kiosks.import_file": EDIT,
    "staff.paper.index": EDIT,
    "staff.paper.enter": EDIT,
    "staff.paper.withdraw": EDIT,
    # Wishes.
    "staff.moderation.index": MODERATE,
    "staff.moderation.act": MODERATE,
    # Drawings: editors upload paper drawings; moderators see and judge them.
    "staff.drawings.upload": EDIT,
    "staff.drawings.index": MODERATE,
    "staff.drawings.picture": MODERATE,
    "staff.drawings.moderate": MODERATE,
    # People and the audit log.
    "staff.people.index": ADMIN,
    "staff.people.add": ADMIN,
    "staff.people.change": ADMIN,
    "staff.people.audit_log": ADMIN,
}
# Forms that name a place or an area (in their fields, or the carried file's answers): for one
# of another area, README documents 403 "belongs to an area you do not work in", nothing stored.
NAMES_A_PLACE = frozenset({
    "staff.setup.place", "staff.setup.new_campaign", "staff.setup.campaign",
    "staff.drawings.upload",
    "staff.kiosks.register", "staff.kiosks.places", "staff.kiosks.import_file",
})  # fmt: skip
# A new area lies in none of a limited member's areas: only those who work everywhere add one.
NEW_AREA = "/staff/setup/areas"
# Where the app answers otherwise than README documents: (principal, objects, method,
# endpoint) -> what happens. Each must still happen (the walk fails once it does not: take it
# out then). None now: the kiosk places form and the carried file answered otherwise until
# issue 19 made them 403 too.
DEVIATIONS: dict[tuple[str, str, str, str], str] = {}
ROLE_REFUSED = "Ihre Rolle erlaubt das nicht"
CSRF_REFUSED = "Bitte laden Sie sie neu"  # "This page was open too long or came from elsewhere"
# What of Jena Nord a member limited to Lobeda must never be shown. (Not its area's name, nor
# the demo campaign's title or the playground's name: the demo's question texts, copied into
# Lobeda's campaign, and the forms' hints name them.)
JENA_ONLY = ("Emil-Höllein-Platz", "Jena fragt", "Wunsch aus Jena", "Pi Jena")
# Tables that change without anybody changing anything: the log, the login and rate counters.
KEPT_BY_THEMSELVES = {"audit_entry", "login_failure", "login_failure_count", "rate_count"}
RULES_NOW, REQUESTS_NOW = 62, 1508  # the walk may grow, never shrink unnoticed
# Whose objects a principal knocks at: the demo's (everyone but limited members); then a member
# limited to Lobeda: Jena's, Lobeda's, Lobeda's with Jena's place in the path (a Lobeda kiosk's
# answers kept aside for a Jena place, say), Lobeda's with Jena's place or area in the form.
OTHERS_PLACE, OTHERS_PLACE_IN_FORM = "own, other's place", "own, other's place in the form"
WORLDS = ("demo", "other area", "own area", OTHERS_PLACE, OTHERS_PLACE_IN_FORM)
MIXED = (OTHERS_PLACE, OTHERS_PLACE_IN_FORM)
BINARY = ("image/", "application/pdf", "application/vnd")


@dataclass(frozen=True)
class Principal:
    """Who knocks: nobody, a kiosk's device token, or a staff member of a role."""

    name: str
    role: Role | None = None
    limited: bool = False  # to Lobeda
    bearer: bool = False

    @property
    def email(self) -> str:
        return f"{self.role}@{'lobeda' if self.limited else 'walk'}.example"

    @property
    def worlds(self) -> tuple[str, ...]:
        """Whose objects they knock at: the demo's; a limited member's, each area's and mixed."""
        return WORLDS[1:] if self.limited else ("demo",)


PRINCIPALS = [
    Principal("anonymous"),
    Principal("device token", bearer=True),
    *(Principal(role.value, role) for role in Role),
    *(Principal(f"{role.value} (Lobeda)", role, limited=True) for role in Role),
]


def _setting(app: Flask) -> tuple[dict[str, Any], dict[str, Any], str]:
    """Jena Nord (the demo) and Lobeda, each with a place, a campaign, a wish, a paper sheet
    and a kiosk holding an answer aside for that place; staff of each role, unlimited and
    limited to Lobeda. Returns each area's ids and the Jena kiosk's device token."""
    with app.app_context():
        session = db.session()
        demo = session.scalars(sa.select(Campaign)).one()
        demo.title = "Jena fragt"  # its own title is the forms' example
        square, playground = sorted(demo.locations, key=lambda place: place.code != "ehp")
        area = Area(name="Lobeda")
        market = Location(code="lobeda-markt", name="Markt Lobeda")
        park = Location(code="lobeda-park", name="Park Lobeda")
        area.locations.extend([market, park])
        session.add(area)
        copy = copy_campaign(session, demo.id, title="Lobeda fragt", actor=COMMAND_LINE)
        copy.locations = [market, park]
        copy.starts_at, copy.ends_at = demo.starts_at, demo.ends_at
        for who in (who for who in PRINCIPALS if who.role):
            user = create_user(
                session,
                email=who.email,
                name=who.name,
                password=PASSWORD,
                role=str(who.role),
                actor=COMMAND_LINE,
            )
            user.areas = [area] if who.limited else []
        target = create_user(
            session,
            email="target@walk.example",
            name="Target",
            password=PASSWORD,
            actor=COMMAND_LINE,
        )
        session.commit()
        worlds, tokens = [], []
        for name, campaign_id, place, kiosk_place in (
            ("Jena", demo.id, square, playground),
            ("Lobeda", copy.id, market, park),
        ):
            campaign = load_catalog(session).campaigns[campaign_id]
            single, wish = question(campaign, QuestionKind.SINGLE), question(campaign, "wish")
            text = f"Wunsch aus {name}"
            record_answer(
                session,
                Answer(uuid.uuid4(), None, wish, text=text),
                campaign=campaign,
                location_id=place.id,
                channel="qr",
            )
            device, code = register_device(
                session, name=f"Pi {name}", location_id=kiosk_place.id, actor=COMMAND_LINE
            )
            tokens.append(enrol(session, code)[1])
            answer = item(single.id, place.code, option_ids=[single.options[0].id])
            (verdict,) = ingest(
                session, load_catalog(session), device, [answer], wish_max_chars=280
            )
            assert verdict.status == "aside"  # for a place the kiosk is not assigned to
            sheet = enter_paper_tally(
                session,
                location_id=place.id,
                question_id=single.id,
                counts={str(single.options[0].id): "2"},
                answers="2",
                actor=COMMAND_LINE,
            )
            drawing = Drawing(
                uuid=uuid.uuid4(), campaign_id=campaign_id, location_id=place.id, number=1,
                media_key="0" * 64 + ".jpg", width=10, height=10, source=DrawingSource.PAPER,
                received_at=utcnow(),
            )  # fmt: skip
            session.add(drawing)
            session.commit()
            worlds.append({
                "location_id": place.id, "area_id": place.area_id, "campaign_id": campaign_id,
                "question_id": single.id, "device_id": device.id, "sheet_id": sheet.id,
                "user_id": target.id, "code": "en", "drawing_id": drawing.id,
                "wish_id": session.scalar(sa.select(Response.id).where(Response.text == text)),
                "answer": item(single.id, place.code, option_ids=[single.options[1].id]),
            })  # fmt: skip
    return worlds[0], worlds[1], tokens[0]


def _form(world: dict[str, Any]) -> dict[str, Any]:
    """One form for every POST, its fields naming the world's objects: whichever a route
    reads, it gets something of that world (and a batch file of that world's kiosk)."""
    world = world.get("form", world)
    batch = {
        "format": "kiosk-batch/1",
        "device_id": world["device_id"],
        "responses": [world["answer"]],
    }
    place = str(world["location_id"])
    return {
        "name": "Route walk", "code": "route-walk", "title": "Route walk", "template": "pop-up",
        "starts_on": "", "ends_on": "", "area_id": str(world["area_id"]), "location": place,
        "location_ids": place, "place": place, "row": f"approve:{world['wish_id']}",
        "results_shown": "live", "direction": "up", "campaign_id": str(world["campaign_id"]),
        "place_name": "Route walk place", "place_area_id": str(world["area_id"]),
        "where": f"{world['campaign_id']}:{place}", "age_group": "6-9", "action": "approve",
        "batch": (io.BytesIO(json.dumps(batch).encode()), "kiosk.json"),
    }  # fmt: skip


def _walked(app: Flask, rule: Rule, world: dict[str, Any]) -> list[str]:
    """The rule's URLs with this world's ids: each <any(...)> choice, and as the scope id the
    place's, the area's or the campaign's, as the scope's kind says."""
    adapter = app.url_map.bind("localhost")
    method = "GET" if "GET" in (rule.methods or ()) else "POST"
    walked: list[str] = []
    for kind in ("location", "area", "campaign"):
        # (all built before the first request: _urls holds a request context while it yields)
        for url in list(_urls(app, rule, world | {"scope_id": world[f"{kind}_id"]})):
            if adapter.match(url, method=method)[1].get("kind", kind) == kind:
                walked += [] if url in walked else [url]
    return walked


def _expected(who: Principal, world: str, rule: Rule, method: str) -> str:
    """The documented answer: open, login, role (403), area (403), elsewhere or allowed."""
    needed = DOCUMENTED[rule.endpoint]
    if needed is ANYONE:
        return "open"
    if who.role is None:
        return "login"
    if not allowed(who.role, needed):
        return "role"
    if not who.limited or who.role is Role.ADMIN:
        return "allowed"  # admins always work everywhere
    if rule.rule == NEW_AREA and method == "POST":
        return "area"
    if world == "own area":
        return "allowed"
    names_an_object = any(isinstance(rule._converters[n], IntegerConverter) for n in rule.arguments)
    form_names_a_place = method == "POST" and rule.endpoint in NAMES_A_PLACE
    if world in MIXED or names_an_object or form_names_a_place:
        return "area"
    return "elsewhere"  # a list, or a form naming no place: nothing of Jena shown or changed


def _in_world(world: str, rule: Rule, method: str) -> bool:
    """Whether the rule is walked in this world (the mixed ones: only where they differ)."""
    if world == OTHERS_PLACE:
        return "location_id" in rule.arguments
    if world == OTHERS_PLACE_IN_FORM:
        return method == "POST" and rule.endpoint in NAMES_A_PLACE
    return True


def _mismatch(expected: str, endpoint: str, answer: TestResponse, text: str) -> str | None:
    """What is wrong with the answer, if anything."""
    status = answer.status_code
    to_login = status in (302, 303) and urlsplit(answer.location).path == "/staff/login"
    if status >= 500 or (status == 400 and CSRF_REFUSED in text):
        return "a server error or a CSRF refusal"
    if expected == "login":
        return None if status == 302 and to_login else "not sent to the login"
    if expected == "role":
        return None if status == 403 and ROLE_REFUSED in text else "not 403 for the role"
    refused_here = status == 403 and OUT_OF_REACH in text
    if expected == "area" or (expected == "elsewhere" and status == 403):
        return None if refused_here else "not 403 for the area"
    if status in (401, 403) or (to_login and expected != "open"):
        return "refused though documented as allowed"
    return None


def _digest(connection: sa.Connection) -> list[list[str]]:
    """Every row of every table but those that change by themselves."""
    return [
        sorted(map(repr, connection.execute(sa.select(table))))
        for table in Base.metadata.sorted_tables
        if table.name not in KEPT_BY_THEMSELVES
    ]


def _client(app: Flask, who: Principal, token: str) -> tuple[FlaskClient, dict[str, Any]]:
    """A client for this principal, and what its requests carry: a CSRF token of its session
    (the device token's client holds an anonymous one for it) and the kiosk's bearer token."""
    client = app.test_client()
    csrf = hidden(client.get("/staff/login").text, "csrf_token")
    if who.role is not None:
        sent = {"email": who.email, "password": PASSWORD, "csrf_token": csrf}
        assert client.post("/staff/login", data=sent).status_code == 302, who
        csrf = hidden(client.get("/staff/").text, "csrf_token")  # a fresh session, a new token
    headers = {"Authorization": f"Bearer {token}"} if who.bearer else {}
    return client, {"csrf_token": csrf, "headers": headers}


@dataclass
class Walk:
    """The requests sent, by principal, answer and documented answer; what was wrong."""

    connection: sa.Connection
    worlds: dict[str, dict[str, Any]]
    fresh_catalog: Callable[[], None]
    wrong: list[str] = field(default_factory=list)
    deviations: set[tuple[str, str, str, str]] = field(default_factory=set)
    by_principal: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    by_expected: Counter[str] = field(default_factory=Counter)
    stored: list[list[str]] | None = None  # the digest every request starts from

    def client(self, app: Flask, who: Principal, token: str) -> tuple[FlaskClient, dict[str, Any]]:
        """A client for the principal (its login changes what is stored: digest it again)."""
        self.stored = None
        return _client(app, who, token)

    def knock(
        self,
        client: FlaskClient,
        carried: dict[str, Any],
        who: Principal,
        world: str,
        rule: Rule,
        method: str,
        url: str,
    ) -> None:
        """Send one request in a SAVEPOINT rolled back after it, and judge its answer."""
        expected = _expected(who, world, rule, method)
        checked = method == "POST" and expected not in ("allowed", "open")
        data = _form(self.worlds[world]) | {"csrf_token": carried["csrf_token"]}
        if checked and self.stored is None:
            self.stored = _digest(self.connection)
        savepoint = self.connection.begin_nested()
        try:
            answer = client.open(
                url,
                method=method,
                headers=carried["headers"],
                data=data if method == "POST" else None,
            )
            binary = answer.mimetype.startswith(BINARY)
            text = "" if binary else answer.get_data(as_text=True)
            answer.close()
            changed = checked and _digest(self.connection) != self.stored
        finally:
            savepoint.rollback()
            self.fresh_catalog()  # the worker's snapshot may be of rolled-back data
        where = f"{who.name} [{world}] {method} {url}: got {answer.status_code}"
        problem = _mismatch(expected, rule.endpoint, answer, text)
        if problem and (who.name, world, method, rule.endpoint) in DEVIATIONS:
            self.deviations.add((who.name, world, method, rule.endpoint))
        elif problem:
            self.wrong.append(f"{where}, documented {expected}: {problem}")
        if changed:
            self.wrong.append(f"{where}, documented {expected}: it changed stored data")
        shown = (
            [m for m in JENA_ONLY if m in text]
            if who.limited and who.role is not Role.ADMIN
            else []
        )
        if shown:
            self.wrong.append(f"{where}: shows Jena Nord's {shown}")
        self.by_principal[who.name] += 1
        self.by_status[answer.status_code] += 1
        self.by_expected[expected] += 1


@pytest.fixture
def drawn_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """Posters and charts drawn as stand-ins: the walk is about who gets an answer, and
    drawing them at 300 dpi for every principal would take most of its time. (test_posters
    and the crawl in test_hardening draw each for real.)"""
    for name in ("poster_image", "sticker_sheet_image"):
        monkeypatch.setattr(posters, name, lambda *_, **__: Image.new("RGB", (4, 4)))
    for module, name in (
        (posters, "render_poster"),
        (posters, "pdf_pages"),
        (results, "bar_png"),
        (results, "pie_png"),
    ):
        monkeypatch.setattr(module, name, lambda *_, **__: b"drawn elsewhere")


@pytest.mark.usefixtures("drawn_elsewhere")
def test_every_staff_route_gives_everyone_the_documented_answer(
    app: Flask, connection: sa.Connection, record_property: Callable[[str, object], None]
) -> None:
    started = time.monotonic()
    app.config.update(WTF_CSRF_ENABLED=True, LOGINS_PER_CLIENT=0, ANSWERS_PER_CLIENT=0)
    rules = sorted(
        (rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/staff/")),
        key=lambda rule: (rule.endpoint.startswith("auth.logout"), rule.rule),  # logout last
    )
    unclassified = sorted({rule.endpoint for rule in rules} - DOCUMENTED.keys())
    assert not unclassified, (
        "classify these staff endpoints in DOCUMENTED (tests/test_route_walk.py) with the "
        f"permission README's Roles gives them (document it there first): {unclassified}"
    )
    gone = sorted(DOCUMENTED.keys() - {rule.endpoint for rule in rules})
    assert not gone, f"no longer routes: take them out of DOCUMENTED: {gone}"
    jena, lobeda, token = _setting(app)
    jena_place = {key: jena[key] for key in ("location_id", "area_id", "answer")}
    worlds = {
        "demo": jena,
        "other area": jena,
        "own area": lobeda,
        OTHERS_PLACE: lobeda | jena_place,
        OTHERS_PLACE_IN_FORM: lobeda | {"form": lobeda | jena_place},
    }
    assert worlds.keys() == set(WORLDS)

    def fresh_catalog() -> None:
        app.extensions["kiosk.catalog"] = CatalogCache()

    walk = Walk(connection, worlds, fresh_catalog)
    for who in PRINCIPALS:
        client, carried = walk.client(app, who, token)
        for rule in rules:
            for method in sorted((rule.methods or set()) & {"GET", "POST"}):
                for world in filter(lambda w: _in_world(w, rule, method), who.worlds):
                    for url in _walked(app, rule, worlds[world]):
                        if rule.endpoint.startswith("auth.logout") and who.role is not None:
                            client, carried = walk.client(app, who, token)  # a session to end
                        walk.knock(client, carried, who, world, rule, method, url)
    requests = walk.by_principal.total()
    summary = (
        f"route walk: rules={len(rules)} requests={requests} "
        f"({time.monotonic() - started:.1f} s), by principal {dict(walk.by_principal)}, "
        f"by answer {dict(sorted(walk.by_status.items()))}, "
        f"by documented answer {dict(walk.by_expected)}"
    )
    print(summary)
    record_property("summary", summary)
    assert not walk.wrong, f"{len(walk.wrong)} answers differ from the documentation:\n" + (
        "\n".join(walk.wrong)
    )
    assert walk.deviations == DEVIATIONS.keys(), "a deviation is gone: take it out of DEVIATIONS"
    assert len(rules) >= RULES_NOW and requests >= REQUESTS_NOW
    assert all(walk.by_expected[kind] for kind in ("open", "login", "role", "area", "allowed"))

"""WCAG 2.2 AA in real Chromium: axe-core on every public and staff page, in German, English
and Arabic, with no violation allowed; and a meta-check that no HTML page is left out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from kiosk.collect.catalog import load_catalog
from kiosk.models import COMMAND_LINE, QuestionKind
from kiosk.setup.demo import DEMO_EMAIL, DEMO_PASSWORD
from kiosk.sync.devices import register_device
from kiosk.sync.ingest import ingest
from kiosk.web import create_app
from tests.axe import axe_source, violations
from tests.browser.conftest import answer_every_question, closed_place, shoot
from tests.browser.test_wheel import wheel_place
from tests.helpers import demo, question
from tests.test_kiosk_places import item

pytestmark = pytest.mark.browser

DEMO_VISITS = 40  # results, charts and the attract loop have something to show
LANGUAGES = ("de", "en", "ar")
PHONE = {"width": 390, "height": 844}
# GET endpoints that answer with something other than an HTML page.
NOT_PAGES = {
    "static",
    "api.config",
    "api.openapi",
    "public.attract_loop",  # a fragment the start screen swaps in (checked in place)
    "staff.setup.code_hint",  # a fragment the new-place form swaps in (checked in place)
    "staff.results.export",
    "staff.results.chart_png",
    "staff.route.picture",  # an SVG or PNG (the route picture), shown on the campaign page
    "staff.drawings.picture",  # a drawing's picture, shown on the drawings page
    "staff.results.export_xlsx",
    "staff.campaign_posters.logo_png",
    "staff.campaign_posters.campaign_posters",
    "staff.campaign_posters.campaign_stickers",
    "staff.posters.poster",
    "staff.posters.preview_png",
    "staff.results.location_qr",
    "staff.posters.qr_svg",
    "staff.posters.stickers",
}


PUBLIC_PAGES = [
    ("front", "/"),
    ("privacy", "/privacy"),
    ("closed-kiosk", "/k/still"),
    ("closed-phone", "/q/still"),
    ("wall-place", "/wall/ehp"),
    ("wall-campaign", "/wall/campaign/1"),
    ("enrol", "/enrol"),
    ("not-found", "/q/no-such-place"),
    ("wheel-phone", "/q/rad"),  # a wheel question (tests/browser/test_wheel.py's place)
    ("wheel-kiosk", "/k/rad/s/0?visit=0190a0b0-0000-7000-8000-000000000000"),
]
# The flows visit a start screen, each question's and the thank-you screen.
FLOW_PATHS = ("/k/ehp", "/k/ehp/s/0", "/k/ehp/thanks")
LOGIN = "/staff/login"  # checked before logging in
STAFF_PAGES = [
    ("overview", "/staff/"),
    ("results-campaign", "/staff/campaign/1"),
    ("results-place", "/staff/location/1"),
    ("results-area", "/staff/area/1"),
    ("compare", "/staff/campaign/1/compare"),
    ("report", "/staff/campaign/1/report"),
    ("posters-campaign", "/staff/campaign/1/posters"),
    ("poster-place", "/staff/location/1/poster"),
    ("paper", "/staff/paper/1"),
    ("kiosks", "/staff/kiosks/"),
    ("people", "/staff/people/"),
    ("audit", "/staff/people/audit"),
    ("campaigns", "/staff/setup/campaigns"),
    ("campaign", "/staff/setup/campaigns/1"),
    ("translations", "/staff/setup/campaigns/1/translations/ar"),
    ("campaign-new", "/staff/setup/campaigns/new"),
    ("places", "/staff/setup/places"),
    ("place", "/staff/setup/places/1"),
    ("place-new", "/staff/setup/places/new"),
    *[(f"question-{n}", f"/staff/setup/questions/{n}") for n in range(1, 6)],
    ("wishes", "/staff/wishes/"),
    ("wishes-approved", "/staff/wishes/?state=approved"),
    ("drawings", "/staff/drawings/"),
    ("drawings-upload", "/staff/drawings/new"),
]


def _closed_place_and_a_kiosk_with_answers_aside(session: Session) -> None:
    """A place with no campaign running: its kiosk and phone page say so. And a kiosk at the
    square that sent an answer for the playground: the kiosks page shows it waiting. And a
    sports ground whose campaign asks on a wheel."""
    closed_place(session)
    campaign, square, _ = demo(session)
    device, _ = register_device(session, name="Pi Platz", location_id=square.id,
                                actor=COMMAND_LINE)  # fmt: skip
    single = question(campaign, QuestionKind.SINGLE)
    sent = item(single.id, "zeitzer", option_ids=[single.options[0].id])
    (verdict,) = ingest(session, load_catalog(session), device, [sent], wish_max_chars=280)
    assert verdict.status == "aside"
    wheel_place(session)


SERVER_SETUP = _closed_place_and_a_kiosk_with_answers_aside


class Checker:
    """Runs axe on pages as a test visits them; remembers what failed and what was seen."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.problems: list[str] = []
        self.seen: set[str] = set()

    def check(self, page: Page, name: str) -> None:
        """axe on the page as it is now; a screenshot of each Arabic page for people."""
        page.wait_for_load_state()  # after a form's navigation: its stylesheet applies, too
        expect(page.locator("body[data-settling]")).to_have_count(0)
        path = urlsplit(page.url).path
        self.seen.add(path)
        assert page.locator("html").get_attribute("lang") == self.language, (name, page.url)
        for line in violations(page):
            self.problems.append(f"[{self.language}] {name} ({path}): {line}")
        if self.language == "ar":
            shoot(page, f"a11y-ar-{name}")


@pytest.fixture(scope="module")
def axe_script() -> str:
    return axe_source()


@pytest.fixture
def checked(page_factory: Callable[..., Page], axe_script: str) -> Callable[..., Page]:
    """A page with axe in it on every document it loads."""

    def make(**options: object) -> Page:
        page = page_factory(**options)
        page.context.add_init_script(script=axe_script)
        return page

    return make


def _answer_everything(page: Page, checker: Checker, flow: str) -> None:
    """From the start screen: every question, answered, then the thank-you screen."""
    if page.locator("#begin-form").count():  # a kiosk's start screen; a phone starts asking
        checker.check(page, f"{flow}-start")
        page.locator("#begin-form button[type=submit]").click()
    answer_every_question(page, lambda step: checker.check(page, f"{flow}-question-{step}"))
    expect(page.locator("section.thanks")).to_be_visible()
    checker.check(page, f"{flow}-thanks")


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_have_no_wcag_violations(checked, language: str) -> None:  # type: ignore[no-untyped-def]
    checker = Checker(language)
    kiosk = checked()
    kiosk.goto(f"/k/ehp?lang={language}")
    expect(kiosk.locator(".showcase")).to_be_visible()  # the attract loop, with results
    _answer_everything(kiosk, checker, "kiosk")
    phone = checked(viewport=PHONE)
    phone.goto(f"/q/zeitzer?lang={language}")
    _answer_everything(phone, checker, "phone")
    for name, path in PUBLIC_PAGES:
        phone.goto(path)
        checker.check(phone, name)
    assert not checker.problems, "\n".join(checker.problems)


def _staff_pages(page: Page, checker: Checker) -> None:
    for name, path in STAFF_PAGES:
        page.goto(path)
        checker.check(page, name)
    # Pages that answer a form: one with its mistakes marked, an enrolment, a confirmation.
    page.goto("/staff/setup/places/new")
    page.locator("form.stack button.primary").click()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    checker.check(page, "place-errors")
    page.goto("/staff/kiosks/")
    page.locator("details summary").first.click()  # a kiosk's places, opened
    checker.check(page, "kiosks-places")
    page.locator("#kiosk-name").fill("Kiosk Bibliothek")
    page.locator("form[action$='/staff/kiosks/'] button.primary").click()
    expect(page.locator("code.command")).to_be_visible()
    checker.check(page, "enrolment")
    page.goto("/staff/wishes/?state=approved")
    page.locator("input[name=ids]").first.check()
    page.locator("button[name=action][value=redact]").click()
    expect(page.locator("input[name=confirmed]")).to_have_count(1)
    checker.check(page, "redact-confirm")


@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_pages_have_no_wcag_violations(checked, language: str) -> None:  # type: ignore[no-untyped-def]
    checker = Checker(language)
    page = checked()
    page.goto(f"{LOGIN}?lang={language}")
    checker.check(page, "login")
    page.locator("input[type=email]").fill(DEMO_EMAIL)
    page.locator("input[type=password]").fill(DEMO_PASSWORD)
    page.locator("form button.primary").click()
    expect(page.locator(".staff-header")).to_be_visible()
    _staff_pages(page, checker)
    assert not checker.problems, "\n".join(checker.problems)


def test_every_html_page_is_among_those_checked(tmp_path: Path) -> None:
    """A new page must join the lists above (or NOT_PAGES, when it is not HTML)."""
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "SECRET_KEY": "x"})
    adapter = app.url_map.bind("localhost")
    paths = [urlsplit(path).path for _, path in PUBLIC_PAGES + STAFF_PAGES] + [*FLOW_PATHS, LOGIN]
    checked_endpoints = {adapter.match(path)[0] for path in paths}
    pages = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and rule.endpoint not in NOT_PAGES
    }
    assert pages <= checked_endpoints, sorted(pages - checked_endpoints)
    app.extensions["kiosk.engine"].dispose()


def test_the_axe_source_is_the_pinned_release() -> None:
    source = axe_source()
    assert source.startswith("/*! axe v4.14.1")
    assert Path(__file__).parent.parent.joinpath("axe.py").read_text().count("4.14.1") >= 2

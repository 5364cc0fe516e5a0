"""A real server on 127.0.0.1 and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from kiosk.cli import upgrade_database
from kiosk.models import COMMAND_LINE, Area, Location
from kiosk.models.engine import make_engine
from kiosk.setup.demo import load_demo
from kiosk.web import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


@pytest.fixture(scope="module")
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The app with the demo on its own SQLite file, served over HTTP in a thread.

    A test module may set SERVER_CONFIG to override settings for its server, DEMO_VISITS
    for the demo's sample answers (none by default), and SERVER_SETUP(session) to add to it.
    """
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'kiosk.sqlite3'}"
    upgrade_database(url)
    engine = make_engine(url)
    with Session(engine) as session:
        load_demo(
            session,
            sample_visits=getattr(request.module, "DEMO_VISITS", 0),
            actor=COMMAND_LINE,
            # The full demo (wheel and walk) where a module asks for it; else the pop-up only.
            formats=getattr(request.module, "DEMO_FORMATS", False),
        )
        setup = getattr(request.module, "SERVER_SETUP", None)
        if setup is not None:
            setup(session)
        session.commit()
    engine.dispose()
    overrides = getattr(request.module, "SERVER_CONFIG", {})
    media = str(tmp_path_factory.mktemp("media"))
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "browser-test",
            "KIOSK_THANKS_SECONDS": 2,
            "MEDIA_DIR": media,
            **overrides,
        }
    )
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium; `playwright install` is neither needed nor possible here."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def _guard(page: Page, base_url: str, foreign: list[str], errors: list[str]) -> Page:
    """Fail on any request to another host and on any console error (e.g. a CSP refusal)."""
    own_host = urlsplit(base_url).netloc

    def check(route, request) -> None:  # type: ignore[no-untyped-def]
        if urlsplit(request.url).netloc not in ("", own_host) and not request.url.startswith(
            "data:"
        ):
            foreign.append(request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", check)
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


@pytest.fixture
def page_factory(browser: Browser, server: str) -> Iterator:
    """Make pages (kiosk-sized by default) that refuse foreign requests and console errors."""
    contexts = []
    foreign: list[str] = []
    errors: list[str] = []

    def make(**options: object) -> Page:
        options.setdefault("viewport", {"width": 1280, "height": 800})
        options.setdefault("locale", "de-DE")
        context = browser.new_context(base_url=server, **options)
        contexts.append(context)
        return _guard(context.new_page(), server, foreign, errors)

    yield make
    for context in contexts:
        context.close()
    assert foreign == [], f"requests to other hosts: {foreign}"
    assert [e for e in errors if "status of 4" not in e] == [], f"console errors: {errors}"


def shoot(page: Page, name: str) -> None:
    """Keep a screenshot for people to look at (tests/screenshots/, not in git)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def on_screen(page: Page, text: str) -> None:
    """Wait for the kiosk screen showing this text, and until it takes touches.

    A kiosk screen holds touches back for a moment after it appears (a double tap must not
    answer the next question unread): a test's finger waits for that, as a person's does.
    """
    expect(page.locator("#stage").get_by_text(text)).to_be_visible()  # not the live region
    expect(page.locator("body[data-settling]")).to_have_count(0)
    settled(page)


def settled(page: Page) -> None:
    """Wait until htmx has settled the screen it swapped in: only then are its forms htmx's
    (a key pressed before would send the form without htmx, as a page of its own)."""
    expect(page.locator(".htmx-settling")).to_have_count(0)


def answer_every_question(page: Page, at_each: Callable[[int], object]) -> None:
    """Answer each question on the screen until the thank-you screen (a choice, the first of a
    multiple choice, a short wish); at_each(step) looks at each question first."""
    for step in range(1, 20):
        question = page.locator("section.question")
        expect(question.or_(page.locator("section.thanks"))).to_be_visible()
        if page.locator("section.thanks").count():
            return
        at_each(step)
        heading = page.locator("#question-title").inner_text()
        kind = question.get_attribute("class") or ""
        if "question-multi" in kind:
            page.locator(".choices-multi input").first.check()
            page.locator(".controls > button.primary").click()
        elif "question-wheel" in kind:  # a tap on the wheel (or the list without it), confirmed
            if page.locator(".wheel-on").count():
                page.locator(".wheel-label").first.click()
            else:
                page.locator(".choices-wheel .choice").first.click()
            page.locator(".wheel-confirm").click()
        elif "question-wish" in kind:
            page.locator("#wish-text").fill("Mehr Bänke")
            page.locator(".controls > button.primary").click()
        else:
            page.locator(".choices .choice").first.click()
        expect(page.locator("#question-title").filter(has_text=heading)).to_have_count(0)
    raise AssertionError("no thank-you screen after 19 questions")


def closed_place(session: Session) -> None:
    """A SERVER_SETUP: a place with no campaign running ("still"), whose pages say so."""
    area = session.scalars(select(Area)).first()
    session.add(Location(area=area, code="still", name="Stadtteilbibliothek", address=""))

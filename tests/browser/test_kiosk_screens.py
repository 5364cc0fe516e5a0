"""The unattended kiosk's own screens: its keyboard, "still there?", and "one moment"."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import shoot

pytestmark = pytest.mark.browser

SERVER_CONFIG = {"KIOSK_IDLE_SECONDS": 3, "KIOSK_STILL_THERE_SECONDS": 3}


def to_wish(kiosk: Page) -> None:
    kiosk.goto("/k/ehp")
    kiosk.get_by_role("button", name="Los geht's").tap()
    for number in range(1, 5):
        expect(kiosk.get_by_text(f"Frage {number} von 5")).to_be_visible()
        kiosk.get_by_role("button", name="Überspringen").tap()
    expect(kiosk.get_by_text("Frage 5 von 5")).to_be_visible()


def type_on_screen(kiosk: Page, text: str) -> None:
    """Tap the kiosk's own keys, with the shift key for capitals."""
    keyboard = kiosk.get_by_role("group", name="Tastatur")
    for char in text:
        if char == " ":
            keyboard.get_by_role("button", name="Leerzeichen").tap()
            continue
        if char.isupper():
            keyboard.get_by_role("button", name="Großbuchstabe").tap()
        keyboard.locator(f'[data-key="{char.lower()}"]').tap()


@pytest.mark.parametrize("size", [(1280, 800), (800, 480)])
def test_a_wish_typed_on_the_kiosks_own_keyboard(
    page_factory: Callable[..., Page], size: tuple[int, int]
) -> None:
    width, height = size
    kiosk = page_factory(viewport={"width": width, "height": height}, has_touch=True)
    to_wish(kiosk)
    wish = kiosk.get_by_label(re.compile("Ihr Wunsch"))
    expect(wish).to_have_attribute("inputmode", "none")  # no system keyboard pops up
    type_on_screen(kiosk, "Mehr Bänke für Ältere")
    kiosk.get_by_role("button", name="Löschen").tap()
    kiosk.locator('[data-key="ß"]').tap()
    expect(wish).to_have_value("Mehr Bänke für Älterß")
    expect(kiosk.get_by_text("Noch 259 Zeichen")).to_be_visible()
    for key in kiosk.locator(".keyboard button").all():  # big enough for a finger
        box = key.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44
    shoot(kiosk, f"kiosk-keyboard-{width}x{height}")
    kiosk.get_by_role("button", name="Wunsch senden").tap()
    expect(kiosk.get_by_role("heading", name="Danke!")).to_be_visible()
    shoot(kiosk, f"kiosk-thanks-{width}x{height}")


def test_still_there_asks_first_and_a_tap_keeps_the_wish(page_factory: Callable[..., Page]) -> None:
    kiosk = page_factory(has_touch=True)
    to_wish(kiosk)
    type_on_screen(kiosk, "Wasser")
    question = kiosk.get_by_role("alertdialog", name="Sind Sie noch da?")
    expect(question).to_be_visible(timeout=6000)
    expect(question.get_by_text(re.compile(r"\d Sekunden"))).to_be_visible()
    shoot(kiosk, "kiosk-still-there")
    question.tap()  # the waking tap only closes the question
    expect(question).to_be_hidden()
    expect(kiosk.get_by_label(re.compile("Ihr Wunsch"))).to_have_value("Wasser")
    expect(kiosk.get_by_text("Frage 5 von 5")).to_be_visible()
    # Nobody answers the second time: back to the start, the wish gone.
    expect(question).to_be_visible(timeout=6000)
    expect(kiosk.get_by_role("button", name="Los geht's")).to_be_visible(timeout=6000)
    expect(kiosk.get_by_text("Wasser")).to_have_count(0)


def test_one_moment_while_the_kiosks_server_is_away(browser: Browser, server: str) -> None:
    """Not the page_factory: a failed request is meant to log console errors here."""
    context = browser.new_context(base_url=server, locale="de-DE", has_touch=True)
    try:
        kiosk = context.new_page()
        kiosk.goto("/k/ehp")
        kiosk.get_by_role("button", name="Los geht's").tap()
        expect(kiosk.get_by_text("Frage 1 von 5")).to_be_visible()
        kiosk.route(re.compile(r".*/k/ehp.*"), lambda route: route.abort())  # server away
        kiosk.get_by_role("button", name="Überspringen").tap()
        notice = kiosk.get_by_role("alert").filter(has_text="Einen Moment bitte")
        expect(notice).to_be_visible()
        shoot(kiosk, "kiosk-one-moment")
        expect(kiosk.get_by_text("Frage 1 von 5")).to_be_visible()  # no browser error page
        kiosk.unroute(re.compile(r".*/k/ehp.*"))  # back
        expect(notice).to_be_hidden(timeout=8000)
        kiosk.get_by_role("button", name="Überspringen").tap()
        expect(kiosk.get_by_text("Frage 2 von 5")).to_be_visible()
    finally:
        context.close()

"""The unattended kiosk's own screens: its keyboard, "still there?", and "one moment"."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import on_screen, shoot
from tests.browser.test_flows import square_answers, staff_login

pytestmark = pytest.mark.browser

# No cooldown: these passers-by send wishes quicker than people do.
SERVER_CONFIG = {
    "KIOSK_IDLE_SECONDS": 3,
    "KIOSK_STILL_THERE_SECONDS": 3,
    "KIOSK_COOLDOWN_SECONDS": 0,
}


def to_wish(kiosk: Page) -> None:
    kiosk.goto("/k/ehp")
    kiosk.get_by_role("button", name="Los geht's").tap()
    for number in range(1, 5):
        on_screen(kiosk, f"Frage {number} von 5")
        kiosk.get_by_role("button", name="Überspringen").tap()
    on_screen(kiosk, "Frage 5 von 5")


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


def centre(page: Page, name: str) -> tuple[float, float]:
    box = page.get_by_role("button", name=name).bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_the_tap_that_wakes_the_kiosk_answers_nothing(page_factory: Callable[..., Page]) -> None:
    staff = page_factory()
    staff_login(staff)
    before = square_answers(staff)
    kiosk = page_factory(has_touch=True)
    kiosk.goto("/k/ehp")
    kiosk.get_by_role("button", name="Los geht's").tap()
    on_screen(kiosk, "Frage 1 von 5")
    x, y = centre(kiosk, "Grün und Schatten")
    question = kiosk.get_by_role("alertdialog", name="Sind Sie noch da?")
    expect(question).to_be_visible(timeout=6000)
    kiosk.touchscreen.tap(x, y)  # right where an answer lies under the notice
    expect(question).to_be_hidden()
    kiosk.wait_for_timeout(700)
    on_screen(kiosk, "Frage 1 von 5")
    assert square_answers(staff) == before


def test_a_double_tap_counts_once_and_skips_no_question(page_factory: Callable[..., Page]) -> None:
    staff = page_factory()
    staff_login(staff)
    before = square_answers(staff)
    kiosk = page_factory(has_touch=True)
    kiosk.goto("/k/ehp")
    kiosk.get_by_role("button", name="Los geht's").tap()
    on_screen(kiosk, "Frage 1 von 5")
    kiosk.wait_for_timeout(600)  # a person reads the question first
    x, y = centre(kiosk, "Grün und Schatten")
    kiosk.touchscreen.tap(x, y)
    kiosk.wait_for_timeout(120)  # a quick finger: the next question may be there already
    kiosk.touchscreen.tap(x, y)  # ... with an answer of its own under the finger
    on_screen(kiosk, "Frage 2 von 5")
    kiosk.wait_for_timeout(700)
    on_screen(kiosk, "Frage 2 von 5")  # not answered unread
    assert square_answers(staff) == before + 1


def test_one_moment_while_the_kiosks_server_is_away(browser: Browser, server: str) -> None:
    """Not the page_factory: a failed request is meant to log console errors here."""
    context = browser.new_context(base_url=server, locale="de-DE", has_touch=True)
    try:
        kiosk = context.new_page()
        kiosk.goto("/k/ehp")
        kiosk.get_by_role("button", name="Los geht's").tap()
        on_screen(kiosk, "Frage 1 von 5")
        kiosk.route(re.compile(r".*/k/ehp.*"), lambda route: route.abort())  # server away
        kiosk.get_by_role("button", name="Überspringen").tap()
        notice = kiosk.get_by_role("alert").filter(has_text="Einen Moment bitte")
        expect(notice).to_be_visible()
        shoot(kiosk, "kiosk-one-moment")
        on_screen(kiosk, "Frage 1 von 5")  # no browser error page
        kiosk.unroute(re.compile(r".*/k/ehp.*"))  # back
        expect(notice).to_be_hidden(timeout=8000)
        kiosk.get_by_role("button", name="Überspringen").tap()
        on_screen(kiosk, "Frage 2 von 5")
    finally:
        context.close()

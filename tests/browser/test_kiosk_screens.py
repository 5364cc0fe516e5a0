"""The unattended kiosk's own screens: its keyboard, "still there?", and "one moment"."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import Browser, Page, Request, expect

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


def answers_sent(page: Page) -> list[str]:
    """The question of each answer the page sends from now on (a list filling as it does)."""
    sent: list[str] = []

    def note(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/answer"):
            sent.append(parse_qs(request.post_data or "").get("question", ["?"])[0])

    page.on("request", note)
    return sent


def centre(page: Page, name: str) -> tuple[float, float]:
    box = page.get_by_role("button", name=name).bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_the_tap_that_wakes_the_kiosk_answers_nothing(page_factory: Callable[..., Page]) -> None:
    staff = page_factory()
    staff_login(staff)
    before = square_answers(staff)
    kiosk = page_factory(has_touch=True)
    kiosk.clock.install()  # the test moves the kiosk's clock on instead of waiting
    kiosk.goto("/k/ehp")
    kiosk.get_by_role("button", name="Los geht's").tap()
    on_screen(kiosk, "Frage 1 von 5")
    x, y = centre(kiosk, "Grün und Schatten")
    question = kiosk.get_by_role("alertdialog", name="Sind Sie noch da?")
    kiosk.clock.run_for(3000)  # three seconds without a touch
    expect(question).to_be_visible()
    sent = answers_sent(kiosk)
    kiosk.touchscreen.tap(x, y)  # right where an answer lies under the notice
    expect(question).to_be_hidden()
    on_screen(kiosk, "Frage 1 von 5")  # the tap's moment has passed: it sent nothing
    assert sent == []
    assert square_answers(staff) == before


def test_a_double_tap_counts_once_and_skips_no_question(page_factory: Callable[..., Page]) -> None:
    staff = page_factory()
    staff_login(staff)
    before = square_answers(staff)
    kiosk = page_factory(has_touch=True)
    kiosk.goto("/k/ehp")
    kiosk.get_by_role("button", name="Los geht's").tap()
    on_screen(kiosk, "Frage 1 von 5")  # read, and taking touches
    x, y = centre(kiosk, "Grün und Schatten")
    first = kiosk.locator('#stage input[name="question"]').first.input_value()
    sent = answers_sent(kiosk)
    kiosk.touchscreen.tap(x, y)
    # A quick finger's second tap, 120 ms on (the gap is what is tested, no condition): the
    # next question may be there already, with an answer of its own under the finger.
    kiosk.wait_for_timeout(120)
    kiosk.touchscreen.tap(x, y)
    on_screen(kiosk, "Frage 2 von 5")  # the second tap's moment has passed ...
    assert sent and set(sent) == {first}, sent  # ... and it answered nothing unread
    assert square_answers(staff) == before + 1


def test_one_moment_while_the_kiosks_server_is_away(browser: Browser, server: str) -> None:
    """Not the page_factory: a failed request is meant to log console errors here."""
    context = browser.new_context(base_url=server, locale="de-DE", has_touch=True)
    try:
        kiosk = context.new_page()
        kiosk.clock.install()  # the test moves the kiosk's clock on instead of waiting
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
        kiosk.clock.run_for(2000)  # when the kiosk looks again
        expect(notice).to_be_hidden()
        kiosk.get_by_role("button", name="Überspringen").tap()
        on_screen(kiosk, "Frage 2 von 5")
    finally:
        context.close()

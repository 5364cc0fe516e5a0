"""The "still there?" question of an idle kiosk: a tap keeps the half-typed wish, no tap
starts over for the next person."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import on_screen, shoot
from tests.browser.test_kiosk_screens import to_wish, type_on_screen

pytestmark = pytest.mark.browser
# The kiosk's clock is Playwright's: a test moves it on instead of waiting. It also runs on
# by itself, so the question stays for 6 seconds: long enough for a busy machine to see it.
SERVER_CONFIG = {
    "KIOSK_IDLE_SECONDS": 3,
    "KIOSK_STILL_THERE_SECONDS": 6,
    "KIOSK_COOLDOWN_SECONDS": 0,
}


def test_still_there_asks_first_and_a_tap_keeps_the_wish(page_factory: Callable[..., Page]) -> None:
    kiosk = page_factory(has_touch=True)
    kiosk.clock.install()
    to_wish(kiosk)
    type_on_screen(kiosk, "Wasser")
    question = kiosk.get_by_role("alertdialog", name="Sind Sie noch da?")
    expect(question).to_be_hidden()
    kiosk.clock.run_for(3000)  # three seconds without a touch
    expect(question).to_be_visible()
    expect(question.get_by_text(re.compile(r"\d Sekunden"))).to_be_visible()
    shoot(kiosk, "kiosk-still-there")
    question.tap()  # the waking tap only closes the question
    expect(question).to_be_hidden()
    expect(kiosk.get_by_label(re.compile("Ihr Wunsch"))).to_have_value("Wasser")
    on_screen(kiosk, "Frage 5 von 5")
    # Nobody answers the second time: back to the start, the wish gone.
    kiosk.clock.run_for(3000)
    expect(question).to_be_visible()
    kiosk.clock.run_for(6000)
    expect(kiosk.get_by_role("button", name="Los geht's")).to_be_visible()
    expect(kiosk.get_by_text("Wasser")).to_have_count(0)


def test_a_slow_writer_is_never_sent_away_while_typing(page_factory: Callable[..., Page]) -> None:
    kiosk = page_factory(has_touch=True)
    kiosk.clock.install()
    to_wish(kiosk)
    for letter in "Bänke?":  # a letter every 2 seconds: 12 seconds in all, never idle for 3
        type_on_screen(kiosk, letter)
        kiosk.clock.run_for(2000)
    # (A thank-you screen's 8-second way back once also fired on question screens.)
    expect(kiosk.get_by_label(re.compile("Ihr Wunsch"))).to_have_value("Bänke?")
    expect(kiosk.get_by_role("alertdialog", name="Sind Sie noch da?")).to_be_hidden()
    on_screen(kiosk, "Frage 5 von 5")

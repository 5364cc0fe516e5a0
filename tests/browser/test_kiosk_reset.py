"""Nothing of one passer-by reaches the next: the kiosk resets when left alone or finished."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import on_screen

pytestmark = pytest.mark.browser

SERVER_CONFIG = {"KIOSK_IDLE_SECONDS": 2, "KIOSK_STILL_THERE_SECONDS": 1, "KIOSK_THANKS_SECONDS": 1}


def to_wish(kiosk: Page) -> None:
    kiosk.goto("/k/ehp")
    kiosk.get_by_role("button", name="Los geht's").click()
    for number in range(1, 5):
        on_screen(kiosk, f"Frage {number} von 5")
        kiosk.get_by_role("button", name="Überspringen").click()
    on_screen(kiosk, "Frage 5 von 5")


def test_a_half_typed_wish_is_gone_when_the_kiosk_is_left_alone(page_factory) -> None:  # type: ignore[no-untyped-def]
    kiosk = page_factory()
    kiosk.clock.install()  # the test moves the kiosk's clock on instead of waiting
    to_wish(kiosk)
    kiosk.get_by_label(re.compile("Ihr Wunsch")).fill("Meine Telefonnummer ist ...")
    # Two seconds without a touch, one to answer "still there?": back to the start, afresh.
    kiosk.clock.run_for(3000)
    expect(kiosk.get_by_role("button", name="Los geht's")).to_be_visible()
    to_wish(kiosk)
    expect(kiosk.get_by_label(re.compile("Ihr Wunsch"))).to_have_value("")
    kiosk.go_back()  # the browser's history holds nothing of the last visitor either
    expect(kiosk.get_by_text("Meine Telefonnummer")).to_have_count(0)


def test_the_next_person_starts_in_the_kiosk_language(page_factory) -> None:  # type: ignore[no-untyped-def]
    kiosk = page_factory()
    kiosk.clock.install()
    kiosk.goto("/k/ehp")
    kiosk.get_by_role("link", name="English").click()
    kiosk.get_by_role("button", name="Start").click()
    for number in range(1, 6):
        on_screen(kiosk, f"Question {number} of 5")
        kiosk.get_by_role("button", name="Skip").click()
    expect(kiosk.get_by_role("heading", name="Thank you!")).to_be_visible()
    kiosk.clock.run_for(1000)  # the thank-you screen's second
    expect(kiosk.get_by_role("button", name="Los geht's")).to_be_visible()
    expect(kiosk.locator("html")).to_have_attribute("lang", "de")

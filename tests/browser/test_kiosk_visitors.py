"""Passers-by at an unattended kiosk, by touch: the attract screen, every question, the
thank-you screen with results so far, and the attract loop that invites the next person."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import on_screen, shoot
from tests.browser.test_kiosk_screens import type_on_screen

pytestmark = pytest.mark.browser

SERVER_CONFIG = {
    "KIOSK_ATTRACT_SECONDS": 1,
    "KIOSK_THANKS_SECONDS": 30,
    "KIOSK_COOLDOWN_SECONDS": 0,  # the test's passers-by are quicker than people
    "PUBLIC_RESULTS_MIN_ANSWERS": 1,  # results from the first answer, and always fresh
    "PUBLIC_RESULTS_MINUTES": 0,
}
SIZES = [(1280, 800), (800, 480)]  # a tablet, and the official Raspberry Pi display


def within_screen(page: Page, *names: str) -> None:
    """These buttons (or links that look like them) are on the screen, not below the fold."""
    height = page.viewport_size["height"] if page.viewport_size else 0
    for name in names:
        target = page.get_by_role("button", name=name).or_(page.get_by_role("link", name=name))
        box = target.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, name
        assert box["height"] >= 44 and box["width"] >= 44, name  # big enough for a finger


@pytest.mark.parametrize("size", SIZES)
def test_a_passer_by_answers_everything_by_touch(
    page_factory: Callable[..., Page], size: tuple[int, int]
) -> None:
    width, height = size
    kiosk = page_factory(viewport={"width": width, "height": height}, has_touch=True)
    kiosk.goto("/k/ehp")
    expect(kiosk.get_by_role("heading", name="WerkStadt – Leben in Jena Nord")).to_be_visible()
    expect(kiosk.get_by_role("navigation", name="Sprache").get_by_role("link")).to_have_text(
        ["Deutsch", "Leichte Sprache", "English", "Türkçe", "العربية", "Українська", "Русский"]
    )
    within_screen(kiosk, "Los geht's")
    kiosk.get_by_role("button", name="Los geht's").tap()

    on_screen(kiosk, "Frage 1 von 5")
    within_screen(kiosk, "Grün und Schatten", "Wasser", "Überspringen")
    shoot(kiosk, f"kiosk-question-{width}x{height}")
    kiosk.get_by_role("button", name="Grün und Schatten").tap()

    on_screen(kiosk, "Frage 2 von 5")
    within_screen(kiosk, "Sehr gern", "Gar nicht gern")
    kiosk.get_by_role("button", name="Sehr gern").tap()

    on_screen(kiosk, "Frage 3 von 5")
    kiosk.get_by_text("Mehr Bäume").tap()
    kiosk.get_by_text("Trinkbrunnen").tap()
    within_screen(kiosk, "Weiter")
    shoot(kiosk, f"kiosk-multi-{width}x{height}")
    kiosk.get_by_role("button", name="Weiter").tap()

    on_screen(kiosk, "Frage 4 von 5")
    kiosk.get_by_role("button", name="18 bis 64").tap()

    on_screen(kiosk, "Frage 5 von 5")
    type_on_screen(kiosk, "Schatten")
    within_screen(kiosk, "Wunsch senden", "Überspringen", "Leerzeichen")
    kiosk.get_by_role("button", name="Wunsch senden").tap()

    expect(kiosk.get_by_role("heading", name="Danke!")).to_be_visible()
    results = kiosk.get_by_role("figure")
    expect(results).to_have_count(3)  # the age question keeps its results until the end
    expect(results.first).to_contain_text("Was ist Ihnen in Jena Nord am wichtigsten?")
    expect(results.first.locator("svg.pie")).to_be_visible()  # its "Stadtteilpizza"
    expect(kiosk.get_by_text("Wie alt sind Sie?")).to_have_count(0)
    within_screen(kiosk, "Nächste Person")
    shoot(kiosk, f"kiosk-thanks-results-{width}x{height}")

    on_screen(kiosk, "Danke!")
    kiosk.get_by_role("link", name="Nächste Person").tap()
    expect(kiosk.get_by_role("button", name="Los geht's")).to_be_visible()
    # While nobody is here, the start screen shows what people said, in turn.
    showcase = kiosk.get_by_role("complementary", name="Was andere hier gesagt haben")
    expect(showcase.locator("svg.pie")).to_be_visible()
    expect(showcase).to_contain_text(re.compile(r"\d+ (Person hat|Personen haben) hier"))
    shoot(kiosk, f"kiosk-attract-{width}x{height}")
    first = showcase.inner_text()
    expect(showcase).not_to_have_text(first, timeout=5000)  # the next slide came by itself


def test_a_tap_anywhere_on_the_attract_screen_starts(page_factory: Callable[..., Page]) -> None:
    kiosk = page_factory(has_touch=True)
    kiosk.goto("/k/ehp")
    kiosk.get_by_role("complementary").tap()  # the attract loop, not the start button
    on_screen(kiosk, "Frage 1 von 5")


def test_the_next_person_cannot_go_back_to_the_last_ones_answers(
    page_factory: Callable[..., Page],
) -> None:
    kiosk = page_factory(has_touch=True)
    kiosk.goto("/k/ehp")
    kiosk.get_by_role("button", name="Los geht's").tap()
    for number in range(1, 5):
        on_screen(kiosk, f"Frage {number} von 5")
        kiosk.get_by_role("button", name="Überspringen").tap()
    type_on_screen(kiosk, "Meine Nummer")
    kiosk.get_by_role("button", name="Wunsch senden").tap()
    expect(kiosk.get_by_role("heading", name="Danke!")).to_be_visible()
    on_screen(kiosk, "Danke!")
    kiosk.get_by_role("link", name="Nächste Person").tap()
    expect(kiosk.get_by_role("button", name="Los geht's")).to_be_visible()
    for _ in range(3):  # back, as far as the history goes
        kiosk.go_back()
        expect(kiosk.get_by_text("Meine Nummer")).to_have_count(0)
        expect(kiosk.get_by_text(re.compile("Frage [2-5] von 5"))).to_have_count(0)

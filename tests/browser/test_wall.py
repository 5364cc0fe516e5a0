"""The public results wall on a projector: what the campaign allows, refreshing by itself."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shoot

pytestmark = pytest.mark.browser

# Results from the first answer and no snapshot: this test watches the wall refresh itself.
SERVER_CONFIG = {
    "PUBLIC_RESULTS_MIN_ANSWERS": 1,
    "PUBLIC_RESULTS_MINUTES": 0,
    "WALL_REFRESH_SECONDS": 1,
}


def answer_first_question(page: Page, option: str) -> None:
    page.goto("/q/ehp")
    page.get_by_role("button", name=option).click()
    expect(page.locator("#stage").get_by_text("Frage 2 von 5")).to_be_visible()
    page.get_by_role("button", name="Gern", exact=True).click()
    expect(page.locator("#stage").get_by_text("Frage 3 von 5")).to_be_visible()
    page.get_by_role("button", name="Überspringen").click()
    expect(page.locator("#stage").get_by_text("Frage 4 von 5")).to_be_visible()
    page.get_by_role("button", name="65 und älter").click()  # kept back until the end
    expect(page.locator("#stage").get_by_text("Frage 5 von 5")).to_be_visible()


def test_the_wall_shows_what_is_allowed_and_keeps_up(page_factory: Callable[..., Page]) -> None:
    phone = page_factory()
    answer_first_question(phone, "Grün und Schatten")
    wall = page_factory(viewport={"width": 1920, "height": 1080})
    wall.goto("/wall/ehp")
    expect(wall.get_by_role("heading", name="Emil-Höllein-Platz")).to_be_visible()
    expect(wall.get_by_role("img", name="QR-Code zum Mitmachen")).to_be_visible()
    cards = wall.get_by_role("figure").filter(has=wall.locator("svg.pie"))
    expect(cards).to_have_count(2)  # the choice and the scale; the age waits for the end
    expect(wall.get_by_text("Wie alt sind Sie?")).to_have_count(0)
    expect(cards.first).to_contain_text("1 Person hat geantwortet.")
    shoot(wall, "wall-place")
    answer_first_question(page_factory(), "Wasser")  # another phone: one answer each
    expect(cards.first).to_contain_text("2 Personen haben geantwortet.", timeout=5000)

    wall.goto("/wall/campaign/1")
    expect(wall.get_by_role("heading", name="WerkStadt – Leben in Jena Nord")).to_be_visible()
    expect(wall.get_by_role("figure").filter(has=wall.locator("svg.pie"))).to_have_count(2)


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
def test_the_wall_fits_a_small_projector(
    page_factory: Callable[..., Page], size: tuple[int, int]
) -> None:
    width, height = size
    phone = page_factory()
    answer_first_question(phone, "Treffpunkte")
    wall = page_factory(viewport={"width": width, "height": height})
    wall.goto("/wall/ehp")
    cards = wall.locator(".wall-card")
    expect(cards.first).to_be_visible()
    assert wall.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
    for card in cards.all():
        outer = card.bounding_box()
        assert outer is not None
        for item in card.locator(".legend li").all():
            box = item.bounding_box()
            assert box is not None and box["x"] + box["width"] <= outer["x"] + outer["width"] + 1
    shoot(wall, f"wall-{width}x{height}")

"""The full demo in a browser: the climate walk station by station, and staff's view of it.

A phone at a station answers its questions (the station's own among them) and is shown the
way to the next station; staff see the route, its picture and the stations side by side.
Screenshots in German and Arabic at phone and staff sizes, for people to look at.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.axe import axe_source, violations
from tests.browser.conftest import answer_every_question, shoot
from tests.browser.test_flows import staff_login
from tests.browser.test_screen_sizes import misfits

pytestmark = pytest.mark.browser

DEMO_FORMATS = True  # the full demo: the wheel at the playground, the walk's four stations
DEMO_VISITS = 40

PHONES = ((390, 844), (320, 640))


def _axe(page: Page) -> None:
    """No WCAG A/AA violation on the page as it is now (once its styles apply)."""
    page.wait_for_load_state()
    expect(page.locator("body[data-settling]")).to_have_count(0)
    found = violations(page)
    assert not found, "\n".join(found)


def _answered(page: Page) -> list[str]:
    """Answer every question of the page's visit; the questions' titles, in order."""
    titles: list[str] = []
    answer_every_question(
        page, lambda _: titles.append(page.locator("#question-title").inner_text())
    )
    return titles


@pytest.mark.parametrize("language", ["de", "ar"])
def test_a_phone_walks_from_station_to_station(page_factory, language: str) -> None:  # type: ignore[no-untyped-def]
    for width, height in PHONES:
        phone = page_factory(viewport={"width": width, "height": height})
        phone.add_init_script(script=axe_source())
        phone.goto(f"/q/nordschule?lang={language}")
        own = "Wie lange warten Sie hier meist in der Sonne?"  # this station's own question
        seen = _answered(phone)
        assert own in seen, seen
        way = phone.locator(".next-station")
        expect(way).to_be_visible()
        if language == "de":
            expect(way).to_contain_text("Station 3 von 4")
            expect(way).to_contain_text("Weiter zu Station 4: Innenhof Camburger Straße")
            expect(way).to_contain_text(
                "nach Südosten"
            )  # the courtyard lies south-east of the stop
        assert misfits(phone, f"{width} walk thanks", whole_screen=False) == []
        _axe(phone)
        shoot(phone, f"walk-thanks-{language}-{width}")
        # The second station does not ask the third's question.
        other = page_factory(viewport={"width": width, "height": height})
        other.goto(f"/q/naumburger?lang={language}")
        assert own not in _answered(other)
        expect(other.locator(".next-station")).to_be_visible()


def test_staff_see_the_route_its_picture_and_the_stations_side_by_side(page_factory) -> None:  # type: ignore[no-untyped-def]
    page = page_factory(viewport={"width": 1280, "height": 800})
    page.add_init_script(script=axe_source())
    staff_login(page)
    page.goto("/staff/setup/campaigns")
    page.get_by_role("link", name="Klimaspaziergang Jena Nord").first.click()
    _axe(page)
    route = page.locator("#route")
    expect(route.locator("li")).to_have_count(4)
    expect(route.locator("li").first).to_contain_text("Station 1")
    expect(route.locator("li").first).to_contain_text("Emil-Höllein-Platz")
    picture = route.locator("img")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.naturalWidth") > 0  # the SVG loaded from this host
    shoot(page, "walk-staff-route")
    # Move the last station up: the order holds after the reload.
    route.get_by_role("button", name="Move up: Innenhof Camburger Straße").or_(
        route.get_by_role("button", name="Nach oben: Innenhof Camburger Straße")
    ).click()
    expect(page.locator("#route li").nth(2)).to_contain_text("Innenhof Camburger Straße")
    page.locator("#route li").nth(2).get_by_role("button").filter(has_text="↓").click()
    expect(page.locator("#route li").nth(3)).to_contain_text("Innenhof Camburger Straße")

    page.get_by_role("link", name="Ergebnisse").first.click()
    stations = page.locator("#stations")
    expect(stations).to_be_visible()
    rows = stations.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(1)).to_contain_text("2. Grünstreifen Naumburger Straße")
    _axe(page)
    shoot(page, "walk-staff-results")


def test_the_wheel_shows_as_a_wheel_in_the_results_and_on_the_wall(page_factory) -> None:  # type: ignore[no-untyped-def]
    page = page_factory(viewport={"width": 1280, "height": 800})
    staff_login(page)
    page.goto("/staff/setup/campaigns")
    page.get_by_role("link", name="Gesunder Sozialraum – Bewegungsrad").first.click()
    page.get_by_role("link", name="Ergebnisse").first.click()
    expect(page.locator("svg.wheel").first).to_be_visible()
    shoot(page, "wheel-staff-results")
    for language in ("de", "ar"):
        wall = page_factory(viewport={"width": 1920, "height": 1080})
        wall.goto(f"/wall/zeitzer?lang={language}")
        expect(wall.locator("svg.wheel").first).to_be_visible()
        shoot(wall, f"wheel-wall-{language}")


def test_a_phone_without_javascript_is_shown_the_way_too(page_factory) -> None:  # type: ignore[no-untyped-def]
    phone = page_factory(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    phone.goto("/q/naumburger?lang=ar")
    titles = _answered(phone)
    assert "Was soll mit dieser Fläche geschehen?" in titles  # the station's own question
    way = phone.locator(".next-station")
    expect(way).to_be_visible()
    expect(way.locator("bdi").first).to_have_text("Klimaspaziergang Jena Nord")
    shoot(phone, "walk-thanks-ar-320-no-javascript")

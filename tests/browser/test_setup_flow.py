"""Staff set up a new place and a campaign from a template in the browser; the kiosk asks it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shoot
from tests.browser.test_flows import staff_login

pytestmark = pytest.mark.browser


def test_a_new_place_and_a_campaign_from_a_template(page_factory: Callable[..., Page]) -> None:
    staff = page_factory()
    staff_login(staff)
    staff.get_by_role("link", name="Orte", exact=True).click()
    staff.get_by_role("link", name="Neuer Ort in Jena Nord").click()
    staff.get_by_label("Name", exact=True).fill("Stadtteilbibliothek")
    staff.get_by_label("Kurzcode für den Link").fill("Bibliothek Nord")  # a space: refused
    staff.get_by_role("button", name="Speichern").click()
    expect(staff.get_by_text("2 bis 32 Kleinbuchstaben")).to_be_visible()
    expect(staff.get_by_label("Name", exact=True)).to_have_value("Stadtteilbibliothek")
    shoot(staff, "staff-place-error")
    staff.get_by_label("Kurzcode für den Link").fill("bibliothek")
    staff.get_by_role("button", name="Speichern").click()
    expect(staff.get_by_role("status")).to_have_text("Gespeichert: Stadtteilbibliothek.")

    staff.get_by_role("link", name="Befragungen", exact=True).click()
    staff.get_by_role("link", name="Neue Befragung").click()
    staff.get_by_label("Ein Klimaspaziergang mit Stationen").check()
    staff.get_by_label("Titel").fill("Hitze in Jena Nord")
    staff.get_by_label("Stadtteilbibliothek").check()
    shoot(staff, "staff-campaign-new")
    staff.get_by_role("button", name="Befragung anlegen").click()
    expect(staff.get_by_role("status")).to_have_text("Gespeichert: Hitze in Jena Nord.")
    expect(staff.get_by_role("heading", name="Fragen")).to_be_visible()

    kiosk = page_factory(has_touch=True)
    kiosk.goto("/k/bibliothek")
    expect(kiosk.get_by_role("heading", name="Hitze in Jena Nord")).to_be_visible()
    kiosk.get_by_role("button", name="Los geht's").tap()
    expect(kiosk.get_by_text("Wie angenehm ist es hier an heißen Tagen?")).to_be_visible()
    expect(kiosk.get_by_role("button", name="Sehr angenehm")).to_be_visible()

"""Staff set up a new place and a campaign from a template in the browser; the kiosk asks it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import on_screen, shoot
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
    campaign_page = staff.url

    # The question editor: a new answer with its pictogram, one deleted (nobody picked it).
    helps = "Was würde hier am meisten helfen?"
    staff.get_by_role("link", name=helps).click()
    staff.get_by_label("Neue Antwort auf Deutsch").first.fill("Wasserspiel")
    staff.locator("tr.new-option").first.get_by_label("Piktogramm").select_option("💦")
    staff.get_by_label("Sonnensegel löschen").check()
    shoot(staff, "staff-question-editor")
    staff.get_by_role("button", name="Speichern").click()
    expect(staff.get_by_role("status")).to_have_text(f"Gespeichert: {helps}.")
    staff.get_by_role("button", name=f"Nach oben: {helps}").click()
    expect(staff.locator(".question-list li").first).to_contain_text(helps)

    kiosk = page_factory(has_touch=True)
    kiosk.goto("/k/bibliothek")
    expect(kiosk.get_by_role("heading", name="Hitze in Jena Nord")).to_be_visible()
    kiosk.get_by_role("button", name="Los geht's").tap()
    on_screen(kiosk, "Frage 1 von 4")
    expect(kiosk.get_by_role("heading", name=helps)).to_be_visible()
    expect(kiosk.get_by_text("Trinkbrunnen")).to_be_visible()
    expect(kiosk.get_by_text("Sonnensegel")).to_have_count(0)
    kiosk.get_by_text("Wasserspiel").click()
    kiosk.get_by_role("button", name="Weiter").click()
    on_screen(kiosk, "Frage 2 von 4")

    # Once picked, the answer can no longer be deleted: the editor says how often it was given.
    staff.goto(campaign_page)
    staff.get_by_role("link", name=helps).click()
    expect(staff.get_by_text("1-mal gewählt")).to_be_visible()
    expect(staff.get_by_label("Wasserspiel löschen")).to_have_count(0)

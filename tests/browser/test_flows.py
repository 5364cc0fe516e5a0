"""End to end in real Chromium: a passer-by at the kiosk, one on a phone, staff reading it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from kiosk.setup.demo import DEMO_EMAIL, DEMO_PASSWORD
from tests.browser.conftest import on_screen, shoot

pytestmark = pytest.mark.browser


def staff_login(page: Page) -> None:
    page.goto("/staff/login")
    page.get_by_label("E-Mail").fill(DEMO_EMAIL)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Übersicht")).to_be_visible()


def square_answers(page: Page) -> int:
    page.goto("/staff/")
    row = page.get_by_role("row").filter(has_text="Emil-Höllein-Platz")
    return int(row.locator("td.num").inner_text())


@pytest.mark.smoke
def test_kiosk_flow_counts_in_the_staff_tally(page_factory) -> None:  # type: ignore[no-untyped-def]
    staff = page_factory()
    staff_login(staff)
    before = square_answers(staff)

    kiosk = page_factory()
    kiosk.clock.install()  # the test moves the kiosk's clock on instead of waiting
    kiosk.goto("/k/ehp")
    expect(kiosk.get_by_role("heading", name="WerkStadt – Leben in Jena Nord")).to_be_visible()
    shoot(kiosk, "kiosk-1-start")
    kiosk.get_by_role("button", name="Los geht's").click()

    on_screen(kiosk, "Frage 1 von 5")
    shoot(kiosk, "kiosk-2-question")
    kiosk.get_by_role("button", name="Treffpunkte").click()
    on_screen(kiosk, "Frage 2 von 5")
    shoot(kiosk, "kiosk-3-scale")
    kiosk.get_by_role("button", name="Sehr gern").click()
    on_screen(kiosk, "Frage 3 von 5")
    kiosk.get_by_text("Mehr Bäume").click()
    kiosk.get_by_text("Trinkbrunnen").click()
    shoot(kiosk, "kiosk-4-multi")
    kiosk.get_by_role("button", name="Weiter").click()
    on_screen(kiosk, "Frage 4 von 5")
    kiosk.get_by_role("button", name="Überspringen").click()
    on_screen(kiosk, "Frage 5 von 5")

    # An empty wish is answered in place, with the message, and nothing is stored.
    kiosk.get_by_role("button", name="Wunsch senden").click()
    expect(kiosk.get_by_role("alert")).to_contain_text("Bitte schreiben Sie Ihren Wunsch")
    on_screen(kiosk, "Frage 5 von 5")
    kiosk.get_by_label(re.compile("Ihr Wunsch")).fill("Mehr Schatten am Spielplatz")
    expect(kiosk.get_by_text("Noch 253 Zeichen")).to_be_visible()
    shoot(kiosk, "kiosk-5-wish")
    kiosk.get_by_role("button", name="Wunsch senden").click()
    expect(kiosk.get_by_role("heading", name="Danke!")).to_be_visible()
    shoot(kiosk, "kiosk-6-thanks")
    assert kiosk.url.endswith("/k/ehp")  # no history entries into this person's answers

    # The thank-you screen returns to the start for the next person by itself.
    kiosk.clock.run_for(2000)  # KIOSK_THANKS_SECONDS of the browser tests' server
    expect(kiosk.get_by_role("button", name="Los geht's")).to_be_visible()

    assert square_answers(staff) == before + 4
    staff.get_by_role("link", name="Emil-Höllein-Platz").first.click()
    expect(staff.get_by_text("Mehr Schatten am Spielplatz")).to_be_visible()
    treffpunkte = staff.get_by_role("row").filter(has_text="Treffpunkte").first
    expect(treffpunkte.locator("td.num").nth(0)).to_have_text("1")  # kiosk column
    shoot(staff, "staff-location")


def test_phone_flow_works_without_javascript(page_factory) -> None:  # type: ignore[no-untyped-def]
    phone = page_factory(
        java_script_enabled=False,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    phone.goto("/q/zeitzer")
    expect(phone.locator("#stage").get_by_text("Frage 1 von 5")).to_be_visible()
    shoot(phone, "phone-1-question")
    phone.get_by_role("button", name="Spielen und Sport").click()
    expect(phone.locator("#stage").get_by_text("Frage 2 von 5")).to_be_visible()
    shoot(phone, "phone-2-scale")
    for _ in range(3):
        phone.get_by_role("button", name="Überspringen").click()
    phone.get_by_label(re.compile("Ihr Wunsch")).fill("Eine Tischtennisplatte")
    phone.get_by_role("button", name="Wunsch senden").click()
    expect(phone.get_by_role("heading", name="Danke!")).to_be_visible()
    shoot(phone, "phone-3-thanks")

    staff = page_factory()
    staff_login(staff)
    staff.get_by_role("link", name="Spielplatz Zeitzer Straße").first.click()
    expect(staff.get_by_text("Eine Tischtennisplatte")).to_be_visible()
    sport = staff.get_by_role("row").filter(has_text="Spielen und Sport").first
    expect(sport.locator("td.num").nth(1)).to_have_text("1")  # QR column


def test_english_on_a_phone(page_factory) -> None:  # type: ignore[no-untyped-def]
    phone = page_factory(viewport={"width": 390, "height": 844})
    phone.goto("/q/ehp")
    phone.get_by_role("link", name="English").click()
    expect(
        phone.get_by_role("heading", name="What matters most to you in Jena Nord?")
    ).to_be_visible()
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    shoot(phone, "phone-english")

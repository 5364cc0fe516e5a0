"""A wish from the kiosk, approved by a moderator, invites the next passers-by on the kiosk."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import on_screen, shoot
from tests.browser.test_flows import staff_login
from tests.browser.test_kiosk_screens import type_on_screen

pytestmark = pytest.mark.browser

SERVER_CONFIG = {"KIOSK_ATTRACT_SECONDS": 1, "KIOSK_COOLDOWN_SECONDS": 0}


def test_a_moderated_wish_appears_in_the_attract_loop(page_factory: Callable[..., Page]) -> None:
    kiosk = page_factory(viewport={"width": 1280, "height": 800}, has_touch=True)
    kiosk.goto("/k/ehp")
    kiosk.get_by_role("button", name="Los geht's").tap()
    for number in range(1, 5):
        on_screen(kiosk, f"Frage {number} von 5")
        kiosk.get_by_role("button", name="Überspringen").tap()
    on_screen(kiosk, "Frage 5 von 5")
    type_on_screen(kiosk, "Ein Trinkbrunnen")
    kiosk.get_by_role("button", name="Wunsch senden").tap()
    on_screen(kiosk, "Danke!")
    # Back at its start screen by itself, with nothing approved to show yet.
    expect(kiosk.get_by_role("button", name="Los geht's")).to_be_visible(timeout=8000)
    expect(kiosk.get_by_role("complementary")).to_have_count(0)

    staff = page_factory()
    staff_login(staff)
    staff.get_by_role("link", name="Wünsche").click()
    expect(staff.get_by_role("heading", name="Wünsche moderieren")).to_be_visible()
    row = staff.get_by_role("row").filter(has_text="Ein Trinkbrunnen")
    expect(row).to_contain_text("Offen")
    shoot(staff, "staff-moderation")
    row.get_by_role("button", name="freigeben").click()
    expect(staff.get_by_role("status")).to_have_text("1 Wunsch geändert.")
    expect(staff.get_by_text("Ein Trinkbrunnen")).to_have_count(0)  # gone from the open ones

    # The waiting start screen asks for news by itself, and shows the approved wish.
    showcase = kiosk.get_by_role("complementary", name="Was andere hier gesagt haben")
    expect(showcase).to_contain_text("Ein Trinkbrunnen", timeout=8000)
    shoot(kiosk, "kiosk-attract-wishes")

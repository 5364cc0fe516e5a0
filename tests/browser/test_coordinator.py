"""A coordinator who has never seen the product launches the next event, counted click by click.

Issue 20: a new place from the campaign form, a campaign from a template, a question edited,
the posters as PDF, three phones answering, a wish moderated, the answers as CSV: at most 20
staff actions (a click or tap, a field filled, a file chosen; the phones not counted), every
page reached by a link or a button from the one before (no address typed, no dead end).
The screenshots are the README's walk through the same path.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Download, Locator, Page, Response, expect

from kiosk.setup.demo import DEMO_EMAIL, DEMO_PASSWORD
from tests.browser.conftest import shoot

pytestmark = pytest.mark.browser

MOST_ACTIONS = 20
PLACE = "Klimastation 1"
TITLE = "Hitze am Nordplatz"
WISHES = ("Ein Wasserspiel für die Kinder", "Mehr Bänke im Schatten", "Bäume statt Parkplätze")


class Coordinator:
    """The staff member's browser: every action counted, every page checked on arrival."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.actions: list[str] = []
        self.dead_ends: list[str] = []
        page.on("response", self._arrived)

    def _arrived(self, response: Response) -> None:
        if response.request.is_navigation_request() and response.status >= 400:
            self.dead_ends.append(f"{response.status} {response.url}")

    def click(self, target: Locator, what: str) -> None:
        target.click()
        self.actions.append(f"click: {what}")

    def fill(self, target: Locator, text: str) -> None:
        target.fill(text)
        self.actions.append(f"type: {text}")

    def download(self, target: Locator, what: str) -> Download:
        with self.page.expect_download() as download:
            target.click()
        self.actions.append(f"download: {what}")
        return download.value

    def step(self, name: str) -> None:
        """A screenshot of where the coordinator is (tests/screenshots/, and the README)."""
        self.page.wait_for_load_state()
        shoot(self.page, f"coordinator-{len(self.actions):02d}-{name}")


def a_passer_by(page: Page, code: str, wish: str) -> None:
    """A phone (a fresh cookie jar): the first answer to every question, then a wish."""
    page.goto(f"/q/{code}")
    stage = page.locator("#stage")
    expect(stage.get_by_text(re.compile(r"Frage 1 von \d"))).to_be_visible()
    wish_box = page.locator("#wish-text")
    while not wish_box.is_visible():
        counter = stage.get_by_text(re.compile(r"Frage \d von \d")).inner_text()
        stage.locator(".choice").first.click()
        if page.get_by_role("button", name="Weiter").is_visible():
            page.get_by_role("button", name="Weiter").click()
        expect(stage.get_by_text(counter)).to_have_count(0)
    wish_box.fill(wish)
    page.get_by_role("button", name="Wunsch senden").click()
    expect(page.get_by_role("heading", name="Danke!")).to_be_visible()


def test_the_next_event_in_at_most_twenty_actions(page_factory: Callable[..., Page]) -> None:
    staff = Coordinator(page_factory())
    page = staff.page
    page.goto("/staff/login")  # the one address given: the rest is reached from the pages
    staff.fill(page.get_by_label("E-Mail"), DEMO_EMAIL)
    staff.fill(page.get_by_label("Passwort"), DEMO_PASSWORD)
    staff.click(page.get_by_role("button", name="Anmelden"), "log in")

    # A campaign from a template, at a new place made in the same form.
    staff.click(page.get_by_role("link", name="Befragungen", exact=True), "Campaigns")
    staff.click(page.get_by_role("link", name="Neue Befragung"), "New campaign")
    staff.click(page.get_by_label("Ein Klimaspaziergang mit Stationen"), "the template")
    staff.fill(page.get_by_label("Titel"), TITLE)
    staff.click(page.get_by_text("Ein neuer Ort"), "a new place")
    staff.fill(page.get_by_label("Name des Ortes"), PLACE)
    staff.step("campaign-form")
    staff.click(page.get_by_role("button", name="Befragung anlegen"), "save")
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    code = re.search(r"/k/([a-z0-9-]+)", page.content())
    assert code is not None and code.group(1) == "klimastation-1"  # suggested from the name
    expect(page.locator("#showing")).to_contain_text("wird jetzt gezeigt")  # nothing hides it
    staff.step("campaign")

    # A question edited: three answers instead of two.
    helps = "Was würde hier am meisten helfen?"
    staff.click(page.get_by_role("link", name=helps), "the question")
    staff.fill(page.get_by_label("Wie viele Antworten darf eine Person wählen?"), "3")
    staff.step("question")
    staff.click(page.get_by_role("button", name="Speichern"), "save")
    expect(page.get_by_role("status")).to_contain_text("Gespeichert")

    # The posters to print.
    staff.click(page.get_by_role("link", name="Plakate, Aufkleber und Logo"), "Posters")
    staff.step("posters")
    poster = staff.download(
        page.get_by_role("link", name="Plakate aller Orte, A4 (PDF, je eine Seite)"), "A4 PDF"
    )
    assert poster.suggested_filename.endswith(".pdf")
    assert Path(poster.path()).read_bytes().startswith(b"%PDF-")

    # Three phones scan the poster (not counted: they are not the coordinator).
    for wish in WISHES:
        a_passer_by(page_factory(viewport={"width": 390, "height": 844}, is_mobile=True,
                                 has_touch=True), code.group(1), wish)  # fmt: skip

    # A wish moderated.
    staff.click(page.get_by_role("link", name="Wünsche", exact=True), "Wishes")
    row = page.get_by_role("row").filter(has_text=WISHES[0])
    staff.step("wishes")
    staff.click(row.get_by_role("button", name=re.compile("freigeben")), "approve")
    expect(page.get_by_role("status")).to_be_visible()

    # The answers as CSV, from the campaign's results.
    staff.click(page.get_by_role("link", name="Übersicht").first, "Overview")
    staff.click(page.get_by_role("link", name=TITLE).first, "the campaign's results")
    staff.step("results")
    answers = staff.download(page.get_by_role("button", name="Alle Antworten als CSV"), "CSV")
    text = Path(answers.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert sum(1 for r in rows if set(WISHES) & set(r)) == 3  # the three phones' wishes
    assert any(PLACE in r for r in rows[1:])

    print(f"coordinator: {len(staff.actions)} actions: {staff.actions}")
    assert staff.dead_ends == [], staff.dead_ends
    assert len(staff.actions) <= MOST_ACTIONS, staff.actions

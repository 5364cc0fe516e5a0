"""Staff download every export format in the browser, and each file reads as it should."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS, shoot
from tests.browser.test_flows import staff_login

pytestmark = pytest.mark.browser


def download(page: Page, name: str) -> Path:
    """Click the link or button with this name and return the file it downloads."""
    target = page.get_by_role("link", name=name, exact=True).or_(
        page.get_by_role("button", name=name, exact=True)
    )
    with page.expect_download() as info:
        target.first.click()
    path = info.value.path()
    assert path is not None
    return Path(path)


def test_every_download_of_a_place_opens(page_factory: Callable[..., Page]) -> None:
    phone = page_factory()
    phone.goto("/q/ehp")
    phone.get_by_role("button", name="Grün und Schatten").click()
    expect(phone.locator("#stage").get_by_text("Frage 2 von 5")).to_be_visible()

    staff = page_factory()
    staff_login(staff)
    staff.get_by_role("link", name="Emil-Höllein-Platz").first.click()
    expect(staff.get_by_role("heading", name="Emil-Höllein-Platz")).to_be_visible()
    shoot(staff, "staff-results-place")

    tally_csv = download(staff, "Auswertung als CSV").read_text("utf-8-sig")
    rows = list(csv.reader(io.StringIO(tally_csv), delimiter=";"))
    assert rows[0][0] == "Befragung" and any(r[6] == "Grün und Schatten" for r in rows[1:])
    raw_csv = download(staff, "Alle Antworten als CSV").read_text("utf-8-sig")
    raw = list(csv.reader(io.StringIO(raw_csv), delimiter=";"))
    assert len(raw) == 2  # the header and the one answer
    tally = json.loads(download(staff, "Auswertung als JSON").read_text("utf-8"))
    assert tally["scope"]["name"] == "Emil-Höllein-Platz"
    answers = json.loads(download(staff, "Alle Antworten als JSON").read_text("utf-8"))
    assert len(answers) == 1 and answers[0]["channel"] == "qr"
    book = load_workbook(io.BytesIO(download(staff, "Auswertung als Excel (XLSX)").read_bytes()))
    first = list(book[book.sheetnames[0]].iter_rows(values_only=True))
    assert any(row and row[0] == "Grün und Schatten" and row[-2] == 1 for row in first)
    for link in ("Balken (PNG)", "Kreisdiagramm (PNG)"):
        image = Image.open(io.BytesIO(download(staff, link).read_bytes()))
        assert image.format == "PNG" and image.width == 1200


def test_what_each_age_group_chose(page_factory: Callable[..., Page]) -> None:
    phone = page_factory()
    phone.goto("/q/ehp")
    phone.get_by_role("button", name="Spielen und Sport").click()
    for step in (2, 3):
        expect(phone.locator("#stage").get_by_text(f"Frage {step} von 5")).to_be_visible()
        phone.get_by_role("button", name="Überspringen").click()
    expect(phone.locator("#stage").get_by_text("Frage 4 von 5")).to_be_visible()
    phone.get_by_role("button", name="unter 12").click()
    expect(phone.locator("#stage").get_by_text("Frage 5 von 5")).to_be_visible()

    staff = page_factory()
    staff_login(staff)
    staff.get_by_role("link", name="Emil-Höllein-Platz").first.click()
    staff.get_by_role("link", name="Wer hat was gewählt, nach Gruppen: Wie alt sind Sie?").click()
    table = staff.locator("table.crosstab").first
    expect(table.get_by_role("columnheader", name="unter 12")).to_be_visible()
    sport = table.get_by_role("row").filter(has_text="Spielen und Sport")
    expect(sport.get_by_role("cell").first).to_have_text("100\xa0% (1)")  # the first group
    shoot(staff, "staff-compare")


def test_a_poster_is_previewed_and_its_pdf_reads(page_factory: Callable[..., Page]) -> None:
    from tests.test_posters import pdf_page, zbar

    staff = page_factory()
    staff_login(staff)
    staff.get_by_role("link", name="Emil-Höllein-Platz").first.click()
    staff.get_by_role("link", name="Plakat zum Drucken (A4, A3)").click()
    expect(staff.get_by_role("heading", name="Plakat für Emil-Höllein-Platz")).to_be_visible()
    preview = staff.get_by_role("img", name="Vorschau des A4-Plakats für Emil-Höllein-Platz")
    expect(preview).to_be_visible()
    expect(preview).to_have_js_property("naturalWidth", 700)  # the picture arrived
    shoot(staff, "staff-poster-preview")
    for name in ("Plakat A4 (PDF)", "Plakat A3 (PDF)"):
        page = pdf_page(download(staff, name).read_bytes())
        assert zbar(page) == [staff.url.split("/staff/")[0] + "/q/ehp"]


def test_a_campaign_s_posters_get_the_organiser_s_logo(
    page_factory: Callable[..., Page], tmp_path: Path
) -> None:
    from tests.test_poster_logos import picture
    from tests.test_posters import pdf_pages_of, zbar

    staff = page_factory()
    staff_login(staff)
    staff.get_by_role("link", name="WerkStadt – Leben in Jena Nord").first.click()
    staff.get_by_role("link", name="Plakate, Aufkleber und Logo").click()
    heading = staff.get_by_role("heading", name="Plakate für WerkStadt – Leben in Jena Nord")
    expect(heading).to_be_visible()
    expect(staff.get_by_text("Die Plakate haben kein Logo.")).to_be_visible()

    # Not a picture: the field says so, and nothing changes.
    wrong = tmp_path / "logo.png"
    wrong.write_text("Ich bin eine Textdatei.")
    staff.get_by_label("Ein Logo auf die Plakate setzen").set_input_files(wrong)
    staff.get_by_role("button", name="Hochladen").click()
    expect(staff.locator("#e-logo")).to_contain_text("keine PNG-, JPEG- oder WebP-Datei")
    expect(staff.get_by_text("Die Plakate haben kein Logo.")).to_be_visible()

    logo = tmp_path / "stadtteilbuero.jpg"
    logo.write_bytes(picture("JPEG", (1600, 1200)))
    staff.get_by_label("Ein Logo auf die Plakate setzen").set_input_files(logo)
    staff.get_by_role("button", name="Hochladen").click()
    expect(staff.get_by_role("status")).to_have_text("Das Logo ist jetzt auf den Plakaten.")
    shown = staff.get_by_role("img", name="Das Logo auf den Plakaten")
    expect(shown).to_have_js_property("naturalWidth", 600)
    shoot(staff, "staff-campaign-posters")

    every = download(staff, "Plakate aller Orte, A4 (PDF, je eine Seite)")
    pages = pdf_pages_of(every.read_bytes())
    base = staff.url.split("/staff/")[0]
    assert [zbar(page) for page in pages] == [[f"{base}/q/ehp"], [f"{base}/q/zeitzer"]]
    SCREENSHOTS.mkdir(exist_ok=True)
    pages[0].resize((827, 1170)).save(SCREENSHOTS / "poster-with-logo.png")

    staff.get_by_role("button", name="Logo entfernen").click()
    expect(staff.get_by_role("status")).to_have_text("Die Plakate haben jetzt kein Logo mehr.")

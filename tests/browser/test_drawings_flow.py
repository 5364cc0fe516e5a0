"""A paper drawing in a browser: photographed, uploaded by an editor, numbered, approved."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from tests.browser.conftest import shoot
from tests.browser.test_flows import staff_login

pytestmark = pytest.mark.browser


def _photo(path: Path) -> Path:
    """A photo of a child's drawing: a house under a sun, on paper."""
    picture = Image.new("RGB", (1600, 1200), (250, 248, 240))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((500, 600, 1000, 1050), outline=(200, 30, 30), width=18)
    draw.polygon([(450, 610), (750, 330), (1050, 610)], outline=(30, 90, 200), width=18)
    draw.ellipse((1200, 120, 1450, 370), fill=(250, 200, 20))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    path.write_bytes(out.getvalue())
    return path


def test_an_editor_uploads_a_paper_drawing_and_a_moderator_approves_it(
    page_factory,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    page: Page = page_factory(viewport={"width": 1280, "height": 800})
    staff_login(page)  # the demo's admin: edits and moderates
    page.get_by_role("link", name="Zeichnungen").click()
    page.get_by_role("link", name="Zeichnung hochladen").click()
    page.get_by_label("6-9 Jahre").check()
    page.get_by_label("Foto der Zeichnung", exact=False).set_input_files(_photo(tmp_path / "z.jpg"))
    page.get_by_role("button", name="Hochladen").click()
    expect(page.locator(".flash").first).to_contain_text("Nr. 1")
    shoot(page, "drawings-uploaded")
    page.get_by_role("link", name="Zeichnungen").first.click()
    card = page.locator(".drawing-card").first
    expect(card).to_contain_text("Nr. 1")
    image = card.locator("img")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 1600
    shoot(page, "drawings-waiting")
    card.get_by_role("button", name="Nr. 1 freigeben").click()
    expect(page.locator(".drawing-card")).to_have_count(0)  # no longer waiting
    page.get_by_role("link", name="freigegeben").click()
    expect(page.locator(".drawing-card")).to_have_count(1)

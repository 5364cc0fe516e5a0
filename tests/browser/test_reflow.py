"""Reflow at 320 CSS px (WCAG 1.4.10, as ACCESSIBILITY.md promises): no public page a phone
or a passer-by opens scrolls sideways, in any of the seven languages.

The kiosk's own screens (/k/) are left out: they run full screen on the kiosk's touch
display (800×480 and larger), which nobody can narrow or zoom; phones get /q/. The kiosk's
start screen at 320 px and 200 % zoom is checked by test_everyone.py all the same.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from kiosk.core.languages import KNOWN
from tests.browser.conftest import answer_every_question, closed_place

pytestmark = pytest.mark.browser

DEMO_VISITS = 40  # the thank-you screen and the wall have results and wishes to show
SERVER_CONFIG = {"KIOSK_COOLDOWN_SECONDS": 0}
NARROW = {"width": 320, "height": 640}
PAGES = [  # name, address, status
    ("front", "/", 200),
    ("privacy", "/privacy", 200),
    ("enrolment", "/enrol", 200),
    ("wall-place", "/wall/ehp", 200),
    ("wall-campaign", "/wall/campaign/1", 200),
    ("closed", "/q/still", 200),
    ("not-found", "/q/no-such-place", 404),
    ("invalid", "/q/ehp/s/0?visit=nonsense", 422),
]

# Everything sticking out of the window at either side, named so that a failure says where:
# elements, and text running out of its element (a long word that does not wrap).
OUTSIDE = """() => {
  const width = document.documentElement.clientWidth;
  const outside = box => box.width && box.height && (box.right > width + 0.5 || box.left < -0.5);
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + [...e.classList].map(c => '.' + c).join('');
  const say = (what, box, text) => `${what} [${Math.round(box.left)}, ${Math.round(box.right)}] `
    + `"${text.trim().replace(/\\s+/g, ' ').slice(0, 30)}"`;
  // Inside a box that clips (a visually hidden text, a scroller within the window) it is not.
  const clipped = e => {
    for (let up = e.parentElement; up && up !== document.body; up = up.parentElement) {
      const clips = getComputedStyle(up).overflowX !== 'visible';
      if (clips && !outside(up.getBoundingClientRect())) return true;
    }
    return false;
  };
  const out = [];
  for (const e of document.body.querySelectorAll('*')) {
    const box = e.getBoundingClientRect();
    if (outside(box) && !clipped(e)) out.push(say(name(e), box, e.textContent || ''));
  }
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let text = texts.nextNode(); text; text = texts.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(text);
    const box = [...range.getClientRects()].find(outside);
    if (!box || clipped(text)) continue;
    out.push(say(`text in ${name(text.parentElement)}`, box, text.textContent));
  }
  return out;
}"""


SERVER_SETUP = closed_place  # its pages must fit too


def _sideways(page: Page, name: str) -> list[str]:
    """What makes this page scroll sideways at 320 px: its width, and the elements outside."""
    page.wait_for_load_state()
    expect(page.locator("body[data-settling]")).to_have_count(0)
    wide = page.evaluate("document.documentElement.scrollWidth")
    outside = page.evaluate(OUTSIDE)
    if wide <= NARROW["width"] and not outside:
        return []
    return [f"{name}: {wide} px wide; " + "; ".join(outside[:4] or ["(nothing found outside)"])]


def _visit_like_a_phone(page: Page, language: str) -> list[str]:
    """Every question (answered, the wish written), the thank-you screen, and a second scan."""
    problems = []
    page.goto(f"/q/ehp?lang={language}")
    answer_every_question(page, lambda step: problems.extend(_sideways(page, f"question {step}")))
    expect(page.locator(".result-card").first).to_be_visible()
    problems += _sideways(page, "thank-you")
    page.goto("/q/ehp")  # the same phone again: everything answered already
    expect(page.locator("section.thanks")).to_be_visible()
    problems += _sideways(page, "thank-you (answered before)")
    return problems


@pytest.mark.parametrize("language", list(KNOWN))
def test_no_public_page_scrolls_sideways_at_320_px(
    page_factory: Callable[..., Page], language: str
) -> None:
    page = page_factory(viewport=NARROW)
    problems = _visit_like_a_phone(page, language)
    for name, path, status in PAGES:
        response = page.goto(path)
        assert response is not None and response.status == status, (name, path)
        assert page.locator("html").get_attribute("lang") == language, (name, page.url)
        problems += _sideways(page, name)
    assert not problems, f"[{language}] at 320 px:\n" + "\n".join(problems)

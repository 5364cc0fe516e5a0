"""Every public screen at the sizes it runs on, in all seven languages: the kiosk on the
Raspberry Pi display (800×480) and a 1280×800 tablet, phones (390×844, 320×640) and the
results wall on projectors and TVs (1024×768, 1280×720, 1280×800, 1920×1080).

Each screen is measured in real Chromium: no control and no line of text may lie outside
the window (on a phone: outside its width; a phone scrolls down) or outside the card it
belongs to (an answer's button, a key, a result's card, a wish). The kiosk and the wall
never scroll at all: what is not on the screen does not exist for a passer-by.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from kiosk.core.languages import KNOWN
from kiosk.web.public import pages
from tests.browser.conftest import closed_place, shoot

pytestmark = pytest.mark.browser

DEMO_VISITS = 40  # results, a multiple choice among them, and wishes to show
SERVER_CONFIG = {
    "KIOSK_THANKS_SECONDS": 120,
    "KIOSK_ATTRACT_SECONDS": 8,
    "PUBLIC_URL": "https://mitmachen.jena-nord.example.org",  # as long as a city's addresses
}
KIOSKS = [(800, 480), (1280, 800)]
PHONES = [(390, 844), (320, 640)]
WALLS = [(1024, 768), (1280, 720), (1280, 800), (1920, 1080)]
LOOKED_AT = {"de", "ar", "uk"}  # screenshots kept for people to look at (tests/screenshots)
SHOT = ("800x480", "1280x800-kiosk-thanks", "320x640", "1280x720", "1920x1080")

# What lies outside the window, or outside its card, named so that a failure says where.
# A card is what a person sees as one box: an answer, a key, a button, a result, a wish.
MISFITS = """(wholeScreen) => {
  const width = document.documentElement.clientWidth, height = window.innerHeight;
  const CARDS = '.choice, .key, button, .button, textarea, .result-card, .showcase, '
    + '.overlay-box, .showcase-wishes blockquote, .wall-join';
  const CONTROLS = 'a[href], button, input:not([type=hidden]), textarea, select, label.choice';
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + [...e.classList].map(c => '.' + c).join('');
  const say = (what, box, text) => `${what} [${Math.round(box.left)}..${Math.round(box.right)}`
    + ` × ${Math.round(box.top)}..${Math.round(box.bottom)}] "${(text || '').trim()
      .replace(/\\s+/g, ' ').slice(0, 30)}"`;
  const hidden = e => {  // read by screen readers only (clipped to nothing)
    for (let up = e; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.clip !== 'auto' || style.visibility === 'hidden') return true;
    }
    return false;
  };
  const inside = (box, outer) => box.left >= outer.left - 1 && box.right <= outer.right + 1
    && box.top >= outer.top - 1 && box.bottom <= outer.bottom + 1;
  const onScreen = box => box.left >= -1 && box.right <= width + 1
    && (!wholeScreen || (box.top >= -1 && box.bottom <= height + 1));
  const problems = [];
  const check = (what, box, element, text) => {
    if (!box.width || !box.height) return;
    if (!onScreen(box)) problems.push(say(`${what} off screen`, box, text));
    const card = element.closest(CARDS);
    if (card && !inside(box, card.getBoundingClientRect()))
      problems.push(say(`${what} outside ${name(card)}`, box, text));
  };
  for (const control of document.querySelectorAll(CONTROLS)) {
    if (hidden(control)) continue;
    const parent = control.parentElement;
    check(name(control), control.getBoundingClientRect(), parent || control,
          control.textContent || control.getAttribute('aria-label'));
  }
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let text = texts.nextNode(); text; text = texts.nextNode()) {
    const parent = text.parentElement;
    if (!text.textContent.trim() || !parent || hidden(parent)) continue;
    if (parent.closest('title, script, style, svg')) continue;
    const range = document.createRange();
    range.selectNodeContents(text);
    for (const box of range.getClientRects()) check(`text in ${name(parent)}`, box, parent,
                                                    text.textContent);
  }
  for (const label of document.querySelectorAll('.legend-label')) {  // a key's answer
    const range = document.createRange();
    range.selectNodeContents(label);
    const lines = new Set([...range.getClientRects()].map(box => Math.round(box.bottom))).size;
    if (lines > 2) problems.push(say(`a key's answer in ${lines} lines`,
                                     label.getBoundingClientRect(), label.textContent));
  }
  const tall = document.documentElement.scrollHeight, wide = document.documentElement.scrollWidth;
  if (wide > width) problems.push(`scrolls sideways: ${wide} px wide`);
  if (wholeScreen && tall > height) problems.push(`scrolls down: ${tall} px tall`);
  return problems;
}"""


SERVER_SETUP = closed_place  # its pages must fit too


def misfits(page: Page, screen: str, *, whole_screen: bool = True) -> list[str]:
    """What does not fit on this screen as it is now, each line prefixed with its name."""
    expect(page.locator(".htmx-settling, .htmx-swapping, .htmx-request")).to_have_count(0)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")
    return [f"{screen}: {line}" for line in page.evaluate(MISFITS, whole_screen)]


def at_sizes(
    page: Page, sizes: list[tuple[int, int]], language: str, screen: str, *, whole: bool = True
) -> list[str]:
    """The screen measured at each size (the window resized: the page is laid out afresh)."""
    problems = []
    for width, height in sizes:
        page.set_viewport_size({"width": width, "height": height})
        problems += misfits(page, f"{width}x{height} {screen}", whole_screen=whole)
        looked_at(page, language, f"{width}x{height}-{screen}")
    return problems


def looked_at(page: Page, language: str, name: str) -> None:
    """A screenshot for people to look at: the sizes most at risk, in a few languages."""
    if language in LOOKED_AT and any(size in name for size in SHOT):
        shoot(page, f"size-{language}-{name}")


def next_screen(page: Page, button: str) -> None:
    """Press a button of the screen (as a keyboard does: no finger to hold back) and wait for
    the next screen."""
    before = page.locator("#stage").evaluate("e => e.firstElementChild")
    page.locator(button).evaluate("e => e.click()")
    page.wait_for_function("old => document.querySelector('#stage').firstElementChild !== old",
                           arg=before)  # fmt: skip
    expect(page.locator(".htmx-settling, .htmx-request")).to_have_count(0)


def _in_sight(page: Page, selector: str, width: int, height: int) -> bool:
    """Whether the element is shown whole (not clipped away for screen readers only)."""
    page.set_viewport_size({"width": width, "height": height})
    return bool(
        page.locator(selector).evaluate(
            "e => getComputedStyle(e).clip === 'auto' && e.getBoundingClientRect().height >= 12"
        )
    )


def _attract_loop(page: Page, language: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each screen of the attract loop in turn, swapped in as the idle kiosk swaps it.

    The server's clock is set to each slide's moment (the loop shows the same slide on every
    kiosk at the same time), so the test needs not wait for the loop to come round.
    """
    problems: list[str] = []
    showcase = page.locator("aside.showcase")
    url = showcase.get_attribute("hx-get")
    seen: list[str] = []
    for index in range(12):
        moment = SimpleNamespace(time=lambda index=index: index * 8.0)
        monkeypatch.setattr(pages, "time", moment)
        page.evaluate(
            "url => htmx.ajax('GET', url, {target: 'aside.showcase', swap: 'innerHTML'})", url
        )
        expect(showcase.locator(".showcase-title")).to_be_visible()
        shown = showcase.inner_text()
        if shown in seen:  # round again
            break
        seen.append(shown)
        problems += at_sizes(page, KIOSKS, language, f"kiosk-loop-{index + 1}")
    assert len(seen) == 5, seen  # three questions' results and two screens of wishes
    return problems


@pytest.mark.parametrize("language", list(KNOWN))
def test_every_kiosk_screen_fits_the_pi_display_and_a_tablet(
    page_factory: Callable[..., Page], language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    kiosk = page_factory(has_touch=True)
    kiosk.goto(f"/k/ehp?lang={language}")
    expect(kiosk.get_by_role("navigation").get_by_role("link")).to_have_count(len(KNOWN))
    problems = at_sizes(kiosk, KIOSKS, language, "kiosk-start")
    problems += _attract_loop(kiosk, language, monkeypatch)
    next_screen(kiosk, "#begin-form button")
    for step in range(1, 6):
        kind = kiosk.locator("section.question").get_attribute("class") or ""
        if "question-wish" in kind:
            expect(kiosk.locator(".keyboard")).to_be_visible()
            problems += [
                f"{width}x{height}: the hint to write no names is hidden"
                for width, height in KIOSKS
                if not _in_sight(kiosk, ".wish-label", width, height)
            ]
        problems += at_sizes(kiosk, KIOSKS, language, f"kiosk-question-{step}")
        if step == 1:
            kiosk.evaluate("document.getElementById('still-there').hidden = false")
            problems += at_sizes(kiosk, KIOSKS, language, "kiosk-still-there")
            kiosk.evaluate("document.getElementById('still-there').hidden = true")
        next_screen(kiosk, "#stage button.skip")
    expect(kiosk.locator(".result-card")).to_have_count(3)
    problems += at_sizes(kiosk, KIOSKS, language, "kiosk-thanks")
    kiosk.goto("/k/still")
    problems += at_sizes(kiosk, KIOSKS, language, "kiosk-closed")
    assert not problems, f"[{language}]\n" + "\n".join(problems)


@pytest.mark.parametrize("language", list(KNOWN))
def test_every_phone_screen_keeps_its_words_in_their_cards(
    page_factory: Callable[..., Page], language: str
) -> None:
    phone = page_factory(viewport={"width": 390, "height": 844})
    phone.goto(f"/q/ehp?lang={language}")
    problems: list[str] = []
    for step in range(1, 6):
        problems += at_sizes(phone, PHONES, language, f"phone-question-{step}", whole=False)
        next_screen(phone, "#stage button.skip")
    expect(phone.locator(".result-card")).to_have_count(3)
    problems += at_sizes(phone, PHONES, language, "phone-thanks", whole=False)
    assert not problems, f"[{language}]\n" + "\n".join(problems)


LINES = (
    "e => { const r = document.createRange(); r.selectNodeContents(e);"
    " return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }"
)


@pytest.mark.parametrize("language", list(KNOWN))
def test_the_wall_fits_one_screen_with_type_for_the_room(
    page_factory: Callable[..., Page], language: str
) -> None:
    wall = page_factory()
    wall.goto(f"/wall/ehp?lang={language}")
    expect(wall.locator(".wall-card")).to_have_count(3)
    problems: list[str] = []
    for width, height in WALLS:
        problems += at_sizes(wall, [(width, height)], language, "wall-place")
        if (lines := wall.locator(".wall-join strong").evaluate(LINES)) != 1:  # the address to type
            problems.append(f"{width}x{height}: the address breaks over {lines} lines")
        # Type for the room: read from across it on a big screen, never tiny on a small one.
        legend = wall.locator(".wall-card .legend").first.evaluate(
            "e => parseFloat(getComputedStyle(e).fontSize)"
        )
        if legend < height / 50:
            problems.append(f"{width}x{height}: the results' words are {legend:.0f} px high")
    wall.goto("/wall/campaign/1")
    expect(wall.locator(".wall-card")).to_have_count(3)
    problems += at_sizes(wall, WALLS, language, "wall-campaign")
    assert not problems, f"[{language}]\n" + "\n".join(problems)

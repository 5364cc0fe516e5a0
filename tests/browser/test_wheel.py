"""The wheel of pictograms ("Bewegungsrad") on the kiosk and on a phone, in real Chromium:
a tap, a flick with real touch events, reduced motion, the keyboard on its radios, no
JavaScript, Arabic (mirrored), and how it looks at each screen size."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from kiosk.core.languages import KNOWN
from kiosk.models import (
    Area,
    Campaign,
    Location,
    Option,
    Question,
    QuestionKind,
    Response,
    ResponseOption,
)
from tests.browser.conftest import on_screen, shoot
from tests.browser.test_screen_sizes import misfits

pytestmark = pytest.mark.browser

SERVER_CONFIG = {"KIOSK_COOLDOWN_SECONDS": 0, "KIOSK_THANKS_SECONDS": 60}
PLACE = "rad"  # the sports ground of a movement event, with its own campaign
SPORTS = (  # emoji, German, English, Arabic, colour
    ("⚽", "Fußball", "Football", "كرة القدم", "#ef6c00"),
    ("🧗", "Klettern", "Climbing", "التسلق", "#6a1b9a"),
    ("💃", "Tanzen", "Dancing", "الرقص", "#c2185b"),
    ("🚶", "Spazieren", "Walking", "المشي", "#2e7d32"),
    ("🚲", "Radfahren", "Cycling", "ركوب الدراجة", "#00838f"),
    ("🏊", "Schwimmen", "Swimming", "السباحة", "#1565c0"),
)
KIOSKS = [(1280, 800), (800, 480)]
PHONES = [(390, 844), (320, 640)]
DATABASE: dict[str, str] = {}  # the server's database URL, noted by the set-up below


def wheel_question(position: int, texts: dict[str, str]) -> Question:
    """A wheel question of the six sports."""
    return Question(
        position=position,
        kind=QuestionKind.WHEEL,
        texts=texts,
        options=[
            Option(position=n, emoji=emoji, colour=colour, texts={"de": de, "en": en, "ar": ar})
            for n, (emoji, de, en, ar, colour) in enumerate(SPORTS)
        ],
    )


def wheel_place(session: Session) -> None:
    """A SERVER_SETUP: a sports ground ("rad") whose campaign asks two wheel questions."""
    area = session.scalars(select(Area)).first()
    place = Location(area=area, code=PLACE, name="Sportplatz Nord", address="")
    first = {"de": "Was machst du am liebsten?", "en": "What do you like doing most?",
             "ar": "ماذا تحب أن تفعل أكثر؟"}  # fmt: skip
    second = {"de": "Und was möchtest du ausprobieren?", "en": "And what would you try?",
              "ar": "وماذا تود أن تجرب؟"}  # fmt: skip
    questions = [wheel_question(0, first), wheel_question(1, second)]
    session.add(Campaign(title="Bewegungsfest Nord", locations=[place], questions=questions))
    session.flush()
    DATABASE["url"] = session.get_bind().url.render_as_string(hide_password=False)


SERVER_SETUP = wheel_place


# --- Helpers: the wheel as a person sees it, and the answers the server stored. ------------
def answers_after(last_id: int) -> list[tuple[int, str, str]]:
    """The answers stored at the sports ground after this response id: (question position,
    channel, the German name of the option picked)."""
    engine = create_engine(DATABASE["url"])
    with Session(engine) as session:
        rows = session.execute(
            select(Question.position, Response.channel, Option.texts)
            .join(ResponseOption, ResponseOption.response_id == Response.id)
            .join(Option, Option.id == ResponseOption.option_id)
            .join(Question, Question.id == Response.question_id)
            .join(Location, Location.id == Response.location_id)
            .where(Location.code == PLACE, Response.id > last_id)
            .order_by(Response.id)
        ).all()
    engine.dispose()
    return [(position, channel, texts["de"]) for position, channel, texts in rows]


def last_answer_id() -> int:
    engine = create_engine(DATABASE["url"])
    with Session(engine) as session:
        last = session.scalar(select(Response.id).order_by(Response.id.desc()).limit(1))
    engine.dispose()
    return last or 0


WHEEL_STATE = """() => {
  const box = document.querySelector('#stage [data-wheel]');
  const svg = box.querySelector('.wheel-svg');
  const wedges = [...box.querySelectorAll('.wheel-wedge')];
  const radios = [...box.querySelectorAll('.choices-wheel input')];
  const sector = parseFloat(box.dataset.sector);
  const turn = parseFloat(svg.style.getPropertyValue('--turn') || '0');
  const top = ((-turn % 360) + 360) % 360;
  return {
    turn, sector,
    picked: wedges.findIndex(w => w.classList.contains('is-picked')),
    atTop: wedges.findIndex(w => ((top - parseFloat(w.dataset.start)) % 360 + 360) % 360 < sector),
    checked: radios.findIndex(r => r.checked),
  };
}"""


def wheel_state(page: Page) -> dict:
    """What the wheel shows: its turn (degrees), the sector picked (its index, or -1), the
    sector under the pointer at twelve o'clock, and the radio checked (its index, or -1)."""
    return page.evaluate(WHEEL_STATE)


def turns_to(page: Page, index: int) -> None:
    """Wait until the wheel has turned this sector's middle under the pointer (and stopped)."""
    page.wait_for_function(
        f"""(index) => {{
          const state = ({WHEEL_STATE})();
          const wedge = document.querySelectorAll('#stage .wheel-wedge')[index];
          const middle = parseFloat(wedge.dataset.start) + state.sector / 2;
          return Math.abs(((((-state.turn - middle) % 360) + 540) % 360) - 180) < 0.5;
        }}""",
        arg=index,
        timeout=3000,
    )


def label_middle(page: Page, index: int) -> tuple[float, float]:
    """Where a sector's picture and word are on the screen."""
    box = page.locator("#stage .wheel-label").nth(index).bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def wheel_centre(page: Page) -> tuple[float, float, float]:
    """The wheel's centre on the screen, and its radius in px."""
    centre = page.evaluate(
        """() => { const m = document.querySelector('#stage .wheel-svg').getScreenCTM();
                   return [m.e, m.f, 100 * m.a]; }"""
    )
    return centre[0], centre[1], centre[2]


def flick(page: Page, clockwise: bool = True, degrees: float = 120, moves: int = 8) -> None:
    """A finger flicks the wheel round (real touch events, through the DevTools protocol):
    down near the rim, round through twelve o'clock in quick moves, and off while moving."""
    import math

    x0, y0, radius = wheel_centre(page)
    sign = 1 if clockwise else -1
    points = []
    for n in range(moves + 1):
        angle = math.radians(sign * (-degrees / 2 + degrees * n / moves))
        points.append((x0 + 0.7 * radius * math.sin(angle), y0 - 0.7 * radius * math.cos(angle)))
    cdp = page.context.new_cdp_session(page)
    (x, y), rest = points[0], points[1:]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for x, y in rest:
        time.sleep(0.016)
        cdp.send(
            "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
        )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def to_first_wheel(kiosk: Page, language: str = "de") -> None:
    kiosk.goto(f"/k/{PLACE}?lang={language}")
    kiosk.locator("#begin-form button[type=submit]").tap()
    expect(kiosk.locator("#stage .wheel-on")).to_be_visible()
    expect(kiosk.locator("body[data-settling]")).to_have_count(0)


def confirm(page: Page) -> Locator:
    return page.locator("#stage .wheel-confirm")


# --- The kiosk: a tap, a flick, a confirmation. ----------------------------------------------
def test_a_tap_picks_a_sector_and_the_confirmation_stores_it(
    page_factory: Callable[..., Page],
) -> None:
    kiosk = page_factory(has_touch=True)
    before = last_answer_id()
    to_first_wheel(kiosk)
    on_screen(kiosk, "Frage 1 von 2")
    radios = kiosk.locator("#stage .choices-wheel")
    expect(radios).to_have_class("choices choices-wheel visually-hidden")  # for ears only
    expect(confirm(kiosk)).to_be_disabled()  # nothing picked yet

    kiosk.touchscreen.tap(*label_middle(kiosk, 1))  # 🧗 Klettern
    expect(kiosk.locator("#stage .wheel-say")).to_have_text("🧗 Klettern?")
    expect(kiosk.get_by_role("radio", name="Klettern")).to_be_checked()
    expect(confirm(kiosk)).to_be_enabled()
    turns_to(kiosk, 1)  # turned under the pointer
    state = wheel_state(kiosk)
    assert state["picked"] == state["checked"] == 1

    kiosk.touchscreen.tap(*label_middle(kiosk, 4))  # another: 🚲 Radfahren
    expect(kiosk.get_by_role("radio", name="Radfahren")).to_be_checked()
    expect(kiosk.get_by_role("radio", name="Klettern")).not_to_be_checked()
    turns_to(kiosk, 4)

    confirm(kiosk).tap()
    on_screen(kiosk, "Frage 2 von 2")
    assert answers_after(before) == [(0, "kiosk", "Radfahren")]


def test_a_flick_spins_the_wheel_and_it_lands_on_a_sector(
    page_factory: Callable[..., Page],
) -> None:
    kiosk = page_factory(has_touch=True)
    before = last_answer_id()
    to_first_wheel(kiosk)
    kiosk.get_by_role("button", name="Überspringen").tap()
    on_screen(kiosk, "Frage 2 von 2")  # the second wheel, swapped in: a fresh one
    fresh = wheel_state(kiosk)
    assert (fresh["turn"], fresh["picked"], fresh["checked"]) == (0, -1, -1)
    expect(confirm(kiosk)).to_be_disabled()

    flick(kiosk, clockwise=True)
    kiosk.wait_for_timeout(300)
    turning = wheel_state(kiosk)["turn"]
    kiosk.wait_for_timeout(300)
    still_turning = wheel_state(kiosk)["turn"]
    assert still_turning > turning > 120, "the wheel spins on after the finger left it"
    expect(confirm(kiosk)).to_be_enabled(timeout=8000)  # it slowed down and landed
    landed = wheel_state(kiosk)
    assert landed["turn"] > 360, "a flick spins the wheel round, not a little"
    assert landed["picked"] == landed["checked"] == landed["atTop"] >= 0
    name = SPORTS[landed["checked"]][1]
    expect(kiosk.locator("#stage .wheel-say")).to_contain_text(f"{name}?")
    # It lands inside the sector, not on a line between two.
    middle = (landed["checked"] + 0.5) * 60
    assert abs(((-landed["turn"] - middle + 180) % 360) - 180) < 0.3 * 60

    confirm(kiosk).tap()
    expect(kiosk.get_by_role("heading", name="Danke!")).to_be_visible()
    assert answers_after(before) == [(1, "kiosk", name)]


def test_with_reduced_motion_a_spin_steps_and_nothing_turns(
    page_factory: Callable[..., Page],
) -> None:
    kiosk = page_factory(
        viewport={"width": 800, "height": 480}, has_touch=True, reduced_motion="reduce"
    )
    to_first_wheel(kiosk)
    on_screen(kiosk, "Frage 1 von 2")
    expect(kiosk.locator("#stage .wheel-pointer")).to_be_hidden()  # it points at nothing
    # Note every place the pick's mark stands, and every turn of the wheel, as they change.
    kiosk.evaluate(
        """() => {
      const box = document.querySelector('#stage [data-wheel]');
      const mark = box.querySelector('.wheel-mark-pick');
      window.marks = []; window.turns = [];  // the wheel's turn: set, and as shown
      new MutationObserver(() => window.marks.push(mark.getAttribute('transform')))
        .observe(mark, {attributes: true, attributeFilter: ['transform']});
      const svg = box.querySelector('.wheel-svg'), turn = box.querySelector('.wheel-turn');
      (function watch() {
        window.turns.push(svg.style.getPropertyValue('--turn') + getComputedStyle(turn).transform);
        if (box.isConnected) requestAnimationFrame(watch);
      })();
    }"""
    )
    flick(kiosk, clockwise=True)
    expect(confirm(kiosk)).to_be_enabled(timeout=8000)
    marks = kiosk.evaluate("window.marks")
    assert len(marks) >= 7 and len(set(marks)) >= 5, marks  # it stepped round the sectors
    assert set(kiosk.evaluate("window.turns")) == {"matrix(1, 0, 0, 1, 0, 0)"}, "it never turned"
    landed = wheel_state(kiosk)
    assert landed["picked"] == landed["checked"] >= 0
    assert marks[-1] == f"rotate({landed['checked'] * 60})"  # the mark stopped on it

    kiosk.touchscreen.tap(*label_middle(kiosk, 2))  # a tap works the same: 💃 Tanzen
    expect(kiosk.get_by_role("radio", name="Tanzen")).to_be_checked()
    expect(kiosk.locator("#stage .wheel-say")).to_have_text("💃 Tanzen?")
    kiosk.locator("#stage .wheel-spin").tap()  # and so does the button that spins
    expect(confirm(kiosk)).to_be_disabled()
    expect(confirm(kiosk)).to_be_enabled(timeout=8000)
    assert set(kiosk.evaluate("window.turns")) == {"matrix(1, 0, 0, 1, 0, 0)"}
    shoot(kiosk, "wheel-reduced-motion-800x480")


# --- Without spinning: the keyboard, a screen reader's list, no JavaScript. ------------------
def test_arrow_keys_on_the_radios_move_the_wheel(page_factory: Callable[..., Page]) -> None:
    phone = page_factory(viewport={"width": 390, "height": 844})
    before = last_answer_id()
    phone.goto(f"/q/{PLACE}")
    expect(phone.locator("#stage .wheel-on")).to_be_visible()
    phone.locator("#question-title").focus()
    phone.keyboard.press("Tab")  # into the radios: the first, not yet checked
    expect(phone.get_by_role("radio", name="Fußball")).to_be_focused()
    focus_mark = phone.locator("#stage .wheel-mark-focus")
    expect(focus_mark).to_have_attribute("transform", "rotate(0)")
    expect(focus_mark).to_have_css("visibility", "visible")
    expect(phone.locator("#stage .wheel-svg")).to_have_css("outline-style", "solid")  # in focus
    expect(confirm(phone)).to_be_disabled()

    phone.keyboard.press("ArrowDown")
    expect(phone.get_by_role("radio", name="Klettern")).to_be_checked()
    expect(phone.locator("#stage .wheel-say")).to_have_text("🧗 Klettern?")
    expect(focus_mark).to_have_attribute("transform", "rotate(60)")
    phone.keyboard.press("ArrowDown")
    expect(phone.get_by_role("radio", name="Tanzen")).to_be_checked()
    turns_to(phone, 2)  # turned to it
    assert wheel_state(phone)["picked"] == 2
    expect(confirm(phone)).to_be_enabled()

    phone.keyboard.press("Tab")  # the spin button, then the confirmation
    expect(phone.locator("#stage .wheel-spin")).to_be_focused()
    phone.keyboard.press("Tab")
    expect(confirm(phone)).to_be_focused()
    phone.keyboard.press("Enter")
    expect(phone.locator(".progress-text")).to_have_text("Frage 2 von 2")
    assert answers_after(before) == [(0, "qr", "Tanzen")]


def test_a_phone_without_javascript_answers_from_the_list(
    page_factory: Callable[..., Page],
) -> None:
    phone = page_factory(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    before = last_answer_id()
    phone.goto(f"/q/{PLACE}")
    expect(phone.locator(".wheel-disc")).to_be_hidden()
    expect(phone.locator(".wheel-spin")).to_be_hidden()
    for _, name, *_ in SPORTS:
        expect(phone.get_by_role("radio", name=name)).to_be_visible()
    shoot(phone, "wheel-no-javascript-390")
    phone.get_by_role("button", name="Weiter").click()  # nothing picked: asked to pick
    expect(phone.get_by_role("alert")).to_contain_text("Bitte wählen Sie eine Antwort")
    phone.locator("label.choice", has_text="Spazieren").click()
    expect(phone.get_by_role("radio", name="Spazieren")).to_be_checked()
    phone.get_by_role("button", name="Weiter").click()
    expect(phone.locator(".progress-text")).to_have_text("Frage 2 von 2")
    assert answers_after(before) == [(0, "qr", "Spazieren")]


# --- Arabic: the sectors run counter-clockwise, the words right to left. ---------------------
def test_the_arabic_wheel_is_mirrored(page_factory: Callable[..., Page]) -> None:
    for language, second_is_right in (("de", True), ("ar", False)):
        phone = page_factory(viewport={"width": 390, "height": 844}, has_touch=True)
        phone.goto(f"/q/{PLACE}?lang={language}")
        expect(phone.locator("#stage .wheel-on")).to_be_visible()
        (first_x, first_y), (second_x, second_y) = label_middle(phone, 0), label_middle(phone, 1)
        assert (second_x > first_x) == second_is_right, language
        assert second_y > first_y  # both run down from twelve o'clock
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    expect(phone.locator("#stage .wheel-word").first).to_have_css("direction", "rtl")
    phone.touchscreen.tap(*label_middle(phone, 1))  # the second sector, to the left
    expect(phone.get_by_role("radio", name="التسلق")).to_be_checked()
    turns_to(phone, 1)


# --- How it looks: every size and language, before and after a pick. -----------------------
@pytest.mark.parametrize("language", list(KNOWN))
@pytest.mark.parametrize("size", KIOSKS + PHONES, ids=lambda size: "x".join(map(str, size)))
def test_the_wheel_fits_each_screen(
    page_factory: Callable[..., Page], language: str, size: tuple[int, int]
) -> None:
    width, height = size
    kiosk = (width, height) in KIOSKS
    page = page_factory(viewport={"width": width, "height": height}, has_touch=True)
    if kiosk:
        to_first_wheel(page, language)
    else:
        page.goto(f"/q/{PLACE}?lang={language}")
        expect(page.locator("#stage .wheel-on")).to_be_visible()
    name = f"wheel-{'kiosk' if kiosk else 'phone'}-{language}-{width}x{height}"
    looked_at = language in ("de", "ar")  # screenshots kept for people to look at
    if looked_at:
        shoot(page, name)
    wheel = page.locator("#stage .wheel-svg").bounding_box()
    assert wheel is not None
    if kiosk:  # all on one screen, the wheel as big as the room left allows
        assert wheel["y"] + wheel["height"] <= height and wheel["height"] >= 0.7 * height - 80
    else:  # across the phone
        assert wheel["width"] >= 0.85 * width
    assert wheel_centre(page)[2] >= 120  # each sector a sixth of a disc 240 px across at least
    problems = misfits(page, name, whole_screen=kiosk)
    page.touchscreen.tap(*label_middle(page, 4))
    expect(confirm(page)).to_be_enabled()
    turns_to(page, 4)
    if looked_at:
        shoot(page, f"{name}-picked")
    problems += misfits(page, f"{name} picked", whole_screen=kiosk)
    words = page.evaluate(
        "() => [...document.querySelectorAll('#stage .wheel-word')]"
        ".map(w => w.getBoundingClientRect().height)"
    )
    assert min(words) >= 10, f"the words on the wheel are too small to read: {words}"
    assert not problems, "\n".join(problems)


def test_a_kiosk_zoomed_to_200_percent_keeps_its_wheel_in_the_window(
    page_factory: Callable[..., Page],
) -> None:
    kiosk = page_factory(viewport={"width": 640, "height": 400}, has_touch=True)  # 1280×800
    to_first_wheel(kiosk)
    wheel = kiosk.locator("#stage .wheel-svg").bounding_box()
    assert wheel is not None and wheel["width"] >= 200
    assert not misfits(kiosk, "640x400", whole_screen=False)


# --- htmx: each screen its own wheel, and nothing left behind. -------------------------------
def test_each_swapped_in_wheel_starts_afresh_and_leaves_nothing_behind(
    page_factory: Callable[..., Page],
) -> None:
    kiosk = page_factory(has_touch=True)
    cdp = kiosk.context.new_cdp_session(kiosk)
    ours: set[str] = set()  # the scripts the page loads from static/ (not the test's own)
    cdp.on(
        "Debugger.scriptParsed",
        lambda script: ours.add(script["scriptId"]) if "/static/" in script["url"] else None,
    )

    def listeners() -> list[str]:
        """Our scripts' listeners on the document and the window, where a leak piles up."""
        cdp.send("Debugger.enable")  # it names every script parsed so far
        found = []
        for target in ("document", "window"):
            handle = cdp.send("Runtime.evaluate", {"expression": target})["result"]["objectId"]
            found += [
                f"{target}:{listener['type']}"
                for listener in cdp.send("DOMDebugger.getEventListeners", {"objectId": handle})[
                    "listeners"
                ]
                if listener["scriptId"] in ours
            ]
        cdp.send("Debugger.disable")
        return sorted(found)

    to_first_wheel(kiosk)
    on_screen(kiosk, "Frage 1 von 2")
    first = listeners()
    kiosk.locator("#stage .wheel-spin").tap()  # a spin under way when the screen goes
    kiosk.get_by_role("button", name="Überspringen").tap()
    on_screen(kiosk, "Frage 2 von 2")
    assert wheel_state(kiosk)["turn"] == 0 and wheel_state(kiosk)["checked"] == -1
    expect(confirm(kiosk)).to_be_disabled()
    kiosk.touchscreen.tap(*label_middle(kiosk, 3))
    expect(kiosk.get_by_role("radio", name="Spazieren")).to_be_checked()
    assert kiosk.locator("[data-wheel]").count() == 1
    assert "document:htmx:afterSwap" in first
    assert listeners() == first
    cdp.detach()

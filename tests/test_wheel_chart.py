"""The wheel ("Bewegungsrad") of a wheel question: fixed sectors in the options' own order,
each filled from the centre as far as its share of the most picked answer, clockwise from
twelve o'clock (in Arabic counter-clockwise); on the kiosk, the wall, the staff pages and as
a PNG to download, while bars stay available."""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy.orm import Session

from kiosk.collect.answers import record_answer
from kiosk.collect.catalog import CatalogCampaign, CatalogLocation, load_catalog
from kiosk.models import Campaign, Option, Question, QuestionKind, utcnow
from kiosk.printing.typefaces import pictogram
from kiosk.results.charts import Chart, Slice, draw_wheel, wheel_png, wheel_svg
from kiosk.web import db
from kiosk.web.public import pages
from tests.helpers import pick, question
from tests.hostile import HOSTILE
from tests.test_showcase import SVG, svg_tree

MOVES = [
    ("⚽", "Fußball", "#ef6c00"),
    ("🧗", "Klettern", "#2e7d32"),
    ("💃", "Tanzen", "#ad1457"),
    ("🚶", "Spazieren", "#1565c0"),
    ("🚲", "Radfahren", "#6a1b9a"),
    ("🏊", "Schwimmen", "#00838f"),
]
COUNTS = [3, 12, 0, 8, 5, 1]  # the second is the most picked: the wheel keeps its order


def _slices(counts: list[int] = COUNTS) -> list[Slice]:
    return [
        Slice(label, count, colour, emoji)
        for (emoji, label, colour), count in zip(MOVES, counts, strict=True)
    ]


def _sectors(svg: object) -> list[dict[str, str]]:
    """Each sector's data attributes, and where its count is written."""
    root = svg_tree(svg)
    found = []
    for group in root.iter(f"{SVG}g"):
        count = next(t for t in group.iter(f"{SVG}text") if t.get("class") == "sector-count")
        found.append({**group.attrib, "x": count.get("x", ""), "y": count.get("y", "")})
    return found


# --- The wheel in a page (SVG) -----------------------------------------------------------------


def test_a_wheel_has_one_sector_per_option_in_their_order_filled_as_far_as_its_count() -> None:
    svg = wheel_svg(_slices(), title=None, size=200)
    root = svg_tree(svg)
    radius = float(root.get("data-radius") or 0)
    assert root.get("class") == "wheel" and root.get("aria-hidden") == "true" and radius == 98
    sectors = _sectors(svg)
    assert [int(s["data-count"]) for s in sectors] == COUNTS  # not sorted by count
    reaches = [float(s["data-radius"]) for s in sectors]
    assert reaches[1] == radius  # the most picked reaches the rim
    for count, reach in zip(COUNTS, reaches, strict=True):
        assert reach == pytest.approx(radius * count / 12, abs=0.01)
    # The filled shapes have those radii (an arc "A r r ..."); an empty sector has none.
    drawn = [
        float(match.group(1))
        for path in root.iter(f"{SVG}path")
        if (match := re.search(r"A([\d.]+) ", path.get("d", ""))) is not None
    ]
    assert drawn == pytest.approx([r for r in reaches if r > 0], abs=0.01)
    # Equal sectors, from twelve o'clock: their middles at 1/12, 3/12, ... of a turn.
    turns = [float(s["data-turn"]) for s in sectors]
    assert turns == pytest.approx([(2 * i + 1) / 12 for i in range(6)], abs=1e-4)
    # Each shows its pictogram and its count, and says both as a tooltip.
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == [part for (emoji, _, _), n in zip(MOVES, COUNTS, strict=True)
                     for part in (emoji, str(n))]  # fmt: skip
    assert [t.text for t in root.iter(f"{SVG}title")][1] == "Klettern: 12"
    # The outline of the wheel and its sector borders are drawn, faintly.
    assert len(list(root.iter(f"{SVG}line"))) == 6 and root.find(f"{SVG}circle") is not None


@pytest.mark.parametrize("rtl", [False, True], ids=["ltr", "rtl"])
def test_a_wheel_turns_clockwise_and_in_arabic_counter_clockwise(rtl: bool) -> None:
    svg = wheel_svg(_slices(), title="Bewegungsrad", size=200, rtl=rtl)
    root = svg_tree(svg)
    assert root.get("direction") == ("rtl" if rtl else "ltr")
    assert root.get("role") == "img" and root.get("aria-label") == "Bewegungsrad"
    first, second = _sectors(svg)[:2]
    # The second sector's middle is at three o'clock, or mirrored at nine.
    assert (float(second["x"]) < 100) is rtl and float(second["y"]) == pytest.approx(100)
    assert (float(first["x"]) < 100) is rtl and float(first["y"]) < 100
    # Its arc is drawn the other way round (the sweep flag) and ends on the other side.
    path = next(root.iter(f"{SVG}path"))
    match = re.search(r"A[\d.]+ [\d.]+ 0 0 ([01]) ([\d.]+) ", path.get("d", ""))
    assert match is not None and match.group(1) == ("0" if rtl else "1")
    assert (float(match.group(2)) < 100) is rtl


def test_hostile_labels_pictograms_and_colours_stay_text_in_a_wheel() -> None:
    slices = [Slice(text, 2, text, text) for text in HOSTILE]
    svg = str(wheel_svg(slices, title=HOSTILE[1], size=200))
    root = svg_tree(svg)  # well-formed
    assert "<script" not in svg and "<img" not in svg and "<iframe" not in svg
    assert [t.text for t in root.iter(f"{SVG}title")] == [f"{text}: 2" for text in HOSTILE]
    assert root.get("aria-label") == HOSTILE[1]
    assert {p.get("fill") for p in root.iter(f"{SVG}path")} == {"#6b7a72"}  # no colour got in


def test_a_wheel_without_answers_is_its_empty_sectors() -> None:
    svg = wheel_svg(_slices([0] * 6), title=None, size=96)
    root = svg_tree(svg)
    assert list(root.iter(f"{SVG}path")) == []  # nothing filled
    assert [s["data-radius"] for s in _sectors(svg)] == ["0.00"] * 6
    assert len(list(root.iter(f"{SVG}line"))) == 6  # but every sector is there
    assert svg_tree(wheel_svg([], title=None)).get("class") == "wheel"  # no options: no crash
    one = svg_tree(wheel_svg(_slices([4, 0, 0, 0, 0, 0])[:1], title=None))
    assert [c.get("r") for c in one.iter(f"{SVG}circle")][1] == "98.00"  # one sector: a disc


# --- The wheel to download (PNG) ---------------------------------------------------------------

TITLE = "Welche Bewegung machen Sie am liebsten?"
DETAILS = ["Spielplatz Zeitzer Straße", "01.10.2025", "29 Personen haben geantwortet."]
FACE = (244, 246, 243)


def _wheel_box(chart: Chart) -> tuple[int, int, int, int]:
    """Where the wheel is: the box of its face's colour."""
    width = chart.image.width
    face = [i for i, pixel in enumerate(chart.image.get_flattened_data()) if pixel == FACE]
    assert face
    xs, ys = [i % width for i in face], [i // width for i in face]
    return min(xs), min(ys), max(xs) + 1, max(ys) + 1


def _centre_x(box: tuple[int, int, int, int]) -> float:
    return (box[0] + box[2]) / 2


@pytest.mark.parametrize("rtl", [False, True], ids=["ltr", "rtl"])
def test_a_wheel_png_stands_alone_and_turns_with_the_language(rtl: bool) -> None:
    chart = draw_wheel(_slices(), title=TITLE, details=DETAILS, rtl=rtl)
    width, height = chart.image.size
    texts = [drawn.text for drawn in chart.texts]
    assert " ".join(texts).startswith(TITLE + " " + " ".join(DETAILS))
    for (_, label, _), count in zip(MOVES, COUNTS, strict=True):
        assert label in texts and str(count) in texts
    assert "12 (41 %)" in texts and "0 (0 %)" in texts  # the key: count and share
    for index, one in enumerate(chart.texts):
        left, top, right, bottom = one.box
        assert 0 <= left < right <= width and 0 <= top < bottom <= height, one
        for other in chart.texts[index + 1 :]:
            overlap = one.box[0] < other.box[2] and other.box[0] < one.box[2]
            assert not (overlap and one.box[1] < other.box[3] and other.box[1] < one.box[3])
    wheel = _wheel_box(chart)
    # The wheel stands at the start edge: left, or in Arabic right.
    assert (_centre_x(wheel) > width / 2) is rtl
    # The second sector (12, the most) is drawn at three o'clock, or mirrored at nine.
    (most,) = [t for t in chart.texts if t.text == "12"]
    assert (_centre_x(most.box) < _centre_x(wheel)) is rtl
    # Its pattern reaches the rim there: the first option's solid colour lies past the middle.
    ink = [
        x
        for x in range(wheel[0], wheel[2])
        for y in range(wheel[1], wheel[3], 4)
        if chart.image.getpixel((x, y)) == (0x2E, 0x7D, 0x32)  # the second sector: diagonals
    ]
    assert ink and (sum(ink) / len(ink) < _centre_x(wheel)) is rtl


def test_a_wheel_png_without_answers_or_pictograms_does_not_crash() -> None:
    assert pictogram("🦄", 40) is None, "a unicorn is now bundled: pick another missing emoji"
    slices = [Slice("Einhorn reiten", 0, "#8e24aa", "🦄"), Slice("Fußball", 0, "#ef6c00", "⚽")]
    chart = draw_wheel(slices, title=TITLE, rtl=False)
    texts = [drawn.text for drawn in chart.texts]
    # A missing pictogram is a letter, in the wheel and in the key; never a number.
    assert texts.count("A") == 2 and "B" not in texts
    assert texts.count("0 (0 %)") == 2
    with Image.open(io.BytesIO(wheel_png([], title=TITLE))) as image:
        assert image.format == "PNG"


# --- On the kiosk, the wall and the staff pages ------------------------------------------------


def _square(session: Session) -> tuple[CatalogCampaign, CatalogLocation]:
    """The campaign the demo's square shows now (the pop-up "WerkStadt"), and the square."""
    catalog = load_catalog(session)
    square = catalog.location("ehp")
    campaign = catalog.running_campaign(square, utcnow())
    assert campaign is not None
    return campaign, square


@pytest.fixture
def wheel_app(app: Flask) -> Flask:
    """A wheel of movements added to the square's campaign (and two hidden options, one
    answered), every choice answered at the square (the wheel: Fußball 1, Klettern 3,
    Spazieren 1, hidden Reiten 1); results shown from the first answer."""
    app.config.update(PUBLIC_RESULTS_MIN_ANSWERS=1, PUBLIC_RESULTS_MINUTES=0)
    with app.app_context():
        session = db.session()
        campaign = session.get(Campaign, _square(session)[0].id)
        assert campaign is not None
        moves = [*MOVES, ("🐴", "Reiten", "#6d4c41"), ("⛵", "Segeln", "#37474f")]
        campaign.questions.append(Question(
            position=max(q.position for q in campaign.questions) + 1,
            kind=QuestionKind.WHEEL,
            texts={"de": "Wie bewegen Sie sich am liebsten?"},
            options=[Option(position=index, texts={"de": label}, emoji=emoji, colour=colour,
                            hidden=index >= len(MOVES))
                     for index, (emoji, label, colour) in enumerate(moves)],
        ))  # fmt: skip
        session.commit()
        campaign, square = _square(session)
        for turn, position in enumerate([1, 1, 0, 3, 1, 6]):
            for q in campaign.questions:
                if q.kind == QuestionKind.WISH:
                    continue
                if q.kind == QuestionKind.WHEEL:
                    picked: tuple[int, ...] = (position,)
                elif q.kind == QuestionKind.MULTI:
                    picked = (0, 1)
                else:
                    picked = (turn % 3,)
                record_answer(session, pick(q, *picked), campaign=campaign,
                              location_id=square.id, channel="kiosk")  # fmt: skip
        session.commit()
    return app


WHEEL_COUNTS = [1, 3, 0, 1, 0, 0, 1]  # the visible options, and the hidden one answered


def _svgs(html: str, kind: str) -> list[str]:
    return re.findall(rf'<svg[^>]*class="{kind}".*?</svg>', html, re.S)


def _cards(page: str) -> dict[str, str]:
    return dict(re.findall(r'<figure class="result-card[^"]* result-(\w+)">(.*?)</figure>',
                           page, re.S))  # fmt: skip


def test_the_thanks_cards_and_the_wall_show_a_wheel_question_as_its_wheel(
    wheel_app: Flask, client: FlaskClient
) -> None:
    for address in ("/k/ehp/thanks", "/q/ehp/thanks", "/wall/ehp"):
        cards = _cards(client.get(address).text)
        assert {"wheel", "single"} <= set(cards), address
        (wheel,) = _svgs(cards["wheel"], "wheel")
        assert not _svgs(cards["wheel"], "pie"), address
        assert _svgs(cards["single"], "pie") and not _svgs(cards["single"], "wheel"), address
        # Every option a sector, in the options' order (not by count), the most to the rim.
        sectors = _sectors(wheel)
        assert [int(s["data-count"]) for s in sectors] == WHEEL_COUNTS, address
        assert float(sectors[1]["data-radius"]) == float(svg_tree(wheel).get("data-radius", 0))
        assert 'aria-hidden="true"' in wheel.split(">", 1)[0]  # the key beside it speaks
        assert "Fußball" in cards["wheel"] and "legend-share" in cards["wheel"], address


def test_the_attract_loop_shows_a_wheel_question_as_its_wheel(
    wheel_app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop = re.search(r'hx-get="(/k/ehp/loop\?revision=\d+)"', client.get("/k/ehp").text)
    assert loop is not None
    seconds = wheel_app.config["KIOSK_ATTRACT_SECONDS"]
    shown = []
    for turn in range(8):
        monkeypatch.setattr(pages, "time", SimpleNamespace(time=lambda turn=turn: turn * seconds))
        shown.append(client.get(loop.group(1)).text)
    wheels = [slide for slide in shown if "showcase-wheel" in slide]
    assert wheels and all(len(_svgs(slide, "wheel")) == 1 for slide in wheels)
    assert not any(_svgs(slide, "pie") for slide in wheels)
    assert all(_svgs(s, "pie") for s in shown if "showcase-single" in s)


def test_a_wheel_question_downloads_as_a_wheel_and_still_as_bars(
    wheel_app: Flask, staff_client: FlaskClient
) -> None:
    with wheel_app.app_context():
        campaign, square = _square(db.session())
    wheel, multi = question(campaign, QuestionKind.WHEEL), question(campaign, QuestionKind.MULTI)
    charts = f"/staff/location/{square.id}/chart"
    for form in ("wheel", "bar", "pie"):
        answer = staff_client.get(f"{charts}/{wheel.id}-{form}.png")
        assert answer.status_code == 200 and answer.mimetype == "image/png", form
        assert answer.headers["Content-Disposition"].endswith(f'-{form}.png"')
        with Image.open(io.BytesIO(answer.data)) as image:
            assert image.format == "PNG" and image.width == 1200
    # Only a wheel question has a wheel: a multiple choice asked for one is bars.
    answer = staff_client.get(f"{charts}/{multi.id}-wheel.png")
    assert answer.headers["Content-Disposition"].endswith('-bar.png"')
    for bogus in ("donut", "WHEEL", "wheel%00", "bars"):
        assert staff_client.get(f"{charts}/{wheel.id}-{bogus}.png").status_code == 404, bogus


def test_the_staff_results_and_the_report_draw_the_wheel_and_offer_bars(
    wheel_app: Flask, staff_client: FlaskClient
) -> None:
    with wheel_app.app_context():
        campaign, square = _square(db.session())
    wheel = question(campaign, QuestionKind.WHEEL)
    page = staff_client.get(f"/staff/location/{square.id}").text
    card = re.search(rf'id="question-{wheel.id}".*?</article>', page, re.S)
    assert card is not None
    (drawn,) = _svgs(card.group(0), "wheel")
    assert svg_tree(drawn).get("role") == "img" and not _svgs(card.group(0), "bars")
    assert [int(s["data-count"]) for s in _sectors(drawn)] == WHEEL_COUNTS
    for form in ("wheel", "bar", "pie"):
        assert f"/chart/{wheel.id}-{form}.png" in card.group(0), form
    assert _svgs(page, "bars")  # the other questions: bars as before
    report = staff_client.get(f"/staff/location/{square.id}/report").text
    (drawn,) = _svgs(report, "wheel")
    key = re.search(r'<ol class="legend report-wheel-key">(.*?)</ol>', report, re.S)
    assert key is not None
    rows = re.findall(r'legend-label">([^<]*)</span> <strong[^>]*>([^<]*)<',
                      key.group(1).replace("\xa0", " "))  # fmt: skip
    assert rows[:2] == [("Fußball", "1 (17 %)"), ("Klettern", "3 (50 %)")]
    assert [label for label, _ in rows] == [*(label for _, label, _ in MOVES), "Reiten"]

"""Charts people take away or read in passing: a downloaded chart stands alone on a slide
(its question, place, period and number of people, every label whole), a multiple choice is
never a pie, and the answers a key leaves out are one slice, "Other answers"."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from kiosk.collect.answers import record_answer
from kiosk.models import QuestionKind
from kiosk.printing.typefaces import sans
from kiosk.results.charts import (
    OTHERS_COLOUR,
    Bar,
    Chart,
    Slice,
    bar_svg,
    draw_bars,
    draw_pie,
    gathered,
    wrap,
)
from kiosk.web import db
from kiosk.web.public import pages
from tests.helpers import demo, pick, question
from tests.test_showcase import SVG, svg_tree

TITLE = "Was fehlt hier auf dem Emil-Höllein-Platz, damit Sie gern und oft herkommen?"
DETAILS = ["Emil-Höllein-Platz · 27.09.2025 – 08.10.2025", "29 Personen haben geantwortet."]
LABELS = [
    "Bewegung für alle Generationen, mit Geräten für Jung und Alt am Rand des Platzes",
    "Toiletten",
    "Kinderspielplatzsanierungsmaßnahmenbeschleunigungsprogramm",  # one word, wider than a line
]


def _ink(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    """How many dark pixels a part of the picture has."""
    grey = image.crop(box).convert("L")
    return sum(1 for pixel in grey.get_flattened_data() if pixel < 140)


def _overlap(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _charts(rtl: bool) -> list[Chart]:
    bars = [Bar(label, 12 - i, (12 - i) / 29, "#ad1457") for i, label in enumerate(LABELS)]
    slices = [Slice(label, 12 - i, "#2e7d32") for i, label in enumerate(LABELS)]
    return [
        draw_bars(bars, title=TITLE, details=DETAILS, rtl=rtl),
        draw_pie(slices, title=TITLE, details=DETAILS, rtl=rtl),
    ]


@pytest.mark.parametrize("rtl", [False, True], ids=["ltr", "rtl"])
def test_a_chart_png_stands_alone_on_a_slide_with_every_label_whole(rtl: bool) -> None:
    for chart in _charts(rtl):
        width, height = chart.image.size
        texts = [drawn.text for drawn in chart.texts]
        # Its question, place and period, and how many answered: all of it, in this order.
        written = " ".join(texts)
        assert written.startswith(TITLE + " " + " ".join(DETAILS)), written
        # Every label whole: wrapped over lines (a word too wide broken inside), never cut.
        run_together = "".join(texts).replace(" ", "")
        for label in LABELS:
            assert label.replace(" ", "") in run_together, label
        assert not any("…" in text for text in texts)
        # Each line lies inside the picture, has ink where it says, and overlaps no other.
        for drawn in chart.texts:
            left, top, right, bottom = drawn.box
            assert 0 <= left < right <= width and 0 <= top < bottom <= height, drawn
            assert _ink(chart.image, drawn.box) > 0, drawn
        for index, one in enumerate(chart.texts):
            for other in chart.texts[index + 1 :]:
                assert not _overlap(one.box, other.box), (one, other)


def test_labels_wrap_at_spaces_and_break_a_word_only_when_it_is_wider_than_a_line() -> None:
    font = sans(24)
    assert wrap("Grün und Schatten", font, 1000) == ["Grün und Schatten"]
    assert wrap("Bewegung für alle Generationen", font, 200) == [
        "Bewegung für",
        "alle",
        "Generationen",
    ]
    long = wrap(LABELS[2], font, 200)
    assert len(long) > 1 and "".join(long) == LABELS[2]
    assert all(font.getlength(line) <= 200 for line in long)
    assert wrap("", font, 200) == [""]


def test_bars_in_a_page_wrap_their_labels_instead_of_cutting_them() -> None:
    """The printable report cut "Bewegung für alle Gener…"."""
    svg = bar_svg([Bar(LABELS[0], 12, 0.41, "#ad1457"), Bar("Toiletten", 12, 0.41, "#455a64")],
                  title="Was fehlt hier?")  # fmt: skip
    root = svg_tree(svg)
    labels = root.findall(f"{SVG}text")[0::2]
    first = "".join(part.text or "" for part in labels[0].iter())
    assert first.replace(" ", "") == LABELS[0].replace(" ", "") and "…" not in str(svg)
    assert len(labels[0].findall(f"{SVG}tspan")) >= 3  # three lines or more in 220 px
    bars = root.findall(f"{SVG}rect")
    assert float(bars[3].get("y") or 0) >= float(bars[1].get("y") or 0) + 24  # no overlap


def test_the_answers_a_key_leaves_out_are_one_slice() -> None:
    slices = [Slice(name, count, "#2e7d32") for name, count in
              [("a", 5), ("b", 4), ("c", 3), ("d", 2), ("e", 1), ("f", 0)]]  # fmt: skip
    assert gathered(slices, 3, "Weitere Antworten") == [
        *slices[:3],
        Slice("Weitere Antworten", 3, OTHERS_COLOUR),
    ]
    assert gathered(slices, 5, "Weitere Antworten") == slices[:5]  # nothing left to gather
    assert gathered(slices[:4], 3, "x")[-1] == Slice("x", 2, OTHERS_COLOUR)  # one is one slice


# --- On the public screens -------------------------------------------------------------------


@pytest.fixture
def answered(app: Flask) -> Flask:
    """Every choice answered at the square, a multiple choice with several picks each time, so
    that its shares add up to more than the whole; results shown from the first answer."""
    app.config.update(PUBLIC_RESULTS_MIN_ANSWERS=1, PUBLIC_RESULTS_MINUTES=0)
    with app.app_context():
        campaign, square, _ = demo(db.session())
        for positions in [(0, 1, 2), (0, 1), (1, 2), (3, 4), (5,)]:
            for q in campaign.questions:
                if q.kind == QuestionKind.WISH:
                    continue
                one = (positions[0] % len(q.options),)
                picked = positions if q.kind == QuestionKind.MULTI else one
                record_answer(db.session(), pick(q, *picked), campaign=campaign,
                              location_id=square.id, channel="kiosk")  # fmt: skip
        db.session().commit()
    return app


def _figures(page: str) -> dict[str, str]:
    """The result cards of a page, by their question's kind."""
    found = re.findall(r'<figure class="result-card[^"]* result-(\w+)">(.*?)</figure>', page, re.S)
    return dict(found)


def _is_bars(html: str) -> bool:
    return 'class="legend legend-bars"' in html and 'class="pie"' not in html


def test_a_multiple_choice_is_bars_on_the_kiosk_phone_and_wall(
    answered: Flask, client: FlaskClient
) -> None:
    for address in ("/k/ehp/thanks", "/q/ehp/thanks", "/wall/ehp", "/wall/campaign/1"):
        cards = _figures(client.get(address).text)
        assert set(cards) == {"single", "scale", "multi"}, address
        assert _is_bars(cards["multi"]), address
        assert 'class="pie"' in cards["single"] and 'class="pie"' in cards["scale"], address
        shares = re.findall(r'legend-share">(\d+)\s%<', cards["multi"])
        assert sum(map(int, shares)) > 100, shares  # shares of people: more than the whole


def test_the_attract_loop_shows_a_multiple_choice_as_bars(
    answered: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop = re.search(r'hx-get="(/k/ehp/loop\?revision=\d+)"', client.get("/k/ehp").text)
    assert loop is not None
    seconds = answered.config["KIOSK_ATTRACT_SECONDS"]
    shown = []
    for turn in range(4):  # the loop's first screens: the three questions' results
        monkeypatch.setattr(pages, "time", SimpleNamespace(time=lambda turn=turn: turn * seconds))
        shown.append(client.get(loop.group(1)).text)
    multi = [slide for slide in shown if "showcase-multi" in slide]
    assert len(multi) == 1 and _is_bars(multi[0])
    assert all('class="pie"' in slide for slide in shown if "showcase-single" in slide)


def test_a_pie_gathers_what_its_key_leaves_out_into_one_grey_slice(
    answered: Flask, client: FlaskClient
) -> None:
    single = _figures(client.get("/k/ehp/thanks").text)["single"]
    pie = re.search(r"<svg[^>]*class=\"pie\".*?</svg>", single, re.S)
    assert pie is not None
    slices = svg_tree(pie.group(0)).findall(f"{SVG}path")
    # Four answers picked, the key names three: three slices and one of "Other answers".
    assert [s.get("fill") for s in slices][-1] == OTHERS_COLOUR and len(slices) == 4
    rest = re.search(r'class="legend-rest">.*?fill="([^"]+)".*?Weitere Antworten', single, re.S)
    assert rest is not None and rest.group(1) == OTHERS_COLOUR  # the key's swatch: that slice


# --- The staff's downloads and report ---------------------------------------------------------


def test_a_multiple_choice_downloads_as_bars_even_when_a_pie_is_asked_for(
    answered: Flask, staff_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pie cannot show shares of people; the chart carries where, when and how many."""
    from kiosk.web.staff import results

    with answered.app_context():
        campaign, square, _ = demo(db.session())
    multi, single = question(campaign, QuestionKind.MULTI), question(campaign, QuestionKind.SINGLE)
    drawn: list[tuple[str, str]] = []
    for name in ("bar_png", "pie_png"):
        real = getattr(results, name)

        def spy(*args: object, _real=real, _name=name, **kwargs: object) -> bytes:  # type: ignore[no-untyped-def]
            drawn.append((_name, " ".join(kwargs.get("details", ()))))  # type: ignore[arg-type]
            return _real(*args, **kwargs)  # type: ignore[no-any-return]

        monkeypatch.setattr(results, name, spy)
    charts = f"/staff/location/{square.id}/chart"
    answer = staff_client.get(f"{charts}/{multi.id}-pie.png")
    assert answer.status_code == 200 and answer.mimetype == "image/png"
    assert answer.headers["Content-Disposition"].endswith('-bar.png"')
    pie = staff_client.get(f"{charts}/{single.id}-pie.png")
    assert pie.headers["Content-Disposition"].endswith('-pie.png"')
    assert [name for name, _ in drawn] == ["bar_png", "pie_png"]
    for _, details in drawn:
        assert "Emil-Höllein-Platz" in details and "5 Personen" in details, details
        assert re.search(r"\d\d\.\d\d\.\d{4}", details), details  # the period


def test_the_printable_report_names_its_campaign_once_and_cuts_no_label(
    answered: Flask, staff_client: FlaskClient
) -> None:
    with answered.app_context():
        campaign = demo(db.session())[0]
    page = staff_client.get(f"/staff/campaign/{campaign.id}/report").text
    headings = re.findall(r"<h\d[^>]*>\s*([^<]*?)\s*</h\d>", page)
    assert headings.count(campaign.title) == 1, headings
    labels = [
        " ".join(part.text or "" for part in text.iter()).split()
        for chart in re.findall(r'<svg[^>]*class="bars".*?</svg>', page, re.S)
        for text in svg_tree(chart).findall(f"{SVG}text")
    ]
    assert ["Bewegung", "für", "alle", "Generationen"] in labels
    assert "…" not in page


# --- The wall: one screen at a time ------------------------------------------------------------


def test_a_wall_with_more_results_than_fit_shows_them_in_turn() -> None:
    from kiosk.web.public.wall import in_turn

    moment = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
    assert in_turn([1, 2, 3], 4, 30, moment) == [1, 2, 3]  # all fit: always all
    seen = [in_turn(list(range(10)), 4, 30, moment + dt.timedelta(seconds=30 * n))
            for n in range(4)]  # fmt: skip
    assert seen[:3] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]] and seen[3] == seen[0]


def test_the_wall_writes_its_address_to_type_without_the_scheme() -> None:
    from kiosk.web.public.wall import shown_link

    assert shown_link("https://www.mitmachen.example.org/q/ehp") == "mitmachen.example.org/q/ehp"
    assert shown_link("http://127.0.0.1:8000/q/ehp") == "127.0.0.1:8000/q/ehp"

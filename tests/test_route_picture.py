"""A climate walk's route picture: stations where their coordinates put them (north up, east
right, distances to scale), numbered and joined in station order, a scale bar as long as the
distance it names, every name inside the picture and escaped; and nothing breaks on a route
with no stations, one, or all at one place."""

from __future__ import annotations

import io
import itertools
import math
import re
from xml.etree import ElementTree

import pytest
from PIL import Image

from kiosk.printing.route import (
    Stop,
    compass,
    distance_m,
    distance_words,
    draw_route,
    round_distance,
    route_png,
    route_svg,
)
from kiosk.printing.typefaces import sans

NS = "{http://www.w3.org/2000/svg}"
TITLE = "Klimaspaziergang Jena Nord"
# Five stations of a walk in Jena Nord, in no particular order on the ground.
JENA_NORD = [
    Stop(1, "Emil-Höllein-Platz", 50.9436, 11.5840),
    Stop(2, "Nordbad", 50.9472, 11.5868),
    Stop(3, "Spielplatz am Ricarda-Huch-Weg", 50.9498, 11.5797),
    Stop(4, "Löbstedter Straße", 50.9455, 11.5751),
    Stop(5, "Kulturbahnhof", 50.9401, 11.5789),
]
LONG_NAME = (
    "Gemeinschaftsgarten hinter der Nordschule, Eingang über den Hof an der Dornburger Straße"
)
ROUND = {step * 10**power for step in (1, 2, 5) for power in range(1, 7)}


def svg_tree(svg: object) -> ElementTree.Element:
    """Parse the SVG the module made (well-formed, or this raises)."""
    return ElementTree.fromstring(str(svg))  # noqa: S314 - our own output, not untrusted input


def stations(tree: ElementTree.Element) -> list[ElementTree.Element]:
    return [g for g in tree.iter(f"{NS}g") if g.get("class") == "station"]


def centres(tree: ElementTree.Element) -> dict[int, tuple[float, float]]:
    """Each station's point by its number, as drawn."""
    found = {}
    for group in stations(tree):
        circle = group.find(f"{NS}circle")
        assert circle is not None
        found[int(group.get("data-number", "0"))] = (
            float(circle.get("cx", "nan")),
            float(circle.get("cy", "nan")),
        )
    return found


def polyline(tree: ElementTree.Element) -> list[tuple[float, float]]:
    (line,) = [p for p in tree.iter(f"{NS}polyline") if p.get("class") == "route-line"]
    return [
        (float(x), float(y))
        for x, y in (pair.split(",") for pair in line.get("points", "").split())
    ]


def scale_bar(tree: ElementTree.Element) -> tuple[int, ElementTree.Element, ElementTree.Element]:
    """The scale's metres, its bar and its label."""
    (group,) = [g for g in tree.iter(f"{NS}g") if g.get("class") == "scale"]
    (bar,) = [e for e in group if e.get("class") == "scale-bar"]
    label = group.find(f"{NS}text")
    assert label is not None
    return int(group.get("data-metres", "0")), bar, label


def units_per_metre(points: dict[int, tuple[float, float]], stops: list[Stop]) -> list[float]:
    """For every pair of stations: their distance in the picture per metre on the ground."""
    return [
        math.dist(points[a.number], points[b.number]) / distance_m(a, b)
        for a, b in itertools.combinations(stops, 2)
    ]


# --- Where the stations are --------------------------------------------------------------


def test_the_stations_are_joined_in_order_and_numbered() -> None:
    tree = svg_tree(route_svg(JENA_NORD, title=TITLE))
    assert tree.get("class") == "route"
    assert tree.get("role") == "img"
    assert tree.get("aria-label") == TITLE
    assert [int(g.get("data-number", "0")) for g in stations(tree)] == [1, 2, 3, 4, 5]
    points = centres(tree)
    assert polyline(tree) == [points[n] for n in (1, 2, 3, 4, 5)]
    for group in stations(tree):
        numbers = [t for t in group.iter(f"{NS}text") if t.get("class") != "station-name"]
        assert [t.text for t in numbers] == [group.get("data-number")]


def test_north_is_up_east_is_right_and_distances_are_to_scale() -> None:
    points = centres(svg_tree(route_svg(JENA_NORD, title=TITLE)))
    for a, b in itertools.combinations(JENA_NORD, 2):
        (ax, ay), (bx, by) = points[a.number], points[b.number]
        assert (by < ay) == (b.latitude > a.latitude), (a.label, b.label)
        assert (bx > ax) == (b.longitude > a.longitude), (a.label, b.label)
        # The direction in the picture is the direction on the ground, within a degree.
        east = (b.longitude - a.longitude) * math.cos(math.radians(50.945))
        ground = math.degrees(math.atan2(east, b.latitude - a.latitude))
        drawn = math.degrees(math.atan2(bx - ax, ay - by))
        assert abs((drawn - ground + 180) % 360 - 180) < 1, (a.label, b.label)
    ratios = units_per_metre(points, JENA_NORD)
    middle = sorted(ratios)[len(ratios) // 2]
    assert all(abs(ratio / middle - 1) < 0.01 for ratio in ratios), ratios


def test_the_route_fills_the_picture() -> None:
    points = centres(svg_tree(route_svg(JENA_NORD, title=TITLE, width=640, height=420)))
    ys = [y for _, y in points.values()]
    # The walk is taller than wide: north to south spans most of the height.
    assert max(ys) - min(ys) > 0.6 * 420
    assert all(0 < x < 640 and 0 < y < 420 for x, y in points.values())


def test_stops_given_shuffled_are_drawn_in_number_order() -> None:
    shuffled = [JENA_NORD[i] for i in (3, 0, 4, 2, 1)]
    svg = route_svg(shuffled, title=TITLE)
    tree = svg_tree(svg)
    assert [int(g.get("data-number", "0")) for g in stations(tree)] == [1, 2, 3, 4, 5]
    points = centres(tree)
    assert polyline(tree) == [points[n] for n in (1, 2, 3, 4, 5)]
    # Station 3 is the northernmost, whatever place it had in the list.
    assert min(points, key=lambda n: points[n][1]) == 3
    assert svg == route_svg(JENA_NORD, title=TITLE)


def test_the_map_is_not_mirrored_in_rtl_but_its_text_is() -> None:
    ltr = svg_tree(route_svg(JENA_NORD, title=TITLE))
    rtl = svg_tree(route_svg(JENA_NORD, title=TITLE, rtl=True))
    assert ltr.get("direction") == "ltr"
    assert rtl.get("direction") == "rtl"
    assert centres(rtl) == centres(ltr)
    for tree, end in ((ltr, "x1"), (rtl, "x2")):
        _, bar, label = scale_bar(tree)
        # The label starts where the bar does: its left end, or in RTL its right end.
        assert label.get("text-anchor") == "start"
        assert float(label.get("x", "nan")) == float(bar.get(end, "nan"))
    assert (
        float(scale_bar(rtl)[1].get("x1", "nan"))
        > 640 / 2
        > float(scale_bar(ltr)[1].get("x2", "nan"))
    )


# --- North arrow and scale bar --------------------------------------------------------------


@pytest.mark.parametrize("rtl", [False, True])
def test_the_scale_bar_is_as_long_as_the_distance_it_names(rtl: bool) -> None:
    tree = svg_tree(route_svg(JENA_NORD, title=TITLE, rtl=rtl))
    ratios = units_per_metre(centres(tree), JENA_NORD)
    per_metre = sum(ratios) / len(ratios)
    metres, bar, label = scale_bar(tree)
    assert metres in ROUND
    length = float(bar.get("x2", "nan")) - float(bar.get("x1", "nan"))
    assert length == pytest.approx(metres * per_metre, rel=0.01)
    assert 0.1 * 640 < length < 0.5 * 640  # long enough to read, short enough to fit
    assert label.text == distance_words(metres)


def test_a_longer_walk_has_its_scale_in_kilometres() -> None:
    walk = [Stop(1, "Jena Paradies", 50.9245, 11.5863), Stop(2, "Weimar", 50.9795, 11.3235)]
    tree = svg_tree(route_svg(walk, title="Jena – Weimar"))
    metres, bar, label = scale_bar(tree)
    assert metres >= 1000
    assert label.text == f"{metres // 1000} km"
    per_metre = math.dist(*centres(tree).values()) / distance_m(*walk)
    length = float(bar.get("x2", "nan")) - float(bar.get("x1", "nan"))
    assert length == pytest.approx(metres * per_metre, rel=0.01)


@pytest.mark.parametrize(
    ("most", "expected"),
    [(5, 10), (19.9, 10), (130, 100), (199, 100), (200, 200), (499, 200), (999, 500), (1000, 1000),
     (4999, 2000), (70_000, 50_000)],
)  # fmt: skip
def test_scale_distances_are_round(most: float, expected: int) -> None:
    assert round_distance(most) == expected


@pytest.mark.parametrize(
    ("metres", "words"), [(10, "10 m"), (200, "200 m"), (500, "500 m"), (1000, "1 km"),
                          (2000, "2 km"), (50_000, "50 km")],
)  # fmt: skip
def test_scale_distances_read_as_people_write_them(metres: int, words: str) -> None:
    assert distance_words(metres) == words


def test_the_north_arrow_says_n() -> None:
    tree = svg_tree(route_svg(JENA_NORD, title=TITLE))
    (north,) = [g for g in tree.iter(f"{NS}g") if g.get("class") == "north"]
    assert [t.text for t in north.iter(f"{NS}text")] == ["N"]
    assert north.find(f"{NS}path") is not None


# --- Names ---------------------------------------------------------------------------------


def _name_extent(text: ElementTree.Element, rtl: bool) -> tuple[float, float]:
    """How far a name's text reaches left and right, measured as a browser's sans may set it."""
    lines = [span.text or "" for span in text.iter(f"{NS}tspan")] or [text.text or ""]
    width = max(sans(13).getlength(line) for line in lines) * 1.15
    x, anchor = float(text.get("x", "nan")), text.get("text-anchor")
    if anchor == "middle":
        return x - width / 2, x + width / 2
    rightwards = (anchor == "start") != rtl
    return (x, x + width) if rightwards else (x - width, x)


# The easternmost and the northernmost stations carry long names.
EDGES = [
    *JENA_NORD[:2],
    Stop(3, LONG_NAME, 50.9498, 11.5797),
    Stop(4, "Löbstedter Straße", 50.9455, 11.5751),
    Stop(6, "Am östlichen Rand, wo der Name nicht mehr daneben passt", 50.9450, 11.5905),
]
# Two stations 15 m apart, one north of the other, on a walk of 300 m: their names, set both
# beside their points, would lie over each other.
NEIGHBOURS = [
    Stop(1, "Nordbad", 50.94720, 11.5800),
    Stop(2, "Nordbad, Eingang Süd", 50.94707, 11.5800),
    Stop(3, "Kulturbahnhof", 50.9445, 11.5789),
]


@pytest.mark.parametrize("rtl", [False, True])
@pytest.mark.parametrize("stops", [EDGES, NEIGHBOURS], ids=["edges", "neighbours"])
def test_names_stay_inside_the_picture_beside_their_points(stops: list[Stop], rtl: bool) -> None:
    tree = svg_tree(route_svg(stops, title=TITLE, rtl=rtl))
    names = [t for t in tree.iter(f"{NS}text") if t.get("class") == "station-name"]
    assert len(names) == len(stops)
    points = centres(tree).values()
    boxes = []
    for name in names:
        left, right = _name_extent(name, rtl)
        assert left >= 0 and right <= 640, (name.text, left, right)
        top = float(name.get("y", "nan")) - 17 / 2
        bottom = top + 17 * (len(list(name.iter(f"{NS}tspan"))) or 1)
        assert top >= 0 and bottom <= 420
        # Beside the points, never over one (the western one's name turns east, even in RTL).
        covered = [(x, y) for x, y in points if left - 10 < x < right + 10 and top < y < bottom]
        assert not covered, (name.text, covered)
        boxes.append((left, top, right, bottom))
    for a, b in itertools.combinations(boxes, 2):
        assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)


def test_a_long_name_is_shortened_beside_its_point_and_kept_whole_in_its_tooltip() -> None:
    stops = [Stop(1, LONG_NAME, 50.9436, 11.5840), Stop(2, "Nordbad", 50.9472, 11.5868)]
    tree = svg_tree(route_svg(stops, title=TITLE))
    first = stations(tree)[0]
    name = next(t for t in first.iter(f"{NS}text") if t.get("class") == "station-name")
    lines = [span.text or "" for span in name.iter(f"{NS}tspan")]
    assert len(lines) == 2
    assert lines[0].startswith("Gemeinschaftsgarten")
    assert lines[1].endswith("…")
    assert first.findtext(f"{NS}title") == f"1. {LONG_NAME}"


def test_hostile_names_and_titles_come_out_as_text() -> None:
    label = '<script>alert("x")</script>'
    title = '"><img src=x onerror=alert(1)>'
    svg = str(route_svg([Stop(1, label, 50.9436, 11.5840)], title=title))
    assert "<script" not in svg and "<img" not in svg
    tree = svg_tree(svg)
    assert not [e for e in tree.iter() if e.tag in (f"{NS}script", f"{NS}img", "script", "img")]
    assert tree.get("aria-label") == title
    group = stations(tree)[0]
    assert group.findtext(f"{NS}title") == f"1. {label}"
    name = next(t for t in group.iter(f"{NS}text") if t.get("class") == "station-name")
    assert "".join(name.itertext()).startswith("<script>")


# --- Routes with too little to draw -----------------------------------------------------


def test_no_stations_is_an_empty_frame() -> None:
    tree = svg_tree(route_svg([], title=TITLE))
    assert tree.get("aria-label") == TITLE
    assert stations(tree) == []
    assert not list(tree.iter(f"{NS}polyline"))
    assert [e.get("class") for e in tree] == ["frame"]


@pytest.mark.parametrize(
    "stops",
    [
        [Stop(1, "Nordbad", 50.9472, 11.5868)],
        [Stop(n, f"Station {n}", 50.9472, 11.5868) for n in (1, 2, 3)],
    ],
    ids=["one", "all-at-one-place"],
)
def test_one_place_is_drawn_in_the_middle_with_a_short_scale(stops: list[Stop]) -> None:
    svg = str(route_svg(stops, title=TITLE))
    assert not re.search(r'="[^"]*(nan|inf)', svg)
    tree = svg_tree(svg)
    points = centres(tree)
    assert sorted(points) == [s.number for s in stops]
    assert set(points.values()) == {points[1]}
    assert points[1][0] == 640 / 2
    assert 0 < points[1][1] < 420
    metres, bar, _ = scale_bar(tree)
    assert metres in ROUND and metres <= 100
    assert float(bar.get("x2", "nan")) - float(bar.get("x1", "nan")) > 20


@pytest.mark.parametrize(
    "stops",
    [[], JENA_NORD[:1], [Stop(n, "Hier", 50.9472, 11.5868) for n in (1, 2)], JENA_NORD],
    ids=["none", "one", "all-at-one-place", "five"],
)
@pytest.mark.parametrize("width", [1200, 800])
def test_the_png_opens_at_the_width_asked(stops: list[Stop], width: int) -> None:
    image = Image.open(io.BytesIO(route_png(stops, title=TITLE, width=width)))
    assert image.format == "PNG"
    assert image.width == width
    assert image.height > width / 2


# --- The PNG --------------------------------------------------------------------------------


def _dark(image: Image.Image, at: tuple[float, float]) -> bool:
    grey = image.convert("L").getpixel((round(at[0]), round(at[1])))
    assert isinstance(grey, int)
    return grey < 140


@pytest.mark.parametrize("rtl", [False, True])
def test_the_png_shows_the_stations_where_they_are_in_black_and_white(rtl: bool) -> None:
    picture = draw_route(JENA_NORD, title=TITLE, details=["5 Stationen"], rtl=rtl)
    numbers = {t.text: t.box for t in picture.texts if t.text.isdigit()}
    assert sorted(numbers) == ["1", "2", "3", "4", "5"]
    middle = {int(n): ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2) for n, box in numbers.items()}
    for a, b in itertools.combinations(JENA_NORD, 2):
        (ax, ay), (bx, by) = middle[a.number], middle[b.number]
        assert (by < ay) == (b.latitude > a.latitude)
        assert (bx > ax) == (b.longitude > a.longitude)
    for number, (_, y) in middle.items():
        # A dark disc round the white number: just beside the digit, still inside the point.
        box = numbers[str(number)]
        assert _dark(picture.image, (box[0] - 4, y)), number
    # The line between stations 1 and 2 shows as a dark line in grey.
    assert _dark(
        picture.image, ((middle[1][0] + middle[2][0]) / 2, (middle[1][1] + middle[2][1]) / 2)
    )


@pytest.mark.parametrize("rtl", [False, True])
def test_the_png_keeps_all_its_text_inside_and_mirrors_its_heading(rtl: bool) -> None:
    stops = [*JENA_NORD[:4], Stop(5, LONG_NAME, 50.9450, 11.5905)]
    picture = draw_route(stops, title=TITLE, details=["5 Stationen · 2 km"], rtl=rtl)
    width, height = picture.image.size
    for text in picture.texts:
        left, top, right, bottom = text.box
        assert left >= 40 and right <= width - 40 and top >= 0 and bottom <= height, text
    title = next(t for t in picture.texts if t.text == TITLE)
    scale = next(t for t in picture.texts if t.text.endswith((" m", " km")))
    if rtl:
        assert title.box[2] >= width - 42 and scale.box[0] > width / 2
    else:
        assert title.box[0] <= 42 and scale.box[2] < width / 2
    names = [t for t in picture.texts if not t.text.isdigit() and t.box[1] > title.box[3] + 40]
    for a, b in itertools.combinations(names, 2):
        assert not (
            a.box[0] < b.box[2]
            and b.box[0] < a.box[2]
            and a.box[1] < b.box[3]
            and b.box[1] < a.box[3]
        ), (a.text, b.text)


# --- Distances and directions ------------------------------------------------------------


def test_distances_are_great_circle_metres() -> None:
    paris, london = Stop(1, "Paris", 48.8566, 2.3522), Stop(2, "London", 51.5074, -0.1278)
    assert distance_m(paris, london) == pytest.approx(343_500, rel=0.01)
    a_degree_north = Stop(2, "", 51.9436, 11.5840)
    assert distance_m(JENA_NORD[0], a_degree_north) == pytest.approx(111_195, rel=0.01)
    assert distance_m(JENA_NORD[0], JENA_NORD[0]) == 0


def test_compass_words() -> None:
    here = Stop(1, "Emil-Höllein-Platz", 50.9436, 11.5840)
    across = 0.01 / math.cos(math.radians(here.latitude))  # as far east as 0.01° is north

    def to(north: float, east: float) -> Stop:
        return Stop(2, "", here.latitude + north, here.longitude + east)

    assert compass(here, to(0.01, 0)) == "N"
    assert compass(here, to(0, 0.01)) == "E"
    assert compass(here, to(-0.01, -across)) == "SW"
    assert compass(here, to(0.01, -across)) == "NW"
    assert compass(here, to(-0.01, 0)) == "S"
    assert compass(here, to(0, -0.01)) == "W"

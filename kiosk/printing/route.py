"""A walk's route as a picture: its stations in order, drawn from their coordinates alone.

No map tiles, so nothing is fetched from a tile host: numbered points in station order, the
line between them, a north arrow and a scale bar, as inline SVG for a page and as PNG for
print. The ground is laid flat around the stations' mean latitude (equirectangular), which
keeps distances true to well under a percent across a neighbourhood. The map is never
mirrored (north is up and east is right in every language); in RTL only the text is: names
prefer the west side of their points and the scale bar stands in the bottom right corner.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from markupsafe import Markup
from PIL import Image, ImageDraw, ImageFont

from kiosk.printing.drawn import Drawn, DrawnText, line_height
from kiosk.printing.typefaces import sans, wrap

EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG)
_METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180
# The least ground a picture spans: a single station, or stations a few steps apart, are not
# blown up to fill it, and still get a scale bar (of 50 m, in the default sizes).
_LEAST_SPAN_M = 200.0
_COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
_NAME_LINES = 2  # a longer name is shortened with an ellipsis; the SVG keeps it whole in <title>

_Box = tuple[float, float, float, float]  # left, top, right, bottom
_Point = tuple[float, float]


@dataclass(frozen=True)
class Stop:
    """A station on the route: its number (1-based, the order), its name and where it is."""

    number: int
    label: str
    latitude: float
    longitude: float


def distance_m(a: Stop, b: Stop) -> float:
    """The great-circle distance between two stops in metres (haversine)."""
    phi_a, phi_b = math.radians(a.latitude), math.radians(b.latitude)
    across = math.radians(b.longitude - a.longitude)
    h = (
        math.sin((phi_b - phi_a) / 2) ** 2
        + math.cos(phi_a) * math.cos(phi_b) * math.sin(across / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def compass(a: Stop, b: Stop) -> str:
    """The direction from a to b in eight words: "N", "NE", "E" ... "NW" ("N" to itself)."""
    phi_a, phi_b = math.radians(a.latitude), math.radians(b.latitude)
    across = math.radians(b.longitude - a.longitude)
    east = math.sin(across) * math.cos(phi_b)
    north = math.cos(phi_a) * math.sin(phi_b) - math.sin(phi_a) * math.cos(phi_b) * math.cos(across)
    bearing = math.degrees(math.atan2(east, north)) % 360
    return _COMPASS[int(bearing / 45 + 0.5) % 8]


def distance_words(metres: int) -> str:
    """A scale bar's distance as people write it: "200 m", "1 km"."""
    return f"{metres // 1000} km" if metres >= 1000 else f"{metres} m"


def round_distance(most: float) -> int:
    """The longest of 10, 20, 50, 100, 200, 500 m, 1 km ... within most metres (10 at least)."""
    if most < 20:
        return 10
    power = 10 ** math.floor(math.log10(most))
    return next(int(step * power) for step in (5, 2, 1) if step * power <= most)


# --- Laying out: one plan, drawn as SVG or as PNG ------------------------------------------


@dataclass(frozen=True)
class _Sizes:
    """The sizes of one kind of picture, in its own units (SVG units or pixels)."""

    name: int  # type size of the station names
    number: int  # type size of the numbers in the points
    radius: float
    stroke: float  # the route line's width
    name_width: float  # the widest line of a name
    pad: float  # what is kept clear along the picture's edge
    widen: float  # how much wider text may come out than measured in the bundled sans

    @property
    def line(self) -> float:
        return round(self.name * 1.3)

    @property
    def letter_line(self) -> float:
        return round(self.number * 1.3)

    @property
    def tick(self) -> float:
        return round(self.radius * 0.8)

    @property
    def arrow(self) -> float:
        return round(self.radius * 2.2)


# Measured in the bundled sans, with room to spare for a browser's wider sans-serif (as in
# kiosk.results.charts.bar_svg).
_SVG = _Sizes(name=13, number=12, radius=10, stroke=3, name_width=180, pad=10, widen=1.15)
_PNG = _Sizes(name=24, number=22, radius=19, stroke=6, name_width=340, pad=20, widen=1.0)


@dataclass(frozen=True)
class _Name:
    """A station's name as laid out: its lines, its box, and the box edge it hangs from."""

    lines: tuple[str, ...]
    box: _Box
    align: str  # "left", "right" or "middle"


@dataclass(frozen=True)
class _Station:
    stop: Stop
    x: float
    y: float
    name: _Name | None


@dataclass(frozen=True)
class _Scale:
    metres: int
    left: float
    right: float
    y: float  # the bar's middle
    label_x: float  # the label's start edge: the bar's left end, or its right end in RTL
    label_y: float  # the label's middle
    box: _Box


@dataclass(frozen=True)
class _North:
    x: float
    letter_y: float  # the middle of the "N"
    tip: float
    base: float
    box: _Box


@dataclass(frozen=True)
class _Plan:
    """Where everything goes on a canvas; an empty route has no stations and no legend."""

    stations: tuple[_Station, ...]
    scale: _Scale | None
    north: _North | None


def _ground(stops: Sequence[Stop]) -> list[_Point]:
    """Each stop in metres east and north, on a plane true around their mean latitude."""
    squeeze = math.cos(math.radians(sum(s.latitude for s in stops) / len(stops)))
    origin = stops[0].longitude
    return [
        (
            ((s.longitude - origin + 180) % 360 - 180) * squeeze * _METRES_PER_DEGREE,
            s.latitude * _METRES_PER_DEGREE,
        )
        for s in stops
    ]


def _fit(ground: Sequence[_Point], area: _Box) -> tuple[float, list[_Point]]:
    """The scale that fits the ground into the area, north up, and each point placed."""
    left, top, right, bottom = area
    xs, ys = [x for x, _ in ground], [y for _, y in ground]
    span_x = max(max(xs) - min(xs), _LEAST_SPAN_M)
    span_y = max(max(ys) - min(ys), _LEAST_SPAN_M)
    per_metre = min(max(right - left, 1.0) / span_x, max(bottom - top, 1.0) / span_y)
    middle_x, middle_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    centre_x, centre_y = (left + right) / 2, (top + bottom) / 2
    return per_metre, [
        (centre_x + (x - middle_x) * per_metre, centre_y - (y - middle_y) * per_metre)
        for x, y in ground
    ]


def _name_lines(label: str, font: ImageFont.FreeTypeFont, room: float) -> tuple[str, ...]:
    """The name wrapped to the room, its last line shortened if it needs more than two."""
    lines = wrap(label, font, room)
    if len(lines) <= _NAME_LINES:
        return tuple(lines)
    last = " ".join(lines[_NAME_LINES - 1 :])
    while len(last) > 1 and font.getlength(last + "…") > room:
        last = last[:-1]
    if " " in last.strip():  # end at a whole word where the line has more than one
        last = last.rsplit(" ", 1)[0]
    return (*lines[: _NAME_LINES - 1], last.rstrip() + "…")


def _overlap(a: _Box, b: _Box) -> float:
    wide = min(a[2], b[2]) - max(a[0], b[0])
    high = min(a[3], b[3]) - max(a[1], b[1])
    return wide * high if wide > 0 and high > 0 else 0.0


def _crosses(box: _Box, a: _Point, b: _Point) -> bool:
    """Whether the segment from a to b passes through the box (Liang-Barsky clipping)."""
    left, top, right, bottom = box
    dx, dy = b[0] - a[0], b[1] - a[1]
    low, high = 0.0, 1.0
    for p, q in ((-dx, a[0] - left), (dx, right - a[0]), (-dy, a[1] - top), (dy, bottom - a[1])):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        low, high = (max(low, t), high) if p < 0 else (low, min(high, t))
        if low > high:
            return False
    return True


def _inside(box: _Box, frame: _Box) -> _Box:
    """The box moved (not cut) to lie within the frame."""
    left, top, right, bottom = box
    shift_x = max(frame[0] - left, 0.0) + min(frame[2] - right, 0.0)
    shift_y = max(frame[1] - top, 0.0) + min(frame[3] - bottom, 0.0)
    return left + shift_x, top + shift_y, right + shift_x, bottom + shift_y


def _place_name(
    lines: tuple[str, ...],
    size: tuple[float, float],
    at: _Point,
    gap: float,
    frame: _Box,
    taken: Sequence[_Box],
    segments: Sequence[tuple[_Point, _Point]],
    *,
    weight: float,
    rtl: bool,
) -> _Name:
    """The name beside its point where it covers least: other names, points, legend, line."""
    (w, h), (x, y) = size, at
    east = ((x + gap, y - h / 2, x + gap + w, y + h / 2), "left")
    west = ((x - gap - w, y - h / 2, x - gap, y + h / 2), "right")
    north = ((x - w / 2, y - gap - h, x + w / 2, y - gap), "middle")
    south = ((x - w / 2, y + gap, x + w / 2, y + gap + h), "middle")
    candidates = [west, east] if rtl else [east, west]
    candidates += [north, south]

    def cost(box: _Box) -> float:
        covered = sum(_overlap(box, other) for other in taken)
        return covered + weight * sum(_crosses(box, a, b) for a, b in segments)

    placed = [(_inside(box, frame), align) for box, align in candidates]
    box, align = min(placed, key=lambda candidate: cost(candidate[0]))  # first of equals
    return _Name(lines, box, align)


def _plan(stops: Sequence[Stop], canvas: _Box, sizes: _Sizes, rtl: bool) -> _Plan:
    """Where the stations, their names, the north arrow and the scale bar go on the canvas."""
    ordered = sorted(stops, key=lambda stop: stop.number)
    if not ordered:
        return _Plan((), None, None)
    left, top, right, bottom = canvas
    pad, radius = sizes.pad, sizes.radius
    font = sans(sizes.name)
    frame = (left + pad, top + pad, right - pad, bottom - pad)

    north_height = sizes.letter_line + sizes.arrow
    scale_height = sizes.line + 4 + sizes.tick
    legend = max(north_height, scale_height)
    # The points keep clear of the edge by their radius, and of the legend by their diameter.
    inset = pad + radius
    area = (left + inset, top + inset, right - inset, bottom - pad - legend - 2 * radius)
    per_metre, points = _fit(_ground(ordered), area)

    # The scale bar in the bottom start corner, the north arrow in the bottom end corner.
    metres = round_distance((frame[2] - frame[0]) * 0.25 / per_metre)
    length = metres * per_metre
    bar_left = frame[2] - length if rtl else frame[0]
    bar_y = frame[3] - sizes.stroke / 2
    label_y = bar_y - sizes.tick - 4 - sizes.line / 2
    label_width = font.getlength(distance_words(metres)) * sizes.widen
    scale = _Scale(
        metres,
        bar_left,
        bar_left + length,
        bar_y,
        bar_left + length if rtl else bar_left,
        label_y,
        (
            min(bar_left, frame[2] - label_width) if rtl else bar_left,
            frame[3] - scale_height,
            bar_left + length if rtl else max(bar_left + length, bar_left + label_width),
            frame[3],
        ),
    )
    arrow_x = frame[0] + radius if rtl else frame[2] - radius
    north_top = frame[3] - north_height
    north = _North(
        arrow_x,
        north_top + sizes.letter_line / 2,
        north_top + sizes.letter_line,
        frame[3],
        (arrow_x - radius, north_top, arrow_x + radius, frame[3]),
    )

    taken: list[_Box] = [scale.box, north.box]
    taken += [(x - radius, y - radius, x + radius, y + radius) for x, y in points]
    segments = list(pairwise(points))
    room = min(sizes.name_width, frame[2] - frame[0])
    stations: list[_Station] = []
    for stop, point in zip(ordered, points, strict=True):
        name = None
        if stop.label.strip():
            lines = _name_lines(stop.label.strip(), font, room / sizes.widen)
            width = max(font.getlength(line) for line in lines) * sizes.widen
            name = _place_name(
                lines,
                (width, len(lines) * sizes.line),
                point,
                radius + 4,
                frame,
                taken,
                segments,
                weight=radius**2,
                rtl=rtl,
            )
            taken.append(name.box)
        stations.append(_Station(stop, point[0], point[1], name))
    return _Plan(tuple(stations), scale, north)


# --- SVG, for a page ---------------------------------------------------------------------

_INK_HEX, _ROUTE_HEX, _EDGE_HEX = "#1d2521", "#2e7d32", "#d6dbd3"


def _n(value: float) -> str:
    return f"{round(value, 2):g}"


def _svg_anchor(name: _Name, rtl: bool) -> tuple[float, str]:
    """Where a name's text stands and its text-anchor (which the SVG's direction turns)."""
    left, _, right, _ = name.box
    if name.align == "middle":
        return (left + right) / 2, "middle"
    if name.align == "left":
        return left, "end" if rtl else "start"
    return right, "start" if rtl else "end"


def _svg_name(name: _Name, rtl: bool) -> Markup:
    x, anchor = _svg_anchor(name, rtl)
    first = name.box[1] + _SVG.line / 2
    if len(name.lines) == 1:
        text = Markup("{}").format(name.lines[0])
    else:
        text = Markup("").join(
            Markup('<tspan x="{0}" dy="{1}">{2}</tspan>').format(
                _n(x), 0 if number == 0 else _SVG.line, line
            )
            for number, line in enumerate(name.lines)
        )
    return Markup(
        '<text class="station-name" x="{0}" y="{1}" text-anchor="{2}" dominant-baseline="middle"'
        ' font-size="{3}" fill="{4}" stroke="#ffffff" stroke-width="3" stroke-linejoin="round"'
        ' paint-order="stroke">{5}</text>'
    ).format(_n(x), _n(first), anchor, _SVG.name, _INK_HEX, text)


def _svg_station(station: _Station, rtl: bool) -> Markup:
    number = station.stop.number
    return Markup(
        '<g class="station" data-number="{0}"><title>{0}. {1}</title>'
        '<circle cx="{2}" cy="{3}" r="{4}" fill="{5}" stroke="#ffffff" stroke-width="2"/>'
        '<text x="{2}" y="{3}" text-anchor="middle" dominant-baseline="central"'
        ' font-size="{6}" font-weight="700" fill="#ffffff">{0}</text>{7}</g>'
    ).format(
        number,
        station.stop.label,
        _n(station.x),
        _n(station.y),
        _SVG.radius,
        _INK_HEX,
        _SVG.number if number < 100 else _SVG.number * 3 // 4,
        _svg_name(station.name, rtl) if station.name else Markup(""),
    )


def _svg_north(north: _North) -> Markup:
    half = _SVG.radius * 0.7
    return Markup(
        '<g class="north"><text x="{0}" y="{1}" text-anchor="middle" dominant-baseline="middle"'
        ' font-size="{2}" font-weight="700" fill="{3}">N</text>'
        '<path d="M{0} {4} L{5} {6} L{0} {7} L{8} {6} Z" fill="{3}"/></g>'
    ).format(
        _n(north.x),
        _n(north.letter_y),
        _SVG.number,
        _INK_HEX,
        _n(north.tip),
        _n(north.x + half),
        _n(north.base),
        _n(north.base - _SVG.radius * 0.6),
        _n(north.x - half),
    )


def _svg_scale(scale: _Scale) -> Markup:
    top = scale.y - _SVG.tick
    return Markup(
        '<g class="scale" data-metres="{0}">'
        '<line class="scale-bar" x1="{1}" y1="{3}" x2="{2}" y2="{3}" stroke="{4}"'
        ' stroke-width="{5}" stroke-linecap="butt"/>'
        '<path d="M{1} {6} V{3} M{2} {6} V{3}" stroke="{4}" stroke-width="2" fill="none"/>'
        '<text x="{7}" y="{8}" text-anchor="start" dominant-baseline="middle" font-size="{9}"'
        ' fill="{4}">{10}</text></g>'
    ).format(
        scale.metres,
        _n(scale.left),
        _n(scale.right),
        _n(scale.y),
        _INK_HEX,
        _SVG.stroke,
        _n(top),
        _n(scale.label_x),
        _n(scale.label_y),
        _SVG.name,
        distance_words(scale.metres),
    )


def route_svg(
    stops: Sequence[Stop], *, title: str, width: int = 640, height: int = 420, rtl: bool = False
) -> Markup:
    """The route as inline SVG: numbered stations in order, the line, north arrow, scale bar.

    The picture is one image named by the title for screen readers; each station carries its
    whole name as a tooltip. In RTL the SVG states its direction, so text anchors follow it.
    """
    plan = _plan(stops, (0, 0, width, height), _SVG, rtl)
    parts: list[Markup] = [
        Markup(
            '<rect class="frame" x="0.5" y="0.5" width="{0}" height="{1}" fill="#ffffff"'
            ' stroke="{2}"/>'
        ).format(_n(width - 1), _n(height - 1), _EDGE_HEX)
    ]
    if plan.stations:
        parts.append(
            Markup(
                '<polyline class="route-line" points="{0}" fill="none" stroke="{1}"'
                ' stroke-width="{2}" stroke-linejoin="round" stroke-linecap="round"/>'
            ).format(
                " ".join(f"{_n(s.x)},{_n(s.y)}" for s in plan.stations), _ROUTE_HEX, _SVG.stroke
            )
        )
        parts.extend(_svg_station(station, rtl) for station in plan.stations)
    if plan.north:
        parts.append(_svg_north(plan.north))
    if plan.scale:
        parts.append(_svg_scale(plan.scale))
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="route" viewBox="0 0 {0} {1}"'
        ' width="{0}" height="{1}" direction="{2}" role="img" aria-label="{3}">{4}</svg>'
    ).format(width, height, "rtl" if rtl else "ltr", title, Markup("").join(parts))


# --- PNG, for print; readable in black and white --------------------------------------------

_INK = (29, 37, 33)
_MUTED = (85, 96, 90)
_PAPER = (255, 255, 255)
_EDGE = (214, 219, 211)
_ROUTE = (46, 125, 50)
_MARGIN = 40
_TITLE, _DETAIL = 34, 24  # type sizes in pixels, as the charts' headings


class _Paper:
    """A white picture that keeps each text drawn with its box, so tests can measure it."""

    def __init__(self, width: int, height: int) -> None:
        self.image = Image.new("RGB", (width, height), _PAPER)
        self.draw = ImageDraw.Draw(self.image)
        self.texts: list[DrawnText] = []

    def text(
        self,
        at: _Point,
        text: str,
        font: ImageFont.FreeTypeFont,
        anchor: str,
        *,
        fill: tuple[int, int, int] = _INK,
        halo: int = 0,
    ) -> None:
        """A line of text at a point by Pillow's anchor, with a white halo if asked."""
        self.draw.text(
            at, text, font=font, fill=fill, anchor=anchor, stroke_width=halo, stroke_fill=_PAPER
        )
        box = self.draw.textbbox(at, text, font=font, anchor=anchor, stroke_width=halo)
        self.texts.append(DrawnText(text, (int(box[0]), int(box[1]), int(box[2]), int(box[3]))))


def _png_name(paper: _Paper, name: _Name) -> None:
    left, top, right, _ = name.box
    x, anchor = {"left": (left, "lm"), "right": (right, "rm")}.get(
        name.align, ((left + right) / 2, "mm")
    )
    for number, line in enumerate(name.lines):
        y = top + (number + 0.5) * _PNG.line
        paper.text((x, y), line, sans(_PNG.name), anchor, halo=3)


def _png_map(paper: _Paper, plan: _Plan, rtl: bool) -> None:
    draw, radius = paper.draw, _PNG.radius
    points = [(s.x, s.y) for s in plan.stations]
    if len(points) > 1:
        draw.line(points, fill=_ROUTE, width=int(_PNG.stroke), joint="curve")
    for station in plan.stations:
        x, y, number = station.x, station.y, station.stop.number
        draw.ellipse(
            [x - radius, y - radius, x + radius, y + radius], fill=_INK, outline=_PAPER, width=3
        )
        size = _PNG.number if number < 100 else _PNG.number * 3 // 4
        paper.text((x, y), str(number), sans(size, bold=True), "mm", fill=_PAPER)
    for station in plan.stations:
        if station.name:
            _png_name(paper, station.name)
    if plan.north:
        north, half = plan.north, radius * 0.7
        notch = north.base - radius * 0.6
        draw.polygon(
            [
                (north.x, north.tip),
                (north.x + half, north.base),
                (north.x, notch),
                (north.x - half, north.base),
            ],
            fill=_INK,
        )
        paper.text((north.x, north.letter_y), "N", sans(_PNG.number, bold=True), "mm")
    if plan.scale:
        scale = plan.scale
        thickness = _PNG.stroke / 2
        draw.rectangle(
            [scale.left, scale.y - thickness, scale.right, scale.y + thickness], fill=_INK
        )
        for end in (scale.left, scale.right):
            draw.line([(end, scale.y - _PNG.tick), (end, scale.y)], fill=_INK, width=3)
        words = distance_words(scale.metres)
        at = (scale.label_x, scale.label_y)
        paper.text(at, words, sans(_PNG.name), "rm" if rtl else "lm")


def draw_route(
    stops: Sequence[Stop],
    *,
    title: str,
    details: Sequence[str] = (),
    width: int = 1200,
    rtl: bool = False,
) -> Drawn:
    """The route under a heading (title, detail lines) for print; the heading mirrors in RTL."""
    room = width - 2 * _MARGIN
    title_lines = wrap(title, sans(_TITLE, bold=True), room)
    detail_lines = [line for d in details if d for line in wrap(d, sans(_DETAIL), room)]
    top = (
        30 + len(title_lines) * line_height(_TITLE) + len(detail_lines) * line_height(_DETAIL) + 24
    )
    map_height = max(round(room * 0.62), 200)
    paper = _Paper(width, top + map_height + _MARGIN)
    x, anchor = (width - _MARGIN, "ra") if rtl else (_MARGIN, "la")
    line_top = 30
    for line in title_lines:
        paper.text((x, line_top), line, sans(_TITLE, bold=True), anchor)
        line_top += line_height(_TITLE)
    for line in detail_lines:
        paper.text((x, line_top), line, sans(_DETAIL), anchor, fill=_MUTED)
        line_top += line_height(_DETAIL)
    canvas = (_MARGIN, top, width - _MARGIN, top + map_height)
    paper.draw.rectangle(canvas, outline=_EDGE, width=2)
    _png_map(paper, _plan(stops, canvas, _PNG, rtl), rtl)
    return Drawn(paper.image, paper.texts)


def route_png(
    stops: Sequence[Stop],
    *,
    title: str,
    details: Sequence[str] = (),
    width: int = 1200,
    rtl: bool = False,
) -> bytes:
    """The route under a heading, as PNG bytes (see draw_route)."""
    return draw_route(stops, title=title, details=details, width=width, rtl=rtl).png()

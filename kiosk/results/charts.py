"""Charts drawn on the server: pies (the "Stadtteilpizza") and bars, as SVG and as PNG."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup
from PIL import Image, ImageDraw, ImageFont

from kiosk.printing.typefaces import sans, wrap

_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
_FALLBACK = "#6b7a72"


@dataclass(frozen=True)
class Slice:
    """One piece of a pie: what it is, how many, and its colour (#rrggbb)."""

    label: str
    count: int
    colour: str


def safe_colour(colour: str) -> str:
    """The colour if it is #rgb or #rrggbb, else a neutral grey: nothing else reaches markup."""
    return colour if _COLOUR.fullmatch(colour) else _FALLBACK


def _point(centre: float, radius: float, turn: float) -> str:
    """The point a fraction of a turn round the circle, clockwise from twelve o'clock."""
    angle = 2 * math.pi * turn - math.pi / 2
    return f"{centre + radius * math.cos(angle):.2f} {centre + radius * math.sin(angle):.2f}"


def pie_svg(slices: Sequence[Slice], *, title: str | None, size: int = 200) -> Markup:
    """A pie chart as inline SVG, the slices in the order given, from twelve o'clock.

    Each slice carries its label and count as a tooltip; the whole chart is one image named
    by the title for screen readers (the numbers belong in text beside it), or, without a
    title, hidden from them (a key beside it says it all). Slices without answers are left
    out; with no answers at all the pie is an empty ring.
    """
    centre = size / 2
    radius = centre - 2
    total = sum(max(s.count, 0) for s in slices)
    shapes: list[Markup] = []
    if total == 0:
        shapes.append(
            Markup(
                '<circle cx="{0}" cy="{0}" r="{1}" fill="none" stroke="#d6dbd3" stroke-width="2"/>'
            ).format(centre, radius - 1)
        )
    turn = 0.0
    for piece in (s for s in slices if s.count > 0):
        colour = safe_colour(piece.colour)
        tip = Markup("<title>{}: {}</title>").format(piece.label, piece.count)
        share = piece.count / total
        if share >= 1:
            shapes.append(
                Markup('<circle cx="{0}" cy="{0}" r="{1}" fill="{2}">{3}</circle>').format(
                    centre, radius, colour, tip
                )
            )
            break
        large = 1 if share > 0.5 else 0
        start, end = _point(centre, radius, turn), _point(centre, radius, turn + share)
        shapes.append(
            Markup(
                '<path d="M{0} {0} L{1} A{2} {2} 0 {3} 1 {4} Z" fill="{5}" stroke="#ffffff"'
                ' stroke-width="2">{6}</path>'
            ).format(centre, start, radius, large, end, colour, tip)
        )
        turn += share
    named = (
        Markup('role="img" aria-label="{}"').format(title)
        if title is not None
        else Markup('aria-hidden="true"')
    )
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="pie" viewBox="0 0 {0} {0}" width="{0}"'
        ' height="{0}" {1}>{2}</svg>'
    ).format(size, named, Markup("").join(shapes))


# The answers past a key's last row, gathered into one slice: grey, apart from every option.
OTHERS_COLOUR = "#8d968f"


def gathered(slices: Sequence[Slice], keep: int, others: str) -> list[Slice]:
    """The first keep slices, and those after them as one slice named others (if any).

    A key that names a few answers and "other answers" then matches its pie slice for slice.
    """
    head = [s for s in slices[:keep] if s.count > 0]
    rest = [s for s in slices[keep:] if s.count > 0]
    if not rest:
        return head
    return [*head, Slice(others, sum(s.count for s in rest), OTHERS_COLOUR)]


# --- PNG downloads (Pillow), for reports and slides; readable printed in black and white ----
# A chart stands alone on a slide: its question, where and when, how many answered, and every
# label whole (wrapped, never cut). Every text drawn is kept with its box, so tests can
# measure what a person would see.

_INK = (29, 37, 33)
_MUTED = (85, 96, 90)
_PAPER = (255, 255, 255)
_PATTERNS = ("solid", "diagonal", "dots", "cross", "horizontal", "vertical")
_MARGIN = 40


def _rgb(colour: str) -> tuple[int, int, int]:
    value = safe_colour(colour).lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _pattern(size: tuple[int, int], kind: str, colour: tuple[int, int, int]) -> Image.Image:
    """A fill that stays distinguishable without colour: lines or dots over the colour."""
    tile = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(tile)
    width, height = size
    if kind == "diagonal":
        for x in range(-height, width, 12):
            draw.line([(x, height), (x + height, 0)], fill=_PAPER, width=3)
    elif kind == "dots":
        for x in range(4, width, 12):
            for y in range(4, height, 12):
                draw.ellipse([x, y, x + 4, y + 4], fill=_PAPER)
    elif kind == "cross":
        for x in range(0, width, 14):
            draw.line([(x, 0), (x, height)], fill=_PAPER, width=2)
        for y in range(0, height, 14):
            draw.line([(0, y), (width, y)], fill=_PAPER, width=2)
    elif kind == "horizontal":
        for y in range(0, height, 10):
            draw.line([(0, y), (width, y)], fill=_PAPER, width=3)
    elif kind == "vertical":
        for x in range(0, width, 10):
            draw.line([(x, 0), (x, height)], fill=_PAPER, width=3)
    return tile


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


@dataclass(frozen=True)
class DrawnText:
    """One line of text as drawn on a chart, and the box its ink takes (l, t, r, b)."""

    text: str
    box: tuple[int, int, int, int]


@dataclass
class Chart:
    """A chart drawn for download: the picture, and every line of text on it with its box."""

    image: Image.Image
    texts: list[DrawnText]

    def png(self) -> bytes:
        """The chart as PNG bytes."""
        return _png(self.image)


class _Sheet:
    """A white picture that mirrors in RTL: x is a distance from the start edge."""

    def __init__(self, width: int, height: int, rtl: bool) -> None:
        self.width, self.rtl = width, rtl
        self.image = Image.new("RGB", (width, height), _PAPER)
        self.draw = ImageDraw.Draw(self.image)
        self.texts: list[DrawnText] = []

    def x(self, distance: float) -> float:
        """Where a distance from the start edge lies: from the left, or from the right."""
        return self.width - distance if self.rtl else distance

    def left(self, distance: float, extent: float) -> int:
        """The left edge of something extent wide that begins distance from the start edge."""
        return int(self.width - distance - extent if self.rtl else distance)

    def text(
        self,
        distance: float,
        top: float,
        text: str,
        font: ImageFont.FreeTypeFont,
        *,
        fill: tuple[int, int, int] = _INK,
        from_end: bool = False,
    ) -> None:
        """A line of text from the start edge (or, from_end, ending there), kept with its box."""
        start, end = ("ra", "la") if self.rtl else ("la", "ra")
        anchor = end if from_end else start
        x = self.width - self.x(distance) if from_end else self.x(distance)
        self.draw.text((x, top), text, font=font, fill=fill, anchor=anchor)
        box = self.draw.textbbox((x, top), text, font=font, anchor=anchor)
        self.texts.append(DrawnText(text, (int(box[0]), int(box[1]), int(box[2]), int(box[3]))))

    def swatch(self, distance: float, top: float, side: int, index: int, colour: str) -> None:
        """A square of the index'th pattern in the colour, with an outline."""
        left = self.left(distance, side)
        tile = _pattern((side, side), _PATTERNS[index % len(_PATTERNS)], _rgb(colour))
        self.image.paste(tile, (left, int(top)))
        self.draw.rectangle([left, int(top), left + side, int(top) + side], outline=_INK, width=2)

    def chart(self) -> Chart:
        return Chart(self.image, self.texts)


_TITLE, _DETAIL, _LABEL = 34, 24, 24  # type sizes in pixels


def _line_height(size: int) -> int:
    return round(size * 1.45)


@dataclass(frozen=True)
class _Heading:
    """The title and the lines under it (place, period, how many answered), wrapped."""

    title: list[str]
    details: list[str]

    @property
    def height(self) -> int:
        return (
            30
            + len(self.title) * _line_height(_TITLE)
            + len(self.details) * _line_height(_DETAIL)
            + 24
        )

    def draw(self, sheet: _Sheet) -> None:
        top = 30
        for line in self.title:
            sheet.text(_MARGIN, top, line, sans(_TITLE, bold=True))
            top += _line_height(_TITLE)
        for line in self.details:
            sheet.text(_MARGIN, top, line, sans(_DETAIL), fill=_MUTED)
            top += _line_height(_DETAIL)


def _heading(title: str, details: Sequence[str], width: int) -> _Heading:
    room = width - 2 * _MARGIN
    return _Heading(
        wrap(title, sans(_TITLE, bold=True), room),
        [line for detail in details if detail for line in wrap(detail, sans(_DETAIL), room)],
    )


def _value(count: int, share: float) -> str:
    return f"{count} ({round(100 * share)} %)"


def draw_pie(
    slices: Sequence[Slice],
    *,
    title: str,
    details: Sequence[str] = (),
    width: int = 1200,
    rtl: bool = False,
) -> Chart:
    """A pie with its key (pattern, label, count and share) under a heading; mirrored in RTL.

    For answers that add up to the whole: one choice or a scale. A multiple choice's picks
    add up to more than the people who answered; draw it with draw_bars.
    """
    total = sum(max(s.count, 0) for s in slices)
    shown = [s for s in slices if s.count > 0]
    heading = _heading(title, details, width)
    font, line = sans(_LABEL), _line_height(_LABEL)
    diameter, swatch, value_width = 420, 34, 170
    key_start = _MARGIN + diameter + 40
    label_start = key_start + swatch + 16
    label_room = width - _MARGIN - value_width - label_start
    labels = [wrap(s.label, font, label_room) for s in shown]
    rows = [max(swatch, len(lines) * line) + 12 for lines in labels]
    top = heading.height
    height = top + max(diameter, sum(rows)) + _MARGIN
    sheet = _Sheet(width, height, rtl)
    heading.draw(sheet)
    left = sheet.left(_MARGIN, diameter)
    box = (left, top, left + diameter, top + diameter)
    turn = -90.0
    for index, piece in enumerate(shown):
        sweep = 360.0 * piece.count / total
        mask = Image.new("L", sheet.image.size, 0)
        ImageDraw.Draw(mask).pieslice(box, turn, turn + sweep, fill=255)
        fill = _pattern(sheet.image.size, _PATTERNS[index % len(_PATTERNS)], _rgb(piece.colour))
        sheet.image.paste(fill, (0, 0), mask)
        sheet.draw.pieslice(box, turn, turn + sweep, outline=_INK, width=2)
        turn += sweep
    if not shown:
        sheet.draw.ellipse(box, outline=_INK, width=2)
    row_top = top
    for index, (piece, lines, row) in enumerate(zip(shown, labels, rows, strict=True)):
        sheet.swatch(key_start, row_top, swatch, index, piece.colour)
        for number, text in enumerate(lines):
            sheet.text(label_start, row_top + 2 + number * line, text, font)
        value = _value(piece.count, piece.count / total)
        sheet.text(_MARGIN, row_top + 2, value, font, from_end=True)
        row_top += row
    return sheet.chart()


def pie_png(
    slices: Sequence[Slice],
    *,
    title: str,
    details: Sequence[str] = (),
    width: int = 1200,
    rtl: bool = False,
) -> bytes:
    """A pie with its key under a heading, as PNG bytes (see draw_pie)."""
    return draw_pie(slices, title=title, details=details, width=width, rtl=rtl).png()


@dataclass(frozen=True)
class Bar:
    """One bar: what it is, how many, the share it stands for (0..1), and its colour."""

    label: str
    count: int
    share: float
    colour: str


def draw_bars(
    bars: Sequence[Bar],
    *,
    title: str,
    details: Sequence[str] = (),
    width: int = 1200,
    rtl: bool = False,
) -> Chart:
    """Horizontal bars with their labels (wrapped), counts and shares under a heading.

    A bar's length is its share: of the people who answered, so a multiple choice's bars may
    add up to more than the whole. Mirrored in RTL: labels on the right, bars growing left.
    """
    heading = _heading(title, details, width)
    font, line = sans(_LABEL), _line_height(_LABEL)
    label_width, value_width, thickness = 400, 170, 40
    track = width - 2 * _MARGIN - label_width - value_width
    labels = [wrap(bar.label, font, label_width - 24) for bar in bars]
    rows = [max(thickness, len(lines) * line) + 16 for lines in labels]
    height = heading.height + sum(rows) + _MARGIN
    sheet = _Sheet(width, height, rtl)
    heading.draw(sheet)
    top = heading.height
    for index, (bar, lines, row) in enumerate(zip(bars, labels, rows, strict=True)):
        for number, text in enumerate(lines):
            sheet.text(_MARGIN, top + 4 + number * line, text, font)
        length = max(int(track * min(max(bar.share, 0.0), 1.0)), 0)
        start = _MARGIN + label_width
        outline = sheet.left(start, track)
        sheet.draw.rectangle(
            [outline, top, outline + track, top + thickness], outline=(200, 200, 200), width=1
        )
        if length:
            begin = sheet.left(start, length)  # a bar grows from the start edge
            pattern = _PATTERNS[index % len(_PATTERNS)]
            sheet.image.paste(
                _pattern((length, thickness), pattern, _rgb(bar.colour)), (begin, top)
            )
            sheet.draw.rectangle(
                [begin, top, begin + length, top + thickness], outline=_INK, width=2
            )
        sheet.text(_MARGIN, top + 4, _value(bar.count, bar.share), font, from_end=True)
        top += row
    return sheet.chart()


def bar_png(
    bars: Sequence[Bar],
    *,
    title: str,
    details: Sequence[str] = (),
    width: int = 1200,
    rtl: bool = False,
) -> bytes:
    """Horizontal bars under a heading, as PNG bytes (see draw_bars)."""
    return draw_bars(bars, title=title, details=details, width=width, rtl=rtl).png()


# --- Bars in a page (SVG) ------------------------------------------------------------------

_SVG_FONT = 15
_SVG_LINE = 18


def bar_svg(
    bars: Sequence[Bar],
    *,
    title: str,
    width: int = 640,
    value: str = "count-share",
    rtl: bool = False,
) -> Markup:
    """Horizontal bars as inline SVG with their labels (wrapped, never cut) and values.

    In RTL the labels stand on the right and the bars grow leftwards; the SVG states its own
    direction, so that the page's does not move its text out of sight.

    value: "count-share" writes "12 (40 %)", "count" just the count (the bar's length is
    then relative to the longest).
    """
    label_width, value_width = 220, 110
    track = width - label_width - value_width - 10
    # Measured in the bundled sans, with room to spare for a browser's wider sans-serif
    # (DejaVu Sans runs up to a seventh wider than Noto Sans).
    font = sans(_SVG_FONT)
    labels = [wrap(bar.label, font, (label_width - 16) / 1.15) for bar in bars]
    rows = [max(34, len(lines) * _SVG_LINE + 16) for lines in labels]
    height = sum(rows) + 6 if bars else 40
    parts: list[Markup] = []
    # Text anchors follow the SVG's direction: "start" is the right edge in RTL.
    label_x, value_x = (width, 0) if rtl else (0, width)
    left = value_width + 10 if rtl else label_width
    top = 3
    for bar, lines, row in zip(bars, labels, rows, strict=True):
        middle = top + row / 2 - 5  # rows of one line: the bar and its label at top + 12
        length = round(track * min(max(bar.share, 0.0), 1.0), 1)
        first = middle - (len(lines) - 1) * _SVG_LINE / 2
        if len(lines) == 1:
            label = Markup("{}").format(lines[0])
        else:
            label = Markup("").join(
                Markup('<tspan x="{0}" dy="{1}">{2}</tspan>').format(
                    label_x, 0 if number == 0 else _SVG_LINE, text
                )
                for number, text in enumerate(lines)
            )
        parts.append(
            Markup(
                '<text x="{9}" y="{0}" dominant-baseline="middle" font-size="15">{1}</text>'
                '<rect x="{2}" y="{3}" width="{4}" height="24" fill="none" stroke="#d6dbd3"/>'
                '<rect x="{10}" y="{3}" width="{5}" height="24" fill="{6}" stroke="#1d2521"/>'
                '<text x="{7}" y="{11}" dominant-baseline="middle" text-anchor="end" '
                'font-size="15" font-weight="700">{8}</text>'
            ).format(
                f"{first:g}",
                label,
                left,
                f"{middle - 12:g}",
                track,
                length,
                safe_colour(bar.colour),
                value_x,
                _value(bar.count, bar.share) if value == "count-share" else bar.count,
                label_x,
                round(left + track - length, 1) if rtl else left,
                f"{middle:g}",
            )
        )
        top += row
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="bars" viewBox="0 0 {0} {1}" '
        'width="{0}" height="{1}" direction="{4}" role="img" aria-label="{2}">{3}</svg>'
    ).format(width, height, title, Markup("").join(parts), "rtl" if rtl else "ltr")

"""Charts drawn on the server: pies, wheels and bars, as SVG and as PNG.

A pie is the "Stadtteilpizza" of the cooking event, a wheel the "Bewegungsrad" of the
movement event.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup
from PIL import Image, ImageDraw, ImageFont

from kiosk.printing.drawn import Drawn as Chart
from kiosk.printing.drawn import DrawnText, line_height
from kiosk.printing.typefaces import pictogram, sans, wrap

_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
_FALLBACK = "#6b7a72"


@dataclass(frozen=True)
class Slice:
    """One piece of a pie or a wheel: what it is, how many, its colour (#rrggbb), pictogram."""

    label: str
    count: int
    colour: str
    emoji: str = ""  # a wheel's sectors show it; a pie's key shows it beside the chart


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


# --- The wheel (the "Bewegungsrad") ---------------------------------------------------------
# Its sectors are fixed, as on the physical wheel: one per answer, equal, in the answers' own
# order from twelve o'clock, clockwise (in RTL counter-clockwise). Each is filled from the
# centre as far as its share of the most picked answer, which reaches the rim.

_WHEEL_FACE = "#f4f6f3"
_WHEEL_LINE = "#c9d0c8"
_PICTOGRAM_AT, _COUNT_AT = 0.55, 0.86  # how far out a sector's pictogram and count stand


def wheel_at(centre: float, radius: float, turn: float, *, rtl: bool) -> tuple[float, float]:
    """The point a fraction of a turn round from twelve o'clock: clockwise, or in RTL mirrored."""
    angle = 2 * math.pi * turn
    across, down = radius * math.sin(angle), -radius * math.cos(angle)
    return (centre - across if rtl else centre + across), centre + down


def wheel_reach(slices: Sequence[Slice], radius: float) -> list[float]:
    """How far each sector is filled: its count over the largest count, times the radius."""
    most = max((max(s.count, 0) for s in slices), default=0)
    return [radius * max(s.count, 0) / most if most else 0.0 for s in slices]


def _chord(reach: float, sectors: int) -> float:
    """How wide a sector is at a distance from the centre."""
    return 2 * reach * (math.sin(math.pi / sectors) if sectors > 1 else 1.0)


def _sector_path(centre: float, reach: float, start: float, end: float, rtl: bool) -> str:
    first = wheel_at(centre, reach, start, rtl=rtl)
    last = wheel_at(centre, reach, end, rtl=rtl)
    return (
        f"M{centre:.2f} {centre:.2f} L{first[0]:.2f} {first[1]:.2f} "
        f"A{reach:.2f} {reach:.2f} 0 0 {0 if rtl else 1} {last[0]:.2f} {last[1]:.2f} Z"
    )


def wheel_svg(
    slices: Sequence[Slice], *, title: str | None, size: int = 200, rtl: bool = False
) -> Markup:
    """A wheel as inline SVG: one equal sector per slice, in the order given.

    Each sector is filled from the centre in proportion to its count (the largest to the
    rim), with its pictogram and count written in. Sectors run clockwise from twelve o'clock,
    in RTL counter-clockwise. Each carries its label and count as a tooltip, and data-count,
    data-radius (how far it is filled) and data-turn (its middle, a fraction of a turn from
    twelve o'clock in its direction). The chart is one image named by the title, or, without
    a title, hidden from screen readers (a key beside it says it all). With no answers the
    wheel is its empty sectors.
    """
    centre = size / 2
    radius = centre - 2
    sectors = len(slices)
    parts = [
        Markup(
            '<circle cx="{0}" cy="{0}" r="{1}" fill="{2}" stroke="{3}" stroke-width="1.5"/>'
        ).format(centre, radius, _WHEEL_FACE, _WHEEL_LINE)
    ]
    if sectors > 1:
        for index in range(sectors):
            x, y = wheel_at(centre, radius, index / sectors, rtl=rtl)
            parts.append(
                Markup('<line x1="{0}" y1="{0}" x2="{1:.2f}" y2="{2:.2f}" stroke="{3}"/>').format(
                    centre, x, y, _WHEEL_LINE
                )
            )
    emoji_size = min(0.24 * radius, 0.6 * _chord(_PICTOGRAM_AT * radius, max(sectors, 1)))
    count_size = min(0.17 * radius, 0.45 * _chord(_COUNT_AT * radius, max(sectors, 1)))
    for index, (piece, reach) in enumerate(zip(slices, wheel_reach(slices, radius), strict=True)):
        start, end = index / sectors, (index + 1) / sectors
        middle = (start + end) / 2
        colour = safe_colour(piece.colour)
        shapes = [Markup("<title>{}: {}</title>").format(piece.label, piece.count)]
        if reach > 0 and sectors == 1:
            shapes.append(
                Markup('<circle cx="{0}" cy="{0}" r="{1:.2f}" fill="{2}"/>').format(
                    centre, reach, colour
                )
            )
        elif reach > 0:
            shapes.append(
                Markup(
                    '<path d="{0}" fill="{1}" stroke="#ffffff" stroke-width="1.5"'
                    ' stroke-linejoin="round"/>'
                ).format(_sector_path(centre, reach, start, end, rtl), colour)
            )
        if piece.emoji:
            x, y = wheel_at(centre, _PICTOGRAM_AT * radius, middle, rtl=rtl)
            shapes.append(
                Markup(
                    '<circle cx="{0:.2f}" cy="{1:.2f}" r="{2:.2f}" fill="#ffffff"'
                    ' fill-opacity="0.85"/><text class="sector-pictogram" x="{0:.2f}" y="{1:.2f}"'
                    ' text-anchor="middle" dominant-baseline="central" font-size="{3:.1f}">'
                    "{4}</text>"
                ).format(x, y, 0.68 * emoji_size, emoji_size, piece.emoji)
            )
        x, y = wheel_at(centre, _COUNT_AT * radius, middle, rtl=rtl)
        shapes.append(
            Markup(
                '<text class="sector-count" x="{0:.2f}" y="{1:.2f}" text-anchor="middle"'
                ' dominant-baseline="central" font-size="{2:.1f}" font-weight="700"'
                ' fill="#1d2521" stroke="#ffffff" stroke-width="{3:.1f}" stroke-linejoin="round"'
                ' paint-order="stroke">{4}</text>'
            ).format(x, y, count_size, count_size / 4, piece.count)
        )
        parts.append(
            Markup(
                '<g class="sector" data-count="{0}" data-radius="{1:.2f}" data-turn="{2:.4f}">'
                "{3}</g>"
            ).format(piece.count, reach, middle, Markup("").join(shapes))
        )
    named = (
        Markup('role="img" aria-label="{}"').format(title)
        if title is not None
        else Markup('aria-hidden="true"')
    )
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="wheel" viewBox="0 0 {0} {0}" width="{0}"'
        ' height="{0}" direction="{1}" data-radius="{2}" {3}>{4}</svg>'
    ).format(size, "rtl" if rtl else "ltr", radius, named, Markup("").join(parts))


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

    def centred(
        self,
        x: float,
        y: float,
        text: str,
        font: ImageFont.FreeTypeFont,
        *,
        halo: bool = False,
    ) -> None:
        """A line of text centred on a point (x from the left), kept with its box.

        With a halo of paper round its letters it stays readable on a pattern.
        """
        stroke = 4 if halo else 0
        self.draw.text(
            (x, y), text, font=font, fill=_INK, anchor="mm", stroke_width=stroke, stroke_fill=_PAPER
        )
        box = self.draw.textbbox((x, y), text, font=font, anchor="mm")
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


@dataclass(frozen=True)
class _Heading:
    """The title and the lines under it (place, period, how many answered), wrapped."""

    title: list[str]
    details: list[str]

    @property
    def height(self) -> int:
        return (
            30
            + len(self.title) * line_height(_TITLE)
            + len(self.details) * line_height(_DETAIL)
            + 24
        )

    def draw(self, sheet: _Sheet) -> None:
        top = 30
        for line in self.title:
            sheet.text(_MARGIN, top, line, sans(_TITLE, bold=True))
            top += line_height(_TITLE)
        for line in self.details:
            sheet.text(_MARGIN, top, line, sans(_DETAIL), fill=_MUTED)
            top += line_height(_DETAIL)


def _heading(title: str, details: Sequence[str], width: int) -> _Heading:
    room = width - 2 * _MARGIN
    return _Heading(
        wrap(title, sans(_TITLE, bold=True), room),
        [line for detail in details if detail for line in wrap(detail, sans(_DETAIL), room)],
    )


def _value(count: int, share: float) -> str:
    return f"{count} ({round(100 * share)} %)"


def _filled_slice(
    sheet: _Sheet,
    box: tuple[float, float, float, float],
    angles: tuple[float, float],
    index: int,
    colour: str,
) -> None:
    """A slice of a disc filled with the index's pattern in the colour (readable in grey)."""
    mask = Image.new("L", sheet.image.size, 0)
    ImageDraw.Draw(mask).pieslice(box, angles[0], angles[1], fill=255)
    fill = _pattern(sheet.image.size, _PATTERNS[index % len(_PATTERNS)], _rgb(colour))
    sheet.image.paste(fill, (0, 0), mask)


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
    font, line = sans(_LABEL), line_height(_LABEL)
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
        _filled_slice(sheet, box, (turn, turn + sweep), index, piece.colour)
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


def _letter(index: int) -> str:
    """A, B, … Z, AA, AB, …: what stands for a sector whose pictogram is not bundled."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def draw_wheel(
    slices: Sequence[Slice],
    *,
    title: str,
    details: Sequence[str] = (),
    width: int = 1200,
    rtl: bool = False,
) -> Chart:
    """A wheel with its key (pattern, pictogram, label, count and share) under a heading.

    One equal sector per slice in the order given, clockwise from twelve o'clock, each filled
    with its pattern from the centre in proportion to its count (the largest to the rim), its
    pictogram and count written in. Mirrored in RTL: the wheel on the right, counter-clockwise.
    A pictogram the bundled font lacks is a letter (A, B, …), in the sector and in the key: a
    number there would read as a count.
    """
    total = sum(max(s.count, 0) for s in slices)
    sectors = len(slices)
    heading = _heading(title, details, width)
    font, line = sans(_LABEL), line_height(_LABEL)
    diameter, swatch, marker, value_width = 440, 34, 34, 170
    key_start = _MARGIN + diameter + 40
    label_start = key_start + swatch + 12 + marker + 14
    label_room = width - _MARGIN - value_width - label_start
    labels = [wrap(s.label, font, label_room) for s in slices]
    rows = [max(swatch, len(lines) * line) + 12 for lines in labels]
    top = heading.height
    height = top + max(diameter, sum(rows)) + _MARGIN
    sheet = _Sheet(width, height, rtl)
    heading.draw(sheet)
    left = sheet.left(_MARGIN, diameter)
    radius = diameter / 2
    centre = (left + radius, top + radius)
    faint = (190, 197, 190)
    sheet.draw.ellipse(
        (left, top, left + diameter, top + diameter), fill=(244, 246, 243), outline=faint, width=2
    )

    def angles(index: int) -> tuple[float, float]:
        """Pillow's angles (degrees clockwise from three o'clock) of the index'th sector."""
        start, end = 360.0 * index / sectors - 90, 360.0 * (index + 1) / sectors - 90
        return (-end - 180, -start - 180) if rtl else (start, end)

    def at(reach: float, turn: float) -> tuple[float, float]:
        x, y = wheel_at(radius, reach, turn, rtl=rtl)
        return left + x, top + y

    if sectors > 1:
        for index in range(sectors):
            sheet.draw.line([centre, at(radius, index / sectors)], fill=faint, width=2)
    for index, (piece, reach) in enumerate(zip(slices, wheel_reach(slices, radius), strict=True)):
        if reach < 1:
            continue
        box = (centre[0] - reach, centre[1] - reach, centre[0] + reach, centre[1] + reach)
        start, end = angles(index)
        _filled_slice(sheet, box, (start, end), index, piece.colour)
        if sectors == 1:
            sheet.draw.ellipse(box, outline=_INK, width=2)
        else:
            sheet.draw.pieslice(box, start, end, outline=_INK, width=2)
    bold = sans(_LABEL + 2, bold=True)
    side = int(min(56, 0.55 * _chord(_PICTOGRAM_AT * radius, max(sectors, 1))))
    for index, piece in enumerate(slices):
        middle = (index + 0.5) / sectors
        x, y = at(_PICTOGRAM_AT * radius, middle)
        disc = side * 0.68
        sheet.draw.ellipse((x - disc, y - disc, x + disc, y + disc), fill=_PAPER, outline=faint)
        picture = pictogram(piece.emoji, side)
        if picture is not None:
            sheet.image.paste(picture, (int(x - side / 2), int(y - side / 2)), picture)
        else:
            sheet.centred(x, y, _letter(index), bold)
        x, y = at(_COUNT_AT * radius, middle)
        sheet.centred(x, y, str(piece.count), bold, halo=True)
    row_top = top
    for index, (piece, lines, row) in enumerate(zip(slices, labels, rows, strict=True)):
        sheet.swatch(key_start, row_top, swatch, index, piece.colour)
        marker_left = sheet.left(key_start + swatch + 12, marker)
        picture = pictogram(piece.emoji, marker)
        if picture is not None:
            sheet.image.paste(picture, (marker_left, int(row_top)), picture)
        else:
            sheet.centred(marker_left + marker / 2, row_top + marker / 2, _letter(index), bold)
        for number, text in enumerate(lines):
            sheet.text(label_start, row_top + 2 + number * line, text, font)
        share = piece.count / total if total else 0.0
        sheet.text(_MARGIN, row_top + 2, _value(piece.count, share), font, from_end=True)
        row_top += row
    return sheet.chart()


def wheel_png(
    slices: Sequence[Slice],
    *,
    title: str,
    details: Sequence[str] = (),
    width: int = 1200,
    rtl: bool = False,
) -> bytes:
    """A wheel with its key under a heading, as PNG bytes (see draw_wheel)."""
    return draw_wheel(slices, title=title, details=details, width=width, rtl=rtl).png()


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
    font, line = sans(_LABEL), line_height(_LABEL)
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

"""Charts drawn on the server: pies (the "Stadtteilpizza") and bars, as SVG and as PNG."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup
from PIL import Image, ImageDraw, ImageFont

from kiosk.printing.typefaces import sans

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


# --- PNG downloads (Pillow), for reports and slides; readable printed in black and white ----

_INK = (29, 37, 33)
_PAPER = (255, 255, 255)
_PATTERNS = ("solid", "diagonal", "dots", "cross", "horizontal", "vertical")


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


def _fit(text: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    """The text, shortened with "…" to fit the width."""
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _side(width: int, rtl: bool) -> Callable[[float], float]:
    """Where a distance from the start edge lies: from the left, or from the right in RTL."""
    return (lambda x: width - x) if rtl else (lambda x: x)


def pie_png(slices: Sequence[Slice], *, title: str, width: int = 1200, rtl: bool = False) -> bytes:
    """A pie with a key (pattern, label, count and share), as PNG bytes; mirrored in RTL."""
    total = sum(max(s.count, 0) for s in slices)
    shown = [s for s in slices if s.count > 0]
    title_font, font = sans(34, bold=True), sans(24)
    row = 44
    height = max(560, 120 + row * len(shown) + 40)
    image = Image.new("RGB", (width, height), _PAPER)
    draw = ImageDraw.Draw(image)
    at, start, end = _side(width, rtl), ("ra" if rtl else "la"), ("la" if rtl else "ra")
    title = _fit(title, title_font, width - 80)
    draw.text((at(40), 30), title, font=title_font, fill=_INK, anchor=start)
    box = (min(at(40), at(460)), 110, max(at(40), at(460)), 530)
    turn = -90.0
    for index, piece in enumerate(shown):
        sweep = 360.0 * piece.count / total
        mask = Image.new("L", image.size, 0)
        ImageDraw.Draw(mask).pieslice(box, turn, turn + sweep, fill=255)
        fill = _pattern(image.size, _PATTERNS[index % len(_PATTERNS)], _rgb(piece.colour))
        image.paste(fill, (0, 0), mask)
        draw.pieslice(box, turn, turn + sweep, outline=_INK, width=2)
        turn += sweep
    if not shown:
        draw.ellipse(box, outline=_INK, width=2)
    for index, piece in enumerate(shown):
        top = 120 + index * row
        swatch = _pattern((34, 34), _PATTERNS[index % len(_PATTERNS)], _rgb(piece.colour))
        left = int(min(at(500), at(534)))
        image.paste(swatch, (left, top))
        draw.rectangle([left, top, left + 34, top + 34], outline=_INK, width=2)
        label = f"{piece.count} ({round(100 * piece.count / total)} %)"
        draw.text((at(width - 40), top + 4), label, font=font, fill=_INK, anchor=end)
        space = width - 40 - font.getlength(label) - 560
        name = _fit(piece.label, font, int(space))
        draw.text((at(550), top + 4), name, font=font, fill=_INK, anchor=start)
    return _png(image)


@dataclass(frozen=True)
class Bar:
    """One bar: what it is, how many, the share it stands for (0..1), and its colour."""

    label: str
    count: int
    share: float
    colour: str


def bar_png(bars: Sequence[Bar], *, title: str, width: int = 1200, rtl: bool = False) -> bytes:
    """Horizontal bars with labels, counts and shares written out, as PNG; mirrored in RTL."""
    title_font, font = sans(34, bold=True), sans(24)
    row = 56
    height = 120 + row * max(len(bars), 1) + 30
    image = Image.new("RGB", (width, height), _PAPER)
    draw = ImageDraw.Draw(image)
    at, start, end = _side(width, rtl), ("ra" if rtl else "la"), ("la" if rtl else "ra")
    title = _fit(title, title_font, width - 80)
    draw.text((at(40), 30), title, font=title_font, fill=_INK, anchor=start)
    label_width, value_width = 380, 170
    track = width - 80 - label_width - value_width
    for index, bar in enumerate(bars):
        top = 110 + index * row
        label = _fit(bar.label, font, label_width - 20)
        draw.text((at(40), top + 8), label, font=font, fill=_INK, anchor=start)
        length = max(int(track * min(max(bar.share, 0.0), 1.0)), 0)
        left = 40 + (value_width if rtl else label_width)
        draw.rectangle([left, top, left + track, top + 40], outline=(200, 200, 200), width=1)
        if length:
            begin = left + track - length if rtl else left  # a bar grows from the start edge
            fill = _pattern((length, 40), _PATTERNS[index % len(_PATTERNS)], _rgb(bar.colour))
            image.paste(fill, (begin, top))
            draw.rectangle([begin, top, begin + length, top + 40], outline=_INK, width=2)
        value = f"{bar.count} ({round(100 * bar.share)} %)"
        draw.text((at(width - 40), top + 8), value, font=font, fill=_INK, anchor=end)
    return _png(image)


def _bar_value(bar: Bar, value: str) -> str:
    if value == "count":
        return str(bar.count)
    return f"{bar.count} ({round(100 * bar.share)} %)"


def bar_svg(
    bars: Sequence[Bar],
    *,
    title: str,
    width: int = 640,
    value: str = "count-share",
    rtl: bool = False,
) -> Markup:
    """Horizontal bars as inline SVG with their labels and values written out.

    In RTL the labels stand on the right and the bars grow leftwards; the SVG states its own
    direction, so that the page's does not move its text out of sight.

    value: "count-share" writes "12 (40 %)", "count" just the count (the bar's length is
    then relative to the longest).
    """
    row, label_width, value_width = 34, 220, 110
    track = width - label_width - value_width - 10
    height = row * max(len(bars), 1) + 6
    parts: list[Markup] = []
    # Text anchors follow the SVG's direction: "start" is the right edge in RTL.
    label_x, value_x = (width, 0) if rtl else (0, width)
    left = value_width + 10 if rtl else label_width
    for index, bar in enumerate(bars):
        top = 3 + index * row
        length = round(track * min(max(bar.share, 0.0), 1.0), 1)
        parts.append(
            Markup(
                '<text x="{9}" y="{0}" dominant-baseline="middle" font-size="15">{1}</text>'
                '<rect x="{2}" y="{3}" width="{4}" height="24" fill="none" stroke="#d6dbd3"/>'
                '<rect x="{10}" y="{3}" width="{5}" height="24" fill="{6}" stroke="#1d2521"/>'
                '<text x="{7}" y="{0}" dominant-baseline="middle" text-anchor="end" '
                'font-size="15" font-weight="700">{8}</text>'
            ).format(
                top + 12,
                bar.label if len(bar.label) <= 24 else bar.label[:23] + "…",  # fits 220 px
                left,
                top,
                track,
                length,
                safe_colour(bar.colour),
                value_x,
                f"{bar.count} ({round(100 * bar.share)} %)"
                if value == "count-share"
                else bar.count,
                label_x,
                round(left + track - length, 1) if rtl else left,
            )
        )
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="bars" viewBox="0 0 {0} {1}" '
        'width="{0}" height="{1}" direction="{4}" role="img" aria-label="{2}">{3}</svg>'
    ).format(width, height, title, Markup("").join(parts), "rtl" if rtl else "ltr")

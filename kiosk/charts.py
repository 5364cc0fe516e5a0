"""Charts drawn on the server as SVG: the "Stadtteilpizza" pie of a question's answers."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

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

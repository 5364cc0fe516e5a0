"""A picture drawn on the server for download (a chart, a route), with every text on it.

Each line of text is kept with the box its ink takes, so that tests can measure what a
person would see: nothing cut, nothing overlapping, everything inside the margins.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image


@dataclass(frozen=True)
class DrawnText:
    """One line of text as drawn, and the box its ink takes (left, top, right, bottom)."""

    text: str
    box: tuple[int, int, int, int]


@dataclass
class Drawn:
    """A drawn picture and every line of text on it with its box."""

    image: Image.Image
    texts: list[DrawnText]

    def png(self) -> bytes:
        """The picture as PNG bytes."""
        out = io.BytesIO()
        self.image.save(out, format="PNG", optimize=True)
        return out.getvalue()


def line_height(size: int) -> int:
    """The distance between two lines of text of this size in pixels."""
    return round(size * 1.45)

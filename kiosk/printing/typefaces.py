"""The bundled fonts for drawing on the server: Kiosk Sans and the pictograms.

Kiosk Sans is Noto Sans merged with Noto Sans Arabic (Latin, Cyrillic, Greek, Arabic in one
font), so a chart or poster looks the same on every machine and a line mixing Arabic with a
link is shaped and ordered right to left by Pillow's raqm layout. The pictograms staff pick
for answers come from a cut-down Noto Color Emoji. Rebuilt by scripts/build-fonts.sh.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features

FONTS = Path(__file__).resolve().parent / "fonts"
_EMOJI_SIZE = 109  # the one bitmap size Noto Color Emoji comes in


def can_shape_arabic() -> bool:
    """Whether Pillow here can lay out right-to-left text (needs libfribidi, e.g. libfribidi0)."""
    return bool(features.check("raqm"))


@lru_cache(maxsize=128)
def sans(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    """Kiosk Sans at a size in pixels, with the raqm layout where this Pillow has it."""
    layout = ImageFont.Layout.RAQM if can_shape_arabic() else ImageFont.Layout.BASIC
    name = "KioskSans-Bold.ttf" if bold else "KioskSans-Regular.ttf"
    return ImageFont.truetype(FONTS / name, size, layout_engine=layout)


@lru_cache(maxsize=1)
def _emoji_font() -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONTS / "KioskEmoji.ttf", _EMOJI_SIZE)


@lru_cache(maxsize=256)
def pictogram(emoji: str, side: int) -> Image.Image | None:
    """The emoji in colour on a transparent square of side pixels, or None if not bundled."""
    if not emoji or side < 1:
        return None
    font = _emoji_font()
    canvas = Image.new("RGBA", (_EMOJI_SIZE * 3, _EMOJI_SIZE * 2), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).text((0, 0), emoji, font=font, embedded_color=True)
    box = canvas.getbbox()
    if box is None:  # the font lacks it: nothing drawn
        return None
    drawn = canvas.crop(box)
    drawn.thumbnail((side, side), Image.Resampling.LANCZOS)
    square = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    square.paste(drawn, ((side - drawn.width) // 2, (side - drawn.height) // 2))
    return square


def _longest_fit(word: str, font: ImageFont.FreeTypeFont, width: float) -> int:
    """How many of the word's first characters fit the width (at least one)."""
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if font.getlength(word[:middle]) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """The text in lines no wider than width, with nothing left out.

    Lines break at spaces, and inside a word only where the word alone is wider than a line.
    """
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while font.getlength(word) > width:
            cut = _longest_fit(word, font, width)
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line or not lines:
        lines.append(line)
    return lines

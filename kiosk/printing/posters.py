"""Printable posters of a place: headline question, place, answers, QR code and link.

Rendering is a pure function of its inputs returning bytes: a raster page at 300 dpi (A4 or
A3, portrait) saved as PDF (the image embedded as a high-quality JPEG) or PNG. Fonts are
the bundled Kiosk Sans and pictograms (kiosk.printing.typefaces), so a poster looks the same on any
machine and Arabic runs right to left. Text never overflows: it wraps, then shrinks, and as a
last resort ends with "…". An organiser's logo sits in the middle of the code, which then
uses the highest error correction.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import io
import re
from dataclasses import dataclass

import qrcode
from PIL import Image, ImageDraw
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_M
from qrcode.util import pattern_position

from kiosk.core.errors import N_, KioskError
from kiosk.printing.typefaces import pictogram, sans, wrap

POSTER_LABEL = re.compile(r"[a-z0-9]{1,8}")
_MAC_CHARS = 6  # 30 bits: enough against a pasted-over sticker, short enough to scan at 3 cm


class PosterLabelError(KioskError):
    """A poster label staff typed is not one we can put into a link."""

    status = 422
    message = N_("A poster label has 1 to 8 small letters or digits, e.g. “bus3”.")


class ForgedPosterError(KioskError):
    """A poster link whose signature does not match: not a poster we printed."""

    status = 400
    message = N_(
        "This code is not on one of our posters: perhaps someone pasted another sticker over"
        " it. You can still take part at the address printed in full on the poster."
    )


def poster_key(secret: str) -> bytes:
    """The key poster links are signed with, derived from the app's secret key."""
    return hashlib.sha256(b"kiosk-poster-links:" + secret.encode()).digest()


def _mac(key: bytes, code: str, label: str) -> str:
    digest = hmac.new(key, f"{code}:{label}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:_MAC_CHARS].lower()


def poster_token(key: bytes, code: str, label: str) -> str:
    """The signed poster part of a place's link ("bus3.k2x7qa"), for ?p= in the QR code."""
    if not POSTER_LABEL.fullmatch(label):
        raise PosterLabelError()
    return f"{label}.{_mac(key, code, label)}"


def poster_label(key: bytes, code: str, token: str) -> str:
    """The poster label in a link's token, or ForgedPosterError when we did not sign it."""
    label, _, mac = token.partition(".")
    if not POSTER_LABEL.fullmatch(label) or not hmac.compare_digest(
        mac.lower().encode(), _mac(key, code, label).encode()
    ):
        raise ForgedPosterError()
    return label


DPI = 300
MM = DPI / 25.4  # pixels per millimetre


class PaperSize(enum.StrEnum):
    """Portrait paper sizes a poster comes in."""

    A4 = "a4"
    A3 = "a3"

    @property
    def pixels(self) -> tuple[int, int]:
        """Width and height at 300 dpi."""
        width_mm, height_mm = (210, 297) if self == PaperSize.A4 else (297, 420)
        return round(width_mm * MM), round(height_mm * MM)


@dataclass(frozen=True)
class PosterAnswer:
    """An answer shown on the poster: its text, colour and pictogram (an emoji, or none)."""

    text: str
    colour: str
    emoji: str = ""


@dataclass(frozen=True)
class PosterContent:
    """Everything a poster shows; all text as it should be printed."""

    headline: str  # the first question, in large type
    place: str
    link: str  # the full link the QR code holds, typed out beneath it
    call: str  # e.g. "Mitmachen: Code scannen oder Link eintippen"
    answers: tuple[PosterAnswer, ...] = ()
    other_languages: tuple[str, ...] = ()  # "Take part: scan the code", in further languages
    footer: str = ""  # who runs the survey, and a note on data protection
    logo: bytes | None = None  # the organiser's logo as a checked PNG (kiosk.printing.logos)
    rtl: bool = False  # Arabic: answers run from the right, pictogram to the right of its text
    station: str = ""  # on a route: "Station 2 of 5 · <the route's name>", under the place


@dataclass(frozen=True)
class TextBlock:
    """Text laid out in a box: its lines, font size and where it ended up."""

    lines: tuple[str, ...]
    size: int
    top: int
    bottom: int


def fit_text(
    text: str, width: int, *, max_lines: int, largest: int, smallest: int, bold: bool = False
) -> tuple[tuple[str, ...], int]:
    """The lines and font size that fit the width in at most max_lines, largest first.

    At the smallest size, text that still does not fit is cut and ends with "…".
    """
    text = " ".join(text.split())
    size = largest
    while True:
        font = sans(size, bold=bold)
        lines = wrap(text, font, width) if text else []
        if len(lines) <= max_lines or size <= smallest:
            break
        size = max(smallest, int(size * 0.9))
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and font.getlength(last + "…") > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return tuple(lines), size


def _draw_block(
    draw: ImageDraw.ImageDraw,
    text: str,
    top: int,
    *,
    left: int,
    width: int,
    max_lines: int,
    largest: int,
    smallest: int,
    bold: bool = False,
    fill: str = "#1b2420",
    height: int | None = None,
) -> TextBlock:
    """Fitted lines, each centred across the width; centred in height too when it is given."""
    lines, size = fit_text(
        text, width, max_lines=max_lines, largest=largest, smallest=smallest, bold=bold
    )
    font = sans(size, bold=bold)
    step = round(size * 1.22)
    if height is not None:
        top += (height - len(lines) * step) // 2
    y = top
    for line in lines:
        x = left + (width - font.getlength(line)) / 2
        draw.text((x, y), line, font=font, fill=fill)
        y += step
    return TextBlock(lines, size, top, y)


LOGO_SHARE = 0.24  # of the code's width: 6 % of its modules, far below what level H restores
_QUIET = 4  # modules of white around a code


def qr_image(link: str, side: int, logo: Image.Image | None = None) -> Image.Image:
    """The QR code of the link, black on white, as close to side pixels as whole modules allow.

    Medium error correction (15 %) and the standard quiet zone of four modules; with a logo
    in the middle (on a white square) high error correction (30 %). From version 7 on (a
    link of about 60 characters at level H) an alignment pattern sits in the very middle:
    it is drawn again over the logo, as readers find the code's grid by it.
    """
    level = ERROR_CORRECT_M if logo is None else ERROR_CORRECT_H
    code = qrcode.QRCode(error_correction=level, border=_QUIET, box_size=1)
    code.add_data(link)
    code.make(fit=True)
    modules = code.modules_count + 2 * _QUIET
    box = max(1, side // modules)
    matrix = code.get_matrix()  # includes the border
    image = Image.new("1", (len(matrix), len(matrix)), 1)
    image.putdata([0 if cell else 1 for row in matrix for cell in row])
    image = image.resize((len(matrix) * box, len(matrix) * box), Image.Resampling.NEAREST)
    if logo is None:
        return image
    image = image.convert("RGB")
    limit = round(code.modules_count * box * LOGO_SHARE)
    mark = logo.convert("RGBA")
    mark.thumbnail((limit - 2 * box, limit - 2 * box), Image.Resampling.LANCZOS)
    left, top = (image.width - mark.width) // 2, (image.height - mark.height) // 2
    ImageDraw.Draw(image).rectangle(
        (left - box, top - box, left + mark.width + box - 1, top + mark.height + box - 1),
        fill="white",
    )
    image.paste(mark, (left, top), mark)
    draw = ImageDraw.Draw(image)
    centres = pattern_position(code.version)
    for row in centres:
        for column in centres:
            for y in range(row - 2 + _QUIET, row + 3 + _QUIET):
                for x in range(column - 2 + _QUIET, column + 3 + _QUIET):
                    draw.rectangle((x * box, y * box, (x + 1) * box - 1, (y + 1) * box - 1),
                                   fill="black" if matrix[y][x] else "white")  # fmt: skip
    return image


def poster_image(content: PosterContent, size: PaperSize = PaperSize.A4) -> Image.Image:
    """The poster as an RGB image at 300 dpi."""
    width, height = size.pixels
    scale = width / PaperSize.A4.pixels[0]  # A3 is A4 scaled by √2
    margin = round(12 * MM * scale)
    inner = width - 2 * margin
    page = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(page)

    def px(value: float) -> int:
        return round(value * scale)

    # A band with the call to take part.
    band = px(260)
    draw.rectangle((0, 0, width, band), fill="#2e6b3f")
    _draw_block(draw, content.call, 0, left=margin, width=inner, max_lines=2, largest=px(84),
                smallest=px(40), bold=True, fill="white", height=band)  # fmt: skip
    y = band + px(90)
    headline = _draw_block(draw, content.headline, y, left=margin, width=inner, max_lines=4,
                           largest=px(150), smallest=px(64), bold=True)  # fmt: skip
    y = headline.bottom + px(30)
    place = _draw_block(draw, content.place, y, left=margin, width=inner,
                        max_lines=2, largest=px(96), smallest=px(48), fill="#2e6b3f",
                        bold=True)  # fmt: skip
    y = place.bottom + px(50)
    if content.station:
        station = _draw_block(draw, content.station, y - px(20), left=margin, width=inner,
                              max_lines=2, largest=px(72), smallest=px(40),
                              fill="#3d4a44", bold=True)  # fmt: skip
        y = station.bottom + px(50)

    # The answers as chips with their pictograms, up to three rows.
    if content.answers:
        y = _draw_answers(
            page, content.answers, y, left=margin, width=inner, scale=scale, rtl=content.rtl
        )
        y += px(40)

    # The QR code, as large as the rest of the page allows.
    footer_space = px(420) + px(70) * len(content.other_languages)
    side = min(px(1300), height - y - footer_space - px(160))
    logo = Image.open(io.BytesIO(content.logo)) if content.logo else None
    code = qr_image(content.link, max(side, px(600)), logo)
    page.paste(code.convert("RGB"), ((width - code.width) // 2, y))
    y += code.height + px(20)
    link = _draw_block(draw, content.link, y, left=margin, width=inner, max_lines=1,
                       largest=px(72), smallest=px(28), bold=True)  # fmt: skip
    y = link.bottom + px(20)
    for line in content.other_languages:
        block = _draw_block(draw, line, y, left=margin, width=inner, max_lines=1,
                            largest=px(52), smallest=px(28), fill="#3d4a44")  # fmt: skip
        y = block.bottom
    if content.footer:
        draw.line((margin, height - px(300), width - margin, height - px(300)),
                  fill="#9aa59f", width=px(4))  # fmt: skip
        _draw_block(draw, content.footer, height - px(270), left=margin, width=inner,
                    max_lines=4, largest=px(40), smallest=px(26), fill="#3d4a44")  # fmt: skip
    return page


def _draw_answers(
    page: Image.Image,
    answers: tuple[PosterAnswer, ...],
    top: int,
    *,
    left: int,
    width: int,
    scale: float,
    rtl: bool = False,
) -> int:
    """Answers as chips with their pictogram (else a colour dot) over at most three rows.

    In RTL the first answer stands on the right, each pictogram to the right of its text.

    Returns the bottom of the last row.
    """
    draw = ImageDraw.Draw(page)
    size = round(50 * scale)
    font = sans(size)
    gap, pad, icon = round(24 * scale), round(22 * scale), round(64 * scale)
    chip_height = icon + round(28 * scale)
    rows: list[list[tuple[PosterAnswer, str, int]]] = [[]]
    used = 0
    for answer in answers:
        fitted, _ = fit_text(answer.text, width // 2, max_lines=1, largest=size, smallest=size)
        chip = round(font.getlength(fitted[0])) + 3 * pad + icon
        if rows[-1] and used + gap + chip > width:
            if len(rows) == 3:
                break
            rows.append([])
            used = 0
        rows[-1].append((answer, fitted[0], chip))
        used += (gap if used else 0) + chip
    y = top
    for row in rows:
        total = sum(chip for _, _, chip in row) + gap * (len(row) - 1)
        x = left + (width - total) // 2
        for answer, label, chip in reversed(row) if rtl else row:
            draw.rounded_rectangle((x, y, x + chip, y + chip_height), radius=chip_height // 2,
                                   outline=answer.colour, width=round(5 * scale))  # fmt: skip
            icon_top = y + (chip_height - icon) // 2
            icon_left = x + chip - pad - icon if rtl else x + pad
            picture = pictogram(answer.emoji, icon)
            if picture is None:
                dot = icon // 5
                draw.ellipse((icon_left + dot, icon_top + dot, icon_left + icon - dot,
                              icon_top + icon - dot), fill=answer.colour)  # fmt: skip
            else:
                page.paste(picture, (icon_left, icon_top), picture)
            text_x = x + chip - 2 * pad - icon if rtl else x + 2 * pad + icon
            draw.text((text_x, y + chip_height // 2), label, font=font,
                      fill="#1b2420", anchor="rm" if rtl else "lm")  # fmt: skip
            x += chip + gap
        y += chip_height + gap
    return y


def render_poster(
    content: PosterContent, size: PaperSize = PaperSize.A4, *, fmt: str = "pdf"
) -> bytes:
    """The poster's bytes: a one-page PDF at 300 dpi, or a PNG of the same page."""
    image = poster_image(content, size)
    if fmt != "png":
        return pdf_pages([image], title=content.place)
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(DPI, DPI))
    return out.getvalue()


@dataclass(frozen=True)
class Sticker:
    """One small code on a sticker sheet, with the place's name and its link beneath."""

    place: str
    link: str
    station: str = ""  # on a route: "Station 2 of 5 · <the route's name>"


STICKER_COLUMNS, STICKER_ROWS = 3, 5  # 15 stickers of 70 × 59 mm on an A4 sheet


def sticker_sheet_image(stickers: tuple[Sticker, ...]) -> Image.Image:
    """Up to 15 stickers on an A4 page (more are left out: call it once per sheet)."""
    width, height = PaperSize.A4.pixels
    page = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(page)
    cell_w, cell_h = width // STICKER_COLUMNS, height // STICKER_ROWS
    pad = round(4 * MM)
    for index, sticker in enumerate(stickers[: STICKER_COLUMNS * STICKER_ROWS]):
        column, row = index % STICKER_COLUMNS, index // STICKER_COLUMNS
        left, top = column * cell_w, row * cell_h
        # Cutting marks at the corners, light grey.
        draw.rectangle((left, top, left + cell_w - 1, top + cell_h - 1), outline="#d5dad7", width=2)
        code = qr_image(sticker.link, round(36 * MM))  # a 3.6 cm code
        page.paste(code.convert("RGB"), (left + (cell_w - code.width) // 2, top + pad))
        y = top + pad + code.height
        name = _draw_block(draw, sticker.place, y, left=left + pad, width=cell_w - 2 * pad,
                           max_lines=2, largest=46, smallest=26, bold=True)  # fmt: skip
        if sticker.station:
            name = _draw_block(draw, sticker.station, name.bottom, left=left + pad,
                               width=cell_w - 2 * pad, max_lines=1, largest=30, smallest=18,
                               fill="#2e6b3f", bold=True)  # fmt: skip
        _draw_block(draw, sticker.link, name.bottom, left=left + pad, width=cell_w - 2 * pad,
                    max_lines=2, largest=30, smallest=20, fill="#3d4a44")  # fmt: skip
    return page


def pdf_pages(pages: list[Image.Image], *, title: str = "") -> bytes:
    """Page images as one PDF at 300 dpi.

    Each page is a JPEG at high quality without chroma subsampling: the codes' edges stay sharp.
    """
    out = io.BytesIO()
    first, *rest = pages
    first.save(out, "PDF", resolution=DPI, quality=95, subsampling=0, save_all=True,
               append_images=rest, title=title)  # fmt: skip
    return out.getvalue()

"""QR codes as PNG, for posters and enrolment links."""

from __future__ import annotations

import base64
import io

import qrcode
from qrcode.image.pil import PilImage


def qr_png(text: str) -> bytes:
    """A QR code of the text, as PNG bytes (lossless, so it scans from print too)."""
    image = qrcode.make(text, image_factory=PilImage, box_size=10, border=4)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def qr_data_uri(text: str) -> str:
    """The same as a data: URI, to show once on a page without storing anything."""
    return "data:image/png;base64," + base64.b64encode(qr_png(text)).decode()

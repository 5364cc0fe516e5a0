"""QR codes as PNG, for posters and enrolment links."""

from __future__ import annotations

import base64
import io
from functools import lru_cache

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


@lru_cache(maxsize=256)
def public_qr_data_uri(link: str) -> str:
    """qr_data_uri of a public link (a place's phone page), made once per worker.

    A wall shows the same code on every refresh, and making it costs some 7 ms. Only public
    links: an enrolment link is a secret and is not kept.
    """
    return qr_data_uri(link)

"""Time one poster's rendering (A4 and A3, PDF at 300 dpi; with pictograms, an Arabic line and
with and without a logo) against a bare QR code PNG rendered in the same run. Target: an A4
poster in under a second on this machine.

Usage: .venv/bin/python bench/posters.py [--runs 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.printing.logos import normalise_logo  # noqa: E402
from kiosk.printing.posters import PaperSize, PosterAnswer, PosterContent, render_poster  # noqa: E402
from kiosk.printing.qr import qr_png  # noqa: E402

LINK = "https://beteiligung.jena.de/q/ehp"
CONTENT = PosterContent(
    headline="Was ist Ihnen in Jena Nord am wichtigsten?",
    place="Emil-Höllein-Platz",
    link=LINK,
    call="Mitmachen: Code scannen oder Link eintippen",
    answers=tuple(
        PosterAnswer(text, colour, emoji)
        for text, colour, emoji in [
            ("Grün und Schatten", "#2e7d32", "🌳"),
            ("Spielen und Sport", "#1565c0", "⚽"),
            ("Treffpunkte", "#6d4c41", "🪑"),
            ("Sauberkeit", "#00897b", "🧹"),
            ("Sicherheit", "#c62828", "🛡️"),
            ("Wasser", "#0277bd", "💧"),
        ]
    ),
    other_languages=(
        "Take part: scan the code with your phone camera",
        "Katılın: kodu telefon kameranızla okutun",
        "Долучайтеся: відскануйте код камерою телефону",
        "شارك: امسح الرمز بكاميرا هاتفك",
    ),
    footer="Eine Befragung von: Stadtteilbüro Jena Nord. Anonym: ohne Namen, ohne Anmeldung.",
)


def _logo() -> bytes:
    """A 1200 × 900 logo as staff might upload it, checked and shrunk as on upload."""
    from io import BytesIO

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 900), "white")
    ImageDraw.Draw(image).ellipse((0, 0, 900, 900), fill="#c0392b")
    out = BytesIO()
    image.save(out, "JPEG")
    return normalise_logo(out.getvalue())


def median_ms(work: Callable[[], object], runs: int) -> float:
    """The median wall time of the work, in milliseconds."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> None:
    """Print the figures and the ratios to the baseline."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    render_poster(CONTENT)  # fonts loaded once, as in a running worker
    baseline = median_ms(lambda: qr_png(LINK), args.runs)
    print(f"baseline: a bare QR code PNG {baseline:.1f} ms (median of {args.runs})")
    for size in PaperSize:
        ms = median_ms(lambda size=size: render_poster(CONTENT, size), args.runs)
        verdict = "met" if size != PaperSize.A4 or ms < 1000 else "MISSED"
        print(
            f"{size.value} poster PDF: {ms:.0f} ms = {ms / baseline:.0f}x the baseline"
            + (f"; target < 1000 ms: {verdict}" if size == PaperSize.A4 else "")
        )
    with_logo = PosterContent(**{**CONTENT.__dict__, "logo": _logo()})
    ms = median_ms(lambda: render_poster(with_logo), args.runs)
    print(f"a4 poster PDF with a logo: {ms:.0f} ms = {ms / baseline:.0f}x the baseline")


if __name__ == "__main__":
    main()

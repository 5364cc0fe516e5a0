"""What a phone downloads on its first visit to a QR page, measured in real Chromium.

Loads /q/<place> in a fresh browser (empty cache) for German and Arabic, records every
response (HTML, CSS, JS, fonts, images, icon) and prints each one's size as sent by the
deployment in deploy/nginx-kiosk.conf: static files gzipped (nginx's default level 1), the
HTML page as it is (nginx does not compress the app's pages: they carry the CSRF token, and
compression would open them to BREACH). The budget is 60 KB; the ratio is printed beside it.

Usage: .venv/bin/python bench/page_weight.py
"""

from __future__ import annotations

import logging
import sys
import tempfile
import threading
import zlib
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.cli import upgrade_database  # noqa: E402
from kiosk.models import COMMAND_LINE  # noqa: E402
from kiosk.models.engine import make_engine  # noqa: E402
from kiosk.setup.demo import load_demo  # noqa: E402
from kiosk.web import create_app  # noqa: E402

BUDGET = 60 * 1024
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def gzip_size(body: bytes, level: int = 1) -> int:
    """Bytes on the wire for a gzipped body (deflate stream plus gzip's 18 bytes of frame)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return len(compressor.compress(body) + compressor.flush()) + 18


def main() -> int:
    """Serve the demo, load its QR page once per language, print the weights; 1 if over."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'kiosk.sqlite3'}"
        upgrade_database(url)
        engine = make_engine(url)
        with Session(engine) as session:
            load_demo(session, sample_visits=0, actor=COMMAND_LINE)
            session.commit()
        engine.dispose()
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
        http = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=http.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{http.server_port}"
        worst = 0
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
            )
            for locale, path in (("de-DE", "/q/ehp"), ("ar-SY", "/q/ehp")):
                context = browser.new_context(locale=locale, viewport={"width": 390, "height": 844})
                page = context.new_page()
                responses = []
                page.on("response", lambda response, seen=responses: seen.append(response))
                page.goto(base + path, wait_until="networkidle")
                rows = []
                for response in responses:
                    body = response.body()
                    kind = response.request.resource_type
                    sent = len(body) if kind == "document" else gzip_size(body)
                    rows.append((urlsplit(response.url).path, kind, len(body), sent))
                context.close()
                total = sum(sent for *_, sent in rows)
                worst = max(worst, total)
                print(f"\nQR page {path}, phone in {locale}, first visit (empty cache):")
                for name, kind, raw, sent in rows:
                    print(f"  {name:<40} {kind:<11} {raw:>8,} B raw {sent:>8,} B sent")
                print(
                    f"  total sent {total / 1024:.1f} KB of the {BUDGET // 1024} KB budget "
                    f"({total / BUDGET:.2f} of it)"
                )
            browser.close()
        http.shutdown()
    return 0 if worst <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())

"""Tidy the gettext catalogues after `make messages`, and say what each one lacks.

- English, the language of the message ids, gets each id as its text.
- `--fill LOCALE=FILE.json` adds texts ({"message id": "text" or [plural forms]}) to a catalogue.
- `--only LOCALE` touches that catalogue alone (e.g. `tr`, `de@easy`).
- Every catalogue is written sorted, 100 columns wide, without obsolete entries.
- Prints, per catalogue, how many messages have no text yet (they show in German).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGUES = Path(__file__).resolve().parent.parent / "kiosk" / "translations"


def main() -> int:
    """Tidy every catalogue; exit 1 when a fill names a message id that does not exist."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fill", action="append", default=[], metavar="LOCALE=FILE")
    parser.add_argument("--only", metavar="LOCALE")
    args = parser.parse_args()
    fills = {}
    for item in args.fill:
        locale, _, path = item.partition("=")
        fills[locale] = json.loads(Path(path).read_text(encoding="utf-8"))
    status = 0
    for po in sorted(CATALOGUES.glob("*/LC_MESSAGES/messages.po")):
        locale = po.parent.parent.name
        if args.only and locale != args.only:
            continue
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        catalog.obsolete.clear()
        fill = fills.pop(locale, {})
        for message_id, text in fill.items():
            message = catalog.get(message_id)
            if message is None:
                print(f"{locale}: no message id {message_id!r}", file=sys.stderr)
                status = 1
                continue
            message.string = tuple(text) if isinstance(text, list) else text
        missing = 0
        for message in catalog:
            if not message.id:
                continue
            if locale == "en":
                message.string = message.id
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(strings):
                missing += 1
        with po.open("wb") as handle:
            write_po(handle, catalog, width=100, sort_output=True, include_previous=False)
        print(f"{locale}: {len(catalog)} messages, {missing} without a text")
    for locale in fills:  # a fill for a catalogue that is not there, or not --only
        print(f"no catalogue {locale}", file=sys.stderr)
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())

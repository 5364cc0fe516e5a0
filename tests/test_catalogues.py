"""The interface catalogues: complete in every language, placeholders kept, plurals whole."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from kiosk.core.languages import KNOWN

CATALOGUES = Path(__file__).resolve().parent.parent / "kiosk" / "translations"
# %(name)s for gettext's formatting; {name} for templates' areas and the browser's counters.
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")


def _catalog(locale: str):
    with (CATALOGUES / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


@pytest.mark.parametrize("locale", sorted(language.locale for language in KNOWN.values()))
def test_every_message_has_its_text_with_the_same_placeholders(locale: str) -> None:
    """An untranslated message shows in German; a lost placeholder breaks a page."""
    problems = []
    catalog = _catalog(locale)
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = {p for text in ids for p in PLACEHOLDER.findall(text)}
        if not all(strings):
            # A plural with an empty form would be compiled and show an empty text.
            problems.append(f"no text: {ids[0]!r}")
            continue
        for text in strings:
            found = set(PLACEHOLDER.findall(text))
            # A plural form may leave the number out ("once"), never add a placeholder.
            if found - wanted or (len(ids) == 1 and found != wanted):
                problems.append(f"placeholders {sorted(found)} for {ids[0]!r}")
        if len(ids) > 1 and len(strings) != catalog.num_plurals:
            problems.append(f"{len(strings)} plural forms for {ids[0]!r}")
    assert not problems, "\n".join(problems[:40])

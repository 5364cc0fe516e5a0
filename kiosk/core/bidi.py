"""Right-to-left controls in stored text: none is left open to turn what follows.

A name like "\u202egnp.exe" (RIGHT-TO-LEFT OVERRIDE) reads "exe.png", and left open it also
turns round everything after it on the same line: a place name would make "· Handy (QR)"
beside it read "(RQ) ydnaH". Every text saved through the ORM goes through balance_bidi
(kiosk.models.base, before each flush): an embedding, override or isolate that a text opens
and never closes is taken out. Closed ones stay; the text never grows (so it still fits its
column), and a balanced text stays as it is. Wishes from the public are shown isolated
(dir="auto") besides.
"""

from __future__ import annotations

import re

_OPENS_EMBEDDING = "\u202a\u202b\u202d\u202e"  # LRE, RLE, LRO, RLO: closed by PDF
_OPENS_ISOLATE = "\u2066\u2067\u2068"  # LRI, RLI, FSI: closed by PDI
PDF, PDI = "\u202c", "\u2069"
_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def balance_bidi(text: str) -> str:
    """The text without the embeddings, overrides and isolates it opens and never closes."""
    if not _CONTROLS.search(text):
        return text
    open_: list[tuple[int, str]] = []  # (position, the closer it needs), innermost last
    for position, char in enumerate(text):
        if char in _OPENS_EMBEDDING:
            open_.append((position, PDF))
        elif char in _OPENS_ISOLATE:
            open_.append((position, PDI))
        elif char == PDF and open_ and open_[-1][1] == PDF:
            open_.pop()
        elif char == PDI and any(closer == PDI for _, closer in open_):
            # A PDI closes its isolate and every embedding opened within it.
            while open_.pop()[1] != PDI:
                pass
    unclosed = {position for position, _ in open_}
    return "".join(char for position, char in enumerate(text) if position not in unclosed)

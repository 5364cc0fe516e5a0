"""Right-to-left controls in stored text: whatever a text opens, it closes itself.

A name like "\u202egnp.exe" (RIGHT-TO-LEFT OVERRIDE) reads "exe.png", and without a closing
character it also turns round everything after it on the same line: a place name would make
"· Handy (QR)" beside it read "(RQ) ydnaH". Every text saved through the ORM is balanced here
(kiosk.models.base calls it before each flush): the embeddings, overrides and isolates it
opens are closed at its end. A balanced text stays as it is, so saving again changes nothing.
Wishes from the public are shown isolated (dir="auto") besides.
"""

from __future__ import annotations

import re

_OPENS_EMBEDDING = "\u202a\u202b\u202d\u202e"  # LRE, RLE, LRO, RLO: closed by PDF
_OPENS_ISOLATE = "\u2066\u2067\u2068"  # LRI, RLI, FSI: closed by PDI
PDF, PDI = "\u202c", "\u2069"
_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def balance_bidi(text: str) -> str:
    """The text with what it leaves open of embeddings, overrides and isolates closed."""
    if not _CONTROLS.search(text):
        return text
    open_: list[str] = []  # the closing character each open one needs, innermost last
    for char in text:
        if char in _OPENS_EMBEDDING:
            open_.append(PDF)
        elif char in _OPENS_ISOLATE:
            open_.append(PDI)
        elif char == PDF and open_ and open_[-1] == PDF:
            open_.pop()
        elif char == PDI and PDI in open_:
            # A PDI closes its isolate and every embedding opened within it.
            while open_.pop() != PDI:
                pass
    return text + "".join(reversed(open_))

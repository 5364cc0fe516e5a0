"""Hostile strings for the stored-XSS sweep: markup, script links, templates, bidi, formulas."""

from __future__ import annotations

HOSTILE: tuple[str, ...] = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "'><svg onload=alert(3)>",
    "javascript:alert(4)",
    '<a href="javascript:alert(5)">klick</a>',
    "</textarea><script>alert(6)</script>",
    '" autofocus onfocus="alert(7)',
    "{{7*7}} {{ config }} {% raw %}",
    "\u202egnp.exe",  # RTL override: shows as "exe.png"
    "شارع Zeitzer Straße ١٢ حديقة",  # Arabic and Latin mixed
    '=HYPERLINK("http://evil.example","x")',
    "+1+1",
    "-2+3",
    "@SUM(1)",
    "<iframe srcdoc='<script>alert(8)</script>'></iframe><style>*{display:none}</style>",
)
"""Each fits every text field (the shortest limit is 120 characters, an option's label)."""

FORMULAS: tuple[str, ...] = tuple(s for s in HOSTILE if s.startswith(("=", "+", "-", "@")))
"""The strings a spreadsheet would read as a formula."""

FULL_WIDTH_FORMULAS: tuple[str, ...] = ("\uff1dSUMME(1;2)", "\uff0b1", "\uff0d1", "\uff20SUM(1)")
"""Formulas behind the full-width forms of = + - @ (U+FF1D, U+FF0B, U+FF0D, U+FF20), which
some spreadsheet programs fold into the ASCII ones."""

CONTROL_FORMULAS: tuple[str, ...] = ("\t=2+5", "\r=3+4")
"""Formulas behind a tab or a carriage return: a wish loses them (its ends are stripped), and
names fold whitespace, so these arrive as plain formulas, which must be defused too."""

LONG = "</textarea><script>alert(9)</script>" + "Sehr langer Wunsch " * 400
"""About 7,600 characters: longer than every field, shorter than a public form's 64 KB."""

INVALID_UTF8 = b"\xff\xfe<b>\xc3(\xed\xa0\x80 kaputt"
"""Bytes that are no UTF-8: a stray BOM, a broken two-byte sequence, an encoded surrogate."""

SECRET_KEY = "browser-test"
"""The browser tests' server's secret key: `{{ config }}` evaluated would print it."""

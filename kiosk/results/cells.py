"""The one rule that keeps a text cell from being read as a formula, in Python and in SQL.

A spreadsheet reads a cell that starts with =, +, -, @ (or their full-width forms), a tab or
a carriage return as a formula (CSV injection). Every CSV path puts an apostrophe before
such a text: the tally and the JSON-shaped rows in Python (defused), the raw export in the
database's own SQL (defused_sql), both built from FORMULA_START so that they cannot drift
apart.
"""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""The first characters that make a spreadsheet read a cell as a formula: = + - @, a tab, a
carriage return, and the full-width = + - @ (U+FF1D, U+FF0B, U+FF0D, U+FF20), which some
spreadsheet programs fold into the ASCII ones."""


def defused(value: Any) -> Any:
    """A text that starts like a formula, with an apostrophe before it; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def defused_sql(expression: str) -> str:
    """The same rule as defused, as SQL for SQLite and PostgreSQL (substr and || exist in both).

    expression is SQL of a text column (never user input); NULL stays NULL.
    """
    starts = ", ".join("'" + start.replace("'", "''") + "'" for start in FORMULA_START)
    return (
        f"CASE WHEN substr({expression}, 1, 1) IN ({starts}) "
        f"THEN '''' || {expression} ELSE {expression} END"
    )


def quoted(value: str, separator: str) -> str:
    """A CSV field, in double quotes where a separator, a quote or a line break needs them.

    The rule of PostgreSQL's COPY … (FORMAT csv) and of Python's csv module.
    """
    if separator in value or '"' in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value

"""A logging filter that blanks IP addresses, for gunicorn's error log (deploy/gunicorn.conf.py).

gunicorn writes a client's address into some error lines ("Invalid request from ip=…"); the
service keeps no personal data, its logs included, so every IPv4 or IPv6 address in a
message becomes "[address]" before it is written.
"""

from __future__ import annotations

import logging
import re

_IPV4 = r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])"
_HEX = "[0-9a-fA-F]{1,4}"
_IPV6 = (  # eight groups, or fewer around a "::" (a time like 12:30:45 is neither)
    rf"(?<![\w:])(?:(?:{_HEX}:){{7}}{_HEX}"
    rf"|(?:{_HEX}:){{0,6}}(?:{_HEX})?::(?:{_HEX}:){{0,6}}(?:{_HEX})?)(?![\w:])"
)
ADDRESS = re.compile(f"{_IPV4}|{_IPV6}")


def scrub(text: str) -> str:
    """The text with every IP address replaced by "[address]"."""
    return ADDRESS.sub("[address]", text)


class NoAddresses(logging.Filter):
    """Rewrite each record's message without IP addresses (and keep the record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the message by its scrubbed text; always let the record through."""
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True

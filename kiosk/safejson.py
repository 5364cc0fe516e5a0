"""JSON from devices and files, read strictly: no NaN or Infinity, no endless nesting."""

from __future__ import annotations

import json
from typing import Any


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def load_json(raw: bytes) -> Any:
    """Parse JSON; anything odd (bad encoding, NaN, nesting too deep) is a ValueError."""
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None

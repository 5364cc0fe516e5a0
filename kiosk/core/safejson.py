"""JSON from devices and files, read strictly: no NaN or Infinity, no endless nesting."""

from __future__ import annotations

import json
import math
from typing import Any


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite(text: str) -> float:
    # "1e999" is valid JSON but reads as infinity, which PostgreSQL's json type refuses.
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text[:20]} is too large a number")
    return number


def load_json(raw: bytes) -> Any:
    """Parse JSON; anything odd (bad encoding, NaN, 1e999, nesting too deep) is a ValueError."""
    try:
        return json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite)
    except RecursionError:
        raise ValueError("nested too deeply") from None

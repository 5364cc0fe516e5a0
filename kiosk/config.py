"""Configuration defaults and how the environment (KIOSK_*) overrides them."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"


class Defaults:
    """Settings a first run on one machine needs; every one can be set as KIOSK_<NAME>."""

    DATABASE_URL = f"sqlite:///{INSTANCE_DIR / 'kiosk.sqlite3'}"
    ROLE = "central"  # or "node": a kiosk node beside a touch screen
    SECRET_KEY: str | None = None
    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"  # times are stored in UTC, shown in local time
    LANGUAGES = ("de", "en")
    WISH_MAX_CHARS = 280
    MAX_CONTENT_LENGTH = 64 * 1024  # public forms are tiny; bigger bodies get a 413
    KIOSK_THANKS_SECONDS = 8  # the thank-you screen returns to the start after this
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    WTF_CSRF_TIME_LIMIT = None  # a kiosk page stays open all day; the token lives with the session
    SQL_ECHO = False
    TRUSTED_PROXIES = 0  # 1 behind one reverse proxy (nginx) that sets X-Forwarded-Proto/Host
    PUBLIC_URL = ""  # e.g. https://beteiligung.example.org, for QR links; else the request host


def _coerce(default: Any, raw: str) -> Any:
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, tuple):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the settings: defaults, then KIOSK_* environment variables, then overrides."""
    config = {name: getattr(Defaults, name) for name in dir(Defaults) if name.isupper()}
    for name, default in list(config.items()):
        raw = os.environ.get(f"KIOSK_{name}")
        if raw is not None:
            config[name] = _coerce(default, raw)
    config.update(overrides or {})
    if not config["SECRET_KEY"]:
        key_file = INSTANCE_DIR / "secret_key"
        if key_file.exists():
            config["SECRET_KEY"] = key_file.read_text().strip()
        else:
            # Only good for one process: `kiosk init-db` writes a lasting key for several workers.
            config["SECRET_KEY"] = secrets.token_hex(32)
            config["SECRET_KEY_IS_EPHEMERAL"] = True
    return config


def write_secret_key() -> Path:
    """Create instance/secret_key once, so sessions survive restarts and span workers."""
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file

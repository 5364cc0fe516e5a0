"""Configuration defaults and how the environment (KIOSK_*) overrides them."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
INSTANCE_DIR = PROJECT_ROOT / "instance"


class Defaults:
    """Settings a first run on one machine needs; every one can be set as KIOSK_<NAME>."""

    DATABASE_URL = f"sqlite:///{INSTANCE_DIR / 'kiosk.sqlite3'}"
    SECRET_KEY: str | None = None
    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"  # times are stored in UTC, shown in local time
    LANGUAGES = ("de", "de-x-ls", "en", "tr", "ar", "uk", "ru")
    WISH_MAX_CHARS = 280
    MAX_CONTENT_LENGTH = 64 * 1024  # public forms are tiny; bigger bodies get a 413
    KIOSK_THANKS_SECONDS = 8  # the thank-you screen returns to the start after this
    KIOSK_IDLE_SECONDS = 90  # a kiosk question left alone this long asks "still there?"
    # ... and returns to the start when nobody answers that (WCAG 2.2.1 asks 20 s at least)
    KIOSK_STILL_THERE_SECONDS = 20
    KIOSK_COOLDOWN_SECONDS = 5  # a kiosk counts one answer per question this often (0: off)
    QR_VOTER_DAYS = 180  # how long a phone's anonymous cookie lasts (one answer per question)
    PUBLIC_RESULTS_MIN_ANSWERS = 10  # public screens show a question's results from this many on
    PUBLIC_RESULTS_MINUTES = 15  # ... as a snapshot this old at most (no before/after reading)
    WALL_REFRESH_SECONDS = 30  # the public results wall loads its figures anew this often
    KIOSK_ATTRACT_SECONDS = 8  # the idle start screen shows results and wishes in turn (0: off)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    STAFF_IDLE_MINUTES = 60  # a staff session ends after this long without use ...
    STAFF_SESSION_HOURS = 12  # ... and this long after the login at most
    WTF_CSRF_TIME_LIMIT = None  # a kiosk page stays open all day; the token lives with the session
    SQL_ECHO = False
    # 1 behind one reverse proxy (nginx) that sets X-Forwarded-For and -Proto: the client's
    # address is then read from it (for rate limits, never stored); 0 when clients connect directly.
    TRUSTED_PROXIES = 0
    RATE_WINDOW_MINUTES = 10  # rate limits count a client's requests in windows this long ...
    # ... answers from one network: phones on a café's Wi-Fi, or a kiosk page served by
    # central (a node's own kiosk is not limited) (0: off)
    ANSWERS_PER_CLIENT = 300
    LOGINS_PER_CLIENT = 30  # ... staff login attempts from one network (0: off)
    KIOSK_SILENT_HOURS = 24  # staff see a kiosk flagged when not heard from for this long
    # ... or when its cooldown turned away this many answers in a day: someone hammering it
    KIOSK_HAMMER_REFUSALS = 30
    # "node" on a kiosk beside a touch screen: its answers are synced to disk and queued for
    # central from the very first one (before enrolment too); "central" elsewhere.
    ROLE = "central"
    CENTRAL_URL = ""  # on a node: where `kiosk sync` sends (written by `kiosk enrol`)
    PUBLIC_URL = ""  # e.g. https://beteiligung.example.org, for QR links; else the request host
    POSTER_ORGANISER = ""  # printed on posters: who runs the survey, e.g. "Stadtteilbüro Nord"
    # `kiosk retention` anonymises answers older than this: visit numbers and exact times go,
    # wishes never approved lose their text (the privacy page says so) (0: off)
    RETENTION_DAYS = 365
    # Where pictures (children's drawings) are kept, as files named by their content's hash;
    # back it up with the database (deploy/README.md).
    MEDIA_DIR = str(INSTANCE_DIR / "media")
    PRIVACY_CONTACT = ""  # on the privacy page: whom to ask about data, e.g. an e-mail address


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
    for name in ("RATE_WINDOW_MINUTES",):
        if config[name] < 1:
            raise ValueError(f"KIOSK_{name} must be at least 1, not {config[name]!r}")
    for name in ("RETENTION_DAYS", "ANSWERS_PER_CLIENT", "LOGINS_PER_CLIENT"):
        if config[name] < 0:
            raise ValueError(f"KIOSK_{name} must be 0 (off) or more, not {config[name]!r}")
    if config["ROLE"] not in ("central", "node"):
        raise ValueError(f"KIOSK_ROLE must be central or node, not {config['ROLE']!r}")
    if not config["SECRET_KEY"]:
        key_file = INSTANCE_DIR / "secret_key"
        if key_file.exists():
            config["SECRET_KEY"] = key_file.read_text().strip()
        else:
            # Only good for one process: `kiosk init-db` writes a lasting key for several workers.
            config["SECRET_KEY"] = secrets.token_hex(32)
            config["SECRET_KEY_IS_EPHEMERAL"] = True
    return config


MIN_SECRET_KEY_LENGTH = 32
PLACEHOLDER_KEYS = frozenset({"CHANGE-ME", "change-me", "changeme", "secret", "dev"})


def secret_key_problem(config: dict[str, Any]) -> str | None:
    """Why this secret key must not serve real traffic, or None if it may."""
    if config.get("SECRET_KEY_IS_EPHEMERAL"):
        return (
            "no KIOSK_SECRET_KEY and no instance/secret_key: every worker would sign with its "
            "own key. Run `kiosk init-db` once, or set KIOSK_SECRET_KEY."
        )
    key = str(config["SECRET_KEY"])
    if key in PLACEHOLDER_KEYS or len(key) < MIN_SECRET_KEY_LENGTH:
        return (
            f"KIOSK_SECRET_KEY is a placeholder or shorter than {MIN_SECRET_KEY_LENGTH} "
            "characters: anyone could forge a staff login. Use: "
            'python3 -c "import secrets; print(secrets.token_hex(32))"'
        )
    return None


def write_secret_key() -> Path:
    """Create instance/secret_key once, so sessions survive restarts and span workers."""
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file

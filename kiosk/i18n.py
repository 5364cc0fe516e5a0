"""Languages: the choice per visitor, gettext catalogues, text direction."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Flask, current_app, request, session
from flask_babel import Babel, get_locale

from kiosk.config import PROJECT_ROOT

RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})
# Babel's format_datetime parses its pattern on every call (~45 µs); lists of wishes show
# hundreds of times, so they use a fixed pattern per language instead.
DATETIME_PATTERNS = {"de": "%d.%m.%Y %H:%M", "en": "%d %b %Y, %H:%M"}
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}


def select_locale() -> str:
    """Pick the language: ?lang= (remembered), then the session, then the browser, then German."""
    languages: tuple[str, ...] = current_app.config["LANGUAGES"]
    asked = request.args.get("lang", "")
    if asked in languages:
        session["lang"] = asked
        return asked
    if session.get("lang") in languages:
        return str(session["lang"])
    return request.accept_languages.best_match(languages) or languages[0]


def current_language() -> str:
    """The language code of this request, e.g. "de"."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def localized(texts: dict[str, str]) -> str:
    """A content text in this request's language, else German, else any there is."""
    return texts.get(current_language()) or texts.get("de") or next(iter(texts.values()), "")


def init_app(app: Flask) -> None:
    """Set up Flask-Babel and the template helpers for language and direction."""
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", str(PROJECT_ROOT / "kiosk" / "translations")
    )
    Babel(app, locale_selector=select_locale)
    zone = ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])

    @app.template_filter("local_datetime")
    def _local_datetime(value: dt.datetime) -> str:
        pattern = DATETIME_PATTERNS.get(current_language(), "%Y-%m-%d %H:%M")
        return value.astimezone(zone).strftime(pattern)

    language_names = {code: LANGUAGE_NAMES.get(code, code) for code in app.config["LANGUAGES"]}

    @app.context_processor
    def _language_helpers() -> dict[str, object]:
        language = current_language()

        return {
            "lang": language,
            "text_dir": "rtl" if language in RTL_LANGUAGES else "ltr",
            "localized": localized,
            "language_names": language_names,
        }

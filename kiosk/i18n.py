"""Languages: the choice per visitor, gettext catalogues, text direction."""

from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_babel import Babel, get_locale

from kiosk.config import PROJECT_ROOT

RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})
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
    """Pick a content text in the current language, German when it lacks a translation."""
    return texts.get(current_language()) or texts.get("de") or next(iter(texts.values()), "")


def init_app(app: Flask) -> None:
    """Set up Flask-Babel and the template helpers for language and direction."""
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", str(PROJECT_ROOT / "kiosk" / "translations")
    )
    Babel(app, locale_selector=select_locale)

    @app.context_processor
    def _language_helpers() -> dict[str, object]:
        language = current_language()
        return {
            "lang": language,
            "text_dir": "rtl" if language in RTL_LANGUAGES else "ltr",
            "localized": localized,
            "language_names": {
                code: LANGUAGE_NAMES.get(code, code) for code in app.config["LANGUAGES"]
            },
        }

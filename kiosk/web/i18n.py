"""Languages in requests: the choice per visitor, catalogues falling back to German, direction."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel import dates
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, request, session
from flask_babel import Babel, Domain, get_locale, get_timezone
from markupsafe import Markup, escape

from kiosk.core.config import PROJECT_ROOT
from kiosk.core.languages import KNOWN, SOURCE, language_for_locale

# One way to write a day per language, and a moment is that day with its hours and minutes:
# Babel's "medium" date ("07.12.2026", "Dec 7, 2026", "7 Ara 2026") and "short" time, joined
# as the language joins them, in Flask-Babel's locale and time zone (BABEL_DEFAULT_TIMEZONE).
# Babel itself, not Flask-Babel's wrappers: they look both up again per call (15 µs a moment
# here, 31 µs through them; lists of wishes show hundreds).
DATE_FORMAT, TIME_FORMAT = "medium", "short"


def local_date(value: dt.date | dt.datetime) -> str:
    """A day in this request's language (a moment: the day it is in the service's time zone)."""
    day = value.astimezone(get_timezone()) if isinstance(value, dt.datetime) else value
    return dates.format_date(day, DATE_FORMAT, locale=get_locale())


def local_datetime(value: dt.datetime) -> str:
    """A moment in this request's language and the service's time zone.

    Its day as local_date writes it, then hour and minute: "07.12.2026, 10:05" (German),
    "Dec 7, 2026, 10:05 AM" (English).
    """
    locale, moment = get_locale(), value.astimezone(get_timezone())
    joined: str = locale.datetime_formats[DATE_FORMAT]
    return (
        joined.replace("'", "")
        .replace("{1}", dates.format_date(moment, DATE_FORMAT, locale=locale))
        .replace("{0}", dates.format_time(moment, TIME_FORMAT, locale=locale))
    )


class GermanFallbackDomain(Domain):  # type: ignore[misc]  # Flask-Babel has no type hints
    """The catalogues, where a text missing from a language's comes in German (not English)."""

    def get_translations(self) -> NullTranslations:
        """The catalogue of the request's language, with German behind it for what it lacks."""
        translations: NullTranslations = super().get_translations()
        locale = str(get_locale())
        if locale not in (SOURCE, "en") and not getattr(translations, "kiosk_fallback", False):
            german = Translations.load(self.translation_directories[0], [SOURCE])
            translations.add_fallback(german)
            translations.kiosk_fallback = True  # type: ignore[attr-defined]
        return translations


def select_locale() -> str:
    """Pick the language: ?lang= (remembered), then the session, then the browser, then German.

    Returns Babel's identifier ("de@easy" for Leichte Sprache).
    """
    languages: tuple[str, ...] = current_app.config["LANGUAGES"]
    asked = request.args.get("lang", "")
    if asked in languages:
        session["lang"] = asked
        return KNOWN[asked].locale
    code = session.get("lang")
    if code not in languages:
        code = request.accept_languages.best_match(languages) or languages[0]
    return KNOWN[str(code)].locale


def current_language() -> str:
    """The language code of this request, e.g. "de" or "de-x-ls"."""
    return language_for_locale(str(get_locale() or SOURCE)).code


def right_to_left() -> bool:
    """Tell whether this request's language is written right to left (Arabic)."""
    return KNOWN[current_language()].rtl


def localized(texts: dict[str, str]) -> str:
    """A content text in this request's language, else German, else any there is."""
    return texts.get(current_language()) or texts.get(SOURCE) or next(iter(texts.values()), "")


def localized_html(texts: dict[str, str]) -> Markup:
    """A content text for a page, in German where this request's language lacks it.

    The German stand-in is isolated (`bdi`: it runs left to right within Arabic), marked
    `lang="de"` (so that it is read out in German) and has the
    class `untranslated`, which staff see outlined.
    """
    language = current_language()
    text = texts.get(language)
    if text:
        return escape(text)
    fallback = texts.get(SOURCE) or next(iter(texts.values()), "")
    return Markup('<bdi lang="de" class="untranslated">{}</bdi>').format(fallback)


def init_app(app: Flask) -> None:
    """Set up Flask-Babel and the template helpers for language and direction."""
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", str(PROJECT_ROOT / "kiosk" / "translations")
    )
    unknown = [code for code in app.config["LANGUAGES"] if code not in KNOWN]
    if unknown or not app.config["LANGUAGES"]:
        raise ValueError(f"KIOSK_LANGUAGES: unknown {unknown}; known are {', '.join(KNOWN)}")
    babel = Babel(app, locale_selector=select_locale)
    babel.domain_instance = GermanFallbackDomain()
    ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])  # an unknown zone fails here, not on a page
    app.add_template_filter(local_date, "local_date")
    app.add_template_filter(local_datetime, "local_datetime")

    languages = [KNOWN[code] for code in app.config["LANGUAGES"]]

    @app.context_processor
    def _language_helpers() -> dict[str, object]:
        language = KNOWN[current_language()]
        return {
            "lang": language.code,
            "text_dir": "rtl" if language.rtl else "ltr",
            "localized": localized_html,
            "localized_text": localized,
            "languages": languages,
        }

"""The languages the service speaks: codes, names in their own script, direction, catalogues.

A language's `code` is what addresses (`?lang=`), sessions, content texts and HTML's `lang`
use (BCP 47); its `locale` is Babel's name for it and the folder of its gettext catalogue.
Leichte Sprache (easy German) is a language of its own: `de-x-ls` (a private-use tag, since
there is no registered one), catalogue `de@easy`; where its catalogue lacks a text, German's
is used. Every catalogue falls back to German, never to the English message ids.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from babel.support import NullTranslations, Translations

from kiosk.core.config import PROJECT_ROOT

CATALOGUES = PROJECT_ROOT / "kiosk" / "translations"
SOURCE = "de"  # the language every content text has and every other falls back to


@dataclass(frozen=True)
class Language:
    """One language offered to visitors and staff."""

    code: str  # BCP 47: in addresses, sessions, content texts and lang=""
    locale: str  # Babel's identifier, the catalogue's folder
    name: str  # in its own language and script, as the language choice shows it
    rtl: bool = False


KNOWN = {
    language.code: language
    for language in (
        Language("de", "de", "Deutsch"),
        Language("de-x-ls", "de@easy", "Leichte Sprache"),
        Language("en", "en", "English"),
        Language("tr", "tr", "Türkçe"),
        Language("ar", "ar", "العربية", rtl=True),
        Language("uk", "uk", "Українська"),
        Language("ru", "ru", "Русский"),
    )
}
BY_LOCALE = {language.locale: language for language in KNOWN.values()}


def kept_translations(old: Mapping[str, str], de: str, en: str) -> dict[str, str]:
    """Texts from a form in German and (optionally) English, with every other language kept."""
    others = {code: text for code, text in old.items() if code not in (SOURCE, "en")}
    return {**others, SOURCE: de, **({"en": en} if en else {})}


def language_for_locale(locale: str) -> Language:
    """The language of a Babel locale identifier ("de@easy"); German for one not offered."""
    return BY_LOCALE.get(locale, KNOWN[SOURCE])


@functools.cache
def catalogue(code: str) -> NullTranslations:
    """The interface catalogue of a language, without fallback (missing texts stay missing)."""
    return Translations.load(str(CATALOGUES), [KNOWN[code].locale])


def catalogue_text(code: str, message: str) -> str | None:
    """A message id in a language's catalogue; None where it is not translated.

    English is the language of the message ids, so it has every one.
    """
    if code == "en":
        return message
    text = catalogue(code).gettext(message)
    return text if text != message else None


def translated_all(message: str) -> dict[str, str]:
    """A message id in every known language whose catalogue has it (German always should)."""
    texts = {}
    for code in KNOWN:
        text = catalogue_text(code, message)
        if text:
            texts[code] = text
    return texts

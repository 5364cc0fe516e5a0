"""A campaign's texts in other languages: what each language has, and saving a translator's form.

Every content text (invitation, questions, answers) is kept per language code in one dict
("de" always). Staff translate one language at a time beside the German; a text left empty
shows in German, marked for staff. Editing German or English elsewhere keeps the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kiosk.campaigns import INTRO_MAX
from kiosk.errors import N_, FormError, NotFoundError
from kiosk.languages import KNOWN, SOURCE
from kiosk.models import Campaign, Question
from kiosk.places import Errors
from kiosk.questions import LABEL_MAX, TEXT_MAX


@dataclass(frozen=True)
class TextRow:
    """One text to translate: its field name, the German, the translation so far, its limit."""

    key: str  # "intro", "q<id>" or "o<id>"
    source: str
    text: str
    limit: int
    question: bool = False  # a question's own text (options follow it)
    hidden: bool = False  # an option not offered at the moment
    emoji: str = ""


def load_campaign(session: Session, campaign_id: int) -> Campaign:
    """A campaign with its questions and options, or NotFoundError."""
    campaign = session.scalar(
        select(Campaign)
        .where(Campaign.id == campaign_id)
        .options(selectinload(Campaign.questions).selectinload(Question.options))
    )
    if campaign is None:
        raise NotFoundError()
    return campaign


def text_rows(campaign: Campaign, code: str) -> list[TextRow]:
    """Every content text of a campaign, German beside its text in the language `code`."""
    rows = []
    if campaign.intro:
        rows.append(
            TextRow(
                "intro", campaign.intro.get(SOURCE, ""), campaign.intro.get(code, ""), INTRO_MAX
            )
        )
    for question in campaign.questions:
        texts = question.texts
        rows.append(
            TextRow(
                f"q{question.id}",
                texts.get(SOURCE, ""),
                texts.get(code, ""),
                TEXT_MAX,
                question=True,
            )
        )
        rows.extend(
            TextRow(
                f"o{option.id}",
                option.texts.get(SOURCE, ""),
                option.texts.get(code, ""),
                LABEL_MAX,
                hidden=option.hidden,
                emoji=option.emoji,
            )
            for option in question.options
        )
    return rows


def progress(campaign: Campaign, codes: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """Per language other than German: how many of the campaign's texts it has, of how many."""
    result = {}
    for code in codes:
        if code == SOURCE:
            continue
        rows = text_rows(campaign, code)
        result[code] = (sum(1 for row in rows if row.text), len(rows))
    return result


def translation_language(code: str, offered: tuple[str, ...]) -> str:
    """A language staff may translate into: offered, and not German; else NotFoundError."""
    if code not in offered or code == SOURCE or code not in KNOWN:
        raise NotFoundError()
    return code


def save_translations(
    session: Session, campaign_id: int, code: str, sent: Mapping[str, str]
) -> int:
    """Set a campaign's texts in one language from a form; how many changed. Caller commits.

    A field left empty removes the translation (the German shows). Nothing is saved when a
    field is too long: FormError names each one. Fields for texts the campaign does not have
    are ignored (a question deleted meanwhile).
    """
    campaign = load_campaign(session, campaign_id)
    targets: dict[str, tuple[object, str, int]] = {}
    if campaign.intro:
        targets["intro"] = (campaign, "intro", INTRO_MAX)
    for question in campaign.questions:
        targets[f"q{question.id}"] = (question, "texts", TEXT_MAX)
        for option in question.options:
            targets[f"o{option.id}"] = (option, "texts", LABEL_MAX)
    errors: Errors = {}
    changes: list[tuple[object, str, str]] = []
    for key, (row, attribute, limit) in targets.items():
        if key not in sent:
            continue
        text = " ".join(sent[key].split())
        if len(text) > limit:
            errors[key] = (N_("At most %(max)d characters, please."), {"max": limit})
            continue
        texts: dict[str, str] = getattr(row, attribute)
        if texts.get(code, "") != text:
            changes.append((row, attribute, text))
    if errors:
        raise FormError(errors)
    for row, attribute, text in changes:
        texts = dict(getattr(row, attribute))
        if text:
            texts[code] = text
        else:
            texts.pop(code, None)
        setattr(row, attribute, texts)  # a new dict: the JSON column sees the change
    session.flush()
    return len(changes)


def german_of(question: Question) -> dict[str, str]:
    """A question's German texts by key, to tell afterwards whether an edit changed them."""
    texts = {f"q{question.id}": question.texts.get(SOURCE, "")}
    texts.update({f"o{o.id}": o.texts.get(SOURCE, "") for o in question.options})
    return texts


def translations_to_check(before: Mapping[str, str], question: Question) -> bool:
    """Tell whether an edit changed a German text that has translations (now maybe stale)."""
    rows = [(f"q{question.id}", question.texts)]
    rows += [(f"o{o.id}", o.texts) for o in question.options]
    return any(
        key in before
        and before[key] != texts.get(SOURCE, "")
        and any(code not in (SOURCE, "en") for code in texts)
        for key, texts in rows
    )

"""A campaign's texts in other languages: what each language has, and saving a translator's form.

Every content text (invitation, questions, answers) is kept per language code in one dict
("de" always). Staff translate one language at a time beside the German; a text left empty
shows in German, marked for staff. Editing German or English elsewhere keeps the others.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kiosk.core.errors import N_, Errors, FormError, NotFoundError
from kiosk.core.languages import SOURCE
from kiosk.models import Actor, Campaign, Option, Question, QuestionKind, audit
from kiosk.setup.campaigns import INTRO_MAX
from kiosk.setup.questions import LABEL_MAX, TEXT_MAX, without_typed_limit


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


def _targets(campaign: Campaign) -> Iterator[tuple[str, Campaign | Question | Option, str, int]]:
    """Each translatable text: its field name, the row holding it, the attribute, its limit."""
    if campaign.intro:
        yield "intro", campaign, "intro", INTRO_MAX
    for question in campaign.questions:
        yield f"q{question.id}", question, "texts", TEXT_MAX
        for option in question.options:
            yield f"o{option.id}", option, "texts", LABEL_MAX


def text_rows(campaign: Campaign, code: str) -> list[TextRow]:
    """Every content text of a campaign, German beside its text in the language `code`."""
    rows = []
    for key, owner, attribute, limit in _targets(campaign):
        texts: dict[str, str] = getattr(owner, attribute)
        option = owner if isinstance(owner, Option) else None
        rows.append(
            TextRow(
                key,
                texts.get(SOURCE, ""),
                texts.get(code, ""),
                limit,
                question=isinstance(owner, Question),
                hidden=option.hidden if option else False,
                emoji=option.emoji if option else "",
            )
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
    if code not in offered or code == SOURCE:  # the offered ones are known (kiosk.web.i18n)
        raise NotFoundError()
    return code


def save_translations(
    session: Session, campaign_id: int, code: str, sent: Mapping[str, str], *, actor: Actor
) -> int:
    """Set a campaign's texts in one language from a form; how many changed. Caller commits.

    A field left empty removes the translation (the German shows). Nothing is saved when a
    field is too long: FormError names each one. Fields for texts the campaign does not have
    are ignored (a question deleted meanwhile).
    """
    campaign = load_campaign(session, campaign_id)
    errors: Errors = {}
    changes: list[tuple[Campaign | Question | Option, str, str]] = []
    for key, row, attribute, limit in _targets(campaign):
        if key not in sent:
            continue
        text = " ".join(sent[key].split())
        if isinstance(row, Question) and row.kind == QuestionKind.MULTI:
            text = without_typed_limit(text) or text  # the screens say the limit themselves
        if len(text) > limit:
            errors[key] = (N_("At most %(max)d characters, please."), {"max": limit})
            continue
        texts: dict[str, str] = getattr(row, attribute)
        if texts.get(code, "") != text:
            changes.append((row, attribute, text))
    if errors:
        raise FormError(errors)
    for owner, attribute, text in changes:
        texts = dict(getattr(owner, attribute))
        if text:
            texts[code] = text
        else:
            texts.pop(code, None)
        setattr(owner, attribute, texts)  # a new dict: the JSON column sees the change
    session.flush()
    if changes:
        audit(session, actor, "campaign-translate", campaign=campaign_id, language=code)
    return len(changes)


def german_of(question: Question) -> dict[str, str]:
    """A question's German texts by key, to tell afterwards whether an edit changed them."""
    texts = {f"q{question.id}": question.texts.get(SOURCE, "")}
    texts.update({f"o{o.id}": o.texts.get(SOURCE, "") for o in question.options})
    return texts


def german_changed_under_translations(before: str, texts: Mapping[str, str]) -> bool:
    """Tell whether a text's German changed while other languages (not English) translate it."""
    return before != texts.get(SOURCE, "") and any(code not in (SOURCE, "en") for code in texts)


def translations_to_check(before: Mapping[str, str], question: Question) -> bool:
    """Tell whether an edit changed a German text that has translations (now maybe stale).

    A limit taken out of a multiple choice's text is no change to translate: it went from
    every language at once.
    """
    if question.kind == QuestionKind.MULTI and (key := f"q{question.id}") in before:
        before = {**before, key: without_typed_limit(before[key]) or before[key]}
    rows = [(f"q{question.id}", question.texts)]
    rows += [(f"o{o.id}", o.texts) for o in question.options]
    return any(
        key in before and german_changed_under_translations(before[key], texts)
        for key, texts in rows
    )

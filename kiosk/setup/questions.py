"""Editing a campaign's questions and options without corrupting the answers collected.

Texts, pictograms, colours and order can change at any time; options can be added and
hidden, and deleted only until the campaign's first answer arrives (answers refer to options,
and a kiosk may have taken one offline); a question's kind stays what it was, and a scale
keeps its points. How many answers a multiple choice takes is its setting alone: the screens
say it in every language, so a limit typed into the text ("(bis zu 2)") is taken out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from kiosk.core.errors import N_, Errors, FormError, NotFoundError
from kiosk.core.languages import kept_translations
from kiosk.models import (
    Actor,
    AnswerCount,
    Campaign,
    Option,
    OptionCount,
    Question,
    QuestionKind,
    ResultsShown,
    audit,
)
from kiosk.models.counters import recount_cross

TEXT_MAX = 300
LABEL_MAX = 120
MAX_OPTIONS = 12
# Every answer offered has a pictogram beside its text, so that it reads without words.
PICTOGRAM_NEEDED = N_("Each answer needs a pictogram, so that it reads without words.")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
# A limit typed at the end of a question's text, in the languages offered: "(bis zu 3)",
# "(up to 3 answers)", "(max. 3)", "(en fazla 3)", "(حتى 3)", "(до 3 ответов)", …
_TYPED_LIMIT = re.compile(
    r"\s*[(（]\s*(?:(?:wähle|wählen\s+sie|choose|pick|select)\s+)?"
    r"(?:bis\s+zu|höchstens|maximal|max\.?|up\s+to|at\s+most|maximum|en\s+fazla|en\s+çok"
    r"|حتى|بحد\s+أقصى|до|не\s+более|не\s+більше|максимум)"
    r"\s*(?P<number>\d{1,2})(?:\s+[^\W\d_]+)?\s*[)）]\s*$",
    re.IGNORECASE,
)

# The bundled pictograms to pick from (emoji: no upload, readable without words).
PICTOGRAMS = tuple(
    """🌳 🌲 🌿 🌸 ☀️ ⛱️ 🌧️ 💧 🚰 💡 🪑 🧹 🗑️ 🛡️ 🚻 ♿ 🚲 🚌 🚗 🅿️ ⚽ 🛝 🧗 🤸 🏖️ 💦 🎨 🎵 📚
    🏠 🏫 🛒 ☕ 🍎 🐕 👶 🧒 🧑 👩 👵 👍 👎 😀 🙂 😐 🙁 😞 🥵 😓 😎 ❤️ 🎉 🔧 ❓
    🏀 🏃 🚶 💃 🏊 🧘 🛹 🏓 🌡️""".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class OptionForm:
    """One option row of the form; an empty id is a new option."""

    id: str = ""
    de: str = ""
    en: str = ""
    emoji: str = ""
    colour: str = "#4a7c59"
    hidden: bool = False
    order: str = ""
    delete: bool = False


@dataclass(frozen=True)
class QuestionForm:
    """A question as the staff form sends it."""

    de: str = ""
    en: str = ""
    results_shown: str = ResultsShown.LIVE.value
    max_choices: str = ""
    demographic: bool = False
    options: Sequence[OptionForm] = field(default_factory=tuple)


def _text(errors: Errors, name: str, raw: str, limit: int, *, needed: bool) -> str:
    text = " ".join(raw.split())
    if needed and not text:
        errors[name] = (N_("Please give a text."), {})
    elif len(text) > limit:
        errors[name] = (N_("At most %(max)d characters, please."), {"max": limit})
    return text


def without_typed_limit(text: str) -> str:
    """A question's text without a limit typed at its end ("Was fehlt? (bis zu 3)")."""
    return _TYPED_LIMIT.sub("", text)


def typed_limits(question: Question) -> dict[str, str]:
    """The limits typed into a multiple choice's texts, by language ({"de": "(bis zu 2)"})."""
    if question.kind != QuestionKind.MULTI:
        return {}
    return {
        code: found.group().strip()
        for code, text in question.texts.items()
        if (found := _TYPED_LIMIT.search(text))
    }


def load_question(session: Session, question_id: int) -> Question:
    """A question with its options, or NotFoundError."""
    question = session.scalar(
        select(Question).where(Question.id == question_id).options(selectinload(Question.options))
    )
    if question is None:
        raise NotFoundError()
    return question


def option_uses(session: Session, question_id: int) -> dict[int, int]:
    """How often each option of a question was given, on every channel (paper too).

    An option with a counter row was given at least once (a withdrawn paper sheet leaves a
    zero): it is in the dict, and may be hidden but not deleted.
    """
    rows = session.execute(
        select(OptionCount.option_id, func.sum(OptionCount.count))
        .where(OptionCount.question_id == question_id)
        .group_by(OptionCount.option_id)
    )
    return {option_id: int(count) for option_id, count in rows}


def campaign_answered(session: Session, campaign_id: int) -> bool:
    """Tell whether any answer (or paper sheet) has come in for the campaign."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    AnswerCount.question_id.in_(
                        select(Question.id).where(Question.campaign_id == campaign_id)
                    )
                )
            )
        )
    )


def save_question(
    session: Session, question_id: int, form: QuestionForm, *, actor: Actor
) -> Question:
    """Change a question's texts, setting and options; the caller commits.

    Nothing is saved when a field is wrong: FormError names each one.
    """
    question = load_question(session, question_id)
    errors: Errors = {}
    de = _text(errors, "de", form.de, TEXT_MAX, needed=True)
    en = _text(errors, "en", form.en, TEXT_MAX, needed=False)
    try:
        shown = ResultsShown(form.results_shown)
    except ValueError:
        shown = question.results_shown
        if question.kind != QuestionKind.WISH:  # a wish has no results: its form has no choice
            errors["results_shown"] = (N_("Please choose from the list."), {})
    if form.demographic and question.kind != QuestionKind.SINGLE:
        errors["demographic"] = (N_("Only a question with one answer can group people."), {})
    existing = {str(o.id): o for o in question.options}
    uses = option_uses(session, question.id)
    answered = campaign_answered(session, question.campaign_id)
    rows: list[tuple[Option | None, OptionForm, int]] = []
    deleted: list[Option] = []
    for index, row in enumerate(form.options):
        option = existing.get(row.id) if row.id else None
        if row.id and option is None:
            raise NotFoundError()  # an option of another question
        if option is None and not (row.de.strip() or row.emoji):
            continue  # an empty line for a new option
        if option is not None and row.delete:
            if question.kind == QuestionKind.SCALE:
                errors[f"o{index}-delete"] = (
                    N_("A scale keeps its points; change their texts."),
                    {},
                )
            elif option.id in uses:
                errors[f"o{index}-delete"] = (
                    N_("Already chosen (%(count)d), so it stays: hide it instead."),
                    {"count": uses[option.id]},
                )
            elif answered:
                errors[f"o{index}-delete"] = (
                    N_("Answers are coming in for this campaign: hide it instead."),
                    {},
                )
            deleted.append(option)
            continue
        if option is None and question.kind == QuestionKind.SCALE:
            errors[f"o{index}-de"] = (N_("A scale keeps its points; change their texts."), {})
        _text(errors, f"o{index}-de", row.de, LABEL_MAX, needed=True)
        _text(errors, f"o{index}-en", row.en, LABEL_MAX, needed=False)
        kept = option is not None and row.emoji == option.emoji
        if row.emoji and row.emoji not in PICTOGRAMS and not kept:
            errors[f"o{index}-emoji"] = (N_("Please choose from the list."), {})
        elif not row.emoji and not row.hidden and (option is None or option.emoji):
            # (an option saved before pictograms were required may stay as it was)
            errors[f"o{index}-emoji"] = (PICTOGRAM_NEEDED, {})
        if not _COLOUR.fullmatch(row.colour):
            errors[f"o{index}-colour"] = (N_("Please choose from the list."), {})
        order = row.order.strip()
        if order and not (order.isdecimal() and len(order) < 4):
            errors[f"o{index}-order"] = (N_("A whole number, please."), {})
        rows.append((option, row, int(order) if order.isdecimal() and len(order) < 4 else index))
    if len(rows) > MAX_OPTIONS:
        errors["options"] = (N_("At most %(max)d options, please."), {"max": MAX_OPTIONS})
    visible = sum(1 for _, row, _ in rows if not row.hidden)
    if question.kind != QuestionKind.WISH and visible < 2:
        errors["options"] = (N_("A question needs two answers to pick from at least."), {})
    max_choices = None
    if question.kind == QuestionKind.MULTI:
        raw = form.max_choices.strip()
        if not (raw.isdecimal() and len(raw) < 3 and 1 <= int(raw) <= max(visible, 1)):
            errors["max_choices"] = (
                N_("A number from 1 to %(max)d, please."),
                {"max": max(visible, 1)},
            )
        else:
            max_choices = int(raw)
    if errors:
        raise FormError(errors)
    regroup = form.demographic != question.demographic
    if form.demographic and not question.demographic:
        # One per campaign (a unique index): the campaign's former one steps back first.
        session.execute(
            update(Question)
            .where(Question.campaign_id == question.campaign_id, Question.id != question.id)
            .values(demographic=False)
        )
    question.demographic = form.demographic
    try:
        session.flush()
    except IntegrityError:
        # Another editor marked another question of the campaign at the same moment.
        raise FormError(
            {"demographic": (N_("Another question was just marked: please look again."), {})}
        ) from None
    if regroup:
        # The cross-tab's counter was kept by the former demographic question (or none).
        recount_cross(session, question.campaign_id)
    texts = kept_translations(question.texts, de, en)
    if question.kind == QuestionKind.MULTI:
        # The screens say the limit from the setting: a typed one (in any language) would
        # go stale when the setting changes.
        texts = {code: without_typed_limit(text) or text for code, text in texts.items()}
    question.texts = texts
    question.results_shown = shown
    question.max_choices = max_choices
    for option in deleted:
        session.delete(option)
    try:
        session.flush()
    except IntegrityError:
        # Someone picked an option between the check and the delete: it stays.
        raise FormError(
            {"options": (N_("An answer to delete was just chosen: please look again."), {})}
        ) from None
    # Positions are unique per question: move them out of the way, then write the new order.
    session.execute(
        update(Option).where(Option.question_id == question.id).values(position=-Option.id)
    )
    session.expire(question, ["options"])
    ordered = sorted(rows, key=lambda item: item[2])
    for position, (option, row, _) in enumerate(ordered):
        if option is None:
            option = Option(question_id=question.id, value=None)
            session.add(option)
        option.position = position
        option.texts = kept_translations(
            option.texts if option.texts else {}, " ".join(row.de.split()), " ".join(row.en.split())
        )
        option.emoji = row.emoji
        option.colour = row.colour
        option.hidden = row.hidden
    session.flush()
    session.refresh(question)
    audit(session, actor, "question-save", question=question.id)
    return question


def add_question(
    session: Session,
    campaign_id: int,
    *,
    kind: str,
    de: str,
    options: Sequence[OptionForm],
    actor: Actor,
) -> Question:
    """A new question at the end of a campaign; the caller commits."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFoundError()
    errors: Errors = {}
    try:
        question_kind = QuestionKind(kind)
    except ValueError:
        errors["kind"] = (N_("Please choose from the list."), {})
        question_kind = QuestionKind.SINGLE
    text = _text(errors, "de", de, TEXT_MAX, needed=True)
    picked = [o for o in options if o.de.strip()]
    if question_kind != QuestionKind.WISH and len(picked) < 2:
        errors["options"] = (N_("A question needs two answers to pick from at least."), {})
    for index, row in enumerate(picked):
        _text(errors, f"o{index}-de", row.de, LABEL_MAX, needed=True)
        if row.emoji and row.emoji not in PICTOGRAMS:
            errors[f"o{index}-emoji"] = (N_("Please choose from the list."), {})
    if question_kind != QuestionKind.WISH and not all(row.emoji for row in picked):
        errors["options"] = (PICTOGRAM_NEEDED, {})
    if errors:
        raise FormError(errors)
    max_choices = None
    if question_kind == QuestionKind.MULTI:
        # A limit typed into the text is what was meant: it becomes the setting.
        typed = _TYPED_LIMIT.search(text)
        number = int(typed["number"]) if typed else 3
        max_choices = max(1, min(number, len(picked)))
        text = without_typed_limit(text) or text
    last = session.scalar(
        select(func.max(Question.position)).where(Question.campaign_id == campaign.id)
    )
    question = Question(
        campaign_id=campaign.id,
        position=(last if last is not None else -1) + 1,
        kind=question_kind,
        texts={"de": text},
        max_choices=max_choices,
    )
    if question_kind != QuestionKind.WISH:
        question.options = [
            Option(
                position=position,
                texts={"de": " ".join(row.de.split())},
                emoji=row.emoji,
                colour=row.colour if _COLOUR.fullmatch(row.colour) else "#4a7c59",
                value=position + 1 if question_kind == QuestionKind.SCALE else None,
            )
            for position, row in enumerate(picked[:MAX_OPTIONS])
        ]
    session.add(question)
    session.flush()
    audit(session, actor, "question-add", question=question.id, campaign=campaign_id)
    return question


def move_question(session: Session, question_id: int, step: int, *, actor: Actor) -> Question:
    """Swap a question with the one before (-1) or after (+1) it; the caller commits."""
    question = load_question(session, question_id)
    siblings = list(
        session.scalars(
            select(Question)
            .where(Question.campaign_id == question.campaign_id)
            .order_by(Question.position)
        )
    )
    index = siblings.index(question)
    other_index = index + (1 if step > 0 else -1)
    if not 0 <= other_index < len(siblings):
        return question
    other = siblings[other_index]
    mine, theirs = question.position, other.position
    question.position = -question.id  # out of the way of the unique position
    session.flush()
    other.position = mine
    session.flush()
    question.position = theirs
    session.flush()
    audit(session, actor, "question-move", question=question.id, step=step)
    return question


def set_results_shown(
    session: Session, question: Question, shown: ResultsShown, *, actor: Actor
) -> bool:
    """Set when the public sees a question's results; False when it already was so.

    A change moves the configuration on: kiosk nodes follow. Audited; the caller commits.
    """
    if question.results_shown == shown:
        return False
    question.results_shown = shown
    audit(session, actor, "question-results-shown", question=question.id, value=shown.value)
    session.flush()
    return True

"""Recording answers: validate one answer against its question, insert it once, count it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy import Executable, insert
from sqlalchemy.orm import Session

from kiosk.collect.catalog import CatalogCampaign, CatalogQuestion
from kiosk.core.errors import N_, CampaignClosedError, InvalidAnswerError, KioskCooldownError
from kiosk.models import (
    KioskPace,
    Outbox,
    QuestionKind,
    Response,
    ResponseOption,
    WishState,
    upsert_insert,
    utcnow,
)

FormData = Mapping[str, Sequence[str]]
"""Submitted fields as lists of strings, the shape of a form or query string."""


@dataclass(frozen=True)
class Answer:
    """One validated answer, ready to be stored."""

    uuid: UUID
    visit_id: UUID | None
    question: CatalogQuestion
    option_ids: tuple[int, ...] = ()
    value: int | None = None
    text: str | None = None


def _one(form: FormData, name: str) -> str:
    values = form.get(name) or []
    return values[0].strip() if values else ""


def damaged(field: str) -> InvalidAnswerError:
    """The error for a hidden form field that is missing or malformed."""
    return InvalidAnswerError(
        N_("The form was damaged (%(field)s). Please start again."), field=field
    )


def parse_uuid(raw: str, *, field: str) -> UUID:
    """Parse a UUID sent by a client, refusing anything else with a readable error."""
    try:
        return UUID(raw)
    except (ValueError, AttributeError, TypeError):
        raise damaged(field) from None


def question_of(
    campaign: CatalogCampaign, raw_question_id: str, location_id: int
) -> CatalogQuestion:
    """The campaign's question with this id asked at this place; any other is refused."""
    try:
        question_id = int(raw_question_id)
    except ValueError:
        raise damaged("question") from None
    question = campaign.question(question_id)
    if question is None or not question.asked_at(location_id):
        raise InvalidAnswerError(N_("This question does not belong to the survey at this place."))
    return question


def parse_answer(
    question: CatalogQuestion, form: FormData, *, wish_max_chars: int, allow_hidden: bool = False
) -> Answer:
    """Turn submitted fields into an Answer for this question, or raise InvalidAnswerError.

    allow_hidden accepts options hidden since: a kiosk offline for days showed them then.
    """
    answer_uuid = parse_uuid(_one(form, "uuid"), field="uuid")
    raw_visit = _one(form, "visit")
    visit_id = parse_uuid(raw_visit, field="visit") if raw_visit else None
    visible = question.option_by_id if allow_hidden else question.visible_by_id

    if question.kind == QuestionKind.WISH:
        # Browsers count a line break as one character against maxlength but send "\r\n".
        text = _one(form, "text").replace("\r\n", "\n")
        if not text:
            raise InvalidAnswerError(N_("Please write your wish, or skip this question."))
        if len(text) > wish_max_chars:
            raise InvalidAnswerError(
                N_("Your wish is too long: at most %(max)d characters, please."),
                max=wish_max_chars,
            )
        return Answer(answer_uuid, visit_id, question, text=text)

    if question.kind == QuestionKind.SCALE:
        try:
            value = int(_one(form, "value"))
        except ValueError:
            raise InvalidAnswerError(N_("Please choose a point on the scale.")) from None
        matching = [option for option in visible.values() if option.value == value]
        if not matching:
            raise InvalidAnswerError(N_("Please choose a point on the scale."))
        return Answer(answer_uuid, visit_id, question, option_ids=(matching[0].id,), value=value)

    raw_ids = [raw.strip() for raw in form.get("option") or [] if raw.strip()]
    try:
        option_ids = tuple(dict.fromkeys(int(raw) for raw in raw_ids))
    except ValueError:
        raise InvalidAnswerError(N_("This answer is not one of the choices.")) from None
    if not option_ids:
        raise InvalidAnswerError(N_("Please choose an answer, or skip this question."))
    if any(option_id not in visible for option_id in option_ids):
        raise InvalidAnswerError(N_("This answer is not one of the choices."))
    limit = 1 if question.kind.one_choice else (question.max_choices or len(visible))
    if len(option_ids) > 1 and limit == 1:
        raise InvalidAnswerError(N_("Please choose only one answer."))
    if len(option_ids) > limit:
        raise InvalidAnswerError(N_("Please choose at most %(max)d answers."), max=limit)
    return Answer(answer_uuid, visit_id, question, option_ids=option_ids)


@cache
def _insert_response(dialect: str) -> Executable:
    """INSERT ... ON CONFLICT (uuid) DO NOTHING RETURNING id, built once (the hot path)."""
    statement: Executable = (
        upsert_insert(dialect)(Response)
        .on_conflict_do_nothing(index_elements=["uuid"])
        .returning(Response.id)
    )
    return statement


_INSERT_OPTIONS = insert(ResponseOption)
_INSERT_OUTBOX = insert(Outbox)


def check_answer(
    answer: Answer, *, campaign: CatalogCampaign, location_id: int, at: dt.datetime
) -> None:
    """Refuse an answer off its campaign's places, or given while the campaign was closed."""
    if (
        answer.question.campaign_id != campaign.id
        or location_id not in campaign.location_ids
        or not answer.question.asked_at(location_id)
    ):
        raise InvalidAnswerError(N_("This question does not belong to the survey at this place."))
    if not campaign.is_open(at):
        raise CampaignClosedError()


def response_row(
    answer: Answer,
    *,
    campaign: CatalogCampaign,
    location_id: int,
    channel: str,
    now: dt.datetime,
    source: str | None = None,
    device_id: int | None = None,
    client_at: dt.datetime | None = None,
    answered_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """The response table's row for an answer (answered_at: by default client_at or now)."""
    return {
        "uuid": answer.uuid,
        "visit_id": answer.visit_id,
        "campaign_id": campaign.id,
        "question_id": answer.question.id,
        "location_id": location_id,
        "channel": channel,
        "source": source,
        "device_id": device_id,
        "value": answer.value,
        "text": answer.text,
        "wish_state": WishState.PENDING.value if answer.text is not None else None,
        "client_at": client_at,
        "received_at": now,
        "answered_at": answered_at or client_at or now,
    }


def record_answer(
    session: Session,
    answer: Answer,
    *,
    campaign: CatalogCampaign,
    location_id: int,
    channel: str,
    source: str | None = None,
    device_id: int | None = None,
    client_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
    queue: bool = False,
) -> bool:
    """Store an answer once and count it; return False when its UUID was stored before.

    The campaign must have been open when the answer was given: at client_at if the device
    that took it says so (a kiosk forwarding what it collected offline), else now. With
    queue (on a kiosk node), the response also goes into the outbox for central.

    The caller commits. The response, its options and the counters go in one transaction:
    the counters (option_count, answer_count) are kept by database triggers on these inserts
    (migration 0003), so a tally can never disagree with the responses behind it.
    """
    now = now or utcnow()
    check_answer(answer, campaign=campaign, location_id=location_id, at=client_at or now)
    connection = session.connection()
    response_id = connection.execute(
        _insert_response(connection.dialect.name),
        response_row(
            answer,
            campaign=campaign,
            location_id=location_id,
            channel=channel,
            source=source,
            device_id=device_id,
            client_at=client_at,
            now=now,
        ),
    ).scalar()
    if response_id is None:
        return False
    if answer.option_ids:
        connection.execute(
            _INSERT_OPTIONS,
            [{"response_id": response_id, "option_id": oid} for oid in answer.option_ids],
        )
    if queue:
        connection.execute(_INSERT_OUTBOX, {"response_id": response_id})
    return True


def take_kiosk_turn(
    session: Session,
    *,
    location_id: int,
    question_id: int,
    cooldown: dt.timedelta,
    now: dt.datetime | None = None,
) -> None:
    """Let a shared kiosk count an answer to this question, or raise KioskCooldownError.

    A question counts at most one answer per cooldown at a kiosk place: the limit on how
    fast one kiosk can be hammered. One conditional upsert (a row lock on PostgreSQL), so
    two workers cannot both take the same turn while their clocks agree within a cooldown.
    Call it after record_answer stored a new answer (a resent UUID takes no turn), in the
    same transaction, and roll back when it raises.
    """
    now = now or utcnow()
    statement = upsert_insert(session.connection().dialect.name)(KioskPace).values(
        location_id=location_id, question_id=question_id, last_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=["location_id", "question_id"],
        set_={"last_at": statement.excluded.last_at},
        # A clock set back (a Pi's first NTP sync) must not lock the kiosk until it catches
        # up; a clock a moment behind another worker's must not take a second turn.
        where=(KioskPace.last_at <= now - cooldown) | (KioskPace.last_at > now + cooldown),
    )
    if session.execute(statement.returning(KioskPace.last_at)).first() is None:
        raise KioskCooldownError()

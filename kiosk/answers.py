"""Recording answers: validate one answer against its question, insert it once, count it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kiosk.errors import N_, CampaignClosedError, InvalidAnswerError, NotFoundError
from kiosk.models import (
    AnswerCount,
    Campaign,
    Location,
    OptionCount,
    Question,
    QuestionKind,
    Response,
    ResponseOption,
    WishState,
    campaign_location,
    utcnow,
)

FormData = Mapping[str, Sequence[str]]
"""Submitted fields as lists of strings, the shape of a form or query string."""


@dataclass(frozen=True)
class Answer:
    """One validated answer, ready to be stored."""

    uuid: uuid.UUID
    visit_id: uuid.UUID | None
    question: Question
    option_ids: tuple[int, ...] = ()
    value: int | None = None
    text: str | None = None


def _one(form: FormData, name: str) -> str:
    values = form.get(name) or []
    return values[0].strip() if values else ""


def parse_uuid(raw: str, *, field: str) -> uuid.UUID:
    """Parse a UUID sent by a client, refusing anything else with a readable error."""
    try:
        return uuid.UUID(raw)
    except (ValueError, AttributeError, TypeError):
        raise InvalidAnswerError(
            N_("The form was damaged (%(field)s). Please start again."), field=field
        ) from None


def parse_answer(question: Question, form: FormData, *, wish_max_chars: int) -> Answer:
    """Turn submitted fields into an Answer for this question, or raise InvalidAnswerError."""
    answer_uuid = parse_uuid(_one(form, "uuid"), field="uuid")
    raw_visit = _one(form, "visit")
    visit_id = parse_uuid(raw_visit, field="visit") if raw_visit else None
    visible = {option.id: option for option in question.options if not option.hidden}

    if question.kind == QuestionKind.WISH:
        text = _one(form, "text")
        if not text:
            raise InvalidAnswerError(N_("Please write your wish, or skip this question."))
        if len(text) > wish_max_chars:
            raise InvalidAnswerError(
                N_("Your wish is too long: at most %(max)d characters, please."),
                max=wish_max_chars,
            )
        return Answer(answer_uuid, visit_id, question, text=text)

    if question.kind == QuestionKind.SCALE:
        raw_value = _one(form, "value")
        try:
            value = int(raw_value)
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
    limit = 1 if question.kind == QuestionKind.SINGLE else (question.max_choices or len(visible))
    if len(option_ids) > 1 and limit == 1:
        raise InvalidAnswerError(N_("Please choose only one answer."))
    if len(option_ids) > limit:
        raise InvalidAnswerError(N_("Please choose at most %(max)d answers."), max=limit)
    return Answer(answer_uuid, visit_id, question, option_ids=option_ids)


def find_location(session: Session, code: str) -> Location:
    """Return the location with this QR code, or raise NotFoundError."""
    location = session.scalar(select(Location).where(Location.code == code.lower()))
    if location is None:
        raise NotFoundError(N_("There is no place with the code “%(code)s”."), code=code[:40])
    return location


def running_campaign(session: Session, location: Location, at: dt.datetime) -> Campaign | None:
    """Return the campaign open at this location at that time (the earliest started), if any."""
    return session.scalars(
        select(Campaign)
        .join(campaign_location, campaign_location.c.campaign_id == Campaign.id)
        .where(campaign_location.c.location_id == location.id)
        .where((Campaign.starts_at.is_(None)) | (Campaign.starts_at <= at))
        .where((Campaign.ends_at.is_(None)) | (Campaign.ends_at > at))
        .order_by(Campaign.starts_at, Campaign.id)
    ).first()


def question_of(campaign: Campaign, raw_question_id: str) -> Question:
    """Return the campaign's question with this id; another campaign's question is refused."""
    try:
        question_id = int(raw_question_id)
    except ValueError:
        raise InvalidAnswerError(
            N_("The form was damaged (%(field)s). Please start again."), field="question"
        ) from None
    for question in campaign.questions:
        if question.id == question_id:
            return question
    raise InvalidAnswerError(N_("This question does not belong to the survey at this place."))


def _insert(session: Session):  # type: ignore[no-untyped-def]
    """Return the dialect's INSERT construct, which knows ON CONFLICT."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def record_answer(
    session: Session,
    answer: Answer,
    *,
    location: Location,
    channel: str,
    source: str | None = None,
    client_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """Store an answer once and count it; return False when its UUID was stored before.

    The caller commits. The response, its options and the counters go in one transaction,
    so a tally can never disagree with the responses behind it.
    """
    now = now or utcnow()
    campaign = answer.question.campaign
    if not campaign.is_open(now):
        raise CampaignClosedError()
    if location not in campaign.locations:
        raise InvalidAnswerError(N_("This question does not belong to the survey at this place."))

    insert = _insert(session)
    response_id = session.execute(
        insert(Response)
        .values(
            uuid=answer.uuid,
            visit_id=answer.visit_id,
            campaign_id=campaign.id,
            question_id=answer.question.id,
            location_id=location.id,
            channel=channel,
            source=source,
            value=answer.value,
            text=answer.text,
            wish_state=WishState.PENDING.value if answer.text is not None else None,
            client_at=client_at,
            received_at=now,
        )
        .on_conflict_do_nothing(index_elements=["uuid"])
        .returning(Response.id)
    ).scalar()
    if response_id is None:
        return False

    key = {"location_id": location.id, "channel": channel}
    if answer.option_ids:
        session.execute(
            insert(ResponseOption),
            [{"response_id": response_id, "option_id": oid} for oid in answer.option_ids],
        )
        upsert = insert(OptionCount).values(
            [
                {**key, "option_id": oid, "question_id": answer.question.id, "count": 1}
                for oid in answer.option_ids
            ]
        )
        session.execute(
            upsert.on_conflict_do_update(
                index_elements=["location_id", "option_id", "channel"],
                set_={"count": OptionCount.count + 1},
            )
        )
    upsert = insert(AnswerCount).values(**key, question_id=answer.question.id, count=1)
    session.execute(
        upsert.on_conflict_do_update(
            index_elements=["location_id", "question_id", "channel"],
            set_={"count": AnswerCount.count + 1},
        )
    )
    return True

"""Central's side of sync: store a batch of responses from a kiosk node, idempotently by UUID.

Every item gets its own verdict, so one bad item never costs the others:
- "stored": new, now counted;
- "duplicate": this UUID with this content was stored before (a resend): acknowledged;
- "conflict": this UUID was stored before with other content: the first stays, this one is
  kept in rejected_response for a person to look at;
- "rejected": the item is malformed or does not fit the configuration (kept likewise).
The node forgets an item once it is stored or a duplicate; it holds the others.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.answers import Answer, parse_answer, record_answer
from kiosk.catalog import Catalog
from kiosk.errors import KioskError
from kiosk.models import Device, RejectedResponse, Response, ResponseOption, utcnow

MAX_BATCH = 1000


@dataclass(frozen=True)
class Verdict:
    """What central did with one item."""

    uuid: str
    status: str  # stored | duplicate | conflict | rejected
    error: str | None = None

    @property
    def acknowledged(self) -> bool:
        """Whether the node may forget the item (central holds it)."""
        return self.status in ("stored", "duplicate")


class ItemError(ValueError):
    """An item that cannot be read at all."""


def _as_form(item: dict[str, Any]) -> dict[str, list[str]]:
    """An item in the shape the public forms have, so both share one validation."""

    def text(name: str) -> list[str]:
        value = item.get(name)
        if value is None:
            return []
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise ItemError(f"{name} must be a string or a number")
        text = str(value)
        if "\x00" in text:
            raise ItemError(f"{name} contains a NUL character")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ItemError(f"{name} is not valid text") from None
        return [text]

    option_ids = item.get("option_ids") or []
    if not isinstance(option_ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in option_ids
    ):
        raise ItemError("option_ids must be a list of numbers")
    return {
        "uuid": text("uuid"),
        "visit": text("visit_id"),
        "value": text("value"),
        "text": text("text"),
        "option": [str(i) for i in option_ids],
    }


def _answered_at(item: dict[str, Any]) -> dt.datetime | None:
    raw = item.get("answered_at")
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise ItemError("answered_at must be an ISO 8601 time")
    try:
        when = dt.datetime.fromisoformat(raw)
        if when.tzinfo is None:
            raise ItemError("answered_at needs a UTC offset")
        return when.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise ItemError("answered_at must be an ISO 8601 time") from None


def _same_content(session: Session, answer: Answer, location_id: int) -> bool:
    """Whether the stored response with this UUID says what the answer says."""
    stored = session.execute(
        select(
            Response.id,
            Response.question_id,
            Response.location_id,
            Response.visit_id,
            Response.value,
            Response.text,
        ).where(Response.uuid == answer.uuid)
    ).one()
    options = set(
        session.scalars(
            select(ResponseOption.option_id).where(ResponseOption.response_id == stored.id)
        )
    )
    return (
        stored.question_id == answer.question.id
        and stored.location_id == location_id
        and stored.visit_id == answer.visit_id
        and stored.value == answer.value
        and stored.text == answer.text
        and options == set(answer.option_ids)
    )


def _clean(text: str, limit: int) -> str:
    """Text any database column takes: no NUL, no lone surrogates."""
    return text[:limit].replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def _storable(item: Any) -> dict[str, Any]:
    try:
        json.dumps(item, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError, TypeError):
        return {"unreadable": _clean(repr(item), 2000)}
    if isinstance(item, dict) and "\x00" not in json.dumps(item):
        return item
    return {"item": _clean(repr(item), 2000)}


def _keep(session: Session, device: Device, item: Any, reason: str, detail: str) -> None:
    """Keep a refused item for a person to look at, once per device, UUID and reason."""
    raw_uuid = item.get("uuid") if isinstance(item, dict) else None
    uuid_text = _clean(str(raw_uuid), 64) if raw_uuid is not None else ""
    seen = session.scalar(
        select(RejectedResponse.id)
        .where(
            RejectedResponse.device_id == device.id,
            RejectedResponse.uuid == uuid_text,
            RejectedResponse.reason == reason,
        )
        .limit(1)
    )
    if seen is not None and uuid_text:
        return
    session.add(
        RejectedResponse(
            uuid=uuid_text,
            device_id=device.id,
            reason=reason,
            detail=_clean(detail, 2000),
            payload=_storable(item),
        )
    )
    session.flush()


def ingest(
    session: Session,
    catalog: Catalog,
    device: Device,
    items: list[Any],
    *,
    wish_max_chars: int,
    now: dt.datetime | None = None,
) -> list[Verdict]:
    """Store what is new of a batch from a device; the caller commits once."""
    now = now or utcnow()
    # Items go in a fixed order (place, question, UUID), so that two workers storing batches
    # for the same place take the counter rows' locks in the same order and never deadlock.
    order = sorted(range(len(items)), key=lambda index: _sort_key(items[index]))
    verdicts: list[Verdict | None] = [None] * len(items)
    for index in order:
        verdicts[index] = _one(
            session, catalog, device, items[index], wish_max_chars=wish_max_chars, now=now
        )
    return [verdict for verdict in verdicts if verdict is not None]


def _sort_key(item: Any) -> tuple[str, int, str]:
    if not isinstance(item, dict):
        return ("", 0, "")
    question = item.get("question_id")
    return (
        str(item.get("location", "")),
        question if isinstance(question, int) and not isinstance(question, bool) else 0,
        str(item.get("uuid", "")),
    )


def _one(
    session: Session,
    catalog: Catalog,
    device: Device,
    item: Any,
    *,
    wish_max_chars: int,
    now: dt.datetime,
) -> Verdict:
    """The verdict on one item, storing it if it is new."""
    raw_uuid = str(item.get("uuid", "")) if isinstance(item, dict) else ""
    try:
        if not isinstance(item, dict):
            raise ItemError("each item must be an object")
        location = catalog.location(str(item.get("location", "")))
        question_id = item.get("question_id")
        if not isinstance(question_id, int) or isinstance(question_id, bool):
            raise ItemError("question_id must be a number")
        campaign = catalog.campaign_of_question.get(question_id)
        question = campaign.question(question_id) if campaign else None
        if campaign is None or question is None:
            raise ItemError("unknown question")
        answer = parse_answer(
            question, _as_form(item), wish_max_chars=wish_max_chars, allow_hidden=True
        )
        stored = record_answer(
            session,
            answer,
            campaign=campaign,
            location_id=location.id,
            channel="kiosk",
            device_id=device.id,
            client_at=_answered_at(item),
            now=now,
        )
    except (ItemError, KioskError) as error:
        detail = error.message % error.params if isinstance(error, KioskError) else str(error)
        _keep(session, device, item, "rejected", detail)
        return Verdict(raw_uuid, "rejected", detail)
    if stored:
        return Verdict(str(answer.uuid), "stored")
    if _same_content(session, answer, location.id):
        return Verdict(str(answer.uuid), "duplicate")
    _keep(session, device, item, "conflict", "this UUID was stored with other content")
    return Verdict(str(answer.uuid), "conflict", "stored with other content")


def import_items(
    session: Session,
    catalog: Catalog,
    device: Device,
    items: list[Any],
    *,
    wish_max_chars: int,
) -> dict[str, int]:
    """Ingest a carried batch file; count the verdicts. The caller commits."""
    counts = {"stored": 0, "duplicate": 0, "conflict": 0, "rejected": 0}
    for verdict in ingest(session, catalog, device, items, wish_max_chars=wish_max_chars):
        counts[verdict.status] += 1
    return counts

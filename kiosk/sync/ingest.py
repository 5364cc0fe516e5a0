"""Central's side of sync: store a batch of responses from a kiosk node, idempotently by UUID.

Every item gets its own verdict, so one bad item never costs the others:
- "stored": new, now counted;
- "duplicate": this UUID with this content was stored before (a resend): acknowledged;
- "conflict": this UUID was stored before with other content: the first stays, this one is
  kept in rejected_response for a person to look at;
- "rejected": the item is malformed or does not fit the configuration (kept likewise);
- "aside": a valid answer for a place the device is not assigned to: kept aside in
  aside_response, not counted, until an editor or admin of that place's area releases it
  (then it is stored as if sent now) or rejects it. A token taken from one kiosk cannot add
  answers anywhere else, and a kiosk carried to another site loses nothing.
The node forgets an item once it is stored, a duplicate or aside; it holds the others.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.collect.answers import Answer, check_answer, parse_answer, response_row
from kiosk.collect.catalog import Catalog
from kiosk.core.errors import KioskError
from kiosk.models import (
    Actor,
    AsideResponse,
    Device,
    RejectedResponse,
    Response,
    ResponseOption,
    audit,
    device_place,
    upsert_insert,
    utcnow,
)
from kiosk.models.dialect import insert_new_responses, insert_response_options

MAX_BATCH = 1000


@dataclass(frozen=True)
class Verdict:
    """What central did with one item."""

    uuid: str
    status: str  # stored | duplicate | conflict | rejected | aside
    error: str | None = None

    @property
    def acknowledged(self) -> bool:
        """Whether the node may forget the item (central holds it)."""
        return self.status in ACKNOWLEDGED


ACKNOWLEDGED = ("stored", "duplicate", "aside")
"""The verdicts after which a node forgets an item: central holds it, counted or aside."""


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


@dataclass(frozen=True)
class _Ready:
    """An item that passed validation, waiting to be stored."""

    index: int
    answer: Answer
    location_id: int
    row: dict[str, Any]
    item: dict[str, Any]


CLOCK_TOLERANCE = dt.timedelta(minutes=2)
"""A node clock this close to central's is taken as it is (network and queueing jitter)."""


def estimate_answered_at(
    client_at: dt.datetime | None, *, clock_offset: dt.timedelta | None, now: dt.datetime
) -> dt.datetime:
    """When an answer was given, as best central can tell from a node's clock.

    The node's time is corrected by how far its clock was off when it delivered the batch
    (clock_offset: node minus central; unknown for a carried file), and an answer is never
    newer than its arrival. An answer that still looks older than its campaign is refused
    and kept aside for a person, not moved to a time nobody knows.
    """
    if client_at is None:
        return now
    answered = client_at
    if clock_offset is not None and abs(clock_offset) > CLOCK_TOLERANCE:
        try:
            answered = client_at - clock_offset
        except OverflowError:  # past the year 9999 or before the year 1
            answered = (
                now if clock_offset < dt.timedelta(0) else dt.datetime.min.replace(tzinfo=dt.UTC)
            )
    return min(answered, now)


def _prepare(
    catalog: Catalog,
    device: Device,
    item: Any,
    index: int,
    *,
    wish_max_chars: int,
    now: dt.datetime,
    clock_offset: dt.timedelta | None,
) -> _Ready:
    """Validate one item against the configuration, or raise ItemError or a KioskError."""
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
    client_at = _answered_at(item)
    answered_at = estimate_answered_at(client_at, clock_offset=clock_offset, now=now)
    check_answer(answer, campaign=campaign, location_id=location.id, at=answered_at)
    row = response_row(
        answer,
        campaign=campaign,
        location_id=location.id,
        channel="kiosk",
        device_id=device.id,
        client_at=client_at,
        answered_at=answered_at,
        now=now,
    )
    return _Ready(index, answer, location.id, row, item)


def ingest(
    session: Session,
    catalog: Catalog,
    device: Device,
    items: list[Any],
    *,
    wish_max_chars: int,
    now: dt.datetime | None = None,
    clock_offset: dt.timedelta | None = None,
    hold_aside: bool = True,
) -> list[Verdict]:
    """Store what is new of a batch from a device; the caller commits once.

    clock_offset is how far the device's clock is ahead of central's (None: not known);
    its answers' times are corrected by it (estimate_answered_at). Answers for places the
    device is not assigned to are kept aside (verdict "aside"), unless hold_aside is False:
    a person released them.

    Set-based: one multi-row INSERT … ON CONFLICT DO NOTHING for the batch, one for the
    options; only the UUIDs that were there already are compared with what is stored.
    """
    now = now or utcnow()
    verdicts: dict[int, Verdict] = {}
    ready: dict[UUID, _Ready] = {}
    repeated: list[_Ready] = []  # the same UUID twice in one batch: judged after the first
    aside: dict[UUID, _Ready] = {}  # for places the device is not assigned to
    assigned = assigned_places(session, device) if hold_aside else None
    for index, item in enumerate(items):
        try:
            prepared = _prepare(
                catalog,
                device,
                item,
                index,
                wish_max_chars=wish_max_chars,
                now=now,
                clock_offset=clock_offset,
            )
        except (ItemError, KioskError) as error:
            detail = error.message % error.params if isinstance(error, KioskError) else str(error)
            _keep(session, device, item, "rejected", detail)
            raw_uuid = str(item.get("uuid", "")) if isinstance(item, dict) else ""
            verdicts[index] = Verdict(raw_uuid, "rejected", detail)
            continue
        if prepared.answer.uuid in ready or prepared.answer.uuid in aside:
            repeated.append(prepared)
        elif assigned is not None and prepared.location_id not in assigned:
            aside[prepared.answer.uuid] = prepared
        else:
            ready[prepared.answer.uuid] = prepared
    # What is stored already under a UUID is judged as a resend, wherever it was sent for.
    known = _same_as_stored(session, [r.answer for r in aside.values()])
    for uuid in [u for u in aside if u in known]:
        repeated.append(aside.pop(uuid))
    _hold_aside(session, device, list(aside.values()), now=now, clock_offset=clock_offset)
    for r in aside.values():
        verdicts[r.index] = Verdict(str(r.answer.uuid), "aside")

    # UUID order: two workers storing overlapping batches wait for each other's UUIDs in the
    # same order and never deadlock (the counter triggers sort their own rows likewise).
    order = sorted(ready.values(), key=lambda r: r.answer.uuid)
    connection = session.connection()
    stored = insert_new_responses(connection, [r.row for r in order]) if order else {}
    insert_response_options(
        connection,
        [
            (stored[r.answer.uuid], option_id)
            for r in order
            if r.answer.uuid in stored
            for option_id in r.answer.option_ids
        ],
    )

    earlier = [r for r in order if r.answer.uuid not in stored] + repeated
    same = _same_as_stored(session, [r.answer for r in earlier])
    for r in order:
        if r.answer.uuid in stored:
            verdicts[r.index] = Verdict(str(r.answer.uuid), "stored")
    for r in earlier:
        if r.answer.uuid in aside and r.answer.uuid not in same:
            # The same UUID twice in a batch for a place aside: aside, as the first.
            verdicts[r.index] = Verdict(str(r.answer.uuid), "aside")
        elif _agrees(same.get(r.answer.uuid), _content(r.answer, r.location_id)):
            verdicts[r.index] = Verdict(str(r.answer.uuid), "duplicate")
        else:
            _keep(
                session,
                device,
                items[r.index],
                "conflict",
                "this UUID was stored with other content",
            )
            verdicts[r.index] = Verdict(str(r.answer.uuid), "conflict", "stored with other content")
    return [verdicts[index] for index in range(len(items))]


ITEM_FIELDS = (
    "uuid",
    "visit_id",
    "location",
    "question_id",
    "option_ids",
    "value",
    "text",
    "answered_at",
)
"""What an item of a batch says; what is kept of one held aside."""


def assigned_places(session: Session, device: Device) -> frozenset[int]:
    """The ids of the places a device is assigned to (its own among them)."""
    return frozenset(
        session.scalars(
            select(device_place.c.location_id).where(device_place.c.device_id == device.id)
        )
    ) | {device.location_id}


def _hold_aside(
    session: Session,
    device: Device,
    aside: list[_Ready],
    *,
    now: dt.datetime,
    clock_offset: dt.timedelta | None,
) -> None:
    """Keep answers for places the device is not assigned to, uncounted; a resend adds none."""
    if not aside:
        return
    offset_ms = None if clock_offset is None else round(clock_offset.total_seconds() * 1000)
    if offset_ms is not None:
        offset_ms = max(-(2**31) + 1, min(2**31 - 1, offset_ms))
    connection = session.connection()
    rows = [
        {
            "uuid": r.answer.uuid,
            "device_id": device.id,
            "location_id": r.location_id,
            "payload": {k: r.item[k] for k in ITEM_FIELDS if k in r.item},
            "clock_offset_ms": offset_ms,
            "received_at": now,
        }
        for r in sorted(aside, key=lambda r: r.answer.uuid)
    ]
    connection.execute(
        upsert_insert(connection.dialect.name)(AsideResponse).on_conflict_do_nothing(
            index_elements=["uuid"]
        ),
        rows,
    )


Content = tuple[int, int, UUID | None, int | None, str | None, frozenset[int]]


def _content(answer: Answer, location_id: int) -> Content:
    return (
        answer.question.id,
        location_id,
        answer.visit_id,
        answer.value,
        answer.text,
        frozenset(answer.option_ids),
    )


def _agrees(stored: Content | None, sent: Content) -> bool:
    """Whether a resent answer is the one stored, as far as what is stored still says.

    A wish whose text a moderator removed is stored with "" (an empty wish is never taken),
    and retention removes visit numbers: a resend of such an answer is the same answer, and
    its text must not come back by way of the kept-aside conflicts.
    """
    if stored is None:
        return False
    question, location, visit, value, text, options = stored
    sent_question, sent_location, sent_visit, sent_value, sent_text, sent_options = sent
    return (
        (question, location, value, options)
        == (sent_question, sent_location, sent_value, sent_options)
        and (visit is None or visit == sent_visit)
        and (text == "" or text == sent_text)
    )


def _same_as_stored(session: Session, answers: list[Answer]) -> dict[UUID, Content]:
    """What is stored under these UUIDs, in the shape _content gives an answer."""
    found: dict[UUID, Content] = {}
    uuids = list({a.uuid for a in answers})
    for start in range(0, len(uuids), 5000):
        rows = session.execute(
            select(
                Response.id,
                Response.uuid,
                Response.question_id,
                Response.location_id,
                Response.visit_id,
                Response.value,
                Response.text,
            ).where(Response.uuid.in_(uuids[start : start + 5000]))
        ).all()
        picked: dict[int, set[int]] = {}
        for response_id, option_id in session.execute(
            select(ResponseOption.response_id, ResponseOption.option_id).where(
                ResponseOption.response_id.in_([row.id for row in rows])
            )
        ):
            picked.setdefault(response_id, set()).add(option_id)
        for row in rows:
            found[row.uuid] = (
                row.question_id,
                row.location_id,
                row.visit_id,
                row.value,
                row.text,
                frozenset(picked.get(row.id, ())),
            )
    return found


def import_items(
    session: Session,
    catalog: Catalog,
    device: Device,
    items: list[Any],
    *,
    wish_max_chars: int,
    actor: Actor,
) -> dict[str, int]:
    """Ingest a carried batch file; count the verdicts and audit them. The caller commits."""
    counts = {"stored": 0, "duplicate": 0, "aside": 0, "conflict": 0, "rejected": 0}
    for verdict in ingest(session, catalog, device, items, wish_max_chars=wish_max_chars):
        counts[verdict.status] += 1
    audit(session, actor, "kiosk-import", device=device.id, **counts)
    return counts

"""A kiosk node's side of sync: send the outbox to central, forget only what it acknowledged."""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from kiosk.core.errors import N_, KioskError
from kiosk.core.safejson import load_json
from kiosk.models import Location, Outbox, Response, ResponseOption, utcnow
from kiosk.safety.safeguards import refusals_by_day
from kiosk.sync.configuration import apply_config
from kiosk.sync.ingest import ACKNOWLEDGED

Transport = Callable[[list[dict[str, Any]], dict[str, Any]], list[dict[str, Any]]]
"""Sends a batch (and what the node says of itself) to central and returns its verdicts;
raises SyncError if it could not."""


class SyncError(Exception):
    """Central could not be reached or did not answer properly; try again later."""


class SyncAuthError(SyncError):
    """Central refused this node's token: enrol again. Nothing is dropped meanwhile."""


@dataclass
class SyncReport:
    """What one round of sending did."""

    sent: int = 0
    acknowledged: int = 0
    held: int = 0
    remaining: int = 0


def outbox_batch(
    session: Session, limit: int, *, after_id: int = 0
) -> list[tuple[int, dict[str, Any]]]:
    """The oldest unsent responses (past after_id), as (response id, item for central)."""
    rows = session.execute(
        select(
            Response.id,
            Response.uuid,
            Response.visit_id,
            Location.code,
            Response.question_id,
            Response.value,
            Response.text,
            Response.received_at,
        )
        .join(Outbox, Outbox.response_id == Response.id)
        .join(Location, Location.id == Response.location_id)
        .where(Outbox.held_reason.is_(None), Outbox.response_id > after_id)
        .order_by(Outbox.response_id)
        .limit(limit)
    ).all()
    options: dict[int, list[int]] = {}
    ids = [row.id for row in rows]
    for start in range(0, len(ids), 10_000):  # SQLite allows only so many bound values
        for response_id, option_id in session.execute(
            select(ResponseOption.response_id, ResponseOption.option_id)
            .where(ResponseOption.response_id.in_(ids[start : start + 10_000]))
            .order_by(ResponseOption.option_id)
        ):
            options.setdefault(response_id, []).append(option_id)
    return [
        (
            row.id,
            {
                "uuid": str(row.uuid),
                "visit_id": str(row.visit_id) if row.visit_id else None,
                "location": row.code,
                "question_id": row.question_id,
                "option_ids": options.get(row.id, []),
                "value": row.value,
                "text": row.text,
                "answered_at": row.received_at.isoformat(),  # the node's own clock
            },
        )
        for row in rows
    ]


Batch = list[tuple[int, dict[str, Any]]]


def _settle(session: Session, batch: Batch, verdicts: list[dict[str, Any]]) -> tuple[int, int]:
    """Drop from the outbox what central acknowledged, hold what it refused, and commit.

    Returns (acknowledged, held). An item without a verdict stays in line.
    """
    by_uuid = {item["uuid"]: response_id for response_id, item in batch}
    done = [
        by_uuid[v["uuid"]]
        for v in verdicts
        if v.get("status") in ACKNOWLEDGED and v.get("uuid") in by_uuid
    ]
    held = {
        by_uuid[v["uuid"]]: f"{v.get('status')}: {v.get('error', '')}"
        for v in verdicts
        if v.get("status") in ("conflict", "rejected") and v.get("uuid") in by_uuid
    }
    if done:
        session.execute(delete(Outbox).where(Outbox.response_id.in_(done)))
    for response_id, reason in held.items():
        session.execute(
            update(Outbox)
            .where(Outbox.response_id == response_id)
            .values(held_reason=reason[:1000])
        )
    session.commit()
    return len(done), len(held)


def _unsent(session: Session) -> int:
    return (
        session.scalar(select(func.count()).select_from(Outbox).where(Outbox.held_reason.is_(None)))
        or 0
    )


def send_round(session: Session, transport: Transport, *, batch_size: int = 500) -> SyncReport:
    """Send one batch; drop from the outbox what central acknowledged, hold what it refused."""
    batch = outbox_batch(session, batch_size)
    report = SyncReport(sent=len(batch))
    if batch:
        verdicts = transport([item for _, item in batch], node_status(session))
        report.acknowledged, report.held = _settle(session, batch, verdicts)
    report.remaining = _unsent(session)
    return report


def send_pass(
    session: Session, transport: Transport, *, batch_size: int = 500, in_flight: int = 2
) -> SyncReport:
    """Send everything unsent, with up to in_flight batches on their way at once.

    While central stores one batch, the node reads the next one and a second batch can be
    stored by another of central's workers. Verdicts are settled in the order the batches
    went out. If a send fails, the batches already on their way are still settled (what
    central acknowledged leaves the outbox) and then the failure is raised.
    """
    report = SyncReport()
    status = node_status(session)  # counted once per pass: two full counts per batch add up
    unsent_at_start = status["unsent"]
    after_id = 0
    waiting: deque[tuple[Future[list[dict[str, Any]]], Batch]] = deque()
    failure: SyncError | None = None
    with ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="sync") as pool:
        while True:
            while failure is None and len(waiting) < in_flight:
                batch = outbox_batch(session, batch_size, after_id=after_id)
                if not batch:
                    break
                after_id = batch[-1][0]
                report.sent += len(batch)
                status = {
                    **status,
                    "clock": utcnow().isoformat(),
                    "unsent": max(0, unsent_at_start - report.acknowledged - report.held),
                }
                waiting.append((pool.submit(transport, [i for _, i in batch], status), batch))
            if not waiting:
                break
            future, batch = waiting.popleft()
            try:
                verdicts = future.result()
            except SyncError as error:  # a refused token outranks a network failure
                if failure is None or isinstance(error, SyncAuthError):
                    failure = error
                continue
            acknowledged, held = _settle(session, batch, verdicts)
            report.acknowledged += acknowledged
            report.held += held
    if failure is not None:
        raise failure
    report.remaining = _unsent(session)
    return report


def node_status(session: Session) -> dict[str, Any]:
    """What the node tells central of itself: clock, answers taken, unsent and turned away.

    Turned away: by its cooldown, per day of the latest days.
    """
    now = utcnow()
    return {
        "clock": now.isoformat(),
        "captured": session.scalar(select(func.count()).select_from(Response)) or 0,
        "unsent": session.scalar(select(func.count()).select_from(Outbox)) or 0,
        "refused": refusals_by_day(session, today=now.date()),
    }


def release_held(session: Session) -> int:
    """Put answers central refused back in line (e.g. after its configuration was fixed)."""
    held = list(session.scalars(select(Outbox.response_id).where(Outbox.held_reason.is_not(None))))
    if held:
        session.execute(update(Outbox).where(Outbox.response_id.in_(held)).values(held_reason=None))
    return len(held)


def http_transport(central_url: str, token: str, *, timeout: float = 30) -> Transport:
    """A transport that POSTs to central's /api/v1/responses with the device token."""
    endpoint = central_url.rstrip("/") + "/api/v1/responses"

    def send(items: list[dict[str, Any]], status: dict[str, Any]) -> list[dict[str, Any]]:
        request = urllib.request.Request(  # noqa: S310 - the operator configures the URL
            endpoint,
            data=json.dumps({"responses": items, "node": status}).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
                body = json.load(answer)
        except urllib.error.HTTPError as error:
            if error.code == 401:
                raise SyncAuthError("central refused this kiosk's token") from error
            raise SyncError(f"central answered {error.code}") from error
        except (OSError, ValueError) as error:  # refused, reset, timed out, garbled
            raise SyncError(str(error)) from error
        results = body.get("results") if isinstance(body, dict) else None
        if not isinstance(results, list):
            raise SyncError("central's answer has no results")
        return [r for r in results if isinstance(r, dict)]

    return send


def pull_config(
    session: Session, central_url: str, token: str, etag: str | None, *, timeout: float = 30
) -> str | None:
    """Fetch central's configuration unless it is unchanged (ETag); apply and commit it.

    Returns the new ETag (the same one when nothing changed).
    """
    request = urllib.request.Request(  # noqa: S310 - the operator configures the URL
        central_url.rstrip("/") + "/api/v1/config",
        headers={"Authorization": f"Bearer {token}", **({"If-None-Match": etag} if etag else {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            document = json.load(answer)
            new_etag = answer.headers.get("ETag")
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return etag
        if error.code == 401:
            raise SyncAuthError("central refused this kiosk's token") from error
        raise SyncError(f"central answered {error.code}") from error
    except (OSError, ValueError) as error:
        raise SyncError(str(error)) from error
    apply_config(session, document)
    session.commit()
    return str(new_etag) if new_etag else None


def sync(
    make_session: Callable[[], Session],
    transport: Transport,
    *,
    batch_size: int = 500,
    in_flight: int = 2,
    forever: bool = False,
    idle_seconds: float = 30,
    max_backoff: float = 300,
    attempts: int = 5,
    sleep: Callable[[float], None] = time.sleep,
    log: Callable[[str], None] = print,
    before_pass: Callable[[], None] | None = None,
) -> SyncReport:
    """Send until the outbox is empty (or, with forever, keep watching it).

    before_pass runs before each pass over the outbox (the CLI pulls central's configuration
    there, so a node that runs for weeks follows every change).

    Failures back off exponentially with full jitter up to max_backoff; without forever,
    the last of `attempts` failures in a row is raised. A refused token stops at once
    (enrol again). Nothing leaves the outbox without central's acknowledgement.
    """
    total = SyncReport()
    failures = 0
    while True:
        try:
            if before_pass is not None:
                before_pass()
            with make_session() as session:
                report = send_pass(session, transport, batch_size=batch_size, in_flight=in_flight)
        except SyncAuthError:
            raise
        except SyncError as error:
            failures += 1
            if not forever and failures >= attempts:
                raise
            pause = random.uniform(0, min(max_backoff, 2**failures))  # noqa: S311 - jitter
            log(f"sync failed ({error}); next try in {pause:.1f} s")
            sleep(pause)
            continue
        failures = 0
        total.sent += report.sent
        total.acknowledged += report.acknowledged
        total.held += report.held
        total.remaining = report.remaining
        if report.remaining and report.acknowledged + report.held:
            continue
        if not forever:
            return total
        sleep(idle_seconds)


BATCH_FILE_FORMAT = "kiosk-batch/1"


def export_outbox(session: Session, *, device_id: int | None) -> dict[str, Any]:
    """Everything still unsent, as a document to carry to central on a USB stick.

    The outbox is left as it is: central acknowledges these UUIDs as duplicates when the node
    reaches it later, so carrying a file and syncing both are safe, in any order.
    """
    items = [item for _, item in outbox_batch(session, limit=10_000_000)]
    return {
        "format": BATCH_FILE_FORMAT,
        "device_id": device_id,
        "exported_at": utcnow().isoformat(),
        "responses": items,
    }


class BatchFileError(KioskError):
    """A file that is not a batch exported by a kiosk."""

    status = 422
    message = N_("This is not a batch file exported by a kiosk.")


def read_batch_file(raw: bytes) -> tuple[int | None, list[Any]]:
    """The device id and the items of an exported batch file, or BatchFileError."""
    try:
        document = load_json(raw)
    except ValueError:  # also UnicodeDecodeError
        raise BatchFileError() from None
    if not isinstance(document, dict) or document.get("format") != BATCH_FILE_FORMAT:
        raise BatchFileError()
    items = document.get("responses")
    device_id = document.get("device_id")
    known = device_id is None or (type(device_id) is int and 0 < device_id < 2**31)
    if not isinstance(items, list) or not known:
        raise BatchFileError(N_("This kiosk batch file is damaged."))
    return device_id, items

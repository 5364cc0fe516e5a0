"""Tallies and raw responses as CSV (for a German Excel) and JSON, streamed row by row."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import CHANNELS, Location, Option, Question, Response, ResponseOption
from kiosk.tallies import CampaignTally, Scope, ScopeKind

SEPARATORS = {"semicolon": ";", "comma": ",", "tab": "\t"}
"""Selectable CSV separators; a German Excel expects the semicolon."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BATCH = 2000


def _cell(value: Any) -> Any:
    """Keep a text cell from being read as a formula by a spreadsheet."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _decimal(value: float, separator: str) -> str:
    """Format a share so the spreadsheet reads it as a number in its locale."""
    formatted = f"{value:.4f}"
    return formatted.replace(".", ",") if separator == ";" else formatted


def csv_stream(header: list[str], rows: Iterable[list[Any]], separator: str) -> Iterator[str]:
    """Yield CSV text in chunks: a BOM so Excel reads UTF-8, then a line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(header)
    for number, row in enumerate(rows, start=1):
        writer.writerow([_cell(value) for value in row])
        if number % _BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


TALLY_HEADER = [
    "campaign",
    "question_position",
    "question",
    "option_position",
    "option",
    "pictogram",
    *[f"count_{channel}" for channel in CHANNELS],
    "count_total",
    "answers_total",
    "share",
]


def tally_rows(
    tallies: list[CampaignTally], separator: str, lang: str = "de"
) -> Iterator[list[Any]]:
    """One row per option (and one per wish question), ready for csv_stream."""
    for campaign in tallies:
        for q in campaign.questions:
            if not q.options:
                yield [
                    campaign.campaign.title,
                    q.question.position,
                    q.question.texts.get(lang) or q.question.texts["de"],
                    "",
                    "",
                    "",
                    *[q.answers_by_channel[c] for c in CHANNELS],
                    q.answers,
                    q.answers,
                    "",
                ]
            for o in q.options:
                yield [
                    campaign.campaign.title,
                    q.question.position,
                    q.question.texts.get(lang) or q.question.texts["de"],
                    o.option.position,
                    o.option.texts.get(lang) or o.option.texts["de"],
                    o.option.emoji,
                    *[o.by_channel[c] for c in CHANNELS],
                    o.total,
                    q.answers,
                    _decimal(o.share, separator),
                ]


def tally_document(scope: Scope, tallies: list[CampaignTally]) -> dict[str, Any]:
    """The tally as a JSON-ready document."""
    return {
        "scope": {"kind": scope.kind.value, "id": scope.id, "name": scope.name},
        "campaigns": [
            {
                "id": c.campaign.id,
                "title": c.campaign.title,
                "questions": [
                    {
                        "id": q.question.id,
                        "position": q.question.position,
                        "kind": str(q.question.kind),
                        "texts": q.question.texts,
                        "answers": q.answers,
                        "answers_by_channel": q.answers_by_channel,
                        "mean": q.mean,
                        "options": [
                            {
                                "id": o.option.id,
                                "texts": o.option.texts,
                                "pictogram": o.option.emoji,
                                "value": o.option.value,
                                "count": o.total,
                                "by_channel": o.by_channel,
                                "share": round(o.share, 4),
                            }
                            for o in q.options
                        ],
                    }
                    for q in c.questions
                ],
            }
            for c in tallies
        ],
    }


RAW_HEADER = [
    "uuid",
    "received_at",
    "client_at",
    "campaign_id",
    "location_code",
    "location",
    "channel",
    "source",
    "visit_id",
    "question_position",
    "question",
    "answer",
    "option_ids",
    "value",
    "wish_state",
]


def raw_rows(session: Session, scope: Scope, lang: str = "de") -> Iterator[dict[str, Any]]:
    """Every response in the scope, oldest first, streamed from the database in batches."""
    questions = {
        q.id: (q.position, q.texts.get(lang) or q.texts["de"])
        for q in session.scalars(select(Question))
    }
    options = {o.id: o.texts.get(lang) or o.texts["de"] for o in session.scalars(select(Option))}
    locations = {loc.id: (loc.code, loc.name) for loc in session.scalars(select(Location))}

    query = select(
        Response.id,
        Response.uuid,
        Response.received_at,
        Response.client_at,
        Response.campaign_id,
        Response.location_id,
        Response.channel,
        Response.source,
        Response.visit_id,
        Response.question_id,
        Response.value,
        Response.text,
        Response.wish_state,
        ResponseOption.option_id,
    ).outerjoin(ResponseOption, ResponseOption.response_id == Response.id)
    if scope.kind == ScopeKind.LOCATION:
        query = query.where(Response.location_id == scope.id)
    elif scope.kind == ScopeKind.AREA:
        area_locations = select(Location.id).where(Location.area_id == scope.id)
        query = query.where(Response.location_id.in_(list(session.scalars(area_locations))))
    else:
        query = query.where(Response.campaign_id == scope.id)
    query = query.order_by(Response.id, ResponseOption.option_id)

    current: dict[str, Any] | None = None
    current_id = None
    result = session.execute(query.execution_options(yield_per=_BATCH))
    for row in result:
        if row.id != current_id:
            if current is not None:
                yield current
            current_id = row.id
            position, question_text = questions[row.question_id]
            code, name = locations[row.location_id]
            current = {
                "uuid": str(row.uuid),
                "received_at": row.received_at.isoformat(),
                "client_at": row.client_at.isoformat() if row.client_at else None,
                "campaign_id": row.campaign_id,
                "location_code": code,
                "location": name,
                "channel": row.channel,
                "source": row.source,
                "visit_id": str(row.visit_id) if row.visit_id else None,
                "question_position": position,
                "question": question_text,
                "answer": row.text if row.text is not None else "",
                "option_ids": [],
                "value": row.value,
                "wish_state": row.wish_state,
            }
        if row.option_id is not None and current is not None:
            current["option_ids"].append(row.option_id)
            label = options[row.option_id]
            current["answer"] = f"{current['answer']}; {label}" if current["answer"] else label
    if current is not None:
        yield current


def raw_csv_rows(rows: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    """Raw response documents as CSV rows in RAW_HEADER order."""
    for row in rows:
        yield [
            " ".join(str(i) for i in row[name]) if name == "option_ids" else row[name]
            for name in RAW_HEADER
        ]


def json_array_stream(items: Iterable[Any]) -> Iterator[str]:
    """Yield a JSON array in chunks without holding all items in memory."""
    parts = ["["]
    for number, item in enumerate(items):
        parts.append(("," if number else "") + json.dumps(item, ensure_ascii=False))
        if number % _BATCH == _BATCH - 1:
            yield "".join(parts)
            parts = []
    parts.append("]")
    yield "".join(parts)

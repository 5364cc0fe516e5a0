"""Tallies and raw responses as CSV (for a German Excel) and JSON, streamed row by row."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session

from kiosk.core.errors import N_
from kiosk.models import CHANNELS, Location, Option, Question, Response, ResponseOption
from kiosk.results.cells import defused
from kiosk.results.rawcsv import (
    MACHINE_NAMES,
    RAW_COLUMNS,
    RAW_HEADER,
    WISH_STATE_WORDS,
    Wording,
)
from kiosk.results.tallies import (
    CHANNEL_WORDS,
    CampaignTally,
    PlaceTally,
    QuestionTally,
    Scope,
    ScopeKind,
    channels_with_answers,
)

SEPARATORS = {"semicolon": ";", "comma": ",", "tab": "\t"}
"""Selectable CSV separators; a German Excel expects the semicolon."""

_BATCH = 2000


def _decimal(value: float, separator: str) -> str:
    """Format a share so the spreadsheet reads it as a number in its locale."""
    formatted = f"{value:.4f}"
    return formatted.replace(".", ",") if separator == ";" else formatted


def csv_stream(header: list[str], rows: Iterable[Sequence[Any]], separator: str) -> Iterator[str]:
    """Yield CSV text in chunks: a BOM so Excel reads UTF-8, then a line per row.

    Rows must already be safe for a spreadsheet (see kiosk.results.cells).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(header)
    for number, row in enumerate(rows, start=1):
        writer.writerow(row)
        if number % _BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


TALLY_COLUMNS = {
    "campaign": N_("Campaign"),
    "location_code": N_("Place code"),
    "location": N_("Place"),
    "question_number": N_("Question no."),
    "question": N_("Question"),
    "option_number": N_("Answer no."),
    "option": N_("Answer"),
    "pictogram": N_("Pictogram"),
    # then a count per channel, named by kiosk.results.tallies.CHANNEL_WORDS
    "count_total": N_("Total"),
    "answers_total": N_("People who answered the question"),
    "share": N_("Share of these people"),
}
"""The tally CSV's columns: machine name and the words for people (translated by Wording)."""


ALL_PLACES = N_("All places")
"""What the place column says of the rows that count every place of the scope (in words)."""


def words_in(translate: Callable[[str], str]) -> Wording:
    """Words in the reader's language, every one translated now.

    A raw download streams after its request has ended, where translate may no longer
    know the request's language.
    """
    messages = [
        *RAW_COLUMNS.values(),
        *TALLY_COLUMNS.values(),
        *CHANNEL_WORDS.values(),
        *WISH_STATE_WORDS.values(),
        ALL_PLACES,
    ]
    words = {message: translate(message) for message in messages}
    return Wording(words.__getitem__)


def tally_header(channels: Sequence[str]) -> list[str]:
    """The tally CSV's column names (machine names), with a count column per channel."""
    names = list(TALLY_COLUMNS)
    at = names.index("count_total")
    return names[:at] + [f"count_{channel}" for channel in channels] + names[at:]


TALLY_HEADER = tally_header(CHANNELS)
"""The tally CSV's machine names with every channel (as written with headers=names)."""


def tally_channels(tallies: list[CampaignTally], wording: Wording) -> list[str]:
    """The channels a tally download has a column for.

    Machine names keep every channel, so that scripts find the same columns each time; words
    leave out "web", which no door writes (unless an old database has answers through it).
    """
    if wording.words:
        return channels_with_answers(tallies, always=("kiosk", "qr", "paper"))
    return list(CHANNELS)


def tally_csv(
    scope: Scope,
    tallies: list[CampaignTally],
    places: list[PlaceTally],
    separator: str,
    lang: str = "de",
    wording: Wording = MACHINE_NAMES,
) -> Iterator[str]:
    """The tally as CSV text in chunks: a row per place, question and option.

    A scope of several places (an area, a campaign) has the rows of all its places first
    (an empty place code; the place column says "all places" in words, nothing with machine
    names), then each place's rows (places: tally_per_place of the scope); a place's tally
    has its own rows only.
    """
    channels = tally_channels(tallies, wording)
    header = tally_header(channels)
    words = {**TALLY_COLUMNS, **{f"count_{c}": CHANNEL_WORDS[c] for c in CHANNELS}}
    blocks: list[tuple[tuple[str, str], list[CampaignTally]]]
    if scope.kind == ScopeKind.LOCATION:
        blocks = [((scope.slug, scope.name), tallies)]  # a place's slug is its code
    else:
        everywhere = wording.word(ALL_PLACES) if wording.words else ""
        blocks = [(("", everywhere), tallies)]
        blocks += [((p.location.code, p.location.name), p.campaigns) for p in places]
    rows = (
        row
        for place, campaigns in blocks
        for row in tally_rows(campaigns, separator, lang, channels=channels, place=place)
    )
    return csv_stream(wording.header(header, words), rows, separator)


def tally_rows(
    tallies: list[CampaignTally],
    separator: str,
    lang: str = "de",
    *,
    channels: Sequence[str] = CHANNELS,
    place: tuple[str, str] = ("", ""),
) -> Iterator[list[Any]]:
    """One row per option (and one per wish question), ready for csv_stream.

    place: the code and name of the place the rows count, written defused.
    """
    code, name = defused(place[0]), defused(place[1])
    for campaign in tallies:
        title = defused(campaign.campaign.title)
        for q in campaign.questions:
            question = defused(q.question.texts.get(lang) or q.question.texts["de"])
            start = [title, code, name, q.question.position + 1, question]
            if not q.options:
                by_channel = [q.answers_by_channel[c] for c in channels]
                yield [*start, "", "", "", *by_channel, q.answers, q.answers, ""]
            for o in q.options:
                label = defused(o.option.texts.get(lang) or o.option.texts["de"])
                yield [
                    *start,
                    o.option.position + 1,
                    label,
                    defused(o.option.emoji),
                    *[o.by_channel[c] for c in channels],
                    o.total,
                    q.answers,
                    _decimal(o.share, separator),
                ]


def _question_document(q: QuestionTally) -> dict[str, Any]:
    return {
        "answers": q.answers,
        "answers_by_channel": q.answers_by_channel,
        "mean": q.mean,
    }


def tally_document(
    scope: Scope, tallies: list[CampaignTally], places: Sequence[PlaceTally] = ()
) -> dict[str, Any]:
    """The tally as a JSON-ready document; each question also counted per place (places)."""
    at_places: dict[int, list[dict[str, Any]]] = {}
    for place in places:
        for campaign in place.campaigns:
            for q in campaign.questions:
                at_places.setdefault(q.question.id, []).append(
                    {
                        "place": {
                            "id": place.location.id,
                            "code": place.location.code,
                            "name": place.location.name,
                        },
                        **_question_document(q),
                        "options": [
                            {
                                "id": o.option.id,
                                "count": o.total,
                                "by_channel": o.by_channel,
                                "share": round(o.share, 4),
                            }
                            for o in q.options
                        ],
                    }
                )
    return {
        "scope": {"kind": scope.kind.value, "id": scope.id, "name": scope.name},
        "campaigns": [
            {
                "id": c.campaign.id,
                "title": c.campaign.title,
                "questions": [
                    {
                        "id": q.question.id,
                        "number": q.question.position + 1,
                        "kind": str(q.question.kind),
                        "texts": q.question.texts,
                        **_question_document(q),
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
                        "places": at_places.get(q.question.id, []),
                    }
                    for q in c.questions
                ],
            }
            for c in tallies
        ],
    }


_ANSWER, _OPTION_IDS = RAW_HEADER.index("answer"), RAW_HEADER.index("option_ids")


# The raw export reads UUIDs and times as the database stores them (type_coerce to String
# skips SQLAlchemy's per-value conversion, a third of the export's time) and formats them here.


def _uuid_text(value: Any) -> str | None:
    """A stored UUID as canonical text: SQLite keeps 32 hex digits, PostgreSQL a uuid."""
    if value is None:
        return None
    if isinstance(value, str) and len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(value)


def _utc_text(value: Any) -> str | None:
    """A stored UTC time as ISO 8601 with offset: SQLite keeps text, PostgreSQL a datetime."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC).isoformat(timespec="microseconds")
    return f"{str(value).replace(' ', 'T')}+00:00"


def raw_rows(
    session: Session, scope: Scope, lang: str = "de", *, every_wish: bool = True
) -> Iterator[tuple[Any, ...]]:
    """Every response in the scope, oldest first, as tuples in RAW_HEADER order.

    Streams from the database in batches; a multi-choice answer is one row whose answer
    joins the picked options' labels and whose option_ids lists their ids. Without
    every_wish (for a reader who does not moderate), a wish's text is given only when it
    is approved and unmarked.
    """
    questions = {
        q.id: (q.position + 1, q.texts.get(lang) or q.texts["de"])
        for q in session.scalars(select(Question))
    }
    options = {o.id: o.texts.get(lang) or o.texts["de"] for o in session.scalars(select(Option))}
    locations = {loc.id: (loc.code, loc.name) for loc in session.scalars(select(Location))}

    query = select(
        Response.id,
        type_coerce(Response.uuid, String),
        type_coerce(Response.received_at, String),
        type_coerce(Response.client_at, String),
        type_coerce(Response.answered_at, String),
        Response.campaign_id,
        Response.location_id,
        Response.channel,
        Response.source,
        type_coerce(Response.visit_id, String),
        Response.question_id,
        Response.value,
        Response.text,
        Response.wish_state,
        Response.wish_mark,
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

    pending: list[Any] | None = None
    pending_id = None
    result = session.connection().execute(query.execution_options(yield_per=_BATCH))
    for (
        response_id,
        uuid_,
        received_at,
        client_at,
        answered_at,
        campaign_id,
        location_id,
        channel,
        source,
        visit_id,
        question_id,
        value,
        text,
        wish_state,
        wish_mark,
        option_id,
    ) in result:
        if response_id == pending_id and pending is not None:
            # Another option of the same multi-choice answer.
            pending[_ANSWER] = f"{pending[_ANSWER]}; {options[option_id]}"
            pending[_OPTION_IDS] = f"{pending[_OPTION_IDS]} {option_id}"
            continue
        if pending is not None:
            yield tuple(pending)
        pending_id = response_id
        number, question_text = questions[question_id]
        code, name = locations[location_id]
        if text is not None and not every_wish and (wish_state != "approved" or wish_mark):
            text = ""  # not (yet) fit to be read beyond moderation
        pending = [
            _uuid_text(uuid_),
            _utc_text(received_at),
            _utc_text(client_at),
            _utc_text(answered_at),
            campaign_id,
            code,
            name,
            channel,
            source,
            _uuid_text(visit_id),
            number,
            question_text,
            text if option_id is None else options[option_id],
            "" if option_id is None else str(option_id),
            value,
            wish_state,
        ]
    if pending is not None:
        yield tuple(pending)


def raw_documents(rows: Iterable[tuple[Any, ...]]) -> Iterator[dict[str, Any]]:
    """Raw rows as JSON objects; option_ids becomes a list of numbers."""
    for row in rows:
        document = dict(zip(RAW_HEADER, row, strict=True))
        document["option_ids"] = [int(i) for i in document["option_ids"].split()]
        yield document


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

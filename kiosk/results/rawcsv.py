"""The raw responses as CSV at the database's speed: PostgreSQL's COPY, SQLite's own cursor.

Both make the same bytes (tests/golden holds them): a BOM so Excel reads UTF-8, the header
(RAW_HEADER), then a line per response ending in LF (COPY ends its lines so; Excel reads
both), each field in double quotes only where a separator, a quote or a line break needs
them. A multi-choice answer is one line: its labels joined by "; ", its option ids by " ".
The header and the channel and wish state of each line are words in the reader's language,
or machine names and codes for scripts (Wording); the words are looked up in the query.
Every text cell is defused by the one rule in kiosk.results.cells: labels, questions and
place names in Python before they go into the query, wish texts and poster names in SQL.

PostgreSQL streams the whole file from COPY … TO STDOUT: no row becomes a Python object.
SQLite's rows come from its DBAPI cursor, a tuple per response (and per further option of
a multi-choice answer), with the times and UUIDs already written as text by SQLite.
Memory stays flat: the stream holds a chunk at a time (64 KB of COPY's output; a batch of
2,000 rows on SQLite, whose page cache grows to its cap of 32 MB a connection as it reads).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from psycopg import sql as pgsql
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from kiosk.core.errors import N_
from kiosk.models import Location, Option, Question, WishState
from kiosk.models.response import RESPONSE_CHANNELS
from kiosk.results.cells import defused, defused_sql, quoted
from kiosk.results.tallies import CHANNEL_WORDS, Scope, ScopeKind

RAW_COLUMNS = {
    "uuid": N_("ID of the answer (UUID)"),
    "received_at": N_("Received (UTC)"),
    "client_at": N_("Time on the device (UTC)"),
    "answered_at": N_("Answered (UTC)"),
    "campaign_id": N_("Campaign no."),
    "location_code": N_("Place code"),
    "location": N_("Place"),
    "channel": N_("Channel"),
    "source": N_("Poster label"),
    "visit_id": N_("Visit (ID)"),
    "question_number": N_("Question no."),
    "question": N_("Question"),
    "answer": N_("Answer"),
    "option_ids": N_("IDs of the chosen answers"),
    "value": N_("Point on the scale"),
    "wish_state": N_("Wish: moderation"),
}
"""The raw export's columns in order: machine name, and the words for people."""

RAW_HEADER = list(RAW_COLUMNS)
"""The raw export's machine names, in order (CSV with headers=names, and JSON)."""

WISH_STATE_WORDS = {
    WishState.PENDING.value: N_("Open"),
    WishState.APPROVED.value: N_("Approved"),
    WishState.REJECTED.value: N_("Rejected"),
}
"""A wish's moderation state, for people (translated where shown)."""


@dataclass(frozen=True)
class Wording:
    """How a download names its columns and codes: machine names for scripts, or words.

    translate: gettext in the reader's language (the web layer's or the command line's);
    None writes machine names and codes ("count_qr", "qr"), the same in every language.
    """

    translate: Callable[[str], str] | None = None

    @property
    def words(self) -> bool:
        """Whether this writes words for people (not machine names)."""
        return self.translate is not None

    def word(self, message: str) -> str:
        """A marked message (N_) in the reader's language."""
        return self.translate(message) if self.translate is not None else message

    def header(self, names: Sequence[str], words: Mapping[str, str]) -> list[str]:
        """Column names as written: the machine names, or their words (defused)."""
        if self.translate is None:
            return list(names)
        return [defused(self.word(words[name])) for name in names]

    def channel(self, code: str) -> str:
        """A channel as written: its code, or what it is in words."""
        return self.word(CHANNEL_WORDS[code]) if self.words and code in CHANNEL_WORDS else code

    def wish_state(self, code: str) -> str:
        """A wish's state as written: its code, or in words."""
        if self.words and code in WISH_STATE_WORDS:
            return self.word(WISH_STATE_WORDS[code])
        return code


MACHINE_NAMES = Wording()
"""Machine names and codes: what scripts read (headers=names)."""

_CHUNK = 64 * 1024


@dataclass(frozen=True)
class _Names:
    """What the export writes for ids, in the reader's language and defused."""

    options: dict[int, str]
    questions: dict[int, tuple[int, str]]  # question id: (number, text)
    places: dict[int, tuple[str, str]]  # location id: (code, name)
    channels: dict[str, str]  # code: as written
    states: dict[str, str]  # a wish's state: as written
    words: bool  # the codes are written as words (else as they are stored)


def _names(session: Session, lang: str, wording: Wording) -> _Names:
    return _Names(
        words=wording.words,
        channels={code: defused(wording.channel(code)) for code in RESPONSE_CHANNELS},
        states={code: defused(wording.wish_state(code)) for code in WISH_STATE_WORDS},
        options={
            o.id: defused(o.texts.get(lang) or o.texts["de"])
            for o in session.scalars(select(Option))
        },
        questions={
            q.id: (q.position + 1, defused(q.texts.get(lang) or q.texts["de"]))
            for q in session.scalars(select(Question))
        },
        places={
            loc.id: (defused(loc.code), defused(loc.name))
            for loc in session.scalars(select(Location))
        },
    )


def _scope_filter(session: Session, scope: Scope) -> tuple[str, list[int]]:
    """The WHERE condition on response r for the scope, with its parameters."""
    if scope.kind == ScopeKind.LOCATION:
        return "r.location_id = {}", [scope.id]
    if scope.kind == ScopeKind.AREA:
        places = list(session.scalars(select(Location.id).where(Location.area_id == scope.id)))
        if not places:
            return "false", []
        return "r.location_id IN (" + ", ".join("{}" for _ in places) + ")", places
    return "r.campaign_id = {}", [scope.id]


def _wish_text(every_wish: bool) -> str:
    """SQL of a wish's text as the reader may see it: all, or only approved and unmarked."""
    text = defused_sql("r.text")
    if every_wish:
        return text
    return f"CASE WHEN r.wish_state = 'approved' AND r.wish_mark IS NULL THEN {text} ELSE '' END"


def raw_csv(
    session: Session,
    scope: Scope,
    separator: str,
    lang: str = "de",
    *,
    every_wish: bool = True,
    wording: Wording = MACHINE_NAMES,
) -> Iterator[bytes]:
    """Every response in the scope, oldest first, as CSV in chunks of bytes.

    Without every_wish (for a reader who does not moderate), a wish's text is given only
    when it is approved and unmarked.
    """
    names = _names(session, lang, wording)
    header = wording.header(RAW_HEADER, RAW_COLUMNS)
    line = separator.join(quoted(name, separator) for name in header)
    yield ("\ufeff" + line + "\n").encode()
    if session.connection().dialect.name == "postgresql":
        yield from _postgresql(session, scope, separator, names, every_wish)
    else:
        yield from _sqlite(session, scope, separator, names, every_wish)


def _postgresql(
    session: Session, scope: Scope, separator: str, names: _Names, every_wish: bool
) -> Iterator[bytes]:
    condition, params = _scope_filter(session, scope)

    def lookup(names: Mapping[Any, Any]) -> pgsql.Composable:
        """A jsonb object of names by id, looked up per row (cheaper than a join)."""
        document = json.dumps({str(key): value for key, value in names.items()})
        return pgsql.SQL("{}::jsonb").format(pgsql.Literal(document))

    # Codes as stored, or looked up as words (a jsonb lookup per row, as for the names).
    channel, state = (
        ("{channels} ->> r.channel", "{states} ->> r.wish_state")
        if names.words
        else ("r.channel", "r.wish_state")
    )
    # The times are stored without a zone, in UTC; written as Python's isoformat writes them.
    utc = """to_char({}, 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""
    # Only SQL made here goes into the text; every value is a quoted literal (psycopg's).
    query = pgsql.SQL(
        f"""COPY (
        SELECT r.uuid, {utc.format("r.received_at")}, {utc.format("r.client_at")},
               {utc.format("r.answered_at")}, r.campaign_id,
               {{codes}} ->> r.location_id::text, {{places}} ->> r.location_id::text,
               {channel}, {defused_sql("r.source")}, r.visit_id,
               {{numbers}} ->> r.question_id::text, {{questions}} ->> r.question_id::text,
               CASE WHEN r.text IS NOT NULL THEN nullif({_wish_text(every_wish)}, '')
                    ELSE string_agg({{labels}} ->> ro.option_id::text, '; '
                                    ORDER BY ro.option_id) END,
               string_agg(ro.option_id::text, ' ' ORDER BY ro.option_id),
               r.value, {state}
        FROM response r LEFT JOIN response_option ro ON ro.response_id = r.id
        WHERE {condition}
        GROUP BY r.id
        ORDER BY r.id
    ) TO STDOUT WITH (FORMAT csv, DELIMITER {{separator}}, NULL '')"""  # noqa: S608
    )
    statement = query.format(
        *map(pgsql.Literal, params),
        codes=lookup({key: code for key, (code, _) in names.places.items()}),
        places=lookup({key: name for key, (_, name) in names.places.items()}),
        numbers=lookup({key: number for key, (number, _) in names.questions.items()}),
        questions=lookup({key: text for key, (_, text) in names.questions.items()}),
        labels=lookup(names.options),
        channels=lookup(names.channels),
        states=lookup(names.states),
        separator=pgsql.Literal(separator),
    )
    # For this transaction only: no JIT (it compiled the plan first: 0.15 s for nothing), and
    # the answers in the order of the place's index, grouped as they stream, rather than all
    # hashed and sorted before the first line (a tenth of the table: 0.2 s before the first
    # byte, 0.68 s in all for 100,000 answers; so 0.50 s).
    for setting in ("jit", "enable_sort", "enable_hashagg"):
        session.execute(text(f"SET LOCAL {setting} = off"))
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(statement) as copy:
        buffer = bytearray()
        for data in copy:
            buffer += data
            if len(buffer) >= _CHUNK:
                yield bytes(buffer)
                buffer.clear()
        yield bytes(buffer)


def _sqlite(
    session: Session, scope: Scope, separator: str, names: _Names, every_wish: bool
) -> Iterator[bytes]:
    condition, params = _scope_filter(session, scope)
    condition = condition.format(*("?" for _ in params))

    def uuid(column: str) -> str:  # SQLite keeps a UUID as 32 hex digits
        return "||'-'||".join(
            f"substr({column}, {start}, {length})"
            for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
        )

    def utc(column: str) -> str:
        # Kept as text in UTC, 'YYYY-MM-DD HH:MM:SS.ffffff'; retention writes the hours it
        # cuts to without the fraction (hour_of), which COPY would write as .000000.
        full = f"CASE WHEN length({column}) = 19 THEN {column} || '.000000' ELSE {column} END"
        return f"replace({full}, ' ', 'T') || '+00:00'"

    # Only SQL made here goes into the text; the scope's ids are bound parameters.
    query = f"""
        SELECT r.id, {uuid("r.uuid")}, {utc("r.received_at")}, {utc("r.client_at")},
               {utc("r.answered_at")}, r.campaign_id, r.location_id, r.channel,
               {defused_sql("r.source")}, {uuid("r.visit_id")}, r.question_id,
               CASE WHEN r.text IS NOT NULL THEN {_wish_text(every_wish)} END,
               r.value, r.wish_state, ro.option_id
        FROM response r LEFT JOIN response_option ro ON ro.response_id = r.id
        WHERE {condition}
        ORDER BY r.id, ro.option_id
    """  # noqa: S608
    options = {key: quoted(label, separator) for key, label in names.options.items()}
    places = {
        key: f"{quoted(code, separator)}{separator}{quoted(name, separator)}"
        for key, (code, name) in names.places.items()
    }
    questions = {
        key: f"{number}{separator}{quoted(text, separator)}"
        for key, (number, text) in names.questions.items()
    }
    channels = {key: quoted(word, separator) for key, word in names.channels.items()}
    states: dict[str | None, str] = {
        key: quoted(word, separator) for key, word in names.states.items()
    }
    states[None] = ""  # an answer that is no wish
    sep = separator
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(query, params)
    lines: list[str] = []
    # A line waits until the next row shows whether another option of its answer follows.
    head = tail = ""
    picked: list[int] = []
    current = None
    while batch := cursor.fetchmany(2000):
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
            wish,
            value,
            wish_state,
            option_id,
        ) in batch:
            if response_id == current:
                picked.append(option_id)
                continue
            if current is not None:
                lines.append(_line(head, tail, picked, options, names.options, sep))
            current = response_id
            head = (
                f"{uuid_}{sep}{received_at}{sep}{client_at or ''}{sep}{answered_at}{sep}"
                f"{campaign_id}{sep}{places[location_id]}{sep}{channels[channel]}{sep}"
                f"{'' if source is None else quoted(source, sep)}{sep}{visit_id or ''}{sep}"
                f"{questions[question_id]}{sep}"
            )
            tail = f"{'' if value is None else value}{sep}{states[wish_state]}\n"
            if option_id is None:
                picked = []
                head += f"{'' if wish is None else quoted(wish, sep)}{sep}"
            else:
                picked = [option_id]
        if sum(map(len, lines)) >= _CHUNK:
            yield "".join(lines).encode()
            lines.clear()
    if current is not None:
        lines.append(_line(head, tail, picked, options, names.options, sep))
    yield "".join(lines).encode()


def _line(
    head: str,
    tail: str,
    picked: list[int],
    options: dict[int, str],
    unquoted: dict[int, str],
    sep: str,
) -> str:
    """A response's line: its answer (the picked options, if any) between head and tail."""
    if not picked:
        return f"{head}{sep}{tail}"  # a wish, or an answer without options: no option ids
    if len(picked) == 1:
        return f"{head}{options[picked[0]]}{sep}{picked[0]}{sep}{tail}"
    labels = quoted("; ".join(unquoted[option] for option in picked), sep)
    return f"{head}{labels}{sep}{' '.join(map(str, picked))}{sep}{tail}"

"""Answers per hour and per poster come from counters kept with each answer, never from the
responses."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command as alembic_command
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.cli import alembic_config
from kiosk.collect.answers import record_answer
from kiosk.collect.catalog import load_catalog
from kiosk.collect.showcase import approved_wishes, public_results
from kiosk.models import COMMAND_LINE, Campaign, HourCount, Location, QuestionKind, Response, utcnow
from kiosk.models.counters import HOURS_OF_RESPONSES
from kiosk.models.engine import make_engine
from kiosk.results.crosstab import cross_tabs
from kiosk.results.tallies import (
    answers_per_hour,
    answers_per_place,
    answers_per_poster,
    load_scope,
    tally,
    wishes,
)
from kiosk.setup.demo import load_demo
from kiosk.sync.devices import enrol, register_device
from kiosk.sync.ingest import ingest
from tests.helpers import demo, pick, question, todays_code_on

UTC = dt.UTC


def _answer_at(session: Session, moment: str, *, place: int = 0, poster: str | None = None) -> None:
    campaign, square, playground = demo(session)
    location = (square, playground)[place]
    record_answer(session, pick(question(campaign, QuestionKind.SINGLE), 0), campaign=campaign,
                  location_id=location.id, channel="qr" if poster else "kiosk", source=poster,
                  now=dt.datetime.fromisoformat(moment))  # fmt: skip


def test_each_answer_counts_in_its_place_campaign_and_hour(session: Session) -> None:
    _answer_at(session, "2026-04-01T09:15:00+00:00")
    _answer_at(session, "2026-04-01T09:59:59.999999+00:00")
    _answer_at(session, "2026-04-01T10:00:00+00:00", place=1)
    session.commit()
    campaign, square, _ = demo(session)
    at_nine = dt.datetime(2026, 4, 1, 9, tzinfo=UTC)
    at_ten = dt.datetime(2026, 4, 1, 10, tzinfo=UTC)
    assert answers_per_hour(session, load_scope(session, "location", square.id)) == [(at_nine, 2)]
    assert answers_per_hour(session, load_scope(session, "campaign", campaign.id)) == [
        (at_nine, 2),
        (at_ten, 1),
    ]
    area = load_scope(session, "area", session.get_one(Location, square.id).area_id)
    assert answers_per_hour(session, area) == [(at_nine, 2), (at_ten, 1)]


def test_a_sync_batch_counts_its_hours_once(session: Session) -> None:
    campaign, square, _ = demo(session)
    single = question(campaign, QuestionKind.SINGLE)
    _, code = register_device(session, name="Pi", location_id=square.id, actor=COMMAND_LINE)
    device, _ = enrol(session, code)
    moments = [
        "2025-10-01T15:05:00+02:00",
        "2025-10-01T15:55:00+02:00",
        "2025-10-01T17:00:00+02:00",
    ]
    items = [
        {"uuid": f"00000000-0000-4000-8000-00000000000{n}", "location": "ehp",
         "question_id": single.id, "option_ids": [single.options[0].id], "answered_at": moment}
        for n, moment in enumerate(moments)
    ]  # fmt: skip
    for _ in range(2):  # sent again: nothing counts twice
        ingest(session, load_catalog(session), device, items, wish_max_chars=280)
    session.commit()
    hours = answers_per_hour(session, load_scope(session, "location", square.id))
    assert hours == [
        (dt.datetime(2025, 10, 1, 13, tzinfo=UTC), 2),
        (dt.datetime(2025, 10, 1, 15, tzinfo=UTC), 1),
    ]


@contextmanager
def _statements(session: Session) -> Iterator[list[tuple[str, Any]]]:
    """The SQL statements (and their parameters) the session's connection runs meanwhile."""
    seen: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    engine = session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


SCOPES = ("location", "area", "campaign")
HOT: list[tuple[str, Callable[[Session, Any], object], str]] = [
    *((f"tally of a {kind}", tally, kind) for kind in SCOPES),
    *((f"answers per hour of a {kind}", answers_per_hour, kind) for kind in SCOPES),
    *((f"answers per poster of a {kind}", answers_per_poster, kind) for kind in SCOPES),
    *((f"the cross-tabs of a {kind}", lambda session, scope: cross_tabs(
        session, scope, list(session.scalars(select(Campaign)))), kind) for kind in SCOPES),
    ("answers per place", lambda session, _scope: answers_per_place(session), "location"),
    ("the kiosk loop's and the wall's results", lambda session, _: _public_results(session),
     "location"),
]  # fmt: skip


def _public_results(session: Session) -> object:
    campaign, square, _ = demo(session)
    return public_results(session, campaign, square.id, now=utcnow())


@pytest.mark.parametrize(("name", "call", "kind"), HOT, ids=[name for name, _, _ in HOT])
def test_the_hot_results_queries_never_read_the_responses(
    session: Session, name: str, call: Callable[[Session, Any], object], kind: str
) -> None:
    """EXPLAIN every statement the tally queries run: none may touch the responses table
    (at ten million answers in one place a scan takes seconds; the counters stay small).

    The wish lists are not here: they read wishes, by partial indexes on places with a limit."""
    _answer_at(session, "2026-04-01T09:15:00+00:00", poster="tor")
    campaign, square, _ = demo(session)
    scope_id = {"location": square.id, "area": 1, "campaign": campaign.id}[kind]
    scope = load_scope(session, kind, scope_id)
    with _statements(session) as seen:
        call(session, scope)
    assert seen, "the query ran nothing?"
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    for statement, parameters in seen:
        explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
        plan = "\n".join(
            " ".join(str(cell) for cell in row)
            for row in connection.exec_driver_sql(explain + statement, parameters)
        )
        touched = re.search(r"\b(SCAN|SEARCH|on) response\b", plan)
        assert touched is None, f"{name} reads the responses:\n{statement}\n{plan}"


def test_the_migration_counts_the_answers_there_are(empty_database_url: str) -> None:
    """From 0016 with answers to 0017: the counter holds what grouping the responses gives."""
    config = alembic_config(empty_database_url)
    alembic_command.upgrade(config, "0016")
    engine = make_engine(empty_database_url)
    # Today's code writes what 0016 holds, triggers aside.
    with todays_code_on(engine), Session(engine) as session:
        load_demo(session, sample_visits=30, actor=COMMAND_LINE, formats=False)
        session.commit()
    with engine.begin() as connection:
        expected = hours_grouped(connection)
    assert sum(expected.values()) > 30
    alembic_command.upgrade(config, "0017")
    columns = HourCount.location_id, HourCount.campaign_id, HourCount.hour, HourCount.count
    with engine.begin() as connection:
        counted = {(place, campaign, hour): n for place, campaign, hour, n in connection.execute(
            select(*columns))}  # fmt: skip
    assert counted == _as_utc(expected)
    alembic_command.downgrade(config, "0016")
    engine.dispose()


def hours_grouped(connection: sa.Connection) -> dict[tuple[int, int, Any], int]:
    hour = HOURS_OF_RESPONSES[connection.dialect.name]
    rows = connection.exec_driver_sql(
        f"SELECT location_id, campaign_id, {hour}, count(*) FROM response "
        f"GROUP BY location_id, campaign_id, {hour}"
    )
    return {(location, campaign, hour): count for location, campaign, hour, count in rows}


def _as_utc(grouped: dict[tuple[int, int, Any], int]) -> dict[tuple[int, int, Any], int]:
    """Hours as the counter's column reads them back (aware UTC datetimes)."""
    out = {}
    for (location, campaign, hour), count in grouped.items():
        moment = hour if isinstance(hour, dt.datetime) else dt.datetime.fromisoformat(str(hour))
        out[(location, campaign, moment.replace(tzinfo=UTC))] = count
    return out


def test_counted_hours_add_up_to_the_answers(session: Session) -> None:
    for minute in range(0, 60, 7):
        _answer_at(session, f"2026-05-02T18:{minute:02d}:00+00:00")
    session.commit()
    counted = session.scalar(select(func.sum(HourCount.count)))
    assert counted == session.scalar(select(func.count()).select_from(Response))


def test_answers_per_labelled_poster_add_up_per_scope(session: Session) -> None:
    for poster, place in [("tor", 0), ("tor", 0), ("bank", 0), ("tor", 1), (None, 0)]:
        _answer_at(session, "2026-04-01T09:15:00+00:00", place=place, poster=poster)
    session.commit()
    campaign, square, _ = demo(session)
    assert answers_per_poster(session, load_scope(session, "location", square.id)) == [
        ("tor", 2),
        ("bank", 1),
    ]
    campaign_scope = load_scope(session, "campaign", campaign.id)
    assert answers_per_poster(session, campaign_scope) == [("tor", 3), ("bank", 1)]


# The approved wishes: by the indexes of public wishes, or the approved ones of the index by
# state (PostgreSQL may choose it: it too holds no backlog to walk).
PUBLIC_INDEXES = "(ix_response_public_wish_|ix_response_wish_state)"
WISH_LISTS: list[tuple[str, str, Callable[[Session, Any], object], str]] = [
    *((f"staff: the wishes of a {kind}", kind, wishes, "ix_response_wish_") for kind in SCOPES),
    *((f"report: the approved wishes of a {kind}", kind,
       lambda session, scope: wishes(session, scope, approved_only=True), PUBLIC_INDEXES)
      for kind in ("location", "campaign")),
    ("public: the approved wishes of a place", "location",
     lambda session, scope: approved_wishes(session, 1, scope.id), PUBLIC_INDEXES),
    ("public: the approved wishes of a campaign", "campaign",
     lambda session, scope: approved_wishes(session, scope.id, None), PUBLIC_INDEXES),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "kind", "call", "index"), WISH_LISTS, ids=[name for name, *_ in WISH_LISTS]
)
def test_the_wish_lists_walk_a_wish_index_from_the_newest(
    session: Session, name: str, kind: str, call: Callable[[Session, Any], object], index: str
) -> None:
    """The newest wishes of a place, an area or a campaign (for staff, or those the public
    may read): each read of the responses walks a partial index of such wishes backwards
    and stops at the limit, so it costs the same at ten million answers, whatever waits for
    a moderator. (PostgreSQL is told to avoid scans and sorts, which it would rightly
    prefer on a test's few rows: a plan that cannot do without them fails.)"""
    _answer_at(session, "2026-04-01T09:15:00+00:00")
    campaign, square, _ = demo(session)
    scope_id = {"location": square.id, "area": 1, "campaign": campaign.id}[kind]
    scope = load_scope(session, kind, scope_id)
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    if not sqlite:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            connection.exec_driver_sql(f"SET LOCAL {setting} = off")
    with _statements(session) as seen:
        call(session, scope)
    reads = 0
    for statement, parameters in seen:
        explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
        rows = connection.exec_driver_sql(explain + statement, parameters)
        lines = [" ".join(str(cell) for cell in row) for row in rows]
        plan = "\n".join(lines)
        for line in lines:
            if re.search(r"\b(SCAN|SEARCH|on) response\b", line):
                reads += 1
                wanted = (
                    rf"SEARCH response USING INDEX {index}"
                    if sqlite
                    else rf"Index Scan Backward using {index}\w* on response"
                )
                assert re.search(wanted, line), f"{statement}\n{plan}"
        if not sqlite and re.search(r"\bon response\b", plan):
            # No sort of the answers read (an area merges its places' newest, a few hundred).
            assert "Sort" not in plan or kind == "area", plan
    assert reads, "no read of the wishes?"

"""SQL that differs between SQLite and PostgreSQL: each difference has its home here.

Domain code asks for what it needs (an INSERT with ON CONFLICT, a time cut to its hour, a
batch of answers inserted at once) and never tests the dialect's name itself.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, func, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kiosk.models.response import Response, ResponseOption

POSTGRESQL = "postgresql"


def upsert_insert(dialect: str) -> Any:
    """The dialect's INSERT, which has ON CONFLICT (PostgreSQL's or SQLite's), by dialect name."""
    return postgresql.insert if dialect == POSTGRESQL else sqlite.insert


def begin_writing(session: Session) -> None:
    """Make sure the session's transaction has begun in the database before a SAVEPOINT.

    SQLite's Python driver begins a transaction only at the first INSERT, UPDATE or DELETE;
    a SAVEPOINT before any would begin one itself, and releasing it would commit everything
    at once, before the caller decides. Called where the writes are about to start (under
    the write lock), so the reads before stay outside the transaction as always.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    driver: Any = connection.connection.dbapi_connection
    if not driver.in_transaction:
        connection.exec_driver_sql("BEGIN")


def hour_of(column: Any, dialect: str) -> ColumnElement[Any]:
    """A timestamp column cut to its hour, in SQL."""
    if dialect == POSTGRESQL:
        return func.date_trunc("hour", column)
    return func.strftime("%Y-%m-%d %H:00:00", column)


@cache
def _insert_new_responses(dialect: str) -> Any:
    return (
        upsert_insert(dialect)(Response)
        .on_conflict_do_nothing(index_elements=["uuid"])
        .returning(Response.id, Response.uuid)
    )


# On PostgreSQL a batch goes in as one JSON document that the server unpacks: a statement
# with one parameter, instead of thirteen thousand placeholders for the driver to splice.
_PG_INSERT_RESPONSES = """
INSERT INTO response (uuid, visit_id, campaign_id, question_id, location_id, channel, source,
                      device_id, value, text, wish_state, client_at, received_at, answered_at)
SELECT uuid, visit_id, campaign_id, question_id, location_id, channel, source,
       device_id, value, text, wish_state, client_at, received_at, answered_at
FROM json_to_recordset(%s::json) AS batch(
    uuid uuid, visit_id uuid, campaign_id int, question_id int, location_id int,
    channel varchar, source varchar, device_id int, value int, text text, wish_state varchar,
    client_at timestamp, received_at timestamp, answered_at timestamp)
ON CONFLICT (uuid) DO NOTHING
RETURNING id, uuid
"""
_PG_INSERT_OPTIONS = (
    "INSERT INTO response_option (response_id, option_id) "
    "SELECT * FROM unnest(%s::bigint[], %s::int[])"
)


def _naive_utc(value: dt.datetime | None) -> str | None:
    """A time as UTCDateTime stores it (naive UTC), in ISO 8601."""
    return None if value is None else value.astimezone(dt.UTC).replace(tzinfo=None).isoformat()


def _as_uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def insert_new_responses(connection: Connection, rows: list[dict[str, Any]]) -> dict[UUID, int]:
    """Insert the response rows whose UUID is new; return {uuid: id} of those inserted."""
    if connection.dialect.name == POSTGRESQL:
        document = json.dumps(
            [
                {
                    **row,
                    "uuid": str(row["uuid"]),
                    "visit_id": str(row["visit_id"]) if row["visit_id"] else None,
                    "client_at": _naive_utc(row["client_at"]),
                    "received_at": _naive_utc(row["received_at"]),
                    "answered_at": _naive_utc(row["answered_at"]),
                }
                for row in rows
            ],
            ensure_ascii=False,
        )
        result = connection.exec_driver_sql(_PG_INSERT_RESPONSES, (document,))
    else:
        result = connection.execute(_insert_new_responses(connection.dialect.name), rows)
    return {_as_uuid(found_uuid): response_id for response_id, found_uuid in result}


def insert_response_options(connection: Connection, picks: list[tuple[int, int]]) -> None:
    """Insert (response id, option id) pairs."""
    if not picks:
        return
    if connection.dialect.name == POSTGRESQL:
        connection.exec_driver_sql(
            _PG_INSERT_OPTIONS, ([p[0] for p in picks], [p[1] for p in picks])
        )
    else:
        connection.execute(
            insert(ResponseOption),
            [
                {"response_id": response_id, "option_id": option_id}
                for response_id, option_id in picks
            ],
        )

"""The tally counters (answer_count, option_count): how each database keeps them, defined once.

Answers are counted by triggers on INSERT into response and response_option, so every writer
(the public flow, a sync batch, a carried file) keeps the counters exact in its own
transaction. SQLite counts row by row; PostgreSQL once per statement, from a transition
table, grouped (a batch of a thousand answers costs one upsert per counter it touches; rows an
INSERT … ON CONFLICT DO NOTHING skipped are not in it, so a resent answer counts once).

Each version of the triggers is defined once, here, under its own name, and never edited:
migrations create them by that name (0003 SQLite's row triggers, 0005 PostgreSQL's statement
triggers; a migration that rebuilds the response table on SQLite makes them again). TRIGGERS
names the current ones. A change is a new version beside the old, TRIGGERS pointing at it,
and a migration that drops the old and creates the new. Counts that come without an answer
row (paper sheets) go through add_counts, the same upserts in Python.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from kiosk.models.dialect import upsert_insert
from kiosk.models.response import AnswerCount, OptionCount

SQLITE_ROW_TRIGGERS = (
    """
    CREATE TRIGGER response_counts AFTER INSERT ON response
    BEGIN
        INSERT INTO answer_count (location_id, question_id, channel, count)
        VALUES (NEW.location_id, NEW.question_id, NEW.channel, 1)
        ON CONFLICT (location_id, question_id, channel) DO UPDATE SET count = count + 1;
    END
    """,
    """
    CREATE TRIGGER response_option_counts AFTER INSERT ON response_option
    BEGIN
        INSERT INTO option_count (location_id, option_id, channel, question_id, count)
        SELECT location_id, NEW.option_id, channel, question_id, 1
        FROM response WHERE id = NEW.response_id
        ON CONFLICT (location_id, option_id, channel) DO UPDATE SET count = count + 1;
    END
    """,
)
"""SQLite's counter triggers since migration 0003: row by row."""

POSTGRESQL_STATEMENT_TRIGGERS = (
    # ORDER BY: concurrent batches take the counter rows' locks in one order, no deadlock.
    """
    CREATE FUNCTION count_responses() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO answer_count (location_id, question_id, channel, count)
        SELECT location_id, question_id, channel, count(*)
        FROM inserted
        GROUP BY location_id, question_id, channel
        ORDER BY location_id, question_id, channel
        ON CONFLICT (location_id, question_id, channel)
        DO UPDATE SET count = answer_count.count + EXCLUDED.count;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER response_counts AFTER INSERT ON response
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION count_responses()
    """,
    """
    CREATE FUNCTION count_response_options() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO option_count (location_id, option_id, channel, question_id, count)
        SELECT r.location_id, i.option_id, r.channel, r.question_id, count(*)
        FROM inserted i
        -- One primary-key lookup per picked option. A plain join (or a LATERAL subquery
        -- the planner flattens into one) may be planned as a scan of the whole response
        -- table; OFFSET 0 keeps the subquery a nested lookup.
        CROSS JOIN LATERAL (
            SELECT location_id, channel, question_id FROM response WHERE id = i.response_id
            OFFSET 0
        ) r
        GROUP BY r.location_id, i.option_id, r.channel, r.question_id
        ORDER BY r.location_id, i.option_id, r.channel
        ON CONFLICT (location_id, option_id, channel)
        DO UPDATE SET count = option_count.count + EXCLUDED.count;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER response_option_counts AFTER INSERT ON response_option
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION count_response_options()
    """,
)
"""PostgreSQL's counter triggers since migration 0005: per statement, grouped."""

SQLITE_HOUR_TRIGGERS = (
    """
    CREATE TRIGGER response_hours AFTER INSERT ON response
    BEGIN
        INSERT INTO hour_count (location_id, campaign_id, hour, count)
        VALUES (NEW.location_id, NEW.campaign_id, strftime('%Y-%m-%d %H:00:00', NEW.answered_at), 1)
        ON CONFLICT (location_id, campaign_id, hour) DO UPDATE SET count = count + 1;
    END
    """,
    """
    CREATE TRIGGER response_posters AFTER INSERT ON response WHEN NEW.source IS NOT NULL
    BEGIN
        INSERT INTO poster_count (location_id, campaign_id, source, count)
        VALUES (NEW.location_id, NEW.campaign_id, NEW.source, 1)
        ON CONFLICT (location_id, campaign_id, source) DO UPDATE SET count = count + 1;
    END
    """,
)
"""SQLite's hour and poster counters since migration 0017: row by row."""

POSTGRESQL_HOUR_TRIGGERS = (
    """
    CREATE FUNCTION count_response_hours() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO hour_count (location_id, campaign_id, hour, count)
        SELECT location_id, campaign_id, date_trunc('hour', answered_at), count(*)
        FROM inserted
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        ON CONFLICT (location_id, campaign_id, hour)
        DO UPDATE SET count = hour_count.count + EXCLUDED.count;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER response_hours AFTER INSERT ON response
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION count_response_hours()
    """,
    """
    CREATE FUNCTION count_response_posters() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO poster_count (location_id, campaign_id, source, count)
        SELECT location_id, campaign_id, source, count(*)
        FROM inserted
        WHERE source IS NOT NULL
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        ON CONFLICT (location_id, campaign_id, source)
        DO UPDATE SET count = poster_count.count + EXCLUDED.count;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER response_posters AFTER INSERT ON response
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION count_response_posters()
    """,
)
"""PostgreSQL's hour and poster counters since migration 0017: per statement, grouped."""

HOURS_OF_RESPONSES = {
    "sqlite": "strftime('%Y-%m-%d %H:00:00', answered_at)",
    "postgresql": "date_trunc('hour', answered_at)",
}
"""A response's hour as the hour triggers count it (for filling the counter afresh)."""

TRIGGERS = {
    "sqlite": SQLITE_ROW_TRIGGERS + SQLITE_HOUR_TRIGGERS,
    "postgresql": POSTGRESQL_STATEMENT_TRIGGERS + POSTGRESQL_HOUR_TRIGGERS,
}
"""The counter triggers as they are now, per dialect."""


def add_counts(
    session: Session,
    *,
    location_id: int,
    question_id: int,
    channel: str,
    answers: int,
    options: Mapping[int, int],
) -> None:
    """Add counts that come without answer rows (negative: take them out); the caller commits.

    The same upserts as the triggers: one answer_count row, one option_count row per option.
    """
    insert = upsert_insert(session.connection().dialect.name)
    for option_id, count in options.items():
        statement = insert(OptionCount).values(
            location_id=location_id,
            option_id=option_id,
            channel=channel,
            question_id=question_id,
            count=count,
        )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["location_id", "option_id", "channel"],
                set_={"count": OptionCount.count + statement.excluded.count},
            )
        )
    statement = insert(AnswerCount).values(
        location_id=location_id, question_id=question_id, channel=channel, count=answers
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["location_id", "question_id", "channel"],
            set_={"count": AnswerCount.count + statement.excluded.count},
        )
    )

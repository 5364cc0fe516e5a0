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

from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from kiosk.models.dialect import upsert_insert
from kiosk.models.response import AnswerCount, CrossCount, OptionCount

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

# --- The cross-tab counter (cross_count) since migration 0018 ----------------------------------
# A visit's group is the option of its latest answer (highest id) to the campaign's
# demographic question; 0 when it has none. An answer to another question counts in its
# visit's group as it is now; when the visit answers the demographic question (again), what
# it counted before moves from the old group to the new one.


def _group_of(visit: str, demographic: str, *, excluding: str = "") -> str:
    """SQL: the group of a visit (by ix_response_visit_id_question_id), 0 when none.

    excluding: SQL true of the answers d to leave out (those the group changes with).
    Without statistics (a new database) a planner walks the primary key backwards for the
    order, or all of the question's answers by ix_response_question_id; the unary + and the
    id + 0 leave it the visit index only.
    """
    other = f" AND NOT ({excluding})" if excluding else ""
    return (
        "coalesce((SELECT ro.option_id FROM response d"
        " JOIN response_option ro ON ro.response_id = d.id"
        f" WHERE d.visit_id = {visit} AND +d.question_id = {demographic}{other}"
        " ORDER BY d.id + 0 DESC LIMIT 1), 0)"
    )


_CROSS_UPSERT = (
    "ON CONFLICT (location_id, question_id, option_id, group_id)"
    " DO UPDATE SET count = cross_count.count + excluded.count"
)


# A visit's answers are found by the visit index. The unary + keeps both databases from
# walking all of the campaign's answers by ix_response_campaign_id instead (SQLite chose it,
# and PostgreSQL without statistics).
_NOT_BY_CAMPAIGN = "+x.campaign_id"


def _visit_counted(visit: str, campaign: str, demographic: str) -> str:
    """SQL: the rows a visit's answers to the compared questions count (option 0: the answer)."""
    compared = (
        f"x.visit_id = {visit} AND {_NOT_BY_CAMPAIGN} = {campaign}"
        f" AND x.question_id <> {demographic} AND x.text IS NULL"
    )
    return (
        "SELECT x.location_id, x.question_id, 0 AS option_id, x.campaign_id FROM response x"
        f" WHERE {compared}"
        " UNION ALL SELECT x.location_id, x.question_id, p.option_id, x.campaign_id"
        f" FROM response x JOIN response_option p ON p.response_id = x.id WHERE {compared}"
    )


_SQLITE_DEMOGRAPHIC_OF_NEW_PICK = (
    "(SELECT q.id FROM response r JOIN question q ON q.id = r.question_id"
    " WHERE r.id = NEW.response_id AND q.demographic AND r.visit_id IS NOT NULL)"
)
# In a trigger on a new pick: its answer's visit, campaign and question (the demographic one).
_SQLITE_NEW_PICK = tuple(
    f"(SELECT {column} FROM response WHERE id = NEW.response_id)"
    for column in ("visit_id", "campaign_id", "question_id")
)
# The visit's group before this pick (its latest other demographic answer) and after it.
_SQLITE_OLD_GROUP = _group_of(
    _SQLITE_NEW_PICK[0], _SQLITE_NEW_PICK[2], excluding="d.id = NEW.response_id"
)
_SQLITE_GROUPS = f"SELECT {_SQLITE_OLD_GROUP} AS old, NEW.option_id AS new"

SQLITE_CROSS_TRIGGERS = (
    # An answer to a compared question: counted in its visit's group.
    f"""
    CREATE TRIGGER response_cross AFTER INSERT ON response
    WHEN NEW.text IS NULL AND EXISTS (
        SELECT 1 FROM question
        WHERE campaign_id = NEW.campaign_id AND demographic AND id <> NEW.question_id)
    BEGIN
        INSERT INTO cross_count (location_id, question_id, option_id, group_id, campaign_id, count)
        SELECT NEW.location_id, NEW.question_id, 0, {_group_of("NEW.visit_id", "q.id")},
               NEW.campaign_id, 1
        FROM question q WHERE q.campaign_id = NEW.campaign_id AND q.demographic
        {_CROSS_UPSERT};
    END
    """,
    # A pick of a compared question: counted in its visit's group.
    f"""
    CREATE TRIGGER response_option_cross AFTER INSERT ON response_option
    BEGIN
        INSERT INTO cross_count (location_id, question_id, option_id, group_id, campaign_id, count)
        SELECT r.location_id, r.question_id, NEW.option_id, {_group_of("r.visit_id", "q.id")},
               r.campaign_id, 1
        FROM response r JOIN question q
            ON q.campaign_id = r.campaign_id AND q.demographic AND q.id <> r.question_id
        WHERE r.id = NEW.response_id
        {_CROSS_UPSERT};
    END
    """,
    # A pick of the demographic question: the visit's counted rows move to its new group.
    f"""
    CREATE TRIGGER response_option_regroup AFTER INSERT ON response_option
    WHEN {_SQLITE_DEMOGRAPHIC_OF_NEW_PICK} IS NOT NULL
    BEGIN
        INSERT INTO cross_count (location_id, question_id, option_id, group_id, campaign_id, count)
        SELECT counted.location_id, counted.question_id, counted.option_id, moves.group_id,
               counted.campaign_id, sum(moves.sign)
        FROM (SELECT old AS group_id, -1 AS sign FROM ({_SQLITE_GROUPS}) WHERE old <> new
              UNION ALL
              SELECT new, 1 FROM ({_SQLITE_GROUPS}) WHERE old <> new) moves,
             ({_visit_counted(*_SQLITE_NEW_PICK)}) counted
        WHERE true
        GROUP BY counted.location_id, counted.question_id, counted.option_id, moves.group_id
        {_CROSS_UPSERT};
    END
    """,
)
"""SQLite's cross-tab counter triggers since migration 0018: row by row."""

# In a statement trigger on response_option: an answer d whose pick is in this statement
# (now.ids: the statement's answers, gathered once into an array).
_PG_PICKED_NOW = "d.id = ANY (now.ids)"
# A visit's answers to the compared questions, joined to its regrouped row g.
_PG_COMPARED = (
    f"x.visit_id = g.visit_id AND {_NOT_BY_CAMPAIGN} = g.campaign_id"
    " AND x.question_id <> g.demographic_id AND x.text IS NULL"
)

POSTGRESQL_CROSS_TRIGGERS = (
    f"""
    CREATE FUNCTION count_response_cross() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO cross_count (location_id, question_id, option_id, group_id, campaign_id, count)
        SELECT location_id, question_id, 0, group_id, campaign_id, count(*)
        FROM (
            SELECT i.location_id, i.question_id, i.campaign_id,
                   {_group_of("i.visit_id", "q.id")} AS group_id
            FROM inserted i JOIN question q
                ON q.campaign_id = i.campaign_id AND q.demographic AND q.id <> i.question_id
            WHERE i.text IS NULL
        ) answered
        GROUP BY location_id, question_id, group_id, campaign_id
        ORDER BY location_id, question_id, group_id
        {_CROSS_UPSERT};
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER response_cross AFTER INSERT ON response
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION count_response_cross()
    """,
    # The statement's picks of compared questions count in their visit's group after it;
    # a visit that answered the demographic question in it moves what it counted before
    # (its compared answers, and their picks from earlier statements) to its new group.
    f"""
    CREATE FUNCTION count_response_option_cross() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        WITH picked AS (
            SELECT i.response_id, i.option_id, r.location_id, r.question_id, r.campaign_id,
                   r.visit_id, q.demographic
            FROM inserted i
            CROSS JOIN LATERAL (  -- a primary-key lookup each (see count_response_options)
                SELECT location_id, question_id, campaign_id, visit_id
                FROM response WHERE id = i.response_id OFFSET 0
            ) r
            JOIN question q ON q.id = r.question_id
        ), regrouped AS (
            SELECT v.visit_id, v.campaign_id, v.question_id AS demographic_id,
                   {_group_of("v.visit_id", "v.question_id", excluding=_PG_PICKED_NOW)}
                       AS old_group,
                   {_group_of("v.visit_id", "v.question_id")} AS new_group
            FROM (
                SELECT DISTINCT visit_id, campaign_id, question_id FROM picked
                WHERE demographic AND visit_id IS NOT NULL
            ) v
            CROSS JOIN (SELECT array_agg(response_id) AS ids FROM inserted) now
        ), visited AS (  -- the regrouped visits' compared answers, by the visit index
            SELECT x.id, x.location_id, x.question_id, x.campaign_id, g.old_group, g.new_group
            FROM regrouped g
            CROSS JOIN LATERAL (
                SELECT id, location_id, question_id, campaign_id FROM response x
                WHERE {_PG_COMPARED} OFFSET 0
            ) x
            WHERE g.old_group <> g.new_group
        ), moved AS (
            SELECT location_id, question_id, 0 AS option_id, campaign_id, old_group, new_group
            FROM visited
            UNION ALL
            SELECT v.location_id, v.question_id, p.option_id, v.campaign_id,
                   v.old_group, v.new_group
            FROM visited v
            CROSS JOIN LATERAL (
                SELECT option_id FROM response_option WHERE response_id = v.id OFFSET 0
            ) p
            WHERE NOT EXISTS (
                SELECT 1 FROM inserted n WHERE n.response_id = v.id AND n.option_id = p.option_id)
        ), deltas AS (
            SELECT location_id, question_id, option_id, old_group AS group_id, campaign_id,
                   -1 AS n
            FROM moved
            UNION ALL
            SELECT location_id, question_id, option_id, new_group, campaign_id, 1 FROM moved
            UNION ALL
            SELECT p.location_id, p.question_id, p.option_id,
                   {_group_of("p.visit_id", "q.id")}, p.campaign_id, 1
            FROM picked p JOIN question q
                ON q.campaign_id = p.campaign_id AND q.demographic AND q.id <> p.question_id
        )
        INSERT INTO cross_count (location_id, question_id, option_id, group_id, campaign_id, count)
        SELECT location_id, question_id, option_id, group_id, campaign_id, sum(n)
        FROM deltas
        GROUP BY location_id, question_id, option_id, group_id, campaign_id
        ORDER BY location_id, question_id, option_id, group_id
        {_CROSS_UPSERT};
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER response_option_cross AFTER INSERT ON response_option
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION count_response_option_cross()
    """,
)
"""PostgreSQL's cross-tab counter triggers since migration 0018: per statement, grouped."""

CROSS_COUNT_FILL = """
    WITH latest AS (
        SELECT visit_id, campaign_id, option_id FROM (
            SELECT d.visit_id, d.campaign_id, ro.option_id,
                   row_number() OVER (PARTITION BY d.visit_id, d.campaign_id ORDER BY d.id DESC)
                       AS n
            FROM response d
            JOIN response_option ro ON ro.response_id = d.id
            JOIN question q ON q.id = d.question_id AND q.demographic
            WHERE d.visit_id IS NOT NULL AND {on_d}
        ) ranked
        WHERE n = 1
    ), compared AS (
        SELECT x.id, x.location_id, x.question_id, x.campaign_id,
               coalesce(l.option_id, 0) AS group_id
        FROM response x
        JOIN question q ON q.campaign_id = x.campaign_id AND q.demographic AND q.id <> x.question_id
        LEFT JOIN latest l ON l.visit_id = x.visit_id AND l.campaign_id = x.campaign_id
        WHERE x.text IS NULL AND {on_x}
    )
    INSERT INTO cross_count (location_id, question_id, option_id, group_id, campaign_id, count)
    SELECT location_id, question_id, 0, group_id, campaign_id, count(*)
    FROM compared
    GROUP BY location_id, question_id, group_id, campaign_id
    UNION ALL
    SELECT c.location_id, c.question_id, p.option_id, c.group_id, c.campaign_id, count(*)
    FROM compared c JOIN response_option p ON p.response_id = c.id
    GROUP BY c.location_id, c.question_id, p.option_id, c.group_id, c.campaign_id
"""
"""Counts existing answers into cross_count (SQLite and PostgreSQL alike), as the triggers
would have: format {on_d} and {on_x} with SQL true of the campaigns to count, on the answers
d (to the demographic question) and x (to the others)."""

HOURS_OF_RESPONSES = {
    "sqlite": "strftime('%Y-%m-%d %H:00:00', answered_at)",
    "postgresql": "date_trunc('hour', answered_at)",
}
"""A response's hour as the hour triggers count it (for filling the counter afresh)."""

TRIGGERS = {
    "sqlite": SQLITE_ROW_TRIGGERS + SQLITE_HOUR_TRIGGERS + SQLITE_CROSS_TRIGGERS,
    "postgresql": POSTGRESQL_STATEMENT_TRIGGERS
    + POSTGRESQL_HOUR_TRIGGERS
    + POSTGRESQL_CROSS_TRIGGERS,
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


def recount_cross(session: Session, campaign_id: int) -> None:
    """Count a campaign's cross-tab afresh (its demographic question changed); caller commits.

    One pass over the campaign's answers. Answers whose visit number retention removed count
    as "not stated" from then on (the counter had kept their group). On PostgreSQL, answers
    wait meanwhile (a SHARE lock on the responses, until the caller commits): an answer in
    flight, counted by the triggers with the former demographic question, would otherwise
    survive the delete or be missed by the count. SQLite has one writer at a time anyway.
    """
    if session.connection().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE response IN SHARE MODE"))
    session.execute(delete(CrossCount).where(CrossCount.campaign_id == campaign_id))
    fill = CROSS_COUNT_FILL.format(
        on_d="d.campaign_id = :campaign", on_x="x.campaign_id = :campaign"
    )
    session.execute(text(fill), {"campaign": campaign_id})

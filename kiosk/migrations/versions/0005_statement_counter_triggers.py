"""count per statement on PostgreSQL

The counters of migration 0003 were kept by row-level triggers: one counter upsert per
response and per picked option. A sync batch of a thousand answers paid for two thousand
of them. On PostgreSQL the triggers now run once per INSERT statement and read the rows it
inserted from a transition table, grouped, so a batch costs one upsert per counter it
touches. Rows an INSERT … ON CONFLICT DO NOTHING skipped are not in the transition table, so
resent answers still count once. SQLite has no statement-level triggers and keeps 0003's.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 13:10:00
"""

from collections.abc import Sequence

from alembic import op

from kiosk.models.counters import POSTGRESQL_STATEMENT_TRIGGERS

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = [
    "DROP TRIGGER response_counts ON response",
    "DROP TRIGGER response_option_counts ON response_option",
    "DROP FUNCTION count_response()",
    "DROP FUNCTION count_response_option()",
    # the statement-level triggers, defined once in kiosk.models.counters
    *POSTGRESQL_STATEMENT_TRIGGERS,
]

DOWNGRADE = [
    "DROP TRIGGER response_counts ON response",
    "DROP TRIGGER response_option_counts ON response_option",
    "DROP FUNCTION count_responses()",
    "DROP FUNCTION count_response_options()",
    """
    CREATE FUNCTION count_response() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO answer_count (location_id, question_id, channel, count)
        VALUES (NEW.location_id, NEW.question_id, NEW.channel, 1)
        ON CONFLICT (location_id, question_id, channel)
        DO UPDATE SET count = answer_count.count + 1;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER response_counts AFTER INSERT ON response
    FOR EACH ROW EXECUTE FUNCTION count_response()
    """,
    """
    CREATE FUNCTION count_response_option() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO option_count (location_id, option_id, channel, question_id, count)
        SELECT location_id, NEW.option_id, channel, question_id, 1
        FROM response WHERE id = NEW.response_id
        ON CONFLICT (location_id, option_id, channel)
        DO UPDATE SET count = option_count.count + 1;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER response_option_counts AFTER INSERT ON response_option
    FOR EACH ROW EXECUTE FUNCTION count_response_option()
    """,
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in DOWNGRADE:
            op.execute(statement)

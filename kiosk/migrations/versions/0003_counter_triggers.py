"""keep the tally counters in database triggers

The counters (option_count, answer_count) are now maintained by AFTER INSERT triggers on
response and response_option, so every writer (the public flow, a sync batch, a bulk
import) keeps them exact in its own transaction, and the hot path runs two statements fewer.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 10:30:00
"""

from collections.abc import Sequence

from alembic import op

from kiosk.models.counters import SQLITE_ROW_TRIGGERS

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite's row triggers, defined once in kiosk.models.counters (still SQLite's today).
SQLITE = SQLITE_ROW_TRIGGERS

# PostgreSQL's first, row-level triggers (0005 replaced them with statement-level ones).
POSTGRESQL = [
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
    statements = POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    op.execute(
        "DROP TRIGGER IF EXISTS response_option_counts ON response_option"
        if op.get_bind().dialect.name == "postgresql"
        else "DROP TRIGGER IF EXISTS response_option_counts"
    )
    op.execute(
        "DROP TRIGGER IF EXISTS response_counts ON response"
        if op.get_bind().dialect.name == "postgresql"
        else "DROP TRIGGER IF EXISTS response_counts"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS count_response_option()")
        op.execute("DROP FUNCTION IF EXISTS count_response()")

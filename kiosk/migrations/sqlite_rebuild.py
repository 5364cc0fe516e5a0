"""What a migration that rebuilds a table on SQLite (Alembic's batch mode) has to see to.

SQLite alters little in place, so batch mode makes a new table, copies the rows, drops the
old table and renames the new one. Two things go wrong unless the migration sees to them:
- with foreign keys on, dropping the old table deletes the rows that cascade from it
  (Alembic's own connection has them off; the check makes sure);
- the old table's triggers go with it, and the rename fails while a trigger on another table
  reads the table: the counter triggers of migration 0003 are dropped first and made again.
The triggers are frozen as 0003 made them: a change to them is a migration of its own.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import op

SQLITE_COUNTER_TRIGGERS = [
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
]


def check_foreign_keys_off() -> None:
    """Refuse to go on with foreign keys on (SQLite): a rebuild would delete rows."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "rebuilding tables on SQLite needs PRAGMA foreign_keys=OFF: with it on, dropping "
            "an old table would delete the rows referring to it"
        )


@contextmanager
def response_rebuilt() -> Iterator[None]:
    """Around a batch operation on response: on SQLite, the counter triggers are kept."""
    if op.get_bind().dialect.name != "sqlite":
        yield
        return
    check_foreign_keys_off()
    op.execute("DROP TRIGGER response_option_counts")
    op.execute("DROP TRIGGER response_counts")
    yield
    for statement in SQLITE_COUNTER_TRIGGERS:
        op.execute(statement)

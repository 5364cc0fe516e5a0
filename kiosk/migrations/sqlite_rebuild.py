"""What a migration that rebuilds a table on SQLite (Alembic's batch mode) has to see to.

SQLite alters little in place, so batch mode makes a new table, copies the rows, drops the
old table and renames the new one. Two things go wrong unless the migration sees to them:
- with foreign keys on, dropping the old table deletes the rows that cascade from it
  (Alembic's own connection has them off; the check makes sure);
- the old table's triggers go with it, and the rename fails while a trigger on another table
  reads the table: the counter triggers of migration 0003 (on response) and the cross-tab
  triggers of 0018 (which read question) are dropped first and made again.
The triggers are made again as kiosk.models.counters defines them (SQLite's, since 0003/0018).
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager

from alembic import op

from kiosk.models.counters import SQLITE_CROSS_TRIGGERS, SQLITE_ROW_TRIGGERS


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
    for statement in SQLITE_ROW_TRIGGERS:
        op.execute(statement)


@contextmanager
def question_rebuilt() -> Iterator[None]:
    """Around a batch operation on question: on SQLite, the cross-tab triggers are kept."""
    if op.get_bind().dialect.name != "sqlite":
        yield
        return
    check_foreign_keys_off()
    for name in re.findall(r"CREATE TRIGGER (\w+)", "".join(SQLITE_CROSS_TRIGGERS)):
        op.execute(f"DROP TRIGGER {name}")
    yield
    for statement in SQLITE_CROSS_TRIGGERS:
        op.execute(statement)

"""response.wish_mark, an index for the moderation queue, and the four staff roles

A moderator can mark a wish (e.g. "contains personal data"); a marked wish is never shown
publicly. The queue lists wishes by state, newest first. Staff roles become admin, editor,
moderator and viewer: the old general "staff" role becomes "editor".

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch mode): on SQLite, batch mode rebuilds the table and
    # would drop the counter triggers.
    op.add_column("response", sa.Column("wish_mark", sa.String(length=32), nullable=True))
    op.create_index(
        "ix_response_wish_state",
        "response",
        ["wish_state", "id"],
        unique=False,
        sqlite_where=sa.text("text IS NOT NULL"),
        postgresql_where=sa.text("text IS NOT NULL"),
    )
    op.execute("UPDATE staff_user SET role = 'editor' WHERE role = 'staff'")


def downgrade() -> None:
    op.execute("UPDATE staff_user SET role = 'staff' WHERE role = 'editor'")
    op.drop_index(
        "ix_response_wish_state",
        table_name="response",
        sqlite_where=sa.text("text IS NOT NULL"),
        postgresql_where=sa.text("text IS NOT NULL"),
    )
    op.drop_column("response", "wish_mark")

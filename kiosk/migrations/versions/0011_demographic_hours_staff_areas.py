"""question.demographic, location.opening_hours and staff_area

A campaign's demographic question (e.g. age group) is the one its results are compared by.
A place keeps its opening hours as people write them. A staff member may be limited to some
areas (none listed: all of them).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-21 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "question",
        sa.Column("demographic", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("location", sa.Column("opening_hours", sa.String(length=200), nullable=True))
    op.create_table(
        "staff_area",
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_staff_area_area_id_area"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_user.id"],
            name=op.f("fk_staff_area_staff_user_id_staff_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("staff_user_id", "area_id", name=op.f("pk_staff_area")),
    )
    # Age questions made from the templates so far are the campaigns' demographic questions.
    op.execute(
        "UPDATE question SET demographic = TRUE WHERE id IN (SELECT min(id) FROM question "
        "WHERE kind = 'single' AND CAST(texts AS TEXT) LIKE '%Wie alt sind Sie?%' "
        "GROUP BY campaign_id)"
    )
    # One per campaign.
    op.create_index(
        "uq_question_demographic",
        "question",
        ["campaign_id"],
        unique=True,
        sqlite_where=sa.text("demographic"),
        postgresql_where=sa.text("demographic"),
    )


def downgrade() -> None:
    op.drop_index("uq_question_demographic", table_name="question")
    op.drop_table("staff_area")
    # Plain DROP COLUMN (SQLite 3.35+): a batch rebuild would turn 0007's inline CHECK into a
    # table constraint that its own downgrade could not drop.
    op.drop_column("location", "opening_hours")
    op.drop_column("question", "demographic")

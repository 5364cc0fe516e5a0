"""paper_tally: counts typed in from a paper tally sheet, per place and question

The sheet's counts go straight into option_count and answer_count under the channel
"paper" (there are no single responses behind them); the sheet is kept here, and
withdrawing it takes its counts out again.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-21 14:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kiosk.models.base

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "paper_tally",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("entered_at", kiosk.models.base.UTCDateTime(), nullable=False),
        sa.Column("entered_by", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", kiosk.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entered_by"], ["staff_user.id"], name=op.f("fk_paper_tally_entered_by_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_paper_tally_location_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["question_id"], ["question.id"], name=op.f("fk_paper_tally_question_id_question")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_tally")),
    )
    op.create_index(
        op.f("ix_paper_tally_location_id"), "paper_tally", ["location_id"], unique=False
    )


def downgrade() -> None:
    # The sheets' counts go with them: nothing could withdraw them afterwards.
    op.execute("DELETE FROM option_count WHERE channel = 'paper'")
    op.execute("DELETE FROM answer_count WHERE channel = 'paper'")
    op.drop_index(op.f("ix_paper_tally_location_id"), table_name="paper_tally")
    op.drop_table("paper_tally")

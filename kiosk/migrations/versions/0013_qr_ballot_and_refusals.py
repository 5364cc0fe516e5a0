"""qr_ballot and refusal_count: one answer per phone and question; refusals counted

A phone's answers on the QR pages take a ballot per question (a keyed hash of its anonymous
cookie); the primary key lets one in. What the safeguards turn away is counted per place,
safeguard and day for staff.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-21 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "qr_ballot",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("voter", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["question.id"],
            name=op.f("fk_qr_ballot_question_id_question"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("question_id", "voter", name=op.f("pk_qr_ballot")),
    )
    op.create_table(
        "refusal_count",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("safeguard", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_refusal_count_location_id_location"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("location_id", "safeguard", "day", name=op.f("pk_refusal_count")),
    )


def downgrade() -> None:
    op.drop_table("refusal_count")
    op.drop_table("qr_ballot")

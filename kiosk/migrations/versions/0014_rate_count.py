"""rate_count: rate limits per client across workers, keyed without the address

Each limited request adds one to its client's counter for the current window. The client is
a keyed hash of its network address and the day; the address is not stored.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-21 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_count",
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("client", sa.String(length=32), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "client", "since", name=op.f("pk_rate_count")),
    )
    op.create_index(op.f("ix_rate_count_since"), "rate_count", ["since"])


def downgrade() -> None:
    op.drop_index(op.f("ix_rate_count_since"), table_name="rate_count")
    op.drop_table("rate_count")

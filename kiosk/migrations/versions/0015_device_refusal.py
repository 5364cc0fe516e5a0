"""device_refusal: what a kiosk node's cooldown turned away, per day, as it reports

Kiosk nodes send their latest days' cooldown refusals with each sync, so that staff see
them per place and a kiosk that someone keeps hammering is flagged.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-21 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "device_refusal",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["device.id"],
            name=op.f("fk_device_refusal_device_id_device"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("device_id", "day", name=op.f("pk_device_refusal")),
    )


def downgrade() -> None:
    op.drop_table("device_refusal")

"""A campaign pinned per place: it shows there while open, whatever else runs there

When campaigns overlap at a place, the one started last shows; staff may pin one per place
instead. The pin is a flag on the campaign–place link (so it goes when the campaign leaves
the place), one per place at most (a partial unique index). No link is pinned at first: the
rule alone decides, as the earliest started did before.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-10 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "campaign_location",
        sa.Column("pinned", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_index(
        "uq_campaign_location_pinned",
        "campaign_location",
        ["location_id"],
        unique=True,
        sqlite_where=sa.text("pinned"),
        postgresql_where=sa.text("pinned"),
    )


def downgrade() -> None:
    op.drop_index("uq_campaign_location_pinned", table_name="campaign_location")
    # Plain DROP COLUMN (SQLite 3.35+), as 0011's downgrade does.
    op.drop_column("campaign_location", "pinned")

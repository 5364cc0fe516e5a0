"""response.answered_at: central's best estimate of when an answer was given

A kiosk node's clock can be off (a Raspberry Pi has no battery clock): client_at keeps what
the node said, received_at central's own clock, and answered_at the node's time corrected by
its clock offset at delivery (and never after central received it). Existing rows get
client_at, or received_at.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 14:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kiosk.models.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch mode): on SQLite, batch mode rebuilds the table and
    # would drop the counter triggers of migration 0003.
    op.add_column(
        "response", sa.Column("answered_at", kiosk.models.base.UTCDateTime(), nullable=True)
    )
    op.execute("UPDATE response SET answered_at = COALESCE(client_at, received_at)")


def downgrade() -> None:
    op.drop_column("response", "answered_at")

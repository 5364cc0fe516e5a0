"""Partial indexes of the wishes the public may read (approved and unmarked)

A wall and a kiosk's attract loop show a place's newest approved wishes. They walked the
index of all wishes from the newest end, through every wish still waiting for a moderator:
milliseconds per page at a million answers, more with a longer backlog. These indexes hold
only the approved and unmarked wishes.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 20:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As kiosk.models.response.PUBLIC_WISH was when this migration was written.
PUBLIC_WISH = "text IS NOT NULL AND wish_state = 'approved' AND wish_mark IS NULL"


def upgrade() -> None:
    for column in ("location_id", "campaign_id"):
        op.create_index(
            op.f(f"ix_response_public_wish_{column.removesuffix('_id')}"),
            "response",
            [column, "id"],
            sqlite_where=sa.text(PUBLIC_WISH),
            postgresql_where=sa.text(PUBLIC_WISH),
        )


def downgrade() -> None:
    for name in ("ix_response_public_wish_campaign", "ix_response_public_wish_location"):
        op.drop_index(op.f(name), table_name="response")

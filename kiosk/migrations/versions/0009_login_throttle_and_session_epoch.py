"""login_failure and staff_user.session_epoch: throttled logins, "log out everywhere"

A failed login is kept for a short while under a keyed hash of the e-mail given (neither the
address nor an IP address is stored), so that logins can be throttled across all workers.
A staff member's session epoch is part of the id in every session: moving it on ends them all.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kiosk.models.base

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failure",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", kiosk.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    op.create_index(op.f("ix_login_failure_key"), "login_failure", ["key"], unique=False)
    op.create_index(op.f("ix_login_failure_at"), "login_failure", ["at"], unique=False)
    op.add_column(
        "staff_user",
        sa.Column("session_epoch", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("staff_user") as batch:
        batch.drop_column("session_epoch")
    op.drop_index(op.f("ix_login_failure_at"), table_name="login_failure")
    op.drop_index(op.f("ix_login_failure_key"), table_name="login_failure")
    op.drop_table("login_failure")

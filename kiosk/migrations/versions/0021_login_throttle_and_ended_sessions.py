"""Logins throttled per e-mail and network; failed logins told at the next login; ended sessions

Five failed logins with an e-mail address from anywhere made its owner wait too. Now a
failure is kept under a keyed hash of the e-mail and one of the e-mail with the client's
network (no address stored), so only the network that failed waits. The staff member hears
at the next login how many attempts failed since the last one, from how many networks
(login_failure_count). A logout ends that session on every server: its random id is kept
in ended_session until the session would have ended anyway.

The failures of the last minutes are dropped with the old table: they were kept for 15
minutes at most, and every session is ended once (its id has no session id yet).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-09 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kiosk.models.base

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _login_failure(*network: sa.Column[str]) -> None:
    op.create_table(
        "login_failure",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        *network,
        sa.Column("at", kiosk.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    op.create_index(op.f("ix_login_failure_key"), "login_failure", ["key"], unique=False)
    op.create_index(op.f("ix_login_failure_at"), "login_failure", ["at"], unique=False)


def _drop_login_failure() -> None:
    op.drop_index(op.f("ix_login_failure_at"), table_name="login_failure")
    op.drop_index(op.f("ix_login_failure_key"), table_name="login_failure")
    op.drop_table("login_failure")


def upgrade() -> None:
    _drop_login_failure()
    _login_failure(sa.Column("network", sa.String(length=32), nullable=False))

    op.create_table(
        "login_failure_count",
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_at", kiosk.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_user.id"],
            name=op.f("fk_login_failure_count_staff_user_id_staff_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("staff_user_id", "network", name=op.f("pk_login_failure_count")),
    )
    op.create_index(
        op.f("ix_login_failure_count_last_at"), "login_failure_count", ["last_at"], unique=False
    )

    op.create_table(
        "ended_session",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("expires_at", kiosk.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ended_session")),
    )
    op.create_index(
        op.f("ix_ended_session_expires_at"), "ended_session", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_ended_session_expires_at"), table_name="ended_session")
    op.drop_table("ended_session")
    op.drop_index(op.f("ix_login_failure_count_last_at"), table_name="login_failure_count")
    op.drop_table("login_failure_count")
    _drop_login_failure()
    _login_failure()

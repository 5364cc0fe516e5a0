"""Kiosks assigned to places, and answers held aside from places a kiosk is not assigned to

A kiosk's token could add answers to any place. Now a kiosk has places (its own, and any
staff add); what it sends for another place waits in aside_response, uncounted, until an
editor or admin of that place's area releases or rejects it.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kiosk.models.base

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "device_place",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["device.id"],
            name=op.f("fk_device_place_device_id_device"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_device_place_location_id_location")
        ),
        sa.PrimaryKeyConstraint("device_id", "location_id", name=op.f("pk_device_place")),
    )
    with op.batch_alter_table("device_place", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_device_place_location_id"), ["location_id"], unique=False
        )
    # Every kiosk keeps the place it was registered for.
    op.execute(
        "INSERT INTO device_place (device_id, location_id) SELECT id, location_id FROM device"
    )

    op.create_table(
        "aside_response",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("clock_offset_ms", sa.Integer(), nullable=True),
        sa.Column("received_at", kiosk.models.base.UTCDateTime(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decided_at", kiosk.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_aside_response_device_id_device")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_aside_response_location_id_location")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aside_response")),
        sa.UniqueConstraint("uuid", name=op.f("uq_aside_response_uuid")),
    )
    with op.batch_alter_table("aside_response", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_aside_response_device_id"), ["device_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_aside_response_location_id"), ["location_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("aside_response")
    op.drop_table("device_place")

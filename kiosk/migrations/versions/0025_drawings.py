"""Children's drawings: a row each (the picture lies in the media folder), moderated

A drawing belongs to a campaign and a place, has a short number per campaign (no name is
kept: the number is written on the paper original), an age group, how it came in, and where
it stands in moderation (nothing public before approval).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-08 02:19:16
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kiosk.models.base

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "drawing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("media_key", sa.String(length=80), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column(
            "age_group",
            sa.Enum(
                "0-5",
                "6-9",
                "10-13",
                "14-18",
                name="age_group",
                native_enum=False,
                create_constraint=True,
                length=8,
            ),
            nullable=True,
        ),
        sa.Column(
            "source",
            sa.Enum(
                "kiosk", "paper", name="source", native_enum=False, create_constraint=True, length=8
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                name="state",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            server_default="pending",
            nullable=False,
        ),
        sa.Column(
            "reason",
            sa.Enum(
                "face_or_name",
                "not_a_drawing",
                "other",
                name="reason",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("received_at", kiosk.models.base.UTCDateTime(), nullable=False),
        sa.Column("moderated_at", kiosk.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_drawing_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_drawing_location_id_location")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drawing")),
        sa.UniqueConstraint("campaign_id", "number", name="uq_drawing_number"),
        sa.UniqueConstraint("uuid", name=op.f("uq_drawing_uuid")),
    )
    with op.batch_alter_table("drawing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drawing_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_drawing_location_id"), ["location_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_drawing_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("drawing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drawing_state"))
        batch_op.drop_index(batch_op.f("ix_drawing_location_id"))
        batch_op.drop_index(batch_op.f("ix_drawing_campaign_id"))

    op.drop_table("drawing")

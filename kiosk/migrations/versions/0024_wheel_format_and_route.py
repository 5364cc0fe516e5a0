"""Campaign formats, the wheel question, and routes of stations (the climate walk)

- campaign.format: what kind of event a campaign is (pop-up, cooking, movement, climate walk,
  drawing contest, assembly, poster campaign, other); every campaign so far is a pop-up.
- question.kind may be "wheel": one option, picked on a wheel of pictograms.
- question.location_id: a question asked at one station of a route only (NULL: everywhere).
- campaign_location.position and .note: a station's number on its route and what is shown
  there (NULL for campaigns that are no route).

A downgrade makes wheel questions single choices again (the same answers, counted alike) and
asks a station's own questions at every place of their campaign.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-08 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kiosk.migrations.sqlite_rebuild import check_foreign_keys_off, question_rebuilt

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here: the model's lists may grow, this migration's may not.
KINDS_BEFORE = ("single", "multi", "scale", "wish")
KINDS = (*KINDS_BEFORE, "wheel")
FORMATS = (
    "pop_up",
    "cooking",
    "movement",
    "climate_walk",
    "drawing_contest",
    "assembly",
    "poster",
    "other",
)


def _one_of(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def upgrade() -> None:
    check_foreign_keys_off()  # question is rebuilt on SQLite: nothing may cascade
    with question_rebuilt(), op.batch_alter_table("question") as batch:
        batch.drop_constraint(op.f("ck_question_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_question_kind"), _one_of("kind", KINDS))
        batch.add_column(sa.Column("location_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_question_location_id_location"), "location", ["location_id"], ["id"]
        )
        batch.create_index(op.f("ix_question_location_id"), ["location_id"], unique=False)
    with op.batch_alter_table("campaign") as batch:
        batch.add_column(
            sa.Column("format", sa.String(length=24), server_default="pop_up", nullable=False)
        )
        batch.create_check_constraint(op.f("ck_campaign_format"), _one_of("format", FORMATS))
    op.add_column("campaign_location", sa.Column("position", sa.Integer(), nullable=True))
    op.add_column("campaign_location", sa.Column("note", sa.String(length=300), nullable=True))


def downgrade() -> None:
    check_foreign_keys_off()
    # Plain DROP COLUMN (SQLite 3.35+), as 0022's downgrade does.
    op.drop_column("campaign_location", "note")
    op.drop_column("campaign_location", "position")
    with op.batch_alter_table("campaign") as batch:
        batch.drop_constraint(op.f("ck_campaign_format"), type_="check")
        batch.drop_column("format")
    # A wheel question becomes a single choice again: the same answers, counted the same.
    op.execute("UPDATE question SET kind = 'single' WHERE kind = 'wheel'")
    with question_rebuilt(), op.batch_alter_table("question") as batch:
        batch.drop_index(op.f("ix_question_location_id"))
        batch.drop_constraint(op.f("fk_question_location_id_location"), type_="foreignkey")
        batch.drop_column("location_id")
        batch.drop_constraint(op.f("ck_question_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_question_kind"), _one_of("kind", KINDS_BEFORE))

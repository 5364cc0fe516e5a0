"""question.results_shown, shared_wish and kiosk_pace: what a kiosk shows, and how fast it counts

question.results_shown says whether a question's results appear on the kiosk's thank-you
screen and attract loop as they come in ("live") or only once the campaign has ended
("after_close"). shared_wish keeps, on a kiosk node, the approved wishes central sends down
for the attract loop. kiosk_pace holds, per kiosk place and question, when an answer was
last counted there: the kiosk's cooldown.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kiosk.models.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN with its CHECK inline: on SQLite, batch mode would rebuild the
    # table, and Alembic's add_column leaves the CHECK out there.
    op.execute(
        "ALTER TABLE question ADD COLUMN results_shown VARCHAR(16) DEFAULT 'live' NOT NULL"
        " CONSTRAINT ck_question_results_shown"
        " CHECK (results_shown IN ('live', 'after_close'))"
    )
    op.create_table(
        "shared_wish",
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("received_at", kiosk.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_shared_wish_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_shared_wish_location_id_location")
        ),
        sa.PrimaryKeyConstraint("uuid", name=op.f("pk_shared_wish")),
    )
    op.create_index(
        op.f("ix_shared_wish_location_id"), "shared_wish", ["location_id"], unique=False
    )

    op.create_table(
        "kiosk_pace",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("last_at", kiosk.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_kiosk_pace_location_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["question_id"], ["question.id"], name=op.f("fk_kiosk_pace_question_id_question")
        ),
        sa.PrimaryKeyConstraint("location_id", "question_id", name=op.f("pk_kiosk_pace")),
    )


def downgrade() -> None:
    op.drop_table("kiosk_pace")
    op.drop_index(op.f("ix_shared_wish_location_id"), table_name="shared_wish")
    op.drop_table("shared_wish")
    bind = op.get_bind()
    table_sql = ""
    if bind.dialect.name == "sqlite":
        table_sql = str(
            bind.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'question'"
            ).scalar()
        )
    if bind.dialect.name == "sqlite" and "ck_question_results_shown" in table_sql:
        # A table rebuilt by a later migration (0024) holds the CHECK as a table constraint,
        # which SQLite will not drop with the column: batch mode drops both.
        with op.batch_alter_table("question") as batch:
            batch.drop_constraint(op.f("ck_question_results_shown"), type_="check")
            batch.drop_column("results_shown")
    elif bind.dialect.name == "sqlite":
        # SQLite drops a column with its inline CHECK (3.35+); batch mode would keep the CHECK
        # on a rebuilt table and fail.
        op.execute("ALTER TABLE question DROP COLUMN results_shown")
    else:
        op.drop_column("question", "results_shown")

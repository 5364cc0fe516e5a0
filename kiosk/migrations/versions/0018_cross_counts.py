"""cross_count: answers and picks per group of the demographic question, kept by triggers

The comparison by age group (the cross-tab) joined every answer of a place to its visit's
answer to the demographic question: a scan of all answers on each staff results page, report
and workbook. A counter per place, question, option and group, kept by triggers in the same
transaction as each answer (like the other counters), makes it a read of a few hundred rows.
The triggers find a visit's answers by a new index on response (visit_id, question_id).
Existing answers
are counted into it once, here.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kiosk.models.counters import (
    CROSS_COUNT_FILL,
    POSTGRESQL_CROSS_TRIGGERS,
    SQLITE_CROSS_TRIGGERS,
)

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_response_visit_id_question_id"), "response", ["visit_id", "question_id"]
    )
    op.create_table(
        "cross_count",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("group_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_cross_count_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_cross_count_location_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["question_id"], ["question.id"], name=op.f("fk_cross_count_question_id_question")
        ),
        sa.PrimaryKeyConstraint(
            "location_id", "question_id", "option_id", "group_id", name=op.f("pk_cross_count")
        ),
    )
    op.create_index(op.f("ix_cross_count_campaign_id"), "cross_count", ["campaign_id"])
    bind = op.get_bind()
    bind.exec_driver_sql(CROSS_COUNT_FILL.format(on_d="true", on_x="true"))
    postgresql = bind.dialect.name == "postgresql"
    for statement in POSTGRESQL_CROSS_TRIGGERS if postgresql else SQLITE_CROSS_TRIGGERS:
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER response_option_cross ON response_option")
        op.execute("DROP TRIGGER response_cross ON response")
        op.execute("DROP FUNCTION count_response_option_cross()")
        op.execute("DROP FUNCTION count_response_cross()")
    else:
        for name in ("response_option_regroup", "response_option_cross", "response_cross"):
            op.execute(f"DROP TRIGGER {name}")
    op.drop_index(op.f("ix_cross_count_campaign_id"), table_name="cross_count")
    op.drop_table("cross_count")
    op.drop_index(op.f("ix_response_visit_id_question_id"), table_name="response")

"""hour_count and poster_count: answers per place, campaign and UTC hour or poster, by triggers

The charts over time (per day, per hour of the day) grouped every response of a place by its
hour (13 s at ten million), and the answers per labelled poster every response by its
source. Counters per place, campaign and hour or poster, kept by triggers in the same
transaction as each answer (like option_count and answer_count), make them a read of a few
hundred rows. Existing answers are counted into them once, here.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 18:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kiosk.models.base
from kiosk.models.counters import (
    HOURS_OF_RESPONSES,
    POSTGRESQL_HOUR_TRIGGERS,
    SQLITE_HOUR_TRIGGERS,
)

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hour_count",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("hour", kiosk.models.base.UTCDateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_hour_count_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_hour_count_location_id_location")
        ),
        sa.PrimaryKeyConstraint("location_id", "campaign_id", "hour", name=op.f("pk_hour_count")),
    )
    op.create_index(op.f("ix_hour_count_campaign_id_hour"), "hour_count", ["campaign_id", "hour"])
    # As the driver takes them: the hours' "%H:00:00" is no bind parameter.
    bind = op.get_bind()
    hour = HOURS_OF_RESPONSES[bind.dialect.name]
    bind.exec_driver_sql(
        f"INSERT INTO hour_count (location_id, campaign_id, hour, count) "  # noqa: S608
        f"SELECT location_id, campaign_id, {hour}, count(*) FROM response "
        f"GROUP BY location_id, campaign_id, {hour}"
    )
    op.create_table(
        "poster_count",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_poster_count_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_poster_count_location_id_location")
        ),
        sa.PrimaryKeyConstraint(
            "location_id", "campaign_id", "source", name=op.f("pk_poster_count")
        ),
    )
    bind.exec_driver_sql(
        "INSERT INTO poster_count (location_id, campaign_id, source, count) "
        "SELECT location_id, campaign_id, source, count(*) FROM response "
        "WHERE source IS NOT NULL GROUP BY location_id, campaign_id, source"
    )
    postgresql = bind.dialect.name == "postgresql"
    for statement in POSTGRESQL_HOUR_TRIGGERS if postgresql else SQLITE_HOUR_TRIGGERS:
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    for name in ("response_posters", "response_hours"):
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER {name} ON response")
            op.execute(f"DROP FUNCTION count_{name}()")
        else:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("poster_count")
    op.drop_index(op.f("ix_hour_count_campaign_id_hour"), table_name="hour_count")
    op.drop_table("hour_count")

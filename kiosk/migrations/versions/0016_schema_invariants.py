"""Invariants in the schema: wish state and staff role checked, answered_at set, campaign windows

- response.wish_state takes only pending, approved or rejected (ck_response_wish_state), and
  a response has a wish text and a wish state together or neither
  (ck_response_wish_text_and_state; a redacted wish keeps "" and rejected);
- response.answered_at is NOT NULL;
- staff_user.role takes only admin, editor, moderator or viewer (ck_staff_user_role);
- a campaign starts before it ends where both are set (ck_campaign_starts_before_end).
response.channel has been checked since 0001 (ck_response_channel) and stays as it is.

Existing rows are repaired first, where the repair is clear:
- answered_at missing: the device's time if it had one and it is not after received_at,
  else received_at (what kiosk.sync.ingest does without a known clock offset);
- a wish state in other letter case takes the state's spelling; an unknown one becomes
  pending (back in the moderation queue; only approved wishes are ever shown);
- a wish text without a state is pending; a state without a text is, on a wish question,
  what redaction leaves (text "", rejected, marked redacted: it still counts as a wish given
  and is never shown), and on any other question it goes;
- a role in other letter case takes the role's spelling; a member with an unknown role
  (who could do nothing) becomes an inactive viewer, for an admin to look at.
A campaign that ends before (or as) it starts has no clear repair (moving either end opens
it to answers it never took): the upgrade stops, naming it, before changing anything.

On SQLite the three tables are rebuilt (batch mode; kiosk.migrations.sqlite_rebuild keeps
the counter triggers and makes sure no rows cascade away): every response is copied once.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-22 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kiosk.models.base
from kiosk.migrations.sqlite_rebuild import check_foreign_keys_off, response_rebuilt

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The values as of this revision (the models take theirs from the Python enums).
WISH_STATES = ("pending", "approved", "rejected")
ROLES = ("admin", "editor", "moderator", "viewer")


def _one_of(column: str, values: Sequence[str]) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{value}'" for value in values))


WISH_STATE_CHECK = _one_of("wish_state", WISH_STATES)
ROLE_CHECK = _one_of("role", ROLES)
WISH_TEXT_AND_STATE_CHECK = (
    "(text IS NULL AND wish_state IS NULL) OR (text IS NOT NULL AND wish_state IS NOT NULL)"
)
STARTS_BEFORE_END_CHECK = "starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at"


def _check_campaign_windows(bind: sa.Connection) -> None:
    inverted = bind.execute(
        sa.text(
            "SELECT id, title FROM campaign WHERE starts_at IS NOT NULL"
            " AND ends_at IS NOT NULL AND starts_at >= ends_at ORDER BY id"
        )
    ).all()
    if inverted:
        listed = "; ".join(f"{id_} {title!r}" for id_, title in inverted)
        raise RuntimeError(
            f"campaigns ending before or as they start: {listed}. On central, set their days "
            "in the campaign's form, then upgrade again; on a kiosk node (its campaigns come "
            "from central), correct them on central first"
        )


response = sa.table(
    "response",
    sa.column("question_id", sa.Integer()),
    sa.column("text", sa.Text()),
    sa.column("wish_state", sa.String()),
    sa.column("wish_mark", sa.String()),
    sa.column("client_at", sa.DateTime()),
    sa.column("received_at", sa.DateTime()),
    sa.column("answered_at", sa.DateTime()),
)
question = sa.table("question", sa.column("id", sa.Integer()), sa.column("kind", sa.String()))
staff_user = sa.table(
    "staff_user", sa.column("role", sa.String()), sa.column("active", sa.Boolean())
)


def _spelled(column: sa.ColumnClause[str], values: Sequence[str]) -> sa.Case[str]:
    """The one of these values the column holds but for letter case and spaces, else NULL."""
    return sa.case({value: value for value in values}, value=sa.func.lower(sa.func.trim(column)))


def _repair_responses() -> None:
    op.execute(
        sa.update(response)
        .where(response.c.answered_at.is_(None))
        .values(
            answered_at=sa.case(
                (
                    response.c.client_at < response.c.received_at,
                    response.c.client_at,
                ),
                else_=response.c.received_at,
            )
        )
    )
    state = response.c.wish_state
    op.execute(
        sa.update(response)
        .where(state.is_not(None), state.not_in(WISH_STATES))
        .values(wish_state=sa.func.coalesce(_spelled(state, WISH_STATES), "pending"))
    )
    op.execute(
        sa.update(response)
        .where(response.c.text.is_not(None), state.is_(None))
        .values(wish_state="pending")
    )
    on_wish_question = response.c.question_id.in_(
        sa.select(question.c.id).where(question.c.kind == "wish")
    )
    state_without_text = sa.and_(response.c.text.is_(None), state.is_not(None))
    op.execute(
        sa.update(response)
        .where(state_without_text, on_wish_question)
        .values(text="", wish_state="rejected", wish_mark="redacted")
    )
    op.execute(
        sa.update(response).where(state_without_text, ~on_wish_question).values(wish_state=None)
    )


def _repair_roles() -> None:
    role = staff_user.c.role
    op.execute(
        sa.update(staff_user)
        .where(role.not_in(ROLES), _spelled(role, ROLES).is_not(None))
        .values(role=_spelled(role, ROLES))
    )
    op.execute(sa.update(staff_user).where(role.not_in(ROLES)).values(role="viewer", active=False))


def upgrade() -> None:
    check_foreign_keys_off()  # before anything changes
    _check_campaign_windows(op.get_bind())
    _repair_responses()
    _repair_roles()
    with response_rebuilt(), op.batch_alter_table("response") as batch:
        batch.alter_column(
            "answered_at", existing_type=kiosk.models.base.UTCDateTime(), nullable=False
        )
        batch.create_check_constraint(op.f("ck_response_wish_state"), WISH_STATE_CHECK)
        batch.create_check_constraint(
            op.f("ck_response_wish_text_and_state"), WISH_TEXT_AND_STATE_CHECK
        )
    with op.batch_alter_table("staff_user") as batch:
        batch.create_check_constraint(op.f("ck_staff_user_role"), ROLE_CHECK)
    with op.batch_alter_table("campaign") as batch:
        batch.create_check_constraint(
            op.f("ck_campaign_starts_before_end"), STARTS_BEFORE_END_CHECK
        )


def downgrade() -> None:
    # The repaired rows stay as they were repaired.
    check_foreign_keys_off()
    with op.batch_alter_table("campaign") as batch:
        batch.drop_constraint(op.f("ck_campaign_starts_before_end"), type_="check")
    with op.batch_alter_table("staff_user") as batch:
        batch.drop_constraint(op.f("ck_staff_user_role"), type_="check")
    with response_rebuilt(), op.batch_alter_table("response") as batch:
        batch.drop_constraint(op.f("ck_response_wish_text_and_state"), type_="check")
        batch.drop_constraint(op.f("ck_response_wish_state"), type_="check")
        batch.alter_column(
            "answered_at", existing_type=kiosk.models.base.UTCDateTime(), nullable=True
        )

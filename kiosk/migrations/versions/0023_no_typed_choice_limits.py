"""Multiple-choice texts lose a limit typed at their end ("(bis zu 2)")

The screens say a multiple choice's limit from its setting, in every language; a limit typed
into a text went stale when the setting changed, and would now show twice. Texts typed
before this release lose it once here (saving a question strips it from now on).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 23:30:00
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As kiosk.setup.questions._TYPED_LIMIT was when this migration was written.
TYPED_LIMIT = re.compile(
    r"\s*[(（]\s*(?:(?:wähle|wählen\s+sie|choose|pick|select)\s+)?"
    r"(?:bis\s+zu|höchstens|maximal|max\.?|up\s+to|at\s+most|maximum|en\s+fazla|en\s+çok"
    r"|حتى|بحد\s+أقصى|до|не\s+более|не\s+більше|максимум)"
    r"\s*(?P<number>\d{1,2})(?:\s+[^\W\d_]+)?\s*[)）]\s*$",
    re.IGNORECASE,
)


def upgrade() -> None:
    bind = op.get_bind()
    question = sa.table(
        "question",
        sa.column("id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("texts", sa.JSON),
    )
    changed = 0
    rows = bind.execute(
        sa.select(question.c.id, question.c.texts).where(question.c.kind == "multi")
    ).all()
    for question_id, texts in rows:
        # A text that is nothing but a limit stays as it is (it would be empty).
        cleaned = {code: TYPED_LIMIT.sub("", text) or text for code, text in (texts or {}).items()}
        if cleaned != texts:
            bind.execute(
                sa.update(question).where(question.c.id == question_id).values(texts=cleaned)
            )
            changed += 1
    if changed:  # kiosk nodes and workers read the configuration again
        op.execute("UPDATE catalog_revision SET revision = revision + 1 WHERE id = 1")


def downgrade() -> None:
    pass  # the screens say the limit from the setting; nothing to put back

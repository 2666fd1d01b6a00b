"""each group's text confirmations in the last minute, one window for every instance

The /log confirmations a group got as texts in the last minute were counted in each process's memory:
two instances allowed 8 each, so a busy group got 16 and Telegram's 20 a minute per group came close
with the announcements on top. The window is now one row per group (docs/schema.md,
storage/confirmations.py), locked by the take in the update's transaction.

Expand-only: the old release never reads the table (it keeps counting in memory until it stops).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TELEGRAM_GROUP_PER_MINUTE = 20  # storage.models.TELEGRAM_GROUP_PER_MINUTE, as of this revision


def upgrade() -> None:
    op.create_table(
        "group_confirmations",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("sent", sa.JSON(), nullable=False),
        sa.CheckConstraint("chat_id < 0", name=op.f("ck_group_confirmations_group_chat")),
        sa.CheckConstraint(
            f"json_array_length(sent) <= {TELEGRAM_GROUP_PER_MINUTE}",
            name=op.f("ck_group_confirmations_within_telegram_limit"),
        ),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_group_confirmations")),
    )


def downgrade() -> None:
    op.drop_table("group_confirmations")

"""handled updates: an /undo redelivered by Telegram must not undo a second log

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 01:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "handled_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_handled_updates_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_handled_updates")),
    )
    op.create_index("ix_handled_updates_handled_at", "handled_updates", ["handled_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_handled_updates_handled_at", table_name="handled_updates")
    op.drop_table("handled_updates")

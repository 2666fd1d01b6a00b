"""logged messages: editing the message of a log corrects that log

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "logged_messages",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("message_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("update_id", sa.BigInteger(), nullable=False),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_logged_messages_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("chat_id", "message_id", name=op.f("pk_logged_messages")),
    )
    op.create_index("ix_logged_messages_logged_at", "logged_messages", ["logged_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_logged_messages_logged_at", table_name="logged_messages")
    op.drop_table("logged_messages")

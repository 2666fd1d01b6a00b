"""the forum topic a circle lives in: its batched announcements go there

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 11:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("circles") as batch:
        batch.add_column(sa.Column("thread_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("circles") as batch:
        batch.drop_column("thread_id")

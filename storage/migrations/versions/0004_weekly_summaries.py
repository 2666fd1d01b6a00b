"""weekly summaries: a 'weekly' reminder kind, and the day each circle last got its digest

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reminders") as batch:
        batch.drop_constraint(op.f("ck_reminders_kind_known"), type_="check")
        batch.create_check_constraint("kind_known", "kind IN ('daily', 'streak', 'kahf', 'weekly')")
    with op.batch_alter_table("circles") as batch:
        batch.add_column(sa.Column("digest_sent_on", sa.Date(), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM reminders WHERE kind = 'weekly'")
    with op.batch_alter_table("circles") as batch:
        batch.drop_column("digest_sent_on")
    with op.batch_alter_table("reminders") as batch:
        batch.drop_constraint(op.f("ck_reminders_kind_known"), type_="check")
        batch.create_check_constraint("kind_known", "kind IN ('daily', 'streak', 'kahf')")

"""circles keep the shared wird's position and an announcement watermark

A circle in wird mode reads `wird_pages` a day from `wird_start_page`, counted from `wird_started_on`, so
"where the circle is" is arithmetic, not history. `announced_reading_id` is the id of the last reading
announced in the group: a batch survives a restart because the next flush starts from it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 00:54:08.992486
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # batch: SQLite cannot add a CHECK constraint in place, so the table is rebuilt there; Postgres ALTERs.
    with op.batch_alter_table("circles") as batch:
        batch.add_column(sa.Column("wird_start_page", sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column("wird_started_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("announced_reading_id", sa.BigInteger(), nullable=True))
        batch.create_check_constraint(
            "wird_start_page_range", "wird_start_page IS NULL OR wird_start_page BETWEEN 1 AND 604"
        )


def downgrade() -> None:
    with op.batch_alter_table("circles") as batch:
        batch.drop_constraint(op.f("ck_circles_wird_start_page_range"), type_="check")
        batch.drop_column("announced_reading_id")
        batch.drop_column("wird_started_on")
        batch.drop_column("wird_start_page")

"""partial indexes of long readings: which earlier readings reach into some ayahs is a bounded query

/progress's pace and a khatm-by-date goal need the coverage of a khatm's readings dated before a day,
but only on the ayahs read since; the readings that reach into those ayahs start near them unless they
are long, and long readings are few. See storage.repos.ReadingRepo.windows.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LENGTHS = (17, 257)  # storage.models.LONG_READING, VERY_LONG_READING


def upgrade() -> None:
    for length in LENGTHS:
        predicate = sa.text(f"end_index - start_index >= {length - 1}")
        op.create_index(
            f"ix_readings_long_{length}",
            "readings",
            ["khatm_id", "start_index"],
            postgresql_where=predicate,
            sqlite_where=predicate,
        )


def downgrade() -> None:
    for length in LENGTHS:
        op.drop_index(f"ix_readings_long_{length}", table_name="readings")

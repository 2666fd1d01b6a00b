"""khatm coverage kept on the khatm row: a log, /progress and reminders stop re-reading every reading

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOTAL_AYAHS = 6236
COVERAGE_BYTES = (TOTAL_AYAHS + 7) // 8


def _bitmap(ranges: list[tuple[int, int]]) -> bytes:
    """The same encoding as tracker.coverage.to_bytes (a migration must not import the app)."""
    mask = 0
    for first, last in ranges:
        mask |= ((1 << (last - first + 1)) - 1) << (first - 1)
    return mask.to_bytes(COVERAGE_BYTES, "little").rstrip(b"\0")


def upgrade() -> None:
    op.add_column("khatms", sa.Column("coverage", sa.LargeBinary(), nullable=True))
    bind = op.get_bind()
    khatms = sa.table("khatms", sa.column("id", sa.BigInteger), sa.column("coverage", sa.LargeBinary))
    readings = sa.table(
        "readings",
        sa.column("khatm_id", sa.BigInteger),
        sa.column("start_index", sa.SmallInteger),
        sa.column("end_index", sa.SmallInteger),
    )
    # Backfill: one pass over the readings in khatm order, one UPDATE per khatm that has any.
    rows = bind.execute(
        sa.select(readings.c.khatm_id, readings.c.start_index, readings.c.end_index).order_by(
            readings.c.khatm_id
        )
    )
    current: int | None = None
    ranges: list[tuple[int, int]] = []
    update = sa.update(khatms).where(khatms.c.id == sa.bindparam("kid")).values(coverage=sa.bindparam("cov"))

    def flush() -> None:
        if current is not None:
            bind.execute(update, [{"kid": current, "cov": _bitmap(ranges)}])

    for khatm_id, first, last in rows.all():
        if khatm_id != current:
            flush()
            current, ranges = khatm_id, []
        ranges.append((first, last))
    flush()
    bind.execute(sa.update(khatms).where(khatms.c.coverage.is_(None)).values(coverage=b""))
    with op.batch_alter_table("khatms") as batch:
        batch.alter_column("coverage", existing_type=sa.LargeBinary(), nullable=False)
        batch.create_check_constraint("coverage_size", f"length(coverage) <= {COVERAGE_BYTES}")


def downgrade() -> None:
    with op.batch_alter_table("khatms") as batch:
        batch.drop_constraint(op.f("ck_khatms_coverage_size"), type_="check")
        batch.drop_column("coverage")

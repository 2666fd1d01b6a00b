"""minutes of reading: a daily goal in minutes (Quran.com's time goal) and the time logged for it

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_CHECK = (
    "(kind = 'khatm_by' AND target_date IS NOT NULL) OR "
    "(kind IN ('ayahs', 'pages', 'juz') AND amount IS NOT NULL AND amount > 0) OR "
    "(kind = 'surah' AND amount BETWEEN 1 AND 114)"
)
NEW_CHECK = (
    "(kind = 'khatm_by' AND target_date IS NOT NULL) OR "
    "(kind IN ('ayahs', 'pages', 'juz', 'minutes') AND amount IS NOT NULL AND amount > 0) OR "
    "(kind = 'surah' AND amount BETWEEN 1 AND 114)"
)


def _partial_indexes(create: bool) -> None:
    """goals' two partial unique indexes: dropped around the batch (SQLite rebuilds the table and would
    not carry their WHERE clauses over), then made again."""
    if not create:
        op.drop_index("ix_goals_one_main_goal_per_user", table_name="goals")
        op.drop_index("ix_goals_one_habit_per_surah", table_name="goals")
        return
    op.create_index(
        "ix_goals_one_habit_per_surah",
        "goals",
        ["user_id", "amount"],
        unique=True,
        postgresql_where=sa.text("kind = 'surah'"),
        sqlite_where=sa.text("kind = 'surah'"),
    )
    op.create_index(
        "ix_goals_one_main_goal_per_user",
        "goals",
        ["user_id"],
        unique=True,
        postgresql_where=sa.text("kind <> 'surah'"),
        sqlite_where=sa.text("kind <> 'surah'"),
    )


def upgrade() -> None:
    op.create_table(
        "reading_minutes",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("minutes", sa.SmallInteger(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("update_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("minutes BETWEEN 1 AND 1440", name=op.f("ck_reading_minutes_minutes_range")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_reading_minutes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reading_minutes")),
        sa.UniqueConstraint("user_id", "update_id", name=op.f("uq_reading_minutes_user_id_update_id")),
    )
    op.create_index(
        "ix_reading_minutes_user_id_local_date", "reading_minutes", ["user_id", "local_date"], unique=False
    )
    _partial_indexes(create=False)
    with op.batch_alter_table("goals") as batch:  # SQLite cannot alter a CHECK in place
        batch.drop_constraint(op.f("ck_goals_kind_has_its_value"), type_="check")
        batch.create_check_constraint("kind_has_its_value", NEW_CHECK)
    _partial_indexes(create=True)


def downgrade() -> None:
    op.execute("DELETE FROM goals WHERE kind = 'minutes'")  # the old schema has no minutes goals
    _partial_indexes(create=False)
    with op.batch_alter_table("goals") as batch:
        batch.drop_constraint(op.f("ck_goals_kind_has_its_value"), type_="check")
        batch.create_check_constraint("kind_has_its_value", OLD_CHECK)
    _partial_indexes(create=True)
    op.drop_index("ix_reading_minutes_user_id_local_date", table_name="reading_minutes")
    op.drop_table("reading_minutes")

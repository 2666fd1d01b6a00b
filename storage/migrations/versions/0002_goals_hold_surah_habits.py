"""goals hold surah habits

A user now has one main goal (a daily amount or a khatm by a date) plus surah habits such as Al-Mulk every
night or Al-Kahf every Friday, so UNIQUE(user_id) becomes two partial unique indexes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 00:46:51.409699
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_CHECK = (
    "(kind = 'khatm_by' AND target_date IS NOT NULL) OR "
    "(kind IN ('ayahs', 'pages', 'juz') AND amount IS NOT NULL AND amount > 0)"
)
NEW_CHECK = OLD_CHECK + " OR (kind = 'surah' AND amount BETWEEN 1 AND 114)"


def upgrade() -> None:
    # batch: SQLite cannot alter constraints in place, so the table is rebuilt there; Postgres ALTERs.
    with op.batch_alter_table("goals") as batch:
        batch.add_column(sa.Column("weekday", sa.SmallInteger(), nullable=True))
        batch.drop_constraint(op.f("uq_goals_user_id"), type_="unique")
        batch.drop_constraint(op.f("ck_goals_kind_has_its_value"), type_="check")
        batch.create_check_constraint("kind_has_its_value", NEW_CHECK)
        batch.create_check_constraint("weekday_range", "weekday IS NULL OR weekday BETWEEN 0 AND 6")
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


def downgrade() -> None:
    # The old schema has no habits: they are dropped.
    op.execute("DELETE FROM goals WHERE kind = 'surah'")
    op.drop_index("ix_goals_one_main_goal_per_user", table_name="goals")
    op.drop_index("ix_goals_one_habit_per_surah", table_name="goals")
    with op.batch_alter_table("goals") as batch:
        batch.drop_constraint(op.f("ck_goals_weekday_range"), type_="check")
        batch.drop_constraint(op.f("ck_goals_kind_has_its_value"), type_="check")
        batch.create_check_constraint("kind_has_its_value", OLD_CHECK)
        batch.create_unique_constraint(op.f("uq_goals_user_id"), ["user_id"])
        batch.drop_column("weekday")

"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-26 00:35:58.472821
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("first_name", sa.String(length=128), nullable=True),
        sa.Column("language", sa.String(length=8), server_default="en", nullable=False),
        sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False),
        sa.Column("grace_days_per_week", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("onboarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("grace_days_per_week BETWEEN 0 AND 7", name=op.f("ck_users_grace_days")),
        sa.CheckConstraint("length(language) BETWEEN 2 AND 8", name=op.f("ck_users_language_code")),
        sa.CheckConstraint("length(timezone) BETWEEN 1 AND 64", name=op.f("ck_users_timezone_name")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    op.create_table(
        "circles",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("announce", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("mode", sa.String(length=8), server_default="khatm", nullable=False),
        sa.Column("wird_pages", sa.SmallInteger(), nullable=True),
        sa.CheckConstraint("mode IN ('khatm', 'wird')", name=op.f("ck_circles_mode_known")),
        sa.CheckConstraint(
            "wird_pages IS NULL OR wird_pages BETWEEN 1 AND 20", name=op.f("ck_circles_wird_pages_range")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_circles_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_circles")),
        sa.UniqueConstraint("chat_id", name=op.f("uq_circles_chat_id")),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("slot", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_deliveries_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint(
            "user_id", "kind", "slot", "local_date", name=op.f("uq_deliveries_user_id_kind_slot_local_date")
        ),
    )
    op.create_index("ix_deliveries_claimed_at", "deliveries", ["claimed_at"], unique=False)
    op.create_table(
        "excused_days",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "reason IN ('travel', 'illness', 'menstruation', 'other')",
            name=op.f("ck_excused_days_reason_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_excused_days_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "local_date", name=op.f("pk_excused_days")),
    )
    op.create_table(
        "goals",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("preset", sa.String(length=32), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'khatm_by' AND target_date IS NOT NULL) OR (kind IN ('ayahs', 'pages', 'juz') AND amount IS NOT NULL AND amount > 0)",
            name=op.f("ck_goals_kind_has_its_value"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_goals_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
        sa.UniqueConstraint("user_id", name=op.f("uq_goals_user_id")),
    )
    op.create_table(
        "khatms",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "completed_at IS NULL OR completed_at >= started_at", name=op.f("ck_khatms_completed_after_start")
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_khatms_number_positive")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_khatms_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_khatms")),
        sa.UniqueConstraint("id", "user_id", name=op.f("uq_khatms_id_user_id")),
        sa.UniqueConstraint("user_id", "number", name=op.f("uq_khatms_user_id_number")),
    )
    op.create_index(
        "ix_khatms_one_open_per_user",
        "khatms",
        ["user_id"],
        unique=True,
        postgresql_where=sa.text("completed_at IS NULL"),
        sqlite_where=sa.text("completed_at IS NULL"),
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("slot", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
        sa.Column("local_time", sa.Time(), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('daily', 'streak', 'kahf')", name=op.f("ck_reminders_kind_known")),
        sa.CheckConstraint("slot BETWEEN 1 AND 5", name=op.f("ck_reminders_slot_range")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_reminders_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("user_id", "kind", "slot", name=op.f("uq_reminders_user_id_kind_slot")),
    )
    op.create_index(
        "ix_reminders_due",
        "reminders",
        ["next_due_at"],
        unique=False,
        postgresql_where=sa.text("enabled"),
        sqlite_where=sa.text("enabled"),
    )
    op.create_table(
        "circle_members",
        sa.Column("circle_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
            name=op.f("fk_circle_members_circle_id_circles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_circle_members_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("circle_id", "user_id", name=op.f("pk_circle_members")),
    )
    op.create_index("ix_circle_members_user_id", "circle_members", ["user_id"], unique=False)
    op.create_table(
        "khatm_rounds",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("circle_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_message_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "completed_at IS NULL OR cancelled_at IS NULL",
            name=op.f("ck_khatm_rounds_not_both_completed_and_cancelled"),
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_khatm_rounds_number_positive")),
        sa.ForeignKeyConstraint(
            ["circle_id"], ["circles.id"], name=op.f("fk_khatm_rounds_circle_id_circles"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_khatm_rounds")),
        sa.UniqueConstraint("circle_id", "number", name=op.f("uq_khatm_rounds_circle_id_number")),
    )
    op.create_index(
        "ix_khatm_rounds_one_open_per_circle",
        "khatm_rounds",
        ["circle_id"],
        unique=True,
        postgresql_where=sa.text("completed_at IS NULL AND cancelled_at IS NULL"),
        sqlite_where=sa.text("completed_at IS NULL AND cancelled_at IS NULL"),
    )
    op.create_table(
        "readings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("khatm_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("start_index", sa.SmallInteger(), nullable=False),
        sa.Column("end_index", sa.SmallInteger(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=16), server_default="message", nullable=False),
        sa.Column("source_text", sa.Text(), nullable=True),
        sa.Column("update_id", sa.BigInteger(), nullable=True),
        sa.Column("part", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint(
            "source IN ('message', 'command', 'reminder', 'circle', 'import')",
            name=op.f("ck_readings_source_known"),
        ),
        sa.CheckConstraint("length(source_text) <= 4096", name=op.f("ck_readings_source_text_length")),
        sa.CheckConstraint("part >= 0", name=op.f("ck_readings_part_non_negative")),
        sa.CheckConstraint(
            "start_index >= 1 AND start_index <= end_index AND end_index <= 6236",
            name=op.f("ck_readings_range_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["khatm_id", "user_id"],
            ["khatms.id", "khatms.user_id"],
            name=op.f("fk_readings_khatm_id_user_id_khatms"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_readings_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readings")),
        sa.UniqueConstraint("user_id", "update_id", "part", name=op.f("uq_readings_user_id_update_id_part")),
    )
    op.create_index("ix_readings_khatm_id_start_index", "readings", ["khatm_id", "start_index"], unique=False)
    op.create_index("ix_readings_user_id_local_date", "readings", ["user_id", "local_date"], unique=False)
    op.create_index("ix_readings_user_id_recorded_at", "readings", ["user_id", "recorded_at"], unique=False)
    op.create_table(
        "juz_assignments",
        sa.Column("round_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("juz", sa.SmallInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("juz BETWEEN 1 AND 30", name=op.f("ck_juz_assignments_juz_range")),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["khatm_rounds.id"],
            name=op.f("fk_juz_assignments_round_id_khatm_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_juz_assignments_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("round_id", "juz", name=op.f("pk_juz_assignments")),
    )
    op.create_index("ix_juz_assignments_user_id", "juz_assignments", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_juz_assignments_user_id", table_name="juz_assignments")
    op.drop_table("juz_assignments")
    op.drop_index("ix_readings_user_id_recorded_at", table_name="readings")
    op.drop_index("ix_readings_user_id_local_date", table_name="readings")
    op.drop_index("ix_readings_khatm_id_start_index", table_name="readings")
    op.drop_table("readings")
    op.drop_index(
        "ix_khatm_rounds_one_open_per_circle",
        table_name="khatm_rounds",
        postgresql_where=sa.text("completed_at IS NULL AND cancelled_at IS NULL"),
        sqlite_where=sa.text("completed_at IS NULL AND cancelled_at IS NULL"),
    )
    op.drop_table("khatm_rounds")
    op.drop_index("ix_circle_members_user_id", table_name="circle_members")
    op.drop_table("circle_members")
    op.drop_index(
        "ix_reminders_due",
        table_name="reminders",
        postgresql_where=sa.text("enabled"),
        sqlite_where=sa.text("enabled"),
    )
    op.drop_table("reminders")
    op.drop_index(
        "ix_khatms_one_open_per_user",
        table_name="khatms",
        postgresql_where=sa.text("completed_at IS NULL"),
        sqlite_where=sa.text("completed_at IS NULL"),
    )
    op.drop_table("khatms")
    op.drop_table("goals")
    op.drop_table("excused_days")
    op.drop_index("ix_deliveries_claimed_at", table_name="deliveries")
    op.drop_table("deliveries")
    op.drop_table("circles")
    op.drop_table("users")

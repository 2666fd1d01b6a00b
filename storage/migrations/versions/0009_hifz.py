"""hifz: memorised pages as FSRS cards, the revision log, each memoriser's routine, teachers' halaqas

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hifz_cards",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("page", sa.SmallInteger(), nullable=False),
        sa.Column("memorised_on", sa.Date(), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("stability", sa.Double(), nullable=False),
        sa.Column("difficulty", sa.Double(), nullable=False),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_review", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reps", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("lapses", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint("difficulty BETWEEN 1 AND 10", name=op.f("ck_hifz_cards_difficulty_range")),
        sa.CheckConstraint("due > last_review", name=op.f("ck_hifz_cards_due_after_review")),
        sa.CheckConstraint("page BETWEEN 1 AND 604", name=op.f("ck_hifz_cards_page_range")),
        sa.CheckConstraint(
            "reps >= 1 AND lapses >= 0 AND lapses < reps", name=op.f("ck_hifz_cards_counts_valid")
        ),
        sa.CheckConstraint("stability > 0", name=op.f("ck_hifz_cards_stability_positive")),
        sa.CheckConstraint("state IN (1, 2, 3)", name=op.f("ck_hifz_cards_state_known")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_hifz_cards_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "page", name=op.f("pk_hifz_cards")),
    )
    with op.batch_alter_table("hifz_cards", schema=None) as batch_op:
        batch_op.create_index("ix_hifz_cards_user_id_due", ["user_id", "due"], unique=False)

    op.create_table(
        "hifz_revisions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("rated", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("teacher_id", sa.BigInteger(), nullable=True),
        sa.Column("mistakes", sa.SmallInteger(), nullable=True),
        sa.Column("update_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "source IN ('memorised', 'message', 'command', 'review', 'reminder', 'teacher')",
            name=op.f("ck_hifz_revisions_source_known"),
        ),
        sa.CheckConstraint(
            "teacher_id IS NULL OR source = 'teacher'",
            name=op.f("ck_hifz_revisions_teacher_only_for_teacher"),
        ),
        sa.CheckConstraint(
            "mistakes IS NULL OR mistakes BETWEEN 0 AND 999", name=op.f("ck_hifz_revisions_mistakes_range")
        ),
        sa.CheckConstraint("rating BETWEEN 1 AND 4", name=op.f("ck_hifz_revisions_rating_range")),
        sa.ForeignKeyConstraint(
            ["teacher_id"], ["users.id"], name=op.f("fk_hifz_revisions_teacher_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_hifz_revisions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hifz_revisions")),
        sa.UniqueConstraint("user_id", "update_id", name=op.f("uq_hifz_revisions_user_id_update_id")),
    )
    with op.batch_alter_table("hifz_revisions", schema=None) as batch_op:
        batch_op.create_index("ix_hifz_revisions_user_id_local_date", ["user_id", "local_date"], unique=False)

    op.create_table(
        "hifz_settings",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("daily_budget", sa.SmallInteger(), server_default=sa.text("10"), nullable=False),
        sa.Column("routine", sa.String(length=16), server_default="fsrs", nullable=False),
        sa.Column("sabaq_lines", sa.SmallInteger(), nullable=True),
        sa.Column("sabqi_pages", sa.SmallInteger(), server_default=sa.text("5"), nullable=False),
        sa.Column("default_rating", sa.SmallInteger(), server_default=sa.text("3"), nullable=False),
        sa.Column("remind_at", sa.Time(), nullable=True),
        sa.Column("remind_next_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("routine IN ('fsrs', 'three_part')", name=op.f("ck_hifz_settings_routine_known")),
        sa.CheckConstraint("daily_budget BETWEEN 1 AND 604", name=op.f("ck_hifz_settings_budget_range")),
        sa.CheckConstraint(
            "default_rating BETWEEN 1 AND 4", name=op.f("ck_hifz_settings_default_rating_range")
        ),
        sa.CheckConstraint(
            "remind_at IS NOT NULL OR remind_next_at IS NULL", name=op.f("ck_hifz_settings_next_needs_time")
        ),
        sa.CheckConstraint(
            "sabaq_lines IS NULL OR sabaq_lines BETWEEN 1 AND 150", name=op.f("ck_hifz_settings_sabaq_range")
        ),
        sa.CheckConstraint("sabqi_pages BETWEEN 1 AND 100", name=op.f("ck_hifz_settings_sabqi_range")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_hifz_settings_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_hifz_settings")),
    )
    with op.batch_alter_table("hifz_settings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_hifz_settings_remind_next_at",
            ["remind_next_at"],
            unique=False,
            postgresql_where=sa.text("remind_next_at IS NOT NULL"),
            sqlite_where=sa.text("remind_next_at IS NOT NULL"),
        )

    op.create_table(
        "halaqas",
        sa.Column("circle_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("teacher_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["circle_id"], ["circles.id"], name=op.f("fk_halaqas_circle_id_circles"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["teacher_id"], ["users.id"], name=op.f("fk_halaqas_teacher_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("circle_id", name=op.f("pk_halaqas")),
    )
    op.create_table(
        "hifz_reviews",
        sa.Column("revision_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("page", sa.SmallInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["hifz_revisions.id"],
            name=op.f("fk_hifz_reviews_revision_id_hifz_revisions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id", "page"],
            ["hifz_cards.user_id", "hifz_cards.page"],
            name=op.f("fk_hifz_reviews_user_id_page_hifz_cards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("revision_id", "page", name=op.f("pk_hifz_reviews")),
    )
    with op.batch_alter_table("hifz_reviews", schema=None) as batch_op:
        batch_op.create_index("ix_hifz_reviews_user_id_page", ["user_id", "page"], unique=False)

    op.create_table(
        "hifz_shares",
        sa.Column("circle_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["circle_id", "user_id"],
            ["circle_members.circle_id", "circle_members.user_id"],
            name=op.f("fk_hifz_shares_circle_id_user_id_circle_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["halaqas.circle_id"],
            name=op.f("fk_hifz_shares_circle_id_halaqas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("circle_id", "user_id", name=op.f("pk_hifz_shares")),
    )


def downgrade() -> None:
    op.drop_table("hifz_shares")
    with op.batch_alter_table("hifz_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_hifz_reviews_user_id_page")

    op.drop_table("hifz_reviews")
    op.drop_table("halaqas")
    with op.batch_alter_table("hifz_settings", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_hifz_settings_remind_next_at",
            postgresql_where=sa.text("remind_next_at IS NOT NULL"),
            sqlite_where=sa.text("remind_next_at IS NOT NULL"),
        )

    op.drop_table("hifz_settings")
    with op.batch_alter_table("hifz_revisions", schema=None) as batch_op:
        batch_op.drop_index("ix_hifz_revisions_user_id_local_date")

    op.drop_table("hifz_revisions")
    with op.batch_alter_table("hifz_cards", schema=None) as batch_op:
        batch_op.drop_index("ix_hifz_cards_user_id_due")

    op.drop_table("hifz_cards")

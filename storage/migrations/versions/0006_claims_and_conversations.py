"""every update claimed first, with its answer; conversation state on the user's row

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 09:45:00

- handled_updates.outcome: what the first delivery answered (JSON), so a redelivery repeats the answer and
  nothing else. The FK to users becomes DEFERRABLE INITIALLY DEFERRED: the claim is the first statement of
  an update's unit of work, before a newcomer's users row exists; it is checked at commit.
- deliveries.attempted_at: claims become leases (storage/leases.py): a claim neither attempted nor
  finished within its lease is taken over by the next tick, at any instance.
- rate_budgets: one token bucket for every instance (storage/rate.py).
- users.conversation / conversation_expires_at: what the bot waits for from this person (a timezone, a
  confirmation), shared by every instance and kept across restarts, forgotten after its expiry.

Expand-only: the old release ignores the new columns and inserts handled_updates rows as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK = "fk_handled_updates_user_id_users"


def upgrade() -> None:
    op.create_table(
        "rate_budgets",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("tokens >= 0", name=op.f("ck_rate_budgets_tokens_non_negative")),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_rate_budgets")),
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("conversation", sa.Text(), nullable=True))
        batch.add_column(sa.Column("conversation_expires_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("handled_updates") as batch:
        batch.add_column(sa.Column("outcome", sa.Text(), nullable=True))
        batch.drop_constraint(FK, type_="foreignkey")
        batch.create_foreign_key(
            FK, "users", ["user_id"], ["id"], ondelete="CASCADE", deferrable=True, initially="DEFERRED"
        )


def downgrade() -> None:
    op.drop_table("rate_budgets")
    with op.batch_alter_table("handled_updates") as batch:
        batch.drop_constraint(FK, type_="foreignkey")
        batch.create_foreign_key(FK, "users", ["user_id"], ["id"], ondelete="CASCADE")
        batch.drop_column("outcome")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("attempted_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("conversation_expires_at")
        batch.drop_column("conversation")

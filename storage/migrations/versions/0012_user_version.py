"""a version on the user row: the log's optimistic path writes only if nothing changed since it read

On Postgres a trigger bumps it whenever an update of the person is claimed in `handled_updates`: every
locked update claims first, whatever version of the app runs it, so during a rolling deploy the
instances still on the previous release (which know nothing of `version`) bump it as well.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 12:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_FUNCTION = """
CREATE FUNCTION bump_user_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users SET version = version + 1 WHERE id = NEW.user_id;
    RETURN NULL;
END
$$"""
_TRIGGER = """
CREATE TRIGGER handled_updates_bump_user_version AFTER INSERT ON handled_updates
FOR EACH ROW EXECUTE FUNCTION bump_user_version()"""


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("version", sa.BigInteger(), server_default=sa.text("0"), nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_FUNCTION)
        op.execute(_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER handled_updates_bump_user_version ON handled_updates")
        op.execute("DROP FUNCTION bump_user_version()")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("version")

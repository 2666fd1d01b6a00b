"""Migrations are the only way the schema changes: they must match the models and run both ways."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from storage import Database, downgrade, upgrade
from storage.migrate import head_revision
from storage.models import Base


def _diff(conn, *, server_defaults: bool = True) -> list:
    ctx = MigrationContext.configure(
        conn, opts={"compare_type": True, "compare_server_default": server_defaults}
    )
    return compare_metadata(ctx, Base.metadata)


def _tables(conn) -> set[str]:
    return set(inspect(conn).get_table_names()) - {"alembic_version"}


async def test_models_and_migrations_agree_on_postgres(pg_url):
    db = Database(pg_url)
    try:
        async with db.engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
    finally:
        await db.dispose()


async def test_models_and_migrations_agree_on_sqlite(sqlite_db):
    # SQLite reflects a boolean default `true()` back as the text '1', which Alembic reports as a change
    # every time; defaults are compared on Postgres above, everything else here.
    async with sqlite_db.engine.connect() as conn:
        assert await conn.run_sync(lambda c: _diff(c, server_defaults=False)) == []


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
async def test_upgrade_downgrade_upgrade(backend, pg_database_factory, tmp_path):
    url = await pg_database_factory() if backend == "postgres" else f"sqlite+aiosqlite:///{tmp_path}/m.db"
    db = Database(url)
    try:
        await upgrade(db.engine)
        async with db.engine.connect() as conn:
            assert await conn.run_sync(_tables) == set(Base.metadata.tables)
        await downgrade(db.engine)
        async with db.engine.connect() as conn:
            assert await conn.run_sync(_tables) == set()
        await upgrade(db.engine)
        async with db.engine.connect() as conn:
            assert await conn.run_sync(_tables) == set(Base.metadata.tables)
            version = await conn.exec_driver_sql("SELECT version_num FROM alembic_version")
            assert version.scalar_one() == head_revision()
    finally:
        await db.dispose()


ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
async def test_alembic_command_line_upgrades_both_backends(backend, pg_database_factory, tmp_path):
    """`alembic upgrade head` from the repository root, as the README and fly.toml's release command do."""
    url = await pg_database_factory() if backend == "postgres" else f"sqlite:///{tmp_path}/cli.db"
    env = {**os.environ, "DATABASE_URL": url.replace("postgresql+asyncpg://", "postgres://")}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "alembic", "upgrade", "head", cwd=ROOT, env=env, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, stderr.decode()
    db = Database(url if backend == "postgres" else f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    try:
        async with db.engine.connect() as conn:
            assert await conn.run_sync(_tables) == set(Base.metadata.tables)
    finally:
        await db.dispose()

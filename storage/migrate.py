"""Run Alembic migrations from inside the app (start-up, tests) on an open async engine."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported when a migration runs, not when the bot starts: it is ~0.3 s of start-up.


def alembic_config() -> Config:
    from alembic.config import Config

    # Built in code so it works from an installed package too; no ini file, so no fileConfig.
    cfg = Config()
    cfg.set_main_option("script_location", str(files("storage") / "migrations"))
    return cfg


async def _run(engine: AsyncEngine, fn: Callable[..., None], *args: str) -> None:
    def go(conn: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        fn(cfg, *args)

    async with engine.begin() as conn:
        await conn.run_sync(go)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    from alembic import command

    await _run(engine, command.upgrade, revision)


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    from alembic import command

    await _run(engine, command.downgrade, revision)


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()

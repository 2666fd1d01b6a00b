"""Shared fixtures: real databases, never mocks.

Postgres: each test session creates its own database (so parallel runs never collide), migrates it once,
and empties every table after each test. SQLite: a migrated template file, copied fresh for each test.
Set TEST_DATABASE_URL to point the suite at another Postgres server.
"""

from __future__ import annotations

import os

# Opt in now to python-telegram-bot's coming behaviour (durations as timedelta), as the app does.
os.environ.setdefault("PTB_TIMEDELTA", "1")
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage import Database, upgrade
from storage.models import Base

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


async def _admin_connect() -> asyncpg.Connection:
    url = make_url(TEST_DATABASE_URL)
    return await asyncpg.connect(
        host=url.host, port=url.port or 5432, user=url.username, password=url.password, database=url.database
    )


@pytest.fixture(scope="session")
async def pg_database_factory() -> AsyncIterator:
    """Creates throw-away Postgres databases; drops them all at the end of the session."""
    created: list[str] = []
    admin = await _admin_connect()

    async def create() -> str:
        name = f"qt_test_{uuid.uuid4().hex[:12]}"
        await admin.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)

    yield create
    for name in created:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


@pytest.fixture(scope="session")
async def pg_url(pg_database_factory) -> str:
    """A migrated Postgres database shared by the session (tables emptied after each test)."""
    url = await pg_database_factory()
    db = Database(url)
    await upgrade(db.engine)
    await db.dispose()
    return url


@pytest.fixture(scope="session")
async def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    await upgrade(db.engine)
    await db.dispose()
    return path


async def _truncate_all(db: Database) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with db.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def pg_db(pg_url) -> AsyncIterator[Database]:
    db = Database(pg_url)
    try:
        yield db
    finally:
        await _truncate_all(db)
        await db.dispose()


@pytest.fixture
async def sqlite_db(sqlite_template, tmp_path) -> AsyncIterator[Database]:
    path = tmp_path / "test.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture(params=["postgres", "sqlite"])
def db(request) -> Database:
    """The same test on both backends."""
    return request.getfixturevalue("pg_db" if request.param == "postgres" else "sqlite_db")


# The conversation harness is shared by the bot, scheduler, circle and web tests; the group harness
# (a circle in a supergroup) by the group conversations wherever they live.
from tests.group_harness import circle, group  # noqa: E402, F401
from tests.harness import clock, conversation  # noqa: E402, F401

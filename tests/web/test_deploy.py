"""Dockerfile, .dockerignore, fly.toml, the lock file and the app must agree (Docker itself is not needed).

The image is checked by replaying its COPY lines into a temporary directory and running from there what
Fly runs: the release command (`alembic upgrade head`, against a fresh Postgres database with a
`postgres://…?sslmode=disable` URL as `fly postgres attach` writes it) and the run command.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.__main__ import GRACEFUL_SHUTDOWN_SECONDS
from bot.settings import Settings
from bot.web import HEALTH_PATH
from storage import Database
from storage.migrate import head_revision
from storage.urls import normalize_database_url

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
FLY = tomllib.loads((ROOT / "fly.toml").read_text())


def instructions(name: str) -> list[str]:
    """Arguments of every `name` instruction in the final stage, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    final = text[text.rindex("\nFROM ") :]
    return [line.split(None, 1)[1] for line in final.splitlines() if line.split(None, 1)[:1] == [name]]


def copies() -> list[tuple[str, str]]:
    out = []
    for args in instructions("COPY"):
        if args.startswith("--from"):
            continue
        *sources, dest = shlex.split(args)
        out += [(src, dest) for src in sources]
    return out


def pg_url_as_fly_writes_it(url: str) -> str:
    u = make_url(url)
    auth = u.username + (f":{u.password}" if u.password else "")
    return f"postgres://{auth}@{u.host}:{u.port or 5432}/{u.database}?sslmode=disable"


@pytest.fixture(scope="module")
def image_tree(tmp_path_factory) -> Path:
    """/app as the Dockerfile lays it out."""
    app = tmp_path_factory.mktemp("image") / "app"
    app.mkdir()
    for src, dest in copies():
        target = app / dest if dest not in ("./", ".") else app / Path(src).name
        if (ROOT / src).is_dir():
            shutil.copytree(ROOT / src, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(ROOT / src, target)
    return app


def image_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_", "PYTHONPATH"))
    }
    return {**env, "PORT": "8080", "LOG_FORMAT": "json", **extra}


def test_port_agrees_everywhere():
    port = FLY["http_service"]["internal_port"]
    assert port == int(FLY["env"]["PORT"]) == Settings.model_fields["port"].default
    assert instructions("EXPOSE") == [str(port)]
    assert f"PORT={port}" in " ".join(instructions("ENV")).replace(" ", "")


def test_health_path_agrees_everywhere():
    [check] = FLY["http_service"]["checks"]
    assert check["path"] == HEALTH_PATH == "/healthz"
    [healthcheck] = instructions("HEALTHCHECK")
    assert HEALTH_PATH in healthcheck and "urllib.request" in healthcheck


def test_the_machine_stays_up_and_stops_gracefully():
    service = FLY["http_service"]
    assert service["auto_stop_machines"] == "off"
    assert service["min_machines_running"] >= 1
    assert FLY["kill_signal"] == "SIGTERM"
    kill_timeout = int(str(FLY["kill_timeout"]).removesuffix("s"))
    assert kill_timeout >= GRACEFUL_SHUTDOWN_SECONDS + 5  # room to stop the bot and close the pool
    assert FLY["vm"] == [{"size": "shared-cpu-1x", "memory": "256mb"}]


def test_run_command_is_the_readme_one_and_exists(image_tree, tmp_path):
    [cmd] = instructions("CMD")
    assert json.loads(cmd) == ["python", "-m", "bot", "run"]
    assert "python -m bot" in (ROOT / "scripts/start").read_text()
    # From the image's files, without a token: the command is known and explains what it needs.
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=image_tree,
        capture_output=True,
        text=True,
        timeout=60,
        env=image_env(DATABASE_URL=f"sqlite:///{tmp_path}/x.db"),
    )
    assert result.returncode == 2, result.stderr
    assert "Set TELEGRAM_BOT_TOKEN" in result.stderr


def test_dockerignore_lets_in_exactly_what_is_copied():
    patterns = [p for p in (ROOT / ".dockerignore").read_text().splitlines() if p and not p.startswith("#")]

    def included(path: str) -> bool:
        keep = True
        for pattern in patterns:
            negate = pattern.startswith("!")
            pat = pattern.lstrip("!")
            inside = "*" not in pat and path.startswith(pat.rstrip("/") + "/")
            if fnmatch.fnmatch(path, pat) or fnmatch.fnmatch(path, pat.removeprefix("**/")) or inside:
                keep = negate
        return keep

    for src, _ in copies():
        assert (ROOT / src).exists(), src
        assert included(src), f"{src} is copied but .dockerignore leaves it out"
    for secret in (".env", ".git", ".venv", "quran-tracker.db", "tests"):
        assert not included(secret), secret
    assert ".env" in patterns or "*" in patterns


def test_every_dependency_is_pinned_in_the_lock():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lock = (ROOT / "requirements.lock").read_text()
    pinned = {m.group(1).lower().replace("_", "-") for m in re.finditer(r"^([A-Za-z0-9_.-]+)==", lock, re.M)}

    def name(requirement: str) -> str:
        return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")

    missing = [r for r in project["dependencies"] if name(r) not in pinned]
    assert not missing, f"regenerate requirements.lock (docs/deploy.md): {missing}"
    assert "--hash=sha256:" in lock
    assert "requirements.lock" in DOCKERFILE and "--require-hashes" in DOCKERFILE


async def test_fly_postgres_url_with_sslmode_disable_connects(pg_url):
    url = normalize_database_url(pg_url_as_fly_writes_it(pg_url))
    assert url.startswith("postgresql+asyncpg://") and url.endswith("?ssl=disable")
    db = Database(url)
    try:
        assert await db.ping()
    finally:
        await db.dispose()


async def test_release_command_migrates_a_fresh_database(image_tree, pg_database_factory):
    assert FLY["deploy"]["release_command"] == "alembic upgrade head"
    url = await pg_database_factory()
    alembic = shutil.which("alembic", path=str(Path(sys.executable).parent))
    assert alembic, "alembic is a dependency"
    proc = await asyncio.create_subprocess_exec(
        alembic,
        *FLY["deploy"]["release_command"].split()[1:],
        cwd=image_tree,
        env=image_env(DATABASE_URL=pg_url_as_fly_writes_it(url)),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, stderr.decode()
    u = make_url(url)
    conn = await asyncpg.connect(
        host=u.host, port=u.port or 5432, user=u.username, password=u.password, database=u.database
    )
    try:
        assert await conn.fetchval("SELECT version_num FROM alembic_version") == head_revision()
        assert await conn.fetchval("SELECT to_regclass('public.users') IS NOT NULL")
    finally:
        await conn.close()

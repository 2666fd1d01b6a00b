"""Settings come from the environment; a bad one stops start-up with one clear line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.settings import SettingsError, load_settings
from storage.urls import DEFAULT_DATABASE_URL, normalize_database_url

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "DATABASE_URL",
        "LOG_LEVEL",
        "LOG_FORMAT",
        "WEBHOOK_URL",
        "WEBHOOK_SECRET",
        "PORT",
        "DEFAULT_TIMEZONE",
        "ADMIN_IDS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_need_nothing_installed():
    s = load_settings()
    assert s.database_url == DEFAULT_DATABASE_URL
    assert s.token is None
    assert s.default_timezone == "UTC"
    assert s.admin_ids == []


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "postgres://u:p@db.internal:5432/app?sslmode=disable",
            "postgresql+asyncpg://u:p@db.internal:5432/app?ssl=disable",
        ),
        ("postgresql://u:p@host/app", "postgresql+asyncpg://u:p@host/app"),
        ("postgresql+asyncpg://u@host/app?sslmode=require", "postgresql+asyncpg://u@host/app?ssl=require"),
        ("sqlite:///data/q.db", "sqlite+aiosqlite:///data/q.db"),
    ],
)
def test_database_urls_from_hosting_providers_are_translated(given, expected):
    assert normalize_database_url(given) == expected


def test_environment_and_dotenv_are_read(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nADMIN_IDS=1, 2,3\n")
    monkeypatch.setenv("DATABASE_URL", "postgres://x@h/d")
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Asia/Kathmandu")
    s = load_settings()
    assert s.token == TOKEN
    assert TOKEN not in repr(s)  # the token is a secret even in a repr
    assert s.admin_ids == [1, 2, 3]
    assert s.database_url == "postgresql+asyncpg://x@h/d"
    assert s.default_timezone == "Asia/Kathmandu"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://x@h/d"),
        ("DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("LOG_LEVEL", "LOUD"),
        ("LOG_FORMAT", "xml"),
        ("PORT", "99999"),
        ("WEBHOOK_URL", "http://insecure.example"),
        ("WEBHOOK_SECRET", "has spaces!"),
        ("ADMIN_IDS", "alice,bob"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
    ],
)
def test_an_invalid_setting_names_the_variable(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as exc:
        load_settings()
    line = str(exc.value)
    assert line.startswith(f"Invalid setting {name}:")
    assert "\n" not in line
    assert value not in line or name != "TELEGRAM_BOT_TOKEN"


def test_start_up_with_a_bad_setting_prints_one_line_and_no_traceback(tmp_path):
    env = {"DEFAULT_TIMEZONE": "Nowhere/City", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "Invalid setting DEFAULT_TIMEZONE: 'Nowhere/City' is not an IANA timezone such as Europe/London"
    ]
    assert "Traceback" not in proc.stderr

"""The README's first command: a newcomer chats with the real bot in a terminal, no token, no network."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_piped_console_session_logs_and_shows_progress(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL")}
    env["LOG_LEVEL"] = "WARNING"
    script = "/start\n1\n11\nread al-kahf 1-20\n/progress\n"  # English, skip the timezone
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input=script,
        text=True,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=120,
    )
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr
    assert "Which language should I use?" in out
    assert "Keeping timezone UTC" in out
    assert "✅ Al-Kahf 1–20 · 20 ayahs · khatm 0.3%" in out
    assert "Khatm #1 — 0.3% (20 of 6,236 ayahs)" in out
    assert "Continue from Al-Kahf 21" in out
    assert (tmp_path / "quran-tracker.db").exists()  # the SQLite default, in the working folder
    assert "Traceback" not in proc.stderr


def test_the_readme_start_script_opens_the_console_without_a_token(tmp_path):
    """`./scripts/start`: with no TELEGRAM_BOT_TOKEN it is the console (the venv is installed already)."""
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env.update(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/start.db", LOG_LEVEL="WARNING")
    proc = subprocess.run(
        ["bash", str(root / "scripts" / "start")],
        input="/start\n1\n11\n2:255\n",
        text=True,
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "offline console" in proc.stdout
    assert "✅ Al-Baqara 255 · 1 ayah · khatm 0.02%" in proc.stdout

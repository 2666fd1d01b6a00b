"""The README's first command: a newcomer chats with the real bot in a terminal, no token, no network."""

from __future__ import annotations

import os
import subprocess
import sys


def test_piped_console_session_logs_and_shows_progress(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL")}
    env["LOG_LEVEL"] = "WARNING"
    script = "/start\n1\n11\nread al-kahf 1-20\n/progress\n"   # English, skip the timezone
    proc = subprocess.run([sys.executable, "-m", "bot", "console"], input=script, text=True, cwd=tmp_path,
                          env=env, capture_output=True, timeout=120)
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr
    assert "Which language should I use?" in out
    assert "Keeping timezone UTC" in out
    assert "✅ Al-Kahf 1–20 · 20 ayahs · khatm 0.3%" in out
    assert "Khatm #1 — 0.3% (20 of 6,236 ayahs)" in out
    assert "Continue from Al-Kahf 21" in out
    assert (tmp_path / "quran-tracker.db").exists()          # the SQLite default, in the working folder
    assert "Traceback" not in proc.stderr

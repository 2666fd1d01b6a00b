"""`python -m bot run`'s run path in a child process, with the FakeBotAPI as Telegram's HTTP layer (so
setWebhook needs no network): what the Dockerfile starts, minus the real Telegram."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.__main__ import run
from bot.logs import setup_logging
from bot.settings import load_settings
from fake_telegram import FakeBotAPI

if __name__ == "__main__":
    settings = load_settings()
    setup_logging(settings.log_level, "text", secrets=[settings.token or ""])
    sys.exit(run(settings, request=FakeBotAPI(), host="127.0.0.1"))

"""Study circles in Telegram groups (being built: see issue 7)."""

from __future__ import annotations

from telegram.ext import Application


def add_handlers(app: Application) -> None:
    """Group handlers; registered before the private-chat fallbacks."""

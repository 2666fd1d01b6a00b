"""Command line: `python -m bot [console|run|migrate]`.

This is the composition root: settings are read here once and everything else is built from them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from loguru import logger
from sqlalchemy.engine import make_url
from telegram import Update
from telegram.ext import Application

from bot.app import build_application
from bot.fake_api import FakeBotAPI
from bot.logs import setup_logging
from bot.settings import Settings, SettingsError, load_settings
from storage import Database, upgrade
from storage.migrate import head_revision


async def migrate(settings: Settings) -> None:
    db = Database(settings.database_url)
    try:
        await upgrade(db.engine)
    finally:
        await db.dispose()
    where = make_url(settings.database_url).render_as_string(hide_password=True)
    logger.info("database ready at revision {} ({})", head_revision(), where)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Quran Tracker, a Telegram bot.")
    parser.add_argument("command", nargs="?", default="console", choices=["console", "run", "migrate"],
                        help="console: chat in this terminal (no token needed); run: serve Telegram; "
                             "migrate: bring the database schema up to date")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    setup_logging(settings.log_level, settings.log_format, secrets=[settings.token or ""])
    if args.command == "run" and not settings.token:
        print("Set TELEGRAM_BOT_TOKEN to serve Telegram, or try the bot with `python -m bot console`.",
              file=sys.stderr)
        return 2
    try:
        asyncio.run(migrate(settings))
    except KeyboardInterrupt:
        return 130
    if args.command == "console":
        return console(settings)
    if args.command == "run":
        return run_polling(settings)
    return 0


def console(settings: Settings) -> int:
    """The real bot, on the configured database, chatting through this terminal (no token, no network)."""
    from bot.console import CONSOLE_TOKEN, console_main

    def build(fake: FakeBotAPI) -> Application:
        return build_application(CONSOLE_TOKEN, Database(settings.database_url), request=fake,
                                 default_timezone=settings.default_timezone)

    return console_main(build, first_name=os.environ.get("USER", "You").title() or "You")


def run_polling(settings: Settings) -> int:
    app = build_application(settings.token or "", Database(settings.database_url),
                            default_timezone=settings.default_timezone)
    logger.info("starting long polling")
    app.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Command line: `python -m bot [console|run|migrate]`.

This is the composition root: settings are read here once and everything else is built from them.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from loguru import logger
from sqlalchemy.engine import make_url

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
    try:
        asyncio.run(migrate(settings))
        if args.command == "console":
            print("Quran Tracker is ready. (The chat console arrives with the bot itself.)")
        elif args.command == "run" and not settings.token:
            print("Set TELEGRAM_BOT_TOKEN to serve Telegram.", file=sys.stderr)
            return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())

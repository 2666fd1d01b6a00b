"""Command line: `python -m bot [console|run|migrate]`.

This is the composition root: settings are read here once and everything else is built from them.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

# Durations from python-telegram-bot as timedelta (its coming default; the scheduler reads both).
os.environ.setdefault("PTB_TIMEDELTA", "1")
from dataclasses import dataclass

from loguru import logger
from sqlalchemy.engine import make_url
from telegram.ext import Application
from telegram.request import BaseRequest

from bot.app import build_application
from bot.logs import setup_logging
from bot.nudges import start_ticking
from bot.settings import Settings, SettingsError, load_settings
from bot.web import Heartbeat, Hook, Webhook, create_web_app
from fake_telegram import FakeBotAPI
from storage import Database, upgrade
from storage.migrate import head_revision
from tracker.clock import system_clock

LISTEN_HOST = "0.0.0.0"  # all IPv4 interfaces: Fly's proxy and the Docker HEALTHCHECK reach us here
# uvicorn waits this long for requests in flight (updates being handled) after SIGTERM, then the lifespan
# stops the bot and closes the pool. Keep it well under fly.toml's kill_timeout (30 s), or Fly SIGKILLs.
GRACEFUL_SHUTDOWN_SECONDS = 20


async def migrate(settings: Settings) -> None:
    db = settings.database()
    try:
        await upgrade(db.engine)
    finally:
        await db.dispose()
    where = make_url(settings.database_url).render_as_string(hide_password=True)
    logger.info("database ready at revision {} ({})", head_revision(), where)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Quran Tracker, a Telegram bot.")
    parser.add_argument(
        "command",
        nargs="?",
        default="console",
        choices=["console", "run", "migrate"],
        help="console: chat in this terminal (no token needed); run: serve Telegram; "
        "migrate: bring the database schema up to date",
    )
    console_flags = parser.add_argument_group("console")
    console_flags.add_argument(
        "--lang",
        default=None,
        metavar="CODE",
        help="the Telegram language code the console user has (e.g. ar, en): what the first screen uses",
    )
    console_flags.add_argument(
        "--files",
        default="console-files",
        metavar="DIR",
        help="where the console saves the pictures and files the bot sends, and its log "
        "(default: %(default)s)",
    )
    console_flags.add_argument(
        "-v", "--verbose", action="store_true", help="console: show the log here instead of writing it to DIR"
    )
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.command == "console":
        setup_console_logging(settings, Path(args.files), verbose=args.verbose)
    else:
        setup_logging(settings.log_level, settings.log_format, secrets=[settings.token or ""])
    if args.command == "run" and not settings.token:
        print(
            "Set TELEGRAM_BOT_TOKEN to serve Telegram, or try the bot with `python -m bot console`.",
            file=sys.stderr,
        )
        return 2
    try:
        asyncio.run(migrate(settings))
    except KeyboardInterrupt:
        return 130
    if args.command == "console":
        return console(settings, files=Path(args.files), language=args.lang)
    if args.command == "run":
        return run(settings)
    return 0


def setup_console_logging(settings: Settings, files: Path, *, verbose: bool) -> None:
    """The console's terminal is the chat: the log goes to DIR/console.log unless -v, always as text
    (never JSON lines, even when piped), and without Alembic's line-per-step migration chatter."""
    secrets = [settings.token or ""]
    if verbose:
        setup_logging(settings.log_level, "text", secrets=secrets)
    else:
        files.mkdir(parents=True, exist_ok=True)
        stream = (files / "console.log").open("a", encoding="utf-8")  # open for the process's life
        setup_logging(settings.log_level, "text", secrets=secrets, stream=stream)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def console(settings: Settings, *, files: Path = Path("console-files"), language: str | None = None) -> int:
    """The real bot, on the configured database, chatting through this terminal (no token, no network):
    reminders tick on the console's own clock (`:clock` moves it), files are saved under `files`."""
    from bot.console import CONSOLE_TOKEN, ConsoleClock, console_main
    from bot.nudges import start_ticking

    clock = ConsoleClock(system_clock)
    db = Database(settings.database_url)
    ticking = {}

    def build(fake: FakeBotAPI) -> Application:
        app = build_application(
            CONSOLE_TOKEN,
            db,
            request=fake,
            clock=clock,
            default_timezone=settings.default_timezone,
            admin_ids=settings.admin_ids,
        )
        ticking["scheduler"] = start_ticking(app, db, clock)  # the real tick, as in production
        return app

    async def tick() -> None:
        await ticking["scheduler"].tick()

    async def timezone_of(user_id: int) -> str:
        async with db.unit_of_work() as uow:
            user = await uow.users.get(user_id)
        return user.timezone if user is not None else settings.default_timezone

    return console_main(
        build,
        first_name=os.environ.get("USER", "You").title() or "You",
        language_code=language or "en",
        clock=clock,
        save_dir=files,
        tick=tick,
        timezone_of=timezone_of,
    )


@dataclass
class SchedulerWiring:
    """What the web app needs from the reminder scheduler: its heartbeat, and what to do on SIGTERM. (It
    starts and stops with the Application's JobQueue; `stop` only tells a tick in progress to claim
    nothing more, before the JobQueue waits for it.)"""

    heartbeat: Heartbeat | None = None  # returns the last tick (UTC), None before the first
    stop: Hook | None = None  # awaited first on shutdown, before the bot stops
    required: bool = False  # True: /healthz fails when the scheduler is missing or stale


def wire_scheduler(app: Application, db: Database) -> SchedulerWiring:
    """THE place the reminder scheduler plugs in: one tick a minute on the Application's JobQueue, which
    starts and stops with the Application (a tick in progress is finished on shutdown).

    `required=True` makes a missing or stalled scheduler fail /healthz (no tick within
    bot.web.DEFAULT_MAX_TICK_AGE), which Fly's check, the Docker HEALTHCHECK and alerting all see.
    """
    scheduler = start_ticking(app, db, system_clock)
    # Healthy as soon as we serve: until the first tick has run, the scheduler counts from its start (a
    # tick that never comes still turns /healthz stale after max_tick_age). Nothing is scanned at start.
    started = system_clock()

    async def stop() -> None:  # SIGTERM: claim nothing more, finish the group in flight, release the rest
        scheduler.stop()

    return SchedulerWiring(heartbeat=lambda: scheduler.last_tick_at or started, stop=stop, required=True)


def run(settings: Settings, *, request: BaseRequest | None = None, host: str = LISTEN_HOST) -> int:
    """Serve Telegram: webhook when WEBHOOK_URL is set, long polling otherwise; /healthz and /metrics on PORT.

    `request` replaces Telegram's HTTP layer (benchmarks use the FakeBotAPI). Returns when uvicorn has
    stopped (SIGTERM/SIGINT), after the updates in flight were finished and the pool was closed.
    """
    import uvicorn

    if settings.webhook_url and not settings.webhook_secret:
        print(
            "Set WEBHOOK_SECRET too: without it anyone who finds WEBHOOK_URL can post fake updates.",
            file=sys.stderr,
        )
        return 2
    db = settings.database()
    app = build_application(
        settings.token or "",
        db,
        default_timezone=settings.default_timezone,
        request=request,
        rate_limited=request is None,
        admin_ids=settings.admin_ids,
        shared_rate_budget=settings.shared_rate_budget,
    )
    webhook = None
    if settings.webhook_url and settings.webhook_secret:
        webhook = Webhook(settings.webhook_url, settings.webhook_secret.get_secret_value())
    scheduler = wire_scheduler(app, db)
    web = create_web_app(
        app,
        db=db,
        webhook=webhook,
        heartbeat=scheduler.heartbeat,
        require_scheduler=scheduler.required,
        on_shutdown=[scheduler.stop] if scheduler.stop is not None else [],
    )
    logger.info("serving on {}:{} ({})", host, settings.port, "webhook" if webhook else "long polling")
    server = uvicorn.Server(
        uvicorn.Config(
            web,
            host=host,
            port=settings.port,
            lifespan="on",
            log_config=None,
            access_log=False,
            server_header=False,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        )
    )
    server.run()
    return 0 if server.started else 1


if __name__ == "__main__":
    sys.exit(main())

"""The application factory: settings in, a python-telegram-bot Application out."""

from __future__ import annotations

from collections.abc import Iterable

from telegram import (
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.concurrency import OrderedUpdateProcessor
from bot.handlers import (
    circles,
    common,
    goals,
    halaqa,
    hifz,
    history,
    onboarding,
    privacy,
    progress,
    reading,
    reminders,
    stats,
    streak,
)
from bot.handlers.circles import ADMIN_COMMANDS, GROUP_COMMANDS, invites
from bot.i18n import LANGUAGES, translator
from bot.outbox import Outbox, SharedBudget
from bot.ratelane import LaneRateLimiter
from bot.runtime import Services
from storage import Database
from storage.rate import RateBudget
from tracker.clock import Clock, system_clock

COMMANDS = (
    "log",
    "progress",
    "next",
    "goal",
    "streak",
    "stats",
    "remind",
    "hifz",
    "review",
    "history",
    "undo",
    "settings",
    "export",
    "deleteme",
    "help",
)


def build_application(
    token: str,
    db: Database,
    *,
    default_timezone: str = "UTC",
    clock: Clock = system_clock,
    request: BaseRequest | None = None,
    set_commands: bool = True,
    rate_limited: bool = False,
    concurrent_updates: int = 32,
    admin_ids: Iterable[int] = (),
    shared_rate_budget: bool = False,
) -> Application:
    """The bot with every handler. `request` replaces Telegram's HTTP layer (the console and the tests).

    `rate_limited` keeps every Bot API call within Telegram's limits (30 messages a second overall,
    1 a second per chat, 20 a minute per group) — on in production, off where Telegram is faked.
    """
    builder = (
        ApplicationBuilder()
        .token(token)
        .concurrent_updates(OrderedUpdateProcessor(concurrent_updates))
        .defaults(
            Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True))
        )
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if rate_limited:
        # max_retries=0: a 429 is handled where the context is known (the scheduler waits it out once).
        # Replies first: nudges go in the bulk lane of the overall budget (bot.ratelane).
        builder = builder.rate_limiter(LaneRateLimiter(overall_max_rate=30, group_max_rate=20, max_retries=0))
    if set_commands:
        builder = builder.post_init(set_command_menu)

    async def close_database(_: Application) -> None:
        await db.dispose()

    app = builder.post_shutdown(close_database).build()
    # SHARED_RATE_BUDGET: several instances draw from one token bucket in Postgres (bot.outbox.SharedBudget).
    gate = SharedBudget(RateBudget(db)) if shared_rate_budget else None
    app.bot_data["services"] = Services(
        db=db,
        clock=clock,
        default_timezone=default_timezone,
        outbox=Outbox(app.bot, db, clock=clock, gate=gate),
        admin_ids=frozenset(admin_ids),
        circle_news=circles.circle_news,
    )
    add_handlers(app)
    return app


def add_handlers(app: Application) -> None:
    # CommandHandler's default filter is UpdateType.MESSAGES — new *and edited* messages — and passing
    # filters= replaces it: without UpdateType.MESSAGE an edited "/undo" would undo again.
    new = filters.UpdateType.MESSAGE
    private = filters.ChatType.PRIVATE
    # Edits come first, in every chat: the message of a log corrects it; nothing else re-runs.
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, reading.edited_message))
    app.add_handler(
        CommandHandler(
            "start", invites.start_with_invite, filters=private & new & filters.Regex(invites.START)
        )
    )
    app.add_handler(CommandHandler("start", onboarding.start, filters=private & new))
    app.add_handler(CommandHandler("settings", onboarding.settings, filters=private & new))
    app.add_handler(CommandHandler("help", common.help_command, filters=private & new))
    app.add_handler(CommandHandler("log", reading.log_command, filters=private & new))
    app.add_handler(CommandHandler("undo", reading.undo_command, filters=private & new))
    app.add_handler(CommandHandler("history", history.history_command, filters=private & new))
    app.add_handler(CommandHandler("progress", progress.progress_command, filters=private & new))
    app.add_handler(CommandHandler("goal", goals.goal_command, filters=private & new))
    app.add_handler(CommandHandler("next", goals.next_command, filters=private & new))
    app.add_handler(CommandHandler("streak", streak.streak_command, filters=private & new))
    app.add_handler(CommandHandler("remind", reminders.remind_command, filters=private & new))
    app.add_handler(CommandHandler("stats", stats.stats_command, filters=private & new))
    app.add_handler(CommandHandler("admin", common.admin_command, filters=private & new))
    app.add_handler(CommandHandler("export", privacy.export_command, filters=private & new))
    app.add_handler(CommandHandler("deleteme", privacy.deleteme_command, filters=private & new))
    app.add_handler(CallbackQueryHandler(onboarding.choose_language, pattern=r"^lang:"))
    app.add_handler(CallbackQueryHandler(onboarding.choose_timezone, pattern=r"^tz:"))
    app.add_handler(CallbackQueryHandler(onboarding.settings_choice, pattern=r"^set:(lang|tz)$"))
    app.add_handler(CallbackQueryHandler(reading.undo_button, pattern=r"^undo:\d{1,18}$"))
    app.add_handler(CallbackQueryHandler(reading.pick_button, pattern=r"^pick:\d{8}:[\d,-]{3,50}$"))
    app.add_handler(CallbackQueryHandler(reading.fix_button, pattern=r"^fix:\d{1,18}:\d{1,2}$"))
    app.add_handler(CallbackQueryHandler(history.delete_button, pattern=r"^del:\d{1,18}(:\d{1,6})?$"))
    app.add_handler(CallbackQueryHandler(history.delete_confirmed, pattern=r"^delok:\d{1,18}:\d{1,6}$"))
    app.add_handler(
        CallbackQueryHandler(history.delete_undone, pattern=r"^delundo:\d{1,4}-\d{1,4}:\d{8}:[a-z]:\d{1,6}$")
    )
    app.add_handler(CallbackQueryHandler(history.history_button, pattern=r"^hist:\d{1,6}$"))
    app.add_handler(CallbackQueryHandler(goals.goal_button, pattern=r"^goal:\w+$"))
    app.add_handler(CallbackQueryHandler(goals.done_portion, pattern=r"^log:\d{1,4}-\d{1,4}$"))
    app.add_handler(CallbackQueryHandler(streak.excuse_button, pattern=r"^excuse:"))
    app.add_handler(CallbackQueryHandler(streak.grace_button, pattern=r"^grace:\d$"))
    app.add_handler(CallbackQueryHandler(privacy.deleteme_button, pattern=r"^deleteme:(yes|no)$"))
    app.add_handler(CallbackQueryHandler(reminders.remind_button, pattern=r"^rem:\w+:[\w:]+$"))
    app.add_handler(CallbackQueryHandler(stats.khatm_picture, pattern=r"^pic:(juz|page)$"))
    app.add_handler(CallbackQueryHandler(stats.stats_command, pattern=r"^stats:show$"))
    circles.add_handlers(app)
    hifz.add_handlers(app)
    halaqa.add_handlers(app)
    app.add_handler(CallbackQueryHandler(common.stale_button))
    app.add_handler(MessageHandler(private & filters.LOCATION, onboarding.shared_location))
    app.add_handler(
        MessageHandler(private & new & filters.TEXT & ~filters.COMMAND & hifz.WORDS, hifz.text_message)
    )
    app.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, reading.text_message))
    # A photo whose caption says what was read ("read Al-Kahf today" under a picture of the mushaf).
    app.add_handler(MessageHandler(private & new & filters.PHOTO & filters.CAPTION, reading.text_message))
    app.add_handler(MessageHandler(private & filters.COMMAND, common.unknown_command))
    app.add_handler(MessageHandler(private & filters.UpdateType.MESSAGE, common.not_text))
    app.add_error_handler(common.on_error)


async def set_command_menu(app: Application) -> None:
    """The command menus, per scope and language: private chats (everything), groups (the circle's
    commands), the groups' administrators (those plus /khatm and /reassign) — in English (also the
    default for every other language) and in each language we speak."""
    scopes = (
        (BotCommandScopeAllPrivateChats(), COMMANDS, "command"),
        (BotCommandScopeAllGroupChats(), GROUP_COMMANDS, "command.group"),
        (BotCommandScopeAllChatAdministrators(), ADMIN_COMMANDS, "command.group"),
    )
    for lang in LANGUAGES:
        t = translator(lang)
        for scope, names, prefix in scopes:
            commands = [BotCommand(name, t(f"{prefix}.{name}")) for name in names]
            await app.bot.set_my_commands(commands, scope=scope, language_code=None if lang == "en" else lang)

"""Study circles in Telegram groups, the bot side, by role:

- `commands` — /circle, /join, /leave, /log, /board, /khatm, /reassign, /wird, /help in the group;
- `buttons` — take / done a juz, share out, next round, wird done, join, settings;
- `membership` — the bot added to or removed from a group, a group migrated, a user blocking the bot;
- `live` — after the commit: the round's status edited in place, the batched announcements;
- `texts` — what circles say (pure);
- `guards` — the one wrapper every handler is registered with (admin asked before the unit of work,
  admin-only refusals).

Every handler follows the runtime's rule (one unit of work per update, committed before anything is
sent); post-commit work is an effect (`ctx.after_commit`), run by the runtime after the replies.
"""

from __future__ import annotations

from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.handlers.circles import buttons, commands, membership
from bot.handlers.circles.guards import GROUPS, guarded, is_admin
from bot.handlers.circles.live import (
    ANNOUNCE_DELAY,
    circle_news,
    flush_circle,
    refresh_status,
    schedule_flush,
)
from bot.handlers.circles.texts import board_text, digest_text, nudge_text, status_view, summary_text
from tracker.circles import GROUP_CONFIRMATIONS_PER_MINUTE

__all__ = [
    "ADMIN_COMMANDS",
    "ANNOUNCE_DELAY",
    "GROUP_COMMANDS",
    "GROUP_CONFIRMATIONS_PER_MINUTE",
    "PRIVATE_ONLY",
    "add_handlers",
    "board_text",
    "circle_news",
    "digest_text",
    "flush_circle",
    "is_admin",
    "nudge_text",
    "refresh_status",
    "schedule_flush",
    "status_view",
    "summary_text",
]


# Commands that only make sense between the user and the bot (bot/app.py registers them for private chats).
PRIVATE_ONLY = (
    "progress", "next", "goal", "streak", "stats", "remind", "history", "undo", "settings", "export",
    "deleteme",
)  # fmt: skip
GROUP_COMMANDS = ("log", "board", "join", "leave", "circle", "wird", "help")  # the group menu
ADMIN_COMMANDS = (*GROUP_COMMANDS, "khatm", "reassign")  # ... and what the group's admins also see


def _wird_sets_something(update) -> bool:
    return bool((update.effective_message.text or "").split()[1:])


def add_handlers(app: Application) -> None:
    """Group handlers; registered before the private-chat fallbacks."""
    c, b = commands, buttons
    app.add_handler(CommandHandler(["help", "start"], guarded(c.help_command), filters=GROUPS))
    app.add_handler(CommandHandler("circle", guarded(c.circle_command), filters=GROUPS))
    app.add_handler(CommandHandler("join", guarded(c.join_command), filters=GROUPS))
    app.add_handler(CommandHandler("leave", guarded(c.leave_command), filters=GROUPS))
    app.add_handler(CommandHandler("log", guarded(c.log_command), filters=GROUPS))
    app.add_handler(CommandHandler("board", guarded(c.board_command), filters=GROUPS))
    app.add_handler(CommandHandler("khatm", guarded(c.khatm_command, admin=True), filters=GROUPS))
    app.add_handler(CommandHandler("reassign", guarded(c.reassign_command, admin=True), filters=GROUPS))
    app.add_handler(
        CommandHandler("wird", guarded(c.wird_command, admin=_wird_sets_something), filters=GROUPS)
    )
    app.add_handler(CommandHandler(list(PRIVATE_ONLY), guarded(c.private_only), filters=GROUPS))
    app.add_handler(CallbackQueryHandler(guarded(c.join_button_pressed), pattern=r"^cj:\d{1,18}$"))
    app.add_handler(CallbackQueryHandler(guarded(b.take_button), pattern=r"^ct:\d{1,18}:\d{1,2}$"))
    app.add_handler(CallbackQueryHandler(guarded(b.done_button), pattern=r"^cd:\d{1,18}:\d{1,2}$"))
    app.add_handler(CallbackQueryHandler(guarded(b.distribute_button, admin=True), pattern=r"^ca:\d{1,18}$"))
    app.add_handler(CallbackQueryHandler(guarded(b.next_round_button, admin=True), pattern=r"^cn:\d{1,18}$"))
    app.add_handler(CallbackQueryHandler(guarded(b.wird_button), pattern=r"^cw:\d{1,18}$"))
    app.add_handler(CallbackQueryHandler(guarded(b.settings_button, admin=True), pattern=r"^cs:\d{1,18}$"))
    app.add_handler(ChatMemberHandler(membership.bot_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, membership.chat_migrated))

"""/help, and a kind answer to everything the bot does not understand."""

from __future__ import annotations

import html

from loguru import logger
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import metrics
from bot.i18n import translator
from bot.runtime import Ctx, Reply, handler
from storage.errors import is_database_error
from tracker.overview import overview
from tracker.users import language_for


@handler
async def help_command(ctx: Ctx) -> Reply:
    return Reply(ctx.t("help.full"))


@handler
async def admin_command(ctx: Ctx) -> Reply:
    """The operators' overview; to anyone else it is just an unknown command."""
    if ctx.user.id not in ctx.services.admin_ids:
        return Reply(ctx.t("command.unknown", command="/admin"))
    o = await overview(ctx.uow, ctx.now)
    n = ctx.t.num
    return Reply(
        ctx.t(
            "admin.overview",
            users=n(o.users),
            active=n(o.active_7d),
            readings=n(o.readings_24h),
            blocked=n(o.blocked),
            circles=n(o.circles),
            reminders=n(o.reminders_enabled),
            overdue=n(o.reminders_overdue),
            nudges=n(o.nudges_24h),
            failed=n(o.nudges_failed_24h),
        )
    )


GROUP_ONLY_COMMANDS = frozenset({"circle", "join", "leave", "board", "khatm", "wird", "reassign"})


@handler
async def unknown_command(ctx: Ctx) -> Reply:
    command = ctx.text.split()[0] if ctx.text else "/"
    name = command[1:].split("@", 1)[0].lower()
    if name in GROUP_ONLY_COMMANDS:  # a circle command in private: say where it works, not "I don't know"
        return Reply(ctx.t("command.group_only", command=html.escape(command[:64])))
    return Reply(ctx.t("command.unknown", command=html.escape(command[:64])))


@handler
async def not_text(ctx: Ctx) -> Reply:
    return Reply(ctx.t("message.not_text"))


@handler
async def stale_button(ctx: Ctx) -> Reply:
    return Reply("", toast=ctx.t("button.stale"))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The one error handler: count it, log it with the update's ids, apologise, never crash. A transient
    database failure of an update the webhook/poller runs (bot.web.UpdateRunner) gets no apology: it is
    answered 5xx and Telegram delivers it again."""
    if context.error is not None:
        metrics.UPDATE_ERRORS.labels(type(context.error).__name__).inc()
    runner = context.application.bot_data.get("update_runner")  # bot.web.RUNNER_KEY (web imports us)
    if runner is not None and runner.held_for_retry(update, context.error):
        return
    if context.error is not None and is_database_error(context.error):
        metrics.DB_ERRORS.labels("handler").inc()
    upd = update if isinstance(update, Update) else None
    user = upd.effective_user if upd else None
    with logger.contextualize(update_id=upd.update_id if upd else None, user_id=user.id if user else None):
        logger.opt(exception=context.error).error("unhandled error while handling an update")
    if upd is None or upd.effective_chat is None or upd.effective_chat.type != "private":
        return
    if isinstance(context.error, TelegramError):
        # Raised talking to Telegram, i.e. after the unit of work committed (bot/runtime.py): the work is
        # saved, so "nothing was saved" would be false (and invite a duplicate); Telegram is refusing anyway.
        return
    try:
        outbox = context.application.bot_data["services"].outbox
        if upd.callback_query is not None:  # at most once: the runtime may have answered it already
            await outbox.answer(upd.callback_query.id)
        t = translator(language_for(user.language_code if user else None))
        await outbox.send_text(upd.effective_chat.id, t("error.sorry"))
    except Exception:
        logger.exception("could not send the apology")

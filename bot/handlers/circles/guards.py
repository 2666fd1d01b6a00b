"""The guards every circle handler shares, as one wrapper (`guarded`), and the lookups they use."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from loguru import logger
from telegram import Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import ContextTypes, filters

from bot.i18n import Translator
from bot.runtime import Ctx, Reply, handler
from tracker import circles

ADMIN_STATUSES = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
GROUPS = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE  # edits never re-run (bot/app.py)

CircleHandler = Callable[[Ctx], Awaitable[Reply | list[Reply] | None]]


async def is_admin(context: ContextTypes.DEFAULT_TYPE, chat_id: int, user_id: int) -> bool:
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError:
        logger.warning("getChatMember failed; treating the user as a member")
        return False
    return member.status in ADMIN_STATUSES


def guarded(
    fn: CircleHandler,
    *,
    admin: bool | Callable[[Update], bool] = False,
    admin_only: bool = False,
):
    """A circle handler under the runtime's rules, with its guards in one place:
    - `admin` (or a predicate on the update): ask Telegram whether the sender is a group admin *before*
      the unit of work opens (getChatMember is a network call); the answer is `ctx.facts["admin"]`;
    - `admin_only`: everyone else gets the polite refusal (a toast on a button) and nothing runs;
    - forwards, anonymous admins and other bots are turned away by the runtime before any of this.
    Post-commit work (status edits, announcements) is recorded as effects by the handler itself."""
    asks = admin or admin_only

    async def prepare(update: Update, context: ContextTypes.DEFAULT_TYPE) -> dict[str, Any]:
        wanted = asks is True or (callable(asks) and asks(update))
        chat, user = update.effective_chat, update.effective_user
        if not wanted or chat is None or user is None:
            return {"admin": False}
        return {"admin": await is_admin(context, chat.id, user.id)}

    async def run(ctx: Ctx) -> Reply | list[Reply] | None:
        if admin_only and not ctx.facts.get("admin"):
            if ctx.update.callback_query is not None:
                return Reply("", toast=ctx.t("circle.admin_only_toast"))
            return refuse(ctx)
        return await fn(ctx)

    run.__name__ = run.__qualname__ = fn.__name__
    return handler(run, prepare=prepare)


async def active_circle(ctx: Ctx):
    circle = await circles.circle_for_chat(ctx.uow, ctx.update.effective_chat.id)
    return circle if circle is not None and circle.active else None


def join_button(t: Translator, circle_id: int) -> list[list[tuple[str, str]]]:
    return [[(t("circle.button.join"), f"cj:{circle_id}")]]


def no_circle(ctx: Ctx) -> Reply:
    return Reply(ctx.t("circle.none"))


def refuse(ctx: Ctx) -> Reply:
    return Reply(ctx.t("circle.admin_only"))


def _query_chat_id(ctx: Ctx) -> int | None:
    query = ctx.update.callback_query
    return query.message.chat.id if query is not None and query.message is not None else None


async def button_circle(ctx: Ctx, circle_id: int):
    """The circle a button belongs to, only if the button was pressed in that circle's own group."""
    circle = await ctx.uow.circles.get(circle_id)
    if circle is None or not circle.active or circle.chat_id != _query_chat_id(ctx):
        return None
    return circle


async def pressed_circle(ctx: Ctx):
    """The circle named by a button's data ("cx:<circle id>"), if pressed in that circle's group."""
    ids = ints(ctx.callback_data)
    return await button_circle(ctx, ids[0]) if ids else None


def ints(data: str) -> list[int]:
    try:
        return [int(x) for x in data.split(":")[1:]]
    except ValueError:
        return []


def stale(ctx: Ctx) -> Reply:
    return Reply("", toast=ctx.t("button.stale"))

"""The bot's own membership: added to a group, removed, the group migrated; a user blocking the bot."""

from __future__ import annotations

from telegram.constants import ChatMemberStatus

from bot.runtime import Ctx, Reply, handler
from tracker import circles


@handler
async def bot_membership(ctx: Ctx) -> Reply | None:
    """The bot added to a group (a welcome; a switched-off circle wakes up) or removed (switched off)."""
    change = ctx.update.my_chat_member
    if change is None:
        return None
    if change.chat.type == "private":  # blocked: no reminders until unblocked (touch_user unblocks)
        if change.new_chat_member.status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT):
            await ctx.uow.users.mark_blocked([ctx.user.id], ctx.now)
        return None
    if change.chat.type not in ("group", "supergroup"):
        return None
    status = change.new_chat_member.status
    if status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        await circles.deactivate(ctx.uow, change.chat.id)
        return None
    if change.old_chat_member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        circle = await circles.circle_for_chat(ctx.uow, change.chat.id)
        if circle is not None:
            circle.active = True
            return Reply(ctx.t("circle.welcome_back"))
        return Reply(ctx.t("circle.welcome"))
    return None


@handler
async def chat_migrated(ctx: Ctx) -> None:
    """Group -> supergroup: Telegram sends both halves; whichever arrives first moves the circle."""
    msg = ctx.update.effective_message
    if msg.migrate_to_chat_id:
        await circles.migrate_chat(ctx.uow, msg.chat.id, msg.migrate_to_chat_id)
    elif msg.migrate_from_chat_id:
        await circles.migrate_chat(ctx.uow, msg.migrate_from_chat_id, msg.chat.id)

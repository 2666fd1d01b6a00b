"""Invite links: `t.me/<bot>?start=c<circle id>_<token>` joins the circle from a private chat.

The token is derived from the circle's id and the microsecond it was created — nothing an outsider can
guess — so the link needs no table and survives the group becoming a supergroup (the chat id changes).
"""

from __future__ import annotations

import hashlib
import html
import re

from bot.handlers import onboarding
from bot.runtime import Ctx, Reply, handler
from storage.models import Circle
from tracker import circles

PAYLOAD = re.compile(r"^c(\d{1,18})_([0-9a-f]{10})$")
START = re.compile(r"^/start(@\w+)? c\d{1,18}_[0-9a-f]{10}$")  # the message a deep link sends


def invite_token(circle: Circle) -> str:
    seed = f"quran-tracker-circle:{circle.id}:{int(circle.created_at.timestamp() * 1_000_000)}"
    return hashlib.sha256(seed.encode()).hexdigest()[:10]


def invite_link(bot_username: str, circle: Circle) -> str:
    return f"https://t.me/{bot_username}?start=c{circle.id}_{invite_token(circle)}"


@handler
async def start_with_invite(ctx: Ctx) -> list[Reply]:
    """/start c<id>_<token> in private (the deep link): join that circle, then carry on as /start does."""
    found = PAYLOAD.match(ctx.args[0]) if ctx.args else None
    circle = await ctx.uow.circles.get(int(found.group(1))) if found else None
    if circle is None or not circle.active or found.group(2) != invite_token(circle):
        first = Reply(ctx.t("circle.invite.stale"))
    else:
        joined = await circles.join(ctx.uow, circle, ctx.user, ctx.now)
        key = "circle.invite.joined" if joined else "circle.invite.already"
        first = Reply(ctx.t(key, title=html.escape(circle.title or "")))
    return [first, *await onboarding.start.__wrapped__(ctx)]

"""The circle's commands in the group: /circle, /join, /leave, /log, /board, /khatm, /reassign, /wird,
/help. Each is a runtime handler (one unit of work, committed before anything is sent); registered with
its guards in `bot.handlers.circles.add_handlers`."""

from __future__ import annotations

import html

from bot.handlers.circles.guards import (
    active_circle,
    ints,
    join_button,
    no_circle,
    pressed_circle,
    refuse,
    stale,
)
from bot.handlers.circles.invites import invite_link
from bot.handlers.circles.live import announce_after, refresh_after
from bot.handlers.circles.texts import board_text, member_count
from bot.handlers.reading import parse_and_log
from bot.labels import LOGGED_REACTION
from bot.runtime import Ctx, Reply
from quran import JUZ_COUNT
from quran.digits import to_ascii_digits
from tracker import circles
from tracker.circles import RoundError
from tracker.clock import local_date
from tracker.text import is_off_word


async def circle_command(ctx: Ctx) -> Reply:
    t, chat = ctx.t, ctx.update.effective_chat
    circle, created = await circles.create_circle(ctx.uow, chat.id, chat.title, ctx.user, ctx.now)
    msg = ctx.update.message  # /circle itself, not the settings button that shows it again
    if msg is not None:
        circles.live_in_topic(circle, msg.message_thread_id if msg.is_topic_message else None)
    count = len(await circles.members(ctx.uow, circle))
    key = "circle.created" if created else "circle.about"
    lines = [t(key, title=html.escape(circle.title or ""), members=member_count(t, count))]
    lines.append(t("circle.mode.wird" if circle.mode == "wird" else "circle.mode.khatm"))
    lines.append(t("circle.announce.on" if circle.announce else "circle.announce.off"))
    lines.append(t("circle.help"))
    if ctx.context.bot.username:
        lines.append(t("circle.invite.line", link=invite_link(ctx.context.bot.username, circle)))
    announce = t("circle.button.announce_off" if circle.announce else "circle.button.announce_on")
    buttons = [*join_button(t, circle.id), [(announce, f"cs:{circle.id}")]]
    return Reply("\n".join(lines), buttons=buttons)


async def join_command(ctx: Ctx) -> Reply:
    circle = await active_circle(ctx)
    if circle is None:
        return no_circle(ctx)
    joined = await circles.join(ctx.uow, circle, ctx.user, ctx.now)
    name = html.escape(ctx.user.first_name or "")
    return Reply(ctx.t("circle.joined" if joined else "circle.already_member", name=name))


async def join_button_pressed(ctx: Ctx) -> Reply:
    circle = await pressed_circle(ctx)
    if circle is None:
        return stale(ctx)
    joined = await circles.join(ctx.uow, circle, ctx.user, ctx.now)
    name = html.escape(ctx.user.first_name or "")
    if not joined:
        return Reply("", toast=ctx.t("circle.already_member", name=name))
    return Reply(ctx.t("circle.joined", name=name), toast=ctx.t("circle.welcome_toast"))


async def leave_command(ctx: Ctx) -> Reply:
    circle = await active_circle(ctx)
    if circle is None:
        return no_circle(ctx)
    left = await circles.leave(ctx.uow, circle, ctx.user)
    if left:
        refresh_after(ctx, circle.id)
    return Reply(ctx.t("circle.left" if left else "circle.not_member"))


async def log_command(ctx: Ctx) -> Reply:
    circle = await active_circle(ctx)
    if circle is None:
        return no_circle(ctx)
    if not await circles.is_member(ctx.uow, circle, ctx.user.id):
        return Reply(ctx.t("circle.join_first"), buttons=join_button(ctx.t, circle.id))
    text = " ".join(ctx.args)
    if not text.strip():
        return Reply(ctx.t("circle.log_usage"))
    done = await parse_and_log(ctx, text, source="circle")
    reply = done.reply
    if done.logged is not None:  # logged: keep the group reply to its first line
        reply.text = reply.text.split("\n")[0]
        if not await circles.confirm_in_text(ctx.uow, ctx.update.effective_chat.id, ctx.now):
            reply.react, reply.buttons = LOGGED_REACTION, None  # a busy group: react, don't post
        for circle_id in done.logged.announce:
            announce_after(ctx, circle_id)
        for circle_id in done.logged.refresh:
            refresh_after(ctx, circle_id)  # at once, not in the next batch
    return reply


async def board_command(ctx: Ctx) -> Reply:
    circle = await active_circle(ctx)
    if circle is None:
        return no_circle(ctx)
    return Reply(board_text(await circles.board(ctx.uow, circle, ctx.now), ctx.t))


async def khatm_command(ctx: Ctx) -> Reply | None:
    t = ctx.t
    circle = await active_circle(ctx)
    if circle is None:
        return no_circle(ctx)
    args = " ".join(ctx.args).strip()
    rnd = await ctx.uow.circles.open_round(circle.id)
    if is_off_word(args):  # cancel, stop, إلغاء, إيقاف …
        if not ctx.facts.get("admin", False):
            return refuse(ctx)
        if await circles.cancel_round(ctx.uow, circle, ctx.now) is None:
            return Reply(t("circle.round.none"))
        refresh_after(ctx, circle.id)
        return None
    if rnd is not None:  # show the status again, as a fresh message at the bottom
        rnd.status_message_id = None
        refresh_after(ctx, circle.id)
        return None
    if not ctx.facts.get("admin", False):
        return refuse(ctx)
    try:
        deadline = circles.parse_deadline(args, local_date(ctx.now, ctx.user.timezone))
    except RoundError:
        return Reply(t("circle.round.bad_deadline"))
    await circles.start_round(ctx.uow, circle, ctx.now, deadline)
    refresh_after(ctx, circle.id)
    return None


async def reassign_command(ctx: Ctx) -> Reply:
    """/reassign <juz> as a reply to a member's message gives them the juz; without a reply, frees it."""
    t = ctx.t
    circle = await active_circle(ctx)
    if circle is None:
        return no_circle(ctx)
    if not ctx.facts.get("admin", False):
        return refuse(ctx)
    rnd = await ctx.uow.circles.open_round(circle.id)
    juz = ints(":" + (ctx.args[0] if ctx.args else ""))
    if rnd is None or not juz or not 1 <= juz[0] <= JUZ_COUNT:
        return Reply(t("circle.reassign.usage"))
    reply_to = ctx.update.effective_message.reply_to_message
    target = reply_to.from_user if reply_to is not None and reply_to.from_user else None
    if target is not None and target.is_bot:
        target = None
    ok = await circles.reassign(ctx.uow, rnd.id, juz[0], target.id if target else None, ctx.now)
    if not ok:
        return Reply(t("circle.reassign.not_member"))
    refresh_after(ctx, circle.id)
    if target is None:
        return Reply(t("circle.reassign.freed", juz=t.num(juz[0])))
    return Reply(t("circle.reassign.done", juz=t.num(juz[0]), name=html.escape(target.first_name)))


async def wird_command(ctx: Ctx) -> Reply:
    t = ctx.t
    circle = await active_circle(ctx)
    if circle is None:
        return no_circle(ctx)
    args = [to_ascii_digits(a) for a in ctx.args]
    if args:
        if not ctx.facts.get("admin", False):
            return refuse(ctx)
        today = local_date(ctx.now, ctx.user.timezone)
        if is_off_word(args[0]):  # off, stop, إيقاف, إلغاء …
            await circles.set_wird(ctx.uow, circle, None, today)
            return Reply(t("circle.wird.off"))
        try:
            pages = int(args[0])
            start = int(args[1]) if len(args) > 1 else None
            await circles.set_wird(ctx.uow, circle, pages, today, start)
        except ValueError:
            return Reply(t("circle.wird.usage"))
    return await wird_reply(ctx, circle)


async def wird_reply(ctx: Ctx, circle, *, edit: bool = False) -> Reply:
    t = ctx.t
    today = await circles.wird_today(ctx.uow, circle, ctx.user, ctx.now)
    if today is None:
        return Reply(t("circle.wird.none"), edit=edit)
    first, last = today.pages
    pages = t.num(first) if first == last else f"{t.num(first)}–{t.num(last)}"
    text = "\n".join(
        [
            t("circle.wird.today", pages=pages, what=html.escape(today.span.label(t.lang))),
            t("circle.wird.progress", done=t.num(today.done), members=member_count(t, today.members)),
        ]
    )
    return Reply(text, buttons=[[(t("circle.button.wird_done"), f"cw:{circle.id}")]], edit=edit)


async def help_command(ctx: Ctx) -> Reply:
    """/help or /start in a group: what a circle is, or — in one already — its commands."""
    circle = await active_circle(ctx)
    return Reply(ctx.t("circle.help") if circle is not None else ctx.t("circle.welcome"))


async def private_only(ctx: Ctx) -> Reply:
    """A private-chat command sent in the group: one line pointing to the private chat, not silence."""
    command = (ctx.text.split() or ["/"])[0].split("@")[0]
    username = ctx.context.bot.username or ""
    return Reply(
        ctx.t("circle.private_only", command=html.escape(command[:33]), link=f"https://t.me/{username}")
    )

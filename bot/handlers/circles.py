"""Study circles in Telegram groups: /circle, /join, /leave, /log, /board, /khatm, /wird, /reassign.

Handlers follow the runtime's rule (one unit of work per update, committed before anything is sent).
Two things happen after the commit, in `_after_commit`:
- the round's live status message is edited in place (or posted fresh when it is gone), and a finished
  round's summary is posted: each is first *claimed* in a short unit of work, then sent;
- announcements are batched: a per-circle JobQueue job, `ANNOUNCE_DELAY` after the first log, announces
  everything members logged since the last announcement (a watermark stored on the circle).
Admin-only actions ask Telegram (getChatMember) *before* the unit of work opens (`_group`).
"""

from __future__ import annotations

import functools
import html
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from loguru import logger
from telegram import Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.handlers.reading import log_text
from bot.i18n import Translator, translator
from bot.runtime import Ctx, Reply, handler, not_from_the_user
from bot.views import amount_text, spans_label
from quran import JUZ_COUNT
from tracker import circles
from tracker.circles import Board, Digest, MemberPeriod, RoundError, RoundNudge, RoundStatus
from tracker.clock import local_date

ANNOUNCE_DELAY = 180.0  # seconds: one batched announcement per circle every few minutes at most
# Telegram lets a bot send 20 messages a minute to one group. A /log confirmation is a short reply while
# the group is quiet; past this many in a minute it becomes a reaction on the member's message (no new
# message) — their reading is named in the next batched announcement anyway. The rest of the 20 is left
# for announcements, status messages and answers to other commands.
GROUP_CONFIRMATIONS_PER_MINUTE = 8
LOGGED_REACTION = "✍"
ADMIN_STATUSES = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
_PENDING = "circles.pending"  # bot_data key: post-commit work of the updates in flight, by update id
GROUPS = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE  # edits never re-run (bot/app.py)


@dataclass
class _Work:
    """What an update asks for once its unit of work has committed."""

    admin: bool = False
    status: set[int] = field(default_factory=set)  # circle ids whose round status to refresh
    announce: set[int] = field(default_factory=set)  # circle ids to schedule an announcement for
    lang: str = "en"


class ConfirmationBudget:
    """Text confirmations per group in the last minute (per process: a heuristic that keeps one instance
    well inside the limit; a budget shared by every instance belongs behind the outbox's rate gate)."""

    def __init__(self, per_minute: int = GROUP_CONFIRMATIONS_PER_MINUTE) -> None:
        self.per_minute = per_minute
        self._sent: dict[int, deque[datetime]] = {}

    def take(self, chat_id: int, now: datetime) -> bool:
        recent = self._sent.setdefault(chat_id, deque())
        while recent and now - recent[0] >= timedelta(minutes=1):
            recent.popleft()
        if len(recent) >= self.per_minute:
            return False
        recent.append(now)
        return True


def _budget(ctx: Ctx) -> ConfirmationBudget:
    return ctx.context.bot_data.setdefault("circles.confirmations", ConfirmationBudget())


def _work(ctx: Ctx) -> _Work:
    return ctx.context.bot_data.setdefault(_PENDING, {}).setdefault(ctx.update.update_id, _Work())


async def is_admin(context: ContextTypes.DEFAULT_TYPE, chat_id: int, user_id: int) -> bool:
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError:
        logger.warning("getChatMember failed; treating the user as a member")
        return False
    return member.status in ADMIN_STATUSES


def _group(
    fn: Callable[[Ctx], Awaitable[Reply | list[Reply] | None]],
    *,
    admin: bool | Callable[[Update], bool] = False,
):
    """Run `fn` as a runtime handler, with the admin check made before its unit of work opens and the
    post-commit work (status edits, announcement scheduling) done after it committed and replied."""
    inner = handler(fn)

    @functools.wraps(fn)
    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user, chat = update.effective_user, update.effective_chat
        if await not_from_the_user(update, context):  # forwards, anonymous admins: before getChatMember
            return
        if user is None or chat is None or user.is_bot:
            return
        pending = context.bot_data.setdefault(_PENDING, {})
        work = pending[update.update_id] = _Work()
        if admin is True or (callable(admin) and admin(update)):
            work.admin = await is_admin(context, chat.id, user.id)
        try:
            await inner(update, context)
        finally:
            pending.pop(update.update_id, None)
        await _after_commit(context.application, work)

    return run


async def _after_commit(app: Application, work: _Work) -> None:
    for circle_id in sorted(work.status):
        await refresh_status(app, circle_id, translator(work.lang))
    for circle_id in sorted(work.announce):
        schedule_flush(app, circle_id)


# ------------------------------------------------------------------------------- hooks for other paths
async def after_log(ctx: Ctx) -> None:
    """Call after a reading is logged anywhere (private or group), in the same unit of work.

    Finishes juz the log covers, and schedules the batched flush (announcement + status refresh) of
    every circle the user is in. Idempotent: a second call in the same update does nothing new.
    """
    finished = await circles.complete_covered_juz(ctx.uow, ctx.user, ctx.now)
    for circle in await ctx.uow.circles.of_user(ctx.user.id):
        if circle.announce or finished:
            schedule_flush(ctx.context.application, circle.id)


def schedule_flush(app: Application, circle_id: int) -> None:
    """One pending flush per circle: logs arriving meanwhile join the same batch (in memory: a restart
    drops the timer, not the readings; the next log's flush announces them, from the stored watermark)."""
    queue = app.job_queue
    if queue is None:
        return
    name = f"circle-flush:{circle_id}"
    if queue.get_jobs_by_name(name):
        return
    queue.run_once(_flush_job, ANNOUNCE_DELAY, data=circle_id, name=name)


async def _flush_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await flush_circle(context.application, context.job.data)


async def flush_circle(app: Application, circle_id: int) -> None:
    """Announce what members logged since the last announcement, then refresh the round's status.

    The watermark is claimed in the unit of work and given back when the send fails, so a refused or
    timed-out announcement is said again by the next flush instead of being lost."""
    svc = app.bot_data["services"]
    async with svc.db.unit_of_work() as uow:
        news = await circles.take_announcement(uow, circle_id)
        circle = await uow.circles.get(circle_id)
        creator = await uow.users.get(circle.created_by) if circle and circle.created_by else None
    t = translator(news.language if news else creator.language if creator else "en")
    if news is not None and news.items:
        lines = [t("circle.announce.title")]
        lines += [
            t("circle.announce.line", name=html.escape(name), what=spans_label(spans, t))
            for name, spans in news.items
        ]
        sent = await svc.outbox.send_text(news.chat_id, "\n".join(lines), lane="bulk")
        if not sent.ok and sent.outcome != "blocked":
            async with svc.db.unit_of_work() as uow:
                await circles.release_announcement(uow, news)
            logger.warning(
                "announcement in circle {} not sent ({}); kept for the next", circle_id, sent.error
            )
    await refresh_status(app, circle_id, t)


# ------------------------------------------------------------------------------------------ rendering
def _member_count(t: Translator, n: int) -> str:
    return t.plural("circle.count.members", n)


def status_view(status: RoundStatus, t: Translator) -> tuple[str, list[list[tuple[str, str]]]]:
    rnd = status.round
    lines = [
        t(
            "circle.round.title",
            number=t.num(rnd.number),
            done=t.num(status.done_count),
            taken=t.num(status.taken_count),
        )
    ]
    if rnd.deadline:
        lines.append(t("circle.round.deadline", date=t.date(rnd.deadline)))
    readers: dict[int, list[str]] = {}
    names: dict[int, str] = {}
    for j in status.juz:
        if j.user_id is not None:
            names[j.user_id] = j.name
            readers.setdefault(j.user_id, []).append(t.num(j.juz) + (" ✅" if j.done else ""))
    for user_id, juz in readers.items():
        lines.append(t("circle.round.reader", name=html.escape(names[user_id]), juz=t.join(juz)))
    free = [t.num(j.juz) for j in status.juz if j.user_id is None]
    if free:
        lines.append(t("circle.round.free", juz=t.join(free)))
    take = [
        (t("circle.button.take", juz=t.num(j.juz)), f"ct:{rnd.id}:{j.juz}")
        for j in status.juz
        if j.user_id is None
    ]
    done = [
        (t("circle.button.done", juz=t.num(j.juz)), f"cd:{rnd.id}:{j.juz}")
        for j in status.juz
        if j.user_id is not None and not j.done
    ]
    rows = [take[i : i + 3] for i in range(0, len(take), 3)] + [
        done[i : i + 3] for i in range(0, len(done), 3)
    ]
    if take:
        rows.append([(t("circle.button.distribute"), f"ca:{rnd.id}")])
    return "\n".join(lines), rows


def summary_text(status: RoundStatus, t: Translator) -> str:
    rnd = status.round
    if rnd.cancelled_at is not None:
        return t("circle.round.cancelled", number=t.num(rnd.number))
    days = max(1, (rnd.completed_at.date() - rnd.started_at.date()).days + 1)
    names = {j.user_id: j.name for j in status.juz if j.user_id is not None}
    lines = [t("circle.round.complete", number=t.num(rnd.number), days=t.plural("count.days", days))]
    for user_id, juz in status.readers().items():
        lines.append(
            t("circle.round.reader", name=html.escape(names[user_id]), juz=t.join([t.num(j) for j in juz]))
        )
    lines.append(t("circle.round.dua"))
    return "\n".join(lines)


async def refresh_status(app: Application, circle_id: int, t: Translator) -> None:
    """Bring the group's round messages up to date, after the caller's unit of work committed.

    Finished or cancelled rounds: the status message is *claimed* (its id cleared) and committed, then
    edited to its final text and the summary posted with the next-round button (once, whoever races).
    The open round: its status message is edited in place; if it is gone, a fresh one is posted and its
    id stored.
    """
    svc = app.bot_data["services"]
    async with svc.db.unit_of_work() as uow:
        circle = await uow.circles.get(circle_id)
        if circle is None or not circle.active:
            return
        chat_id = circle.chat_id
        rnd = await uow.circles.open_round(circle_id)
        status = await circles.round_status(uow, rnd, svc.clock()) if rnd else None  # may finish it
        if status is not None and (status.complete or rnd.cancelled_at):
            status = None
        closing = []
        for done in await uow.circles.rounds_to_close(circle_id):
            closing.append((done.status_message_id, await circles.round_status(uow, done, svc.clock())))
            done.status_message_id = None  # claimed: only this refresh closes it
    outbox = svc.outbox
    for message_id, final in closing:
        text, _ = status_view(final, t)
        if message_id is not None:
            await outbox.edit_text(chat_id, message_id, text, repost=False, lane="bulk")
        buttons = (
            None
            if final.round.cancelled_at
            else [[(t("circle.button.next_round", number=t.num(final.round.number + 1)), f"cn:{circle_id}")]]
        )
        await outbox.send_text(chat_id, summary_text(final, t), buttons=buttons, lane="bulk")
    if status is None:
        return
    text, buttons = status_view(status, t)
    shown = await outbox.edit_text(
        chat_id, status.round.status_message_id, text, buttons=buttons, lane="bulk"
    )
    if shown.reposted:  # the status message was gone (or never posted): remember the new one
        async with svc.db.unit_of_work() as uow:
            rnd = await uow.circles.round(status.round.id)
            if rnd is not None:
                rnd.status_message_id = shown.message_id


def _period_lines(t: Translator, rows: list[MemberPeriod]) -> list[str]:
    lines = []
    for p in rows:
        line = t(
            "circle.board.line",
            name=html.escape(p.name),
            pages=amount_text(t, "pages", p.pages),
            days=t.plural("count.days", p.days),
        )
        if p.streak >= 2:
            line += " " + t("circle.board.streak", n=t.num(p.streak))
        lines.append(line)
    return lines


def board_text(board: Board, t: Translator) -> str:
    lines = [t("circle.board.week")]
    lines += _period_lines(t, board.week) or [t("circle.board.quiet")]
    if board.week:
        lines.append(
            t(
                "circle.board.total",
                pages=amount_text(t, "pages", board.week_pages),
                active=t.num(board.week_active),
                members=_member_count(t, board.member_count),
            )
        )
    lines += ["", t("circle.board.month")]
    lines += _period_lines(t, board.month) or [t("circle.board.quiet")]
    if board.month:
        lines.append(
            t(
                "circle.board.total",
                pages=amount_text(t, "pages", board.month_pages),
                active=t.num(board.month_active),
                members=_member_count(t, board.member_count),
            )
        )
    lines += ["", t("circle.board.kind")]
    return "\n".join(lines)


def digest_text(digest: Digest, t: Translator) -> str:
    """The weekly digest's words (its picture is the board): last week's totals and the round's status."""
    board = digest.board
    lines = [t("circle.digest.title")]
    if board.week:
        lines.append(
            t(
                "circle.board.total",
                pages=amount_text(t, "pages", board.week_pages),
                active=t.num(board.week_active),
                members=_member_count(t, board.member_count),
            )
        )
    else:
        lines.append(t("circle.board.quiet"))
    if digest.status is not None:
        lines.append(
            t(
                "circle.round.title",
                number=t.num(digest.status.round.number),
                done=t.num(digest.status.done_count),
                taken=t.num(digest.status.taken_count),
            )
        )
    return "\n".join(lines)


def nudge_text(nudge: RoundNudge, t: Translator) -> str:
    """The words of a round nudge (tracker.circles.round_nudges_due): private, or a mention in the group
    for members who never started the bot."""
    params = dict(
        number=t.num(nudge.round_number),
        date=t.date(nudge.deadline),
        juz=t.join([t.num(j) for j in nudge.juz]),
    )
    if nudge.in_group:
        mention = f'<a href="tg://user?id={nudge.user_id}">{html.escape(nudge.name)}</a>'
        return t("circle.nudge.group", mention=mention, **params)
    return t("circle.nudge.private", **params)


# ------------------------------------------------------------------------------------------- helpers
async def _circle(ctx: Ctx):
    circle = await circles.circle_for_chat(ctx.uow, ctx.update.effective_chat.id)
    return circle if circle is not None and circle.active else None


def _join_button(t: Translator, circle_id: int) -> list[list[tuple[str, str]]]:
    return [[(t("circle.button.join"), f"cj:{circle_id}")]]


def _no_circle(ctx: Ctx) -> Reply:
    return Reply(ctx.t("circle.none"))


def _refuse(ctx: Ctx) -> Reply:
    return Reply(ctx.t("circle.admin_only"))


def _query_chat_id(ctx: Ctx) -> int | None:
    query = ctx.update.callback_query
    return query.message.chat.id if query is not None and query.message is not None else None


async def _button_circle(ctx: Ctx, circle_id: int):
    """The circle a button belongs to, only if the button was pressed in that circle's own group."""
    circle = await ctx.uow.circles.get(circle_id)
    if circle is None or not circle.active or circle.chat_id != _query_chat_id(ctx):
        return None
    return circle


async def _pressed_circle(ctx: Ctx):
    """The circle named by a button's data ("cx:<circle id>"), if pressed in that circle's group."""
    ids = _ints(ctx.callback_data)
    return await _button_circle(ctx, ids[0]) if ids else None


def _ints(data: str) -> list[int]:
    try:
        return [int(x) for x in data.split(":")[1:]]
    except ValueError:
        return []


def _stale(ctx: Ctx) -> Reply:
    return Reply("", toast=ctx.t("button.stale"))


# ------------------------------------------------------------------------------------------ commands
async def _circle_command(ctx: Ctx) -> Reply:
    t, chat = ctx.t, ctx.update.effective_chat
    circle, created = await circles.create_circle(ctx.uow, chat.id, chat.title, ctx.user, ctx.now)
    count = len(await circles.members(ctx.uow, circle))
    key = "circle.created" if created else "circle.about"
    lines = [t(key, title=html.escape(circle.title or ""), members=_member_count(t, count))]
    lines.append(t("circle.mode.wird" if circle.mode == "wird" else "circle.mode.khatm"))
    lines.append(t("circle.announce.on" if circle.announce else "circle.announce.off"))
    lines.append(t("circle.help"))
    announce = t("circle.button.announce_off" if circle.announce else "circle.button.announce_on")
    buttons = [*_join_button(t, circle.id), [(announce, f"cs:{circle.id}")]]
    return Reply("\n".join(lines), buttons=buttons)


async def _join_command(ctx: Ctx) -> Reply:
    circle = await _circle(ctx)
    if circle is None:
        return _no_circle(ctx)
    joined = await circles.join(ctx.uow, circle, ctx.user, ctx.now)
    name = html.escape(ctx.user.first_name or "")
    return Reply(ctx.t("circle.joined" if joined else "circle.already_member", name=name))


async def _join_button_pressed(ctx: Ctx) -> Reply:
    circle = await _pressed_circle(ctx)
    if circle is None:
        return _stale(ctx)
    joined = await circles.join(ctx.uow, circle, ctx.user, ctx.now)
    name = html.escape(ctx.user.first_name or "")
    if not joined:
        return Reply("", toast=ctx.t("circle.already_member", name=name))
    return Reply(ctx.t("circle.joined", name=name), toast=ctx.t("circle.welcome_toast"))


async def _leave_command(ctx: Ctx) -> Reply:
    circle = await _circle(ctx)
    if circle is None:
        return _no_circle(ctx)
    left = await circles.leave(ctx.uow, circle, ctx.user)
    if left:
        _work(ctx).status.add(circle.id)
    return Reply(ctx.t("circle.left" if left else "circle.not_member"))


async def _log_command(ctx: Ctx) -> Reply:
    circle = await _circle(ctx)
    if circle is None:
        return _no_circle(ctx)
    if not await circles.is_member(ctx.uow, circle, ctx.user.id):
        return Reply(ctx.t("circle.join_first"), buttons=_join_button(ctx.t, circle.id))
    text = " ".join(ctx.args)
    if not text.strip():
        return Reply(ctx.t("circle.log_usage"))
    reply = await log_text(ctx, text, source="circle", notify_circles=False)
    if reply.buttons:  # logged: keep the group reply to its first line
        reply.text = reply.text.split("\n")[0]
        if not _budget(ctx).take(ctx.update.effective_chat.id, ctx.now):
            reply.react, reply.buttons = LOGGED_REACTION, None  # a busy group: react, don't post
        finished = await circles.complete_covered_juz(ctx.uow, ctx.user, ctx.now)
        work = _work(ctx)
        for c in await ctx.uow.circles.of_user(ctx.user.id):
            if c.announce:
                work.announce.add(c.id)
        if finished:
            work.status.update(c.id for c in await ctx.uow.circles.of_user(ctx.user.id))
    return reply


async def _board_command(ctx: Ctx) -> Reply:
    circle = await _circle(ctx)
    if circle is None:
        return _no_circle(ctx)
    return Reply(board_text(await circles.board(ctx.uow, circle, ctx.now), ctx.t))


async def _khatm_command(ctx: Ctx) -> Reply | None:
    t = ctx.t
    circle = await _circle(ctx)
    if circle is None:
        return _no_circle(ctx)
    work = _work(ctx)
    args = " ".join(ctx.args).strip()
    rnd = await ctx.uow.circles.open_round(circle.id)
    if args.lower() in ("cancel", "stop", "إلغاء", "الغاء"):
        if not work.admin:
            return _refuse(ctx)
        if await circles.cancel_round(ctx.uow, circle, ctx.now) is None:
            return Reply(t("circle.round.none"))
        work.status.add(circle.id)
        return None
    if rnd is not None:  # show the status again, as a fresh message at the bottom
        rnd.status_message_id = None
        work.status.add(circle.id)
        return None
    if not work.admin:
        return _refuse(ctx)
    try:
        deadline = circles.parse_deadline(args, local_date(ctx.now, ctx.user.timezone))
    except RoundError:
        return Reply(t("circle.round.bad_deadline"))
    await circles.start_round(ctx.uow, circle, ctx.now, deadline)
    work.status.add(circle.id)
    return None


async def _reassign_command(ctx: Ctx) -> Reply:
    """/reassign <juz> as a reply to a member's message gives them the juz; without a reply, frees it."""
    t = ctx.t
    circle = await _circle(ctx)
    if circle is None:
        return _no_circle(ctx)
    if not _work(ctx).admin:
        return _refuse(ctx)
    rnd = await ctx.uow.circles.open_round(circle.id)
    juz = _ints(":" + (ctx.args[0] if ctx.args else ""))
    if rnd is None or not juz or not 1 <= juz[0] <= JUZ_COUNT:
        return Reply(t("circle.reassign.usage"))
    reply_to = ctx.update.effective_message.reply_to_message
    target = reply_to.from_user if reply_to is not None and reply_to.from_user else None
    if target is not None and target.is_bot:
        target = None
    ok = await circles.reassign(ctx.uow, rnd.id, juz[0], target.id if target else None, ctx.now)
    if not ok:
        return Reply(t("circle.reassign.not_member"))
    _work(ctx).status.add(circle.id)
    if target is None:
        return Reply(t("circle.reassign.freed", juz=t.num(juz[0])))
    return Reply(t("circle.reassign.done", juz=t.num(juz[0]), name=html.escape(target.first_name)))


async def _wird_command(ctx: Ctx) -> Reply:
    t = ctx.t
    circle = await _circle(ctx)
    if circle is None:
        return _no_circle(ctx)
    args = [a.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")) for a in ctx.args]
    if args:
        if not _work(ctx).admin:
            return _refuse(ctx)
        today = local_date(ctx.now, ctx.user.timezone)
        if args[0].lower() in ("off", "stop", "إلغاء", "الغاء"):
            await circles.set_wird(ctx.uow, circle, None, today)
            return Reply(t("circle.wird.off"))
        try:
            pages = int(args[0])
            start = int(args[1]) if len(args) > 1 else None
            await circles.set_wird(ctx.uow, circle, pages, today, start)
        except ValueError:
            return Reply(t("circle.wird.usage"))
    return await _wird_reply(ctx, circle)


async def _wird_reply(ctx: Ctx, circle, *, edit: bool = False) -> Reply:
    t = ctx.t
    today = await circles.wird_today(ctx.uow, circle, ctx.user, ctx.now)
    if today is None:
        return Reply(t("circle.wird.none"), edit=edit)
    first, last = today.pages
    pages = t.num(first) if first == last else f"{t.num(first)}–{t.num(last)}"
    text = "\n".join(
        [
            t("circle.wird.today", pages=pages, what=html.escape(today.span.label(t.lang))),
            t("circle.wird.progress", done=t.num(today.done), members=_member_count(t, today.members)),
        ]
    )
    return Reply(text, buttons=[[(t("circle.button.wird_done"), f"cw:{circle.id}")]], edit=edit)


# ------------------------------------------------------------------------------------------- buttons
async def _take_button(ctx: Ctx) -> Reply:
    t = ctx.t
    ids = _ints(ctx.callback_data)
    rnd = await ctx.uow.circles.round(ids[0]) if len(ids) == 2 else None
    circle = await _button_circle(ctx, rnd.circle_id) if rnd else None
    if circle is None:
        return _stale(ctx)
    claim = await circles.claim_juz(ctx.uow, rnd.id, ids[1], ctx.user, ctx.now)
    juz = t.num(ids[1])
    if claim.refused == "not_member":
        return Reply("", toast=t("circle.join_first_toast"))
    if claim.refused is not None:
        return _stale(ctx)
    _work(ctx).status.add(circle.id)
    if not claim.won:
        if claim.holder_id == ctx.user.id:
            return Reply("", toast=t("circle.toast.yours", juz=juz))
        return Reply("", toast=t("circle.toast.taken", juz=juz, name=claim.holder_name or "…"))
    return Reply("", toast=t("circle.toast.claimed", juz=juz))


async def _done_button(ctx: Ctx) -> Reply:
    t = ctx.t
    ids = _ints(ctx.callback_data)
    rnd = await ctx.uow.circles.round(ids[0]) if len(ids) == 2 else None
    circle = await _button_circle(ctx, rnd.circle_id) if rnd else None
    if circle is None:
        return _stale(ctx)
    if not await circles.is_member(ctx.uow, circle, ctx.user.id):
        return Reply("", toast=t("circle.join_first_toast"))
    outcome = await circles.mark_juz_done(ctx.uow, rnd.id, ids[1], ctx.user, ctx.now)
    if outcome == "round_closed":
        return _stale(ctx)
    _work(ctx).status.add(circle.id)
    return Reply("", toast=t(f"circle.toast.done_{outcome}", juz=t.num(ids[1])))


async def _distribute_button(ctx: Ctx) -> Reply:
    t = ctx.t
    ids = _ints(ctx.callback_data)
    rnd = await ctx.uow.circles.round(ids[0]) if ids else None
    circle = await _button_circle(ctx, rnd.circle_id) if rnd else None
    if circle is None:
        return _stale(ctx)
    if not _work(ctx).admin:
        return Reply("", toast=t("circle.admin_only_toast"))
    assigned = await circles.auto_distribute(ctx.uow, rnd.id, ctx.now)
    _work(ctx).status.add(circle.id)
    return Reply("", toast=t("circle.toast.distributed", n=t.num(len(assigned))))


async def _next_round_button(ctx: Ctx) -> Reply:
    t = ctx.t
    circle = await _pressed_circle(ctx)
    if circle is None:
        return _stale(ctx)
    if not _work(ctx).admin:
        return Reply("", toast=t("circle.admin_only_toast"))
    try:
        await circles.start_round(ctx.uow, circle, ctx.now)
    except RoundError:
        return Reply("", toast=t("circle.round.already_open"))
    _work(ctx).status.add(circle.id)
    return Reply("", toast=t("circle.toast.round_started"))


async def _wird_button(ctx: Ctx) -> Reply:
    t = ctx.t
    circle = await _pressed_circle(ctx)
    if circle is None:
        return _stale(ctx)
    if not await circles.is_member(ctx.uow, circle, ctx.user.id):
        return Reply("", toast=t("circle.join_first_toast"))
    result = await circles.mark_wird_done(ctx.uow, circle, ctx.user, ctx.now, ctx.update.update_id)
    if result is None:
        return Reply("", toast=t("circle.toast.wird_already"))
    await after_log(ctx)
    reply = await _wird_reply(ctx, circle, edit=True)
    reply.toast = t("circle.toast.wird_done")
    return reply


async def _settings_button(ctx: Ctx) -> Reply:
    t = ctx.t
    circle = await _pressed_circle(ctx)
    if circle is None:
        return _stale(ctx)
    if not _work(ctx).admin:
        return Reply("", toast=t("circle.admin_only_toast"))
    await circles.set_announce(ctx.uow, circle, not circle.announce)
    reply = await _circle_command(ctx)
    reply.edit = True
    reply.toast = t("circle.announce.on" if circle.announce else "circle.announce.off")
    return reply


# ---------------------------------------------------------------------------------- chat membership
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


def _lang_of(fn):
    """Remember the user's language for the post-commit rendering."""

    @functools.wraps(fn)
    async def run(ctx: Ctx):
        _work(ctx).lang = ctx.t.lang
        return await fn(ctx)

    return run


async def _help_command(ctx: Ctx) -> Reply:
    """/help or /start in a group: what a circle is, or — in one already — its commands."""
    circle = await _circle(ctx)
    return Reply(ctx.t("circle.help") if circle is not None else ctx.t("circle.welcome"))


def _g(fn, *, admin: bool | Callable[[Update], bool] = False):
    return _group(_lang_of(fn), admin=admin)


def add_handlers(app: Application) -> None:
    """Group handlers; registered before the private-chat fallbacks."""
    app.add_handler(CommandHandler(["help", "start"], _g(_help_command), filters=GROUPS))
    app.add_handler(CommandHandler("circle", _g(_circle_command), filters=GROUPS))
    app.add_handler(CommandHandler("join", _g(_join_command), filters=GROUPS))
    app.add_handler(CommandHandler("leave", _g(_leave_command), filters=GROUPS))
    app.add_handler(CommandHandler("log", _g(_log_command), filters=GROUPS))
    app.add_handler(CommandHandler("board", _g(_board_command), filters=GROUPS))
    app.add_handler(CommandHandler("khatm", _g(_khatm_command, admin=True), filters=GROUPS))
    app.add_handler(CommandHandler("reassign", _g(_reassign_command, admin=True), filters=GROUPS))
    app.add_handler(
        CommandHandler(
            "wird",
            _g(_wird_command, admin=lambda u: bool(u.effective_message.text.split()[1:])),
            filters=GROUPS,
        )
    )
    app.add_handler(CallbackQueryHandler(_g(_join_button_pressed), pattern=r"^cj:\d{1,18}$"))
    app.add_handler(CallbackQueryHandler(_g(_take_button), pattern=r"^ct:\d{1,18}:\d{1,2}$"))
    app.add_handler(CallbackQueryHandler(_g(_done_button), pattern=r"^cd:\d{1,18}:\d{1,2}$"))
    app.add_handler(CallbackQueryHandler(_g(_distribute_button, admin=True), pattern=r"^ca:\d{1,18}$"))
    app.add_handler(CallbackQueryHandler(_g(_next_round_button, admin=True), pattern=r"^cn:\d{1,18}$"))
    app.add_handler(CallbackQueryHandler(_g(_wird_button), pattern=r"^cw:\d{1,18}$"))
    app.add_handler(CallbackQueryHandler(_g(_settings_button, admin=True), pattern=r"^cs:\d{1,18}$"))
    app.add_handler(ChatMemberHandler(bot_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, chat_migrated))

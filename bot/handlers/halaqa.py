"""The hifz halaqa in a group: /halaqa (the admin becomes its teacher), /halaqa share|unshare (a member
opts in), /heard (the teacher, replying to a student's message: portion, grade, mistakes), /halaqa board.

Thin and additive: rules in tracker.halaqa; registered by bot.app next to the circle handlers.
"""

from __future__ import annotations

import html
from typing import Any

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes, filters

from bot.handlers.circles.guards import is_admin
from bot.handlers.hifz import ranges_text
from bot.handlers.reading import parse_error_text
from bot.runtime import Ctx, Reply, handler
from quran import ParseError, parse_reading
from tracker import halaqa as rules
from tracker import hifz

GROUPS = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE  # an edited /heard never records again

GRADE_WORDS = {
    "excellent": "excellent",
    "ممتاز": "excellent",
    "good": "good",
    "جيد": "good",
    "weak": "weak",
    "ضعيف": "weak",
    "repeat": "repeat",
    "again": "repeat",
    "إعادة": "repeat",
    "اعادة": "repeat",
    "أعد": "repeat",
}
MISTAKE_WORDS = {"mistake", "mistakes", "خطأ", "خطا", "أخطاء", "اخطاء"}
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")


def parse_heard(words: list[str]) -> tuple[str, str | None, int | None]:
    """ "al-mulk weak 2 mistakes" -> ("al-mulk", "weak", 2): the passage, the grade, the mistakes."""
    grade, mistakes, rest = None, None, []
    i = 0
    while i < len(words):
        w = words[i].lower().strip(",.;")
        number = w.translate(_DIGITS)
        nxt = words[i + 1].lower().strip(",.;") if i + 1 < len(words) else ""
        if w in GRADE_WORDS and grade is None:
            grade = GRADE_WORDS[w]
        elif number.isdigit() and nxt in MISTAKE_WORDS and mistakes is None:
            mistakes, i = min(int(number), 999), i + 1
        elif w in MISTAKE_WORDS and mistakes is None:
            mistakes = 1
        else:
            rest.append(words[i])
        i += 1
    return " ".join(rest), grade, mistakes


async def _ask_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> dict[str, Any]:
    """Whether the sender is an admin, asked of Telegram *before* the unit of work opens (ctx.facts)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return {"admin": False}
    return {"admin": await is_admin(context, chat.id, user.id)}  # the circles' one check


def _with_admin_check(fn):
    return handler(prepare=_ask_admin)(fn)


def _admin(ctx: Ctx) -> bool:
    return bool(ctx.facts.get("admin"))


async def halaqa_command(ctx: Ctx) -> Reply:
    t = ctx.t
    sub = ctx.args[0].lower() if ctx.args else ""
    circle, halaqa = await rules.halaqa_for_chat(ctx.uow, ctx.update.effective_chat.id)
    if circle is None:
        return Reply(t("halaqa.no_circle"))
    if sub in ("share", "مشاركة", "unshare", "إلغاء", "الغاء"):
        if halaqa is None:
            return Reply(t("halaqa.not_yet"))
        name = html.escape(ctx.user.first_name or "")
        if sub in ("share", "مشاركة"):
            try:
                await rules.share(ctx.uow, halaqa, ctx.user, ctx.now)
            except rules.NotAMember:
                return Reply(t("halaqa.join_first"))
            return Reply(t("halaqa.shared", name=name))
        await rules.unshare(ctx.uow, halaqa, ctx.user)
        return Reply(t("halaqa.unshared", name=name))
    if sub in ("board", "لوحة"):
        if halaqa is None:
            return Reply(t("halaqa.not_yet"))
        return Reply(await _board(ctx, halaqa))
    if halaqa is None:
        if not _admin(ctx):
            return Reply(t("halaqa.admin_only"))
        halaqa, _ = await rules.make_halaqa(ctx.uow, circle, ctx.user, ctx.now)
        return Reply(t("halaqa.created", teacher=html.escape(ctx.user.first_name or "")))
    teacher = await ctx.uow.users.get(halaqa.teacher_id)
    return Reply(t("halaqa.about", teacher=html.escape((teacher.first_name if teacher else "") or "")))


async def _board(ctx: Ctx, halaqa) -> str:
    t = ctx.t
    rows = await rules.week_board(ctx.uow, halaqa, ctx.user, ctx.now)
    if not rows:
        return t("halaqa.board_empty")
    lines = [t("halaqa.board_title")]
    for r in rows:
        name = html.escape(r.name)
        if r.days:
            lines.append(
                t(
                    "halaqa.board_row",
                    name=name,
                    days=t.plural("count.days", r.days),
                    pages=t.plural("count.pages", r.pages),
                    memorised=t.plural("count.pages", r.memorised),
                )
            )
        else:
            lines.append(
                t("halaqa.board_row_rest", name=name, memorised=t.plural("count.pages", r.memorised))
            )
    lines.append(t("halaqa.board_footer"))
    return "\n".join(lines)


async def heard_command(ctx: Ctx) -> Reply:
    """The teacher, replying to a student's message: /heard al-mulk weak 2 mistakes."""
    t = ctx.t
    circle, halaqa = await rules.halaqa_for_chat(ctx.uow, ctx.update.effective_chat.id)
    if circle is None or halaqa is None:
        return Reply(t("halaqa.not_yet"))
    if ctx.user.id != halaqa.teacher_id:
        return Reply(t("halaqa.teacher_only"))
    replied = ctx.update.effective_message.reply_to_message
    student_tg = replied.from_user if replied is not None else None
    if student_tg is None or student_tg.is_bot or student_tg.id == ctx.user.id:
        return Reply(t("halaqa.heard_usage"))
    passage, grade, mistakes = parse_heard(ctx.args)
    if grade is None or not passage.strip():
        return Reply(t("halaqa.heard_usage"))
    try:
        pages = hifz.pages_of(parse_reading(passage))
    except ParseError as err:
        return Reply(parse_error_text(err, t))
    student = await ctx.uow.users.get(student_tg.id)
    if student is None or not await ctx.uow.hifz.shares(halaqa.circle_id, student.id):
        return Reply(t("halaqa.not_shared", name=html.escape(student_tg.first_name or "")))
    result = await rules.record_heard(
        ctx.uow, halaqa, ctx.user, student, pages, grade, mistakes, ctx.now, update_id=ctx.update.update_id
    )
    mistakes_text = t.plural("count.mistakes", mistakes or 0)
    return Reply(
        t(
            "halaqa.heard",
            name=html.escape(student.first_name or ""),
            what=ranges_text(result.pages, t),
            grade=t(f"halaqa.grade.{grade}"),
            mistakes=mistakes_text,
        )
    )


def add_handlers(app: Application) -> None:
    """Group commands; bot.app registers them before the circle handlers' fallbacks."""
    app.add_handler(CommandHandler("halaqa", _with_admin_check(halaqa_command), filters=GROUPS))
    app.add_handler(CommandHandler("heard", handler(heard_command), filters=GROUPS))

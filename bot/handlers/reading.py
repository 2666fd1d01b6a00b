"""Logging what was read (free text or /log) and undo. /history lives in bot/handlers/history.py."""

from __future__ import annotations

import html
import re

from bot.handlers.onboarding import awaiting_timezone, timezone_not_found, typed_timezone
from bot.i18n import Translator
from bot.labels import log_label
from bot.runtime import Ctx, Reply, handler
from bot.views import dates_line, spans_label, today_lines
from quran import ParseError, parse_reading, surah_name
from tracker import goals, readings
from tracker.minutes import MAX_MINUTES, log_minutes, parse_minutes
from tracker.readings import LogResult, Removed
from tracker.text import shorten


def parse_error_text(err: ParseError, t: Translator) -> str:
    """The parser's explanation in the user's language, with an example of what works.

    English is the parser's own message; other languages are built from its code and params.
    """
    if t.lang == "en":
        # The parser quotes what it did not understand; a 4,000-character message must not come back whole.
        explanation = html.escape(shorten(err.message, 400))
    else:
        try:
            explanation = _translated_explanation(err, t)
        except (KeyError, TypeError, ValueError):
            explanation = t("parse.generic")
    return t("log.not_understood", explanation=explanation)


_UNIT_KEYS = {
    "juz": "unit.juz",
    "page": "unit.page",
    "hizb": "unit.hizb",
    "hizb quarter": "unit.hizb_quarter",
    "ayah": "unit.ayah",
    "surah": "unit.surah",
}


def _translated_explanation(err: ParseError, t: Translator) -> str:
    p, code = err.params, err.code

    def n(value: object) -> str:
        return t.num(int(value))

    def span(a: object, b: object) -> str:
        return n(a) if a == b else f"{n(a)}–{n(b)}"

    def names(numbers: list[int]) -> str:
        return t.join([surah_name(x, t.lang) for x in numbers])

    given = html.escape(shorten(str(p.get("given", "")), 60))
    if code == "ayah_out_of_range":
        return t(
            "parse.ayah_out_of_range",
            surah=surah_name(p["surah"], t.lang),
            count=n(p["ayah_count"]),
            range=span(p["start"], p["end"]),
        )
    if code == "unknown_surah":
        text = t("parse.unknown_surah", given=given)
        return text + (
            " " + t("parse.did_you_mean", names=names(p["suggestions"])) if p.get("suggestions") else ""
        )
    if code == "ambiguous_surah":
        return t("parse.ambiguous_surah", given=given, names=names(p["candidates"]))
    if code == "reversed_range" and "end_surah" in p:  # across surahs: name both ends
        first = f"{surah_name(p['surah'], t.lang)} {n(p['start'])}"
        last = f"{surah_name(p['end_surah'], t.lang)} {n(p['end'])}"
        return t("parse.reversed_range", range=f"{first} – {last}", fixed=f"{last} – {first}")
    if code == "reversed_range":
        return t("parse.reversed_range", range=span(p["start"], p["end"]), fixed=span(p["end"], p["start"]))
    if code.endswith("_out_of_range"):  # surah, juz, hizb, hizb quarter, page
        unit = "surah" if code == "surah_out_of_range" else p["unit"]
        value = p.get("given", p.get("surah"))
        limit = p.get("max", p.get("surah_count"))
        return t("parse.unit_out_of_range", unit=t(_UNIT_KEYS[unit]), given=n(value), max=n(limit))
    if code == "incomplete_range":
        return t("parse.incomplete_range", surah=surah_name(p["surah"], t.lang), start=n(p["start"]))
    if code == "missing_number":
        return t("parse.missing_number", unit=t(_UNIT_KEYS[p["unit"]]))
    if code == "missing_context":
        return t("parse.missing_context", range=span(p["start"], p["end"]), start=n(p["start"]))
    if code == "too_long":
        return t("parse.too_long", max=n(p["max_length"]))
    return t("parse.generic")


def confirmation(result: LogResult, t: Translator, *, yesterday: bool, said: str | None = None) -> Reply:
    """✅ and what was logged — neighbours merged, named in the unit of `said` (what the reader typed)."""
    lines = [
        t(
            "log.confirm",
            what=log_label(result.spans, said, t),
            ayahs=t.plural("count.ayahs", result.ayah_count),
            percent=t.percent(result.percent),
        )
    ]
    if yesterday:
        lines.append(t("log.for_yesterday"))
    if result.duplicate:
        lines.append(t("log.already"))
    elif result.new_ayahs == 0:  # re-read: welcome, but the khatm does not move
        lines.append(t("log.nothing_new"))
    if result.completed_khatm:
        lines.append(
            t(
                "khatm.completed",
                number=t.num(result.completed_khatm),
                next=t.num(result.completed_khatm + 1),
                dates=dates_line(t, result.readings[0].local_date),
            )
        )
    return Reply("\n".join(lines), buttons=[[(t("button.undo"), f"undo:{result.readings[0].id}")]])


async def after_log(ctx: Ctx) -> None:
    """What a new reading means for the user's circles: juz it completes, the batched announcement."""
    from bot.handlers import circles  # circles reuses log_text for group logs

    await circles.after_log(ctx)


async def log_text(
    ctx: Ctx, text: str, *, source: str, expecting_timezone: bool = False, notify_circles: bool = True
) -> Reply:
    """Parse and log `text`; the reply confirms it. `notify_circles=False` is for the group /log, which
    refreshes its own circle at once instead of in the next batch."""
    yesterday, text = readings.split_yesterday(text)
    try:
        spans = parse_reading(text)
    except ParseError as err:
        if expecting_timezone:
            return timezone_not_found(ctx, text)
        return Reply(parse_error_text(err, ctx.t))
    if len(spans) > readings.MAX_SPANS_PER_LOG:
        return Reply(
            ctx.t("log.too_many", count=ctx.t.num(len(spans)), max=ctx.t.num(readings.MAX_SPANS_PER_LOG))
        )
    result = await readings.log_reading(
        ctx.uow,
        ctx.user,
        spans,
        now=ctx.now,
        update_id=ctx.update.update_id,
        source_text=text,
        source=source,
        yesterday=yesterday,
    )
    if notify_circles:
        await after_log(ctx)
    reply = confirmation(result, ctx.t, yesterday=yesterday, said=text)
    extra = today_lines(ctx.t, await goals.today_for(ctx.uow, ctx.user, ctx.now))
    reply.text = "\n".join([reply.text, *extra])
    return reply


@handler
async def text_message(ctx: Ctx) -> Reply | list[Reply]:
    if awaiting_timezone(ctx):
        replies = await typed_timezone(ctx, ctx.text)
        if replies is not None:
            return replies
        return await log_text(ctx, ctx.text, source="message", expecting_timezone=True)
    if ctx.user.onboarded_at is None and _is_greeting(ctx.text):
        return Reply(ctx.t("start.hello"))  # "hello" before /start: a welcome, not a parse error
    minutes = parse_minutes(ctx.text)
    if minutes is not None and 1 <= minutes <= MAX_MINUTES:
        return await _log_minutes(ctx, minutes)
    return await log_text(ctx, ctx.text, source="message")


async def _log_minutes(ctx: Ctx, minutes: int) -> Reply:
    """ "read for 20 minutes": time for a minutes goal and the streak (the khatm does not move)."""
    await log_minutes(ctx.uow, ctx.user, minutes, now=ctx.now, update_id=ctx.update.update_id)
    today = await goals.today_for(ctx.uow, ctx.user, ctx.now)
    text = ctx.t("log.minutes", minutes=ctx.t.plural("count.minutes", minutes))
    return Reply("\n".join([text, *today_lines(ctx.t, today)]))


_GREETINGS = {
    "hello", "hi", "hey", "salam", "salaam", "assalamu alaikum", "assalamualaikum", "as salamu alaykum",
    "assalamu alaykum", "asalamualaikum", "السلام عليكم", "سلام", "مرحبا", "مرحباً", "أهلا", "اهلا", "هلا",
}  # fmt: skip


def _is_greeting(text: str) -> bool:
    words = re.sub(r"[^\w\s]", " ", text.lower()).split()
    return " ".join(words) in _GREETINGS or " ".join(words[:-1]) in _GREETINGS - {""}


@handler
async def log_command(ctx: Ctx) -> Reply:
    text = " ".join(ctx.args)
    if not text.strip():
        return Reply(ctx.t("log.usage"))
    return await log_text(ctx, text, source="command")


def removed_text(removed: Removed | None, t: Translator) -> str:
    if removed is None:
        return t("undo.nothing")
    text = t("undo.done", what=spans_label(removed.spans, t))
    if removed.reopened_khatm:
        text += "\n" + t("undo.khatm_reopened", number=t.num(removed.reopened_khatm))
    return text


@handler
async def undo_command(ctx: Ctx) -> Reply:
    try:
        removed = await readings.undo_last(ctx.uow, ctx.user, update_id=ctx.update.update_id, now=ctx.now)
    except readings.AlreadyUndone:
        return Reply(ctx.t("undo.already"))
    return Reply(removed_text(removed, ctx.t))


@handler
async def undo_button(ctx: Ctx) -> Reply:
    reading_id = int(ctx.callback_data.split(":")[1])
    removed = await readings.undo_log(ctx.uow, ctx.user, reading_id)
    if removed is None:
        return Reply("", toast=ctx.t("button.stale"))
    return Reply(removed_text(removed, ctx.t), edit=True)

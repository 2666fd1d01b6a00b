"""Logging what was read (free text or /log), undo, and /history with delete buttons."""

from __future__ import annotations

import html

from bot.handlers.onboarding import awaiting_timezone, timezone_not_found, typed_timezone
from bot.i18n import Translator
from bot.runtime import Ctx, Reply, handler
from quran import ParseError, Span, parse_reading
from tracker import readings
from tracker.readings import LogResult, Removed
from tracker.text import shorten

HISTORY_SIZE = 10


def spans_label(spans: list[Span], t: Translator) -> str:
    return t.join([html.escape(s.label(t.lang)) for s in spans])


def parse_error_text(err: ParseError, t: Translator) -> str:
    """The parser's explanation in the user's language, with an example of what works."""
    if t.lang == "en":
        # The parser quotes what it did not understand; a 4,000-character message must not come back whole.
        explanation = html.escape(shorten(err.message, 400))
    else:
        key = f"parse.{err.code}"
        explanation = t(key) if key in _known_codes(t) else t("parse.generic")
    return t("log.not_understood", explanation=explanation)


def _known_codes(t: Translator) -> set[str]:
    from bot.i18n import catalogue

    return {k for k in catalogue(t.lang) if k.startswith("parse.")}


def confirmation(result: LogResult, t: Translator, *, yesterday: bool) -> Reply:
    lines = [t("log.confirm", what=spans_label(result.spans, t), ayahs=t.num(result.ayah_count),
               percent=t.percent(result.percent))]
    if yesterday:
        lines.append(t("log.for_yesterday"))
    if result.duplicate:
        lines.append(t("log.already"))
    if result.completed_khatm:
        lines.append(t("khatm.completed", number=t.num(result.completed_khatm),
                       next=t.num(result.completed_khatm + 1)))
    return Reply("\n".join(lines), buttons=[[(t("button.undo"), f"undo:{result.readings[0].id}")]])


async def log_text(ctx: Ctx, text: str, *, source: str, expecting_timezone: bool = False) -> Reply:
    yesterday, text = readings.split_yesterday(text)
    try:
        spans = parse_reading(text)
    except ParseError as err:
        if expecting_timezone:
            return timezone_not_found(ctx, text)
        return Reply(parse_error_text(err, ctx.t))
    if len(spans) > readings.MAX_SPANS_PER_LOG:
        return Reply(ctx.t("log.too_many", count=ctx.t.num(len(spans)),
                           max=ctx.t.num(readings.MAX_SPANS_PER_LOG)))
    result = await readings.log_reading(ctx.uow, ctx.user, spans, now=ctx.now,
                                        update_id=ctx.update.update_id, source_text=text, source=source,
                                        yesterday=yesterday)
    return confirmation(result, ctx.t, yesterday=yesterday)


@handler
async def text_message(ctx: Ctx) -> Reply | list[Reply]:
    if awaiting_timezone(ctx):
        replies = await typed_timezone(ctx, ctx.text)
        if replies is not None:
            return replies
        return await log_text(ctx, ctx.text, source="message", expecting_timezone=True)
    return await log_text(ctx, ctx.text, source="message")


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
    return Reply(removed_text(await readings.undo_last(ctx.uow, ctx.user), ctx.t))


@handler
async def undo_button(ctx: Ctx) -> Reply:
    reading_id = int(ctx.callback_data.split(":")[1])
    removed = await readings.undo_log(ctx.uow, ctx.user, reading_id)
    if removed is None:
        return Reply("", toast=ctx.t("button.stale"))
    return Reply(removed_text(removed, ctx.t), edit=True)


async def history_reply(ctx: Ctx, *, edit: bool) -> Reply:
    entries = await readings.history(ctx.uow, ctx.user, HISTORY_SIZE)
    if not entries:
        return Reply(ctx.t("history.empty"), edit=edit)
    lines = [ctx.t("history.title")]
    buttons = []
    for n, r in enumerate(entries, 1):
        span = Span.from_indices(r.start_index, r.end_index)
        lines.append(ctx.t("history.line", n=ctx.t.num(n), what=html.escape(span.label(ctx.t.lang)),
                           date=ctx.t.date(r.local_date)))
        buttons.append((f"🗑 {ctx.t.num(n)}", f"del:{r.id}"))
    rows = [buttons[i:i + 5] for i in range(0, len(buttons), 5)]
    return Reply("\n".join(lines), buttons=rows, edit=edit)


@handler
async def history_command(ctx: Ctx) -> Reply:
    return await history_reply(ctx, edit=False)


@handler
async def delete_button(ctx: Ctx) -> Reply:
    reading_id = int(ctx.callback_data.split(":")[1])
    removed = await readings.delete_reading(ctx.uow, ctx.user, reading_id)
    reply = await history_reply(ctx, edit=True)
    reply.toast = ctx.t("history.deleted") if removed else ctx.t("button.stale")
    return reply

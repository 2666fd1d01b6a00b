"""/history: readings paged by reading date, delete that asks first and can be undone."""

from __future__ import annotations

import html
from datetime import date

from bot.runtime import Ctx, Reply, handler
from quran import Span
from storage.models import Reading
from tracker import readings

PAGE_SIZE = 10
# the reading's source, one letter in the Undo button's callback data (64 bytes at most)
_SOURCE_CODES = {"message": "m", "command": "c", "reminder": "r", "circle": "g", "import": "i"}
_CODE_SOURCES = {code: source for source, code in _SOURCE_CODES.items()}


def _span(r: Reading) -> Span:
    return Span.from_indices(r.start_index, r.end_index)


async def history_page(ctx: Ctx, page: int, *, edit: bool, prefix: str = "", extra=None) -> Reply:
    entries, pages = await readings.history_page(ctx.uow, ctx.user, page, PAGE_SIZE)
    if not entries and page > 0:  # the last page emptied by a delete: show the one before
        page = pages - 1
        entries, pages = await readings.history_page(ctx.uow, ctx.user, page, PAGE_SIZE)
    head = [prefix] if prefix else []
    if not entries:
        return Reply("\n".join([*head, ctx.t("history.empty")]), edit=edit, buttons=extra or None)
    t = ctx.t
    lines = [*head, t("history.title")]
    buttons = []
    for n, r in enumerate(entries, page * PAGE_SIZE + 1):
        lines.append(
            t("history.line", n=t.num(n), what=html.escape(_span(r).label(t.lang)), date=t.date(r.local_date))
        )
        buttons.append((f"🗑 {t.num(n)}", f"del:{r.id}:{page}"))
    if pages > 1:
        lines.append(t("history.page", page=t.num(page + 1), pages=t.num(pages)))
    rows = [buttons[i : i + 5] for i in range(0, len(buttons), 5)]
    nav = []
    if page + 1 < pages:
        nav.append((t("history.older"), f"hist:{page + 1}"))
    if page > 0:
        nav.append((t("history.newer"), f"hist:{page - 1}"))
    if nav:
        rows.append(nav)
    return Reply("\n".join(lines), buttons=[*(extra or []), *rows], edit=edit)


@handler
async def history_command(ctx: Ctx) -> Reply:
    return await history_page(ctx, 0, edit=False)


@handler
async def history_button(ctx: Ctx) -> Reply:
    """◀ Older / Newer ▶, and "Keep it" after a delete question."""
    return await history_page(ctx, int(ctx.callback_data.split(":")[1]), edit=True)


@handler
async def delete_button(ctx: Ctx) -> Reply:
    """🗑 N asks first: a mistaken tap must not lose a reading."""
    _, reading_id, page = [*ctx.callback_data.split(":"), "0"][:3]
    reading = await ctx.uow.readings.get(ctx.user.id, int(reading_id))
    if reading is None:
        return Reply("", toast=ctx.t("button.stale"))
    t = ctx.t
    text = t(
        "history.confirm", what=html.escape(_span(reading).label(t.lang)), date=t.date(reading.local_date)
    )
    buttons = [[(t("history.yes_delete"), f"delok:{reading.id}:{page}"), (t("history.keep"), f"hist:{page}")]]
    return Reply(text, buttons=buttons, edit=True)


@handler
async def delete_confirmed(ctx: Ctx) -> Reply:
    _, reading_id, page = ctx.callback_data.split(":")
    reading = await ctx.uow.readings.get(ctx.user.id, int(reading_id))
    if reading is None:
        return Reply("", toast=ctx.t("button.stale"))
    span, day, source = _span(reading), reading.local_date, reading.source
    await readings.delete_reading(ctx.uow, ctx.user, reading.id)
    t = ctx.t
    said = t("history.deleted_one", what=html.escape(span.label(t.lang)), date=t.date(day))
    code = _SOURCE_CODES.get(source, "m")
    undo = [[(t("button.undo"), f"delundo:{span.first_index}-{span.last_index}:{day:%Y%m%d}:{code}:{page}")]]
    return await history_page(ctx, int(page), edit=True, prefix=said, extra=undo)


@handler
async def delete_undone(ctx: Ctx) -> Reply:
    """↩️ Undo after a delete: the same passage on the same reading date again."""
    _, indices, day, code, page = ctx.callback_data.split(":")
    first, last = (int(x) for x in indices.split("-"))
    try:
        span, when = Span.from_indices(first, last), date(int(day[:4]), int(day[4:6]), int(day[6:]))
    except ValueError:
        return Reply("", toast=ctx.t("button.stale"))
    restored = await readings.restore_reading(
        ctx.uow, ctx.user, span, when, _CODE_SOURCES.get(code, "message"), ctx.now
    )
    if restored is None:
        return Reply("", toast=ctx.t("button.stale"))
    t = ctx.t
    said = t("history.restored", what=html.escape(span.label(t.lang)), date=t.date(when))
    return await history_page(ctx, int(page), edit=True, prefix=said)

"""Hifz in the chat: /hifz (what is memorised, the picture, settings), /review (today's list with Done
buttons), "memorized …" / "revised …" in free text, the four rating buttons, the daily revision reminder.

Thin: the rules are tracker.hifz; the texts are the `hifz` catalogue (docs/hifz.md).
"""

from __future__ import annotations

import html
from datetime import datetime
from functools import partial

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.handlers.reading import parse_error_text
from bot.i18n import Translator, translator
from bot.pictures import render_off_loop
from bot.pictures.hifz import render_hifz_map
from bot.runtime import Ctx, Photo, Reply, handler
from quran import PAGE_COUNT, ParseError, page_span, parse_reading, surah_name
from quran.hifz_words import MEMORISED, hifz_words
from scheduler import Outgoing
from storage import UnitOfWork
from tracker import hifz
from tracker.clock import local_date
from tracker.reminders import parse_time

RATING_KEYS = {1: "hifz.rating.again", 2: "hifz.rating.hard", 3: "hifz.rating.good", 4: "hifz.rating.easy"}
MAX_DONE_BUTTONS = 8
_CALLBACK_LIMIT = 64  # bytes of callback data Telegram accepts


class _Words(filters.MessageFilter):
    """A private text that speaks of memorising or revising (quran.hifz_words)."""

    def filter(self, message) -> bool:
        return bool(message.text) and hifz_words(message.text) is not None


WORDS = _Words(name="hifz_words")


# ------------------------------------------------------------------------------------------- labels
_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _page(t: Translator, n: int) -> str:
    """A page number (1..604: never grouped), in the language's digits — cheaper than Babel, and the
    daily reminders label thousands of ranges a tick."""
    return str(n).translate(_ARABIC_DIGITS) if t.lang == "ar" else str(n)


def range_label(first: int, last: int, t: Translator) -> str:
    """ "Al-Mulk p.562–564" / "الملك ص ٥٦٢–٥٦٤": the surah the range starts in, and its pages."""
    pages = _page(t, first) if first == last else f"{_page(t, first)}–{_page(t, last)}"
    surah = surah_name(page_span(first).start.surah, t.lang)
    return t("hifz.range", surah=surah, pages=pages)


def ranges_text(pages: list[int], t: Translator) -> str:
    return t.join([html.escape(range_label(a, b, t)) for a, b in hifz.ranges_of(pages)])


def _pages_data(pages: list[int]) -> str | None:
    """Pages as callback data ("562-564,582"), or None when it would not fit in a button."""
    data = ",".join(f"{a}-{b}" for a, b in hifz.ranges_of(pages))
    return data if len(data) <= _CALLBACK_LIMIT - 8 else None


def _parse_pages(data: str) -> list[int] | None:
    pages: list[int] = []
    for part in data.split(","):
        a, sep, b = part.partition("-")
        if not (a.isdigit() and b.isdigit() and sep) or not 1 <= int(a) <= int(b) <= PAGE_COUNT:
            return None
        pages.extend(range(int(a), int(b) + 1))
    return pages


def _rating_buttons(t: Translator, revision_id: int) -> list[list[tuple[str, str]]]:
    return [[(t(RATING_KEYS[r]), f"hz:r:{revision_id}:{r}") for r in (1, 2, 3, 4)]]


def _days_until(t: Translator, when: datetime, now: datetime, timezone: str) -> str:
    days = (local_date(when, timezone) - local_date(now, timezone)).days
    return t.plural("count.days", max(1, days))


# ------------------------------------------------------------------------------- memorise / revise
async def _memorise(ctx: Ctx, pages: list[int]) -> Reply:
    t = ctx.t
    result = await hifz.memorise(ctx.uow, ctx.user, pages, ctx.now, update_id=ctx.update.update_id)
    if not result.added:
        return Reply(t("hifz.memorised_already", what=ranges_text(pages, t)))
    first = (await ctx.uow.hifz.cards_of_pages(ctx.user.id, result.added[:1]))[result.added[0]]
    lines = [
        t(
            "hifz.memorised",
            what=ranges_text(result.added, t),
            pages=t.plural("count.pages", len(result.added)),
            days=_days_until(t, first.due, ctx.now, ctx.user.timezone),
        )
    ]
    if result.already:
        lines.append(t("hifz.memorised_some_already", pages=t.plural("count.pages", len(result.already))))
    return Reply("\n".join(lines))


async def _revise(ctx: Ctx, pages: list[int], source: str) -> Reply:
    t = ctx.t
    result = await hifz.revise(
        ctx.uow, ctx.user, pages, ctx.now, source=source, update_id=ctx.update.update_id
    )
    if result.revision_id is None:
        data = _pages_data(result.not_memorised)
        buttons = [[(t("hifz.button.add"), f"hz:a:{data}")]] if data else None
        return Reply(t("hifz.not_memorised", what=ranges_text(result.not_memorised, t)), buttons=buttons)
    lines = [
        t("hifz.revised", what=ranges_text(result.pages, t), pages=t.plural("count.pages", len(result.pages)))
    ]
    if result.not_memorised:
        lines.append(t("hifz.revised_skipped", what=ranges_text(result.not_memorised, t)))
    lines.append(t("hifz.how_did_it_go", default=t(RATING_KEYS[result.rating])))
    return Reply("\n".join(lines), buttons=_rating_buttons(t, result.revision_id))


def _passage_pages(text: str) -> list[int]:
    return hifz.pages_of(parse_reading(text))


@handler
async def text_message(ctx: Ctx) -> Reply:
    """ "memorized al-mulk", "راجعت جزء عم": a hifz entry, never a reading."""
    words = hifz_words(ctx.text)
    if words is None:  # the filter said yes; the text cannot have changed, but never guess
        return Reply(ctx.t("hifz.usage"))
    memorising = words.kind == MEMORISED
    if not words.rest.strip():
        return Reply(ctx.t("hifz.what_memorised" if memorising else "hifz.what_revised"))
    try:
        pages = _passage_pages(words.rest)
    except ParseError as err:
        return Reply(parse_error_text(err, ctx.t))
    if memorising:
        return await _memorise(ctx, pages)
    return await _revise(ctx, pages, "message")


# -------------------------------------------------------------------------------------------- /hifz
_SUBCOMMANDS = {
    "add": "add",
    "اضف": "add",
    "أضف": "add",
    "remove": "remove",
    "احذف": "remove",
    "حذف": "remove",
    "budget": "budget",
    "الحد": "budget",
    "حد": "budget",
    "routine": "routine",
    "روتين": "routine",
    "sabqi": "sabqi",
    "سبقي": "sabqi",
    "sabaq": "sabaq",
    "سبق": "sabaq",
    "remind": "remind",
    "تذكير": "remind",
    "default": "default",
    "تلقائي": "default",
}
_ROUTINE_WORDS = {"fsrs": "fsrs", "three": "three_part", "3": "three_part", "ثلاثي": "three_part"}
_RATING_WORDS = {
    "again": 1,
    "forgot": 1,
    "hard": 2,
    "good": 3,
    "easy": 4,
    "نسيت": 1,
    "صعب": 2,
    "جيد": 3,
    "سهل": 4,
}
_OFF = {"off", "stop", "إيقاف", "ايقاف"}
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")


def _number(words: list[str]) -> int | None:
    value = "".join(words).translate(_DIGITS)
    return int(value) if value.isdigit() and len(value) <= 4 else None


@handler
async def hifz_command(ctx: Ctx) -> Reply:
    args = ctx.args
    if not args:
        return await _overview(ctx)
    sub, rest = _SUBCOMMANDS.get(args[0].lower()), args[1:]
    t = ctx.t
    if sub in ("add", "remove"):
        if not rest:
            return Reply(t("hifz.usage"))
        try:
            pages = _passage_pages(" ".join(rest))
        except ParseError as err:
            return Reply(parse_error_text(err, t))
        if sub == "add":
            return await _memorise(ctx, pages)
        removed = await hifz.forget(ctx.uow, ctx.user, pages)
        return Reply(t("hifz.removed", pages=t.plural("count.pages", removed)))
    n = _number(rest)
    try:
        if sub == "budget" and n is not None:
            s = await hifz.set_budget(ctx.uow, ctx.user, n)
            return Reply(t("hifz.budget_set", pages=t.plural("count.pages", s.daily_budget)))
        if sub == "sabqi" and n is not None:
            s = await hifz.set_sabqi(ctx.uow, ctx.user, n)
            return Reply(_routine_text(t, s))
        if sub == "sabaq" and n is not None:
            s = await hifz.set_sabaq(ctx.uow, ctx.user, n)
            return Reply(_routine_text(t, s))
    except ValueError:
        return Reply(t("hifz.out_of_range"))
    if sub == "routine" and len(rest) == 1 and rest[0].lower() in _ROUTINE_WORDS:
        s = await hifz.set_routine(ctx.uow, ctx.user, _ROUTINE_WORDS[rest[0].lower()])
        return Reply(_routine_text(t, s))
    if sub == "default" and len(rest) == 1 and rest[0].lower() in _RATING_WORDS:
        s = await hifz.settings_for(ctx.uow, ctx.user)
        s.default_rating = _RATING_WORDS[rest[0].lower()]
        return Reply(t("hifz.default_set", rating=t(RATING_KEYS[s.default_rating])))
    if sub == "remind" and len(rest) == 1:
        if rest[0].lower() in _OFF:
            await hifz.set_reminder(ctx.uow, ctx.user, None, ctx.now)
            return Reply(t("hifz.remind_off"))
        at = parse_time(rest[0])
        if at is not None:
            await hifz.set_reminder(ctx.uow, ctx.user, at, ctx.now)
            return Reply(t("hifz.remind_set", time=at.strftime("%H:%M")))
    return Reply(t("hifz.usage"))


def _routine_text(t: Translator, s) -> str:
    if s.routine == "three_part":
        sabaq = t.plural("count.hifz_lines", s.sabaq_lines) if s.sabaq_lines else t("hifz.sabaq_unset")
        return t(
            "hifz.routine_three_part",
            sabaq=sabaq,
            sabqi=t.plural("count.pages", s.sabqi_pages),
            budget=t.plural("count.pages", s.daily_budget),
        )
    return t("hifz.routine_fsrs", budget=t.plural("count.pages", s.daily_budget))


async def _overview(ctx: Ctx) -> Reply:
    t = ctx.t
    o = await hifz.overview(ctx.uow, ctx.user, ctx.now)
    if not o.pages:
        return Reply(t("hifz.empty"))
    text = t(
        "hifz.overview",
        pages=t.plural("count.pages", o.pages),
        percent=t.percent(o.percent),
        juz=t.num(o.juz),
        firm=t.plural("count.pages", o.firm),
        fragile=t.plural("count.pages", o.pages - o.firm),
        due=t.plural("count.pages", o.due_today),
    )
    strengths = [o.strengths.get(p, "none") for p in range(1, PAGE_COUNT + 1)]
    draw = partial(
        render_off_loop,
        render_hifz_map,
        strengths,
        title=t("hifz.map_title", pages=t.plural("count.pages", o.pages)),
        legend={k: t(f"hifz.legend.{k}") for k in ("none", "fragile", "firm")},
        lang=t.lang,
    )
    buttons = [[(t("hifz.button.review"), "hz:list")]] if o.due_today else None
    return Reply(text, photo=Photo("hifz.png", draw), buttons=buttons)


# ------------------------------------------------------------------------------------------ /review
def review_text(t: Translator, today: hifz.TodayList) -> tuple[str, list[list[tuple[str, str]]]]:
    """Today's list and its Done buttons (one per range, and one for everything)."""
    if not today.pages and not today.sabaq_lines:
        return t("hifz.review_none"), []
    lines = [t("hifz.review_title", pages=t.plural("count.pages", len(today.pages)))]
    if today.routine == "three_part":
        if today.sabaq_lines:
            lines.append(t("hifz.review_sabaq", lines=t.plural("count.hifz_lines", today.sabaq_lines)))
        if today.sabqi:
            lines.append(t("hifz.review_sabqi", ranges=ranges_text(today.sabqi, t)))
        lines.append(t("hifz.review_manzil", ranges=ranges_text(today.due, t) if today.due else "—"))
    elif today.due:
        lines.append(ranges_text(today.due, t))
    if today.more:
        lines.append(
            t("hifz.review_more", pages=t.plural("count.pages", today.more), budget=t.num(today.budget))
        )
    buttons: list[list[tuple[str, str]]] = []
    for a, b in hifz.ranges_of(today.pages)[:MAX_DONE_BUTTONS]:
        buttons.append([(t("hifz.button.done", what=range_label(a, b, t)), f"hz:d:{a}-{b}")])
    if today.pages:
        buttons.append([(t("hifz.button.done_all"), "hz:d:all")])
    return "\n".join(lines), buttons


@handler
async def review_command(ctx: Ctx) -> Reply:
    today = await hifz.today_list(ctx.uow, ctx.user, ctx.now)
    if not today.pages and not await ctx.uow.hifz.cards(ctx.user.id):
        return Reply(ctx.t("hifz.empty"))
    text, buttons = review_text(ctx.t, today)
    return Reply(text, buttons=buttons or None)


@handler
async def list_button(ctx: Ctx) -> Reply:
    today = await hifz.today_list(ctx.uow, ctx.user, ctx.now)
    text, buttons = review_text(ctx.t, today)
    return Reply(text, buttons=buttons or None)


@handler
async def done_button(ctx: Ctx) -> list[Reply]:
    """hz:d:<pages>|all — those pages revised now; the list is refreshed and the rating asked."""
    data = ctx.callback_data.removeprefix("hz:d:")
    if data == "all":
        pages = (await hifz.today_list(ctx.uow, ctx.user, ctx.now)).pages
    else:
        pages = _parse_pages(data) or []
    if not pages:
        return [Reply("", toast=ctx.t("button.stale"))]
    result = await hifz.revise(ctx.uow, ctx.user, pages, ctx.now, source="review", once_a_day=True)
    if result.revision_id is None:
        return [Reply("", toast=ctx.t("button.stale"))]
    text, buttons = review_text(ctx.t, await hifz.today_list(ctx.uow, ctx.user, ctx.now))
    t = ctx.t
    asked = "\n".join(
        [
            t(
                "hifz.revised",
                what=ranges_text(result.pages, t),
                pages=t.plural("count.pages", len(result.pages)),
            ),
            t("hifz.how_did_it_go", default=t(RATING_KEYS[result.rating])),
        ]
    )
    return [
        Reply(text, buttons=buttons or None, edit=True, toast=t("hifz.done_toast")),
        Reply(asked, buttons=_rating_buttons(t, result.revision_id)),
    ]


@handler
async def rate_button(ctx: Ctx) -> Reply:
    """hz:r:<revision>:<1-4> — the answer to "how did it go?"; replays those pages with it."""
    parts = ctx.callback_data.split(":")
    if len(parts) != 4 or not parts[2].isdigit() or parts[3] not in ("1", "2", "3", "4"):
        return Reply("", toast=ctx.t("button.stale"))
    rating = int(parts[3])
    pages = await hifz.rate(ctx.uow, ctx.user, int(parts[2]), rating)
    if not pages:
        return Reply("", toast=ctx.t("button.stale"))
    cards = await ctx.uow.hifz.cards_of_pages(ctx.user.id, pages)
    soonest = min(c.due for c in cards.values())
    t = ctx.t
    return Reply(
        t(
            "hifz.rated",
            what=ranges_text(pages, t),
            rating=t(RATING_KEYS[rating]),
            days=_days_until(t, soonest, ctx.now, ctx.user.timezone),
        ),
        edit=True,
    )


@handler
async def add_button(ctx: Ctx) -> Reply:
    """hz:a:<pages> — "add them to my hifz" after revising pages that were not memorised."""
    pages = _parse_pages(ctx.callback_data.removeprefix("hz:a:"))
    if not pages:
        return Reply("", toast=ctx.t("button.stale"))
    reply = await _memorise(ctx, pages)
    reply.edit = True
    return reply


# ----------------------------------------------------------------------------------------- reminder
async def hifz_reminders(uow: UnitOfWork, now: datetime) -> list[Outgoing]:
    """The tick's source for daily revision reminders (claimed by tracker.hifz, once a local day)."""
    out = []
    for n in await hifz.reminders_due(uow, now):
        t = translator(n.language)
        text, _ = review_text(t, n.today)
        # Two buttons, not one per range: "All done", or the list with its per-range buttons (/review).
        buttons = [[(t("hifz.button.done_all"), "hz:d:all"), (t("hifz.button.review"), "hz:list")]]
        out.append(Outgoing(n.user_id, t("hifz.nudge") + "\n\n" + text, buttons, user_id=n.user_id))
    return out


def add_handlers(app: Application) -> None:
    """Registered by bot.app (a few lines there, so the circles package split merges cleanly)."""
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE  # edits: the edit handler, never again
    app.add_handler(CommandHandler("hifz", hifz_command, filters=private))
    app.add_handler(CommandHandler("review", review_command, filters=private))
    app.add_handler(CallbackQueryHandler(list_button, pattern=r"^hz:list$"))
    app.add_handler(CallbackQueryHandler(done_button, pattern=r"^hz:d:(all|[\d,-]{1,56})$"))
    app.add_handler(CallbackQueryHandler(rate_button, pattern=r"^hz:r:\d{1,18}:[1-4]$"))
    app.add_handler(CallbackQueryHandler(add_button, pattern=r"^hz:a:[\d,-]{1,56}$"))

"""Logging what was read (free text or /log) and undo. /history lives in bot/handlers/history.py."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

from bot.handlers.onboarding import awaiting_timezone, timezone_not_found, typed_timezone
from bot.i18n import Translator
from bot.labels import LOGGED_REACTION, log_label
from bot.runtime import Ctx, Reply, handler
from bot.views import dates_line, spans_label, today_lines
from quran import ParseError, Span, parse_reading, surah_name
from quran.parser import Parsed, parse_message
from tracker import amounts, circles, corrections, goals, logbook, readings
from tracker.logbook import Logged
from tracker.minutes import MAX_MINUTES, log_minutes, parse_minutes
from tracker.readings import LogResult, Removed
from tracker.text import shorten
from tracker.timezones import looks_like_offset


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
    "manzil": "unit.manzil",
}
_AMOUNT_COUNTS = {
    "page": "count.pages",
    "juz": "count.juz",
    "hizb": "count.hizbs",
    "hizb quarter": "count.hizb_quarters",
    "ayah": "count.ayahs",
}
# Codes whose translation needs only the word the user wrote (or nothing).
_SIMPLE_CODES = frozenset(
    {
        "future",
        "negated",
        "no_ruku",
        "unused_word",
        "unclear_time",
        "quarter_of_juz",
        "which_group",
        "amount_with_reading",
        "sad_or_page",
    }
)


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
            "parse.ayah_out_of_range" if p["start"] != p["end"] else "parse.ayah_out_of_range_one",
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
    if code in _SIMPLE_CODES:
        return t(f"parse.{code}", given=given, range=span(p.get("start", 0), p.get("end", 0)))
    if code == "which_half":
        return t("parse.which_half", unit=t(_UNIT_KEYS[p["unit"]]), number=n(p["number"]))
    if code == "which_part":
        return t("parse.which_part", number=n(p["number"]))
    if code == "part_out_of_range":
        return t("parse.part_out_of_range", given=n(p["given"]), max=n(p["max"]))
    if code == "surah_or_ayah":
        return t(
            "parse.surah_or_ayah",
            surah=surah_name(p["surah"], t.lang),
            ayahs=t.plural("count.ayahs", p["ayah_count"]),
            given=n(p["given"]),
            name=surah_name(p["given"], t.lang),
        )
    if code == "count_or_ayah":
        return t(
            "parse.count_or_ayah",
            ayahs=t.plural("count.ayahs", p["count"]),
            surah=surah_name(p["surah"], t.lang),
            n=n(p["count"]),
        )
    if code == "amount_out_of_range":
        return t("parse.amount_out_of_range", amount=t.plural(_AMOUNT_COUNTS[p["unit"]], p["given"]))
    return t("parse.generic")


#: Callback data of an answer button: "pick:<local date YYYYMMDD>:<first>-<last>[,<first>-<last>…]".
PICK_PREFIX = "pick:"
MAX_CALLBACK_BYTES = 64  # Telegram's limit for callback_data


def pick_data(day: date, spans: tuple[Span, ...] | list[Span]) -> str | None:
    """The choice as callback data (no server state), or None if it does not fit in 64 bytes."""
    data = (
        PICK_PREFIX
        + day.strftime("%Y%m%d")
        + ":"
        + ",".join(f"{s.first_index}-{s.last_index}" for s in spans)
    )
    return data if len(data.encode()) <= MAX_CALLBACK_BYTES else None


def _answer_label(ctx: Ctx, err: ParseError, choice: str, spans: tuple[Span, ...]) -> str:
    """An answer button names the reading it logs (the page answer of "ص ٥" says it is the page)."""
    label = spans_label(list(spans), ctx.t)
    if err.code == "sad_or_page" and choice == "page":  # say which reading this button is
        p = err.params
        pages = ctx.t.num(p["start"]) + ("" if p["end"] == p["start"] else "–" + ctx.t.num(p["end"]))
        label = f"{ctx.t('unit.page')} {pages}: {label}"
    return label + " ✓"


def _asking(err: ParseError, ctx: Ctx, buttons: list[list[tuple[str, str]]]) -> Reply:
    text = parse_error_text(err, ctx.t)
    if not buttons:
        return Reply(text)
    return Reply(text + "\n" + ctx.t("parse.choose"), buttons=buttons)


def question_reply(ctx: Ctx, err: ParseError) -> Reply:
    """An error that is a question ("did you mean Al-Kahf?", "Surah Sad 100 or page 100?"): the
    explanation, and one button per complete reading it could be — one tap logs it."""
    buttons = []
    for choice, option in err.options:
        try:
            day = amounts.user_reading_day(ctx.user, ctx.now, option.days_ago, option.weekday)
        except ValueError:
            continue
        data = pick_data(day, option.spans)
        if data is not None and option.spans:
            buttons.append([(_answer_label(ctx, err, choice, option.spans), data)])
    return _asking(err, ctx, buttons)


#: Callback data of an answer to an edit's question: "fix:<the edit's update id>:<answer number>"; the
#: answers themselves wait in the person's conversation state (tracker.corrections.ask_about_edit).
FIX_PREFIX = "fix:"


def _edit_question(
    ctx: Ctx, err: ParseError, *, chat_id: int, message_id: int, log_update_id: int, text: str
) -> Reply:
    """An edit of a log's message that is a question: the answers correct that log (fix_button)."""
    answers = [
        (choice, option.spans)
        for choice, option in err.options
        if option.spans and len(option.spans) <= readings.MAX_SPANS_PER_LOG  # an amount has no place
    ]
    if not answers:
        return Reply(parse_error_text(err, ctx.t))
    edit_id = ctx.update.update_id
    corrections.ask_about_edit(
        ctx.user_state,
        [spans for _, spans in answers],
        chat_id=chat_id,
        message_id=message_id,
        log_update_id=log_update_id,
        edit_update_id=edit_id,
        source_text=text,
    )
    buttons = [
        [(_answer_label(ctx, err, choice, spans), f"{FIX_PREFIX}{edit_id}:{i}")]
        for i, (choice, spans) in enumerate(answers)
    ]
    return _asking(err, ctx, buttons)


def confirmation(
    result: LogResult,
    t: Translator,
    *,
    yesterday: bool,
    on_date: date | None = None,
    continued: amounts.Continued | None = None,
    said: str | None = None,
) -> Reply:
    """✅ and what was logged — neighbours merged, named in the unit of `said` (what the reader typed)."""
    lines = []
    if continued is not None:  # "5 pages: Maryam 1 – Maryam 64"
        lines.append(
            t(
                "amount.continued",
                amount=t.plural(_AMOUNT_COUNTS[continued.unit], continued.count),
                what=spans_label([continued.span], t),
            )
        )
        if continued.capped:
            lines.append(t("amount.capped"))
    lines += [
        t(
            "log.confirm",
            what=log_label(result.spans, said, t),
            ayahs=t.plural("count.ayahs", result.ayah_count),
            percent=t.percent(result.percent),
        )
    ]
    if yesterday:
        lines.append(t("log.for_yesterday"))
    elif on_date is not None:
        lines.append(t("log.for_date", date=t.date(on_date)))
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


@dataclass
class TextLog:
    reply: Reply
    logged: Logged | None  # what the log meant; None when nothing was logged (not understood, too many)


async def parse_and_log(ctx: Ctx, text: str, *, source: str, expecting_timezone: bool = False) -> TextLog:
    """Parse `text` and log it (tracker.logbook.record_log): the reply confirms, asks, or explains why not."""
    try:
        parsed = parse_message(text)
    except ParseError as err:
        if expecting_timezone:
            return TextLog(timezone_not_found(ctx, text), None)
        if err.options and source != "circle":  # answer buttons log for whoever taps: private chats only
            return TextLog(question_reply(ctx, err), None)
        return TextLog(Reply(parse_error_text(err, ctx.t)), None)
    if len(parsed.spans) > readings.MAX_SPANS_PER_LOG:
        too_many = ctx.t(
            "log.too_many",
            count=ctx.t.num(len(parsed.spans)),
            max=ctx.t.num(readings.MAX_SPANS_PER_LOG),
        )
        return TextLog(Reply(too_many), None)
    day = amounts.user_reading_day(ctx.user, ctx.now, parsed.days_ago, parsed.weekday)
    return await log_parsed(ctx, parsed, day, source=source, source_text=text)


async def log_parsed(ctx: Ctx, parsed: Parsed, day: date, *, source: str, source_text: str | None) -> TextLog:
    """Log what a message (or a tapped answer) said, on its local day; an amount continues the khatm."""
    continued = None
    spans = list(parsed.spans)
    if parsed.amount is not None:
        continued = await amounts.continue_khatm(ctx.uow, ctx.user, ctx.now, *parsed.amount)
        spans = [continued.span]
    today = amounts.user_reading_day(ctx.user, ctx.now)
    logged = await logbook.record_log(
        ctx.uow,
        ctx.user,
        spans,
        now=ctx.now,
        update_id=ctx.update.update_id,
        source_text=source_text,
        source=source,
        on_date=day,
    )
    msg = ctx.update.message  # not an edit, nor a button: a message the user may edit later
    if msg is not None and not logged.result.duplicate:
        await corrections.remember_log(
            ctx.uow,
            ctx.user,
            chat_id=msg.chat.id,
            message_id=msg.message_id,
            update_id=ctx.update.update_id,
            now=ctx.now,
        )
    yesterday = (today - day).days == 1
    reply = confirmation(
        logged.result,
        ctx.t,
        yesterday=yesterday,
        on_date=None if day == today else day,
        continued=continued,
        said=None if continued else source_text,  # an amount is named by its own line
    )
    has = ctx.uow.users.state(ctx.user.id)  # loaded with the user: None only off the usual path
    if has is not None and not has.has_goals:  # no goal, no habit: nothing to say about today, no query
        extra = []
    else:
        extra = today_lines(ctx.t, await goals.today_for(ctx.uow, ctx.user, ctx.now))
    reply.text = "\n".join([reply.text, *extra])
    return TextLog(reply, logged)


def _circles_hear(ctx: Ctx, done: TextLog) -> Reply:
    """A private log: the user's circles hear of it in their next batch."""
    if done.logged is not None:
        ctx.services.circle_news(ctx, done.logged)
    return done.reply


async def log_text(ctx: Ctx, text: str, *, source: str, expecting_timezone: bool = False) -> Reply:
    """A private log: the reply confirms it; the user's circles hear of it in their next batch."""
    return _circles_hear(
        ctx, await parse_and_log(ctx, text, source=source, expecting_timezone=expecting_timezone)
    )


@handler
async def pick_button(ctx: Ctx) -> Reply:
    """One tap on an answer to a question: log exactly that reading, on the day the message meant."""
    try:
        day_text, ranges = ctx.callback_data.removeprefix(PICK_PREFIX).split(":")
        day = date(int(day_text[:4]), int(day_text[4:6]), int(day_text[6:8]))
        spans = tuple(Span.from_indices(*(int(x) for x in r.split("-"))) for r in ranges.split(","))
    except ValueError:
        return Reply("", toast=ctx.t("button.stale"))
    today = amounts.user_reading_day(ctx.user, ctx.now)
    if (
        not spans
        or len(spans) > readings.MAX_SPANS_PER_LOG
        or not 0 <= (today - day).days <= amounts.MAX_DAYS_BACK
    ):
        return Reply("", toast=ctx.t("button.stale"))
    if not await first_tap(ctx):
        return Reply("", toast=ctx.t("button.stale"))
    reply = _circles_hear(ctx, await log_parsed(ctx, Parsed(spans), day, source="message", source_text=None))
    reply.edit = True
    return reply


async def first_tap(ctx: Ctx) -> bool:
    """The first tap that logs from the message this button is on (`corrections.first_answer`)?"""
    message = ctx.update.callback_query.message
    return await corrections.first_answer(
        ctx.uow,
        ctx.user,
        chat_id=message.chat.id,
        message_id=message.message_id,
        update_id=ctx.update.update_id,
        now=ctx.now,
    )


@handler(optimistic=True)  # the hot path: two round trips when nothing else of the person's is running
async def text_message(ctx: Ctx) -> Reply | list[Reply]:
    if awaiting_timezone(ctx):
        replies = await typed_timezone(ctx, ctx.text)
        if replies is not None:
            return replies
        if looks_like_offset(ctx.text):  # "UTC+15:30": a timezone answer we can't use, never a reading
            return timezone_not_found(ctx, ctx.text)
        return await log_text(ctx, ctx.text, source="message", expecting_timezone=True)
    if ctx.user.onboarded_at is None and _is_greeting(ctx.text):
        return Reply(ctx.t("start.hello"))  # "hello" before /start: a welcome, not a parse error
    minutes = parse_minutes(ctx.text)
    if minutes is not None and 1 <= minutes <= MAX_MINUTES:
        return await _log_minutes(ctx, minutes)
    return await log_text(ctx, ctx.text, source="message")


def _edited_log_text(text: str) -> str | None:
    """What an edited message says it read: its text, or the arguments of a /log command; None for any
    other command (an edited command never runs again)."""
    if not text.startswith("/"):
        return text
    command, _, rest = text.partition(" ")
    if command.split("@")[0].lower() != "/log":
        return None
    return rest


@handler
async def edited_message(ctx: Ctx) -> Reply | None:
    """An edited message. The message of a log: the log is corrected to what it says now. Anything else
    (an old message edited into /undo, a live location moving): nothing runs again; a private chat hears
    why, a group is not disturbed."""
    msg = ctx.update.edited_message
    in_private = msg.chat.type == "private"
    ignored = Reply(ctx.t("message.edited")) if in_private and msg.location is None else None
    where = {"chat_id": msg.chat.id, "message_id": msg.message_id}
    corrections.forget_question(ctx.user_state, **where)  # it asked about what the message said before
    text = _edited_log_text(msg.text or msg.caption or "")
    if not text or not text.strip():
        return ignored
    if await ctx.uow.messages.find(msg.chat.id, msg.message_id) is None:
        return ignored
    try:  # day words ("yesterday …") are the parser's; the day stays the one the log was for
        spans = parse_reading(text)
    except ParseError as err:
        log = await corrections.correctable(ctx.uow, ctx.user, **where) if err.options else None
        if log is None:  # not a question, or no log left to correct: say why, change nothing
            return Reply(parse_error_text(err, ctx.t))
        # Only the editor's taps count (the answers wait in their state): safe to ask in a group too.
        return _edit_question(ctx, err, **where, log_update_id=log, text=text)
    if len(spans) > readings.MAX_SPANS_PER_LOG:
        return Reply(
            ctx.t("log.too_many", count=ctx.t.num(len(spans)), max=ctx.t.num(readings.MAX_SPANS_PER_LOG))
        )
    fixed = await corrections.correct_log(
        ctx.uow,
        ctx.user,
        spans,
        chat_id=msg.chat.id,
        message_id=msg.message_id,
        update_id=ctx.update.update_id,
        now=ctx.now,
        source_text=text,
    )
    if fixed is None:
        return ignored
    reply = _corrected(ctx, fixed)
    if not in_private and not await circles.confirm_in_text(ctx.uow, msg.chat.id, ctx.now):
        reply.react = LOGGED_REACTION  # a busy group: the correction is acknowledged on the message itself
    return reply


def _corrected(ctx: Ctx, fixed: corrections.Correction) -> Reply:
    """✏️ what the log said → what it says now; the user's circles hear of it."""
    ctx.services.circle_news(ctx, fixed.logged)
    t = ctx.t
    return Reply(
        t(
            "log.corrected",
            before=spans_label(fixed.before, t),
            after=spans_label(fixed.result.spans, t),
            percent=t.percent(fixed.result.percent),
        )
    )


@handler
async def fix_button(ctx: Ctx) -> Reply:
    """A tap on an answer to an edit's question: the edited message's log is corrected to it, as if the
    edit had said so. Out of date (answered, edited again, undone, a day old): a toast, nothing changes."""
    edit_id, answer = ctx.callback_data.removeprefix(FIX_PREFIX).split(":")
    fixed = await corrections.answer_edit_question(
        ctx.uow,
        ctx.user,
        ctx.user_state,
        edit_update_id=int(edit_id),
        answer=int(answer),
        update_id=ctx.update.update_id,
        now=ctx.now,
    )
    if fixed is None:
        return Reply("", toast=ctx.t("edit.stale"))
    reply = _corrected(ctx, fixed)
    reply.edit = True  # the question becomes its answer: no buttons left to tap again
    return reply


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


@handler(optimistic=True)
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

"""What a reminder says (from the catalogue), and the minute tick that sends them."""

from __future__ import annotations

import html
from datetime import timedelta

from loguru import logger
from telegram import InlineKeyboardMarkup
from telegram.ext import Application, ContextTypes

from bot.i18n import Translator, translator
from bot.runtime import inline
from bot.views import amount_text
from quran import Span, surah_name, surah_span
from scheduler import Nudge, ReminderScheduler
from storage import Database
from tracker.clock import Clock
from tracker.goals import Today, portion_from

TICK_SECONDS = 60


def _log_button(label: str, span: Span) -> tuple[str, str]:
    return label, f"log:{span.first_index}-{span.last_index}"


def duration_text(t: Translator, left: timedelta) -> str:
    minutes = max(0, int(left.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    if hours:
        return t("fmt.hours_minutes", hours=t.num(hours), minutes=t.num(minutes))
    return t("fmt.minutes", minutes=t.num(minutes))


def _daily(t: Translator, today: Today) -> tuple[str, InlineKeyboardMarkup | None]:
    if today.goal is not None and today.portion is not None:
        text = t("nudge.daily", what=html.escape(today.portion.label(t.lang)),
                 amount=amount_text(t, today.unit, today.left))
        return text, inline([[_log_button(t("button.done"), today.portion)]])
    return t("nudge.daily_no_goal"), None


def render(nudge: Nudge) -> tuple[str, InlineKeyboardMarkup | None]:
    t = translator(nudge.language)
    if nudge.kind == "daily":
        return _daily(t, nudge.payload["today"])
    if nudge.kind == "streak":
        streak = nudge.payload["streak"]
        text = t("nudge.streak", days=t.plural("count.days", streak.current),
                 left=duration_text(t, nudge.payload["time_left"]))
        buttons = [_log_button(surah_name(n, t.lang), surah_span(n)) for n in (112, 103)]  # the shortest
        start = nudge.payload.get("continue_from")
        if start is not None:
            page = portion_from(start, "pages", 1)
            buttons.insert(0, _log_button(t("nudge.one_page", what=page.label(t.lang)), page))
        return text, inline([[b] for b in buttons])
    kahf = surah_span(18)
    return t("nudge.kahf"), inline([[_log_button(t("button.done"), kahf)]])


def make_scheduler(app: Application, db: Database, clock: Clock) -> ReminderScheduler:
    return ReminderScheduler(db, app.bot, render, clock=clock)


async def tick_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    scheduler: ReminderScheduler = context.application.bot_data["scheduler"]
    try:
        await scheduler.tick()
    except Exception:
        logger.exception("reminder tick failed")


def start_ticking(app: Application, db: Database, clock: Clock) -> ReminderScheduler:
    """One repeating job for everyone, aligned to the minute — never one job per user."""
    scheduler = make_scheduler(app, db, clock)
    app.bot_data["scheduler"] = scheduler
    now = clock()
    first = TICK_SECONDS - now.second - now.microsecond / 1e6
    app.job_queue.run_repeating(tick_job, interval=TICK_SECONDS, first=first, name="reminder-tick",
                                job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": 30})
    return scheduler

"""What a reminder says (from the catalogue), and the minute tick that sends them."""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from functools import partial

from loguru import logger
from telegram.ext import Application, ContextTypes

from bot import metrics
from bot.handlers import circles
from bot.handlers.hifz import hifz_reminders
from bot.i18n import Translator, translator
from bot.pictures import BOARD_MAX_ROWS, render_board, render_off_loop
from bot.views import amount_text
from quran import Span, surah_name, surah_span
from scheduler import Nudge, Outgoing, ReminderScheduler
from scheduler.outbox import Buttons
from storage import Database, UnitOfWork
from tracker import circles as circle_rules
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


def _daily(t: Translator, today: Today) -> tuple[str, Buttons | None]:
    if today.goal is not None and today.portion is not None:
        text = t(
            "nudge.daily",
            what=html.escape(today.portion.label(t.lang)),
            amount=amount_text(t, today.unit, today.left),
        )
        return text, [[_log_button(t("button.done"), today.portion)]]
    return t("nudge.daily_no_goal"), None


def render(nudge: Nudge) -> tuple[str, Buttons | None]:
    t = translator(nudge.language)
    if nudge.kind == "daily":
        return _daily(t, nudge.payload["today"])
    if nudge.kind == "streak":
        streak = nudge.payload["streak"]
        text = t(
            "nudge.streak",
            days=t.plural("count.days", streak.current),
            left=duration_text(t, nudge.payload["time_left"]),
        )
        buttons = [_log_button(surah_name(n, t.lang), surah_span(n)) for n in (112, 103)]  # the shortest
        start = nudge.payload.get("continue_from")
        if start is not None:
            page = portion_from(start, "pages", 1)
            buttons.insert(0, _log_button(t("nudge.one_page", what=page.label(t.lang)), page))
        return text, [[b] for b in buttons]
    if nudge.kind == "weekly":
        p = nudge.payload
        streak = (
            t("nudge.weekly_streak", days=t.plural("count.days", p["streak"].current))
            if p["streak"].current
            else t("nudge.weekly_no_streak")
        )
        where = p["continue_from"].label(t.lang) if p["continue_from"] else surah_name(1, t.lang)
        text = t(
            "nudge.weekly",
            pages=amount_text(t, "pages", p["pages"]),
            days=t.plural("count.days", p["days"]),
            streak=streak,
            where=html.escape(where),
        )
        return text, [[(t("nudge.weekly_chart"), "stats:show")]]
    kahf = surah_span(18)
    return t("nudge.kahf"), [[_log_button(t("button.done"), kahf)]]


async def round_nudges(uow: UnitOfWork, now: datetime) -> list[Outgoing]:
    """Circle members with an open juz near a round's deadline: privately, or mentioned in the group
    when they never started the bot (claimed by tracker.circles, once per round)."""
    out = []
    for n in await circle_rules.round_nudges_due(uow, now):
        text = circles.nudge_text(n, translator(n.language))
        if n.in_group:  # in the circle's forum topic, if it lives in one
            out.append(Outgoing(n.chat_id, text, thread_id=n.thread_id))
        else:
            out.append(Outgoing(n.user_id, text, user_id=n.user_id))
    return out


async def circle_digests(uow: UnitOfWork, now: datetime) -> list[Outgoing]:
    """Monday's digest in each circle: the week's board as a picture, the totals and the round's status."""
    out = []
    for d in await circle_rules.digests_due(uow, now):
        t = translator(d.language)
        rows = [(m.name, m.pages, m.days, m.streak) for m in d.board.week[:BOARD_MAX_ROWS]]
        headers = (
            t("circle.digest.name"),
            t("circle.digest.pages"),
            t("circle.digest.days"),
            t("circle.digest.streak"),
        )
        draw = partial(
            render_off_loop,
            render_board,
            rows,
            title=t("circle.digest.board_title"),
            headers=headers,
            lang=t.lang,
        )
        photo = draw if rows else None
        out.append(
            Outgoing(d.circle.chat_id, circles.digest_text(d, t), photo=photo, thread_id=d.circle.thread_id)
        )
    return out


def make_scheduler(app: Application, db: Database, clock: Clock) -> ReminderScheduler:
    outbox = app.bot_data["services"].outbox  # the one way out, with its rate gate
    return ReminderScheduler(
        db, outbox, render, clock=clock, sources=[round_nudges, circle_digests, hifz_reminders]
    )


async def tick_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    scheduler: ReminderScheduler = context.application.bot_data["scheduler"]
    try:
        report = await scheduler.tick()
    except Exception:  # one failed tick (say, the database restarting) must not stop the next
        logger.exception("reminder tick failed")
        return
    metrics.NUDGES_SENT.inc(report.sent)
    metrics.NUDGES_FAILED.labels("blocked").inc(report.blocked)
    metrics.NUDGES_FAILED.labels("rate_limited").inc(report.rate_limited)
    metrics.NUDGES_FAILED.labels("error").inc(report.failed - report.rate_limited)
    metrics.TICK_DURATION.observe(report.seconds)
    metrics.LAST_TICK.set(report.started_at.timestamp())


def start_ticking(app: Application, db: Database, clock: Clock) -> ReminderScheduler:
    """One repeating job for everyone, aligned to the minute — never one job per user."""
    scheduler = make_scheduler(app, db, clock)
    app.bot_data["scheduler"] = scheduler
    # The first tick runs a second after start: it catches up on what fell due while the bot was down,
    # and /healthz has a heartbeat at once.
    app.job_queue.run_repeating(
        tick_job,
        interval=TICK_SECONDS,
        first=1,
        name="reminder-tick",
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": 30},
    )
    return scheduler

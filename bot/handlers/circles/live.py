"""The circle's live messages, after the commit: the round's status edited in place, the batched
announcement. Handlers ask for them as effects (`refresh_after`, `announce_after`: bot/runtime.py)."""

from __future__ import annotations

import html

from loguru import logger
from telegram.ext import Application, ContextTypes

from bot.handlers.circles.texts import status_view, summary_text
from bot.i18n import Translator, translator
from bot.runtime import Ctx
from bot.views import spans_label
from tracker import circles
from tracker.logbook import Logged

ANNOUNCE_DELAY = 180.0  # seconds: one batched announcement per circle every few minutes at most


def refresh_after(ctx: Ctx, circle_id: int) -> None:
    """Once this update has committed, bring the circle's round messages up to date (once per update).
    In a forum, a status message posted afresh goes to the topic the command came from."""
    t = ctx.t
    msg = ctx.update.effective_message
    thread = msg.message_thread_id if msg is not None and msg.is_topic_message else None

    async def refresh(app: Application) -> None:
        await refresh_status(app, circle_id, t, thread_id=thread)

    ctx.after_commit(("circle.status", circle_id), refresh)


def announce_after(ctx: Ctx, circle_id: int) -> None:
    """Once this update has committed, make sure the circle's batched announcement is scheduled."""

    async def schedule(app: Application) -> None:
        schedule_flush(app, circle_id)

    ctx.after_commit(("circle.announce", circle_id), schedule)


def circle_news(ctx: Ctx, logged: Logged) -> None:
    """After a log anywhere (tracker.logbook.record_log, which finished the juz it covers): once this
    update has committed, the batched flush (announcement + status refresh) of every circle it has news
    for. Idempotent: a second call in the same update adds nothing."""
    for circle_id in logged.circles_with_news:
        announce_after(ctx, circle_id)


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
    In a forum, the announcement goes to the topic the circle lives in (where /circle was last sent:
    `circles.thread_id`), or to General once that topic is gone.

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
        text = "\n".join(lines)
        sent = await svc.outbox.send_text(news.chat_id, text, thread_id=news.thread_id, lane="bulk")
        if not sent.ok and news.thread_id is not None and "thread not found" in (sent.error or "").lower():
            async with svc.db.unit_of_work() as uow:  # the topic was deleted: the circle lives in General
                await circles.forget_topic(uow, circle_id, news.thread_id)
            sent = await svc.outbox.send_text(news.chat_id, text, lane="bulk")
        if not sent.ok and sent.outcome != "blocked":
            async with svc.db.unit_of_work() as uow:
                await circles.release_announcement(uow, news)
            logger.warning(
                "announcement in circle {} not sent ({}); kept for the next", circle_id, sent.error
            )
    await refresh_status(app, circle_id, t)


async def refresh_status(
    app: Application, circle_id: int, t: Translator, *, thread_id: int | None = None
) -> None:
    """Bring the group's round messages up to date, after the caller's unit of work committed.

    Finished or cancelled rounds: the status message is *claimed* (its id cleared) and committed, then
    edited to its final text and the summary posted with the next-round button (once, whoever races).
    The open round: its status message is edited in place; if it is gone, a fresh one is posted and its
    id stored. Posted in `thread_id` (the topic of the command that asked), else in the forum topic the
    circle lives in.
    """
    svc = app.bot_data["services"]
    async with svc.db.unit_of_work() as uow:
        circle = await uow.circles.get(circle_id)
        if circle is None or not circle.active:
            return
        chat_id = circle.chat_id
        thread_id = thread_id if thread_id is not None else circle.thread_id
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
        await outbox.send_text(
            chat_id, summary_text(final, t), buttons=buttons, thread_id=thread_id, lane="bulk"
        )
    if status is None:
        return
    text, buttons = status_view(status, t)
    shown = await outbox.edit_text(
        chat_id, status.round.status_message_id, text, buttons=buttons, thread_id=thread_id, lane="bulk"
    )
    if shown.reposted:  # the status message was gone (or never posted): remember the new one
        async with svc.db.unit_of_work() as uow:
            rnd = await uow.circles.round(status.round.id)
            if rnd is not None:
                rnd.status_message_id = shown.message_id

"""One tick: find what is due, decide, claim, commit — then send, a small group at a time.

The claim (a row in `deliveries`, UNIQUE per user, kind, slot and local date) is committed before the
message goes out, and it is a *lease* (storage/leases.py): each group of SEND_GROUP nudges is marked
attempted (committed) just before it is sent and marked sent/failed right after. A claim whose tick died
before attempting it is retried by the next tick, at any instance; an attempted one never is. So a kill
loses at most the nudges in flight (one group), never doubles one: a missing reminder is a shrug, a
doubled one is a bug users notice at once.

On SIGTERM (`stop()`): no new batch is claimed, the group in flight is finished and marked, the rest of
the batch is released for the next tick, well within Fly's kill_timeout.

The send itself is one call, `_deliver` (the outbox will take its place).
"""

from __future__ import annotations

import asyncio
import time as timer
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from loguru import logger

from scheduler.outbox import Buttons, Sender
from storage import Database, UnitOfWork
from storage.models import Reminder
from tracker import deciding, housekeeping, reminders
from tracker.clock import Clock


@dataclass(frozen=True)
class Nudge:
    delivery_id: int
    user_id: int
    language: str
    kind: str
    slot: int
    local_date: date
    payload: dict[str, Any]


@dataclass
class TickReport:
    started_at: datetime
    due: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    rate_limited: int = 0  # part of `failed`: Telegram still said 429 after the retries
    skipped: Counter = field(default_factory=Counter)
    seconds: float = 0.0


@dataclass(frozen=True)
class Outgoing:
    """A message another rule decided and claimed in the tick's unit of work (e.g. a circle's round nudge)."""

    chat_id: int
    text: str
    buttons: Buttons | None = None
    user_id: int | None = None  # whose 403 means "blocked the bot"; None for a message to a group
    photo: Callable[[], Awaitable[bytes]] | None = None  # a picture drawn at send time, `text` its caption
    thread_id: int | None = None  # the forum topic of a group's circle; General if that topic is gone


HOUSEKEEPING_EVERY = timedelta(hours=1)
SEND_GROUP = 64  # nudges attempted, sent and marked together: the most a kill can lose

Render = Callable[[Nudge], tuple[str, Buttons | None]]
Source = Callable[[UnitOfWork, datetime], Awaitable[list[Outgoing]]]


def _count(report: TickReport, outcomes: list[tuple[str, str | None]]) -> None:
    """One way to count send outcomes, for reminders and for the other sources alike."""
    for outcome, error in outcomes:
        if outcome == "sent":
            report.sent += 1
        elif outcome == "blocked":
            report.blocked += 1
        else:
            report.failed += 1
            report.rate_limited += bool(error and error.startswith("429"))


class ReminderScheduler:
    """Runs ticks. Safe to run in several processes against one Postgres (SKIP LOCKED + unique claims).

    Everything leaves through the injected `outbox` (bot/outbox.py), which owns Telegram's rules (429
    waits, 403 recorded as blocked, timeouts not retried); the tick only counts what happened.
    """

    def __init__(
        self,
        db: Database,
        outbox: Sender,
        render: Render,
        *,
        clock: Clock,
        grace: timedelta = deciding.GRACE_WINDOW,
        batch_size: int = 500,
        max_batches: int = 400,
        concurrency: int = 64,
        sources: Sequence[Source] = (),
    ) -> None:
        self.db, self.outbox, self.render, self.clock = db, outbox, render, clock
        self.grace, self.batch_size, self.max_batches = grace, batch_size, max_batches
        self._limit = asyncio.Semaphore(concurrency)
        self.sources = list(sources)
        self.last_tick_at: datetime | None = None
        self._pruned_at: datetime | None = None
        self.stopping = False

    def stop(self) -> None:
        """SIGTERM: claim nothing more; the tick in progress finishes its group and releases the rest."""
        self.stopping = True

    async def tick(self) -> TickReport:
        started = timer.perf_counter()
        report = TickReport(self.clock())
        for _ in range(self.max_batches):  # first, what a killed tick claimed and never attempted
            if self.stopping:
                break
            nudges, rows = await self._retake_expired(report)
            if nudges:
                await self._dispatch(nudges, report)
            if rows < self.batch_size:
                break
        for _ in range(self.max_batches):
            if self.stopping:
                break
            nudges, rows = await self._claim_batch(report)
            if nudges:
                await self._dispatch(nudges, report)
            if rows < self.batch_size:
                break
        for source in self.sources:
            await self._run_source(source, report)
        await self._housekeeping()
        report.seconds = timer.perf_counter() - started
        self.last_tick_at = report.started_at
        if report.due:
            logger.info(
                "reminder tick: {} due, {} sent, {} failed, {} blocked, skipped {}",
                report.due,
                report.sent,
                report.failed,
                report.blocked,
                dict(report.skipped),
            )
        return report

    async def _claim_batch(self, report: TickReport) -> tuple[list[Nudge], int]:
        """One transaction: lock due rows, decide them, claim what will be sent, move every row on."""
        now = self.clock()
        async with self.db.unit_of_work() as uow:
            with uow.session.no_autoflush:  # one UPDATE for all the rows at commit, not one per query
                due = await uow.reminders.due(now, self.batch_size)
                report.due += len(due)
                decisions = await deciding.decide_many(uow, due, now, self.grace)
                wanted = [
                    (u.id, r.kind, r.slot, d.local_date)
                    for (r, u), d in zip(due, decisions, strict=True)
                    if d.send
                ]
                claimed = await uow.deliveries.claim_many(wanted, now)
                nudges = []
                for (reminder, user), decision in zip(due, decisions, strict=True):
                    key = (user.id, reminder.kind, reminder.slot, decision.local_date)
                    if not decision.send:
                        report.skipped[decision.reason] += 1
                    elif key not in claimed:
                        report.skipped["already_claimed"] += 1
                    else:
                        nudges.append(
                            Nudge(
                                claimed[key],
                                user.id,
                                user.language,
                                reminder.kind,
                                reminder.slot,
                                decision.local_date,
                                decision.payload,
                            )
                        )
                    reminders.advance(reminder, user, now)
        return nudges, len(due)

    async def _retake_expired(self, report: TickReport) -> tuple[list[Nudge], int]:
        """Leases that ran out unattempted: decided again now (the person may have read since)."""
        now = self.clock()
        async with self.db.unit_of_work() as uow:
            rows = await uow.leases.expired(now, oldest=now - self.grace, limit=self.batch_size)
            if not rows:
                return [], 0
            stand_ins = [(_as_due(d, r, u), u) for d, r, u in rows]
            decisions = await deciding.decide_many(uow, stand_ins, now, self.grace)
            nudges = []
            for (delivery, _, user), decision in zip(rows, decisions, strict=True):
                if decision.send and decision.local_date == delivery.local_date:
                    nudges.append(
                        Nudge(
                            delivery.id,
                            user.id,
                            user.language,
                            delivery.kind,
                            delivery.slot,
                            delivery.local_date,
                            decision.payload,
                        )
                    )
                else:
                    report.skipped[decision.reason] += 1
                    await uow.deliveries.mark_failed(delivery.id, f"skipped on retry: {decision.reason}")
        report.due += len(rows)
        logger.info("retaking {} nudges whose lease ran out ({} to send)", len(rows), len(nudges))
        return nudges, len(rows)

    async def _dispatch(self, nudges: list[Nudge], report: TickReport) -> None:
        for start in range(0, len(nudges), SEND_GROUP):
            if self.stopping:
                rest = [n.delivery_id for n in nudges[start:]]
                async with self.db.unit_of_work() as uow:
                    await uow.leases.release(rest, self.clock())
                logger.info("stopping: released {} claimed nudges for the next tick", len(rest))
                return
            await self._dispatch_group(nudges[start : start + SEND_GROUP], report)

    async def _dispatch_group(self, nudges: list[Nudge], report: TickReport) -> None:
        async with self.db.unit_of_work() as uow:  # committed before the sends: never retried from here
            await uow.leases.attempt([n.delivery_id for n in nudges], self.clock())
        outcomes = await asyncio.gather(*(self._send(n) for n in nudges))
        _count(report, outcomes)
        now = self.clock()
        sent = [n.delivery_id for n, (outcome, _) in zip(nudges, outcomes, strict=True) if outcome == "sent"]
        failed = [
            (n.delivery_id, err)
            for n, (outcome, err) in zip(nudges, outcomes, strict=True)
            if outcome != "sent"
        ]
        async with self.db.unit_of_work() as uow:
            await uow.deliveries.mark_sent(sent, now)
            for delivery_id, error in failed:
                await uow.deliveries.mark_failed(delivery_id, error or "failed")

    async def _housekeeping(self) -> None:
        """Once an hour: drop claims and handled-update records too old to prevent anything."""
        now = self.clock()
        if self._pruned_at is not None and now - self._pruned_at < HOUSEKEEPING_EVERY:
            return
        async with self.db.unit_of_work() as uow:
            updates, deliveries = await housekeeping.prune(uow, now)
        self._pruned_at = now
        if updates or deliveries:
            logger.info("pruned {} handled updates and {} old deliveries", updates, deliveries)

    async def _run_source(self, source: Source, report: TickReport) -> None:
        """Messages another rule decides and claims (in its own committed unit of work), then sends."""
        async with self.db.unit_of_work() as uow:
            outgoing = await source(uow, self.clock())
        if not outgoing:
            return
        outcomes = await asyncio.gather(
            *(self._deliver(o.chat_id, o.text, o.buttons, o.photo, o.thread_id) for o in outgoing)
        )
        report.due += len(outgoing)
        _count(report, outcomes)

    async def _send(self, nudge: Nudge) -> tuple[str, str | None]:
        try:
            text, markup = self.render(nudge)
        except Exception as exc:
            logger.opt(exception=exc).error(
                "could not render a {} nudge for user {}", nudge.kind, nudge.user_id
            )
            return "failed", f"render: {exc}"
        return await self._deliver(nudge.user_id, text, markup)

    async def _deliver(
        self,
        chat_id: int,
        text: str,
        buttons: Buttons | None,
        photo: Callable[[], Awaitable[bytes]] | None = None,
        thread_id: int | None = None,
    ) -> tuple[str, str | None]:
        """Send once through the outbox (a blocked user is recorded there); -> (outcome, error). To a forum
        topic Telegram no longer has ("message thread not found": deleted), once more to General."""
        picture = await photo() if photo is not None else None
        async with self._limit:
            for thread in (thread_id, None) if thread_id is not None else (None,):
                if picture is not None:
                    sent = await self.outbox.send_photo(
                        chat_id,
                        picture,
                        "digest.png",
                        caption=text,
                        buttons=buttons,
                        thread_id=thread,
                        lane="bulk",
                    )
                else:
                    sent = await self.outbox.send_text(
                        chat_id, text, buttons=buttons, thread_id=thread, lane="bulk"
                    )
                if sent.ok or "thread not found" not in (sent.error or "").lower():
                    break
        return ("sent" if sent.ok else sent.outcome), sent.error


def _as_due(delivery: Any, reminder: Reminder, user: Any) -> Reminder:
    """A stand-in (never added to the session) for the reminder as it was when this claim was made: the
    real row has moved on to its next occurrence, but deciding needs the one that fell due."""
    local = datetime.combine(delivery.local_date, reminder.local_time, tzinfo=ZoneInfo(user.timezone))
    return Reminder(
        user_id=reminder.user_id,
        kind=reminder.kind,
        slot=reminder.slot,
        local_time=reminder.local_time,
        enabled=True,
        next_due_at=local.astimezone(UTC),
    )

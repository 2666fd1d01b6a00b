"""Logging what a user read, and taking it back.

Every reading counts as activity; toward the open khatm, overlapping and repeated readings count once.
When a log completes the khatm (all 6236 ayahs covered) it is closed and the next one opened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from quran import TOTAL_AYAHS, Span
from storage import UnitOfWork
from storage.models import Khatm, Reading, User
from tracker import coverage
from tracker.clock import local_date, local_yesterday

MAX_SOURCE_TEXT = 4096
MAX_SPANS_PER_LOG = 30  # more passages than anyone lists in one message: a paste or a mistake


@dataclass(frozen=True)
class LogResult:
    readings: list[Reading]
    spans: list[Span]
    khatm_number: int
    covered: int  # ayahs of the open khatm covered after this log
    new_ayahs: int  # ayahs this log added to the khatm's coverage
    completed_khatm: int | None  # the khatm number this log completed, if it did
    duplicate: bool  # the update had already been logged

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / TOTAL_AYAHS

    @property
    def ayah_count(self) -> int:
        return sum(s.count for s in self.spans)


async def open_khatm(uow: UnitOfWork, user_id: int, now: datetime) -> Khatm:
    return await uow.khatms.open_for(user_id) or await uow.khatms.start(user_id, now)


async def khatm_coverage(uow: UnitOfWork, khatm_id: int) -> list[coverage.Interval]:
    """The khatm's merged coverage, from the bitmap on its row (no reading is read)."""
    khatm = await uow.khatms.get(khatm_id)  # the identity map has it when the khatm was loaded already
    return coverage.intervals_of(coverage.from_bytes(khatm.coverage)) if khatm else []


async def recompute_coverage(uow: UnitOfWork, khatm: Khatm) -> None:
    """Rebuild the khatm's bitmap from its readings: after one is taken back (a union does not subtract)."""
    khatm.coverage = coverage.to_bytes(coverage.mask_of(await uow.readings.ranges_of_khatm(khatm.id)))


def _spans_of(readings: Sequence[Reading]) -> list[Span]:
    return [Span.from_indices(r.start_index, r.end_index) for r in readings]


async def log_reading(
    uow: UnitOfWork,
    user: User,
    spans: Sequence[Span],
    *,
    now: datetime,
    update_id: int | None = None,
    source_text: str | None = None,
    source: str = "message",
    yesterday: bool = False,
    on_date: date | None = None,
) -> LogResult:
    """Record `spans` for the user's local today (or yesterday, or an explicit local date)."""
    if not spans or len(spans) > MAX_SPANS_PER_LOG:
        raise ValueError(f"a log holds 1 to {MAX_SPANS_PER_LOG} passages, not {len(spans)}")
    khatm = await open_khatm(uow, user.id, now)
    day = on_date or (local_yesterday(now, user.timezone) if yesterday else local_date(now, user.timezone))
    text = (source_text or "")[:MAX_SOURCE_TEXT] or None
    rows = [
        dict(
            user_id=user.id,
            khatm_id=khatm.id,
            start_index=span.first_index,
            end_index=span.last_index,
            local_date=day,
            recorded_at=now,
            source=source,
            source_text=text,
            update_id=update_id,
            part=part,
        )
        for part, span in enumerate(spans)
    ]
    before = coverage.from_bytes(khatm.coverage)
    after = before | coverage.mask_of((span.first_index, span.last_index) for span in spans)
    # One statement: the readings, the duplicate check (a redelivered update inserts nothing), and the
    # khatm's new coverage when they went in.
    readings = await uow.readings.add_new(rows, khatm=khatm, coverage=coverage.to_bytes(after))
    if not readings:
        existing = await uow.readings.for_update_id(user.id, update_id) if update_id is not None else []
        return LogResult(existing, _spans_of(existing), khatm.number, before.bit_count(), 0, None, True)
    covered = after.bit_count()
    new = covered - before.bit_count()
    completed = None
    if covered == TOTAL_AYAHS:
        khatm.completed_at = now
        completed = khatm.number
        await uow.flush()  # close before opening: one open khatm per user is a database rule
        await uow.khatms.start(user.id, now)
    return LogResult(readings, list(spans), khatm.number, covered, new, completed, False)


@dataclass(frozen=True)
class Removed:
    spans: list[Span]
    reopened_khatm: int | None  # a khatm the removal un-completed


async def _remove(uow: UnitOfWork, user: User, readings: list[Reading]) -> Removed | None:
    if not readings:
        return None
    khatm_ids = {r.khatm_id for r in readings}
    await uow.readings.remove(readings)
    for khatm_id in khatm_ids:
        touched = await uow.khatms.get(khatm_id)
        if touched is not None:
            await recompute_coverage(uow, touched)
    reopened = None
    # Taking back the reading that completed a khatm reopens it, if the next one is still untouched.
    open_now = await uow.khatms.open_for(user.id)
    for khatm_id in khatm_ids:
        closed = await uow.khatms.get(khatm_id)
        if closed is None or closed.completed_at is None or open_now is None:
            continue
        if open_now.number == closed.number + 1 and not open_now.coverage:
            await uow.khatms.remove(open_now)
            closed.completed_at = None
            await uow.flush()
            reopened = closed.number
    return Removed(_spans_of(readings), reopened)


class AlreadyUndone(Exception):
    """This /undo was handled before (Telegram redelivered it): undoing again would hit an older log."""


async def undo_last(
    uow: UnitOfWork, user: User, *, update_id: int | None = None, now: datetime | None = None
) -> Removed | None:
    """Remove the most recent log (every span of that message). None when there is nothing to undo.

    With `update_id`, the same update undoes at most once (raises AlreadyUndone the second time).
    """
    if update_id is not None and not await uow.handled.first_time(update_id, user.id, now or user.created_at):
        raise AlreadyUndone
    recent = await uow.readings.recent(user.id, limit=1)
    if not recent:
        return None
    return await undo_log(uow, user, recent[0].id)


async def undo_log(uow: UnitOfWork, user: User, reading_id: int) -> Removed | None:
    """Remove the log that `reading_id` belongs to: all spans of the same message. Only the owner's."""
    reading = await uow.readings.get(user.id, reading_id)
    if reading is None:
        return None
    group = (
        [reading]
        if reading.update_id is None
        else await uow.readings.for_update_id(user.id, reading.update_id)
    )
    return await _remove(uow, user, group)


async def delete_reading(uow: UnitOfWork, user: User, reading_id: int) -> Removed | None:
    """Remove one reading (a /history delete button). Only the owner's."""
    reading = await uow.readings.get(user.id, reading_id)
    return await _remove(uow, user, [reading]) if reading else None


async def history(uow: UnitOfWork, user: User, limit: int = 10) -> list[Reading]:
    return await uow.readings.recent(user.id, limit=limit)


async def history_page(uow: UnitOfWork, user: User, page: int, size: int) -> tuple[list[Reading], int]:
    """/history's `page` (0 = the newest reading dates) and the number of pages (at least 1)."""
    rows, total = await uow.readings.page_by_reading_date(user.id, max(0, page) * size, size)
    return rows, max(1, -(-total // size))


async def restore_reading(
    uow: UnitOfWork, user: User, span: Span, day: date, source: str, now: datetime
) -> LogResult | None:
    """Undo of a /history delete: the same passage on the same reading date again. None when it is
    already there (a second tap on Undo), so a restore never doubles a reading."""
    same = [
        r
        for r in await uow.readings.between(user.id, day, day)
        if (r.start_index, r.end_index) == (span.first_index, span.last_index)
    ]
    if same:
        return None
    return await log_reading(uow, user, [span], now=now, source=source, on_date=day)

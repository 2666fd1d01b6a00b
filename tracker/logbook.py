"""What a log means: the one entry point every logging path goes through.

Whatever chat a reading comes from (a private message or /log, a group's /log, the Done button under a
portion, a circle's wird button), `record_log` records its spans toward the user's khatm, finishes every
circle juz the readings now cover, and says which circles have news: their round status changed, or they
announce members' logs. The bot sends that news after the unit of work has committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from quran import Span
from storage import UnitOfWork
from storage.models import Circle, User
from tracker import circles, readings
from tracker.readings import LogResult


@dataclass(frozen=True)
class Logged:
    result: LogResult
    finished_juz: list[tuple[int, int]]  # (round id, juz) the log finished
    refresh: frozenset[int]  # circle ids whose round status changed: a juz of theirs was finished
    announce: frozenset[int]  # circle ids of the user's that announce what members log

    @property
    def circles_with_news(self) -> list[int]:
        return sorted(self.refresh | self.announce)


async def record_log(
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
) -> Logged:
    """Record `spans` (tracker.readings.log_reading) and apply what that means for the user's circles.

    Idempotent per update: a redelivered update logs nothing new and finishes no juz twice.
    """
    result = await readings.log_reading(
        uow,
        user,
        spans,
        now=now,
        update_id=update_id,
        source_text=source_text,
        source=source,
        yesterday=yesterday,
        on_date=on_date,
    )
    has = uow.users.state(user.id)  # loaded with the user on the hot path; None elsewhere
    if has is not None and not has.has_circles:  # no circle: nothing to finish or announce, no query
        return Logged(result, [], frozenset(), frozenset())
    finished = await circles.complete_covered_juz(uow, user, now)
    refresh = set()
    for round_id in sorted({r for r, _ in finished}):
        rnd = await uow.circles.round(round_id)
        if rnd is not None:
            refresh.add(rnd.circle_id)
    announce = {c.id for c in await uow.circles.of_user(user.id) if c.announce}
    return Logged(result, finished, frozenset(refresh), frozenset(announce))


async def record_wird(
    uow: UnitOfWork, circle: Circle, user: User, *, now: datetime, update_id: int | None
) -> Logged | None:
    """The wird's Done button: logs today's portion for the member (it counts toward their own khatm and
    streak). None when there is no wird, they are not a member, or they had already read it today."""
    span = await circles.wird_to_log(uow, circle, user, now)
    if span is None:
        return None
    return await record_log(uow, user, [span], now=now, update_id=update_id, source="circle")

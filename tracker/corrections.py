"""Correcting a log by editing the message it came from.

Telegram sends an edit as a new update carrying the *same* message id. So each log remembers its
message (`uow.messages`), and an edit of that message replaces the log's readings — on the day the log
was for — instead of logging a second time. An edit of any other message corrects nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from quran import Span
from storage import UnitOfWork
from storage.models import User
from tracker import logbook, readings
from tracker.logbook import Logged
from tracker.readings import LogResult


@dataclass(frozen=True)
class Correction:
    before: list[Span]  # what the log said
    logged: Logged  # what it says now, and what that means for the user's circles (tracker.logbook)

    @property
    def result(self) -> LogResult:
        return self.logged.result


async def remember_log(
    uow: UnitOfWork, user: User, *, chat_id: int, message_id: int, update_id: int, now: datetime
) -> None:
    """The message `message_id` in `chat_id` logged the readings of `update_id`."""
    await uow.messages.remember(chat_id, message_id, user.id, update_id, now)


async def correct_log(
    uow: UnitOfWork,
    user: User,
    spans: Sequence[Span],
    *,
    chat_id: int,
    message_id: int,
    update_id: int,
    now: datetime,
    source_text: str | None = None,
) -> Correction | None:
    """Replace the readings the message logged with `spans`. None: the message logged nothing (or its log
    was undone since) — the edit changes nothing. A redelivered edit corrects once."""
    logged = await uow.messages.find(chat_id, message_id)
    if logged is None or logged.user_id != user.id:
        return None
    old = await uow.readings.for_update_id(user.id, logged.update_id)
    if not old:
        return None
    if logged.update_id == update_id:  # this very edit, delivered again: already applied
        logged = await logbook.record_log(uow, user, spans, now=now, update_id=update_id)
        return Correction(logged.result.spans, logged)
    day, source = old[0].local_date, old[0].source
    removed = await readings.undo_log(uow, user, old[0].id)
    logged = await logbook.record_log(
        uow, user, spans, now=now, update_id=update_id, source_text=source_text, source=source, on_date=day
    )
    await uow.messages.remember(chat_id, message_id, user.id, update_id, now)
    return Correction(removed.spans if removed else [], logged)

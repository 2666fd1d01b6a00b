"""Correcting a log by editing the message it came from.

Telegram sends an edit as a new update carrying the *same* message id. So each log remembers its
message (`uow.messages`), and an edit of that message replaces the log's readings — on the day the log
was for — instead of logging a second time. An edit of any other message corrects nothing.

An edit the parser can only answer with a question ("kahv 1-10": did you mean Al-Kahf?) stores no guess:
the question is remembered in the person's conversation state (`tracker.conversation`) with the answers
it offered, and only a tap on one of them corrects the log — once, and only while the message still says
what was asked about and its log is still there.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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


async def first_answer(
    uow: UnitOfWork, user: User, *, chat_id: int, message_id: int, update_id: int, now: datetime
) -> bool:
    """Is this the first tap that logs from the bot's message `message_id` (a question's answers, a
    portion's Done)? Each tap is an update of its own, so a double tap — or the old keyboard, before the
    edit that replaces it arrives — would log again. The first one marks the message as the one that
    logged `update_id`'s readings (`remember_log`), in the same unit of work."""
    if await uow.messages.find(chat_id, message_id) is not None:
        return False
    await remember_log(uow, user, chat_id=chat_id, message_id=message_id, update_id=update_id, now=now)
    return True


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
    log_update_id: int | None = None,
) -> Correction | None:
    """Replace the readings the message logged with `spans`. None: the message logged nothing (or its log
    was undone since) — the edit changes nothing. A redelivered edit corrects once. With `log_update_id`:
    only if the message's log is still that one (not corrected since)."""
    logged = await uow.messages.find(chat_id, message_id)
    if logged is None or logged.user_id != user.id:
        return None
    if log_update_id is not None and logged.update_id != log_update_id:
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


#: The key of the open edit questions in the person's conversation state: {edit update id: question}.
QUESTIONS = "edit_questions"
MAX_QUESTIONS = 3  # a person answers the edit they just made; older questions go out of date


async def correctable(uow: UnitOfWork, user: User, *, chat_id: int, message_id: int) -> int | None:
    """The update id of the log the message `message_id` made, if it is the user's and still there."""
    logged = await uow.messages.find(chat_id, message_id)
    if logged is None or logged.user_id != user.id:
        return None
    return logged.update_id if await uow.readings.for_update_id(user.id, logged.update_id) else None


def _others(state: MutableMapping[str, Any], chat_id: int, message_id: int) -> dict[str, Any]:
    """The open questions about messages other than this one."""
    questions = state.get(QUESTIONS)
    return {
        k: q
        for k, q in (questions.items() if isinstance(questions, dict) else ())
        if isinstance(q, dict) and (q.get("chat"), q.get("message")) != (chat_id, message_id)
    }


def forget_question(state: MutableMapping[str, Any], *, chat_id: int, message_id: int) -> None:
    """The message was edited again: a question about what it said before is out of date."""
    questions = state.get(QUESTIONS)
    if not isinstance(questions, dict):
        return
    kept = _others(state, chat_id, message_id)
    if len(kept) == len(questions):
        return  # nothing to forget: the users row is not written
    if kept:
        state[QUESTIONS] = kept
    else:
        del state[QUESTIONS]


def ask_about_edit(
    state: MutableMapping[str, Any],
    answers: Sequence[Sequence[Span]],
    *,
    chat_id: int,
    message_id: int,
    log_update_id: int,
    edit_update_id: int,
    source_text: str | None = None,
) -> None:
    """Remember that the edit `edit_update_id` of the message of the log `log_update_id` asked which of
    `answers` it meant: answer number i of it corrects the log to `answers[i]` (answer_edit_question)."""
    questions = _others(state, chat_id, message_id)
    questions[str(edit_update_id)] = {
        "chat": chat_id,
        "message": message_id,
        "log": log_update_id,
        "answers": [[[s.first_index, s.last_index] for s in spans] for spans in answers],
        "text": source_text,  # what the message says now: the corrected readings keep it, as an edit's do
    }
    state[QUESTIONS] = dict(list(questions.items())[-MAX_QUESTIONS:])


async def answer_edit_question(
    uow: UnitOfWork,
    user: User,
    state: MutableMapping[str, Any],
    *,
    edit_update_id: int,
    answer: int,
    update_id: int,
    now: datetime,
) -> Correction | None:
    """A tap on answer `answer` of the question the edit `edit_update_id` asked: the log is corrected to
    it (correct_log). None when the question is out of date — answered already, the message edited again,
    its log undone or corrected since, or asked more than a day ago (the state expired) — nothing changes.
    """
    questions = state.get(QUESTIONS)
    question = questions.get(str(edit_update_id)) if isinstance(questions, dict) else None
    if not isinstance(question, dict):
        return None
    try:
        chat_id, message_id, log_update_id = question["chat"], question["message"], question["log"]
        spans = (
            [Span.from_indices(first, last) for first, last in question["answers"][answer]]
            if answer >= 0
            else []
        )
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    if not spans:
        return None
    del questions[str(edit_update_id)]  # answered: a second tap finds nothing
    if questions:
        state[QUESTIONS] = questions
    else:
        del state[QUESTIONS]
    # Undone since, or corrected by a later edit: the question was about a log that is gone.
    return await correct_log(
        uow,
        user,
        spans,
        chat_id=chat_id,
        message_id=message_id,
        update_id=update_id,
        now=now,
        source_text=question.get("text"),
        log_update_id=log_update_id,
    )

"""The one way out to Telegram: every message, edit, photo, document, toast and chat action.

Handlers (through `bot/runtime.py`), circles and the scheduler all send through an `Outbox`, so Telegram's
rules are handled once, here:

- texts fit after HTML parsing: over 4,096 (captions 1,024) they are split at line boundaries into
  several messages, never cut inside a tag or entity, never truncated (`bot/fit.py`);
- an edit to the same content ("message is not modified") is a success; an edit whose message is gone
  ("message to edit not found", "message can't be edited") is posted afresh;
- 403 (blocked by the user, removed from the group) is recorded at once — the user is marked blocked,
  the circle switched off — and logged at INFO; nobody is apologised to, since nobody can be reached;
- `ChatMigrated` (a group became a supergroup) moves the circle to the new chat id and retries once;
- 429 waits `retry_after` and retries (`max_retries`); a timeout is not retried (the message may have
  arrived: a missing message is better than a doubled one);
- each callback query is answered exactly once (`answer`), whoever asks — the runtime or the error handler.

Nothing here raises a Telegram error to its caller: every call returns a `Delivery`.

The rate gate: before each call the outbox awaits `gate.acquire(lane, chat_id)`. The default lets
everything through; a shared budget across instances, or a lane that lets replies overtake nudges,
plugs in there without the callers knowing.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Protocol

from loguru import logger
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReactionTypeEmoji,
    TelegramObject,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError, TimedOut
from telegram.ext import ExtBot

from bot.fit import MAX_CAPTION, MAX_TEXT, fit_html
from bot.ratelane import BULK
from scheduler.outbox import Buttons, Delivery, Lane
from storage import Database
from storage.rate import RateBudget
from tracker import circles
from tracker.clock import Clock, system_clock

__all__ = ["Delivery", "Lane", "Outbox", "RateGate", "inline"]

Sleep = Callable[[float], Awaitable[None]]


class RateGate(Protocol):
    """Waits until a call to `chat_id` in `lane` may go out (a budget shared by every instance, say)."""

    async def acquire(self, lane: Lane, chat_id: int) -> None: ...


class OpenGate:
    """The default gate: no waiting (PTB's AIORateLimiter still paces calls inside one process)."""

    async def acquire(self, lane: Lane, chat_id: int) -> None:
        return None


class SharedBudget:
    """The gate for several instances: each call takes a token from the one budget in Postgres
    (storage.rate.RateBudget), replies before bulk (bulk leaves a reserve to replies)."""

    def __init__(self, budget: RateBudget) -> None:
        self.budget = budget

    async def acquire(self, lane: Lane, chat_id: int) -> None:
        await self.budget.acquire("reply" if lane == "reply" else "bulk")


def inline(buttons: Buttons | None) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in buttons]
    )


def _seconds(wait: float | timedelta) -> float:
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


_GONE = ("message to edit not found", "message can't be edited", "message_id_invalid")


class _Refused(Exception):
    """A BadRequest the caller may interpret (an edit's "not modified" / "not found")."""

    def __init__(self, exc: BadRequest) -> None:
        super().__init__(exc.message)
        self.message = exc.message


class Outbox:
    def __init__(
        self,
        bot: Bot,
        db: Database | None = None,
        *,
        clock: Clock = system_clock,
        gate: RateGate | None = None,
        sleep: Sleep = asyncio.sleep,
        max_retries: int = 1,
        remember_answers: int = 10_000,
    ) -> None:
        self.bot, self.db, self.clock = bot, db, clock
        self.gate: RateGate = gate or OpenGate()
        self.sleep, self.max_retries = sleep, max_retries
        self._answered: OrderedDict[str, None] = OrderedDict()
        self._remember = remember_answers

    def _lane(self, lane: Lane) -> dict[str, Any]:
        """PTB hands `rate_limit_args` to the application's rate limiter: bulk sends wait behind replies
        there (bot.ratelane). A bot without a rate limiter refuses the argument."""
        limited = isinstance(self.bot, ExtBot) and self.bot.rate_limiter is not None
        return {"rate_limit_args": BULK} if lane == BULK and limited else {}

    # ---------------------------------------------------------------------------------------- sends
    async def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        buttons: Buttons | None = None,
        markup: TelegramObject | None = None,
        thread_id: int | None = None,
        lane: Lane = "reply",
    ) -> Delivery:
        """Send `text` (Telegram HTML), split into as many messages as it needs; the buttons (or
        `markup`, e.g. a reply keyboard) go on the last."""
        parts = fit_html(text, MAX_TEXT)
        keyboard = markup if markup is not None else inline(buttons)
        ids: list[int] = []
        for i, part in enumerate(parts):
            last = i == len(parts) - 1

            async def call(chat: int, part: str = part, last: bool = last) -> Message:
                return await self.bot.send_message(
                    chat,
                    part,
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard if last else None,
                    message_thread_id=thread_id,
                    **self._lane(lane),
                )

            outcome, sent, error = await self._call(lane, chat_id, call, "sendMessage")
            if outcome != "sent":
                return Delivery(outcome, tuple(ids), error)
            chat_id = sent.chat_id  # a migrated group answers from its new id
            ids.append(sent.message_id)
        return Delivery("sent", tuple(ids))

    async def edit_text(
        self,
        chat_id: int,
        message_id: int | None,
        text: str,
        *,
        buttons: Buttons | None = None,
        repost: bool = True,
        thread_id: int | None = None,
        lane: Lane = "reply",
    ) -> Delivery:
        """Edit the message to `text`; when it is gone (or `message_id` is None), post it afresh (unless
        `repost=False`). A text too long for one message keeps its first part there and posts the rest."""
        parts = fit_html(text, MAX_TEXT)
        if message_id is not None:
            keyboard = inline(buttons) if len(parts) == 1 else None

            async def call(chat: int) -> Any:
                return await self.bot.edit_message_text(
                    parts[0],
                    chat_id=chat,
                    message_id=message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard,
                    **self._lane(lane),
                )

            try:
                outcome, _, error = await self._call(lane, chat_id, call, "editMessageText", refusable=True)
            except _Refused as refused:
                reason = refused.message.lower()
                if "not modified" in reason:
                    outcome, error = "unchanged", None
                elif any(g in reason for g in _GONE):
                    outcome, error = "gone", refused.message
                else:
                    logger.error("Telegram refused editMessageText: {}", refused.message)
                    return Delivery("failed", (), f"400 {refused.message}")
            if outcome in ("sent", "unchanged"):
                if len(parts) > 1:
                    rest = await self.send_text(
                        chat_id, "\n".join(parts[1:]), buttons=buttons, thread_id=thread_id, lane=lane
                    )
                    return Delivery(outcome, (message_id, *rest.message_ids), rest.error)
                return Delivery(outcome, (message_id,))
            if outcome != "gone":
                return Delivery(outcome, (), error)
        if not repost:
            return Delivery("failed", (), "message to edit not found")
        posted = await self.send_text(chat_id, text, buttons=buttons, thread_id=thread_id, lane=lane)
        return Delivery(posted.outcome, posted.message_ids, posted.error, reposted=posted.ok)

    async def send_photo(
        self,
        chat_id: int,
        photo: bytes,
        filename: str,
        *,
        caption: str = "",
        buttons: Buttons | None = None,
        thread_id: int | None = None,
        lane: Lane = "reply",
    ) -> Delivery:
        """A picture with its caption; a caption over 1,024 keeps its first part, the rest follows."""
        return await self._send_file("photo", chat_id, photo, filename, caption, buttons, thread_id, lane)

    async def send_document(
        self,
        chat_id: int,
        data: bytes,
        filename: str,
        *,
        caption: str = "",
        thread_id: int | None = None,
        lane: Lane = "reply",
    ) -> Delivery:
        return await self._send_file("document", chat_id, data, filename, caption, None, thread_id, lane)

    async def _send_file(
        self,
        kind: str,
        chat_id: int,
        data: bytes,
        filename: str,
        caption: str,
        buttons: Buttons | None,
        thread_id: int | None,
        lane: Lane,
    ) -> Delivery:
        parts = fit_html(caption, MAX_CAPTION) if caption else [""]
        keyboard = inline(buttons) if len(parts) == 1 else None
        method = self.bot.send_photo if kind == "photo" else self.bot.send_document
        name = "sendPhoto" if kind == "photo" else "sendDocument"

        async def call(chat: int) -> Message:
            kwargs: dict[str, Any] = {kind: InputFile(data, filename)}
            if kind == "photo":
                kwargs["reply_markup"] = keyboard
            return await method(
                chat,
                caption=parts[0] or None,
                parse_mode=ParseMode.HTML,
                message_thread_id=thread_id,
                **kwargs,
                **self._lane(lane),
            )

        outcome, sent, error = await self._call(lane, chat_id, call, name)
        if outcome != "sent":
            return Delivery(outcome, (), error)
        if len(parts) == 1:
            return Delivery("sent", (sent.message_id,))
        rest = await self.send_text(
            sent.chat_id, "\n".join(parts[1:]), buttons=buttons, thread_id=thread_id, lane=lane
        )
        return Delivery(rest.outcome, (sent.message_id, *rest.message_ids), rest.error)

    async def react(self, chat_id: int, message_id: int, emoji: str, *, lane: Lane = "reply") -> Delivery:
        """React to a message (no new message: in a busy group this is what keeps within 20 a minute)."""

        async def call(chat: int) -> Any:
            return await self.bot.set_message_reaction(chat, message_id, ReactionTypeEmoji(emoji))

        try:
            outcome, _, error = await self._call(lane, chat_id, call, "setMessageReaction", refusable=True)
        except _Refused as refused:  # the group allows no (or other) reactions: the caller writes instead
            logger.info("reaction in chat {} refused: {}", chat_id, refused.message)
            return Delivery("failed", (), f"400 {refused.message}")
        return Delivery(outcome, (message_id,) if outcome == "sent" else (), error)

    async def chat_action(
        self, chat_id: int, action: str = ChatAction.TYPING, *, thread_id: int | None = None
    ) -> None:
        """ "Sending a photo…" while something slow is drawn. Best effort: a failure changes nothing."""
        try:
            await self.bot.send_chat_action(chat_id, action, message_thread_id=thread_id)
        except TelegramError as exc:
            logger.debug("chat action {} in {} refused: {}", action, chat_id, exc.message)

    async def answer(self, query_id: str, text: str | None = None, *, alert: bool = False) -> bool:
        """Answer a callback query — once. A second call for the same id does nothing (Telegram refuses a
        second answer). -> whether this call answered it."""
        if query_id in self._answered:
            return False
        self._answered[query_id] = None
        if len(self._answered) > self._remember:
            self._answered.popitem(last=False)
        try:
            await self.bot.answer_callback_query(query_id, text, show_alert=alert)
        except BadRequest as exc:  # "query is too old": the spinner has stopped by itself
            logger.info("callback query {} not answered: {}", query_id, exc.message)
        except TelegramError as exc:
            logger.warning("callback query {} not answered: {}", query_id, exc.message)
        return True

    def answered(self, query_id: str) -> bool:
        return query_id in self._answered

    # ---------------------------------------------------------------------------------------- rules
    async def _call(
        self,
        lane: Lane,
        chat_id: int,
        call: Callable[[int], Awaitable[Any]],
        method: str,
        *,
        refusable: bool = False,
    ) -> tuple[str, Any, str | None]:
        """One Bot API call under the rules. -> (outcome, result, error)."""
        retries = 0
        migrated = False
        while True:
            await self.gate.acquire(lane, chat_id)
            try:
                return "sent", await call(chat_id), None
            except RetryAfter as exc:
                seconds = _seconds(exc.retry_after)
                if retries >= self.max_retries:
                    logger.warning("{} to {}: still rate limited after {} retries", method, chat_id, retries)
                    return "failed", None, f"429 retry after {seconds:g}s"
                retries += 1
                logger.warning("Telegram asked to wait {}s before {} to chat {}", seconds, method, chat_id)
                await self.sleep(seconds)
            except ChatMigrated as exc:
                if migrated:
                    return "failed", None, f"migrated twice: {exc.new_chat_id}"
                migrated = True
                await self._migrated(chat_id, exc.new_chat_id)
                chat_id = exc.new_chat_id
            except Forbidden as exc:
                await self._blocked(chat_id, exc.message)
                return "blocked", None, f"403 {exc.message}"
            except BadRequest as exc:
                if "chat not found" in exc.message.lower():
                    await self._blocked(chat_id, exc.message)
                    return "blocked", None, f"400 {exc.message}"
                if refusable:
                    raise _Refused(exc) from exc
                logger.error("Telegram refused {} to chat {}: {}", method, chat_id, exc.message)
                return "failed", None, f"400 {exc.message}"
            except TimedOut as exc:
                logger.warning("{} to chat {} timed out (not retried: it may have arrived)", method, chat_id)
                return "failed", None, f"TimedOut: {exc.message}"
            except TelegramError as exc:
                logger.warning("{} to chat {} failed: {}", method, chat_id, exc.message)
                return "failed", None, f"{type(exc).__name__}: {exc.message}"

    async def _blocked(self, chat_id: int, reason: str) -> None:
        """A user who blocked the bot gets nothing more until they write again; a group that removed it
        has its circle switched off. Recorded at once, in its own unit of work."""
        logger.info("chat {} cannot be reached ({}); recorded", chat_id, reason)
        if self.db is None:
            return
        async with self.db.unit_of_work() as uow:
            if chat_id > 0:
                await uow.users.mark_blocked([chat_id], self.clock())
            else:
                await circles.deactivate(uow, chat_id)

    async def _migrated(self, old: int, new: int) -> None:
        logger.info("group {} is now supergroup {}; its circle moves", old, new)
        if self.db is None:
            return
        async with self.db.unit_of_work() as uow:
            await circles.migrate_chat(uow, old, new)

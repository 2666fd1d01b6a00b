"""Updates run concurrently — a chart being drawn for one person must not keep others waiting — but the
updates of one chat, and of one person, still run one at a time, in order (a log and its undo must not
race, nor the same newcomer writing in a group and in private)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def lock_keys(update: object) -> list[str]:
    """What to serialise on: the person, then the chat (a group's members share it). Always taken in this
    order, so two updates can never wait for each other's second lock (no deadlock)."""
    if not isinstance(update, Update):
        return []
    keys = []
    if update.effective_user is not None:
        keys.append(f"user:{update.effective_user.id}")
    chat = update.effective_chat
    if chat is not None and not (update.effective_user and chat.id == update.effective_user.id):
        keys.append(f"chat:{chat.id}")
    return keys


def lock_ids(update: object) -> list[int]:
    """The same order, as database lock keys (storage/updates.py): a person's id (positive), then a
    group's chat id (negative), so the two never collide. In-process ordering is the fast path; these
    locks are what holds across instances."""
    return [int(key.split(":", 1)[1]) for key in lock_keys(update)]


class OrderedUpdateProcessor(BaseUpdateProcessor):
    """At most `max_concurrent_updates` at once overall; one at a time per person and per chat.

    The locks are taken *before* a slot of the overall limit, so a burst from one chat waits in line
    without holding slots that other chats could use.
    """

    __slots__ = ("_locks", "_waiting")

    def __init__(self, max_concurrent_updates: int = 32) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}

    @contextlib.asynccontextmanager
    async def _holding(self, key: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # forget idle keys: memory stays flat in the number of users
                del self._waiting[key]
                del self._locks[key]

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        async with contextlib.AsyncExitStack() as stack:
            for key in lock_keys(update):
                await stack.enter_async_context(self._holding(key))
            await super().process_update(update, coroutine)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    @property
    def chats_in_flight(self) -> int:
        return len(self._locks)

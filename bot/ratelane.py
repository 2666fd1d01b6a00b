"""Replies before bulk: two lanes in the overall rate budget.

Telegram allows about 30 messages a second from a bot. A reminder tick that has 100,000 nudges to send
keeps that budget busy for the best part of an hour; with one first-come queue a reply to someone who
just wrote waited behind every nudge already queued (6–11 s for /stats during a 3,000-nudge tick).
Here the budget is handed out one slot at a time, and a waiting reply always gets the next slot: a reply
waits at most one slot (1/30 s) plus whatever is in flight, however many nudges are queued.

Interface (for the outbox and the cross-instance budget):
- `await lanes.acquire(REPLY | BULK)` before a send; it returns when the send may go.
- Which lane: `rate_limit_args=BULK` on a Bot API call (PTB passes it to the rate limiter); anything
  without it is a reply. Nudges, digests and announcements are bulk; answers to an update are replies.
- `Lanes(rate, take=...)`: `take` is an optional coroutine that waits for a slot of a budget shared with
  other instances; the lanes then only decide the *order* in which this process's waiters use it.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

REPLY = "reply"
BULK = "bulk"
LANES = (REPLY, BULK)  # priority order


class Lanes:
    """A pacing budget of `rate` sends a second, served reply lane first."""

    def __init__(
        self,
        rate: float,
        *,
        take: Callable[[], Awaitable[None]] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self._interval = 1.0 / rate
        self._take = take
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0  # when the next slot is free
        self._waiting: dict[str, deque[asyncio.Future[None]]] = {lane: deque() for lane in LANES}
        self._pump: asyncio.Task[None] | None = None

    @property
    def rate(self) -> float:
        return 1.0 / self._interval

    def waiting(self, lane: str) -> int:
        return sum(1 for f in self._waiting[lane] if not f.done())

    async def acquire(self, lane: str = REPLY) -> None:
        if lane not in self._waiting:
            raise ValueError(f"unknown lane {lane!r}")
        if not any(self._waiting.values()) and self._clock() >= self._next and self._take is None:
            self._next = self._clock() + self._interval  # a free slot and nobody ahead: go now
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[lane].append(future)
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._serve())
        await future

    def _next_waiter(self) -> asyncio.Future[None] | None:
        for lane in LANES:
            queue = self._waiting[lane]
            while queue:
                future = queue.popleft()
                if not future.done():  # a cancelled waiter gives its place up
                    return future
        return None

    async def _serve(self) -> None:
        while any(self._waiting.values()):
            if self._take is not None:
                await self._take()
            else:
                delay = self._next - self._clock()
                if delay > 0:
                    await self._sleep(delay)
            future = self._next_waiter()  # chosen only now: a reply that arrived meanwhile goes first
            if future is None:
                break
            self._next = max(self._clock(), self._next) + self._interval
            future.set_result(None)
            await asyncio.sleep(0)  # let the granted send start before the next grant


class LaneRateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter for the per-group limit and 429 handling, with the overall limit replaced
    by `Lanes`. A call's lane comes from `rate_limit_args` (BULK, or None for a reply)."""

    def __init__(self, *, overall_max_rate: float = 30, group_max_rate: float = 20, max_retries: int = 0):
        super().__init__(overall_max_rate=0, group_max_rate=group_max_rate, max_retries=max_retries)
        self.lanes = Lanes(overall_max_rate)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Any,
    ) -> Any:
        if data.get("chat_id") is not None:  # as PTB: only messages to a chat count toward the budget
            await self.lanes.acquire(BULK if rate_limit_args == BULK else REPLY)
        retries = rate_limit_args if isinstance(rate_limit_args, int) else None
        return await super().process_request(callback, args, kwargs, endpoint, data, retries)

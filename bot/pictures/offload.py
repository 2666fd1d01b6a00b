"""Run a render off the event loop, so the bot keeps answering others while matplotlib draws."""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec

P = ParamSpec("P")

# One worker: renders queue behind each other, so at most one figure is in memory at a time (the bot
# must fit in 256 MB) while the event loop stays free. Created on first use.
_WORKERS = 1
_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="render")
        return _executor


async def render_off_loop(fn: Callable[P, bytes], /, *args: P.args, **kw: P.kwargs) -> bytes:
    """`await render_off_loop(render_daily_chart, days, target, title=…, …)` — the PNG bytes."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_pool(), functools.partial(fn, *args, **kw))

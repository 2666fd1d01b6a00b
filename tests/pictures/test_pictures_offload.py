"""A render runs off the event loop: other coroutines keep running while matplotlib draws."""

from __future__ import annotations

import asyncio
import threading

import pytest
from picture_checks import assert_picture

from bot.pictures import render_khatm_grid, render_off_loop
from bot.pictures.offload import release_memory


async def test_the_event_loop_keeps_running_while_a_picture_renders():
    fractions = [(i % 7) / 6 for i in range(604)]  # the heavy one: 604 cells
    loop_thread = threading.get_ident()
    render_threads: list[int] = []

    def render(**kw) -> bytes:
        render_threads.append(threading.get_ident())
        return render_khatm_grid(fractions, **kw)

    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    counting = asyncio.create_task(ticker())
    png = await render_off_loop(render, unit="page", title="Pages", lang="en")
    ticks_when_done = ticks
    counting.cancel()

    assert_picture(png)
    assert render_threads and render_threads[0] != loop_thread
    assert ticks_when_done > 10  # the loop turned many times before the picture was ready


async def test_renders_queue_and_each_gets_its_own_result():
    pngs = await asyncio.gather(
        *(render_off_loop(render_khatm_grid, [k / 4] * 30, title=str(k), lang="en") for k in range(5))
    )
    assert len(set(pngs)) == 5


async def test_a_failing_render_raises_in_the_caller_and_the_worker_goes_on():
    def broken() -> bytes:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await render_off_loop(broken)
    assert_picture(await render_off_loop(render_khatm_grid, [1.0] * 30, title="t", lang="ar"))


def test_release_memory_runs_anywhere():
    release_memory()  # gc + malloc_trim on glibc, gc alone elsewhere

"""Replies before bulk: a reply waiting behind a long queue of nudges gets the next slot."""

from __future__ import annotations

import asyncio

from telegram.ext import BaseRateLimiter, ExtBot

from bot.outbox import Outbox
from bot.ratelane import BULK, REPLY, LaneRateLimiter, Lanes
from fake_telegram import FakeBotAPI

# The smallest valid PNG (1x1), so the fake accepts it as a photo.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


class FakeTime:
    """Time moves only when the lanes wait for it: nothing sleeps for real."""

    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def test_a_reply_goes_out_within_one_slot_of_a_long_nudge_queue():
    time = FakeTime()
    lanes = Lanes(30, clock=time.clock, sleep=time.sleep)
    granted: list[tuple[str, float]] = []

    under_way = asyncio.Event()

    async def send(lane: str, i: int) -> None:
        await lanes.acquire(lane)
        granted.append((f"{lane}{i}", time.now))
        if len(granted) == 50:
            under_way.set()

    nudges = [asyncio.create_task(send(BULK, i)) for i in range(20_000)]
    await under_way.wait()  # the tick is well under way
    assert lanes.waiting(BULK) > 19_000
    asked = time.now
    reply = asyncio.create_task(send(REPLY, 0))
    await reply
    at = dict(granted)["reply0"]
    assert at - asked <= 2 / 30  # the next slot or the one after: ~0.03 s, not the hour behind the nudges
    for task in nudges:
        task.cancel()
    await asyncio.gather(*nudges, return_exceptions=True)


async def test_the_budget_is_kept_for_both_lanes_together():
    time = FakeTime()
    lanes = Lanes(30, clock=time.clock, sleep=time.sleep)
    start = time.now
    await asyncio.gather(*(lanes.acquire(BULK if i % 2 else REPLY) for i in range(90)))
    assert 89 / 30 - 1e-9 <= time.now - start <= 90 / 30 + 1e-9  # 90 sends took 3 s of budget


async def test_the_rate_limiter_takes_the_lane_from_rate_limit_args():
    limiter = LaneRateLimiter(overall_max_rate=30)
    seen: list[str] = []
    original = limiter.lanes.acquire

    async def acquire(lane: str = REPLY) -> None:
        seen.append(lane)
        await original(lane)

    limiter.lanes.acquire = acquire

    async def call() -> bool:
        return True

    await limiter.initialize()
    assert await limiter.process_request(call, (), {}, "sendMessage", {"chat_id": 5}, BULK)
    assert await limiter.process_request(call, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert await limiter.process_request(call, (), {}, "getMe", {}, None)  # not a message: no slot
    assert seen == [BULK, REPLY]
    await limiter.shutdown()


async def test_the_outbox_puts_bulk_sends_in_the_bulk_lane_and_replies_in_the_reply_lane():
    """The tick, announcements and status edits say lane="bulk" to the outbox; the rate limiter must see it
    (as rate_limit_args), or nudges would compete with replies for the budget."""
    seen: list[tuple[str, object]] = []

    class Recording(BaseRateLimiter):
        async def initialize(self) -> None: ...

        async def shutdown(self) -> None: ...

        async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
            seen.append((endpoint, rate_limit_args))
            return await callback(*args, **kwargs)

    fake = FakeBotAPI()
    fake.start_chat(42)
    bot = ExtBot("123456:FAKE", request=fake, get_updates_request=fake, rate_limiter=Recording())
    async with bot:
        outbox = Outbox(bot)
        assert (await outbox.send_text(42, "nudge", lane="bulk")).ok
        assert (await outbox.send_text(42, "reply")).ok
        sent = await outbox.send_text(42, "status", lane="bulk")
        assert (await outbox.edit_text(42, sent.message_id, "status, edited", lane="bulk")).ok
        assert (await outbox.send_photo(42, PNG, "digest.png", caption="digest", lane="bulk")).ok
    sends = [(endpoint, lane) for endpoint, lane in seen if endpoint != "getMe"]
    assert sends == [
        ("sendMessage", BULK),
        ("sendMessage", None),
        ("sendMessage", BULK),
        ("editMessageText", BULK),
        ("sendPhoto", BULK),
    ]

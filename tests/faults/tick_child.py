"""A reminder tick in a process of its own, for tests/faults/test_tick_kills.py to SIGKILL.

    python -m tests.faults.tick_child <database url> <sent log> <ISO instant> [<ticks>]

Each nudge Telegram (the fake) accepts is appended to <sent log> and flushed *before* the fake answers,
so the file holds every send that reached Telegram, whatever happens to this process afterwards.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime, timedelta
from typing import TextIO

import time_machine
from sqlalchemy import select

from bot.nudges import render
from fake_telegram import FakeBotAPI
from scheduler import ReminderScheduler
from storage import Database
from storage.models import User
from tracker.clock import system_clock


async def main(url: str, log: TextIO, at: datetime, ticks: int) -> None:
    db = Database(url)

    async def record(method: str, params: dict) -> None:
        if method == "sendMessage":
            log.write(f"{params['chat_id']}\n")
            log.flush()
            print(params["chat_id"], flush=True)  # the parent watches stdout to pick its moment
            await asyncio.sleep(0.001)  # a real send takes a while: kills land between sends too

    from telegram import Bot

    from bot.outbox import Outbox

    fake = FakeBotAPI(latency=record)
    async with db.unit_of_work() as uow:  # the parent made them in the database: they started the bot
        for user_id in (await uow.session.execute(select(User.id))).scalars():
            fake.start_chat(user_id)
    bot = Bot("123456:TEST", request=fake)
    async with bot:
        scheduler = ReminderScheduler(db, Outbox(bot, db), render, clock=system_clock, batch_size=300)
        for n in range(ticks):
            with time_machine.travel(at + timedelta(minutes=n), tick=True):
                await scheduler.tick()
    print("done", flush=True)
    await db.dispose()


if __name__ == "__main__":
    with open(sys.argv[2], "a", buffering=1) as sent_log:
        ticks = int(sys.argv[4]) if len(sys.argv) > 4 else 1
        asyncio.run(main(sys.argv[1], sent_log, datetime.fromisoformat(sys.argv[3]), ticks))

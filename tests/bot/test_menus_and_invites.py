"""Telegram conventions: command menus per scope and language, a pointer for private-only commands in a
group, and invite links (/circle offers one; /start with it joins the circle)."""

from __future__ import annotations

import json
import re

from bot.app import COMMANDS, set_command_menu
from bot.handlers.circles import ADMIN_COMMANDS, GROUP_COMMANDS, PRIVATE_ONLY
from tests.group_harness import GROUP


def _menu(fake, scope: str, language: str = "") -> list[str]:
    key = json.dumps([{"type": scope}, language], sort_keys=True)
    return [c["command"] for c in fake.commands.get(key, [])]


async def test_each_scope_gets_its_own_menu_in_english_and_arabic(conversation):
    c = conversation
    await set_command_menu(c.app)
    assert all(call.ok for call in c.fake.calls_to("setMyCommands"))  # the fake checks Telegram's rules
    for language in ("", "ar"):
        assert _menu(c.fake, "all_private_chats", language) == list(COMMANDS)
        assert _menu(c.fake, "all_group_chats", language) == list(GROUP_COMMANDS)
        assert _menu(c.fake, "all_chat_administrators", language) == list(ADMIN_COMMANDS)
    key = json.dumps([{"type": "all_group_chats"}, "ar"], sort_keys=True)
    assert c.fake.commands[key][0]["description"] == "سجّل ما قرأت (يُحتسب للحلقة)"
    assert "khatm" not in GROUP_COMMANDS and "progress" not in GROUP_COMMANDS


async def test_a_private_only_command_in_a_group_gets_a_one_line_pointer(circle):
    replies = await circle.send(2, "/progress")
    assert replies == [
        "🔒 /progress is just between us — ask me in our private chat: https://t.me/QuranTrackerBot"
    ]
    assert (await circle.send(2, "/undo@QuranTrackerBot"))[0].startswith("🔒 /undo is just between us")
    assert await circle.send(2, "/progress@SomeOtherBot") == []  # meant for another bot
    assert set(PRIVATE_ONLY).isdisjoint(GROUP_COMMANDS)


async def test_circle_offers_an_invite_link_and_start_with_it_joins(circle):
    c = circle.c
    [about] = await circle.send(1, "/circle")
    link = re.search(r"https://t\.me/QuranTrackerBot\?start=(c\d+_[0-9a-f]{10})", about)
    assert link, about
    before = len(c.fake.calls)
    await c.process(c.updates.message(50, f"/start {link.group(1)}", first_name="Zaynab"))
    texts = c.texts_since(before)
    assert texts[0] == "🤝 You joined the circle Halaqa. Log in private and it counts there too."
    assert len(texts) > 1  # and the usual welcome follows (language, timezone)
    async with c.db.unit_of_work() as uow:
        circle_row = await uow.circles.by_chat(GROUP)
        assert 50 in [m.user_id for m, _ in await uow.circles.members(circle_row.id)]
    before = len(c.fake.calls)
    await c.process(c.updates.message(50, f"/start {link.group(1)}", first_name="Zaynab"))
    assert c.texts_since(before)[0] == "You are already in the circle Halaqa. 🌿"


async def test_a_forged_invite_joins_nothing(circle):
    c = circle.c
    async with c.db.unit_of_work() as uow:
        circle_id = (await uow.circles.by_chat(GROUP)).id
    before = len(c.fake.calls)
    await c.process(c.updates.message(51, f"/start c{circle_id}_0123456789", first_name="Idris"))
    assert c.texts_since(before)[0].startswith("That invite link no longer works.")
    async with c.db.unit_of_work() as uow:
        assert 51 not in [m.user_id for m, _ in await uow.circles.members(circle_id)]

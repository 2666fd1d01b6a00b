"""Group conversations: the `conversation` harness (real Application, Postgres, FakeBotAPI) in a group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

try:  # the harness moved from tests/bot/conftest.py to tests/harness.py; accept either
    from tests.harness import T0, Conversation, TestClock, clock, conversation
except ImportError:  # pragma: no cover
    from tests.bot.conftest import T0, Conversation, TestClock, clock, conversation  # noqa: F401

GROUP = -1001234567890  # a supergroup id
NAMES = {1: "Aisha", 2: "Omar", 3: "Maryam", 4: "Yusuf", 9: "Guest"}


@dataclass
class Group:
    c: Conversation
    chat_id: int = GROUP

    async def send(self, user_id: int, text: str, **kw: Any) -> list[str]:
        """`user_id` writes `text` in the group; -> what the bot sent or edited in response."""
        before = len(self.c.fake.calls)
        await self.c.process(
            self.c.updates.message(
                user_id,
                text,
                chat_id=self.chat_id,
                chat_title="Halaqa",
                first_name=NAMES.get(user_id, "Test"),
                **kw,
            )
        )
        return self.c.texts_since(before)

    async def press(self, user_id: int, label: str) -> tuple[list[str], list[str | None]]:
        """`user_id` taps the newest group button containing `label`; -> (texts, toasts)."""
        message, data = self.c.find_button(self.chat_id, label)
        return await self.tap(user_id, data, message)

    async def tap(self, user_id: int, data: str, message: dict | None = None):
        if message is None:
            message = self.status_message()
        before = len(self.c.fake.calls)
        await self.c.process(
            self.c.updates.callback(user_id, data, message, first_name=NAMES.get(user_id, "Test"))
        )
        return self.c.texts_since(before), self.c.toasts_since(before)

    def status_message(self) -> dict:
        """The newest group message that shows a round (as currently edited)."""
        for sent in reversed(self.c.fake.sent_messages(self.chat_id)):
            current = self.c.fake.message(self.chat_id, sent.message_id) or sent.message
            if "Khatm round" in (current.get("text") or ""):
                return current
        raise AssertionError("no status message")

    def status_text(self) -> str:
        return self.status_message()["text"]

    def buttons(self) -> list[tuple[str, str]]:
        return [b for row in self.c.fake.buttons(self.status_message().get("reply_markup")) for b in row]


@pytest.fixture
def group(conversation) -> Group:
    return Group(conversation)


@pytest.fixture
async def circle(group) -> Group:
    """A circle in GROUP with Aisha (admin, creator), Omar and Maryam as members."""
    group.c.fake.set_admins(GROUP, [1])
    await group.send(1, "/circle")
    await group.send(2, "/join")
    await group.send(3, "/join")
    return group

"""What the scheduler needs from the way out to Telegram — and nothing of Telegram itself.

The bot's outbox (`bot/outbox.py`) implements `Sender`; the scheduler gets one injected. Buttons are plain
data (rows of label and callback data), so no Telegram type crosses this line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

Buttons = Sequence[Sequence[tuple[str, str]]]  # rows of (label, callback data)
Lane = Literal["reply", "bulk"]  # a reply to someone waiting, or a message nobody is waiting for


@dataclass(frozen=True)
class Delivery:
    """How one send (or edit) ended.

    outcome: "sent"; "unchanged" (an edit to what the message already said); "blocked" (403: the user
    blocked the bot, or it was removed from the group — recorded by the outbox); "failed" (anything else:
    Telegram still asked to wait after the retries, a timeout, a refusal), `error` says which.
    """

    outcome: str
    message_ids: tuple[int, ...] = ()
    error: str | None = None
    reposted: bool = False  # an edit whose message was gone, posted afresh

    @property
    def ok(self) -> bool:
        return self.outcome in ("sent", "unchanged")

    @property
    def message_id(self) -> int | None:
        return self.message_ids[0] if self.message_ids else None


class Sender(Protocol):
    async def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        buttons: Buttons | None = None,
        thread_id: int | None = None,
        lane: Lane = "reply",
    ) -> Delivery: ...

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
    ) -> Delivery: ...

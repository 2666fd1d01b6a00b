"""What the bot waits for from a person (a timezone being typed, a confirmation), kept on their users row.

In the database, not in one process's memory: another instance, or this one after a restart, knows that
the next free text is a timezone. Each write starts a fresh expiry; an expired state reads as empty, so a
person who wandered off is not ambushed by a question from last week.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, MutableMapping
from datetime import datetime, timedelta
from typing import Any

from storage.models import User

EXPIRES_AFTER = timedelta(hours=24)


class ConversationState(MutableMapping[str, Any]):
    """A dict view of `user.conversation` (JSON values), written back on every change."""

    def __init__(self, user: User, now: datetime) -> None:
        self._user, self._now = user, now
        self._data: dict[str, Any] = {}
        expires = user.conversation_expires_at
        if user.conversation and expires is not None and expires > now:
            try:
                loaded = json.loads(user.conversation)
            except ValueError:
                loaded = {}
            self._data = loaded if isinstance(loaded, dict) else {}

    def _save(self) -> None:
        if self._data:
            self._user.conversation = json.dumps(self._data, ensure_ascii=False)
            self._user.conversation_expires_at = self._now + EXPIRES_AFTER
        elif self._user.conversation is not None:
            self._user.conversation = None
            self._user.conversation_expires_at = None

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._data[key] = value
        self._save()

    def __delitem__(self, key: str) -> None:
        del self._data[key]
        self._save()

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

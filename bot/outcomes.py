"""What an update was answered, kept with its claim so a redelivery gets the same answer (storage/updates.py).

Text, buttons, toasts and reactions are kept; a picture or a file is not (it was drawn or exported for the
first delivery): a redelivery repeats the caption-less rest of the answer and never redoes the work.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

_FIELDS = ("text", "edit", "location_keyboard", "remove_keyboard", "toast", "react")


def encode(replies: Sequence[Any]) -> str:
    """`replies`: bot.runtime.Reply objects (this module knows their fields, not the class)."""
    kept = []
    for reply in replies:
        if reply.photo is not None or reply.document is not None:
            continue
        item = {name: getattr(reply, name) for name in _FIELDS}
        item["buttons"] = [list(map(list, row)) for row in reply.buttons] if reply.buttons else None
        kept.append(item)
    # ASCII escapes: a lone surrogate echoed from a user's text stays encodable (docs/failures.md).
    return json.dumps(kept, ensure_ascii=True, separators=(",", ":"))


def decode(outcome: str) -> list[dict[str, Any]]:
    """The keyword arguments of each Reply, as encoded."""
    try:
        items = json.loads(outcome)
    except ValueError:
        return []
    replies = []
    for item in items if isinstance(items, list) else []:
        buttons = item.get("buttons")
        fields = {name: item[name] for name in _FIELDS if item.get(name) is not None}
        fields["buttons"] = [[(label, data) for label, data in row] for row in buttons] if buttons else None
        replies.append(fields)
    return replies

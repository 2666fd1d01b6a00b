"""Small text helpers shared by the rules and the bot."""

from __future__ import annotations


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary where possible, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"

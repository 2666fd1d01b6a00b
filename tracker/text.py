"""Small text helpers shared by the rules and the bot."""

from __future__ import annotations

import unicodedata

from tracker import arguments

# One table of the words that mean "turn it off" / "cancel it", whatever the command: /goal off,
# /remind kahf off, /khatm cancel, /wird stop (English and Arabic, with and without hamza).
OFF_WORDS = frozenset(
    {"off", "stop", "none", "cancel", "clear", "no goal", "إلغاء", "الغاء", "إيقاف", "ايقاف", "بدون"}
)


def is_off_word(text: str) -> bool:
    """ "off", " STOP ", "إلغاء", "ايقاف": the user asks to turn something off or cancel it (Arabic words
    compared as tracker.arguments folds them: no harakat, one hamza seat)."""
    folded = arguments.normalise(text.strip(), {"off": arguments.OFF})
    return unicodedata.normalize("NFKC", folded).strip().lower() in OFF_WORDS


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary where possible, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"

"""The words memorisers use: "memorized al-mulk", "حفظت الملك ١-١٠", "revised juz 30", "راجعت جزء عم".

`hifz_words(text)` finds the verb, says what it means (memorised or revised; sabaq, sabqi or manzil)
and hands back the rest of the message for the reading parser (`parse_reading`) to read the passage.
It is deliberately separate from the reading parser: a message is about hifz only when one of these
words comes before any passage ("الكهف في المنزل" — Al-Kahf at home — stays a reading), and a manzil the
reading parser reads as one of the seven divisions ("manzil 3") stays a reading too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from quran.names import normalize
from quran.parser import ParseError, parse_reading

MEMORISED = "memorised"
REVISED = "revised"

# normalised word -> (kind, part of the three-part routine or None)
_GROUPS: tuple[tuple[str, str | None, str], ...] = (
    (
        MEMORISED,
        None,
        "memorized memorised memorize memorise memorizing memorising hifz hifdh hifd hefz "
        "حفظت حفظ حفظنا احفظ حفظي",
    ),
    (MEMORISED, "sabaq", "sabaq sabak sabq سبق السبق"),
    (
        REVISED,
        None,
        "revised revise revising revision reviewed review murajaa muraja murajah murajaah "
        "راجعت راجع راجعنا اراجع مراجعه المراجعه تسميع سمعت التسميع",
    ),
    (REVISED, "sabqi", "sabqi sabki sabqee سبقي السبقي"),
    (REVISED, "manzil", "manzil manzel manzal منزل المنزل"),
)
_WORDS = {word: (kind, part) for kind, part, words in _GROUPS for word in words.split()}

_SHADDA = "\u0651"
_EDGES = re.compile(r"^[^\w]+|[^\w]+$")


@dataclass(frozen=True)
class HifzWords:
    kind: str  # MEMORISED or REVISED
    part: str | None  # "sabaq", "sabqi", "manzil" or None
    rest: str  # the message without the verb: the passage, for parse_reading


def _meaning(raw: str) -> tuple[str, str | None] | None:
    word = _EDGES.sub("", normalize(raw))
    found = _WORDS.get(word)
    if found is None and word.startswith("و"):  # "وراجعت": and revised
        found = _WORDS.get(word[1:])
    if found is not None and word.lstrip("و") == "سمعت" and _SHADDA not in raw:
        return None  # سمعت is "I heard"; سمّعت (with its shadda) is "I recited from memory"
    return found


def hifz_words(text: str) -> HifzWords | None:
    """The hifz meaning of `text`, or None when it is not about memorising or revising."""
    if not isinstance(text, str) or len(text) > 4096:
        return None
    tokens = text.split()
    for i, raw in enumerate(tokens[:6]):
        meaning = _meaning(raw)
        if meaning is None:
            continue
        before = " ".join(tokens[:i])
        if before.strip() and _is_passage(before):
            return None  # the passage came first: the word is part of a reading's sentence
        kind, part = meaning
        if part == "manzil" and i + 1 < len(tokens) and _is_passage(f"{raw} {tokens[i + 1]}"):
            return None  # "manzil 3", "المنزل الثالث": one of the Quran's seven manzils, a reading
        rest = " ".join(tokens[:i] + tokens[i + 1 :])
        return HifzWords(kind, part, rest)
    return None


def _is_passage(text: str) -> bool:
    try:
        return bool(parse_reading(text))
    except ParseError:
        return False

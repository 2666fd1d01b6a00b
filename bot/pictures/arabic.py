"""Arabic text for pictures: matplotlib draws code points left to right and never joins letters.

`shape()` turns a logical string (what people type) into its visual form: letters replaced by their
joined presentation forms (arabic-reshaper) and runs reordered right to left (the Unicode bidi
algorithm, python-bidi). Strings without Arabic pass through untouched, so Latin names stay as typed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from quran.digits import ARABIC_DECIMAL_SEPARATOR

# Arabic, Arabic Supplement, Arabic Extended-A, presentation forms A and B.
_BIDI_CONTROLS = str.maketrans(
    "", "", "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


def has_arabic(text: str) -> bool:
    return _ARABIC.search(text) is not None


@lru_cache(maxsize=4096)
def shape(text: str) -> str:
    """The visual form of `text` for a renderer without complex-script support (joined, RTL)."""
    if not has_arabic(text):
        return text
    from bidi import get_display  # the Rust implementation (UAX #9 with isolates)

    reshaper = _reshaper()
    lines = (get_display(reshaper.reshape(line)) for line in text.split("\n"))
    # The isolates and marks from the catalogue did their job in get_display; fonts have no glyph for them.
    return "\n".join(lines).translate(_BIDI_CONTROLS)


@lru_cache(maxsize=1)
def _reshaper():
    from arabic_reshaper import ArabicReshaper

    # Only the mandatory lam-alef ligatures: DejaVu Sans has no glyph for the word ligature "Allah"
    # (U+FDF2), so "عبد الله" would lose a word. Harakat and tanween are kept ("يوميًا", not "يوميا"):
    # matplotlib draws a mark with no advance over the glyph drawn just before it, so each mark is
    # moved before its letter here and, once get_display has reversed the line, lands after it.
    return ArabicReshaper(
        configuration={
            "ARABIC LIGATURE ALLAH": False,
            "delete_harakat": False,
            "shift_harakat_position": True,
        }
    )


def digits(value: int | float | str, lang: str) -> str:
    """A number (or a text with Western digits, such as a formatted date) as `lang` writes it, through
    the same Babel formatting as the messages: "6,236" / "٦٬٢٣٦", "2.5" / "٢٫٥"."""
    from bot.i18n import translator

    t = translator(lang)
    if isinstance(value, str):
        return t.digits(value).replace(".", ARABIC_DECIMAL_SEPARATOR) if t.lang == "ar" else value
    return t.num(value, 0 if float(value).is_integer() else 1)


def percent(value: float, lang: str) -> str:
    """A whole percent as `lang` writes it, through the messages' Babel formatting: "42%", "٤٢٪"."""
    from bot.i18n import translator  # as in digits(): the picture worker imports the catalogues lazily

    return translator(lang).percent(value, 0)

"""The memorisers' words make a message about hifz; the passage is the reading parser's to read."""

from __future__ import annotations

import pytest

from quran import ParseError, parse_reading
from quran.hifz_words import MEMORISED, REVISED, hifz_words


@pytest.mark.parametrize(
    ("text", "kind", "part", "passage"),
    [
        ("memorized al-mulk", MEMORISED, None, ["Al-Mulk"]),
        ("Memorised Al-Mulk today", MEMORISED, None, ["Al-Mulk"]),
        ("today I memorized juz 30", MEMORISED, None, ["An-Naba 1 – An-Naas 6"]),
        ("حفظت الملك ١-١٠", MEMORISED, None, ["Al-Mulk 1–10"]),
        ("حفظتُ سورة الملك", MEMORISED, None, ["Al-Mulk"]),
        ("sabaq an-naba 1-16", MEMORISED, "sabaq", ["An-Naba 1–16"]),
        ("السبق النبأ ١-١٦", MEMORISED, "sabaq", ["An-Naba 1–16"]),
        ("revised juz 30", REVISED, None, ["An-Naba 1 – An-Naas 6"]),
        ("راجعت جزء عم", REVISED, None, ["An-Naba 1 – An-Naas 6"]),
        ("مراجعة الملك", REVISED, None, ["Al-Mulk"]),
        ("وراجعت الملك", REVISED, None, ["Al-Mulk"]),
        ("تسميع جزء عم", REVISED, None, ["An-Naba 1 – An-Naas 6"]),
        ("سمّعت الملك", REVISED, None, ["Al-Mulk"]),
        ("sabqi pages 580-582", REVISED, "sabqi", None),
        ("سبقي صفحة ٥٨٠-٥٨٢", REVISED, "sabqi", None),
        ("manzil juz 29", REVISED, "manzil", None),
        ("المنزل جزء تبارك", REVISED, "manzil", None),
        ("muraja'a al-kahf", REVISED, None, ["Al-Kahf"]),
        ("revised", REVISED, None, None),
    ],
)
def test_hifz_words(text, kind, part, passage):
    found = hifz_words(text)
    assert found is not None and (found.kind, found.part) == (kind, part)
    if passage is not None:
        assert [str(s) for s in parse_reading(found.rest)] == passage


@pytest.mark.parametrize(
    "text",
    [
        "al-mulk",
        "read juz 30",
        "الكهف ١-١٠",
        "قرأت الكهف في المنزل",  # Al-Kahf at home: a reading, not the manzil
        "سمعت الملك",  # "I heard Al-Mulk" (no shadda): not a recitation from memory
        "al-kahf then revised",  # the passage came first
        "",
        "x" * 5000,
    ],
)
def test_not_hifz(text):
    assert hifz_words(text) is None


@pytest.mark.parametrize("text", ["manzil 3", "المنزل الثالث", "read manzil 3", "منزل ٣"])
def test_a_manzil_the_reading_parser_reads_is_a_reading(text):
    """The seven manzils are also a division of the Quran: what the reading parser reads as one (when it
    knows them) is a reading; otherwise the word is the routine's old revision."""
    try:
        parse_reading(text)
        reading = True
    except ParseError:
        reading = False
    found = hifz_words(text)
    assert (found is None) == reading
    if found is not None:
        assert found.part == "manzil"

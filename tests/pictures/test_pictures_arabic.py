"""Arabic in pictures: joined presentation forms in visual (right-to-left) order, in a font that has them."""

from __future__ import annotations

import unicodedata

import pytest

from bot.pictures import digits, has_arabic, shape
from bot.pictures.charts import _text, font_path

KAHF = "الكهف"


def test_shaping_joins_the_letters_and_reverses_them():
    shaped = shape(KAHF)
    assert shaped != KAHF
    assert len(shaped) == len(KAHF)
    assert all(0xFE70 <= ord(c) <= 0xFEFF for c in shaped)  # presentation forms B
    # Visual order: the last letter (feh, final form) is drawn first, on the left.
    assert [unicodedata.name(c) for c in shaped] == [
        "ARABIC LETTER FEH FINAL FORM",
        "ARABIC LETTER HEH MEDIAL FORM",
        "ARABIC LETTER KAF MEDIAL FORM",
        "ARABIC LETTER LAM INITIAL FORM",
        "ARABIC LETTER ALEF ISOLATED FORM",
    ]


def test_words_run_right_to_left_and_latin_stays_as_typed():
    assert shape("Aisha Rahman") == "Aisha Rahman"
    mixed = shape("يوسف Yusuf")
    assert mixed.startswith("Yusuf ")  # the Arabic word comes first, so it is drawn rightmost
    numbered = shape("آخر ٣٠ يومًا")
    assert "٣٠" in numbered  # digits keep their left-to-right order inside right-to-left text
    assert shape("سطر\nسطر") == shape("سطر") + "\n" + shape("سطر")


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize(
    "text",
    [
        KAHF,
        "عبد الله",
        "الصفحات المقروءة — آخر ٣٠ يومًا",
        "لا إله إلا الله",
        "الأجزاء",
        "المتتالية",
        "١٢ رمضان ١٤٤٧ هـ",
        "يوميًا مُحمَّد ٣٠ يومًا",
    ],
)
def test_the_font_has_a_glyph_for_every_shaped_character(text, bold):
    from matplotlib.ft2font import FT2Font

    font = FT2Font(font_path(bold))
    shaped = shape(text)
    missing = [
        unicodedata.name(c, hex(ord(c))) for c in shaped if c != " " and font.get_char_index(ord(c)) == 0
    ]
    assert missing == []


def test_word_ligatures_the_font_lacks_are_not_used():
    # U+FDF2 ARABIC LIGATURE ALLAH is not in DejaVu Sans: the word is spelled out instead.
    assert "\ufdf2" not in shape("عبد الله")
    assert "\ufefb" in shape("لا")  # the mandatory lam-alef ligature is kept


def test_characters_without_a_glyph_are_dropped_not_boxed():
    assert _text("Fatima 🌙") == "Fatima"
    assert _text("  a \n b ") == "a b"


def test_helpers():
    assert has_arabic(KAHF) and not has_arabic("Al-Kahf 18")
    assert digits(1234, "ar") == "١٬٢٣٤"  # the Arabic thousands mark, as in the messages
    assert digits(180.5, "ar") == "١٨٠٫٥"
    assert digits(7.0, "en") == "7"
    assert digits("12", "en") == "12"


@pytest.mark.parametrize(
    ("text", "letter", "mark"), [("يوميًا", "YEH MEDIAL", "FATHATAN"), ("مُحمَّد", "MEEM", "DAMMA")]
)
def test_harakat_and_tanween_are_kept_on_their_letter(text, letter, mark):
    shaped = shape(text)
    names = [unicodedata.name(c) for c in shaped]
    assert f"ARABIC {mark}" in names  # not dropped: "يوميًا" is not "يوميا"
    # Drawn left to right, a mark with no advance sits on the glyph before it: its own letter.
    i = names.index(f"ARABIC {mark}")
    assert letter in names[i - 1], names


def test_isolates_from_the_catalogue_do_not_reach_the_picture():
    shaped = shape("المنطقة \u2068Asia/Riyadh\u2069 \u2066/goal\u2069")
    assert not set(shaped) & set("\u2066\u2067\u2068\u2069")
    assert "Asia/Riyadh" in shaped and "/goal" in shaped


def test_grid_percent_labels_are_formatted_as_the_messages_format_them():
    from bot.i18n import translator
    from bot.pictures.arabic import percent

    assert percent(42, "ar") == translator("ar").percent(42, 0) == "٤٢٪"  # CLDR: the sign after the number
    assert percent(42, "en") == "42%"

"""What the user is told when a message is not a valid reading: codes, params and English messages."""

from __future__ import annotations

import pytest

from quran import MAX_MESSAGE_CHARS, ParseError, parse_reading


def _err(text: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse_reading(text)
    return info.value


def test_parse_error_is_a_value_error():
    err = _err("hello")
    assert isinstance(err, ValueError)
    assert str(err) == err.message


def test_ayah_out_of_range_range():
    err = _err("kahf 1-200")
    assert err.code == "ayah_out_of_range"
    assert err.message == "Al-Kahf has 110 ayahs, so 1–200 is out of range."
    assert err.params == {"surah": 18, "ayah_count": 110, "start": 1, "end": 200}


def test_ayah_out_of_range_single():
    err = _err("Al-Kahf 111")
    assert err.message == "Al-Kahf has 110 ayahs, so ayah 111 is out of range."
    assert err.params["surah"] == 18 and err.params["start"] == 111


def test_arabic_out_of_range_names_the_surah():
    err = _err("البقرة ٣٠٠")
    assert err.code == "ayah_out_of_range"
    assert err.message.startswith("Al-Baqara has 286 ayahs")


def test_unknown_surah_suggests_the_close_one():
    err = _err("kahv 1-10")
    assert err.code == "unknown_surah"
    assert err.message == "I don't know a surah called 'kahv' — did you mean Al-Kahf?"
    assert err.params == {"given": "kahv", "suggestions": [18]}


def test_unknown_surah_without_suggestion_says_how_to_write_it():
    err = _err("surah blorf")
    assert err.code == "unknown_surah" and err.params["suggestions"] == []
    assert "'blorf'" in err.message and "surah 18" in err.message


def test_ambiguous_surah_lists_candidates_and_does_not_guess():
    err = _err("surah muminu")
    assert err.code == "ambiguous_surah"
    assert set(err.params["candidates"]) == {23, 40}
    assert "Al-Muminoon" in err.message and "Al-Ghaafir" in err.message


def test_reversed_range_suggests_the_right_order():
    err = _err("kahf 20-1")
    assert err.code == "reversed_range"
    assert err.message == "Al-Kahf 20–1 runs backwards — did you mean Al-Kahf 1–20?"
    assert err.params == {"unit": "ayah", "surah": 18, "start": 20, "end": 1}
    err = _err("juz 5-3")
    assert err.code == "reversed_range" and "juz 3–5" in err.message
    err = _err("maryam 10 to kahf 75")
    assert "did you mean Al-Kahf 75 – Maryam 10?" in err.message


@pytest.mark.parametrize(
    ("text", "code", "needle"),
    [
        ("juz 31", "juz_out_of_range", "There are 30 juz, so juz 31 is out of range."),
        ("page 605", "page_out_of_range", "604 pages, so page 605 is out of range."),
        ("hizb 61", "hizb_out_of_range", "There are 60 hizb, so hizb 61 is out of range."),
        ("quarter 241", "hizb_quarter_out_of_range", "240 hizb quarters"),
        ("surah 115", "surah_out_of_range", "There are 114 surahs, so surah 115 is out of range."),
        ("115:1", "surah_out_of_range", "surah 115"),
    ],
)
def test_unit_out_of_range(text, code, needle):
    err = _err(text)
    assert err.code == code
    assert needle in err.message


def test_huge_numbers_are_refused_politely():
    err = _err("kahf " + "9" * 4000)
    assert err.code == "ayah_out_of_range"
    assert len(err.message) < 200 and "…" in err.message
    assert _err("9" * 4000 + ":1").code == "surah_out_of_range"
    assert _err("9" * 5000 + ":1").code == "too_long"


def test_empty_and_unrelated():
    for text in ("", "   ", "✅", "..."):
        err = _err(text)
        assert err.code == "empty" and "Al-Kahf 1–20" in err.message
    for text in ("hello", "what's up", "thanks", "السلام عليكم"):
        assert _err(text).code == "not_a_reading"


def test_missing_context_and_number():
    err = _err("1-20")
    assert err.code == "missing_context" and err.params == {"start": 1, "end": 20}
    assert "Al-Kahf 1–20" in err.message
    err = _err("juz")
    assert err.code == "missing_number" and err.params == {"unit": "juz"}
    err = _err("kahf 5 to")
    assert err.code == "incomplete_range" and err.params == {"surah": 18, "start": 5}


def test_too_long():
    assert parse_reading("kahf " + " " * (MAX_MESSAGE_CHARS - 10)) != []
    err = _err("kahf" + " " * MAX_MESSAGE_CHARS)
    assert err.code == "too_long" and err.params["max_length"] == MAX_MESSAGE_CHARS


def test_first_error_wins_and_nothing_is_half_parsed():
    err = _err("kahf 1-10, baqarah 300")
    assert err.code == "ayah_out_of_range" and err.params["surah"] == 2

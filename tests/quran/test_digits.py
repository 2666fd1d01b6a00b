"""quran.digits: the one digit table, both ways."""

from __future__ import annotations

from quran.digits import to_arabic_digits, to_ascii_digits


def test_arabic_indic_and_persian_digits_read_as_ascii():
    assert to_ascii_digits("٧:٣٠") == "7:30"
    assert to_ascii_digits("۱۲ pages") == "12 pages"
    assert to_ascii_digits("kahf 1-10") == "kahf 1-10"


def test_numbers_written_with_arabic_indic_digits():
    assert to_arabic_digits(1447) == "١٤٤٧"
    assert to_ascii_digits(to_arabic_digits("2026-03-10")) == "2026-03-10"

"""Smaller rules: yesterday, timezones from what people type, the finish estimate."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from quran import Ayah, ParseError
from quran.parser import parse_message
from tracker.progress import continue_point, estimate_finish
from tracker.text import is_off_word
from tracker.timezones import find_timezone, offset_zone, utc_offset_minutes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yesterday Al-Kahf 1-10", (True, "Al-Kahf 1-10")),
        ("Yesterday: juz 3", (True, ": juz 3")),
        ("read al-mulk yesterday", (True, "read al-mulk")),
        ("أمس الكهف ١-١٠", (True, "الكهف ١-١٠")),
        ("Al-Kahf 1-10", (False, "Al-Kahf 1-10")),
        ("yesterdays", (False, "yesterdays")),
    ],
)
def test_yesterday_is_read_by_the_parser(text, expected):
    """One rule for "yesterday": the parser's day words (quran.parser.Parsed.days_ago), and the rest of
    the message is the reading."""
    yesterday, rest = expected
    try:
        parsed = parse_message(text)
    except ParseError:
        parsed = None
    assert (parsed is not None and parsed.days_ago == 1) == yesterday
    if parsed is not None:
        assert parsed.spans == parse_message(rest).spans


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/London", "Europe/London"),
        ("asia/kathmandu", "Asia/Kathmandu"),
        ("London", "Europe/London"),
        ("new york", "America/New_York"),
        ("Mumbai", "Asia/Kolkata"),
        ("makkah", "Asia/Riyadh"),
        ("القاهرة", "Africa/Cairo"),
        ("lahor", "Asia/Karachi"),
        ("UTC+3", "Etc/GMT-3"),
        ("utc-5", "Etc/GMT+5"),
        ("GMT", "GMT"),
        ("Atlantis", None),
        ("", None),
        ("+5:30", "UTC+05:30"),
        ("UTC+5:30", "UTC+05:30"),
        ("+05:45", "UTC+05:45"),
        ("GMT-3:30", "UTC-03:30"),
        ("UTC+5:31", None),
        ("UTC+15", None),
    ],
)
def test_find_timezone(typed, zone):
    assert find_timezone(typed) == zone


def test_offset_zones_have_posix_inverted_signs():
    assert offset_zone(3) == "Etc/GMT-3"
    assert utc_offset_minutes(offset_zone(3), datetime(2026, 1, 1, tzinfo=UTC)) == 180
    assert utc_offset_minutes("Asia/Kathmandu", datetime(2026, 1, 1, tzinfo=UTC)) == 345
    assert utc_offset_minutes("America/St_Johns", datetime(2026, 1, 1, tzinfo=UTC)) == -210


def test_continue_point_prefers_right_after_the_latest_reading():
    merged = [(1, 7), (2141, 2160)]  # Al-Fatiha, Al-Kahf 1-20
    assert continue_point(merged, 2160) == Ayah(18, 21)
    assert continue_point(merged, 7) == Ayah(2, 1)
    assert continue_point([(1, 6236)], 6236) is None
    assert continue_point([(5, 6236)], 6236) == Ayah(1, 1)  # wraps round to the first gap


def test_estimate_finish():
    assert estimate_finish(100, 10.0, date(2026, 1, 1)) == date(2026, 1, 11)
    assert estimate_finish(101, 10.0, date(2026, 1, 1)) == date(2026, 1, 12)
    assert estimate_finish(100, 0.0, date(2026, 1, 1)) is None


def test_one_table_of_off_words_for_every_command():
    for word in ("off", " STOP ", "cancel", "إلغاء", "الغاء", "ايقاف", "none"):
        assert is_off_word(word), word
    for word in ("7:30", "often", "2 pages", ""):
        assert not is_off_word(word), word

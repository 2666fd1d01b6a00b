"""Amounts continuing the khatm, the day a message means, and fixed offsets with minutes (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from quran import Ayah, Span, hizb_span, juz_of, juz_span, page_of, page_span
from tracker.amounts import continue_span, reading_day
from tracker.clock import local_date, zone
from tracker.timezones import find_timezone, looks_like_offset, offset_minutes_zone, utc_offset_minutes


def test_pages_count_the_page_the_khatm_stopped_in_as_the_first():
    start = Ayah(19, 10)  # in the middle of its page
    got = continue_span(start, "page", 2)
    assert got.span == Span(start, page_span(page_of(start.index) + 1).end)
    assert not got.capped


@pytest.mark.parametrize(
    ("unit", "count", "end"),
    [
        ("juz", 2, juz_span(juz_of(Ayah(2, 142).index) + 1).end),
        ("hizb", 1, hizb_span(3).end),  # Al-Baqara 142 opens hizb 3
        ("ayah", 20, Ayah(2, 161)),
    ],
)
def test_other_units(unit, count, end):
    assert continue_span(Ayah(2, 142), unit, count).span == Span(Ayah(2, 142), end)


def test_an_amount_past_the_end_stops_at_an_naas():
    got = continue_span(Ayah(114, 1), "juz", 3)
    assert got.span == Span(Ayah(114, 1), Ayah(114, 6)) and got.capped
    assert continue_span(Ayah(114, 1), "ayah", 10).capped


def test_reading_day():
    friday = date(2026, 11, 27)
    assert friday.weekday() == 4
    assert reading_day(friday, 2) == date(2026, 11, 25)
    assert reading_day(friday, weekday=4) == friday  # "on Friday", said on a Friday: today
    assert reading_day(friday + timedelta(days=1), weekday=4) == friday
    assert reading_day(friday, weekday=5) == date(2026, 11, 21)  # the most recent Saturday, not tomorrow
    with pytest.raises(ValueError):
        reading_day(friday, 61)


def test_offsets_with_minutes_are_fixed_zones_shown_as_utc_offsets():
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    assert offset_minutes_zone(330) == "UTC+05:30"
    assert offset_minutes_zone(-210) == "UTC-03:30"
    assert offset_minutes_zone(180) == "Etc/GMT-3"
    with pytest.raises(ValueError):
        offset_minutes_zone(331)
    assert zone("UTC+05:30").utcoffset(now) == timedelta(hours=5, minutes=30)
    assert zone("UTC-03:30").utcoffset(now) == -timedelta(hours=3, minutes=30)
    assert local_date(datetime(2026, 6, 1, 19, 0, tzinfo=UTC), "UTC+05:30") == date(2026, 6, 2)
    assert utc_offset_minutes("UTC+05:45", now) == 345
    assert utc_offset_minutes("Etc/GMT-3", now) == 180


@pytest.mark.parametrize(
    ("text", "shaped"),
    [
        ("UTC+5:30", True),
        ("+05:45", True),
        ("GMT-3:30", True),
        ("utc +15", True),
        ("5:30", False),
        ("kahf", False),
        ("غرينتش+٣", True),
        # A letter is not a sign: the sign's class once read "+ to −" as a range, which holds every
        # letter and digit between U+002B and U+2212 (Latin, Arabic "ص" for a page, ...).
        ("a3", False),
        ("ص٥", False),
        ("utc53", True),  # shaped like one (then refused: there is no UTC+53)
    ],
)
def test_offset_shaped_text(text, shaped):
    assert looks_like_offset(text) is shaped


@pytest.mark.parametrize(
    ("text", "zone_name"),
    [
        ("غرينتش+٣", "Etc/GMT-3"),  # as CLDR writes an offset in Arabic, and the buttons show it
        ("توقيت غرينتش +٥:٣٠", "UTC+05:30"),
        ("جرينتش-٥", "Etc/GMT+5"),
        ("+٣", "Etc/GMT-3"),
        ("غرينتش", "UTC"),
        ("UTC−5", "Etc/GMT+5"),
        # Never a guess from a letter and a number (they read as offsets: "k5" was UTC+5).
        ("k5", None),
        ("x12", None),
        ("utc53", None),
        ("gmt=3", None),
    ],
)
def test_typed_offsets_in_both_scripts(text, zone_name):
    assert find_timezone(text) == zone_name

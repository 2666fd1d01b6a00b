"""Hijri dates by Umm al-Qura, checked against dates announced for Ramadan."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.i18n import translator
from tracker.hijri import days_until_ramadan, format_hijri, hijri_date, is_ramadan


@pytest.mark.parametrize(
    ("gregorian", "hijri"),
    [
        (date(2025, 3, 1), (1446, 9, 1)),  # 1 Ramadan 1446
        (date(2025, 3, 30), (1446, 10, 1)),  # Eid al-Fitr 1446
        (date(2026, 2, 18), (1447, 9, 1)),  # 1 Ramadan 1447 (Umm al-Qura)
        (date(2027, 2, 8), (1448, 9, 1)),
        (date(2024, 7, 7), (1446, 1, 1)),  # Islamic new year 1446
    ],
)
def test_known_conversions(gregorian, hijri):
    assert hijri_date(gregorian) == hijri


def test_format():
    assert format_hijri(date(2026, 3, 1), "en") == "12 Ramadan 1447 AH"
    # Western digits from the rule; the bot writes them as Arabic does, like every other number
    assert translator("ar").digits(format_hijri(date(2026, 3, 1), "ar")) == "١٢ رمضان ١٤٤٧ هـ"
    assert format_hijri(date(2024, 7, 7), "en") == "1 Muharram 1446 AH"
    assert format_hijri(date(2024, 7, 7), "fr") == "1 Muharram 1446 AH"  # unknown language: English


def test_days_until_ramadan():
    assert days_until_ramadan(date(2026, 2, 17)) == 1
    assert days_until_ramadan(date(2026, 2, 1)) == 17
    ramadan = [date(2026, 2, 18) + timedelta(days=i) for i in range(29)]
    assert all(days_until_ramadan(d) == 0 and is_ramadan(d) for d in ramadan)
    eid = date(2026, 3, 20)
    assert hijri_date(eid) == (1447, 10, 1)
    assert not is_ramadan(eid)
    assert days_until_ramadan(eid) == (date(2027, 2, 8) - eid).days


def test_dates_outside_the_calendar_are_value_errors():
    with pytest.raises(ValueError):
        hijri_date(date(1900, 1, 1))
    with pytest.raises(ValueError):
        days_until_ramadan(date(2077, 10, 1))  # Ramadan 1500 is the calendar's last; 1501 is beyond

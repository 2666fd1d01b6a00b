"""When a reminder is due, in UTC, from the user's local time: offsets, DST gaps and overlaps, moves."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from tracker.reminders import next_due, parse_request, parse_time


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("timezone", "expected"),
    [
        ("Asia/Kolkata", utc(2026, 3, 10, 2, 0)),  # 07:30 at +5:30
        ("Asia/Kathmandu", utc(2026, 3, 10, 1, 45)),  # 07:30 at +5:45
        ("Pacific/Kiritimati", utc(2026, 3, 10, 17, 30)),  # 07:30 on 11 March at +14
        ("Pacific/Pago_Pago", utc(2026, 3, 10, 18, 30)),  # 07:30 on 10 March at −11
    ],
)
def test_next_due_for_odd_offsets(timezone, expected):
    assert next_due(time(7, 30), timezone, utc(2026, 3, 10, 0, 0)) == expected


def test_next_due_is_strictly_after():
    at = utc(2026, 3, 10, 2, 0)
    assert next_due(time(7, 30), "Asia/Kolkata", at) == utc(2026, 3, 11, 2, 0)


@pytest.mark.parametrize(
    ("timezone", "day_before", "expected"),
    [
        # Spring forward: 01:30 does not exist in London on 29 March (01:00 -> 02:00):
        # sent just after the gap.
        ("Europe/London", utc(2026, 3, 28, 12), utc(2026, 3, 29, 1, 30)),
        # Fall back: 01:30 happens twice in London on 25 October: the first one.
        ("Europe/London", utc(2026, 10, 24, 12), utc(2026, 10, 25, 0, 30)),
        # New York springs forward at 02:00, so 01:30 still exists (EST) on 8 March...
        ("America/New_York", utc(2026, 3, 7, 12), utc(2026, 3, 8, 6, 30)),
        # ...and falls back at 02:00 on 1 November: 01:30 EDT comes first.
        ("America/New_York", utc(2026, 10, 31, 12), utc(2026, 11, 1, 5, 30)),
    ],
)
def test_a_0130_reminder_on_dst_days(timezone, day_before, expected):
    first = next_due(time(1, 30), timezone, day_before)
    assert first == expected
    # The next one is the following local day, never the repeated 01:30 of the same day.
    following = next_due(time(1, 30), timezone, first)
    assert (following - first).total_seconds() >= 23 * 3600


def test_spring_forward_gap_time_itself():
    # 02:30 does not exist in New York on 8 March 2026; it is sent at 03:30 EDT (07:30 UTC).
    assert next_due(time(2, 30), "America/New_York", utc(2026, 3, 7, 12)) == utc(2026, 3, 8, 7, 30)


def test_weekly_on_fridays():
    friday = next_due(time(9, 0), "Asia/Riyadh", utc(2026, 3, 9, 12), weekday=4)  # from a Monday
    assert friday == utc(2026, 3, 13, 6, 0)
    assert next_due(time(9, 0), "Asia/Riyadh", friday, weekday=4) == utc(2026, 3, 20, 6, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07:30", time(7, 30)),
        ("7:30", time(7, 30)),
        ("21", time(21, 0)),
        ("9pm", time(21, 0)),
        ("12am", time(0, 0)),
        ("9.15", time(9, 15)),
        ("٧:٣٠", time(7, 30)),
        ("24:00", None),
        ("7:60", None),
        ("13pm", None),
        ("soon", None),
    ],
)
def test_parse_time(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["07:30"], ("daily", [time(7, 30)])),
        (["21:00", "6:00"], ("daily", [time(6, 0), time(21, 0)])),
        (["off"], ("all", [])),  # "/remind off" is every reminder
        (["daily", "off"], ("daily", [])),
        (["daily", "7:30"], ("daily", [time(7, 30)])),
        (["streak", "22:00"], ("streak", [time(22, 0)])),
        (["Kahf", "OFF"], ("kahf", [])),
        (["weekly", "8am"], ("weekly", [time(8, 0)])),
    ],
)
def test_remind_requests(words, expected):
    assert parse_request(words) == expected


@pytest.mark.parametrize(
    "words", [["soon"], ["1:00", "2:00", "3:00", "4:00"], ["streak", "20:00", "21:00"], []]
)
def test_remind_requests_refused(words):
    with pytest.raises(ValueError):
        parse_request(words)

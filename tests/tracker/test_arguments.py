"""Arabic argument words for every command, read as the English ones (tracker/arguments.py)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from tracker import arguments, circles, goals, reminders
from tracker.text import is_off_word

TODAY = date(2026, 3, 1)


@pytest.mark.parametrize(
    ("words", "kind", "times"),
    [
        (["الكهف", "١٠:٠٠"], "kahf", [time(10)]),
        (["كهف", "10:00"], "kahf", [time(10)]),
        (["إيقاف"], "all", []),  # "/remind off" alone is every reminder (tracker.reminders.ALL)
        (["ايقاف"], "all", []),
        (["الكهف", "إيقاف"], "kahf", []),
        (["السلسلة", "٢٢:٠٠"], "streak", [time(22)]),
        (["السلسلة", "إلغاء"], "streak", []),
        (["أسبوعي", "٩:٠٠"], "weekly", [time(9)]),
        (["اسبوعي", "9:00"], "weekly", [time(9)]),
        (["٧:٣٠", "٢١:٠٠"], "daily", [time(7, 30), time(21)]),
        (["kahf", "off"], "kahf", []),  # English unchanged
    ],
)
def test_remind_takes_arabic_words(words, kind, times):
    assert reminders.parse_request(words) == (kind, times)


@pytest.mark.parametrize(
    ("text", "kind", "amount"),
    [
        ("صفحة", "pages", 1),
        ("صفحتين", "pages", 2),
        ("صفحتان", "pages", 2),
        ("٣ صفحات", "pages", 3),
        ("١٥ صفحة", "pages", 15),
        ("جزء", "juz", 1),
        ("جزأين", "juz", 2),
        ("جزءين", "juz", 2),
        ("٣ أجزاء", "juz", 3),
        ("آية", "ayahs", 1),
        ("آيتين", "ayahs", 2),
        ("٢٠ آية", "ayahs", 20),
        ("١٠ آيات", "ayahs", 10),
        ("جزء كل يوم", "juz", 1),
        ("2 pages", "pages", 2),
    ],
)
def test_goal_units_in_singular_dual_and_plural(text, kind, amount):
    spec = goals.parse_goal(text, TODAY)
    assert (spec.kind, spec.amount) == (kind, amount)


@pytest.mark.parametrize(
    ("text", "days"),
    [("ختمة خلال ٦٠ يومًا", 60), ("ختمة خلال ٦٠ يوما", 60), ("ختمة في ٣٠ يومًا", 30), ("ختمة خلال ٥ أيام", 5)],
)
def test_goal_khatm_within_days_in_arabic(text, days):
    assert goals.parse_goal(text, TODAY).target_date == TODAY + timedelta(days=days - 1)


def test_goal_khatm_by_a_date_in_arabic():
    assert goals.parse_goal("ختمة بحلول ٢٠٢٧-٠٣-٠١", TODAY).target_date == date(2027, 3, 1)


@pytest.mark.parametrize("text", ["إيقاف", "ايقاف", "إلغاء", "off", "none"])
def test_goal_off_in_arabic(text):
    assert goals.is_clear_request(text)


@pytest.mark.parametrize(("text", "days"), [("١٥ يومًا", 15), ("١٠ أيام", 10), ("يومين", 2), ("10 days", 10)])
def test_khatm_deadline_in_arabic_days(text, days):
    assert circles.parse_deadline(text, TODAY) == TODAY + timedelta(days=days)


def test_unknown_arabic_words_are_still_refused():
    with pytest.raises(ValueError):
        reminders.parse_request(["غدا"])
    with pytest.raises(goals.GoalError):
        goals.parse_goal("كثيرًا", TODAY)


def test_words_compare_without_marks_or_hamza_seats():
    assert arguments.fold("إيقافٌ") == arguments.fold("ايقاف")
    assert arguments.fold("يومًا") == arguments.fold("يوما")
    assert arguments.fold("١٠") == "10"


@pytest.mark.parametrize("text", ["إيقاف", "ايقاف", "إلغاء", "الغاء", "off", "Stop", "cancel"])
def test_khatm_and_wird_stop_words(text):
    assert is_off_word(text)


@pytest.mark.parametrize("text", ["2", "١٠ أيام", "2026-04-01", ""])
def test_other_khatm_and_wird_arguments_are_not_stop_words(text):
    assert not is_off_word(text)

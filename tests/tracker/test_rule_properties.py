"""Three rules checked against an independent, brute-force computation of what their docs say."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from quran import TOTAL_AYAHS
from storage.models import Goal
from storage.repos import Window
from tests.tracker.oracles import covered_before
from tracker import coverage, goals
from tracker.progress import PACE_DAYS, pace, window_pace
from tracker.progress import window_start as first_day_of_window
from tracker.streaks import compute_streak

TODAY = date(2026, 3, 31)
N_DAYS = 40


# ------------------------------------------------------------------ /streak: excused days of this streak only
@given(
    read=st.sets(st.integers(0, N_DAYS - 1), max_size=N_DAYS),
    excused=st.sets(st.integers(0, N_DAYS - 1), max_size=12),
)
@settings(max_examples=400, deadline=None)
def test_streak_lists_only_the_excused_days_inside_the_current_streak(read, excused):
    read_days = {TODAY - timedelta(days=n) for n in read}
    excused_days = {TODAY - timedelta(days=n) for n in excused} - read_days
    s = compute_streak(read_days, excused_days, TODAY, grace_per_week=0)
    # Independently: walk back from today over days that are read or excused (today never breaks it).
    stretch, day = [], TODAY
    while day in read_days or day in excused_days or day == TODAY:
        if day < TODAY - timedelta(days=N_DAYS):
            break
        stretch.append(day)
        day -= timedelta(days=1)
    reads = [d for d in stretch if d in read_days]
    expected = sorted(d for d in stretch if d in excused_days and reads and d > min(reads))
    assert s.current == len(reads)
    assert sorted(s.excused) == expected


# ------------------------------------------------------------------------- the finish date's pace
rows_strategy = st.lists(
    st.tuples(st.integers(0, 30), st.integers(1, TOTAL_AYAHS), st.integers(0, 300)), max_size=25
)


@given(rows=rows_strategy, first_extra=st.integers(0, 60))
@settings(max_examples=300, deadline=None)
def test_pace_is_new_ayahs_over_the_whole_window(rows, first_extra):
    readings = [
        SimpleNamespace(
            start_index=start,
            end_index=min(TOTAL_AYAHS, start + length),
            local_date=TODAY - timedelta(days=ago),
            recorded_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=i),
            id=i,
        )
        for i, (ago, start, length) in enumerate(rows)
    ]
    first_day = min((r.local_date for r in readings), default=TODAY) - timedelta(days=first_extra)
    # What /progress computes (tracker.progress.window_pace) from what ReadingRepo.windows finds: the
    # window's readings, and earlier ones (here all of them: a superset is allowed).
    start = first_day_of_window(TODAY)
    window = Window(
        ranges=[(r.start_index, r.end_index) for r in readings if start <= r.local_date <= TODAY],
        before=[(r.start_index, r.end_index) for r in readings if r.local_date < start],
        first_day=first_day,
    )
    got = window_pace(window, TODAY)
    # Independently: a set of read ayahs, in reading-date order; only ayahs new to it count.
    seen: set[int] = set()
    new_in_window = 0
    window_start = TODAY - timedelta(days=PACE_DAYS - 1)
    for r in sorted(readings, key=lambda r: (r.local_date, r.recorded_at, r.id)):
        fresh = set(range(r.start_index, r.end_index + 1)) - seen
        seen |= fresh
        if r.local_date >= window_start:
            new_in_window += len(fresh)
    days = (TODAY - max(window_start, first_day)).days + 1
    expected = new_in_window / days if any(r.local_date >= window_start for r in readings) else 0.0
    assert abs(got - expected) < 1e-9


def test_pace_divides_by_the_whole_window_not_from_the_first_reading_inside_it():
    amounts = {TODAY - timedelta(days=30): 60.0, TODAY: 60.0}
    assert pace(amounts, TODAY) == 60.0 / PACE_DAYS  # not 60 a day: the window is two weeks


# ------------------------------------------------------------------- /next: the portion is unread
def _khatm_state(rows) -> tuple[list, int | None]:
    """What today_for_many hands the rule: the khatm's coverage, and where its latest reading ended."""
    merged = coverage.merge((r.start_index, r.end_index) for r in rows)
    latest = max(rows, key=lambda r: (r.recorded_at, r.id), default=None)
    return merged, latest.end_index if latest else None


@given(
    rows=st.lists(st.tuples(st.integers(1, TOTAL_AYAHS), st.integers(0, 400), st.booleans()), max_size=12),
    days=st.integers(1, 60),
)
@settings(max_examples=300, deadline=None)
def test_the_portion_never_includes_an_ayah_already_read(rows, days):
    user = SimpleNamespace(id=1, timezone="UTC")
    goal = Goal(kind="khatm_by", target_date=TODAY + timedelta(days=days - 1), started_on=TODAY)
    khatm_rows = [
        SimpleNamespace(
            start_index=start,
            end_index=min(TOTAL_AYAHS, start + length),
            local_date=TODAY if today else TODAY - timedelta(days=1),
            recorded_at=datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=i),
            id=i,
        )
        for i, (start, length, today) in enumerate(rows)
    ]
    todays = [(r.start_index, r.end_index) for r in khatm_rows if r.local_date == TODAY]
    before = covered_before(khatm_rows, TODAY)
    t = goals._today(user, TODAY, goal, [], todays, before, [], *_khatm_state(khatm_rows))
    read = set()
    for r in khatm_rows:
        read |= set(range(r.start_index, r.end_index + 1))
    if t.portion is None:
        assert t.met
        return
    portion = set(range(t.portion.first_index, t.portion.last_index + 1))
    assert not portion & read  # nothing of it is a re-read
    # and it is not cut short for nothing: it stops at today's share, a page end, or a read ayah
    natural = goals.portion_from(t.portion.start, t.unit, t.left)
    assert t.portion.last_index == natural.last_index or (t.portion.last_index + 1) in read


def test_next_after_two_logs_offers_no_ayah_already_read():
    """The issue's case: a khatm in 30 days, `2:100-150` then `2:1-10`: not Al-Baqara 11–169."""
    from quran import Ayah

    user = SimpleNamespace(id=1, timezone="UTC")
    goal = Goal(kind="khatm_by", target_date=TODAY + timedelta(days=29), started_on=TODAY)
    a, b = Ayah(2, 100).index, Ayah(2, 150).index
    c, d = Ayah(2, 1).index, Ayah(2, 10).index
    at = datetime(2026, 3, 31, 8, tzinfo=UTC)
    rows = [
        SimpleNamespace(start_index=a, end_index=b, local_date=TODAY, recorded_at=at, id=1),
        SimpleNamespace(
            start_index=c, end_index=d, local_date=TODAY, recorded_at=at + timedelta(hours=1), id=2
        ),
    ]
    before = covered_before(rows, TODAY)
    t = goals._today(user, TODAY, goal, [], [(a, b), (c, d)], before, [], *_khatm_state(rows))
    assert (t.portion.start, t.portion.end) == (Ayah(2, 11), Ayah(2, 99))

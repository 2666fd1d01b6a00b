"""`ReadingRepo.windows` on the optimistic path places the staged reading itself (its read cannot see
it). Checked against the window of the same readings with the staged one committed, for every case:
the staged reading dated before the window, in an open-ended window (khatm_by's "since today"), after
it, or in a bounded window (where it must give way)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.optimistic import NeedsLock
from storage.repos import Window, _with_staged
from tests.tracker.oracles import covered_before
from tracker import coverage
from tracker.progress import new_in

TODAY = date(2026, 3, 10)
KHATM, USER = 7, 1
# Small ayah ranges on few days: overlaps, re-reads and back-dated logs are the usual case.
readings = st.lists(
    st.tuples(st.integers(1, 40), st.integers(0, 12), st.integers(-4, 0)).map(
        lambda t: (t[0], min(40, t[0] + t[1]), TODAY + timedelta(days=t[2]))
    ),
    max_size=12,
)


class _Row:
    def __init__(self, start: int, end: int, day: date) -> None:
        self.start_index, self.end_index, self.local_date = start, end, day


def _window(rows: list[tuple[int, int, date]], first: date, last: date) -> Window:
    """The window as its SQL defines it (with every earlier reading as one that may reach into it)."""
    return Window(
        ranges=sorted({(a, b) for a, b, d in rows if first <= d <= last}),
        before=[(a, b) for a, b, d in rows if d < first],
        first_day=min((d for _, _, d in rows), default=None),
    )


@settings(max_examples=300, deadline=None)
@given(readings, st.tuples(st.integers(1, 40), st.integers(0, 12), st.integers(-4, 0)), st.integers(-3, 0))
def test_the_staged_reading_is_placed_as_committing_it_would(history, staged, first_offset):
    a, length, offset = staged
    s = (a, min(40, a + length), TODAY + timedelta(days=offset))
    first = TODAY + timedelta(days=first_offset)
    probe = (USER, KHATM, first, date.max)
    had = coverage.to_bytes(coverage.mask_of((x, y) for x, y, _ in history))
    row = {"user_id": USER, "khatm_id": KHATM, "start_index": s[0], "end_index": s[1], "local_date": s[2]}
    placed = _with_staged(_window(history, first, date.max), probe, row, had)
    committed = _window([*history, s], first, date.max)
    assert new_in(placed) == new_in(committed)
    assert placed.first_day == committed.first_day
    # and what a khatm_by goal makes of it: the coverage less what the window added, covered before
    everything = coverage.mask_of((x, y) for x, y, _ in [*history, s])
    rows = [_Row(*r) for r in [*history, s]]
    assert everything.bit_count() - new_in(placed) == covered_before(rows, first)


@given(readings, st.integers(1, 40))
def test_in_a_bounded_window_it_gives_way(history, a):
    """A later reading might have covered the same ayahs: that needs another read, so the lock path."""
    row = {"user_id": USER, "khatm_id": KHATM, "start_index": a, "end_index": a, "local_date": TODAY}
    probe = (USER, KHATM, TODAY - timedelta(days=6), TODAY)
    with pytest.raises(NeedsLock):
        _with_staged(_window(history, probe[2], probe[3]), probe, row, b"")


def test_after_the_window_or_in_another_khatm_only_the_first_day_moves():
    window = Window([(5, 9)], [(1, 3)], TODAY)
    earlier = {"user_id": USER, "khatm_id": KHATM + 1, "start_index": 1, "end_index": 40,
               "local_date": TODAY - timedelta(days=3)}  # fmt: skip
    placed = _with_staged(window, (USER, KHATM, TODAY, date.max), earlier, b"")
    assert (placed.ranges, placed.before, placed.first_day) == ([(5, 9)], [(1, 3)], earlier["local_date"])
    later = {**earlier, "khatm_id": KHATM, "local_date": TODAY + timedelta(days=1)}
    placed = _with_staged(window, (USER, KHATM, TODAY - timedelta(days=2), TODAY), later, b"")
    assert (placed.ranges, placed.before, placed.first_day) == ([(5, 9)], [(1, 3)], TODAY)

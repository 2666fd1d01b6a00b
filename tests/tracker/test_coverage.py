"""Coverage: overlapping and repeated readings count once."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from quran import TOTAL_AYAHS, juz_span
from tracker import coverage

ranges = st.lists(
    st.tuples(st.integers(1, TOTAL_AYAHS), st.integers(0, 300)).map(
        lambda p: (p[0], min(TOTAL_AYAHS, p[0] + p[1]))
    ),
    max_size=40,
)


@given(ranges)
def test_merged_coverage_counts_each_ayah_once(rs):
    merged = coverage.merge(rs)
    expected = set()
    for a, b in rs:
        expected.update(range(a, b + 1))
    assert coverage.covered_count(merged) == len(expected)
    assert all(a <= b for a, b in merged)
    assert all(b1 + 1 < a2 for (_, b1), (a2, _) in pairwise(merged))


@given(ranges, st.integers(1, TOTAL_AYAHS))
def test_first_uncovered_is_the_next_gap_wrapping_round(rs, start):
    merged = coverage.merge(rs)
    covered = {i for a, b in rs for i in range(a, b + 1)}
    result = coverage.first_uncovered(merged, start)
    gaps = [i for i in range(start, TOTAL_AYAHS + 1) if i not in covered] or [
        i for i in range(1, TOTAL_AYAHS + 1) if i not in covered
    ]
    assert result == (gaps[0] if gaps else None)


def test_complete_juz_needs_every_ayah_of_it():
    j2 = juz_span(2)
    assert coverage.complete_juz(coverage.merge([(j2.first_index, j2.last_index)])) == [2]
    assert coverage.complete_juz(coverage.merge([(j2.first_index, j2.last_index - 1)])) == []
    # two halves that touch make a whole
    mid = (j2.first_index + j2.last_index) // 2
    assert coverage.complete_juz(coverage.merge([(j2.first_index, mid), (mid + 1, j2.last_index)])) == [2]


def test_everything_covered_leaves_nothing_to_continue():
    assert coverage.first_uncovered([(1, TOTAL_AYAHS)], 1) is None
    assert coverage.complete_pages([(1, TOTAL_AYAHS)]) == 604

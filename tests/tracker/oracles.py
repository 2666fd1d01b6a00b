"""The rules of the pace and of a khatm_by goal as their docs say them, replayed over every reading: the
slow reference the product's bounded queries (`ReadingRepo.windows`) are checked against."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from tracker import coverage


def new_ayahs_by_day(rows: list) -> dict[date, float]:
    """For one khatm's readings (start_index, end_index, local_date, recorded_at, id): how many ayahs each
    local day added to the khatm's coverage — readings taken in reading-date order, re-reads adding 0."""
    added: dict[date, float] = defaultdict(float)
    merged: list[coverage.Interval] = []
    for r in sorted(rows, key=lambda r: (r.local_date, r.recorded_at, r.id)):
        before = coverage.covered_count(merged)
        merged = coverage.merge([*merged, (r.start_index, r.end_index)])
        added[r.local_date] += coverage.covered_count(merged) - before
    return added


def covered_before(khatm_rows: list, day: date) -> int:
    """Ayahs of a khatm covered by those of its readings (start_index, end_index, local_date) dated
    before `day`."""
    return coverage.covered_count(
        coverage.merge((r.start_index, r.end_index) for r in khatm_rows if r.local_date < day)
    )

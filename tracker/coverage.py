"""Coverage of the ayah index by readings: overlaps and repeats count once toward a khatm."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

from quran import JUZ_COUNT, PAGE_COUNT, TOTAL_AYAHS, juz_span, page_span

Interval = tuple[int, int]


def merge(ranges: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint, non-adjacent intervals covering exactly the same ayahs."""
    merged: list[list[int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def covered_count(merged: list[Interval]) -> int:
    return sum(b - a + 1 for a, b in merged)


def contains(merged: list[Interval], first: int, last: int) -> bool:
    """Whether every ayah first..last is covered."""
    i = bisect_right(merged, (first, TOTAL_AYAHS + 1)) - 1
    return i >= 0 and merged[i][0] <= first and last <= merged[i][1]


def is_covered(merged: list[Interval], index: int) -> bool:
    return contains(merged, index, index)


def complete_juz(merged: list[Interval]) -> list[int]:
    return [
        n
        for n in range(1, JUZ_COUNT + 1)
        if contains(merged, juz_span(n).first_index, juz_span(n).last_index)
    ]


def complete_pages(merged: list[Interval]) -> int:
    return sum(
        1
        for n in range(1, PAGE_COUNT + 1)
        if contains(merged, page_span(n).first_index, page_span(n).last_index)
    )


def first_uncovered(merged: list[Interval], start: int = 1) -> int | None:
    """The first ayah at or after `start` not yet covered, wrapping round to 1; None when all are."""
    for begin in (start, 1):
        index = begin
        for a, b in merged:
            if b < index:
                continue
            if a > index:
                return index
            index = b + 1
        if index <= TOTAL_AYAHS:
            return index
    return None

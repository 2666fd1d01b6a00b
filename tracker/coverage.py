"""Coverage of the ayah index by readings: overlaps and repeats count once toward a khatm."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from functools import cache

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
    mask = mask_of(merged)
    return [n for n, unit in enumerate(_unit_masks("juz"), 1) if mask & unit == unit]


def complete_pages(merged: list[Interval]) -> int:
    mask = mask_of(merged)
    return sum(1 for unit in _unit_masks("page") if mask & unit == unit)


@cache
def _unit_masks(kind: str) -> tuple[int, ...]:
    """Each juz / page as a bitmap, built once: a complete unit is `mask & unit == unit` (604 ANDs
    instead of 604 interval searches for /progress)."""
    count, span = (JUZ_COUNT, juz_span) if kind == "juz" else (PAGE_COUNT, page_span)
    return tuple(range_mask(span(n).first_index, span(n).last_index) for n in range(1, count + 1))


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


# The khatm row keeps its coverage as a bitmap (bit i-1 is ayah index i), held here as a Python int:
# OR adds a log, `int.bit_count()` is the coverage, and the size is fixed however the user reads.
Mask = int
MASK_BYTES = (TOTAL_AYAHS + 7) // 8


def range_mask(first: int, last: int) -> Mask:
    return ((1 << (last - first + 1)) - 1) << (first - 1)


def mask_of(ranges: Iterable[Interval]) -> Mask:
    mask = 0
    for first, last in ranges:
        mask |= range_mask(first, last)
    return mask


def intervals_of(mask: Mask) -> list[Interval]:
    """The merged intervals of a mask (what `merge` returns for the ranges that made it)."""
    out: list[Interval] = []
    offset = 0
    while mask:
        skip = (mask & -mask).bit_length() - 1  # zeros before the next run
        mask >>= skip
        offset += skip
        run = (~mask & (mask + 1)).bit_length() - 1  # ones in this run
        out.append((offset + 1, offset + run))
        mask >>= run
        offset += run
    return out


def to_bytes(mask: Mask) -> bytes:
    return mask.to_bytes(MASK_BYTES, "little").rstrip(b"\0")


def from_bytes(data: bytes | None) -> Mask:
    return int.from_bytes(data or b"", "little")

"""The book: surahs, ayahs, spans and the juz / hizb / page divisions of the Madani mushaf.

Everything here is pure and immutable. The Tanzil metadata shipped in ``quran/data`` is read once at
import; lookups from a canonical ayah index (1..6236) to a unit use ``bisect`` over precomputed start
indices, so they are cheap enough for hot paths.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass
from importlib import resources
from typing import Any

from quran.digits import to_arabic_digits
from quran.display import arabic_display_name

__all__ = [
    "HIZB_COUNT",
    "HIZB_QUARTER_COUNT",
    "JUZ_COUNT",
    "MANZIL_COUNT",
    "PAGE_COUNT",
    "SURAHS",
    "SURAH_COUNT",
    "TOTAL_AYAHS",
    "Ayah",
    "Span",
    "Surah",
    "hizb_of",
    "hizb_quarter_of",
    "hizb_quarter_span",
    "hizb_span",
    "juz_of",
    "juz_span",
    "manzil_of",
    "manzil_span",
    "page_of",
    "page_span",
    "pages_in",
    "surah",
    "surah_name",
    "surah_span",
    "to_arabic_digits",
]


def _load_json(name: str) -> Any:
    return json.loads(resources.files("quran").joinpath("data", name).read_text(encoding="utf-8"))


_META: dict[str, Any] = _load_json("quran-metadata.json")

TOTAL_AYAHS = 6236
SURAH_COUNT = 114
JUZ_COUNT = 30
PAGE_COUNT = 604
HIZB_COUNT = 60
HIZB_QUARTER_COUNT = 240
MANZIL_COUNT = 7


@dataclass(frozen=True, slots=True)
class Surah:
    number: int
    ayahs: int
    name_ar: str
    name_translit: str
    name_en: str
    type: str
    revelation_order: int
    rukus: int
    first_index: int
    last_index: int

    def __str__(self) -> str:
        return self.name_translit


def _build_surahs() -> tuple[Surah, ...]:
    out = []
    first = 1
    for s in _META["surahs"]:
        out.append(Surah(first_index=first, last_index=first + s["ayahs"] - 1, **s))
        first += s["ayahs"]
    return tuple(out)


SURAHS: tuple[Surah, ...] = _build_surahs()
# _FIRST[n] is the canonical index of ayah 1 of surah n (index 0 unused); _COUNT[n] its ayah count.
_FIRST: tuple[int, ...] = (0, *(s.first_index for s in SURAHS))
_COUNT: tuple[int, ...] = (0, *(s.ayahs for s in SURAHS))
_SURAH_STARTS: tuple[int, ...] = _FIRST[1:]
_SAD = 38  # its Arabic name ص is also the usual short form of صفحة (page)

assert len(SURAHS) == SURAH_COUNT and SURAHS[-1].last_index == TOTAL_AYAHS


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def surah(n: int) -> Surah:
    """The surah numbered ``n`` (1..114); ValueError otherwise."""
    if not _is_int(n) or not 1 <= n <= SURAH_COUNT:
        raise ValueError(f"surah number must be an integer 1..{SURAH_COUNT}, got {n!r}")
    return SURAHS[n - 1]


def surah_name(n: int, lang: str = "en") -> str:
    """Display name of surah ``n``: transliteration ("Al-Kahf") for "en", Arabic ("الكهف") for "ar" in
    the mushaf's spelling (``quran.display``; ``Surah.name_ar`` keeps Tanzil's for matching)."""
    s = surah(n)
    if lang == "en":
        return s.name_translit
    if lang == "ar":
        return arabic_display_name(s.number)
    raise ValueError(f"unsupported language {lang!r} (use 'en' or 'ar')")


def _check_index(index: int) -> int:
    if not _is_int(index) or not 1 <= index <= TOTAL_AYAHS:
        raise ValueError(f"ayah index must be an integer 1..{TOTAL_AYAHS}, got {index!r}")
    return index


@dataclass(frozen=True, order=True, slots=True)
class Ayah:
    """One ayah, ordered in mushaf order. ``Ayah(18, 10)``; ValueError if it does not exist."""

    surah: int
    ayah: int

    def __post_init__(self) -> None:
        s, a = self.surah, self.ayah
        if not _is_int(s) or not 1 <= s <= SURAH_COUNT:
            raise ValueError(f"surah number must be an integer 1..{SURAH_COUNT}, got {s!r}")
        if not _is_int(a) or not 1 <= a <= _COUNT[s]:
            raise ValueError(f"{SURAHS[s - 1].name_translit} has {_COUNT[s]} ayahs; got ayah {a!r}")

    @property
    def index(self) -> int:
        """Canonical position 1..6236 in mushaf order."""
        return _FIRST[self.surah] + self.ayah - 1

    @classmethod
    def from_index(cls, index: int) -> Ayah:
        _check_index(index)
        s = bisect_right(_SURAH_STARTS, index)
        return cls(s, index - _FIRST[s] + 1)

    def __str__(self) -> str:
        return self.label("en")

    def label(self, lang: str = "en") -> str:
        """ "Al-Kahf 21" / "الكهف ٢١"."""
        name = surah_name(self.surah, lang)
        if lang == "ar":
            prefix = "سورة " if self.surah == _SAD else ""  # as in Span.label
            return f"{prefix}{name} {to_arabic_digits(self.ayah)}"
        return f"{name} {self.ayah}"


@dataclass(frozen=True, order=True, slots=True)
class Span:
    """An inclusive run of consecutive ayahs, ``start <= end`` (may cross surahs)."""

    start: Ayah
    end: Ayah

    def __post_init__(self) -> None:
        if not isinstance(self.start, Ayah) or not isinstance(self.end, Ayah):
            raise ValueError("Span needs two Ayah values")
        if self.end < self.start:
            raise ValueError(f"span end {self.end} is before its start {self.start}")

    @classmethod
    def from_indices(cls, first: int, last: int) -> Span:
        return cls(Ayah.from_index(first), Ayah.from_index(last))

    @property
    def first_index(self) -> int:
        return self.start.index

    @property
    def last_index(self) -> int:
        return self.end.index

    @property
    def count(self) -> int:
        """Number of ayahs in the span."""
        return self.end.index - self.start.index + 1

    @property
    def indices(self) -> range:
        return range(self.start.index, self.end.index + 1)

    def __contains__(self, item: object) -> bool:
        if isinstance(item, Ayah):
            return self.start <= item <= self.end
        if _is_int(item):
            return self.start.index <= item <= self.end.index  # type: ignore[operator]
        return False

    def __str__(self) -> str:
        return self.label("en")

    def label(self, lang: str = "en") -> str:
        """Human label that ``parse_reading`` reads back to this same span.

        "Al-Kahf" (whole surah), "Al-Baqara 255", "Al-Kahf 1–20", "Al-Kahf 75 – Maryam 10";
        in Arabic "الكهف ١–٢٠" etc.
        """
        s, e = self.start, self.end
        num = to_arabic_digits if lang == "ar" else str
        name = surah_name(s.surah, lang)
        if s.surah == _SAD and lang == "ar":  # "ص ١٠" alone also means "page 10": say "سورة ص ١٠"
            name = "سورة " + name
        if s.surah == e.surah:
            if s.ayah == 1 and e.ayah == _COUNT[s.surah]:
                return name
            if s.ayah == e.ayah:
                return f"{name} {num(s.ayah)}"
            return f"{name} {num(s.ayah)}–{num(e.ayah)}"
        return f"{name} {num(s.ayah)} – {surah_name(e.surah, lang)} {num(e.ayah)}"


# ---------------------------------------------------------------------------------------------- units


def _starts(key: str) -> tuple[int, ...]:
    return tuple(_FIRST[s] + a - 1 for s, a in _META[key])


_JUZ_STARTS = _starts("juz_starts")
_QUARTER_STARTS = _starts("hizb_quarter_starts")
_PAGE_STARTS = _starts("page_starts")
_MANZIL_STARTS = _starts("manzil_starts")
assert len(_JUZ_STARTS) == JUZ_COUNT and len(_PAGE_STARTS) == PAGE_COUNT
assert len(_QUARTER_STARTS) == HIZB_QUARTER_COUNT and len(_MANZIL_STARTS) == MANZIL_COUNT


def _unit_span(starts: tuple[int, ...], n: int, what: str) -> Span:
    if not _is_int(n) or not 1 <= n <= len(starts):
        raise ValueError(f"{what} number must be an integer 1..{len(starts)}, got {n!r}")
    last = starts[n] - 1 if n < len(starts) else TOTAL_AYAHS
    return Span.from_indices(starts[n - 1], last)


def juz_of(index: int) -> int:
    """Juz (1..30) holding canonical ayah ``index``."""
    return bisect_right(_JUZ_STARTS, _check_index(index))


def page_of(index: int) -> int:
    """Madani mushaf page (1..604) holding canonical ayah ``index``."""
    return bisect_right(_PAGE_STARTS, _check_index(index))


def hizb_quarter_of(index: int) -> int:
    """Hizb quarter (rub', 1..240) holding canonical ayah ``index``."""
    return bisect_right(_QUARTER_STARTS, _check_index(index))


def hizb_of(index: int) -> int:
    """Hizb (1..60; four quarters each) holding canonical ayah ``index``."""
    return (hizb_quarter_of(index) - 1) // 4 + 1


def surah_span(n: int) -> Span:
    s = surah(n)
    return Span(Ayah(n, 1), Ayah(n, s.ayahs))


def juz_span(n: int) -> Span:
    return _unit_span(_JUZ_STARTS, n, "juz")


def manzil_of(index: int) -> int:
    """Manzil (1..7, the week-long division) holding canonical ayah ``index``."""
    return bisect_right(_MANZIL_STARTS, _check_index(index))


def manzil_span(n: int) -> Span:
    return _unit_span(_MANZIL_STARTS, n, "manzil")


def page_span(n: int) -> Span:
    return _unit_span(_PAGE_STARTS, n, "page")


def hizb_quarter_span(n: int) -> Span:
    return _unit_span(_QUARTER_STARTS, n, "hizb quarter")


def hizb_span(n: int) -> Span:
    if not _is_int(n) or not 1 <= n <= HIZB_COUNT:
        raise ValueError(f"hizb number must be an integer 1..{HIZB_COUNT}, got {n!r}")
    first = hizb_quarter_span(4 * n - 3)
    last = hizb_quarter_span(4 * n)
    return Span(first.start, last.end)


def pages_in(span: Span) -> range:
    """The mushaf pages the span touches (a range of page numbers)."""
    return range(page_of(span.start.index), page_of(span.end.index) + 1)

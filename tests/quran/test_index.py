"""The book's structure: counts, index round trips and unit boundaries (juz, hizb, quarter, page)."""

from __future__ import annotations

import itertools
import json
from importlib import resources

import pytest

import quran
from quran import (
    HIZB_COUNT,
    HIZB_QUARTER_COUNT,
    JUZ_COUNT,
    PAGE_COUNT,
    SURAH_COUNT,
    SURAHS,
    TOTAL_AYAHS,
    Ayah,
    Span,
    hizb_of,
    hizb_quarter_of,
    hizb_quarter_span,
    hizb_span,
    juz_of,
    juz_span,
    page_of,
    page_span,
    pages_in,
    surah,
    surah_name,
    surah_span,
)

UNITS = [
    ("surah", SURAH_COUNT, surah_span, lambda i: Ayah.from_index(i).surah),
    ("juz", JUZ_COUNT, juz_span, juz_of),
    ("page", PAGE_COUNT, page_span, page_of),
    ("hizb", HIZB_COUNT, hizb_span, hizb_of),
    ("quarter", HIZB_QUARTER_COUNT, hizb_quarter_span, hizb_quarter_of),
]


def test_counts():
    assert len(SURAHS) == SURAH_COUNT == 114
    assert sum(s.ayahs for s in SURAHS) == TOTAL_AYAHS == 6236
    assert [s.number for s in SURAHS] == list(range(1, 115))
    assert SURAHS[0].first_index == 1 and SURAHS[-1].last_index == 6236
    for a, b in itertools.pairwise(SURAHS):
        assert b.first_index == a.last_index + 1
    assert surah(18).name_translit == "Al-Kahf" and surah(18).ayahs == 110
    assert surah(2).name_ar == "البقرة" and surah(114).ayahs == 6


def test_data_files_are_the_verified_copies():
    meta = json.loads(resources.files("quran").joinpath("data", "quran-metadata.json").read_text("utf-8"))
    assert "Tanzil" in meta["source"]
    notice = resources.files("quran").joinpath("data", "NOTICE.md").read_text("utf-8")
    assert "Tanzil.info" in notice and "Creative Commons Attribution 3.0" in notice


def test_from_index_and_index_are_inverse_for_every_ayah():
    seen = []
    for i in range(1, TOTAL_AYAHS + 1):
        a = Ayah.from_index(i)
        assert a.index == i
        assert Ayah(a.surah, a.ayah) == a
        seen.append(a)
    assert seen == sorted(seen)
    assert seen[0] == Ayah(1, 1) and seen[-1] == Ayah(114, 6)
    assert Ayah.from_index(8) == Ayah(2, 1)


@pytest.mark.parametrize(
    "args",
    [
        (0, 1),
        (115, 1),
        (1, 0),
        (1, 8),
        (18, 111),
        (2, 287),
        (-1, 1),
        (1.0, 1),
        ("2", 5),
        (True, 1),
        (2, None),
    ],
)
def test_invalid_ayahs_raise(args):
    with pytest.raises(ValueError):
        Ayah(*args)


@pytest.mark.parametrize("i", [0, -5, 6237, 10**20, 1.5, "3", None])
def test_invalid_indices_raise(i):
    with pytest.raises(ValueError):
        Ayah.from_index(i)
    with pytest.raises(ValueError):
        juz_of(i)


@pytest.mark.parametrize(("name", "count", "span_of", "unit_of"), UNITS, ids=[u[0] for u in UNITS])
def test_unit_boundaries_round_trip_and_tile(name, count, span_of, unit_of):
    spans = [span_of(n) for n in range(1, count + 1)]
    assert spans[0].first_index == 1
    assert spans[-1].last_index == TOTAL_AYAHS
    for a, b in itertools.pairwise(spans):
        assert b.first_index == a.last_index + 1, (name, a, b)  # no gap, no overlap
    for n, sp in enumerate(spans, start=1):
        start = sp.first_index
        assert unit_of(start) == n  # the start of unit n is in unit n ...
        if start > 1:
            assert unit_of(start - 1) == n - 1  # ... and the ayah before it is in n-1
        assert unit_of(sp.last_index) == n
    assert sum(sp.count for sp in spans) == TOTAL_AYAHS


@pytest.mark.parametrize(("name", "count", "span_of", "unit_of"), UNITS, ids=[u[0] for u in UNITS])
def test_unit_numbers_out_of_range_raise(name, count, span_of, unit_of):
    for bad in (0, count + 1, -1, None):
        with pytest.raises(ValueError):
            span_of(bad)


def test_known_boundaries():
    assert juz_span(2).start == Ayah(2, 142)
    assert juz_span(30) == Span(Ayah(78, 1), Ayah(114, 6))
    assert page_span(1) == Span(Ayah(1, 1), Ayah(1, 7))
    assert page_span(2).start == Ayah(2, 1)
    assert page_span(604) == Span(Ayah(112, 1), Ayah(114, 6))
    assert hizb_span(1).start == Ayah(1, 1) and hizb_span(2).start == Ayah(2, 75)
    assert hizb_span(60).end == Ayah(114, 6)
    assert juz_of(Ayah(18, 75).index) == 16 and juz_of(Ayah(18, 74).index) == 15
    assert page_of(Ayah(2, 255).index) == 42
    assert list(pages_in(page_span(45))) == [45]
    assert pages_in(surah_span(2)) == range(2, 50)
    assert list(pages_in(Span(Ayah(1, 7), Ayah(2, 1)))) == [1, 2]


def test_juz_is_two_hizbs():
    for j in range(1, JUZ_COUNT + 1):
        assert juz_span(j) == Span(hizb_span(2 * j - 1).start, hizb_span(2 * j).end)


def test_span_values():
    sp = Span(Ayah(18, 1), Ayah(18, 20))
    assert (sp.first_index, sp.last_index, sp.count) == (Ayah(18, 1).index, Ayah(18, 20).index, 20)
    assert Span.from_indices(sp.first_index, sp.last_index) == sp
    assert Ayah(18, 5) in sp and Ayah(18, 21) not in sp
    with pytest.raises(ValueError):
        Span(Ayah(18, 20), Ayah(18, 1))
    with pytest.raises(ValueError):
        Span.from_indices(10, 9)
    with pytest.raises(ValueError):
        Span((18, 1), (18, 2))  # type: ignore[arg-type]
    assert hash(sp) == hash(Span(Ayah(18, 1), Ayah(18, 20)))


def test_labels():
    assert str(Ayah(18, 21)) == "Al-Kahf 21"
    assert Ayah(18, 21).label("ar") == "الكهف ٢١"
    assert str(surah_span(18)) == "Al-Kahf"
    assert str(Span(Ayah(18, 1), Ayah(18, 20))) == "Al-Kahf 1–20"
    assert str(Span(Ayah(2, 255), Ayah(2, 255))) == "Al-Baqara 255"
    assert str(Span(Ayah(18, 75), Ayah(19, 10))) == "Al-Kahf 75 – Maryam 10"
    assert Span(Ayah(18, 1), Ayah(18, 20)).label("ar") == "الكهف ١–٢٠"
    assert Span(Ayah(18, 75), Ayah(19, 10)).label("ar") == "الكهف ٧٥ – مريم ١٠"
    assert surah_name(18) == "Al-Kahf" and surah_name(18, "ar") == "الكهف"
    with pytest.raises(ValueError):
        surah_name(18, "fr")


def test_public_names_exported():
    for name in [
        "TOTAL_AYAHS",
        "SURAH_COUNT",
        "JUZ_COUNT",
        "PAGE_COUNT",
        "HIZB_COUNT",
        "HIZB_QUARTER_COUNT",
        "Surah",
        "SURAHS",
        "surah",
        "Ayah",
        "Span",
        "juz_of",
        "page_of",
        "hizb_quarter_of",
        "hizb_of",
        "surah_span",
        "juz_span",
        "page_span",
        "hizb_span",
        "hizb_quarter_span",
        "pages_in",
        "surah_name",
    ]:
        assert hasattr(quran, name), name
        assert name in quran.__all__

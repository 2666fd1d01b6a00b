"""Every name in the data files is understood: one test per alias and per passage name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quran import Ayah, ParseError, Span, parse_reading, surah_span
from quran.names import AFTER_SURAH_ONLY, name_key

DATA = Path(__file__).resolve().parents[2] / "quran" / "data"
COMMON = json.loads((DATA / "surah-aliases-common.json").read_text(encoding="utf-8"))
PASSAGES = json.loads((DATA / "passages.json").read_text(encoding="utf-8"))
WEAK = {name_key(w) for w in COMMON["weak"]} | set(AFTER_SURAH_ONLY)

ALIASES = [(int(n), alias) for n, names in COMMON["aliases"].items() for alias in names]
PASSAGE_NAMES = [(pid, name) for pid, p in PASSAGES["passages"].items() for name in p["names"]]


@pytest.mark.parametrize(("number", "alias"), ALIASES, ids=[a for _, a in ALIASES])
def test_alias_names_its_surah(number, alias):
    expected = [surah_span(number)]
    assert parse_reading(f"surah {alias}") == expected
    assert parse_reading(f"سورة {alias} ١") == [Span(Ayah(number, 1), Ayah(number, 1))]
    if name_key(alias) in WEAK:  # an everyday word: a surah only where a name is expected
        return
    assert parse_reading(alias) == expected
    assert parse_reading(f"read {alias} 1-2") == [Span(Ayah(number, 1), Ayah(number, 2))]


@pytest.mark.parametrize(("pid", "name"), PASSAGE_NAMES, ids=[n for _, n in PASSAGE_NAMES])
def test_passage_name_gives_its_spans(pid, name):
    spans = [Span(Ayah(a, b), Ayah(c, d)) for a, b, c, d in PASSAGES["passages"][pid]["spans"]]
    assert parse_reading(name) == spans
    assert parse_reading(f"read {name} today") == spans


@pytest.mark.parametrize("name", [n for g in PASSAGES["ask"].values() for n in g["names"]], ids=lambda n: n)
def test_a_group_name_with_two_meanings_is_a_question(name):
    with pytest.raises(ParseError) as info:
        parse_reading(name)
    assert info.value.code == "which_group"
    assert [choice for choice, _ in info.value.options] == ["three_quls", "four_quls"]


@pytest.mark.parametrize(
    ("juz", "name"), [(int(j), n) for j, ns in PASSAGES["juz_names"].items() for n in ns], ids=str
)
def test_juz_called_by_its_first_words(juz, name):
    from quran import juz_span

    assert parse_reading(f"juz {name}") == [juz_span(juz)]
    assert parse_reading(f"جزء {name}") == [juz_span(juz)]

"""Arabic surah names are shown as the mushaf writes them; Tanzil's spellings still match, both parse."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from quran import SURAHS, parse_reading, surah_name

MUSHAF = {14: "إبراهيم", 34: "سبأ", 76: "الإنسان", 78: "النبأ", 82: "الانفطار", 84: "الانشقاق"}


def test_every_surah_has_a_display_name_and_only_the_six_differ_from_tanzil():
    table = json.loads(resources.files("quran").joinpath("data", "surah-names-ar.json").read_text("utf-8"))
    assert table["source"] and sorted(map(int, table["names"])) == list(range(1, 115))
    differing = {
        s.number: surah_name(s.number, "ar") for s in SURAHS if surah_name(s.number, "ar") != s.name_ar
    }
    assert differing == MUSHAF
    assert table["changed_from_tanzil"] == sorted(MUSHAF)


@pytest.mark.parametrize("number", sorted(MUSHAF))
def test_both_spellings_parse(number):
    tanzil = SURAHS[number - 1].name_ar
    for spelling in (tanzil, MUSHAF[number]):
        spans = parse_reading(f"{spelling} ١")
        assert [s.start.surah for s in spans] == [number], spelling


def test_labels_use_the_mushaf_spelling():
    (span,) = parse_reading("ابراهيم ١-٥")
    assert span.label("ar").startswith("إبراهيم")

"""Surah names for display: the standard mushaf spellings (`data/surah-names-ar.json`).

Tanzil's simple spellings (`quran-metadata.json`, `Surah.name_ar`) stay what the parser matches; the
two differ in six names (ابراهيم/إبراهيم, سبإ/سبأ …) and fold to the same key in `names.normalize`,
so both parse. Pure data, no other quran module imported (book.py calls it).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def _names() -> dict[int, str]:
    raw = json.loads(resources.files("quran").joinpath("data", "surah-names-ar.json").read_text("utf-8"))
    return {int(n): name for n, name in raw["names"].items()}


def arabic_display_name(n: int) -> str:
    """The Arabic name of surah `n` as the mushaf heads it ("إبراهيم", "سبأ", "الكهف")."""
    return _names()[n]

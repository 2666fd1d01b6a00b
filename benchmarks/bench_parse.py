"""Throughput of quran.parse_reading on a mix of typical messages, on one core.

Run from the repository root:  python benchmarks/bench_parse.py [--seconds 3]

There is no whole-message cache in the parser; per-word lookups (alias, fuzzy) are lru_cached, so
after a warm-up the figure reflects steady-state traffic where the same words keep coming back.
"--cold" clears those caches before every message to show the worst case (every word looked up and
fuzzy-matched afresh).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quran import ParseError, parse_reading
from quran import names as _names
from quran import parser as _parser

TYPICAL = [
    "read Al-Kahf 1-20",
    "Yasin",
    "finished surah mulk",
    "juz 3",
    "2:255",
    "kahf 1 to 20",
    "from Al-Kahf 75 to Maryam 10",
    "pages 45-50",
    "done juz 1 alhamdulillah",
    "Surah Al-Mulk ✅",
    "al-baqarah 1-141",
    "yasin and mulk",
    "ayatul kursi",
    "page 5",
    "juz amma",
    "juz 29-30",
    "قرأت سورة الكهف",
    "الكهف ١-٢٠",
    "جزء ٣",
    "صفحة ٥",
    "يس والملك",
    "آية الكرسي",
    "البقرة ٢٥٥",
    "i read surah kahf this morning",
    "waqiah",
    "ar rahman 1-30",
    "hizb 5",
    "18:1-20",
    "2:285-3:10",
    "read kahf 1-10 and 101-110",
    "kahf 1-200",
    "kahv",
    "hello",
    "surah 18",
    "al imran 190-200",
    "maryam 1-40",
    "the cave",
    "read 3 pages",
    "Al-Kahf 1–20",
    "p. 200-201",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=3.0, help="measuring time (default 3)")
    ap.add_argument("--cold", action="store_true", help="clear the per-word caches before every message")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core

    caches = [_names.exact_surah, _names.fuzzy_surah, _parser._classify_word, _parser._classify_phrase]

    def one(msg: str) -> int:
        if args.cold:
            for c in caches:
                c.cache_clear()
        try:
            parse_reading(msg)
        except ParseError:
            return 1
        return 0

    msgs = TYPICAL * 50
    random.Random(0).shuffle(msgs)
    for m in msgs[:200]:  # warm-up
        one(m)
    done = 0
    start = time.perf_counter()
    deadline = start + args.seconds
    while time.perf_counter() < deadline:
        for m in msgs:
            one(m)
        done += len(msgs)
    elapsed = time.perf_counter() - start
    print(
        f"python {platform.python_version()} on {platform.machine()}, cores available: {os.cpu_count()}, "
        f"pinned to one core: {hasattr(os, 'sched_setaffinity')}"
    )
    print(
        f"{len(TYPICAL)} distinct typical messages ({'cold caches' if args.cold else 'warm word caches'}), "
        f"{done} parses in {elapsed:.2f}s"
    )
    print(f"{done / elapsed:,.0f} messages/second ({elapsed / done * 1e6:.1f} µs/message)")


if __name__ == "__main__":
    main()

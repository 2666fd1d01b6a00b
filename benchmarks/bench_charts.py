"""Time every picture for a reader with five years of daily history (target: < 1 s each).

Run from the repository root:  python benchmarks/bench_charts.py [--repeat 7]

Prints the first-render cost (importing matplotlib and numpy, loading the font) separately, then the
median and worst of `--repeat` renders of each picture, its size, and the process's peak memory.
After each render `release_memory()` runs (untimed), as `render_off_loop` does in the bot; its own
cost is printed at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.pictures import (
    release_memory,
    render_board,
    render_daily_chart,
    render_khatm_grid,
    render_year_heatmap,
)

END = date(2026, 3, 14)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=7, help="renders of each picture (default 7)")
    args = ap.parse_args()

    rng = random.Random(5)
    history = {END - timedelta(days=i): float(rng.randint(0, 20)) for i in range(365 * 5)}
    last30 = [(d, v) for d, v in history.items() if (END - d).days < 30]
    juz = [1.0] * 12 + [0.4] + [0.0] * 17
    pages = [1.0] * 250 + [0.5] * 3 + [0.0] * 351
    board = [(f"عضو {i} Member", 300.0 - i * 7.5, 30 - i % 30, i % 15) for i in range(30)]
    headers = ("العضو", "الصفحات", "الأيام", "المتتالية")

    jobs = {
        "daily chart (30 days)": lambda lang: render_daily_chart(
            last30, 5, title="Pages read", target_label="target", lang=lang, end=END
        ),
        "year heatmap (5 y of data)": lambda lang: render_year_heatmap(
            history, end=END, title="A year of reading", lang=lang
        ),
        "khatm grid, 30 juz": lambda lang: render_khatm_grid(juz, unit="juz", title="Juz", lang=lang),
        "khatm grid, 604 pages": lambda lang: render_khatm_grid(pages, unit="page", title="Pages", lang=lang),
        "board, 30 members": lambda lang: render_board(board, title="الحلقة", headers=headers, lang=lang),
    }

    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"peak RSS before the first render: {peak_mb():.0f} MB (matplotlib not loaded yet)")
    started = time.perf_counter()
    jobs["khatm grid, 30 juz"]("en")
    print(f"first render (imports matplotlib, numpy, font): {(time.perf_counter() - started) * 1000:.0f} ms")
    print()
    print(f"{'picture':28} {'lang':4} {'median':>8} {'worst':>8} {'size':>8}")
    worst_all = 0.0
    releases: list[float] = []
    for name, job in jobs.items():
        for lang in ("en", "ar"):
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                png = job(lang)
                times.append(time.perf_counter() - t0)
                t1 = time.perf_counter()
                release_memory()
                releases.append(time.perf_counter() - t1)
            worst_all = max(worst_all, max(times))
            print(
                f"{name:28} {lang:4} {statistics.median(times) * 1000:6.0f} ms {max(times) * 1000:6.0f} ms"
                f" {len(png) / 1024:5.0f} KB"
            )
    print()
    print(f"release_memory() after each render: median {statistics.median(releases) * 1000:.0f} ms")
    print(f"peak RSS after all renders: {peak_mb():.0f} MB")
    verdict = "within" if worst_all < 1 else "OVER"
    print(f"slowest single render: {worst_all * 1000:.0f} ms ({verdict} the 1 s target)")


if __name__ == "__main__":
    main()

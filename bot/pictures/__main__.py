"""`python -m bot.pictures DIR`: write sample pictures, English and Arabic, into DIR (docs/img/)."""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from bot.pictures import render_board, render_daily_chart, render_khatm_grid, render_year_heatmap

END = date(2026, 3, 14)


def sample_history(end: date = END, years: int = 3, seed: int = 7) -> dict[date, float]:
    """Daily pages read, a believable reader: most days, more in Ramadan, some gaps."""
    rng = random.Random(seed)
    counts: dict[date, float] = {}
    for i in range(365 * years):
        day = end - timedelta(days=i)
        if rng.random() < 0.22:
            continue
        counts[day] = float(rng.choice([1, 1, 2, 2, 2, 3, 4, 5, 5, 8, 10, 20]))
    return counts


def sample_fractions(count: int, done: float, seed: int = 3) -> list[float]:
    rng = random.Random(seed)
    full = int(count * done)
    fractions = [1.0] * full + [0.0] * (count - full)
    for i in range(full, min(count, full + 3)):
        fractions[i] = round(rng.uniform(0.1, 0.9), 2)
    return fractions


BOARD = [
    ("عبد الرحمن", 212.0, 28, 21),
    ("Aisha Rahman", 180.5, 27, 14),
    ("يوسف Yusuf", 150.0, 25, 9),
    ("Fatima 🌙", 96.0, 20, 3),
    ("محمد بن عبد الله بن إبراهيم الحسيني", 60.0, 12, 0),
    ("Omar", 12.0, 4, 1),
]


def write_samples(out: Path) -> dict[str, float]:
    """Renders every sample into `out`; returns seconds per file."""
    out.mkdir(parents=True, exist_ok=True)
    history = sample_history()
    last30 = [(d, v) for d, v in history.items() if (END - d).days < 30]
    texts = {
        "en": {
            "daily": "Pages read — last 30 days",
            "target": "daily target",
            "unit": "pages a day",
            "grid": ("not read", "partly read", "read"),
            "year": "A year of reading",
            "juz": "Khatm #2 — juz",
            "page": "Khatm #2 — pages",
            "board": "Al-Noor circle — this month",
            "headers": ("Member", "Pages", "Days", "Streak"),
        },
        "ar": {
            "daily": "الصفحات المقروءة — آخر ٣٠ يومًا",
            "target": "الهدف اليومي",
            "unit": "صفحة في اليوم",
            "grid": ("لم تُقرأ", "قُرئ بعضها", "قُرئت"),
            "year": "عام من القراءة",
            "juz": "الختمة رقم ٢ — الأجزاء",
            "page": "الختمة رقم ٢ — الصفحات",
            "board": "حلقة النور — هذا الشهر",
            "headers": ("العضو", "الصفحات", "الأيام", "السلسلة"),
        },
    }
    jobs = {}
    for lang, t in texts.items():
        jobs[f"daily-{lang}.png"] = lambda t=t, lang=lang: render_daily_chart(
            last30, 5, title=t["daily"], target_label=t["target"], lang=lang, end=END, unit_label=t["unit"]
        )
        jobs[f"heatmap-{lang}.png"] = lambda t=t, lang=lang: render_year_heatmap(
            history,
            end=END,
            title=t["year"],
            lang=lang,
            week_starts=0 if lang == "en" else 5,
            unit_label=t["unit"],
        )
        jobs[f"juz-{lang}.png"] = lambda t=t, lang=lang: render_khatm_grid(
            sample_fractions(30, 0.4), unit="juz", title=t["juz"], lang=lang, legend=t["grid"]
        )
        jobs[f"pages-{lang}.png"] = lambda t=t, lang=lang: render_khatm_grid(
            sample_fractions(604, 0.4), unit="page", title=t["page"], lang=lang, legend=t["grid"]
        )
        jobs[f"board-{lang}.png"] = lambda t=t, lang=lang: render_board(
            BOARD, title=t["board"], headers=t["headers"], lang=lang
        )
    timings = {}
    for name, job in jobs.items():
        started = time.perf_counter()
        png = job()
        timings[name] = time.perf_counter() - started
        (out / name).write_bytes(png)
    return timings


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m bot.pictures DIR", file=sys.stderr)
        return 2
    for name, seconds in write_samples(Path(argv[0])).items():
        print(f"{name:18} {seconds * 1000:7.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

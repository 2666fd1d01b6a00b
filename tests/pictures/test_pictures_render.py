"""Every picture rendered for real data — empty, one day, years of history, English and Arabic — decodes
as a PNG of sane size, and draws without a single missing-glyph warning."""

from __future__ import annotations

import io
import random
import subprocess
import sys
import warnings
from datetime import date, timedelta

import pytest
from picture_checks import assert_picture, png_size

from bot.pictures import (
    BOARD_MAX_ROWS,
    render_board,
    render_daily_chart,
    render_khatm_grid,
    render_year_heatmap,
)
from bot.pictures.charts import heatmap_levels, level_of

END = date(2026, 3, 14)
TITLES = {"en": "Pages read — last 30 days", "ar": "الصفحات المقروءة — آخر ٣٠ يومًا"}
HEADERS = {"en": ("Member", "Pages", "Days", "Streak"), "ar": ("العضو", "الصفحات", "الأيام", "المتتالية")}


def history(years: int, seed: int = 1) -> dict[date, float]:
    rng = random.Random(seed)
    return {END - timedelta(days=i): float(rng.randint(0, 20)) for i in range(365 * years)}


@pytest.fixture(autouse=True)
def no_missing_glyphs():
    """Matplotlib warns 'Glyph … missing from font(s)' and draws a box: that must never happen."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


LANGS = pytest.mark.parametrize("lang", ["en", "ar"])


@LANGS
@pytest.mark.parametrize(
    "days",
    [
        pytest.param([], id="empty"),
        pytest.param([(END, 0.0)], id="all-zero"),
        pytest.param([(END, 3.0)], id="one-day"),
        pytest.param(sorted(history(3).items()), id="three-years"),
    ],
)
@pytest.mark.parametrize("target", [None, 5.0])
def test_daily_chart(days, target, lang):
    png = render_daily_chart(
        days,
        target,
        title=TITLES[lang],
        target_label="الهدف" if lang == "ar" else "target",
        lang=lang,
        end=END if days else None,
    )
    width, height = assert_picture(png)
    assert width > height


def test_daily_chart_adds_up_repeated_days_and_ignores_days_outside_the_window():
    inside = render_daily_chart([(END, 2.0), (END, 3.0)], 5, title="t", target_label="x", lang="en", end=END)
    same = render_daily_chart(
        [(END, 5.0), (END - timedelta(days=400), 99.0)], 5, title="t", target_label="x", lang="en", end=END
    )
    assert inside == same


@LANGS
@pytest.mark.parametrize(
    "counts",
    [
        pytest.param({}, id="empty"),
        pytest.param({END: 4.0}, id="one-day"),
        pytest.param(history(3), id="three-years"),
        pytest.param(history(5), id="five-years"),
    ],
)
@pytest.mark.parametrize("week_starts", [0, 5, 6])
def test_year_heatmap(counts, lang, week_starts):
    title = "عام من القراءة" if lang == "ar" else "A year of reading"
    png = render_year_heatmap(counts, end=END, title=title, lang=lang, week_starts=week_starts)
    width, height = assert_picture(png, min_height=150)
    assert width > 3 * height


def test_heatmap_levels_are_quartiles_of_the_days_read():
    cuts = heatmap_levels([0, 1, 2, 3, 4, 5, 6, 7, 8])
    assert [level_of(v, cuts) for v in (0, 1, 3, 5, 8)] == [0, 1, 2, 3, 4]
    assert level_of(0.0, heatmap_levels([])) == 0
    assert level_of(7.0, heatmap_levels([7.0])) == 1  # one value: lightest green, not an error


@LANGS
@pytest.mark.parametrize("done", [0.0, 0.37, 1.0])
def test_juz_grid(done, lang):
    fractions = [1.0 if (i + 1) / 30 <= done else 0.0 for i in range(30)]
    fractions[11] = 0.5 if 0 < done < 1 else fractions[11]
    png = render_khatm_grid(fractions, unit="juz", title="الأجزاء" if lang == "ar" else "Juz", lang=lang)
    assert_picture(png)


@LANGS
@pytest.mark.parametrize("done", [0.0, 0.5, 1.0])
def test_page_grid(done, lang):
    fractions = [1.0 if i < 604 * done else 0.0 for i in range(604)]
    png = render_khatm_grid(fractions, unit="page", title="Pages", lang=lang)
    width, height = assert_picture(png)
    assert height > width  # 20 pages a row, 31 rows


def test_khatm_grid_checks_its_input():
    with pytest.raises(ValueError, match="30 fractions"):
        render_khatm_grid([0.5] * 29, title="t", lang="en")
    with pytest.raises(ValueError, match="unit"):
        render_khatm_grid([0.5] * 30, unit="surah", title="t", lang="en")
    # Out-of-range and NaN fractions are clamped, not errors.
    assert_picture(render_khatm_grid([-1.0, 2.0, float("nan")] + [0.2] * 27, title="t", lang="en"))


BOARD = [
    ("عبد الرحمن", 212.0, 28, 21),
    ("Aisha Rahman", 180.5, 27, 14),
    ("يوسف Yusuf", 150.0, 25, 9),
    ("Fatima 🌙✨", 96.0, 20, 3),  # emoji: no glyph in the font, dropped rather than drawn as boxes
    ("$100 club $", 1.0, 1, 1),  # dollar signs are text, not mathtext
    ("محمد بن عبد الله بن إبراهيم الحسيني", 60.0, 12, 0),
]


@LANGS
@pytest.mark.parametrize(
    "rows", [pytest.param([], id="empty"), pytest.param(BOARD[:1], id="one"), pytest.param(BOARD, id="mixed")]
)
def test_board(rows, lang):
    png = render_board(
        rows, title="حلقة النور" if lang == "ar" else "Al-Noor circle", headers=HEADERS[lang], lang=lang
    )
    assert_picture(png, min_height=100)


def test_board_grows_with_its_rows_up_to_a_limit():
    heights = [
        png_size(render_board(BOARD * k, title="t", headers=HEADERS["en"], lang="en"))[1] for k in (1, 2, 100)
    ]
    assert heights[0] < heights[1] < heights[2]
    capped = png_size(render_board(BOARD * 100, title="t", headers=HEADERS["en"], lang="en"))
    exact = png_size(
        render_board((BOARD * 100)[:BOARD_MAX_ROWS], title="t", headers=HEADERS["en"], lang="en")
    )
    assert capped == exact


def test_board_needs_four_headers():
    with pytest.raises(ValueError, match="4 columns"):
        render_board(BOARD, title="t", headers=("a", "b"), lang="en")


def test_pictures_decode_as_images():
    from matplotlib.image import imread

    png = render_year_heatmap(history(1), end=END, title="t", lang="en")
    pixels = imread(io.BytesIO(png), format="png")
    assert pixels.shape[:2] == png_size(png)[::-1]
    assert pixels.std() > 0.05  # not a blank canvas


def test_importing_the_package_does_not_load_matplotlib():
    code = "import sys, bot.pictures; assert 'matplotlib' not in sys.modules and 'numpy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_sample_pictures_for_the_docs(tmp_path):
    from bot.pictures.__main__ import write_samples

    timings = write_samples(tmp_path)
    assert len(timings) == 10
    for name in timings:
        assert_picture((tmp_path / name).read_bytes(), min_height=150)

"""Charts read at a glance: an outlier does not flatten the month; whole numbers; units and legends."""

from __future__ import annotations

from datetime import date, timedelta

from bot.pictures import render_daily_chart, render_khatm_grid, render_year_heatmap
from bot.pictures.charts import OUTLIER_FACTOR, daily_axis_top
from tests.pictures.picture_checks import assert_picture

END = date(2026, 3, 14)


def test_one_outlier_day_does_not_set_the_scale_of_the_month():
    month = [2.0, 3.0, 1.0, 2.5, 3.0] * 6
    assert daily_axis_top(month, None) == 3.0 * 1.18
    with_outlier = [*month[:-1], 60.0]
    top = daily_axis_top(with_outlier, None)
    assert top == OUTLIER_FACTOR * 3.0 * 1.18  # cut: the ordinary days stay readable
    assert top < 60.0
    assert daily_axis_top([10.0, 9.0], 2.0) == 10.0 * 1.18  # two busy days are no outlier
    assert daily_axis_top([2.0, 1.0], 8.0) == 8.0 * 1.18  # the target line always fits
    assert daily_axis_top([], None) == 1.18


def test_the_charts_render_with_units_and_legends():
    days = [(END - timedelta(days=n), 2.0 + n % 3) for n in range(30)] + [(END, 60.0)]
    assert_picture(
        render_daily_chart(
            days, 3, title="Pages", target_label="target", lang="en", end=END, unit_label="pages a day"
        )
    )
    year = {END - timedelta(days=n): 1.0 + (n % 7) * 0.7 for n in range(300)}
    assert_picture(render_year_heatmap(year, end=END, title="Year", lang="en", unit_label="pages a day"))
    legend = ("not read", "partly read", "read")
    fractions = [1.0] * 200 + [0.5] * 4 + [0.0] * 400
    assert_picture(render_khatm_grid(fractions, unit="page", title="Pages", lang="en", legend=legend))
    assert_picture(render_khatm_grid([0.5] * 30, unit="juz", title="Juz", lang="ar", legend=legend))

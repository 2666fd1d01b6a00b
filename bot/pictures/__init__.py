"""Pictures for /stats and the weekly summaries (PNG bytes), Arabic shaping, and Hijri dates.

Pure: plain values in, PNG bytes or text out. Matplotlib loads on the first render, not on import.
`python -m bot.pictures DIR` writes sample pictures (the ones in docs/img/).
"""

from bot.pictures.arabic import digits, has_arabic, shape
from bot.pictures.charts import (
    BOARD_MAX_ROWS,
    render_board,
    render_daily_chart,
    render_khatm_grid,
    render_year_heatmap,
)
from bot.pictures.offload import release_memory, render_off_loop
from tracker.hijri import days_until_ramadan, format_hijri, hijri_date, is_ramadan

__all__ = [
    "BOARD_MAX_ROWS",
    "days_until_ramadan",
    "digits",
    "format_hijri",
    "has_arabic",
    "hijri_date",
    "is_ramadan",
    "release_memory",
    "render_board",
    "render_daily_chart",
    "render_khatm_grid",
    "render_off_loop",
    "render_year_heatmap",
    "shape",
]

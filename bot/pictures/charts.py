"""Charts as PNG bytes: plain values in, a picture out. No database, no Telegram.

Matplotlib is imported inside the functions (the bot starts fast and idle memory stays low until the
first picture) and only its object-oriented API is used — one `Figure` per call, drawn by Agg, never
pyplot's global state — so renders may run in worker threads (see `render_off_loop`).

Texts (titles, headers, names) come from the caller already translated; they are shaped here when they
hold Arabic. Date labels are formatted with Babel in `lang`, numbers in Arabic-Indic digits for "ar".
All text is drawn in DejaVu Sans, which ships inside matplotlib and covers Latin and Arabic
(presentation forms included); characters it lacks (emoji in a member's name) are dropped rather than
drawn as boxes.
"""

from __future__ import annotations

import io
import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from bot.pictures.arabic import digits, percent, shape

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

DAILY_DAYS = 30
HEATMAP_WEEKS = 53
BOARD_MAX_ROWS = 30
NAME_MAX_CHARS = 24
PAGE_GRID_COLUMNS = 20

# GitHub's greens: empty, then four levels.
EMPTY = "#ebedf0"
GREENS = ("#9be9a8", "#40c463", "#30a14e", "#216e39")
INK = "#24292f"
MUTED = "#57606a"
TARGET = "#d9822b"
MEDALS = ("#d4a017", "#a8a9ad", "#b87333")
DPI = 130


# ---------------------------------------------------------------------------------------------- text


@cache
def font_path(bold: bool = False) -> str:
    """The TrueType file every picture's text is drawn with (DejaVu Sans, inside matplotlib)."""
    import matplotlib

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name)


@cache
def _charmap(bold: bool) -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(font_path(bold)).get_charmap())


def _font(size: float, bold: bool = False) -> FontProperties:
    from matplotlib.font_manager import FontProperties

    return FontProperties(fname=font_path(bold), size=size)


def _text(value: str, bold: bool = False) -> str:
    """Caller text ready to draw: Arabic shaped, characters the font lacks (emoji …) dropped."""
    charmap = _charmap(bold)
    shaped = shape(" ".join(value.split()))
    return " ".join("".join(c for c in shaped if ord(c) in charmap or c == " ").split())


def _truncate(value: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary when one is near, with "…"."""
    value = " ".join(value.split())
    if len(value) <= limit:
        return value
    cut = value[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip() + "…"


def _lang(lang: str) -> str:
    return "ar" if lang == "ar" else "en"


def _date_label(d: date, pattern: str, lang: str) -> str:
    from babel.dates import format_date

    return _text(digits(format_date(d, pattern, locale=lang), lang))


# ------------------------------------------------------------------------------------------- figures


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI, facecolor="white")


def _png(fig: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(
        buf,
        format="png",
        dpi=DPI,
        facecolor="white",
        bbox_inches="tight",
        pad_inches=0.18,
        metadata={"Software": None},
    )
    return buf.getvalue()


def _title(fig: Figure, ax: Axes, title: str, lang: str, size: float = 14) -> None:
    ax.set_title(
        _text(title, bold=True),
        loc="right" if lang == "ar" else "left",
        pad=12,
        fontproperties=_font(size, bold=True),
        color=INK,
        parse_math=False,
    )


def _bare(ax: Axes) -> None:
    ax.set_axis_off()


# --------------------------------------------------------------------------------------- daily chart


OUTLIER_FACTOR = 2.5  # a day more than this times the next busiest is drawn cut off, with its value


def daily_axis_top(values: Sequence[float], target: float | None) -> float:
    """The y axis' top for the daily chart: room above the busiest ordinary day and the target, but not
    scaled to one outlier (a 60-page day must not flatten a month of 2-page days into the baseline)."""
    ordered = sorted((v for v in values if v > 0), reverse=True)
    busiest = ordered[0] if ordered else 0.0
    if len(ordered) >= 2 and busiest > OUTLIER_FACTOR * ordered[1]:
        busiest = OUTLIER_FACTOR * ordered[1]
    return max(busiest, target or 0.0, 1.0) * 1.18


def render_daily_chart(
    days: Sequence[tuple[date, float]],
    target: float | None,
    *,
    title: str,
    target_label: str,
    lang: str,
    end: date | None = None,
    unit_label: str | None = None,
) -> bytes:
    """Pages per day over the 30 days ending at `end` as bars, the daily target as a dashed line.

    `days` may be sparse and unordered (missing days are zero, repeated days are added up); `end`
    defaults to the latest day given, or today when there is none. A target of None or 0 draws no line.
    The y axis is `daily_axis_top`: an outlier day's bar is cut at the top and labelled with its value.
    `unit_label` names the y axis (e.g. "pages a day"); ticks are whole numbers.
    """
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    lang = _lang(lang)
    totals: defaultdict[date, float] = defaultdict(float)
    for day, value in days:
        totals[day] += max(0.0, float(value))
    if end is None:
        end = max(totals) if totals else date.today()
    window = [end - timedelta(days=DAILY_DAYS - 1 - i) for i in range(DAILY_DAYS)]
    values = [totals.get(d, 0.0) for d in window]
    target = float(target) if target and target > 0 else None
    top = daily_axis_top(values, target)

    fig = _figure(8.4, 4.0)
    ax = fig.add_subplot()
    xs = range(DAILY_DAYS)
    read = [min(v, top) if v > 0 else 0 for v in values]
    stubs = [top * 0.012 if v == 0 else 0 for v in values]
    colours = [GREENS[3] if target is not None and v >= target else GREENS[1] for v in values]
    ax.bar(xs, read, width=0.72, color=colours, zorder=2)
    ax.bar(xs, stubs, width=0.72, color="#d0d7de", zorder=2)
    for x, v in zip(xs, values, strict=True):
        if v > top:  # cut off: say how tall it really is
            ax.text(
                x, top * 0.985, digits(round(v), lang), fontproperties=_font(8, bold=True), color="white",
                ha="center", va="top", zorder=4, parse_math=False,
            )  # fmt: skip
    ax.set_xlim(-0.7, DAILY_DAYS - 0.3)
    ax.set_ylim(0, top)
    if unit_label:
        ax.set_ylabel(_text(unit_label), fontproperties=_font(9), color=MUTED)
        if lang == "ar":
            ax.yaxis.set_label_position("right")

    handles = []
    if target is not None:
        handles.append(ax.axhline(target, color=TARGET, linestyle=(0, (5, 3)), linewidth=1.8, zorder=3))
    ticks = [i for i in xs if (DAILY_DAYS - 1 - i) % 7 == 0]
    ax.set_xticks(
        ticks, [_date_label(window[i], "d MMM", lang) for i in ticks], fontproperties=_font(9), color=MUTED
    )
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: digits(int(v), lang)))
    for label in ax.get_yticklabels():
        label.set_fontproperties(_font(9))
    ax.tick_params(colors=MUTED, length=0, pad=6)
    ax.grid(axis="y", color="#eaeef2", linewidth=0.8, zorder=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color("#d0d7de")
    if lang == "ar":
        ax.yaxis.tick_right()

    _title(fig, ax, title, lang)
    if handles:
        ax.legend(
            handles,
            [_text(target_label)],
            prop=_font(9),
            frameon=False,
            handlelength=2.2,
            loc="lower left" if lang == "ar" else "lower right",
            bbox_to_anchor=(0, 1.0) if lang == "ar" else (1, 1.0),
            borderaxespad=0.3,
        )
    return _png(fig)


# ------------------------------------------------------------------------------------------- heatmap


def heatmap_levels(values: Sequence[float]) -> list[float]:
    """Three cut points splitting the non-zero `values` into four colour levels (quartiles)."""
    nonzero = sorted(v for v in values if v > 0)
    if not nonzero:
        return [math.inf] * 3
    return [nonzero[max(0, math.ceil(len(nonzero) * q) - 1)] for q in (0.25, 0.5, 0.75)]


def level_of(value: float, cuts: Sequence[float]) -> int:
    """0 for nothing read, else 1..4 by the cut points of `heatmap_levels`."""
    if value <= 0:
        return 0
    return 1 + sum(value > c for c in cuts)


def render_year_heatmap(
    counts: dict[date, float],
    *,
    end: date,
    title: str,
    lang: str,
    week_starts: int = 0,
    unit_label: str | None = None,
) -> bytes:
    """A GitHub-style calendar of the 53 weeks ending with the week of `end`.

    Rows are weekdays starting at `week_starts` (Python's numbering: 0 = Monday … 6 = Sunday), columns
    are weeks, oldest on the left; days after `end` are left out. Colour: empty, then four levels by the
    quartiles of the non-zero days shown; the legend runs from 0 to the busiest day (a whole number, then
    `unit_label`, e.g. "pages a day"). The first month shown and every January carry their year.
    """
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import FancyBboxPatch

    lang = _lang(lang)
    week_starts %= 7
    last_week = end - timedelta(days=(end.weekday() - week_starts) % 7)
    first = last_week - timedelta(weeks=HEATMAP_WEEKS - 1)
    shown = {first + timedelta(days=i) for i in range((end - first).days + 1)}
    values = {d: max(0.0, float(v)) for d, v in counts.items() if d in shown}
    cuts = heatmap_levels(list(values.values()))

    fig = _figure(10.6, 2.55)
    ax = fig.add_subplot()
    ax.set_aspect("equal")
    cells, colours = [], []
    for col in range(HEATMAP_WEEKS):
        for row in range(7):
            day = first + timedelta(weeks=col, days=row)
            if day > end:
                break
            level = level_of(values.get(day, 0.0), cuts)
            cells.append(
                FancyBboxPatch(
                    (col - 0.41, row - 0.41), 0.82, 0.82, boxstyle="round,pad=0,rounding_size=0.16"
                )
            )
            colours.append(EMPTY if level == 0 else GREENS[level - 1])
    ax.add_collection(PatchCollection(cells, facecolors=colours, edgecolors="none"))

    # Month names over the first week that starts in that month. The first column names its month
    # only when the next name is far enough away not to collide.
    starts = [col for col in range(HEATMAP_WEEKS) if col == 0 or (first + timedelta(weeks=col)).day <= 7]
    if len(starts) > 1 and starts[1] - starts[0] < 3:
        starts.pop(0)
    for n, col in enumerate(starts):
        month = first + timedelta(weeks=col)
        if month.day > 7:  # the first column, mid-month: its month is the next one's
            month = month.replace(day=1)
        with_year = n == 0 or month.month == 1 or (month + timedelta(days=6)).month == 1
        ax.text(
            col - 0.45,
            -0.95,
            _date_label(first + timedelta(weeks=col), "MMM y" if with_year else "MMM", lang),
            fontproperties=_font(8.5),
            color=MUTED,
            ha="left",
            va="bottom",
            parse_math=False,
        )
    for row in (1, 3, 5):
        day = first + timedelta(days=row)
        ax.text(
            -0.85,
            row,
            _date_label(day, "EEE", lang),
            fontproperties=_font(8),
            color=MUTED,
            ha="right",
            va="center",
            parse_math=False,
        )

    # Legend under the grid, right-aligned: 0 ▢▢▢▢▢ busiest day.
    busiest = max(values.values(), default=0.0)
    x0 = HEATMAP_WEEKS - 0.5 - 5 * 1.0 - 1.6
    for i, colour in enumerate((EMPTY, *GREENS)):
        ax.add_patch(
            FancyBboxPatch(
                (x0 + i - 0.41, 7.35 - 0.41),
                0.82,
                0.82,
                boxstyle="round,pad=0,rounding_size=0.16",
                facecolor=colour,
                edgecolor="none",
            )
        )
    ax.text(x0 - 0.8, 7.35, digits(0, lang), fontproperties=_font(8), color=MUTED, ha="right", va="center")
    most = digits(max(1, math.ceil(busiest)) if busiest > 0 else 0, lang)
    ax.text(
        x0 + 4.8,
        7.35,
        f"{most} {_text(unit_label)}" if unit_label else most,
        fontproperties=_font(8),
        color=MUTED,
        ha="left",
        va="center",
    )

    ax.set_xlim(-0.6, HEATMAP_WEEKS - 0.4)
    ax.set_ylim(7.9, -1.1)
    _bare(ax)
    fig.text(
        0.99 if lang == "ar" else 0.01,
        0.98,
        _text(title, bold=True),
        fontproperties=_font(13, True),
        color=INK,
        ha="right" if lang == "ar" else "left",
        va="top",
        parse_math=False,
    )
    fig.subplots_adjust(left=0.06, right=0.99, top=0.86, bottom=0.02)
    return _png(fig)


# ---------------------------------------------------------------------------------------- khatm grid


def render_khatm_grid(
    fractions: Sequence[float],
    *,
    unit: str = "juz",
    title: str,
    lang: str,
    legend: Sequence[str] | None = None,
) -> bytes:
    """Progress through one khatm: `fractions[i]` is how much of juz/page i+1 is read (0..1).

    unit="juz": 30 cells in 5 rows of 6, each filled from the bottom by its fraction, with the juz
    number (and the percent when partly read). unit="page": 604 small cells, 20 pages a row (a row is
    about one juz), coloured by fraction, the first page of every fifth row labelled. Cells run in
    reading order: from the top left in English, from the top right in Arabic. `legend` names the colours
    (not read, partly read, read) under the grid.
    """
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import FancyBboxPatch, Rectangle

    from quran import JUZ_COUNT, PAGE_COUNT

    lang = _lang(lang)
    if unit not in ("juz", "page"):
        raise ValueError(f"unit must be 'juz' or 'page', not {unit!r}")
    count = JUZ_COUNT if unit == "juz" else PAGE_COUNT
    if len(fractions) != count:
        raise ValueError(f"{unit} grid needs {count} fractions, got {len(fractions)}")
    fracs = [min(1.0, max(0.0, float(f))) if f == f else 0.0 for f in fractions]
    columns = 6 if unit == "juz" else PAGE_GRID_COLUMNS
    rows = math.ceil(count / columns)

    def position(i: int) -> tuple[int, int]:
        row, col = divmod(i, columns)
        return (columns - 1 - col if lang == "ar" else col), row

    if unit == "juz":
        fig = _figure(6.4, 5.9)
        ax = fig.add_subplot()
        for i, frac in enumerate(fracs):
            x, y = position(i)
            back = FancyBboxPatch(
                (x - 0.44, y - 0.44),
                0.88,
                0.88,
                boxstyle="round,pad=0,rounding_size=0.1",
                facecolor=GREENS[3] if frac >= 1 else EMPTY,
                edgecolor="none",
                zorder=1,
            )
            ax.add_patch(back)
            partly = 0 < frac < 1
            if partly:
                # Light green rising from the bottom, clipped to the rounded cell; dark ink stays legible.
                height = 0.88 * frac
                fill = Rectangle(
                    (x - 0.44, y + 0.44 - height),
                    0.88,
                    height,
                    facecolor=GREENS[0],
                    edgecolor="none",
                    zorder=2,
                )
                ax.add_patch(fill)
                fill.set_clip_path(back)
                pct = percent(min(99, max(1, round(frac * 100))), lang)
                ax.text(
                    x, y + 0.25, pct, fontproperties=_font(9.5), ha="center", va="center", color=INK, zorder=4
                )
            ax.text(
                x,
                y - (0.1 if partly else 0),
                digits(i + 1, lang),
                fontproperties=_font(17, bold=True),
                ha="center",
                va="center",
                color="white" if frac >= 1 else INK,
                zorder=4,
            )
        ax.set_xlim(-0.55, columns - 0.45)
        ax.set_ylim(rows - 0.45, -0.55)
    else:
        fig = _figure(6.2, 8.6)
        ax = fig.add_subplot()
        cells, colours = [], []
        for i, frac in enumerate(fracs):
            x, y = position(i)
            cells.append(Rectangle((x - 0.43, y - 0.43), 0.86, 0.86))
            if frac <= 0:
                colours.append(EMPTY)
            else:
                colours.append(GREENS[3] if frac >= 1 else GREENS[0] if frac < 0.5 else GREENS[1])
        ax.add_collection(PatchCollection(cells, facecolors=colours, edgecolors="none"))
        for row in range(0, rows, 5):
            x = columns - 0.3 if lang == "ar" else -0.7
            ax.text(
                x,
                row,
                digits(row * columns + 1, lang),
                fontproperties=_font(8),
                color=MUTED,
                ha="left" if lang == "ar" else "right",
                va="center",
            )
        ax.set_xlim(-0.6, columns - 0.4)
        ax.set_ylim(rows - 0.4, -0.6)
    ax.set_aspect("equal")
    _bare(ax)
    _title(fig, ax, title, lang, size=14)
    if legend:
        from matplotlib.patches import Patch

        swatches = [Patch(facecolor=c, edgecolor="none") for c in (EMPTY, GREENS[0], GREENS[3])]
        fig.legend(
            swatches, [_text(label) for label in legend], prop=_font(9), frameon=False, ncol=3,
            loc="lower center", bbox_to_anchor=(0.5, 0.0), handlelength=1.2, columnspacing=1.6,
        )  # fmt: skip
    return _png(fig)


# --------------------------------------------------------------------------------------------- board


def render_board(
    rows: Sequence[tuple[str, float, int, int]], *, title: str, headers: tuple[str, ...], lang: str
) -> bytes:
    """A circle's leaderboard: rank, name, pages, days active, streak — in the order given.

    `headers` names the four data columns (name, pages, days, streak); the rank column has none. At most
    `BOARD_MAX_ROWS` rows are drawn (the caller ranks and cuts); names longer than `NAME_MAX_CHARS` are
    shortened with "…". Arabic mirrors the table: rank on the right, names right-aligned.
    """
    from matplotlib.patches import FancyBboxPatch

    lang = _lang(lang)
    if len(headers) != 4:
        raise ValueError(f"headers must name 4 columns (name, pages, days, streak), got {len(headers)}")
    shown = list(rows)[:BOARD_MAX_ROWS]
    n = max(1, len(shown))
    row_h = 0.44
    # One data unit is one row, whatever the number of rows: the axes fill the figure exactly.
    fig = _figure(7.6, row_h * (n + 1.1))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 1)
    ax.set_ylim(n + 1.05, -0.05)
    _bare(ax)

    def x(pos: float) -> float:
        return 1 - pos if lang == "ar" else pos

    rtl = lang == "ar"
    name_align = "right" if rtl else "left"
    # column: (x, alignment); numbers centred under their header.
    rank_x, name_x, number_xs = 0.055, 0.11, (0.62, 0.76, 0.90)

    ax.add_patch(
        FancyBboxPatch(
            (0.015, 0.08),
            0.97,
            0.84,
            boxstyle="round,pad=0,rounding_size=0.02",
            facecolor="#f6f8fa",
            edgecolor="none",
            mutation_aspect=1 / 8,
        )
    )
    ax.text(
        x(name_x),
        0.5,
        _text(headers[0], True),
        fontproperties=_font(10.5, True),
        color=MUTED,
        ha=name_align,
        va="center",
        parse_math=False,
    )
    for header, nx in zip(headers[1:], number_xs, strict=True):
        ax.text(
            x(nx),
            0.5,
            _text(_truncate(header, 14), True),
            fontproperties=_font(10.5, True),
            color=MUTED,
            ha="center",
            va="center",
            parse_math=False,
        )

    if not shown:
        ax.text(0.5, 1.5, "—", fontproperties=_font(12), color=MUTED, ha="center", va="center")
    for i, (name, pages, days_active, streak) in enumerate(shown):
        y = i + 1.5
        if i % 2:
            ax.axhspan(y - 0.5, y + 0.5, xmin=0.015, xmax=0.985, color="#f6f8fa", zorder=0, linewidth=0)
        rank = digits(i + 1, lang)
        if i < len(MEDALS):
            # a scatter marker stays round although the axes are not square
            ax.scatter([x(rank_x)], [y], s=330, color=MEDALS[i], linewidths=0, zorder=1)
            ax.text(
                x(rank_x),
                y,
                rank,
                fontproperties=_font(10, True),
                color="white",
                ha="center",
                va="center",
                zorder=2,
            )
        else:
            ax.text(x(rank_x), y, rank, fontproperties=_font(10), color=MUTED, ha="center", va="center")
        ax.text(
            x(name_x),
            y,
            _text(_truncate(name, NAME_MAX_CHARS)),
            fontproperties=_font(11.5),
            color=INK,
            ha=name_align,
            va="center",
            parse_math=False,
        )
        for value, nx in zip((pages, days_active, streak), number_xs, strict=True):
            ax.text(
                x(nx),
                y,
                digits(_round(value), lang),
                fontproperties=_font(11.5),
                color=INK,
                ha="center",
                va="center",
            )
    fig.suptitle(
        _text(title, bold=True),
        fontproperties=_font(14, True),
        color=INK,
        x=0.97 if rtl else 0.03,
        ha="right" if rtl else "left",
        y=1.0 + 0.12 / fig.get_figheight(),
        va="bottom",
        parse_math=False,
    )
    return _png(fig)


def _round(value: float) -> float:
    value = float(value)
    return round(value) if abs(value - round(value)) < 0.05 else round(value, 1)

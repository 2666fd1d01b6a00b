"""The hifz picture: the 604 pages coloured not memorised / fragile / firm, with a legend.

Pure: values in, PNG bytes out (the caller translates the texts). 20 pages a row (a row is about a juz);
pages run in reading order — from the top left in English, from the top right in Arabic, as in the
mushaf.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.pictures.arabic import digits
from bot.pictures.charts import (
    EMPTY,
    GREENS,
    MUTED,
    PAGE_GRID_COLUMNS,
    _bare,
    _figure,
    _font,
    _png,
    _text,
    _title,
)

FRAGILE = "#f0b429"  # amber: memorised, needs frequent revision
FIRM = GREENS[3]
COLOURS = {"none": EMPTY, "fragile": FRAGILE, "firm": FIRM}
PAGES = 604


def render_hifz_map(strengths: Sequence[str], *, title: str, legend: dict[str, str], lang: str) -> bytes:
    """`strengths[i]` is page i+1's "none", "fragile" or "firm"; `legend` maps those to labels."""
    import math

    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Patch, Rectangle

    if len(strengths) != PAGES:
        raise ValueError(f"the hifz map needs {PAGES} pages, got {len(strengths)}")
    unknown = set(strengths) - set(COLOURS)
    if unknown:
        raise ValueError(f"unknown strengths {sorted(unknown)}")
    lang = "ar" if lang == "ar" else "en"
    columns = PAGE_GRID_COLUMNS
    rows = math.ceil(PAGES / columns)
    fig = _figure(6.2, 9.0)
    ax = fig.add_subplot()
    cells, colours = [], []
    for i, s in enumerate(strengths):
        row, col = divmod(i, columns)
        x = columns - 1 - col if lang == "ar" else col
        cells.append(Rectangle((x - 0.43, row - 0.43), 0.86, 0.86))
        colours.append(COLOURS[s])
    ax.add_collection(PatchCollection(cells, facecolors=colours, edgecolors="none"))
    for row in range(0, rows, 5):
        ax.text(
            columns - 0.3 if lang == "ar" else -0.7,
            row,
            digits(row * columns + 1, lang),
            fontproperties=_font(8),
            color=MUTED,
            ha="left" if lang == "ar" else "right",
            va="center",
        )
    order = ["none", "fragile", "firm"]
    if lang == "ar":
        order.reverse()  # read from the right
    handles = [Patch(facecolor=COLOURS[k], edgecolor="none", label=_text(legend[k])) for k in order]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=3,
        frameon=False,
        prop=_font(10),
        handlelength=1.2,
    )
    ax.set_xlim(-0.6, columns - 0.4)
    ax.set_ylim(rows - 0.4, -0.6)
    ax.set_aspect("equal")
    _bare(ax)
    _title(fig, ax, title, lang, size=14)
    return _png(fig)


def sample_strengths() -> list[str]:
    """A believable memoriser: juz 30 and Al-Mulk firm, juz 29's rest fragile, Al-Fatiha and the start of
    Al-Baqara (the first pages most learn) firm, the last week's lesson fragile."""
    out = ["none"] * PAGES
    for page in range(582, 605):
        out[page - 1] = "firm"
    for page in range(562, 582):
        out[page - 1] = "fragile" if page > 564 else "firm"
    for page in range(1, 8):
        out[page - 1] = "firm"
    return out


if __name__ == "__main__":  # python -m bot.pictures.hifz docs/img
    import sys
    from pathlib import Path

    folder = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    texts = {
        "en": ("My hifz: 50 pages", {"none": "Not memorised", "fragile": "Fragile", "firm": "Firm"}),
        "ar": ("حفظي: ٥٠ صفحة", {"none": "غير محفوظ", "fragile": "يحتاج تثبيتًا", "firm": "متين"}),
    }
    for lang, (title, legend) in texts.items():
        path = folder / f"hifz-{lang}.png"
        path.write_bytes(render_hifz_map(sample_strengths(), title=title, legend=legend, lang=lang))
        print(path)

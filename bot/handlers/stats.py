"""/stats and the khatm picture: what people would rather look at than read."""

from __future__ import annotations

from functools import partial

from bot.i18n import Translator
from bot.pictures import render_daily_chart, render_khatm_grid, render_off_loop, render_year_heatmap
from bot.runtime import Ctx, Photo, Reply, handler
from bot.views import amount_text, dates_line
from tracker import stats
from tracker.stats import Period


def _period(t: Translator, key: str, p: Period) -> str:
    return t(key, pages=amount_text(t, "pages", p.pages), days=t.plural("count.days", p.days))


def stats_text(t: Translator, s: stats.Stats) -> str:
    lines = [
        t("stats.title", dates=dates_line(t, s.today)),
        _period(t, "stats.week", s.week),
        _period(t, "stats.month", s.month),
        _period(t, "stats.year", s.year),
        _period(t, "stats.all_time", s.all_time),
        t("stats.pace", pages=amount_text(t, "pages", s.pace_pages)),
        t("stats.khatms", count=t.num(s.khatms_completed)),
        t("streak.current", days=t.plural("count.days", s.streak.current))
        if s.streak.current
        else t("streak.none"),
    ]
    return "\n".join(lines)


@handler
async def stats_command(ctx: Ctx) -> list[Reply]:
    t, s = ctx.t, await stats.stats_for(ctx.uow, ctx.user, ctx.now)
    if not s.all_time.days:  # two empty charts say nothing: say "nothing yet" instead
        return [Reply(t("stats.empty"))]
    chart = partial(
        render_off_loop,
        render_daily_chart,
        s.daily_pages,
        s.target_pages,
        title=t("stats.chart_title"),
        target_label=t("stats.target"),
        lang=t.lang,
        end=s.today,
        unit_label=t("stats.axis_pages"),
    )
    year = partial(
        render_off_loop,
        render_year_heatmap,
        s.year_pages,
        end=s.today,
        title=t("stats.year_title"),
        lang=t.lang,
        unit_label=t("stats.axis_pages"),
    )
    return [
        Reply(stats_text(t, s)),
        Reply(t("stats.chart_caption"), photo=Photo("last-30-days.png", chart)),
        Reply(
            t("stats.year_caption"),
            photo=Photo("year.png", year),
            buttons=[[(t("stats.picture_juz"), "pic:juz"), (t("stats.picture_pages"), "pic:page")]],
        ),
    ]


@handler
async def khatm_picture(ctx: Ctx) -> Reply:
    unit = ctx.callback_data.removeprefix("pic:")
    if unit not in ("juz", "page"):
        return Reply("", toast=ctx.t("button.stale"))
    fractions = await stats.khatm_fractions(ctx.uow, ctx.user, ctx.now, "juz" if unit == "juz" else "page")
    draw = partial(
        render_off_loop,
        render_khatm_grid,
        fractions,
        unit=unit,
        title=ctx.t("stats.khatm_title"),
        lang=ctx.t.lang,
        legend=(ctx.t("stats.grid_unread"), ctx.t("stats.grid_partly"), ctx.t("stats.grid_read")),
    )
    return Reply(ctx.t("stats.khatm_caption"), photo=Photo(f"khatm-{unit}.png", draw))

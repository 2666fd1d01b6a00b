"""/progress: where the user stands in their khatm, and where to continue."""

from __future__ import annotations

import html

from bot.runtime import Ctx, Reply, handler
from bot.views import today_lines
from quran import JUZ_COUNT, PAGE_COUNT, TOTAL_AYAHS
from tracker import goals
from tracker.progress import progress


@handler
async def progress_command(ctx: Ctx) -> Reply:
    p = await progress(ctx.uow, ctx.user, ctx.now)
    t = ctx.t
    lines = [
        t(
            "progress.khatm",
            number=t.num(p.khatm_number),
            percent=t.percent(p.percent),
            covered=t.num(p.covered),
            total=t.plural("count.ayahs", TOTAL_AYAHS),
        ),
        t(
            "progress.units",
            juz=t.num(len(p.complete_juz)),
            juz_total=t.num(JUZ_COUNT),
            pages=t.num(p.complete_pages),
            pages_total=t.num(PAGE_COUNT),
        ),
    ]
    if p.continue_from is not None:
        lines.append(t("progress.continue", where=html.escape(p.continue_from.label(t.lang))))
    if p.estimated_finish is not None:
        pace = t.plural("count.ayahs", max(1, round(p.pace_per_day)))
        lines.append(t("progress.estimate", pace=pace, date=t.date(p.estimated_finish)))
    elif p.covered < TOTAL_AYAHS:
        lines.append(t("progress.no_pace"))
    if p.khatms_completed:
        lines.append(t("progress.completed", count=t.num(p.khatms_completed)))
    has = ctx.uow.users.state(ctx.user.id)  # loaded with the user: None only off the usual path
    if has is not None and not has.has_goals:  # no goal, no habit: nothing to look up
        today = goals.Today(p.today, None)
    else:
        today = await goals.today_for(ctx.uow, ctx.user, ctx.now)
    lines += today_lines(t, today) if today.goal or today.habits else [t("progress.no_goal")]
    buttons = [[(t("stats.picture_juz"), "pic:juz"), (t("stats.picture_pages"), "pic:page")]]
    days = goals.ramadan_offer(today)
    if days is not None:
        offer = t("ramadan.during") if days == 0 else t("ramadan.offer", days=t.plural("count.days", days))
        lines += ["", offer]
        buttons.append([(t("ramadan.button"), "goal:ramadan")])
    return Reply("\n".join(lines), buttons=buttons)

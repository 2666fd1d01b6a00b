"""/progress: where the user stands in their khatm, and where to continue."""

from __future__ import annotations

import html

from bot.runtime import Ctx, Reply, handler
from quran import JUZ_COUNT, PAGE_COUNT, TOTAL_AYAHS
from tracker.progress import progress


@handler
async def progress_command(ctx: Ctx) -> Reply:
    p = await progress(ctx.uow, ctx.user, ctx.now)
    t = ctx.t
    lines = [t("progress.khatm", number=t.num(p.khatm_number), percent=t.percent(p.percent),
               covered=t.num(p.covered), total=t.num(TOTAL_AYAHS)),
             t("progress.units", juz=t.num(len(p.complete_juz)), juz_total=t.num(JUZ_COUNT),
               pages=t.num(p.complete_pages), pages_total=t.num(PAGE_COUNT))]
    if p.continue_from is not None:
        lines.append(t("progress.continue", where=html.escape(p.continue_from.label(t.lang))))
    if p.estimated_finish is not None:
        pace = t.plural("count.ayahs", max(1, round(p.pace_per_day)))
        lines.append(t("progress.estimate", pace=pace, date=t.date(p.estimated_finish)))
    elif p.covered < TOTAL_AYAHS:
        lines.append(t("progress.no_pace"))
    if p.khatms_completed:
        lines.append(t("progress.completed", count=t.num(p.khatms_completed)))
    return Reply("\n".join(lines))

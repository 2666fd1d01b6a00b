"""/remind: the daily reminder (one or more local times), the streak warning and Friday's Al-Kahf."""

from __future__ import annotations

from datetime import time

from bot.runtime import Ctx, Reply, handler
from tracker import reminders

QUICK_TIMES = ("06:00", "07:00", "08:00", "13:00", "18:00", "21:00")


async def reminders_text(ctx: Ctx) -> str:
    rows = {(r.kind, r.slot): r for r in await ctx.uow.reminders.for_user(ctx.user.id) if r.enabled}
    shown = ctx.t.time
    daily = [shown(r.local_time) for (kind, _), r in sorted(rows.items()) if kind == "daily"]
    off = ctx.t("remind.off")
    streak, kahf, weekly = rows.get(("streak", 1)), rows.get(("kahf", 1)), rows.get(("weekly", 1))
    text = ctx.t(
        "remind.show",
        daily=ctx.t.join(daily) if daily else off,
        streak=shown(streak.local_time) if streak else off,
        kahf=shown(kahf.local_time) if kahf else off,
        weekly=ctx.t("remind.weekly_day", time=shown(weekly.local_time)) if weekly else off,
        timezone=ctx.user.timezone,
    )
    if streak is not None and streak.local_time in {
        r.local_time for (kind, _), r in rows.items() if kind == "daily"
    }:
        # both would arrive in the same minute: say so, the user may want them apart
        text += "\n" + ctx.t("remind.same_minute", time=shown(streak.local_time))
    return text


async def _menu(ctx: Ctx, *, edit: bool = False, prefix: str = "") -> Reply:
    times = [(ctx.t.time(time.fromisoformat(value)), f"rem:daily:{value}") for value in QUICK_TIMES]
    toggles = []
    for kind in ("streak", "kahf", "weekly"):
        row = await ctx.uow.reminders.get(ctx.user.id, kind, 1)
        on = row is not None and row.enabled
        switch = "off" if on else "on"
        toggles.append((ctx.t(f"remind.{kind}_{switch}"), f"rem:{kind}:{switch}"))
    buttons = [times[:3], times[3:], [(ctx.t("remind.daily_off"), "rem:daily:off")], toggles[:2], toggles[2:]]
    text = prefix + await reminders_text(ctx) + "\n\n" + ctx.t("remind.usage")
    return Reply(text, buttons=buttons, edit=edit)


@handler
async def remind_command(ctx: Ctx) -> Reply:
    if not ctx.args:
        return await _menu(ctx)
    try:
        kind, times = reminders.parse_request(ctx.args)
    except ValueError:
        return Reply(ctx.t("remind.bad_time") + "\n\n" + ctx.t("remind.usage"))
    await reminders.apply_request(ctx.uow, ctx.user, kind, times, ctx.now)
    return await _menu(ctx, prefix=ctx.t("remind.saved") + "\n")  # the menu then says what is on


@handler
async def remind_button(ctx: Ctx) -> Reply:
    _, kind, value = [*ctx.callback_data.split(":", 2), "", ""][:3]
    if kind not in reminders.KINDS:
        return Reply("", toast=ctx.t("button.stale"))
    if value == "off":
        await reminders.disable(ctx.uow, ctx.user, kind)
    elif value == "on":
        default = {
            "streak": reminders.DEFAULT_STREAK_TIME,
            "kahf": reminders.DEFAULT_KAHF_TIME,
            "weekly": reminders.DEFAULT_WEEKLY_TIME,
        }.get(kind, reminders.DEFAULT_STREAK_TIME)
        await reminders.set_reminder(ctx.uow, ctx.user, kind, default, ctx.now)
    else:
        at = reminders.parse_time(value)
        if at is None:
            return Reply("", toast=ctx.t("button.stale"))
        await reminders.disable(ctx.uow, ctx.user, "daily")
        await reminders.set_reminder(ctx.uow, ctx.user, "daily", at, ctx.now)
    return await _menu(ctx, edit=True, prefix=ctx.t("remind.saved") + "\n")

"""/streak, kindly: current and longest streak, days this month, grace, and excusing a day."""

from __future__ import annotations

from bot.runtime import Ctx, Reply, handler
from tracker import streaks
from tracker.streaks import EXCUSE_REASONS, Streak


def streak_text(ctx: Ctx, s: Streak) -> str:
    t = ctx.t
    lines = [t("streak.current", days=t.plural("count.days", s.current)) if s.current else t("streak.none")]
    if s.read_today:
        lines.append(t("streak.read_today"))
    elif s.at_risk:
        lines.append(t("streak.at_risk"))
    lines.append(t("streak.longest", days=t.plural("count.days", s.longest)))
    lines.append(t("streak.month", days=t.plural("count.days", s.days_this_month)))
    if ctx.user.grace_days_per_week:
        per_week = t.num(ctx.user.grace_days_per_week)
        lines.append(t("streak.grace", left=t.num(s.grace_left), per_week=per_week))
    else:
        lines.append(t("streak.grace_off"))
    if s.excused:
        lines.append(t("streak.excused", days=t.plural("count.days", len(s.excused))))
    return "\n".join(lines)


def _buttons(ctx: Ctx, s: Streak) -> list[list[tuple[str, str]]]:
    grace = ctx.user.grace_days_per_week
    excuse = [(ctx.t("streak.excuse_yesterday"), "excuse:1")]
    if not s.read_today:  # a day already read needs no excuse
        excuse.insert(0, (ctx.t("streak.excuse_today"), "excuse:0"))
    return [
        excuse,
        [
            (
                ctx.t("streak.grace_turn_off") if grace else ctx.t("streak.grace_turn_on"),
                f"grace:{0 if grace else 1}",
            )
        ],
    ]


@handler
async def streak_command(ctx: Ctx) -> Reply:
    s = await streaks.streak_for(ctx.uow, ctx.user, ctx.now)
    return Reply(streak_text(ctx, s), buttons=_buttons(ctx, s))


@handler
async def excuse_button(ctx: Ctx) -> Reply:
    """excuse:<days ago> asks why; excuse:<days ago>:<reason> records it (privately)."""
    parts = ctx.callback_data.split(":")
    if len(parts) < 2 or not parts[1].isdigit() or int(parts[1]) not in streaks.EXCUSABLE_DAYS_AGO:
        return Reply("", toast=ctx.t("button.stale"))
    ago = int(parts[1])
    if len(parts) == 2:
        rows = [
            [(ctx.t(f"excuse.{r}"), f"excuse:{ago}:{r}") for r in EXCUSE_REASONS[:2]],
            [(ctx.t(f"excuse.{r}"), f"excuse:{ago}:{r}") for r in EXCUSE_REASONS[2:]],
        ]
        return Reply(ctx.t("excuse.why"), buttons=rows, edit=True)
    if parts[2] not in EXCUSE_REASONS:
        return Reply("", toast=ctx.t("button.stale"))
    day = await streaks.excuse_recent(ctx.uow, ctx.user, ago, parts[2], ctx.now)
    s = await streaks.streak_for(ctx.uow, ctx.user, ctx.now)
    return Reply(
        ctx.t("excuse.done", date=ctx.t.date(day)) + "\n\n" + streak_text(ctx, s),
        buttons=_buttons(ctx, s),
        edit=True,
    )


@handler
async def grace_button(ctx: Ctx) -> Reply:
    value = ctx.callback_data.removeprefix("grace:")
    if value not in ("0", "1"):
        return Reply("", toast=ctx.t("button.stale"))
    await streaks.set_grace(ctx.uow, ctx.user, int(value))
    s = await streaks.streak_for(ctx.uow, ctx.user, ctx.now)
    return Reply(streak_text(ctx, s), buttons=_buttons(ctx, s), edit=True)

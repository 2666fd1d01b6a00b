"""/goal and /next: a daily target or a deadline, presets, and today's portion as a concrete range."""

from __future__ import annotations

import html

from bot.handlers.reading import confirmation, first_tap
from bot.runtime import Ctx, Reply, handler
from bot.views import done_button, goal_text, habit_lines, today_lines
from quran import Span, surah_name, surah_span
from tracker import goals, logbook
from tracker.goals import GoalError
from tracker.progress import continue_from

PRESET_BUTTONS = [
    ("goal.preset.ramadan", "goal:ramadan"),
    ("goal.preset.month", "goal:month"),
    ("goal.preset.juz", "goal:juz1"),
    ("goal.preset.pages", "goal:pages2"),
    ("goal.preset.mulk", "goal:mulk"),
    ("goal.preset.kahf", "goal:kahf"),
]


@handler
async def goal_command(ctx: Ctx) -> Reply:
    t = ctx.t
    if ctx.args:
        text = " ".join(ctx.args)
        if goals.is_clear_request(text):
            await goals.clear_goals(ctx.uow, ctx.user)
            return Reply(t("goal.cleared"))
        try:
            spec = goals.parse_goal(text, (await goals.today_for(ctx.uow, ctx.user, ctx.now)).today)
        except GoalError as err:
            return Reply(t(f"goal.error.{err.code}") + "\n\n" + t("goal.usage"))
        await goals.set_goal(ctx.uow, ctx.user, spec, ctx.now)
        return await _goal_set_reply(ctx)
    return await _goal_menu(ctx)


async def _goal_menu(ctx: Ctx, *, prefix: str = "", edit: bool = False) -> Reply:
    """The goal, the habits, and the presets: Ramadan only in its window, habits as ✓ switches."""
    t = ctx.t
    today = await goals.today_for(ctx.uow, ctx.user, ctx.now)
    lines = [prefix] if prefix else []
    lines.append(t("goal.current", goal=goal_text(t, today)))
    lines += [
        t(
            "goal.habit",
            surah=html.escape(surah_name(h.surah, t.lang)),
            when=t("goal.every_friday") if h.weekday == goals.FRIDAY else t("goal.every_night"),
        )
        for h in today.habits
    ]
    lines += ["", t("goal.choose"), t("goal.usage")]
    on = {h.surah for h in today.habits}
    buttons = []
    for key, data in PRESET_BUTTONS:
        preset = data.removeprefix("goal:")
        if preset == "ramadan" and not goals.ramadan_open(today.today):
            continue
        label = t(key)
        if goals.HABIT_PRESETS.get(preset) in on:
            label = "✓ " + label
        buttons.append([(label, data)])
    buttons.append([(t("goal.preset.clear"), "goal:clear")])
    return Reply("\n".join(lines), buttons=buttons, edit=edit)


async def _goal_set_reply(ctx: Ctx, *, edit: bool = False) -> Reply:
    today = await goals.today_for(ctx.uow, ctx.user, ctx.now)
    lines = [ctx.t("goal.set", goal=goal_text(ctx.t, today)), *today_lines(ctx.t, today)]
    if today.portion is not None:
        lines.append(ctx.t("next.portion", what=html.escape(today.portion.label(ctx.t.lang))))
    return Reply(
        "\n".join(lines), edit=edit, buttons=done_button(ctx.t, today.portion) if today.portion else None
    )


@handler
async def goal_button(ctx: Ctx) -> Reply:
    choice = ctx.callback_data.removeprefix("goal:")
    if choice == "clear":
        await goals.clear_goals(ctx.uow, ctx.user)
        return Reply(ctx.t("goal.cleared"), edit=True)
    if choice not in goals.PRESETS:
        return Reply("", toast=ctx.t("button.stale"))
    if choice in goals.HABIT_PRESETS:
        on = await goals.toggle_habit(ctx.uow, ctx.user, choice, ctx.now)
        habit = ctx.t(f"goal.preset.{choice}")
        said = ctx.t("goal.habit_added", habit=habit) if on else ctx.t("goal.habit_removed", habit=habit)
        return await _goal_menu(ctx, prefix=said, edit=True)
    try:
        await goals.apply_preset(ctx.uow, ctx.user, choice, ctx.now)
    except GoalError as err:
        return Reply("", toast=ctx.t(f"goal.error.{err.code}"))
    return await _goal_set_reply(ctx, edit=True)


def _habits_due(today: goals.Today) -> list[Span]:
    return [surah_span(h.surah) for h in today.habits if h.due_today and not h.done_today]


def _habit_buttons(ctx: Ctx, today: goals.Today) -> list[list[tuple[str, str]]]:
    """A Done button per habit still due today, so /next offers the habit's own portion."""
    return [
        [(f"🌙 {surah_name(span.start.surah, ctx.t.lang)} ✓", f"log:{span.first_index}-{span.last_index}")]
        for span in _habits_due(today)
    ]


@handler
async def next_command(ctx: Ctx) -> Reply:
    t = ctx.t
    today = await goals.today_for(ctx.uow, ctx.user, ctx.now)
    habits = _habit_buttons(ctx, today)
    if today.goal is None:
        due = _habits_due(today)
        if due:  # a habit is the plan for today: offer it, not a page of the khatm
            lines = [*habit_lines(t, today), t("next.portion", what=html.escape(due[0].label(t.lang)))]
            return Reply("\n".join(lines), buttons=habits)
        start = await continue_from(ctx.uow, ctx.user, ctx.now)
        lines = [t("next.no_goal")]
        if start is not None:
            portion = goals.portion_from(start, "pages", 1)
            lines.append(t("next.portion", what=html.escape(portion.label(t.lang))))
            return Reply("\n".join([*lines, *habit_lines(t, today)]), buttons=done_button(t, portion))
        return Reply("\n".join(lines))
    lines = today_lines(t, today)
    if today.portion is None:  # today's target is met: offer a page ahead, never nothing
        start = None if today.achieved else await continue_from(ctx.uow, ctx.user, ctx.now)
        if start is None:
            return Reply("\n".join(lines), buttons=habits or None)
        ahead = goals.portion_from(start, "pages", 1)
        lines.append(t("next.ahead", what=html.escape(ahead.label(t.lang))))
        return Reply("\n".join(lines), buttons=done_button(t, ahead) + habits)
    lines.append(t("next.portion", what=html.escape(today.portion.label(t.lang))))
    return Reply("\n".join(lines), buttons=done_button(t, today.portion) + habits)


@handler
async def done_portion(ctx: Ctx) -> Reply:
    """The "Done ✓" under a portion (in /next and in reminders): logs exactly that portion."""
    try:
        first, last = (int(x) for x in ctx.callback_data.removeprefix("log:").split("-"))
        span = Span.from_indices(first, last)
    except ValueError:
        return Reply("", toast=ctx.t("button.stale"))
    if not await first_tap(ctx):
        return Reply("", toast=ctx.t("button.stale"))
    logged = await logbook.record_log(
        ctx.uow, ctx.user, [span], now=ctx.now, update_id=ctx.update.update_id, source="reminder"
    )
    ctx.services.circle_news(ctx, logged)
    reply = confirmation(logged.result, ctx.t, yesterday=False)
    today = await goals.today_for(ctx.uow, ctx.user, ctx.now)
    reply.text = "\n".join([reply.text, *today_lines(ctx.t, today)])
    reply.edit = True
    return reply

"""The circle's buttons: take / done a juz, share out, next round, today's wird done, join, settings."""

from __future__ import annotations

from bot.handlers.circles.commands import circle_command, wird_reply
from bot.handlers.circles.guards import button_circle, ints, pressed_circle, stale
from bot.handlers.circles.live import circle_news, refresh_after
from bot.runtime import Ctx, Reply
from tracker import circles, logbook
from tracker.circles import RoundError


async def take_button(ctx: Ctx) -> Reply:
    t = ctx.t
    ids = ints(ctx.callback_data)
    rnd = await ctx.uow.circles.round(ids[0]) if len(ids) == 2 else None
    circle = await button_circle(ctx, rnd.circle_id) if rnd else None
    if circle is None:
        return stale(ctx)
    claim = await circles.claim_juz(ctx.uow, rnd.id, ids[1], ctx.user, ctx.now)
    juz = t.num(ids[1])
    if claim.refused == "not_member":
        return Reply("", toast=t("circle.join_first_toast"))
    if claim.refused is not None:
        return stale(ctx)
    refresh_after(ctx, circle.id)
    if not claim.won:
        if claim.holder_id == ctx.user.id:
            return Reply("", toast=t("circle.toast.yours", juz=juz))
        return Reply("", toast=t("circle.toast.taken", juz=juz, name=claim.holder_name or "…"))
    return Reply("", toast=t("circle.toast.claimed", juz=juz))


async def done_button(ctx: Ctx) -> Reply:
    t = ctx.t
    ids = ints(ctx.callback_data)
    rnd = await ctx.uow.circles.round(ids[0]) if len(ids) == 2 else None
    circle = await button_circle(ctx, rnd.circle_id) if rnd else None
    if circle is None:
        return stale(ctx)
    if not await circles.is_member(ctx.uow, circle, ctx.user.id):
        return Reply("", toast=t("circle.join_first_toast"))
    outcome = await circles.mark_juz_done(ctx.uow, rnd.id, ids[1], ctx.user, ctx.now)
    if outcome == "round_closed":
        return stale(ctx)
    refresh_after(ctx, circle.id)
    return Reply("", toast=t(f"circle.toast.done_{outcome}", juz=t.num(ids[1])))


async def distribute_button(ctx: Ctx) -> Reply:
    t = ctx.t
    ids = ints(ctx.callback_data)
    rnd = await ctx.uow.circles.round(ids[0]) if ids else None
    circle = await button_circle(ctx, rnd.circle_id) if rnd else None
    if circle is None:
        return stale(ctx)
    if not ctx.facts.get("admin", False):
        return Reply("", toast=t("circle.admin_only_toast"))
    assigned = await circles.auto_distribute(ctx.uow, rnd.id, ctx.now)
    refresh_after(ctx, circle.id)
    return Reply("", toast=t("circle.toast.distributed", n=t.num(len(assigned))))


async def next_round_button(ctx: Ctx) -> Reply:
    t = ctx.t
    circle = await pressed_circle(ctx)
    if circle is None:
        return stale(ctx)
    if not ctx.facts.get("admin", False):
        return Reply("", toast=t("circle.admin_only_toast"))
    try:
        await circles.start_round(ctx.uow, circle, ctx.now)
    except RoundError:
        return Reply("", toast=t("circle.round.already_open"))
    refresh_after(ctx, circle.id)
    return Reply("", toast=t("circle.toast.round_started"))


async def wird_button(ctx: Ctx) -> Reply:
    t = ctx.t
    circle = await pressed_circle(ctx)
    if circle is None:
        return stale(ctx)
    if not await circles.is_member(ctx.uow, circle, ctx.user.id):
        return Reply("", toast=t("circle.join_first_toast"))
    logged = await logbook.record_wird(ctx.uow, circle, ctx.user, now=ctx.now, update_id=ctx.update.update_id)
    if logged is None:
        return Reply("", toast=t("circle.toast.wird_already"))
    circle_news(ctx, logged)
    reply = await wird_reply(ctx, circle, edit=True)
    reply.toast = t("circle.toast.wird_done")
    return reply


async def settings_button(ctx: Ctx) -> Reply:
    t = ctx.t
    circle = await pressed_circle(ctx)
    if circle is None:
        return stale(ctx)
    if not ctx.facts.get("admin", False):
        return Reply("", toast=t("circle.admin_only_toast"))
    await circles.set_announce(ctx.uow, circle, not circle.announce)
    reply = await circle_command(ctx)
    reply.edit = True
    reply.toast = t("circle.announce.on" if circle.announce else "circle.announce.off")
    return reply

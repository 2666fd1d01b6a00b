"""/start, /settings: language and timezone, each changeable and skippable in one tap."""

from __future__ import annotations

import html
from datetime import datetime

from tzfpy import get_tz

from bot.i18n import LANGUAGES, Translator, translator
from bot.runtime import Ctx, Reply, handler
from tracker import users
from tracker.timezones import (
    find_timezone,
    is_fixed_offset,
    is_zone,
    match_timezone,
    offset_zone,
    utc_offset_minutes,
)

AWAITING = "awaiting"  # key in user_data: what free text is expected next
OFFSETS = (-5, 0, 1, 2, 3, 4, 5, 6, 7, 8)
LANGUAGE_NAMES = {"en": "English", "ar": "العربية"}


def _language_buttons(current: str) -> list[list[tuple[str, str]]]:
    return [
        [(("✓ " if code == current else "") + LANGUAGE_NAMES[code], f"lang:{code}") for code in LANGUAGES]
    ]


def _timezone_buttons(t: Translator) -> list[list[tuple[str, str]]]:
    offsets = [(t.utc_offset(60 * h), f"tz:{h}") for h in OFFSETS]
    return [offsets[:5], offsets[5:], [(t("tz.skip"), "tz:skip")]]


def _offset(t: Translator, timezone: str, when: datetime) -> str:
    return t.utc_offset(utc_offset_minutes(timezone, when))


def _zone_label(t: Translator, timezone: str, when: datetime) -> str:
    """A zone as the user reads it: a fixed offset in their language ("UTC+3", "غرينتش+٣"; never the
    inverted POSIX name "Etc/GMT-3"), a named zone by its name, escaped for HTML."""
    return _offset(t, timezone, when) if is_fixed_offset(timezone) else html.escape(timezone)


def timezone_question(ctx: Ctx) -> list[Reply]:
    ctx.user_state[AWAITING] = "timezone"
    # The location keyboard first, so the offsets stay under the last message.
    return [
        Reply(ctx.t("tz.location_hint"), location_keyboard=ctx.t("tz.share_location")),
        Reply(
            ctx.t("tz.ask", current=_zone_label(ctx.t, ctx.user.timezone, ctx.now)),
            buttons=_timezone_buttons(ctx.t),
        ),
    ]


@handler
async def start(ctx: Ctx) -> list[Reply]:
    name = html.escape(ctx.update.effective_user.first_name or "")
    if ctx.user.onboarded_at is not None:
        return [Reply(ctx.t("start.welcome_back", name=name) + "\n\n" + ctx.t("help.short"))]
    return [
        Reply(ctx.t("start.welcome", name=name)),
        Reply(ctx.t("start.language"), buttons=_language_buttons(ctx.user.language)),
    ]


@handler
async def settings(ctx: Ctx) -> Reply:
    zone = ctx.user.timezone
    return Reply(
        ctx.t(
            "settings.show_offset" if is_fixed_offset(zone) else "settings.show",
            language=LANGUAGE_NAMES[ctx.user.language],
            timezone=_zone_label(ctx.t, zone, ctx.now),
            offset=_offset(ctx.t, zone, ctx.now),
        ),
        buttons=[
            [(ctx.t("settings.change_language"), "set:lang"), (ctx.t("settings.change_timezone"), "set:tz")]
        ],
    )


@handler
async def settings_choice(ctx: Ctx) -> Reply | list[Reply]:
    if ctx.callback_data == "set:lang":
        return Reply(ctx.t("start.language"), buttons=_language_buttons(ctx.user.language), edit=True)
    return timezone_question(ctx)


@handler
async def choose_language(ctx: Ctx) -> list[Reply]:
    code = ctx.callback_data.removeprefix("lang:")
    if code not in LANGUAGES:
        return [Reply("", toast=ctx.t("button.stale"))]
    await users.set_language(ctx.uow, ctx.user, code)
    ctx.t = translator(code)
    done = Reply(ctx.t("language.set", language=LANGUAGE_NAMES[code]), edit=True)
    if ctx.user.onboarded_at is None:
        return [done, *timezone_question(ctx)]
    return [done]


async def _timezone_chosen(ctx: Ctx, timezone: str, *, edit: bool) -> list[Reply]:
    await users.set_timezone(ctx.uow, ctx.user, timezone, ctx.now)
    ctx.user_state.pop(AWAITING, None)
    first_time = ctx.user.onboarded_at is None
    await users.finish_onboarding(ctx.uow, ctx.user, ctx.now)
    replies = [
        Reply(
            ctx.t(
                "tz.set_offset" if is_fixed_offset(timezone) else "tz.set",
                timezone=_zone_label(ctx.t, timezone, ctx.now),
                offset=_offset(ctx.t, timezone, ctx.now),
            ),
            edit=edit,
            remove_keyboard=not edit,
        )
    ]
    if first_time:
        replies.append(Reply(ctx.t("start.ready"), remove_keyboard=True))
    return replies


@handler
async def choose_timezone(ctx: Ctx) -> list[Reply]:
    choice = ctx.callback_data.removeprefix("tz:")
    if choice == "skip":
        ctx.user_state.pop(AWAITING, None)
        first_time = ctx.user.onboarded_at is None
        await users.finish_onboarding(ctx.uow, ctx.user, ctx.now)
        replies = [
            Reply(
                ctx.t("tz.skipped", timezone=_zone_label(ctx.t, ctx.user.timezone, ctx.now)),
                edit=True,
            )
        ]
        if first_time:
            replies.append(Reply(ctx.t("start.ready"), remove_keyboard=True))
        return replies
    if is_zone(choice):  # the zone a misspelt city looked like ("tz:Asia/Karachi")
        return await _timezone_chosen(ctx, choice, edit=True)
    try:
        zone = offset_zone(int(choice))
    except ValueError:
        return [Reply("", toast=ctx.t("button.stale"))]
    return await _timezone_chosen(ctx, zone, edit=True)


@handler
async def shared_location(ctx: Ctx) -> list[Reply]:
    loc = ctx.update.effective_message.location
    zone = get_tz(loc.longitude, loc.latitude) if loc else None
    if not zone or not find_timezone(zone):
        return [timezone_not_found(ctx, "📍")]
    return await _timezone_chosen(ctx, zone, edit=False)


def awaiting_timezone(ctx: Ctx) -> bool:
    return ctx.user_state.get(AWAITING) == "timezone"


async def typed_timezone(ctx: Ctx, text: str) -> list[Reply] | None:
    """Free text while a timezone is expected: a zone, a city or an offset. None if it is none of them.
    A misspelt city is a question with the zone it looks like on a button, never a stored guess."""
    match = match_timezone(text)
    if match is None:
        return None
    if match.guessed is None:
        return await _timezone_chosen(ctx, match.zone, edit=False)
    label = _zone_label(ctx.t, match.zone, ctx.now)
    question = ctx.t(
        "tz.did_you_mean",
        city=html.escape(match.guessed),
        timezone=label,
        offset=_offset(ctx.t, match.zone, ctx.now),
    )
    return [Reply(question, buttons=[[(f"✓ {match.zone}", f"tz:{match.zone}")], *_timezone_buttons(ctx.t)])]


def timezone_not_found(ctx: Ctx, text: str) -> Reply:
    return Reply(ctx.t("tz.not_found", text=html.escape(text[:64])), buttons=_timezone_buttons(ctx.t))

"""Who the user is to the bot: created on first contact, with a language and a timezone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage import UnitOfWork
from storage.models import User
from storage.types import clean
from tracker import hifz, reminders

LANGUAGES = ("en", "ar")  # what a user can choose; bot.i18n has a catalogue for each


def language_for(telegram_code: str | None) -> str:
    """Our language for Telegram's `language_code` ("ar-EG" → "ar"); English when we lack theirs."""
    code = (telegram_code or "").split("-")[0].lower()
    return code if code in LANGUAGES else "en"


@dataclass(frozen=True)
class Contact:
    user: User
    is_new: bool


async def touch_user(
    uow: UnitOfWork,
    user_id: int,
    *,
    first_name: str | None,
    telegram_language: str | None,
    default_timezone: str,
    now: datetime,
) -> Contact:
    """The user behind an update, created on first contact. Writing to the bot again unblocks them."""
    state = await uow.users.get_with_state(user_id)  # what they have comes along: the log needs it
    user = state.user if state is not None else None
    if user is None:
        # The first contact can come from a group and a private chat at the same moment (two chats run
        # concurrently): the row is created at most once and both updates carry on with it.
        created = await uow.users.add_if_absent(
            User(
                id=user_id,
                first_name=(first_name or "")[:128] or None,
                language=language_for(telegram_language),
                timezone=default_timezone,
                created_at=now,
            )
        )
        user = await uow.users.get(user_id)
        return Contact(user, created)
    if user.blocked_at is not None:  # back (unblocked, or writing again): reminders resume from now —
        user.blocked_at = None  # while blocked nothing was due, so next_due_at still points at the past
        await reminders.reschedule(uow, user, now)
    if first_name and user.first_name != clean(
        first_name[:128]
    ):  # as stored: an unchanged name writes nothing
        user.first_name = first_name[:128]
    return Contact(user, False)


async def set_language(uow: UnitOfWork, user: User, language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    user.language = language


async def set_timezone(uow: UnitOfWork, user: User, timezone: str, now: datetime) -> None:
    """A new zone: reminders move with it (past days keep the dates they were logged on)."""
    user.timezone = timezone
    await reminders.reschedule(uow, user, now)
    await hifz.reschedule_reminder(uow, user, now)


async def finish_onboarding(uow: UnitOfWork, user: User, now: datetime) -> None:
    """Onboarded: from now on the streak warning protects their streak (they can turn it off)."""
    if user.onboarded_at is None:
        user.onboarded_at = now
        await reminders.ensure_defaults(uow, user, now)

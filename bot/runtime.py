"""How a handler runs: one unit of work per update, committed before anything is sent.

A handler is a coroutine `(ctx) -> Reply | list[Reply] | None`. It reads and writes through `ctx.uow`
and *returns* what to say; the wrapper commits and only then talks to Telegram. So no transaction is
ever held open across a Bot API call, and a failing handler leaves nothing half-written.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from loguru import logger
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import outcomes
from bot.concurrency import lock_ids
from bot.i18n import Translator, translator
from storage import Database, UnitOfWork
from storage.models import User
from tracker.clock import Clock
from tracker.conversation import ConversationState
from tracker.users import touch_user

MAX_TEXT = 4096  # Telegram's limit for one message

Buttons = Sequence[Sequence[tuple[str, str]]]  # rows of (label, callback data)


@dataclass(frozen=True)
class Services:
    """What handlers need besides the update; built once by the application factory."""

    db: Database
    clock: Clock
    default_timezone: str
    admin_ids: frozenset[int] = frozenset()  # the operators (ADMIN_IDS): /admin


@dataclass(frozen=True)
class Document:
    filename: str
    data: bytes


@dataclass(frozen=True)
class Photo:
    """A picture, drawn after the unit of work has committed (rendering is slow; a transaction should not
    wait on it): `render` returns PNG bytes."""

    filename: str
    render: Callable[[], Awaitable[bytes]]


@dataclass
class Reply:
    text: str
    buttons: Buttons | None = None
    edit: bool = False  # replace the message whose button was pressed
    location_keyboard: str | None = None  # label of a "share my location" reply-keyboard button
    remove_keyboard: bool = False
    toast: str | None = None  # a short notice on the pressed button
    document: Document | None = None  # sent as a file, `text` as its caption
    photo: Photo | None = None  # sent as a picture, `text` as its caption


@dataclass
class Ctx:
    update: Update
    context: ContextTypes.DEFAULT_TYPE
    uow: UnitOfWork
    user: User
    is_new_user: bool
    t: Translator
    now: datetime
    services: Services
    args: list[str] = field(default_factory=list)
    _conversation: ConversationState | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        msg = self.update.effective_message
        return (msg.text or "") if msg else ""

    @property
    def callback_data(self) -> str:
        query = self.update.callback_query
        return (query.data or "") if query else ""

    @property
    def user_state(self) -> ConversationState:
        """What the bot waits for from this person: in the database (their row), with an expiry."""
        if self._conversation is None:
            self._conversation = ConversationState(self.user, self.now)
        return self._conversation


Handler = Callable[[Ctx], Awaitable[Reply | list[Reply] | None]]


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["services"]


def handler(fn: Handler) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]:
    @functools.wraps(fn)
    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        tg_user = update.effective_user
        if tg_user is None or tg_user.is_bot:
            return
        svc = services(context)
        with logger.contextualize(update_id=update.update_id, user_id=tg_user.id):
            now = svc.clock()
            async with svc.db.unit_of_work() as uow:
                # First: our turn for this person (and group), and the update id claimed (storage/updates.py).
                previous = await uow.updates.claim(update.update_id, tg_user.id, lock_ids(update), now)
                if previous is not None:
                    replies = [Reply(**fields) for fields in outcomes.decode(previous)]
                    logger.info("update {} was handled before: repeating its answer", update.update_id)
                else:
                    replies = await _handle(fn, update, context, uow, svc, now)
                    await uow.updates.record(update.update_id, outcomes.encode(replies))
            # Committed. Only now talk to Telegram.
            await send(update, context, replies)
            logger.debug("handled {} with {} replies", fn.__name__, len(replies))

    return run


async def _handle(
    fn: Handler,
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    uow: UnitOfWork,
    svc: Services,
    now: datetime,
) -> list[Reply]:
    tg_user = update.effective_user
    assert tg_user is not None
    contact = await touch_user(
        uow,
        tg_user.id,
        first_name=tg_user.first_name,
        telegram_language=tg_user.language_code,
        default_timezone=svc.default_timezone,
        now=now,
    )
    ctx = Ctx(
        update,
        context,
        uow,
        contact.user,
        contact.is_new,
        translator(contact.user.language),
        now,
        svc,
        list(context.args or []),
    )
    result = await fn(ctx)
    return [] if result is None else [result] if isinstance(result, Reply) else list(result)


def inline(buttons: Buttons | None) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in buttons]
    )


def _fit(text: str) -> tuple[str, str | None]:
    """The text and its parse mode. Cutting HTML could split a tag, so an over-long reply goes plain."""
    if len(text) <= MAX_TEXT:
        return text, ParseMode.HTML
    plain = html.unescape(re.sub(r"<[^>]+>", "", text))
    return (plain if len(plain) <= MAX_TEXT else plain[: MAX_TEXT - 1] + "…"), None


async def send(update: Update, context: ContextTypes.DEFAULT_TYPE, replies: Sequence[Reply]) -> None:
    query = update.callback_query
    toast = next((r.toast for r in replies if r.toast), None)
    if query is not None:
        await query.answer(toast)
    chat = update.effective_chat
    for reply in replies:
        if reply.photo is not None and chat is not None:
            await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_PHOTO)  # drawing takes a moment
            data = await reply.photo.render()
            text, mode = _fit(reply.text)
            await context.bot.send_photo(
                chat.id,
                InputFile(data, reply.photo.filename),
                caption=text[:1024] or None,
                parse_mode=mode,
                reply_markup=inline(reply.buttons),
            )
            continue
        if reply.document is not None and chat is not None:
            await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
            text, mode = _fit(reply.text)
            await context.bot.send_document(
                chat.id,
                InputFile(reply.document.data, reply.document.filename),
                caption=text[:1024] or None,
                parse_mode=mode,
            )
            continue
        if not reply.text:
            continue
        if reply.edit and query is not None and query.message is not None:
            text, mode = _fit(reply.text)
            try:
                await query.edit_message_text(text, parse_mode=mode, reply_markup=inline(reply.buttons))
            except BadRequest as exc:
                if "not modified" not in str(exc).lower():
                    raise
            continue
        markup: object = inline(reply.buttons)
        if reply.location_keyboard:
            markup = ReplyKeyboardMarkup(
                [[KeyboardButton(reply.location_keyboard, request_location=True)]],
                resize_keyboard=True,
                one_time_keyboard=True,
            )
        elif reply.remove_keyboard:
            markup = ReplyKeyboardRemove()
        if chat is not None:
            text, mode = _fit(reply.text)
            await context.bot.send_message(chat.id, text, parse_mode=mode, reply_markup=markup)

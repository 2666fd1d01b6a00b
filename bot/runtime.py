"""How a handler runs: one unit of work per update, committed before anything is sent.

A handler is a coroutine `(ctx) -> Reply | list[Reply] | None`. It reads and writes through `ctx.uow`
and *returns* what to say; the wrapper commits and only then talks to Telegram. So no transaction is
ever held open across a Bot API call, and a failing handler leaves nothing half-written.

Work that must follow the commit beyond the replies (a circle's live status edited, its announcement
scheduled) is an *effect*: the handler records it with `ctx.after_commit(key, effect)` — once per key —
and the wrapper runs the effects after the replies went out, each on its own (one failing does not stop
the next). Like domain events collected in a unit of work and handled after commit by a message bus.
What must be asked of Telegram *before* the unit of work opens (is this user a group admin?) is a
`prepare` step whose answers the handler reads in `ctx.facts`.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from loguru import logger
from telegram import KeyboardButton, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.constants import ChatAction
from telegram.ext import Application, ContextTypes

from bot import outcomes
from bot.concurrency import lock_ids
from bot.i18n import Translator, translator
from bot.outbox import Outbox, inline
from scheduler.outbox import Buttons
from storage import Database, NeedsLock, UnitOfWork
from storage.models import User
from storage.retry import ATTEMPTS, dead_connection
from tracker import circles
from tracker.clock import Clock
from tracker.conversation import ConversationState
from tracker.logbook import Logged
from tracker.users import language_for, touch_user

__all__ = [
    "Buttons",
    "Ctx",
    "Document",
    "Photo",
    "Reply",
    "Services",
    "handler",
    "inline",
    "not_from_the_user",
    "send",
]


# Exactly the update kinds the handlers (bot/app.py) serve: Telegram sends nothing else (no business messages,
# channel posts, reactions, polls …) — for polling and for the webhook alike (bot/web.py).
ALLOWED_UPDATES = (Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER)


@dataclass(frozen=True)
class Services:
    """What handlers need besides the update; built once by the application factory."""

    db: Database
    clock: Clock
    default_timezone: str
    outbox: Outbox  # the one way out to Telegram
    admin_ids: frozenset[int] = frozenset()  # the operators (ADMIN_IDS): /admin
    # What a log means for the user's circles (bot.handlers.circles.circle_news), handed to the private
    # logging paths here so that the private and the group handlers need not import each other.
    circle_news: Callable[[Ctx, Logged], None] = lambda ctx, logged: None


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
    react: str | None = None  # react to the user's message with this emoji instead; `text` if refused


Effect = Callable[[Application], Awaitable[None]]


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
    facts: dict[str, Any] = field(default_factory=dict)  # what `prepare` learned before the unit of work
    effects: dict[Hashable, Effect] = field(default_factory=dict)  # run after commit, in order, once a key

    def after_commit(self, key: Hashable, effect: Effect) -> None:
        """Run `effect(application)` once the unit of work has committed and the replies went out; a
        second effect under the same key in this update is the same work and is dropped."""
        self.effects.setdefault(key, effect)

    _conversation: ConversationState | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        """The message's text — or a photo's caption."""
        msg = self.update.effective_message
        return (msg.text or msg.caption or "") if msg else ""

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
Prepare = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[dict[str, Any]]]


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["services"]


ANONYMOUS_ADMIN = 1087968824  # GroupAnonymousBot: the sender of an anonymous group admin's messages


async def not_from_the_user(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Messages that are not the sender's own words run nothing: a forward or a message sent via an
    inline bot (a private chat hears why), a channel post forwarded into its discussion group, and an
    anonymous admin writing as the group (who hears, in the circle's language, that the bot cannot tell
    who they are)."""
    msg = update.message
    if msg is None:
        return False
    chat = msg.chat
    if msg.is_automatic_forward:
        return True
    anonymous = msg.sender_chat is not None or (msg.from_user and msg.from_user.id == ANONYMOUS_ADMIN)
    if anonymous and chat.type != "private":
        async with services(context).db.unit_of_work() as uow:  # read, closed before the send
            t = translator(await circles.chat_language(uow, chat.id))
        await services(context).outbox.send_text(
            chat.id, t("circle.anonymous"), thread_id=msg.message_thread_id if msg.is_topic_message else None
        )
        return True
    if msg.forward_origin is None and msg.via_bot is None:
        return False
    if chat.type == "private" and msg.from_user is not None:
        t = translator(language_for(msg.from_user.language_code))
        await services(context).outbox.send_text(chat.id, t("message.forwarded"))
    return True


def handler(
    fn: Handler | None = None, *, prepare: Prepare | None = None, optimistic: bool = False
) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]] | Callable[[Handler], Any]:
    """`@handler`, or `@handler(prepare=...)` to ask Telegram something before the unit of work opens.

    `optimistic=True`: in a private chat on Postgres, first try the update on the optimistic path (two
    round trips, no lock: storage/optimistic.py); whatever it cannot carry runs again the usual way."""
    if fn is None:
        return lambda f: _wrap(f, prepare, optimistic)
    return _wrap(fn, prepare, optimistic)


async def _optimistically(
    fn: Handler,
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    svc: Services,
    now: datetime,
    facts: dict[str, Any],
) -> tuple[Ctx, list[Reply]] | None:
    """The update on the optimistic path: (ctx, replies) once its one write went in, or None when it must
    take the lock (nothing of it was written). A dead pooled connection also sends it the usual way,
    which retries."""
    tg_user = update.effective_user
    assert tg_user is not None
    try:
        async with svc.db.optimistic_unit_of_work() as uow:
            await uow.updates.claim(update.update_id, tg_user.id, [tg_user.id], now)
            ctx, replies = await _handle(fn, update, context, uow, svc, now, facts)
            await uow.updates.record(update.update_id, outcomes.encode(replies))
        return ctx, replies
    except NeedsLock as why:
        logger.debug("optimistic path gave way: {}", why)
    except Exception as exc:
        if not dead_connection(exc):
            raise
    return None


def _wrap(
    fn: Handler, prepare: Prepare | None, optimistic: bool = False
) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]:
    @functools.wraps(fn)
    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        tg_user = update.effective_user
        if await not_from_the_user(update, context):
            return
        if tg_user is None or tg_user.is_bot:
            return
        svc = services(context)
        with logger.contextualize(update_id=update.update_id, user_id=tg_user.id):
            facts = await prepare(update, context) if prepare is not None else {}
            now = svc.clock()
            done = None
            if optimistic and svc.db.has_optimistic_path and lock_ids(update) == [tg_user.id]:
                done = await _optimistically(fn, update, context, svc, now, facts)
            # ctx is None when the update was handled before: its first answer is repeated.
            ctx, replies = done or await _under_lock(fn, update, context, svc, now, facts)
            # Committed. Only now talk to Telegram.
            await send(update, context, replies)
            for key, effect in (ctx.effects if ctx is not None else {}).items():
                try:
                    await effect(context.application)
                except Exception:
                    logger.exception("effect {} after {} failed", key, fn.__name__)
            logger.debug("handled {} with {} replies", fn.__name__, len(replies))

    return run


async def _under_lock(
    fn: Handler,
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    svc: Services,
    now: datetime,
    facts: dict[str, Any],
) -> tuple[Ctx | None, list[Reply]]:
    """The update in one transaction that first takes our turn for this person (and group) and claims the
    update id (storage/updates.py): a redelivered update repeats its first answer (ctx None). A pooled
    connection found dead before use is retried on a fresh one (no pre-ping)."""
    tg_user = update.effective_user
    assert tg_user is not None
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with svc.db.unit_of_work() as uow:
                previous = await uow.updates.claim(update.update_id, tg_user.id, lock_ids(update), now)
                if previous is not None:
                    logger.info("update {} was handled before: repeating its answer", update.update_id)
                    return None, [Reply(**fields) for fields in outcomes.decode(previous)]
                ctx, replies = await _handle(fn, update, context, uow, svc, now, facts)
                await uow.updates.record(update.update_id, outcomes.encode(replies))
            return ctx, replies
        except Exception as exc:
            if attempt == ATTEMPTS or not dead_connection(exc):
                raise
            logger.warning("database connection was dead; running the update again")
    raise AssertionError("unreachable")


async def _handle(
    fn: Handler,
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    uow: UnitOfWork,
    svc: Services,
    now: datetime,
    facts: dict[str, Any],
) -> tuple[Ctx, list[Reply]]:
    """The handler's work in the unit of work: the user (created on first contact), then `fn`."""
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
        facts,
    )
    result = await fn(ctx)
    return ctx, [] if result is None else [result] if isinstance(result, Reply) else list(result)


async def _reacted(outbox: Outbox, msg: Message, emoji: str) -> bool:
    return (await outbox.react(msg.chat_id, msg.message_id, emoji)).ok


async def send(update: Update, context: ContextTypes.DEFAULT_TYPE, replies: Sequence[Reply]) -> None:
    """Say the replies, through the outbox (which owns Telegram's rules: bot/outbox.py). In a forum
    topic, the replies go to the topic the update came from."""
    outbox = services(context).outbox
    query = update.callback_query
    if query is not None:
        await outbox.answer(query.id, next((r.toast for r in replies if r.toast), None))
    chat = update.effective_chat
    if chat is None:
        return
    msg = update.effective_message
    thread = msg.message_thread_id if msg is not None and msg.is_topic_message else None
    for reply in replies:
        if reply.photo is not None:
            await outbox.chat_action(
                chat.id, ChatAction.UPLOAD_PHOTO, thread_id=thread
            )  # drawing takes a moment
            data = await reply.photo.render()
            await outbox.send_photo(
                chat.id,
                data,
                reply.photo.filename,
                caption=reply.text,
                buttons=reply.buttons,
                thread_id=thread,
            )
        elif reply.document is not None:
            await outbox.chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT, thread_id=thread)
            await outbox.send_document(
                chat.id, reply.document.data, reply.document.filename, caption=reply.text, thread_id=thread
            )
        elif (
            reply.react and msg is not None and (await outbox.react(chat.id, msg.message_id, reply.react)).ok
        ) or not reply.text:
            continue
        elif reply.edit and query is not None and query.message is not None:
            await outbox.edit_text(
                chat.id, query.message.message_id, reply.text, buttons=reply.buttons, thread_id=thread
            )
        else:
            markup = None
            if reply.location_keyboard:
                markup = ReplyKeyboardMarkup(
                    [[KeyboardButton(reply.location_keyboard, request_location=True)]],
                    resize_keyboard=True,
                    one_time_keyboard=True,
                )
            elif reply.remove_keyboard:
                markup = ReplyKeyboardRemove()
            await outbox.send_text(
                chat.id, reply.text, buttons=reply.buttons, markup=markup, thread_id=thread
            )

"""A fake Telegram Bot API server living at PTB's HTTP boundary.

Project rule: the only fake is Telegram itself. :class:`FakeBotAPI` is a
:class:`telegram.request.BaseRequest`, so the real ``Bot``/``Application``, handlers, filters and
(de)serialisation all run; only the HTTP round trip is replaced. It answers Bot API methods the
way Telegram does (including the common 400s a real bot runs into), records every call, and can
be told to fail. The same fake powers the local console mode (:mod:`bot.console`), the tests and
the benchmarks.

Build an application with it::

    fake = FakeBotAPI()
    app = ApplicationBuilder().token("123456:FAKE").request(fake).get_updates_request(fake).build()
    updates = UpdateFactory(fake=fake)
    async with app:
        await app.process_update(Update.de_json(updates.message(42, "/start"), app.bot))
    assert fake.last_text(42) == "..."

The URL PTB passes in contains the bot token; it is never recorded or logged here.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import itertools
import json
import logging
import math
import re
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from telegram.constants import (
    BotCommandLimit,
    ChatAction,
    FileSizeLimit,
    InlineKeyboardMarkupLimit,
    ReactionEmoji,
)
from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from fake_telegram.htmltext import html_to_plain, is_html, parse_html, utf16_len

_LOGGER = logging.getLogger(__name__)

DEFAULT_BOT_ID = 7_000_000_001
BOT_FIRST_NAME = "Quran Tracker"
BOT_USERNAME = "QuranTrackerBot"

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64

SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
# Telegram: a bot sends "no more than 20 messages per minute in the same group"; past it, 429 with the
# seconds to wait (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this).
GROUP_MESSAGES_PER_MINUTE = 20
EDIT_METHODS = frozenset({"editMessageText", "editMessageReplyMarkup", "editMessageCaption"})

Clock = Callable[[], dtm.datetime]
LatencyHook = Callable[[str, dict[str, Any]], Awaitable[None]]

_METHOD_RE = re.compile(r"/([A-Za-z]+)/?$")
_BOT_ID_RE = re.compile(r"/bot(\d+):")


def _utc_now() -> dtm.datetime:
    return dtm.datetime.now(dtm.UTC)


def _timestamp(clock: Clock) -> int:
    return int(clock().timestamp())


_utf16_len = utf16_len

# Facts from the Bot API (limits as python-telegram-bot's telegram.constants carries them).
PARSE_MODES = frozenset({"html", "markdownv2", "markdown"})  # the server lowercases the value
MAX_BUTTONS = int(InlineKeyboardMarkupLimit.TOTAL_BUTTON_NUMBER)  # 100
MAX_BUTTONS_PER_ROW = int(InlineKeyboardMarkupLimit.BUTTONS_PER_ROW)  # 8
BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text", "callback_game",
    "pay",
)  # fmt: skip
CHAT_ACTIONS = frozenset(a.value for a in ChatAction)
REACTIONS = frozenset(e.value for e in ReactionEmoji)  # the emoji a bot may react with
COMMAND_RE = re.compile(
    rf"[a-z0-9_]{{{int(BotCommandLimit.MIN_COMMAND)},{int(BotCommandLimit.MAX_COMMAND)}}}"
)
MAX_COMMANDS = int(BotCommandLimit.MAX_COMMAND_NUMBER)  # 100
MAX_COMMAND_DESCRIPTION = int(BotCommandLimit.MAX_DESCRIPTION)  # 256
MAX_PHOTO_BYTES = int(FileSizeLimit.PHOTOSIZE_UPLOAD)  # 10 MB
MAX_UPLOAD_BYTES = int(FileSizeLimit.FILESIZE_UPLOAD)  # 50 MB
MAX_PHOTO_SIDES = 10_000  # width + height
MAX_PHOTO_RATIO = 20


# --------------------------------------------------------------------------------------------
# Recorded data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot uploaded (multipart part)."""

    field: str  # the multipart part name: "photo", "document", or "attached<hex>" for media
    filename: str
    mime_type: str
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class ApiCall:
    """One Bot API request as the fake saw it. ``params`` are JSON-decoded, files kept apart."""

    method: str
    params: dict[str, Any]
    files: list[UploadedFile] = field(default_factory=list)
    status: int = 200
    result: Any = None  # the ``result`` of a successful answer
    error: str | None = None  # the ``description`` of a failed answer ("TimedOut" for timeouts)

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None


@dataclass(frozen=True)
class SentMessage:
    """An outgoing message (sendMessage / sendPhoto / sendDocument), as sent."""

    method: str
    chat_id: int
    message_id: int
    text: str | None  # text, or caption for photos/documents; raw as sent (may contain HTML)
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    file: UploadedFile | None
    file_ref: str | None  # file_id / URL when the photo/document was not uploaded
    params: dict[str, Any]
    message: dict[str, Any]  # the Message dict returned to the bot

    @property
    def plain_text(self) -> str | None:
        """Text as the user sees it (HTML tags stripped, entities unescaped)."""
        if self.text is None:
            return None
        return html_to_plain(self.text) if is_html(self.parse_mode) else self.text

    @property
    def photo(self) -> bytes | None:
        return self.file.data if self.method == "sendPhoto" and self.file else None

    @property
    def document(self) -> bytes | None:
        return self.file.data if self.method == "sendDocument" and self.file else None

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        return buttons(self.reply_markup)


@dataclass(frozen=True)
class Edit:
    """A successful editMessageText / editMessageReplyMarkup / editMessageCaption."""

    method: str
    chat_id: int | None
    message_id: int | None
    inline_message_id: str | None
    text: str | None  # new text or caption (None for reply-markup-only edits)
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    params: dict[str, Any]

    @property
    def plain_text(self) -> str | None:
        if self.text is None:
            return None
        return html_to_plain(self.text) if is_html(self.parse_mode) else self.text

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        return buttons(self.reply_markup)


@dataclass(frozen=True)
class CallbackAnswer:
    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None


@dataclass
class _Failure:
    method: str  # "*" matches every method
    status: int
    description: str
    retry_after: int | None
    migrate_to_chat_id: int | None
    chat_id: int | None
    remaining: int
    timeout: bool = False

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        if self.method not in ("*", method):
            return False
        return self.chat_id is None or _as_chat_id(params.get("chat_id")) == self.chat_id


class _ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def _bad_request(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


def _as_chat_id(value: Any) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return None


def buttons(markup: dict[str, Any] | SentMessage | Edit | None) -> list[list[tuple[str, str | None]]]:
    """Rows of ``(text, callback_data or url)`` of an inline keyboard (``[]`` if there is none)."""
    if isinstance(markup, SentMessage | Edit):
        markup = markup.reply_markup
    if not markup:
        return []
    rows = markup.get("inline_keyboard") or []
    return [[(b.get("text", ""), b.get("callback_data", b.get("url"))) for b in row] for row in rows]


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------


class FakeBotAPI(BaseRequest):
    """An in-memory Telegram Bot API. Pass it as both ``request`` and ``get_updates_request``.

    Args:
        bot_id: id of the bot user returned by getMe. Default: the numeric part of the token
            (like Telegram), falling back to :data:`DEFAULT_BOT_ID`.
        clock: callable returning an aware datetime, used for message dates.
        latency: optional ``async (method, params) -> None`` awaited before every answer.
    """

    def __init__(
        self,
        *,
        bot_id: int | None = None,
        clock: Clock | None = None,
        latency: LatencyHook | None = None,
    ) -> None:
        self._bot_id = bot_id
        self.clock: Clock = clock or _utc_now
        self.latency: LatencyHook | None = latency
        self.calls: list[ApiCall] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._deleted: set[tuple[int, int]] = set()
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._admins: dict[int, dict[int, str]] = {}
        self._blocked: set[int] = set()
        self._group_sends: dict[int, deque[dtm.datetime]] = {}  # when each group got its recent messages
        self._failures: list[_Failure] = []
        self._files: dict[str, UploadedFile] = {}
        self._file_ids = itertools.count(1)
        self._listeners: list[Callable[[ApiCall], None]] = []
        self._updates: list[dict[str, Any]] = []
        self._update_event: asyncio.Event | None = None
        self._answered: set[str] = set()  # callback query ids answered once already
        self.reactions: dict[tuple[int, int], list[str]] = {}  # (chat, message) -> the bot's reaction
        self._queries: set[str] = set()  # callback query ids Telegram sent (learned from updates)
        self._threads: set[tuple[int, int]] = set()  # (chat id, message_thread_id) of forum topics
        self._started: set[int] = set()  # users who started the bot: their private chat may be written to

    # ---- BaseRequest interface ---------------------------------------------------------------

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        """Nothing to set up; safe to call repeatedly (PTB calls it once per request slot)."""

    async def shutdown(self) -> None:
        """Nothing to tear down; recorded calls are kept for assertions."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | None = BaseRequest.DEFAULT_NONE,  # type: ignore[assignment]
        write_timeout: float | None = BaseRequest.DEFAULT_NONE,  # type: ignore[assignment]
        connect_timeout: float | None = BaseRequest.DEFAULT_NONE,  # type: ignore[assignment]
        pool_timeout: float | None = BaseRequest.DEFAULT_NONE,  # type: ignore[assignment]
    ) -> tuple[int, bytes]:
        if self._bot_id is None:
            found = _BOT_ID_RE.search(url)
            self._bot_id = int(found.group(1)) if found else DEFAULT_BOT_ID
        if method == "GET" and "/file/bot" in url:
            return self._download(url)
        match = _METHOD_RE.search(url)
        api_method = match.group(1) if match else "?"
        params = _decode_params(request_data)
        files = _decode_files(request_data)
        call = ApiCall(method=api_method, params=params, files=files)

        if self.latency is not None:
            await self.latency(api_method, params)

        failure = self._take_failure(api_method, params)
        if failure is not None and failure.timeout:
            call.status, call.error = 0, "TimedOut"
            self._record(call)
            _LOGGER.debug("fake Bot API: %s -> injected timeout", api_method)
            raise TimedOut("Timed out (injected by FakeBotAPI)")

        try:
            if failure is not None:
                parameters: dict[str, Any] = {}
                if failure.retry_after is not None:
                    parameters["retry_after"] = failure.retry_after
                if failure.migrate_to_chat_id is not None:
                    parameters["migrate_to_chat_id"] = failure.migrate_to_chat_id
                raise _ApiError(failure.status, failure.description, parameters or None)
            if api_method == "getUpdates":
                result = await self._get_updates(params)
            else:
                result = self._answer(api_method, params, files)
        except _ApiError as exc:
            call.status, call.error = exc.status, exc.description
            self._record(call)
            _LOGGER.debug("fake Bot API: %s -> %s %s", api_method, exc.status, exc.description)
            body: dict[str, Any] = {"ok": False, "error_code": exc.status, "description": exc.description}
            if exc.parameters:
                body["parameters"] = exc.parameters
            return exc.status, json.dumps(body).encode()

        call.result = result
        self._record(call)
        _LOGGER.debug("fake Bot API: %s -> ok", api_method)
        return HTTPStatus.OK, json.dumps({"ok": True, "result": result}).encode()

    # ---- configuration -------------------------------------------------------------------------

    @property
    def bot_id(self) -> int:
        return self._bot_id if self._bot_id is not None else DEFAULT_BOT_ID

    def bot_user(self) -> dict[str, Any]:
        return _bot_user_dict(self.bot_id)

    def set_admins(self, chat_id: int, user_ids: Iterable[int], *, owner: int | None = None) -> None:
        """Make ``user_ids`` administrators (and ``owner`` the creator) of ``chat_id``."""
        statuses = {uid: "administrator" for uid in user_ids}
        if owner is not None:
            statuses[owner] = "creator"
        others = {u: s for u, s in self._admins.get(chat_id, {}).items() if s in ("left", "kicked")}
        self._admins[chat_id] = {**others, **statuses}

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """Set one member's status: creator, administrator, member, left or kicked."""
        self._admins.setdefault(chat_id, {})[user_id] = status

    def set_chat(self, chat_id: int, **fields: Any) -> None:
        """Register chat details (title, type, username, first_name …) used in answers."""
        self._chats[chat_id] = {**self._chat_dict(chat_id), **fields, "id": chat_id}

    def start_chat(self, user_id: int) -> None:
        """The user has started the bot (pressed Start, or wrote to it before this test): the bot may write
        to their private chat. Learned from any private message of theirs, too (`learn`)."""
        self._started.add(user_id)

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: every call aimed at ``chat_id`` answers 403 until unblocked."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def fail_next(
        self,
        method: str,
        status: int = 400,
        description: str = "Bad Request: chat not found",
        retry_after: int | None = None,
        times: int = 1,
        *,
        chat_id: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        """Make the next ``times`` calls to ``method`` ("*" = any; optionally only for ``chat_id``)
        fail with ``status``/``description``. ``retry_after`` adds ``parameters.retry_after``
        (PTB raises RetryAfter), ``migrate_to_chat_id`` adds that parameter (ChatMigrated)."""
        self._failures.append(
            _Failure(method, status, description, retry_after, migrate_to_chat_id, chat_id, times)
        )

    def fail_next_rate_limited(self, method: str, retry_after: int = 3, times: int = 1) -> None:
        self.fail_next(method, 429, f"Too Many Requests: retry after {retry_after}", retry_after, times)

    def timeout_next(self, method: str, times: int = 1, *, chat_id: int | None = None) -> None:
        """Make the next ``times`` calls to ``method`` raise :class:`telegram.error.TimedOut`."""
        self._failures.append(_Failure(method, 0, "TimedOut", None, None, chat_id, times, timeout=True))

    def subscribe(self, listener: Callable[[ApiCall], None]) -> Callable[[], None]:
        """Call ``listener(call)`` after each recorded call. Returns an unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update dict for getUpdates (only needed when running real polling)."""
        self._updates.append(update)
        if self._update_event is not None:
            self._update_event.set()

    def learn(self, update: dict[str, Any]) -> None:
        """Remember the chats and users of an incoming update dict, so later answers (sent
        messages, getChat, getChatMember) carry the same names/titles Telegram would."""
        for value in update.values():
            if not isinstance(value, dict):
                continue
            msg = value.get("message") if "callback_query" in update else value
            for chat in (msg or {}).get("chat"), value.get("chat"):
                if isinstance(chat, dict) and chat.get("id") is not None and chat["id"] not in self._chats:
                    self._chats[chat["id"]] = dict(chat)
            if "callback_query" in update and value.get("id") is not None:
                self._queries.add(str(value["id"]))
            chat_of = (msg or {}).get("chat") or {}
            if (msg or {}).get("is_topic_message") and (msg or {}).get("message_thread_id"):
                self._threads.add((chat_of.get("id"), msg["message_thread_id"]))
            if (msg or {}).get("forum_topic_created") and (msg or {}).get("message_id"):
                self._threads.add((chat_of.get("id"), msg["message_id"]))
            user = value.get("from")
            if (
                chat_of.get("type") == "private"
                and isinstance(user, dict)
                and user.get("id") == chat_of.get("id")
            ):
                self._started.add(user["id"])  # they wrote to the bot (or pressed its button): a started chat
            if isinstance(user, dict) and user.get("id") is not None and user["id"] not in self._chats:
                self._chats[user["id"]] = {
                    "id": user["id"],
                    "type": "private",
                    **{k: user[k] for k in ("first_name", "last_name", "username") if k in user},
                }

    def add_topic(self, chat_id: int, thread_id: int) -> None:
        """A forum topic exists in ``chat_id`` (replies may go to its ``message_thread_id``)."""
        self._threads.add((chat_id, thread_id))

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """An admin deleted the forum topic: sends to it are refused ("message thread not found")."""
        self._threads.discard((chat_id, thread_id))

    def next_message_id(self, chat_id: int) -> int:
        """Allocate the next message id of ``chat_id`` (shared by bot and user messages)."""
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def add_file(self, file_id: str, data: bytes, filename: str = "file", mime_type: str = "") -> None:
        """Make a user's file (e.g. from a photo update) downloadable via getFile."""
        self._files[file_id] = UploadedFile("file", filename, mime_type or "application/octet-stream", data)

    # ---- inspection ----------------------------------------------------------------------------

    def clear(self) -> None:
        """Forget recorded calls (message state, admins and failures are kept)."""
        self.calls.clear()

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    def sent_messages(self, chat_id: int | None = None) -> list[SentMessage]:
        out = []
        for call in self.calls:
            if call.method in SEND_METHODS and call.ok:
                sent = _sent_message(call)
                if chat_id is None or sent.chat_id == chat_id:
                    out.append(sent)
        return out

    def edits(self, chat_id: int | None = None, message_id: int | None = None) -> list[Edit]:
        out = []
        for call in self.calls:
            if call.method in EDIT_METHODS and call.ok:
                edit = _edit(call)
                if (chat_id is None or edit.chat_id == chat_id) and (
                    message_id is None or edit.message_id == message_id
                ):
                    out.append(edit)
        return out

    def callback_answers(self) -> list[CallbackAnswer]:
        return [
            CallbackAnswer(
                str(c.params.get("callback_query_id")),
                c.params.get("text"),
                bool(c.params.get("show_alert", False)),
                c.params.get("url"),
            )
            for c in self.calls
            if c.method == "answerCallbackQuery" and c.ok
        ]

    def last_message(self, chat_id: int | None = None) -> SentMessage | None:
        sent = self.sent_messages(chat_id)
        return sent[-1] if sent else None

    def last_text(self, chat_id: int | None = None, *, plain: bool = True) -> str | None:
        """Text (or caption) of the last message sent to ``chat_id``; HTML stripped unless
        ``plain=False``."""
        last = self.last_message(chat_id)
        if last is None:
            return None
        return last.plain_text if plain else last.text

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """Current state (after edits) of a message the bot sent, as a Message dict."""
        msg = self._messages.get((chat_id, message_id))
        return json.loads(json.dumps(msg)) if msg is not None else None

    @staticmethod
    def buttons(message: SentMessage | Edit | dict[str, Any] | None) -> list[list[tuple[str, str | None]]]:
        """Rows of ``(text, callback_data or url)``; accepts SentMessage, Edit, a Message dict or
        a reply_markup dict."""
        if isinstance(message, dict) and "inline_keyboard" not in message:
            message = message.get("reply_markup")
        return buttons(message)

    # ---- internals -----------------------------------------------------------------------------

    def _record(self, call: ApiCall) -> None:
        self.calls.append(call)
        for listener in list(self._listeners):
            try:
                listener(call)
            except Exception:  # a broken listener must not break the bot under test
                _LOGGER.exception("FakeBotAPI listener failed")

    def _take_failure(self, method: str, params: dict[str, Any]) -> _Failure | None:
        for failure in self._failures:
            if failure.matches(method, params):
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    def _chat_dict(self, chat_id: int) -> dict[str, Any]:
        if chat_id in self._chats:
            return dict(self._chats[chat_id])
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "User"}
        if chat_id <= -1_000_000_000_000:
            return {"id": chat_id, "type": "supergroup", "title": f"Group {chat_id}"}
        return {"id": chat_id, "type": "group", "title": f"Group {chat_id}"}

    def _require_chat(self, params: dict[str, Any]) -> int:
        raw = params.get("chat_id")
        chat_id = _as_chat_id(raw)
        if chat_id is None:
            if isinstance(raw, str) and raw.startswith("@"):
                for cid, chat in self._chats.items():
                    if chat.get("username") and f"@{chat['username']}".lower() == raw.lower():
                        return cid
            raise _bad_request("chat not found")
        if chat_id in self._blocked:
            if chat_id < 0:
                raise _ApiError(403, f"Forbidden: bot was kicked from the {self._group_kind(chat_id)} chat")
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id < 0:
            status = self._admins.get(chat_id, {}).get(self.bot_id)
            if status == "kicked":
                raise _ApiError(403, f"Forbidden: bot was kicked from the {self._group_kind(chat_id)} chat")
            if status == "left":
                raise _ApiError(
                    403, f"Forbidden: bot is not a member of the {self._group_kind(chat_id)} chat"
                )
        return chat_id

    def _require_started(self, chat_id: int) -> None:
        """A bot cannot write first: a private chat whose user never started the bot refuses messages."""
        if chat_id > 0 and chat_id not in self._started:
            raise _ApiError(403, "Forbidden: bot can't initiate conversation with a user")

    def _group_kind(self, chat_id: int) -> str:
        return "supergroup" if self._chat_dict(chat_id).get("type") == "supergroup" else "group"

    def _check_target(self, chat_id: int, params: dict[str, Any]) -> None:
        """A reply must point at a message of the chat, a topic id at a topic that exists."""
        thread = _as_chat_id(params.get("message_thread_id"))
        if thread is not None and (chat_id, thread) not in self._threads:
            raise _bad_request("message thread not found")
        reply = params.get("reply_parameters")
        if isinstance(reply, str):
            reply = json.loads(reply)
        target = _as_chat_id((reply or {}).get("message_id", params.get("reply_to_message_id")))
        if target is None or (reply or {}).get("allow_sending_without_reply"):
            return
        counter = self._message_ids.get(chat_id)
        highest = (next(counter) - 1) if counter is not None else 0
        if counter is not None:
            self._message_ids[chat_id] = itertools.count(highest + 1)
        if not 1 <= target <= highest or (chat_id, target) in self._deleted:
            raise _bad_request("message to be replied not found")

    def _answer(self, method: str, params: dict[str, Any], files: list[UploadedFile]) -> Any:
        handler = getattr(self, f"_api_{method}", None)
        if handler is not None:
            return handler(params, files)
        if method in _TRIVIAL_TRUE:
            return True
        raise _bad_request(f"method not found: {method}")

    def _check_text(self, text: Any, parse_mode: str | None, *, caption: bool) -> str:
        text = "" if text is None else str(text)
        plain = text
        if parse_mode is not None and str(parse_mode).lower() not in PARSE_MODES:
            raise _bad_request("unsupported parse_mode")
        if is_html(parse_mode):
            parsed = parse_html(text)
            if parsed.error:
                raise _bad_request(f"can't parse entities: {parsed.error}")
            plain = "".join(parsed.parts)
        if caption:
            if utf16_len(plain.strip()) > MAX_CAPTION_LENGTH:
                raise _bad_request("message caption is too long")
        else:
            if not plain.strip():
                raise _bad_request("message text is empty")
            if utf16_len(plain.strip()) > MAX_TEXT_LENGTH:  # Telegram counts UTF-16 units, after parsing
                raise _bad_request("message is too long")
        return plain

    @staticmethod
    def _check_markup(markup: Any) -> dict[str, Any] | None:
        if not markup:
            return None
        if isinstance(markup, str):
            markup = json.loads(markup)
        rows = markup.get("inline_keyboard") or []
        if sum(len(row) for row in rows) > MAX_BUTTONS or any(len(row) > MAX_BUTTONS_PER_ROW for row in rows):
            raise _bad_request("reply markup is too long")
        for row in rows:
            for button in row:
                actions = [key for key in BUTTON_ACTIONS if key in button]
                if not actions:
                    raise _bad_request(
                        "can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard"
                    )
                if len(actions) > 1:
                    raise _bad_request(
                        "can't parse inline keyboard button: exactly one of the optional fields must be used"
                    )
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
                    raise _bad_request("BUTTON_DATA_INVALID")
                url = button.get("url")
                if url is not None and not re.fullmatch(r"(https?|tg)://[^\s/$.?#][^\s]*", str(url)):
                    raise _bad_request("BUTTON_URL_INVALID")
                if not button.get("text"):
                    raise _bad_request("text buttons are unallowed in the inline keyboard")
        return markup

    def _flood_check(self, chat_id: int) -> None:
        """A group that had its 20 messages in the last minute gets no more: 429 until the oldest is a
        minute old, as Telegram answers a bot flooding a group."""
        if chat_id >= 0:
            return
        now = self.clock()
        recent = self._group_sends.setdefault(chat_id, deque())
        while recent and (now - recent[0]).total_seconds() >= 60:
            recent.popleft()
        if len(recent) >= GROUP_MESSAGES_PER_MINUTE:
            wait = max(1, math.ceil(60 - (now - recent[0]).total_seconds()))
            raise _ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
        recent.append(now)

    def _new_message(self, chat_id: int, params: dict[str, Any]) -> dict[str, Any]:
        self._flood_check(chat_id)
        msg: dict[str, Any] = {
            "message_id": self.next_message_id(chat_id),
            "from": self.bot_user(),
            "chat": self._chat_dict(chat_id),
            "date": _timestamp(self.clock),
        }
        markup = self._check_markup(params.get("reply_markup"))
        if markup and "inline_keyboard" in markup:
            msg["reply_markup"] = markup
        return msg

    def _store(self, msg: dict[str, Any]) -> dict[str, Any]:
        self._messages[(msg["chat"]["id"], msg["message_id"])] = msg
        return json.loads(json.dumps(msg))

    def _new_file_ids(self) -> tuple[str, str]:
        n = next(self._file_ids)
        return f"FAKEFILE{n:06d}", f"U{n:06d}"

    # ---- Bot API methods -----------------------------------------------------------------------

    def _api_getMe(self, params: dict[str, Any], files: list[UploadedFile]) -> Any:
        return self.bot_user()

    def _api_sendMessage(self, params: dict[str, Any], files: list[UploadedFile]) -> Any:
        chat_id = self._require_chat(params)
        self._require_started(chat_id)
        self._check_target(chat_id, params)
        plain = self._check_text(params.get("text"), params.get("parse_mode"), caption=False)
        msg = self._new_message(chat_id, params)
        msg["text"] = plain
        return self._store(msg)

    def _send_media(self, kind: str, params: dict[str, Any], files: list[UploadedFile]) -> Any:
        chat_id = self._require_chat(params)
        self._require_started(chat_id)
        self._check_target(chat_id, params)
        caption = self._check_text(params.get("caption"), params.get("parse_mode"), caption=True)
        upload = next((f for f in files if f.field == kind), files[0] if files else None)
        ref = params.get(kind)
        if upload is None and not isinstance(ref, str):
            raise _bad_request(f"there is no {kind} in the request")
        if upload is not None:
            _check_upload(kind, upload)
        file_id, unique_id = self._new_file_ids()
        if upload is not None:
            self._files[file_id] = upload
        size = upload.size if upload is not None else 0
        msg = self._new_message(chat_id, params)
        if kind == "photo":
            msg["photo"] = [
                {"file_id": file_id, "file_unique_id": unique_id, "width": 1280, "height": 720,
                 "file_size": size},
            ]  # fmt: skip
        else:
            doc: dict[str, Any] = {"file_id": file_id, "file_unique_id": unique_id, "file_size": size}
            if upload is not None:
                doc.update(file_name=upload.filename, mime_type=upload.mime_type)
            msg["document"] = doc
        if caption:
            msg["caption"] = caption
        return self._store(msg)

    def _api_sendPhoto(self, params: dict[str, Any], files: list[UploadedFile]) -> Any:
        return self._send_media("photo", params, files)

    def _api_sendDocument(self, params: dict[str, Any], files: list[UploadedFile]) -> Any:
        return self._send_media("document", params, files)

    def _edit_target(self, params: dict[str, Any]) -> dict[str, Any] | None:
        """The stored message to edit, or None for inline messages."""
        if params.get("inline_message_id"):
            return None
        chat_id = self._require_chat(params)
        msg = self._messages.get((chat_id, _as_chat_id(params.get("message_id")) or 0))
        if msg is None or (chat_id, msg["message_id"]) in self._deleted:
            raise _bad_request("message to edit not found")
        return msg

    def _apply_edit(self, msg: dict[str, Any], params: dict[str, Any], **changes: Any) -> Any:
        """Apply ``changes`` (None = remove the key) and the new reply markup to a copy of ``msg``;
        refuse no-op edits like Telegram does, else store and return the edited message."""
        edited = {k: v for k, v in msg.items() if k != "edit_date"}
        for key, value in changes.items():
            if value is None:
                edited.pop(key, None)
            else:
                edited[key] = value
        markup = self._check_markup(params.get("reply_markup"))
        if markup and "inline_keyboard" in markup:
            edited["reply_markup"] = markup
        else:
            edited.pop("reply_markup", None)
        unchanged = {k: v for k, v in msg.items() if k != "edit_date"}
        if json.dumps(edited, sort_keys=True) == json.dumps(unchanged, sort_keys=True):
            raise _bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        edited["edit_date"] = _timestamp(self.clock)
        return self._store(edited)

    def _api_editMessageText(self, params: dict[str, Any], files: list[UploadedFile]) -> Any:
        msg = self._edit_target(params)
        plain = self._check_text(params.get("text"), params.get("parse_mode"), caption=False)
        if msg is None:
            return True
        if "text" not in msg:
            raise _bad_request("there is no text in the message to edit")
        return self._apply_edit(msg, params, text=plain)

    def _api_editMessageCaption(self, params: dict[str, Any], files: list[UploadedFile]) -> Any:
        msg = self._edit_target(params)
        caption = self._check_text(params.get("caption"), params.get("parse_mode"), caption=True)
        if msg is None:
            return True
        if "text" in msg:
            raise _bad_request("there is no caption in the message to edit")
        return self._apply_edit(msg, params, caption=caption or None)

    def _api_editMessageReplyMarkup(self, params: dict[str, Any], files: list[UploadedFile]) -> Any:
        msg = self._edit_target(params)
        if msg is None:
            return True
        return self._apply_edit(msg, params)

    def _api_deleteMessage(self, params: dict[str, Any], files: list[UploadedFile]) -> Any:
        chat_id = self._require_chat(params)
        key = (chat_id, _as_chat_id(params.get("message_id")) or 0)
        if key in self._deleted:
            raise _bad_request("message to delete not found")
        if key in self._messages:
            self._deleted.add(key)
        return True

    def _api_answerCallbackQuery(self, params: dict[str, Any], files: list[UploadedFile]) -> Any:
        query_id = str(params.get("callback_query_id"))
        if query_id in self._answered or (self._queries and query_id not in self._queries):
            raise _bad_request("query is too old and response timeout expired or query ID is invalid")
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise _bad_request("MESSAGE_TOO_LONG")
        self._answered.add(query_id)
        return True

    def _api_setMessageReaction(self, params: dict[str, Any], files: list[UploadedFile]) -> Any:
        chat_id = self._require_chat(params)
        message_id = _as_chat_id(params.get("message_id")) or 0
        counter = self._message_ids.get(chat_id)
        highest = (next(counter) - 1) if counter is not None else 0
        if counter is not None:
            self._message_ids[chat_id] = itertools.count(highest + 1)
        if not 1 <= message_id <= highest or (chat_id, message_id) in self._deleted:
            raise _bad_request("message to react not found")
        reactions = params.get("reaction") or []
        if isinstance(reactions, str):
            reactions = json.loads(reactions)
        for reaction in reactions:
            if reaction.get("type") == "emoji" and reaction.get("emoji") not in REACTIONS:
                raise _bad_request("REACTION_INVALID")
            if reaction.get("type") == "custom_emoji" and not str(reaction.get("custom_emoji_id")).isdigit():
                raise _bad_request("REACTION_INVALID")
        self.reactions[(chat_id, message_id)] = [
            r.get("emoji") or r.get("custom_emoji_id") for r in reactions
        ]
        return True

    def _api_sendChatAction(self, params: dict[str, Any], files: list[UploadedFile]) -> Any:
        chat_id = self._require_chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        thread = _as_chat_id(params.get("message_thread_id"))
        if thread is not None and (chat_id, thread) not in self._threads:
            raise _bad_request("message thread not found")
        return True

    def _api_setMyCommands(self, params: dict[str, Any], files: list[UploadedFile]) -> Any:
        commands = params.get("commands")
        if isinstance(commands, str):
            commands = json.loads(commands)
        if not isinstance(commands, list):
            raise _bad_request('field "commands" must be an Array')
        if len(commands) > MAX_COMMANDS:
            raise _bad_request("too many commands specified")
        for command in commands:
            if not COMMAND_RE.fullmatch(str(command.get("command", ""))):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= MAX_COMMAND_DESCRIPTION:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        language = params.get("language_code")
        if language and not re.fullmatch(r"[a-z]{2}", str(language)):
            raise _bad_request("invalid language code specified")
        self.commands[_commands_key(params)] = list(commands)
        return True

    def _api_getMyCommands(self, params: dict[str, Any], files: list[UploadedFile]) -> Any:
        return self.commands.get(_commands_key(params), [])

    def _api_deleteMyCommands(self, params: dict[str, Any], files: list[UploadedFile]) -> Any:
        self.commands.pop(_commands_key(params), None)
        return True

    def _api_getChatMenuButton(self, params: dict[str, Any], files: list[UploadedFile]) -> Any:
        return {"type": "commands"}

    def _api_getWebhookInfo(self, params: dict[str, Any], files: list[UploadedFile]) -> Any:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    def _member_status(self, chat_id: int, user_id: int) -> str:
        return self._admins.get(chat_id, {}).get(user_id, "member")

    def _api_getChatMember(self, params: dict[str, Any], files: list[UploadedFile]) -> Any:
        chat_id = self._require_chat(params)
        user_id = _as_chat_id(params.get("user_id"))
        if user_id is None:
            raise _bad_request("invalid user_id specified")
        if chat_id > 0 and user_id != chat_id and user_id != self.bot_id:
            raise _bad_request("user not found")
        return _chat_member_dict(self._member_status(chat_id, user_id), self._user_dict(user_id))

    def _api_getChatAdministrators(self, params: dict[str, Any], files: list[UploadedFile]) -> Any:
        chat_id = self._require_chat(params)
        return [
            _chat_member_dict(status, self._user_dict(uid))
            for uid, status in self._admins.get(chat_id, {}).items()
            if status in ("creator", "administrator")
        ]

    def _api_getChatMemberCount(self, params: dict[str, Any], files: list[UploadedFile]) -> Any:
        chat_id = self._require_chat(params)
        return 2 if chat_id > 0 else max(2, len(self._admins.get(chat_id, {})) + 1)

    def _user_dict(self, user_id: int) -> dict[str, Any]:
        if user_id == self.bot_id:
            return self.bot_user()
        chat = self._chats.get(user_id, {})
        user = {"id": user_id, "is_bot": False, "first_name": chat.get("first_name", "User")}
        if chat.get("username"):
            user["username"] = chat["username"]
        return user

    def _api_getChat(self, params: dict[str, Any], files: list[UploadedFile]) -> Any:
        chat = self._chat_dict(self._require_chat(params))
        chat.setdefault("accent_color_id", 0)
        chat.setdefault("max_reaction_count", 11)
        chat.setdefault(
            "accepted_gift_types",
            {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        )
        return chat

    def _api_getFile(self, params: dict[str, Any], files: list[UploadedFile]) -> Any:
        file_id = str(params.get("file_id"))
        upload = self._files.get(file_id)
        if upload is None:
            raise _bad_request("invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"U{file_id}",
            "file_size": upload.size,
            "file_path": f"files/{file_id}",
        }

    def _download(self, url: str) -> tuple[int, bytes]:
        file_id = url.rsplit("/", 1)[-1]
        upload = self._files.get(file_id)
        if upload is None:
            return HTTPStatus.NOT_FOUND, b'{"ok":false,"error_code":404,"description":"Not Found"}'
        return HTTPStatus.OK, upload.data

    async def _get_updates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        timeout = float(params.get("timeout") or 0)
        if not self._updates and timeout > 0:
            self._update_event = asyncio.Event()
            try:
                await asyncio.wait_for(self._update_event.wait(), timeout)
            except TimeoutError:
                pass
            finally:
                self._update_event = None
        limit = int(params.get("limit") or 100)
        return self._updates[:limit]


_TRIVIAL_TRUE = frozenset(
    {
        "setChatMenuButton", "deleteWebhook", "setWebhook", "close", "logOut", "setMyDescription",
        "setMyShortDescription", "setMyName", "pinChatMessage", "unpinChatMessage",
        "unpinAllChatMessages", "leaveChat", "setMyDefaultAdministratorRights",
    }
)  # fmt: skip


def _png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG (from its IHDR chunk), None for anything else."""
    if len(data) >= 24 and data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None


def _check_upload(kind: str, upload: UploadedFile) -> None:
    if upload.size > MAX_UPLOAD_BYTES:
        raise _ApiError(413, "Request Entity Too Large")
    if kind != "photo":
        return
    if upload.size > MAX_PHOTO_BYTES:
        raise _bad_request("PHOTO_SAVE_FILE_INVALID")
    size = _png_size(upload.data)
    if size is not None:
        width, height = size
        if width + height > MAX_PHOTO_SIDES or max(width, height) > MAX_PHOTO_RATIO * max(
            1, min(width, height)
        ):
            raise _bad_request("PHOTO_INVALID_DIMENSIONS")


def _commands_key(params: dict[str, Any]) -> str:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)


def _decode_params(request_data: RequestData | None) -> dict[str, Any]:
    if request_data is None:
        return {}
    # ``parameters`` already holds plain JSON-able values (TelegramObjects are to_dict()-ed,
    # datetimes are timestamps); a JSON round trip makes sure nothing aliases the caller's objects
    # and that only what really goes over the wire is recorded.
    return json.loads(json.dumps(request_data.parameters))


def _decode_files(request_data: RequestData | None) -> list[UploadedFile]:
    if request_data is None or not request_data.contains_files:
        return []
    files = []
    for part, (filename, content, mime_type) in request_data.multipart_data.items():
        data = content if isinstance(content, bytes) else content.read()
        files.append(UploadedFile(part, filename, mime_type, bytes(data)))
    return files


def _sent_message(call: ApiCall) -> SentMessage:
    kind = {"sendPhoto": "photo", "sendDocument": "document"}.get(call.method)
    upload = None
    ref = None
    if kind:
        upload = next((f for f in call.files if f.field == kind), call.files[0] if call.files else None)
        ref = call.params.get(kind) if upload is None else None
    text = call.params.get("text") if call.method == "sendMessage" else call.params.get("caption")
    return SentMessage(
        method=call.method,
        chat_id=call.result["chat"]["id"],
        message_id=call.result["message_id"],
        text=text,
        parse_mode=call.params.get("parse_mode"),
        reply_markup=call.params.get("reply_markup"),
        file=upload,
        file_ref=ref,
        params=call.params,
        message=call.result,
    )


def _edit(call: ApiCall) -> Edit:
    text = {"editMessageText": call.params.get("text"), "editMessageCaption": call.params.get("caption")}
    return Edit(
        method=call.method,
        chat_id=_as_chat_id(call.params.get("chat_id")),
        message_id=_as_chat_id(call.params.get("message_id")),
        inline_message_id=call.params.get("inline_message_id"),
        text=text.get(call.method),
        parse_mode=call.params.get("parse_mode"),
        reply_markup=call.params.get("reply_markup"),
        params=call.params,
    )


def _bot_user_dict(bot_id: int = DEFAULT_BOT_ID) -> dict[str, Any]:
    return {
        "id": bot_id,
        "is_bot": True,
        "first_name": BOT_FIRST_NAME,
        "username": BOT_USERNAME,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def _chat_member_dict(status: str, user: dict[str, Any]) -> dict[str, Any]:
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=True,
            can_restrict_members=True,
            can_promote_members=False,
            can_change_info=True,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
            can_pin_messages=True,
        )
    elif status == "kicked":
        member["until_date"] = 0
    return member


# --------------------------------------------------------------------------------------------
# Update builders
# --------------------------------------------------------------------------------------------

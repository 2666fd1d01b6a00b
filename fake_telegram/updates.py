"""Update dicts shaped like the ones Telegram sends, and a factory that numbers them."""

from __future__ import annotations

import datetime as dtm
import itertools
import json
import re
from typing import TYPE_CHECKING, Any

from fake_telegram.server import (
    DEFAULT_BOT_ID,
    Clock,
    _bot_user_dict,
    _chat_member_dict,
    _utc_now,
    _utf16_len,
)

if TYPE_CHECKING:
    from fake_telegram.server import FakeBotAPI


def _user(user_id: int, first_name: str, language_code: str | None, username: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if language_code:
        user["language_code"] = language_code
    if username:
        user["username"] = username
    return user


def _chat(chat_id: int, chat_type: str | None, user: dict[str, Any], title: str | None) -> dict[str, Any]:
    if chat_type is None:
        chat_type = "private" if chat_id > 0 else "supergroup" if chat_id <= -1_000_000_000_000 else "group"
    if chat_type == "private":
        chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        if "username" in user:
            chat["username"] = user["username"]
        return chat
    return {"id": chat_id, "type": chat_type, "title": title or f"Group {chat_id}"}


def _date(date: dtm.datetime | int | None) -> int:
    if date is None:
        return int(_utc_now().timestamp())
    return date if isinstance(date, int) else int(date.timestamp())


def _base_message(
    user_id: int,
    *,
    chat_id: int | None,
    chat_type: str | None,
    first_name: str,
    language_code: str | None,
    username: str | None,
    date: dtm.datetime | int | None,
    message_id: int | None,
    chat_title: str | None = None,
) -> dict[str, Any]:
    user = _user(user_id, first_name, language_code, username)
    return {
        "message_id": message_id if message_id is not None else 1,
        "from": user,
        "chat": _chat(chat_id if chat_id is not None else user_id, chat_type, user, chat_title),
        "date": _date(date),
    }


def _command_entities(text: str) -> list[dict[str, Any]]:
    match = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
    if not match:
        return []
    return [{"type": "bot_command", "offset": 0, "length": _utf16_len(match.group(0))}]


def make_message_update(
    update_id: int,
    user_id: int,
    text: str,
    *,
    chat_id: int | None = None,
    chat_type: str | None = None,
    first_name: str = "Test",
    language_code: str | None = "en",
    date: dtm.datetime | int | None = None,
    username: str | None = None,
    message_id: int | None = None,
    chat_title: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A text message from ``user_id`` (in their private chat unless ``chat_id`` is given;
    ``chat_type`` is inferred from the id when omitted). A leading ``/command`` gets its
    ``bot_command`` entity, like Telegram adds it. ``extra`` adds Message fields as Telegram sends them
    (``forward_origin``, ``via_bot``, ``sender_chat``, ``message_thread_id`` + ``is_topic_message`` …)."""
    msg = _base_message(
        user_id, chat_id=chat_id, chat_type=chat_type, first_name=first_name,
        language_code=language_code, username=username, date=date, message_id=message_id,
        chat_title=chat_title,
    )  # fmt: skip
    msg["text"] = text
    ents = _command_entities(text) if entities is None else entities
    if ents:
        msg["entities"] = ents
    msg.update(extra or {})
    return {"update_id": update_id, "message": msg}


def make_edited_message_update(
    update_id: int, user_id: int, text: str, message_id: int, **kwargs: Any
) -> dict[str, Any]:
    """The user edited their earlier message ``message_id`` to ``text``."""
    edit_date = kwargs.pop("edit_date", None)
    update = make_message_update(update_id, user_id, text, message_id=message_id, **kwargs)
    msg = update.pop("message")
    msg["edit_date"] = _date(edit_date) if edit_date is not None else msg["date"]
    update["edited_message"] = msg
    return update


def make_callback_update(
    update_id: int,
    user_id: int,
    data: str,
    message: dict[str, Any],
    *,
    chat_id: int | None = None,
    first_name: str = "Test",
    language_code: str | None = "en",
    username: str | None = None,
    query_id: str | None = None,
    date: dtm.datetime | int | None = None,
) -> dict[str, Any]:
    """The user pressed a button with ``data`` under the bot's ``message`` (a Message dict, e.g.
    ``SentMessage.message`` or ``FakeBotAPI.message(chat_id, message_id)``)."""
    msg = json.loads(json.dumps(message))
    msg.setdefault("message_id", 1)
    if "chat" not in msg:
        cid = chat_id if chat_id is not None else user_id
        msg["chat"] = _chat(cid, None, _user(user_id, first_name, None, None), None)
    if not msg.get("date"):  # date 0 would make PTB treat it as an InaccessibleMessage
        msg["date"] = _date(date)
    user = _user(user_id, first_name, language_code, username)
    return {
        "update_id": update_id,
        "callback_query": {
            "id": query_id or f"cbq{update_id}",
            "from": user,
            "message": msg,
            "chat_instance": f"ci{msg['chat']['id']}",
            "data": data,
        },
    }


def _media_update(
    update_id: int, user_id: int, extra: dict[str, Any], kwargs: dict[str, Any]
) -> dict[str, Any]:
    caption = kwargs.pop("caption", None)
    msg = _base_message(
        user_id,
        chat_id=kwargs.pop("chat_id", None),
        chat_type=kwargs.pop("chat_type", None),
        first_name=kwargs.pop("first_name", "Test"),
        language_code=kwargs.pop("language_code", "en"),
        username=kwargs.pop("username", None),
        date=kwargs.pop("date", None),
        message_id=kwargs.pop("message_id", None),
        chat_title=kwargs.pop("chat_title", None),
    )
    if kwargs:
        raise TypeError(f"unexpected arguments: {sorted(kwargs)}")
    msg.update(extra)
    if caption:
        msg["caption"] = caption
    return {"update_id": update_id, "message": msg}


def make_location_update(
    update_id: int, user_id: int, latitude: float, longitude: float, **kwargs: Any
) -> dict[str, Any]:
    """The user shared a location (keyword arguments as for :func:`make_message_update`)."""
    return _media_update(
        update_id, user_id, {"location": {"latitude": latitude, "longitude": longitude}}, kwargs
    )


def make_sticker_update(update_id: int, user_id: int, *, emoji: str = "👍", **kwargs: Any) -> dict[str, Any]:
    sticker = {
        "file_id": f"STICKER{update_id}", "file_unique_id": f"US{update_id}", "type": "regular",
        "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": emoji,
    }  # fmt: skip
    return _media_update(update_id, user_id, {"sticker": sticker}, kwargs)


def make_photo_update(
    update_id: int, user_id: int, *, file_id: str | None = None, **kwargs: Any
) -> dict[str, Any]:
    fid = file_id or f"PHOTO{update_id}"
    photo = [
        {"file_id": f"{fid}_s", "file_unique_id": f"UPs{update_id}", "width": 90, "height": 90},
        {"file_id": fid, "file_unique_id": f"UP{update_id}", "width": 1280, "height": 960},
    ]
    return _media_update(update_id, user_id, {"photo": photo}, kwargs)


def make_voice_update(update_id: int, user_id: int, *, duration: int = 3, **kwargs: Any) -> dict[str, Any]:
    voice = {"file_id": f"VOICE{update_id}", "file_unique_id": f"UV{update_id}", "duration": duration,
             "mime_type": "audio/ogg"}  # fmt: skip
    return _media_update(update_id, user_id, {"voice": voice}, kwargs)


def make_my_chat_member_update(
    update_id: int,
    user_id: int,
    chat_id: int,
    *,
    added: bool = True,
    new_status: str | None = None,
    old_status: str | None = None,
    chat_type: str | None = None,
    chat_title: str | None = None,
    first_name: str = "Test",
    bot_id: int = DEFAULT_BOT_ID,
    date: dtm.datetime | int | None = None,
) -> dict[str, Any]:
    """``user_id`` added the bot to (``added=True``) or removed it from group ``chat_id``.
    Pass ``new_status``/``old_status`` (e.g. "administrator", "kicked") to override. In a private
    chat (positive ``chat_id``), ``added=False`` means the user blocked the bot."""
    private = chat_id > 0
    old = old_status or ("member" if not added else "kicked" if private else "left")
    new = new_status or ("member" if added else "kicked" if private else "left")
    user = _user(user_id, first_name, "en", None)
    bot = _bot_user_dict(bot_id)
    return {
        "update_id": update_id,
        "my_chat_member": {
            "chat": _chat(chat_id, chat_type, user, chat_title),
            "from": user,
            "date": _date(date),
            "old_chat_member": _chat_member_dict(old, bot),
            "new_chat_member": _chat_member_dict(new, bot),
        },
    }


def make_migrate_update(
    update_id: int,
    user_id: int,
    chat_id: int,
    migrate_to_chat_id: int,
    *,
    date: dtm.datetime | int | None = None,
    message_id: int | None = None,
    chat_title: str | None = None,
) -> dict[str, Any]:
    """Service message in the old group ``chat_id``: it became supergroup ``migrate_to_chat_id``."""
    return _media_update(
        update_id, user_id, {"migrate_to_chat_id": migrate_to_chat_id},
        {"chat_id": chat_id, "chat_type": "group", "date": date, "message_id": message_id,
         "chat_title": chat_title},
    )  # fmt: skip


def make_migrate_from_update(
    update_id: int,
    user_id: int,
    chat_id: int,
    migrate_from_chat_id: int,
    *,
    date: dtm.datetime | int | None = None,
    message_id: int | None = None,
    chat_title: str | None = None,
) -> dict[str, Any]:
    """Service message in the new supergroup ``chat_id`` (Telegram sends both halves)."""
    return _media_update(
        update_id, user_id, {"migrate_from_chat_id": migrate_from_chat_id},
        {"chat_id": chat_id, "chat_type": "supergroup", "date": date, "message_id": message_id,
         "chat_title": chat_title},
    )  # fmt: skip


class UpdateFactory:
    """Builds update dicts with monotonic update ids and dates from an injectable clock.

    With ``fake`` given, message ids come from the fake's per-chat counters, so user and bot
    messages never share an id (as in real chats) and the bot id matches getMe.
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        start_update_id: int = 1,
        fake: FakeBotAPI | None = None,
    ) -> None:
        self.clock: Clock = clock or _utc_now
        self.fake = fake
        self._update_ids = itertools.count(start_update_id)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self.last_update_id = start_update_id - 1

    def next_update_id(self) -> int:
        self.last_update_id = next(self._update_ids)
        return self.last_update_id

    def _message_id(self, chat_id: int) -> int:
        if self.fake is not None:
            return self.fake.next_message_id(chat_id)
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _common(self, user_id: int, kwargs: dict[str, Any]) -> dict[str, Any]:
        chat_id = kwargs.get("chat_id")
        kwargs.setdefault("date", self.clock())
        kwargs.setdefault("message_id", self._message_id(chat_id if chat_id is not None else user_id))
        return kwargs

    def _learned(self, update: dict[str, Any]) -> dict[str, Any]:
        if self.fake is not None:
            self.fake.learn(update)
        return update

    def message(self, user_id: int, text: str, **kwargs: Any) -> dict[str, Any]:
        return self._learned(
            make_message_update(self.next_update_id(), user_id, text, **self._common(user_id, kwargs))
        )

    def edited_message(self, user_id: int, text: str, message_id: int, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("edit_date", self.clock())
        kwargs.setdefault("date", self.clock())
        return self._learned(
            make_edited_message_update(self.next_update_id(), user_id, text, message_id, **kwargs)
        )

    def callback(self, user_id: int, data: str, message: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("date", self.clock())
        return self._learned(make_callback_update(self.next_update_id(), user_id, data, message, **kwargs))

    def location(self, user_id: int, latitude: float, longitude: float, **kwargs: Any) -> dict[str, Any]:
        return self._learned(
            make_location_update(
                self.next_update_id(), user_id, latitude, longitude, **self._common(user_id, kwargs)
            )
        )

    def sticker(self, user_id: int, **kwargs: Any) -> dict[str, Any]:
        return self._learned(
            make_sticker_update(self.next_update_id(), user_id, **self._common(user_id, kwargs))
        )

    def photo(self, user_id: int, **kwargs: Any) -> dict[str, Any]:
        return self._learned(
            make_photo_update(self.next_update_id(), user_id, **self._common(user_id, kwargs))
        )

    def voice(self, user_id: int, **kwargs: Any) -> dict[str, Any]:
        return self._learned(
            make_voice_update(self.next_update_id(), user_id, **self._common(user_id, kwargs))
        )

    def my_chat_member(self, user_id: int, chat_id: int, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("date", self.clock())
        if self.fake is not None:
            kwargs.setdefault("bot_id", self.fake.bot_id)
        return self._learned(make_my_chat_member_update(self.next_update_id(), user_id, chat_id, **kwargs))

    def migrate(self, user_id: int, chat_id: int, migrate_to_chat_id: int, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("date", self.clock())
        kwargs.setdefault("message_id", self._message_id(chat_id))
        return self._learned(
            make_migrate_update(self.next_update_id(), user_id, chat_id, migrate_to_chat_id, **kwargs)
        )

    def migrate_from(
        self, user_id: int, chat_id: int, migrate_from_chat_id: int, **kwargs: Any
    ) -> dict[str, Any]:
        kwargs.setdefault("date", self.clock())
        kwargs.setdefault("message_id", self._message_id(chat_id))
        return self._learned(
            make_migrate_from_update(self.next_update_id(), user_id, chat_id, migrate_from_chat_id, **kwargs)
        )

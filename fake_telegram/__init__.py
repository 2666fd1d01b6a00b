"""A fake Telegram Bot API at python-telegram-bot's HTTP boundary: the server, its records, and updates.

Its own package (like Starlette's ``testclient``), imported by the console, the tests and the benchmarks;
the product packages never depend on it for anything but the console.
"""

from fake_telegram.htmltext import html_to_plain
from fake_telegram.server import (
    BOT_FIRST_NAME,
    BOT_USERNAME,
    DEFAULT_BOT_ID,
    ApiCall,
    CallbackAnswer,
    Edit,
    FakeBotAPI,
    SentMessage,
    UploadedFile,
    buttons,
)
from fake_telegram.updates import (
    UpdateFactory,
    make_callback_update,
    make_edited_message_update,
    make_location_update,
    make_message_update,
    make_migrate_from_update,
    make_migrate_update,
    make_my_chat_member_update,
    make_photo_update,
    make_sticker_update,
    make_voice_update,
)

__all__ = [
    "BOT_FIRST_NAME",
    "BOT_USERNAME",
    "DEFAULT_BOT_ID",
    "ApiCall",
    "CallbackAnswer",
    "Edit",
    "FakeBotAPI",
    "SentMessage",
    "UpdateFactory",
    "UploadedFile",
    "buttons",
    "html_to_plain",
    "make_callback_update",
    "make_edited_message_update",
    "make_location_update",
    "make_message_update",
    "make_migrate_from_update",
    "make_migrate_update",
    "make_my_chat_member_update",
    "make_photo_update",
    "make_sticker_update",
    "make_voice_update",
]

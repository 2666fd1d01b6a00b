"""FakeBotAPI drives the real PTB Bot/Application: what the bot sends is recorded, errors surface
as the same telegram.error exceptions real Telegram answers would produce."""

from __future__ import annotations

import datetime as dtm
import logging
from collections.abc import AsyncIterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from fake_telegram import (
    FakeBotAPI,
    UpdateFactory,
    html_to_plain,
    make_callback_update,
    make_message_update,
)

TOKEN = "987654:SECRET-token-value"
SECRET = "SECRET-token-value"
USER = 42
T0 = dtm.datetime(2025, 3, 1, 5, 30, tzinfo=dtm.UTC)

KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Undo", callback_data="undo:7"),
            InlineKeyboardButton("More", callback_data="more"),
        ],
        [InlineKeyboardButton("Tafsir", url="https://quran.com/18")],
    ]
)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(
        "<b>Salaam</b>, logged 20 pages &amp; more", parse_mode="HTML", reply_markup=KEYBOARD
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer("Undone", show_alert=False)
    await query.edit_message_text(f"Undone ({query.data})")


async def export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_document(b"date,pages\n2025-03-01,20\n", filename="progress.csv")
    await update.effective_message.reply_photo(
        b"\x89PNG" + b"\0" * 2048, filename="chart.png", caption="Week"
    )


async def where(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    loc = update.effective_message.location
    await update.effective_message.reply_text(f"at {loc.latitude} {loc.longitude}")


@pytest.fixture
def fake() -> FakeBotAPI:
    """Telegram, where USER (and USER + 1) started the bot: the bot may write to them first."""
    api = FakeBotAPI(clock=lambda: T0)
    api.start_chat(USER)
    api.start_chat(USER + 1)
    return api


@pytest.fixture
def updates(fake: FakeBotAPI) -> UpdateFactory:
    return UpdateFactory(clock=lambda: T0, fake=fake)


@pytest.fixture
async def app(fake: FakeBotAPI) -> AsyncIterator[Application]:
    application = ApplicationBuilder().token(TOKEN).request(fake).get_updates_request(fake).build()
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("export", export))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(filters.LOCATION, where))
    async with application:
        yield application


async def feed(app: Application, data: dict) -> None:
    await app.process_update(Update.de_json(data, app.bot))


async def test_get_me_gives_the_bot_user_with_the_token_id(app: Application, fake: FakeBotAPI) -> None:
    assert app.bot.username == "QuranTrackerBot"
    assert app.bot.first_name == "Quran Tracker"
    assert app.bot.id == 987654  # like Telegram: the numeric part of the token
    assert fake.calls[0].method == "getMe"


async def test_command_reply_is_recorded_with_chat_text_and_markup(
    app: Application, fake: FakeBotAPI, updates: UpdateFactory
) -> None:
    await feed(app, updates.message(USER, "/start", first_name="Amina"))

    [sent] = fake.sent_messages(USER)
    assert sent.chat_id == USER
    assert sent.text == "<b>Salaam</b>, logged 20 pages &amp; more"
    assert sent.plain_text == "Salaam, logged 20 pages & more"
    assert fake.last_text(USER) == "Salaam, logged 20 pages & more"
    assert sent.buttons == [[("Undo", "undo:7"), ("More", "more")], [("Tafsir", "https://quran.com/18")]]
    assert fake.buttons(sent.message) == sent.buttons
    # the Message returned to the bot is what Telegram would answer
    assert sent.message["chat"] == {"id": USER, "type": "private", "first_name": "Amina"}
    assert sent.message["from"]["is_bot"] is True
    assert sent.message["date"] == int(T0.timestamp())
    assert sent.message["text"] == "Salaam, logged 20 pages & more"
    assert fake.sent_messages(USER + 1) == []


async def test_message_ids_are_per_chat_and_shared_with_user_messages(
    app: Application, fake: FakeBotAPI, updates: UpdateFactory
) -> None:
    first = updates.message(USER, "/start")
    await feed(app, first)
    await feed(app, updates.message(USER + 1, "/start"))
    await feed(app, updates.message(USER, "/start"))
    ids = [(m.chat_id, m.message_id) for m in fake.sent_messages()]
    assert first["message"]["message_id"] == 1
    assert ids == [(USER, 2), (USER + 1, 2), (USER, 4)]


async def test_group_chats_get_group_types(
    app: Application, fake: FakeBotAPI, updates: UpdateFactory
) -> None:
    await feed(
        app, updates.message(USER, "/start@QuranTrackerBot", chat_id=-1001234567890, chat_title="Circle")
    )
    await app.bot.send_message(-42, "small group")
    supergroup, group = fake.sent_messages()
    assert supergroup.message["chat"] == {"id": -1001234567890, "type": "supergroup", "title": "Circle"}
    assert group.message["chat"]["type"] == "group"


async def test_button_press_edits_the_message_and_answers(
    app: Application, fake: FakeBotAPI, updates: UpdateFactory
) -> None:
    await feed(app, updates.message(USER, "/start"))
    sent = fake.last_message(USER)

    await feed(app, updates.callback(USER, "undo:7", sent.message))

    [edit] = fake.edits(USER)
    assert (edit.chat_id, edit.message_id, edit.text) == (USER, sent.message_id, "Undone (undo:7)")
    assert edit.reply_markup is None
    [answer] = fake.callback_answers()
    assert (answer.text, answer.show_alert) == ("Undone", False)
    current = fake.message(USER, sent.message_id)
    assert current["text"] == "Undone (undo:7)"
    assert "reply_markup" not in current  # editMessageText without markup drops the keyboard
    assert current["edit_date"] == int(T0.timestamp())


async def test_editing_an_unknown_message_is_a_bad_request(app: Application, fake: FakeBotAPI) -> None:
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await app.bot.edit_message_text("x", chat_id=USER, message_id=999)
    assert fake.calls[-1].status == 400
    assert fake.edits() == []


async def test_an_edit_that_changes_nothing_is_refused_like_telegram(
    app: Application, fake: FakeBotAPI
) -> None:
    sent = await app.bot.send_message(USER, "same")
    with pytest.raises(BadRequest, match="not modified"):
        await app.bot.edit_message_text("same", chat_id=USER, message_id=sent.message_id)
    edited = await app.bot.edit_message_text("new", chat_id=USER, message_id=sent.message_id)
    assert edited.text == "new"


async def test_deleted_messages_cannot_be_edited(app: Application) -> None:
    sent = await app.bot.send_message(USER, "bye")
    assert await app.bot.delete_message(USER, sent.message_id) is True
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await app.bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=KEYBOARD)


async def test_rate_limit_surfaces_as_retry_after_once(
    app: Application, fake: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # opt in to PTB 23 semantics: retry_after is a timedelta
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await app.bot.send_message(USER, "hi")
    assert caught.value.retry_after == dtm.timedelta(seconds=3)
    assert fake.calls[-1].status == 429
    await app.bot.send_message(USER, "hi again")  # times=1: the next call goes through
    assert fake.last_text(USER) == "hi again"


async def test_a_group_gets_20_messages_a_minute_then_429_until_the_oldest_is_a_minute_old(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    now = [T0]
    fake = FakeBotAPI(clock=lambda: now[0])
    fake.start_chat(USER)
    group = -1001234567890
    async with ApplicationBuilder().token(TOKEN).request(fake).build() as app:
        for i in range(20):  # one every second: all inside one minute
            await app.bot.send_message(group, f"message {i}")
            now[0] += dtm.timedelta(seconds=1)
        with pytest.raises(RetryAfter) as caught:  # the 21st, 20 s after the first
            await app.bot.send_photo(group, b"\x89PNG" + b"\0" * 64, caption="a picture counts too")
        assert caught.value.retry_after == dtm.timedelta(seconds=40)  # until the first is a minute old
        assert fake.calls[-1].error == "Too Many Requests: retry after 40"
        await app.bot.send_message(USER, "a private chat has no such limit")
        now[0] = T0 + dtm.timedelta(seconds=60)  # the first is a minute old: room for one
        await app.bot.send_message(group, "one more")
        with pytest.raises(RetryAfter):
            await app.bot.send_message(group, "and no more yet")
    assert [m.text for m in fake.sent_messages(group)][-2:] == ["message 19", "one more"]


async def test_blocked_user_is_forbidden(app: Application, fake: FakeBotAPI) -> None:
    fake.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=USER)
    await app.bot.send_message(USER + 1, "other chats are unaffected")
    with pytest.raises(Forbidden, match="blocked"):
        await app.bot.send_message(USER, "hi")

    fake.block(USER)
    for _ in range(2):
        with pytest.raises(Forbidden):
            await app.bot.send_message(USER, "still blocked")
    fake.unblock(USER)
    await app.bot.send_message(USER, "welcome back")
    assert [m.text for m in fake.sent_messages()] == ["other chats are unaffected", "welcome back"]


async def test_chat_not_found_and_migration(app: Application, fake: FakeBotAPI) -> None:
    fake.fail_next("*", times=2)  # default: 400 chat not found, for any method
    with pytest.raises(BadRequest, match="Chat not found"):
        await app.bot.send_chat_action(USER, "typing")
    with pytest.raises(BadRequest, match="Chat not found"):
        await app.bot.send_message(USER, "x")
    fake.fail_next("sendMessage", 400, "Bad Request: group chat was upgraded", migrate_to_chat_id=-1009)
    with pytest.raises(ChatMigrated) as caught:
        await app.bot.send_message(-5, "x")
    assert caught.value.new_chat_id == -1009


async def test_injected_timeout_raises_timed_out(app: Application, fake: FakeBotAPI) -> None:
    fake.timeout_next("sendDocument", times=2)
    for _ in range(2):
        with pytest.raises(TimedOut):
            await app.bot.send_document(USER, b"abc", filename="a.txt")
    await app.bot.send_document(USER, b"abc", filename="a.txt")
    assert [c.error for c in fake.calls_to("sendDocument")] == ["TimedOut", "TimedOut", None]


async def test_documents_and_photos_are_recorded_with_bytes(
    app: Application, fake: FakeBotAPI, updates: UpdateFactory
) -> None:
    await feed(app, updates.message(USER, "/export"))

    document, photo = fake.sent_messages(USER)
    assert document.method == "sendDocument"
    assert document.document == b"date,pages\n2025-03-01,20\n"
    assert (document.file.filename, document.file.mime_type) == ("progress.csv", "text/csv")
    assert document.file.size == len(document.document)
    assert document.message["document"]["file_name"] == "progress.csv"
    assert photo.photo is not None and photo.photo.startswith(b"\x89PNG")
    assert photo.file.size == 2052
    assert photo.text == "Week"
    assert photo.document is None

    # what the bot uploaded can be fetched back through getFile + download, as from Telegram
    tg_file = await app.bot.get_file(document.message["document"]["file_id"])
    assert bytes(await tg_file.download_as_bytearray()) == document.document


async def test_the_token_is_never_recorded_or_logged(
    app: Application, fake: FakeBotAPI, updates: UpdateFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await feed(app, updates.message(USER, "/start"))  # fails: the error goes to PTB's logging
    await feed(app, updates.message(USER, "/start"))
    await feed(app, updates.message(USER, "/export"))
    with pytest.raises(BadRequest):
        await app.bot.do_api_request("noSuchMethod", api_kwargs={"x": 1})

    assert len(fake.calls) >= 5
    assert "noSuchMethod" in caplog.text  # the fake's own log lines were captured …
    recorded = repr(fake.calls) + repr(fake.sent_messages()) + repr(fake.edits())
    assert SECRET not in recorded  # … and neither they nor the records contain the token
    assert SECRET not in caplog.text


async def test_unknown_methods_are_bad_requests_but_recorded(app: Application, fake: FakeBotAPI) -> None:
    with pytest.raises(BadRequest, match="Method not found"):
        await app.bot.do_api_request("fooBar", api_kwargs={"chat_id": USER})
    assert fake.calls[-1].method == "fooBar"
    assert fake.calls[-1].params == {"chat_id": USER}


async def test_telegram_rejects_what_real_telegram_rejects(app: Application) -> None:
    with pytest.raises(BadRequest, match="parse entities"):
        await app.bot.send_message(USER, "<blink>hi</blink>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="parse entities"):  # e.g. an unescaped user name
        await app.bot.send_message(USER, "Well done, a<b!", parse_mode="HTML")
    assert (await app.bot.send_message(USER, "a&lt;b &amp; 3 > 2", parse_mode="HTML")).text == "a<b & 3 > 2"
    with pytest.raises(BadRequest, match="parse entities"):
        await app.bot.send_message(USER, "<b>unclosed", parse_mode="HTML")
    with pytest.raises(BadRequest, match="too long"):
        await app.bot.send_message(USER, "x" * 4097)
    too_much_data = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await app.bot.send_message(USER, "x", reply_markup=too_much_data)


async def test_service_methods_answer_sensibly(app: Application, fake: FakeBotAPI) -> None:
    from telegram import BotCommand

    assert await app.bot.set_my_commands([BotCommand("start", "Begin")]) is True
    assert [c.command for c in await app.bot.get_my_commands()] == ["start"]
    assert await app.bot.delete_my_commands() is True
    assert await app.bot.get_my_commands() == ()
    assert await app.bot.set_chat_menu_button() is True
    assert await app.bot.delete_webhook() is True
    assert (await app.bot.get_webhook_info()).url == ""
    assert await app.bot.get_updates(timeout=0) == ()
    assert await app.bot.send_chat_action(USER, "typing") is True
    assert (await app.bot.get_chat(-100123)).type == "group"


async def test_chat_member_status_is_configurable(app: Application, fake: FakeBotAPI) -> None:
    circle = -1001
    fake.set_admins(circle, [USER], owner=7)
    assert (await app.bot.get_chat_member(circle, USER)).status == "administrator"
    assert (await app.bot.get_chat_member(circle, 7)).status == "creator"
    assert (await app.bot.get_chat_member(circle, 8)).status == "member"
    fake.set_member_status(circle, 8, "left")
    assert (await app.bot.get_chat_member(circle, 8)).status == "left"
    admins = await app.bot.get_chat_administrators(circle)
    assert sorted(a.user.id for a in admins) == [7, USER]


async def test_latency_hook_is_awaited_for_every_call(app: Application, fake: FakeBotAPI) -> None:
    seen: list[str] = []

    async def latency(method: str, params: dict) -> None:
        seen.append(method)

    fake.latency = latency
    await app.bot.send_message(USER, "a")
    await app.bot.send_chat_action(USER, "typing")
    assert seen == ["sendMessage", "sendChatAction"]


async def test_location_and_other_updates_reach_handlers(
    app: Application, fake: FakeBotAPI, updates: UpdateFactory
) -> None:
    await feed(app, updates.location(USER, 21.42, 39.83))
    assert fake.last_text(USER) == "at 21.42 39.83"
    for data in (updates.sticker(USER), updates.photo(USER), updates.voice(USER)):
        update = Update.de_json(data, app.bot)
        assert update.effective_message is not None and update.effective_user.id == USER
    assert Update.de_json(updates.photo(USER), app.bot).message.photo[-1].width == 1280
    edited = Update.de_json(updates.edited_message(USER, "read 5 pages", 3), app.bot)
    assert edited.edited_message.message_id == 3


def test_group_lifecycle_updates_parse(fake: FakeBotAPI) -> None:
    updates = UpdateFactory(clock=lambda: T0, fake=fake)
    added = Update.de_json(updates.my_chat_member(USER, -100, chat_title="Circle"), None)
    assert (added.my_chat_member.old_chat_member.status, added.my_chat_member.new_chat_member.status) == (
        "left",
        "member",
    )
    assert added.my_chat_member.new_chat_member.user.id == fake.bot_id
    promoted = Update.de_json(updates.my_chat_member(USER, -100, new_status="administrator"), None)
    assert promoted.my_chat_member.new_chat_member.status == "administrator"
    blocked = Update.de_json(updates.my_chat_member(USER, USER, added=False), None)
    assert blocked.my_chat_member.new_chat_member.status == "kicked"
    migrated = Update.de_json(updates.migrate(USER, -100, -1001234), None)
    assert migrated.message.migrate_to_chat_id == -1001234
    assert (
        Update.de_json(updates.migrate_from(USER, -1001234, -100), None).message.migrate_from_chat_id == -100
    )


def test_update_factory_ids_are_monotonic_and_time_is_injected() -> None:
    now = [T0]
    updates = UpdateFactory(clock=lambda: now[0], start_update_id=100)
    first = updates.message(USER, "a")
    now[0] = T0 + dtm.timedelta(hours=1)
    second = updates.callback(USER, "x", first["message"])
    assert [first["update_id"], second["update_id"]] == [100, 101]
    assert first["message"]["date"] == int(T0.timestamp())
    assert Update.de_json(second, None).callback_query.message.date == T0


def test_callback_message_gets_the_fields_ptb_needs() -> None:
    update = Update.de_json(make_callback_update(1, USER, "x", {"message_id": 5, "date": 0}), None)
    # a real Message, not InaccessibleMessage (which PTB would make of a date of 0)
    assert update.callback_query.message.is_accessible
    assert update.callback_query.message.chat.id == USER


@given(
    command=st.from_regex(r"/[a-z_]{1,20}", fullmatch=True),
    rest=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40),
)
def test_commands_get_a_bot_command_entity(command: str, rest: str) -> None:
    text = f"{command} {rest}"
    update = Update.de_json(make_message_update(1, USER, text, date=T0), None)
    assert update.message.text == text
    [entity] = update.message.entities
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, len(command))
    assert update.message.parse_entity(entity) == command


def test_plain_text_has_no_command_entity() -> None:
    assert "entities" not in make_message_update(1, USER, "read al-kahf 1-20", date=T0)["message"]


def test_html_to_plain() -> None:
    assert html_to_plain('<b>1</b> &lt; <a href="https://x">2</a> &amp; <code>3</code>') == "1 < 2 & 3"

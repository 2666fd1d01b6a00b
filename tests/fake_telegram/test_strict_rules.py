"""The fake refuses what Telegram refuses, with Telegram's texts: for each rule, one request Telegram
refuses and one it accepts. Facts from TDLib (td/telegram/MessageEntity.cpp, parse_html), the Bot API
server's texts, and python-telegram-bot's telegram.constants (the limits)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, ReplyParameters
from telegram.error import BadRequest, Forbidden, NetworkError

from fake_telegram import FakeBotAPI, UpdateFactory
from fake_telegram.htmltext import parse_html

USER, GROUP, SUPERGROUP = 42, -4242, -1004242


@pytest.fixture
async def api() -> AsyncIterator[tuple]:
    from telegram import Bot

    fake = FakeBotAPI()
    bot = Bot("123456:STRICT", request=fake, get_updates_request=fake)
    updates = UpdateFactory(fake=fake)
    updates.message(USER, "/start")  # the user has written: the fake knows the chat
    updates.message(USER, "/circle", chat_id=GROUP, chat_type="group", chat_title="Halaqa")
    updates.message(USER, "/circle", chat_id=SUPERGROUP, chat_type="supergroup", chat_title="Big halaqa")
    async with bot:
        yield bot, fake, updates


async def refused(fake: FakeBotAPI, request, description: str, error=BadRequest) -> None:
    """`request` fails as Telegram fails it: the exception PTB raises, and Telegram's own words."""
    with pytest.raises(error):
        await request
    assert fake.calls[-1].error == description


# ---------------------------------------------------------------------------------------- HTML
REFUSED_HTML = [
    ("<br>", 'Unsupported start tag "br" at byte offset 0'),
    ("<!-- note -->", 'Unsupported start tag "!--" at byte offset 0'),
    ("x <b/>", 'Unsupported start tag "b/" at byte offset 2'),
    ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
    ("x <b", "Unclosed start tag at byte offset 2"),
    ('<a href="https://quran.com"', "Unclosed start tag at byte offset 0"),
    ("<a href>x</a>", 'Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0'),
    ('<a ="x">y</a>', 'Empty attribute name in the tag "a" at byte offset 0'),
    ("<a href=x/>y</a>", "Unexpected end of name token at byte offset 8"),
    ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("<b>x</b", "Unclosed end tag at byte offset 4"),
    ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
    ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
    ('<tg-emoji emoji-id="x">y</tg-emoji>', "Invalid custom emoji identifier specified"),
    ("ع <b", "Unclosed start tag at byte offset 3"),  # offsets count UTF-8 bytes
    ("<B>x</B>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</B>"'),
]

ACCEPTED_HTML = [
    ("<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike><del>d</del>",
     "bsieunskd"),
    ('<span class="tg-spoiler">a</span><tg-spoiler>b</tg-spoiler>', "ab"),
    ('<a href="https://quran.com/18">Al-Kahf</a> <a href=\'tg://user?id=1\'>you</a>', "Al-Kahf you"),
    ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
    ('<pre><code class="language-python">x = 1</code></pre><code>y</code>', "x = 1y"),
    ("<blockquote>q</blockquote><blockquote expandable>e</blockquote>", "qe"),
    ("&lt;&gt;&amp;&quot; &#65;&#x42; &amp", '<>&" AB &'),
    ("&nbsp; &copy; stay literal", "&nbsp; &copy; stay literal"),
    ("a > b & c", "a > b & c"),
    ("<B>upper</b >", "upper"),  # start tags are lowercased, end tags compared as written
]  # fmt: skip


@pytest.mark.parametrize(("text", "error"), REFUSED_HTML)
async def test_html_telegram_refuses_is_refused_with_its_words(api, text, error):
    bot, fake, _ = api
    assert parse_html(text).error == error
    await refused(
        fake, bot.send_message(USER, text, parse_mode="HTML"), f"Bad Request: can't parse entities: {error}"
    )


@pytest.mark.parametrize(("text", "plain"), ACCEPTED_HTML)
async def test_html_telegram_accepts_is_accepted(api, text, plain):
    bot, _, _ = api
    sent = await bot.send_message(USER, text, parse_mode="HTML")
    assert sent.text == plain


# ---------------------------------------------------------------------------------------- length
async def test_length_is_measured_after_parsing_in_utf16(api):
    bot, fake, _ = api
    await bot.send_message(USER, "<b>" + "&amp;" * 4096 + "</b>", parse_mode="HTML")  # 4,096 after parsing
    await bot.send_message(USER, "🕌" * 2048)  # 4,096 UTF-16 units
    await refused(fake, bot.send_message(USER, "🕌" * 2049), "Bad Request: message is too long")
    await refused(
        fake,
        bot.send_message(USER, "<i>" + "x" * 4097 + "</i>", parse_mode="HTML"),
        "Bad Request: message is too long",
    )
    await bot.send_photo(USER, InputFile(b"img", "a.png"), caption="ع" * 1024)
    await refused(
        fake,
        bot.send_photo(USER, InputFile(b"img", "a.png"), caption="🕌" * 513),
        "Bad Request: message caption is too long",
    )


async def test_parse_mode_must_be_one_telegram_knows(api):
    bot, fake, _ = api
    for mode in ("HTML", "html", "MarkdownV2", "Markdown"):
        await bot.send_message(USER, "fine", parse_mode=mode)
    await refused(
        fake, bot.send_message(USER, "fine", parse_mode="Markup"), "Bad Request: unsupported parse_mode"
    )


# ---------------------------------------------------------------------------------------- keyboards
def _keyboard(rows: int, per_row: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(f"{r}.{c}", callback_data=f"{r}:{c}") for c in range(per_row)]
            for r in range(rows)
        ]
    )


async def test_inline_keyboards_hold_at_most_100_buttons_and_8_a_row(api):
    bot, fake, _ = api
    await bot.send_message(USER, "ok", reply_markup=_keyboard(12, 8))  # 96
    await bot.send_message(
        USER, "ok", reply_markup=_keyboard(10, 8)._replace_rows if False else _keyboard(20, 5)
    )
    await refused(
        fake,
        bot.send_message(USER, "105", reply_markup=_keyboard(21, 5)),
        "Bad Request: reply markup is too long",
    )
    await refused(
        fake,
        bot.send_message(USER, "too wide", reply_markup=_keyboard(1, 9)),
        "Bad Request: reply markup is too long",
    )


async def test_a_button_has_exactly_one_action_and_a_valid_url(api):
    bot, fake, _ = api
    await bot.send_message(
        USER, "ok", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Q", url="https://quran.com")]])
    )
    raw = {"inline_keyboard": [[{"text": "both", "callback_data": "x", "url": "https://quran.com"}]]}
    await refused(
        fake,
        bot.send_message(USER, "two actions", reply_markup=raw),
        "Bad Request: can't parse inline keyboard button: exactly one of the optional fields must be used",
    )
    await refused(
        fake,
        bot.send_message(USER, "no action", reply_markup={"inline_keyboard": [[{"text": "plain"}]]}),
        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
    )
    bad_url = {"inline_keyboard": [[{"text": "u", "url": "quran"}]]}
    await refused(
        fake, bot.send_message(USER, "bad url", reply_markup=bad_url), "Bad Request: BUTTON_URL_INVALID"
    )


# ---------------------------------------------------------------------------------------- callbacks
async def test_a_callback_query_can_be_answered_only_once(api):
    bot, fake, updates = api
    sent = await bot.send_message(USER, "press", reply_markup=_keyboard(1, 1))
    update = updates.callback(USER, "0:0", sent.to_dict())
    query_id = update["callback_query"]["id"]
    assert await bot.answer_callback_query(query_id, "Saved")
    too_old = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    await refused(fake, bot.answer_callback_query(query_id), too_old)
    await refused(
        fake,
        bot.answer_callback_query("never-sent"),
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )


# ---------------------------------------------------------------------------------------- commands
async def test_set_my_commands_follows_telegrams_rules(api):
    bot, fake, _ = api
    await bot.set_my_commands([BotCommand("log", "Log what you read"), BotCommand("k_2", "x" * 256)])
    await bot.set_my_commands([BotCommand("log", "سجّل ما قرأت")], language_code="ar")
    for bad, error in (
        ([BotCommand("Log", "capital")], "BOT_COMMAND_INVALID"),
        ([BotCommand("l" * 33, "long")], "BOT_COMMAND_INVALID"),
        ([BotCommand("log-it", "dash")], "BOT_COMMAND_INVALID"),
        ([BotCommand("log", "")], "BOT_COMMAND_DESCRIPTION_INVALID"),
        ([BotCommand("log", "x" * 257)], "BOT_COMMAND_DESCRIPTION_INVALID"),
        ([BotCommand(f"c{i}", "d") for i in range(101)], "too many commands specified"),
    ):
        await refused(fake, bot.set_my_commands(bad), f"Bad Request: {error}")
    await refused(
        fake,
        bot.set_my_commands([BotCommand("log", "Log")], language_code="arabic"),
        "Bad Request: invalid language code specified",
    )


# ---------------------------------------------------------------------------------------- chat actions
async def test_chat_actions_are_telegrams_names(api):
    bot, fake, _ = api
    await bot.send_chat_action(USER, "upload_photo")
    await refused(
        fake, bot.send_chat_action(USER, "drawing"), "Bad Request: wrong parameter action in request"
    )


# ---------------------------------------------------------------------------------------- files
def _png(width: int, height: int, size: int = 0) -> bytes:
    head = (
        b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + width.to_bytes(4, "big") + height.to_bytes(4, "big")
    )
    return head + b"\x00" * max(0, size - len(head))


async def test_photos_and_documents_within_telegrams_limits(api):
    bot, fake, _ = api
    await bot.send_photo(USER, InputFile(_png(1600, 900), "board.png"))
    await bot.send_photo(USER, InputFile(_png(5000, 4999), "big.png"))
    await bot.send_photo(USER, InputFile(_png(2000, 100), "strip.png"))  # ratio 20
    await refused(
        fake,
        bot.send_photo(USER, InputFile(_png(5001, 5000), "huge.png")),
        "Bad Request: PHOTO_INVALID_DIMENSIONS",
    )
    await refused(
        fake,
        bot.send_photo(USER, InputFile(_png(2100, 100), "strip.png")),
        "Bad Request: PHOTO_INVALID_DIMENSIONS",
    )  # ratio 21
    await refused(
        fake,
        bot.send_photo(USER, InputFile(_png(100, 100, 10 * 1024 * 1024 + 1), "heavy.png")),
        "Bad Request: PHOTO_SAVE_FILE_INVALID",
    )
    await bot.send_document(USER, InputFile(b"x" * (10 * 1024 * 1024 + 1), "export.json"))
    await refused(
        fake,
        bot.send_document(USER, InputFile(b"x" * (50 * 1024 * 1024 + 1), "export.json")),
        "Request Entity Too Large",
        NetworkError,
    )


# ---------------------------------------------------------------------------------------- chats
async def test_groups_the_bot_left_or_was_kicked_from_refuse_with_403(api):
    bot, fake, _ = api
    await bot.send_message(GROUP, "salaam")
    fake.set_member_status(GROUP, fake.bot_id, "left")
    await refused(
        fake, bot.send_message(GROUP, "salaam"), "Forbidden: bot is not a member of the group chat", Forbidden
    )
    fake.set_member_status(SUPERGROUP, fake.bot_id, "kicked")
    await refused(
        fake,
        bot.send_message(SUPERGROUP, "salaam"),
        "Forbidden: bot was kicked from the supergroup chat",
        Forbidden,
    )
    await refused(fake, bot.send_message("@nobody_here", "salaam"), "Bad Request: chat not found")


# ---------------------------------------------------------------------------------------- targets
async def test_replies_and_topics_must_exist(api):
    bot, fake, updates = api
    mine = updates.message(USER, "Al-Kahf 1-10", chat_id=SUPERGROUP, chat_type="supergroup")
    message_id = mine["message"]["message_id"]
    await bot.send_message(SUPERGROUP, "noted", reply_parameters=ReplyParameters(message_id))
    await refused(
        fake,
        bot.send_message(SUPERGROUP, "noted", reply_parameters=ReplyParameters(message_id + 50)),
        "Bad Request: message to be replied not found",
    )
    await bot.send_message(
        SUPERGROUP,
        "noted",
        reply_parameters=ReplyParameters(message_id + 50, allow_sending_without_reply=True),
    )
    fake.add_topic(SUPERGROUP, 7)
    await bot.send_message(SUPERGROUP, "in the topic", message_thread_id=7)
    await refused(
        fake,
        bot.send_message(SUPERGROUP, "in no topic", message_thread_id=8),
        "Bad Request: message thread not found",
    )


async def test_reactions_are_the_emoji_telegram_offers_on_a_message_that_exists(api):
    from telegram import ReactionTypeEmoji

    bot, fake, updates = api
    message_id = updates.message(USER, "Al-Kahf 1-10")["message"]["message_id"]
    await bot.set_message_reaction(USER, message_id, ReactionTypeEmoji("✍"))
    invalid = "Bad Request: REACTION_INVALID"
    await refused(fake, bot.set_message_reaction(USER, message_id, ReactionTypeEmoji("✅")), invalid)
    not_found = "Bad Request: message to react not found"
    await refused(fake, bot.set_message_reaction(USER, message_id + 40, ReactionTypeEmoji("✍")), not_found)


# ------------------------------------------------------------------------ a bot cannot write first
CANNOT_INITIATE = "Forbidden: bot can't initiate conversation with a user"


async def test_a_private_chat_whose_user_never_started_the_bot_refuses_every_send(api) -> None:
    bot, fake, _ = api
    stranger = 4343  # never wrote to the bot
    text = CANNOT_INITIATE
    await refused(fake, bot.send_message(stranger, "hello"), text, Forbidden)
    await refused(fake, bot.send_photo(stranger, InputFile(_png(1600, 900), "p.png")), text, Forbidden)
    await refused(fake, bot.send_document(stranger, InputFile(b"x", filename="a.txt")), text, Forbidden)
    assert fake.calls[-1].status == 403


async def test_a_chat_is_started_by_the_users_own_message_or_declared_by_a_test(api) -> None:
    bot, fake, updates = api
    assert (await bot.send_message(USER, "hello")).text == "hello"  # wrote /start (the fixture)
    await refused(fake, bot.send_message(4343, "hi"), CANNOT_INITIATE, Forbidden)
    updates.message(4343, "salam")  # their first private message: from now on the bot may answer
    assert (await bot.send_message(4343, "wa alaikum as-salam")).text == "wa alaikum as-salam"
    fake.start_chat(4444)  # made in the database by a test: declared as started
    assert (await bot.send_document(4444, InputFile(b"x", filename="a.txt"))).document is not None
    updates.message(4545, "/log", chat_id=GROUP, chat_type="group", chat_title="Halaqa")  # a group message
    # writing in a group starts no private chat
    await refused(fake, bot.send_message(4545, "hi"), CANNOT_INITIATE, Forbidden)

"""The outbox (bot/outbox.py): every Telegram rule handled once, against the strict fake."""

from __future__ import annotations

import pytest
from loguru import logger

from bot.fit import MAX_CAPTION, MAX_TEXT, fit_html, plain_length
from bot.outbox import Outbox
from fake_telegram import html_to_plain
from tracker import circles

OLD_GROUP, NEW_GROUP = -4001, -1004001


@pytest.fixture
async def outbox(conversation):
    c = conversation
    await c.onboard(7)  # a private chat the fake knows
    box = Outbox(c.app.bot, c.db, clock=c.clock, sleep=record_sleep(c))
    c.fake.clear()
    return box


def record_sleep(c):
    async def sleep(seconds: float) -> None:
        c.sleeps.append(seconds)

    return sleep


def _long_html(lines: int) -> str:
    return "\n".join(f"<b>{i}.</b> Al-Kahf &amp; Maryam — <i>done</i> ✅" for i in range(lines))


async def test_a_long_text_is_split_at_lines_into_messages_telegram_accepts(conversation, outbox):
    c = conversation
    text = _long_html(400)  # ~15,000 characters as the user sees them
    sent = await outbox.send_text(7, text, buttons=[[("Undo", "undo:1")]])
    assert sent.ok and len(sent.message_ids) >= 4
    calls = c.fake.calls_to("sendMessage")
    assert all(call.ok for call in calls)  # the fake parses each part's HTML as Telegram does
    assert all(plain_length(call.params["text"]) <= MAX_TEXT for call in calls)
    # Nothing lost, nothing cut inside a line: the parts are the original lines, in order.
    joined = "\n".join(html_to_plain(call.params["text"]) for call in calls)
    assert joined == html_to_plain(text)
    # The buttons go with the last part only.
    assert [bool(call.params.get("reply_markup")) for call in calls] == [False] * (len(calls) - 1) + [True]


def test_the_length_is_measured_after_parsing_in_utf16():
    # 4,000 visible characters written as 20,000 raw ones: one message, not five.
    text = "&amp;" * 4000
    assert plain_length(text) == 4000 and fit_html(text) == [text]
    # An emoji outside the BMP is two UTF-16 units, as Telegram counts.
    assert plain_length("🕌" * 2048) == 4096 and len(fit_html("🕌" * 2049)) == 2


def test_a_tag_open_across_a_cut_is_closed_and_reopened():
    text = "<blockquote>" + "\n".join("x" * 100 for _ in range(100)) + "</blockquote>"
    parts = fit_html(text)
    assert len(parts) == 3
    assert all(p.startswith("<blockquote>") and p.endswith("</blockquote>") for p in parts)


def test_one_line_longer_than_a_message_is_cut_at_spaces_not_truncated():
    text = "<b>" + "word " * 2000 + "</b>"
    parts = fit_html(text)
    assert len(parts) == 3 and all(plain_length(p) <= MAX_TEXT for p in parts)
    assert "".join(html_to_plain(p) for p in parts) == html_to_plain(text)


async def test_a_long_caption_keeps_its_first_part_and_the_rest_follows(conversation, outbox):
    c = conversation
    sent = await outbox.send_photo(7, b"\x89PNG fake", "board.png", caption=_long_html(60))
    assert sent.ok and len(sent.message_ids) == 2
    [photo] = c.fake.calls_to("sendPhoto")
    [rest] = c.fake.calls_to("sendMessage")
    assert photo.ok and rest.ok and plain_length(photo.params["caption"]) <= MAX_CAPTION


async def test_an_edit_to_the_same_text_is_a_success_and_a_gone_message_is_posted_again(conversation, outbox):
    c = conversation
    first = await outbox.send_text(7, "Khatm round 1")
    same = await outbox.edit_text(7, first.message_id, "Khatm round 1")
    assert same.outcome == "unchanged" and not same.reposted
    assert c.fake.calls_to("editMessageText")[-1].error.startswith("Bad Request: message is not modified")
    gone = await outbox.edit_text(7, 999, "Khatm round 1 · 2 done")
    assert gone.ok and gone.reposted and gone.message_id not in (None, 999)
    assert c.fake.last_text(7) == "Khatm round 1 · 2 done"
    kept = await outbox.edit_text(7, 998, "closed", repost=False)
    assert not kept.ok and c.fake.last_text(7) == "Khatm round 1 · 2 done"


async def test_a_user_who_blocked_the_bot_is_recorded_at_info_without_an_apology(conversation, outbox):
    c = conversation
    seen: list[str] = []
    sink = logger.add(lambda m: seen.append(m.record["level"].name), level="DEBUG")
    try:
        c.fake.block(7)
        sent = await outbox.send_text(7, "Time for your daily reading")
    finally:
        logger.remove(sink)
    assert sent.outcome == "blocked" and sent.error.startswith("403")
    assert (await c.user(7)).blocked_at == c.clock()
    assert "INFO" in seen and "ERROR" not in seen and "WARNING" not in seen
    assert len(c.fake.calls) == 1  # no second attempt, no apology


async def test_a_migrated_group_moves_its_circle_and_the_message_is_sent_there(conversation, outbox):
    c = conversation
    async with c.db.unit_of_work() as uow:
        user = await uow.users.get(7)
        await circles.create_circle(uow, OLD_GROUP, "Halaqa", user, c.clock())
    c.fake.fail_next(
        "sendMessage",
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        chat_id=OLD_GROUP,
        migrate_to_chat_id=NEW_GROUP,
    )
    sent = await outbox.send_text(OLD_GROUP, "📣 Announcement")
    assert sent.ok
    assert c.fake.last_text(NEW_GROUP) == "📣 Announcement"
    async with c.db.unit_of_work() as uow:
        assert await circles.circle_for_chat(uow, NEW_GROUP) is not None
        assert await circles.circle_for_chat(uow, OLD_GROUP) is None


async def test_429_is_waited_out_and_retried_once(conversation, outbox):
    c = conversation
    c.fake.fail_next_rate_limited("sendMessage", retry_after=4)
    assert (await outbox.send_text(7, "hello")).ok and c.sleeps == [4.0]
    c.fake.fail_next_rate_limited("sendMessage", retry_after=6, times=2)
    failed = await outbox.send_text(7, "hello again")
    assert failed.outcome == "failed" and failed.error == "429 retry after 6s" and c.sleeps == [4.0, 6.0]


async def test_a_timeout_is_not_retried(conversation, outbox):
    c = conversation
    c.fake.timeout_next("sendMessage")
    sent = await outbox.send_text(7, "hello")
    assert sent.outcome == "failed" and sent.error.startswith("TimedOut")
    assert len(c.fake.calls_to("sendMessage")) == 1


async def test_a_callback_query_is_answered_exactly_once(conversation, outbox):
    c = conversation
    sent = await outbox.send_text(7, "press", buttons=[[("Undo", "undo:1")]])
    message = c.fake.message(7, sent.message_id)
    query_id = c.updates.callback(7, "undo:1", message)["callback_query"]["id"]
    assert await outbox.answer(query_id, "Saved") is True
    assert await outbox.answer(query_id) is False  # not sent: Telegram would refuse a second answer
    assert [a.callback_query_id for a in c.fake.callback_answers()] == [query_id]
    assert all(call.ok for call in c.fake.calls_to("answerCallbackQuery"))


async def test_a_button_whose_handler_fails_is_answered_once_with_the_apology(conversation, monkeypatch):
    from tracker import readings

    c = conversation
    await c.send(7, "Al-Kahf 1-10")
    message, data = c.find_button(7, "Undo")

    async def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(readings, "undo_log", broken)
    before = len(c.fake.calls)
    await c.process(c.updates.callback(7, data, message))
    answers = [call for call in c.fake.calls[before:] if call.method == "answerCallbackQuery"]
    assert len(answers) == 1 and answers[0].ok  # the error handler answered; nobody answered twice
    assert c.texts_since(before)[-1].startswith("Sorry — something went wrong")


async def test_a_refused_reaction_falls_back_without_an_error(conversation, outbox):
    c = conversation
    message_id = c.updates.message(7, "Al-Kahf 1-10")["message"]["message_id"]
    assert (await outbox.react(7, message_id, "✍")).ok
    refused = await outbox.react(7, message_id, "✅")  # not a reaction Telegram offers
    assert refused.outcome == "failed" and refused.error.startswith("400 ")
    assert c.fake.calls[-1].error == "Bad Request: REACTION_INVALID"
    assert c.fake.reactions[(7, message_id)] == ["✍"]


async def test_two_instances_outboxes_share_one_send_budget(pg_db, pg_url, clock):
    """SHARED_RATE_BUDGET: two instances' outboxes (two engines, one database) draw every send from one
    token bucket, so together they stay within Telegram's rate; a bulk send leaves the reserve to replies."""
    from telegram import Bot

    from bot.outbox import SharedBudget
    from fake_telegram import FakeBotAPI
    from storage import Database
    from storage.rate import RateBudget

    waits: list[float] = []

    async def sleep(seconds: float) -> None:  # waiting moves the test clock; nothing really sleeps
        waits.append(seconds)
        clock.advance(seconds=seconds)

    other = Database(pg_url)
    fake = FakeBotAPI()
    fake.start_chat(42)
    bot = Bot("123456:FAKE", request=fake, get_updates_request=fake)
    try:
        async with bot:
            outboxes = [
                Outbox(
                    bot,
                    db,
                    gate=SharedBudget(RateBudget(db, capacity=4, reserve=2, clock=clock, sleep=sleep)),
                )
                for db in (pg_db, other)
            ]
            for n in range(8):  # 8 replies, alternating between the two instances
                assert (await outboxes[n % 2].send_text(42, f"reply {n}")).ok
            assert len(waits) == 4  # a burst of 4 in all, then each waited for its token
            waits.clear()
            clock.advance(seconds=1)  # the bucket refills (30/s): full again
            for n in range(3):
                assert (await outboxes[n % 2].send_text(42, f"nudge {n}", lane="bulk")).ok
            assert len(waits) == 1  # bulk took 2 of the 4 and left 2 to replies: the third waited
    finally:
        await other.dispose()

"""What the reading handler does with the parser's richer answers (issue 15): amounts continue the khatm,
questions come with answer buttons that log in one tap, days other than today, future words refused,
and the timezone prompt never logs an offset as a reading."""

from __future__ import annotations

from datetime import timedelta

from quran import Ayah, Span, page_of, page_span


async def test_an_amount_continues_the_khatm_and_says_where(conversation):
    c = conversation
    await c.onboard(20)
    await c.send(20, "Al-Kahf")
    replies = await c.send(20, "read 5 pages")
    start = Ayah(19, 1)  # the first ayah after Al-Kahf
    expected = Span(start, page_span(page_of(start.index) + 4).end)
    assert replies[0].startswith(f"5 pages from where you left off: {expected}\n✅ {expected} · ")
    readings = await c.readings(20)
    assert (readings[-1].start_index, readings[-1].end_index) == (expected.first_index, expected.last_index)
    await c.press(20, "Undo")
    assert len(await c.readings(20)) == 1


async def test_an_arabic_amount_uses_the_dual(conversation):
    c = conversation
    await c.onboard(21, language="ar")
    replies = await c.send(21, "قرأت صفحتين", language="ar")
    first_two = Span(page_span(1).start, page_span(2).end)
    assert replies[0].startswith(f"صفحتان من حيث توقّفت: {first_two.label('ar')}")
    [reading] = await c.readings(21)
    assert (reading.start_index, reading.end_index) == (first_two.first_index, first_two.last_index)


async def test_did_you_mean_is_a_button_that_logs_the_whole_message(conversation):
    c = conversation
    await c.onboard(22)
    replies = await c.send(22, "kahv 1-10 and yasin")
    assert "did you mean Al-Kahf?" in replies[0]
    assert await c.readings(22) == []  # a question, never a stored guess
    replies = await c.press(22, "Al-Kahf 1–10, Yaseen")
    assert replies[0].startswith("✅ Al-Kahf 1–10, Yaseen · ")
    assert [(r.start_index, r.end_index) for r in await c.readings(22)] == [
        (Ayah(18, 1).index, Ayah(18, 10).index),
        (Ayah(36, 1).index, Ayah(36, 83).index),
    ]


async def test_a_question_is_answered_once_however_often_it_is_tapped(conversation):
    """Two taps before the question is replaced (a double tap, a slow network), or a tap on its other
    answer: each is an update of its own, and each once logged the reading again."""
    c = conversation
    await c.onboard(28)
    replies = await c.send(28, "ص 5")
    # The surah is named as its button and every reply name it (Tanzil's "Saad"), not "Sad"
    assert "Did you mean Saad 5 or page 5?" in replies[0]
    message, surah = c.find_button(28, "Saad 5")
    _, page = c.find_button(28, "page 5")
    await c.process(c.updates.callback(28, surah, message))
    before = len(c.fake.calls)
    await c.process(c.updates.callback(28, surah, message))
    await c.process(c.updates.callback(28, page, message))
    assert [(r.start_index, r.end_index) for r in await c.readings(28)] == [(Ayah(38, 5).index,) * 2]
    from bot.i18n import translator

    assert c.toasts_since(before) == [translator("en")("button.stale")] * 2
    assert c.texts_since(before) == []
    assert c.errors == []


async def test_sad_or_page_asks_and_page_is_one_tap(conversation):
    c = conversation
    await c.onboard(23, language="ar")
    replies = await c.send(23, "ص ٥", language="ar")
    assert replies[0].startswith("🤔 سورة ص ٥ أم الصفحة ٥؟")
    page5 = page_span(5)
    await c.press(23, f"صفحة ٥: {page5.label('ar')}", language="ar")
    [reading] = await c.readings(23)
    assert (reading.start_index, reading.end_index) == (page5.first_index, page5.last_index)


async def test_a_backwards_range_offers_the_other_way_round(conversation):
    c = conversation
    await c.onboard(24)
    replies = await c.send(24, "yesterday kahf 20-1")
    assert "runs backwards" in replies[0]
    replies = await c.press(24, "Al-Kahf 1–20")
    assert "Logged for yesterday." in replies[0]
    [reading] = await c.readings(24)
    assert reading.local_date == c.clock.now.date() - timedelta(days=1)  # the day the message meant


async def test_days_ago_and_the_future(conversation):
    c = conversation
    await c.onboard(25)
    replies = await c.send(25, "2 days ago read yasin")
    day = c.clock.now.date() - timedelta(days=2)
    [reading] = await c.readings(25)
    assert reading.local_date == day
    assert "Logged for" in replies[0]
    replies = await c.send(25, "tomorrow read juz 7")
    assert replies[0].startswith("🤔 I only log what you have already read")
    replies = await c.send(25, "غدا سأقرأ الكهف")
    assert "I only log what you have already read" in replies[0]
    assert len(await c.readings(25)) == 1


async def test_an_offset_with_minutes_is_a_timezone_not_al_maaida_30(conversation):
    c = conversation
    await c.send(26, "/start")
    await c.press(26, "English")
    replies = await c.send(26, "UTC+15:30")  # shaped like an offset, but none: help, not a reading
    assert replies[0].startswith("I couldn't find a timezone for “UTC+15:30”")
    replies = await c.send(26, "UTC+5:30")
    assert replies[0] == "Timezone: UTC+5:30 ✓"
    assert (await c.user(26)).timezone == "UTC+05:30"
    assert await c.readings(26) == []
    replies = await c.send(26, "/settings")
    assert "Timezone: UTC+5:30" in replies[0] and "Etc/" not in replies[0]


def test_every_new_refusal_and_question_has_its_own_arabic_text():
    import pytest

    from bot.handlers.reading import parse_error_text
    from bot.i18n import translator
    from quran import ParseError, parse_reading

    ar = translator("ar")
    generic = ar("log.not_understood", explanation=ar("parse.generic"))
    messages = {
        "future": "غدا سأقرأ الكهف",
        "negated": "لم أقرأ الكهف",
        "no_ruku": "الركوع الأول من البقرة",
        "unused_word": "الكهف الثاني",
        "unclear_time": "أمس وقبل يومين الكهف",
        "quarter_of_juz": "الجزء ١٥ الربع ٢",
        "which_group": "القلاقل",
        "amount_with_reading": "قرأت صفحتين والكهف",
        "sad_or_page": "ص ٥",
        "which_half": "نصف الجزء الثالث",
        "which_part": "ربع الحزب الخامس",
        "part_out_of_range": "الربع الخامس من الحزب الثاني",
        "surah_or_ayah": "1:1-7 and 112",
        "count_or_ayah": "١٠ آيات من الكهف",
        "amount_out_of_range": "read 700 pages",
        "manzil_out_of_range": "المنزل ٩",
    }
    for code, text in messages.items():
        with pytest.raises(ParseError) as info:
            parse_reading(text)
        assert info.value.code == code
        got = parse_error_text(info.value, ar)
        assert got != generic, code
        assert any("\u0600" <= ch <= "\u06ff" for ch in got.replace("{", "")), code


async def test_an_answer_button_for_a_day_not_yet_come_is_refused(conversation):
    c = conversation
    await c.onboard(27)
    await c.send(27, "kahv")
    message, data = c.find_button(27, "Al-Kahf")
    tomorrow = (c.clock.now.date() + timedelta(days=1)).strftime("%Y%m%d")
    forged = "pick:" + tomorrow + data[len("pick:") + 8 :]
    before = len(c.fake.calls)
    await c.process(c.updates.callback(27, forged, message))
    from bot.i18n import translator

    assert c.toasts_since(before) == [translator("en")("button.stale")]
    assert await c.readings(27) == []
    await c.press(27, "Al-Kahf")  # the real answer still works
    assert len(await c.readings(27)) == 1

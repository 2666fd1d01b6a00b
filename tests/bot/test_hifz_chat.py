"""Hifz in a private chat, through the fake Bot API on Postgres, with the injected clock."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from storage.models import HifzCard, HifzRevision


async def _count(c, model) -> int:
    async with c.db.unit_of_work() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)))


async def test_memorised_is_a_hifz_entry_not_a_reading(conversation):
    c = conversation
    await c.onboard(1)
    [reply] = await c.send(1, "memorized al-mulk")
    assert reply.startswith("🌱 Memorised: Al-Mulk p.562–564 (3 pages).")
    assert "first revision comes in 2 days" in reply
    assert await c.readings(1) == []
    assert await _count(c, HifzCard) == 3
    [again] = await c.send(1, "memorized al-mulk")
    assert "already in your hifz" in again


async def test_arabic_memorised_and_revised(conversation):
    c = conversation
    await c.onboard(2, language="ar")
    [reply] = await c.send(2, "حفظت الملك ١-١٠", language="ar")
    assert reply.startswith("🌱 حُفظ: الملك ص ٥٦٢ (صفحة واحدة).")
    c.clock.advance(days=2)
    [revised] = await c.send(2, "راجعت الملك", language="ar")
    assert revised.startswith("✅ روجع: الملك ص ٥٦٢ (صفحة واحدة).")
    assert "كيف كانت المراجعة؟" in revised
    [rated] = await c.press(2, "صعبة", language="ar")
    assert rated.startswith("سُجّل: «صعبة» لـالملك ص ٥٦٢. المراجعة التالية بعد ٨ أيام.")
    assert await c.readings(2) == []


async def test_review_lists_due_pages_done_buttons_and_ratings(conversation):
    c = conversation
    await c.onboard(1)
    await c.send(1, "/hifz add juz 30")
    await c.send(1, "memorized al-mulk")
    [nothing] = await c.send(1, "/review")
    assert nothing == "Nothing is due for revision today. 🌿"
    c.clock.advance(days=2)
    [listing] = await c.send(1, "/hifz budget 5")
    assert listing == "Your daily revision budget: 5 pages."
    [listing] = await c.send(1, "/review")
    assert listing.splitlines() == [
        "📋 Today's revision (5 pages):",
        "Al-Mulk p.562–564, An-Naba p.582–583",
        "21 pages more are due; they come first tomorrow (your budget is 5 a day).",
    ]
    replies = await c.press(1, "An-Naba p.582–583")
    assert replies[0].splitlines()[1] == "Al-Mulk p.562–564, An-Naazi'aat p.584–585"  # the list, refreshed
    assert replies[1].splitlines() == [
        "✅ Revised: An-Naba p.582–583 (2 pages).",
        "How did it go? If you don't answer, I'll count it as Good.",
    ]
    [rated] = await c.press(1, "Easy")
    assert rated == "Noted: Easy for An-Naba p.582–583. The next revision comes in 19 days."
    replies = await c.press(1, "All done")
    assert replies[1].startswith("✅ Revised: Al-Mulk p.562–564, An-Naazi'aat p.584–585 (5 pages).")
    # Not answered: the default (Good) holds — the pages are due 11 days later.
    async with c.db.unit_of_work() as uow:
        cards = {card.page: card for card in await uow.hifz.cards(1)}
    assert (cards[562].due - c.clock.now).days == 11
    assert (cards[582].due - c.clock.now).days == 19
    revisions = await _count(c, HifzRevision)
    assert revisions == 4  # two memorisations, two revisions


async def test_revising_what_is_not_memorised_asks_before_adding(conversation):
    c = conversation
    await c.onboard(1)
    [reply] = await c.send(1, "revised juz 30")
    assert reply == (
        "An-Naba p.582–604 isn't in your hifz yet, so there is nothing to revise. Add it as memorised?"
    )
    assert await _count(c, HifzCard) == 0
    [added] = await c.press(1, "Add to my hifz")
    assert added.startswith("🌱 Memorised: An-Naba p.582–604 (23 pages).")


async def test_hifz_overview_sends_the_strength_picture(conversation):
    c = conversation
    await c.onboard(1)
    [empty] = await c.send(1, "/hifz")
    assert empty.startswith("You haven't told me what you have memorised yet.")
    await c.send(1, "/hifz add juz 30")
    before = len(c.fake.calls)
    await c.send(1, "/hifz")
    [photo] = [call for call in c.fake.calls[before:] if call.method == "sendPhoto"]
    assert photo.files[0].filename == "hifz.png"
    assert photo.params["caption"].splitlines()[0] == "📖 <b>Your hifz</b>: 23 pages — 3.8% of the Quran"
    assert "Complete juz: 1" in photo.params["caption"]


async def test_settings_and_bad_input(conversation):
    c = conversation
    await c.onboard(1)
    [routine] = await c.send(1, "/hifz routine three")
    assert routine.startswith("Your routine has three parts:")
    [sabaq] = await c.send(1, "/hifz sabaq 7")
    assert "🆕 Sabaq (new lesson): 7 lines a day" in sabaq
    [bad] = await c.send(1, "/hifz budget 0")
    assert bad.startswith("That number is out of range")
    [usage] = await c.send(1, "/hifz dance")
    assert usage.startswith("Hifz — memorising and revising:")
    [what] = await c.send(1, "revised")
    assert what.startswith("What did you revise?")
    [unknown] = await c.send(1, "memorized al-mulkk page 9999")
    assert unknown  # the reading parser's own explanation
    assert await c.readings(1) == []


async def test_a_plain_reading_is_still_a_reading(conversation):
    c = conversation
    await c.onboard(1)
    await c.send(1, "al-mulk")
    assert len(await c.readings(1)) == 1
    assert await _count(c, HifzRevision) == 0


async def test_the_daily_revision_reminder_through_the_tick(conversation):
    from bot.nudges import make_scheduler

    c = conversation
    await c.onboard(1)
    await c.send(1, "memorized al-mulk")
    [set_reply] = await c.send(1, "/hifz remind 05:30")
    assert set_reply.startswith("I'll remind you of your revision every day at 05:30")
    scheduler = make_scheduler(c.app, c.db, c.clock)
    c.clock.set(c.clock.now.replace(hour=5, minute=30) + timedelta(days=1))
    before = len(c.fake.calls)
    await scheduler.tick()  # tomorrow 05:30: nothing is due yet, so nothing is sent
    assert c.texts_since(before) == []
    c.clock.advance(days=1)
    await scheduler.tick()
    texts = c.texts_since(before)
    assert texts == ["⏰ Time for your revision.\n\n📋 Today's revision (3 pages):\nAl-Mulk p.562–564"]
    await scheduler.tick()  # the same minute again (or a second instance): nothing twice
    assert c.texts_since(before) == texts
    replies = await c.press(1, "All done")  # from the reminder itself
    assert replies[1].startswith("✅ Revised: Al-Mulk p.562–564 (3 pages).")


async def test_export_includes_hifz_and_deleteme_removes_it(conversation):
    import json

    c = conversation
    await c.onboard(1)
    await c.send(1, "/hifz اضف جزء عم")  # the Arabic sub-command word works too
    await c.send(1, "/hifz remind 05:30")
    c.clock.advance(days=2)
    await c.send(1, "revised an-naba")
    before = len(c.fake.calls)
    await c.send(1, "/export")
    [doc] = [call for call in c.fake.calls[before:] if call.method == "sendDocument"][:1]
    data = json.loads(doc.files[0].data)
    assert len(data["hifz_cards"]) == 23 and len(data["hifz_revisions"]) == 2
    assert [r["source"] for r in data["hifz_revisions"]] == ["memorised", "message"]
    assert data["hifz_settings"][0]["remind_at"] == "05:30:00"
    await c.send(1, "/deleteme")
    await c.press(1, "Yes, delete everything")
    for model in (HifzCard, HifzRevision):
        assert await _count(c, model) == 0


async def test_a_done_button_tapped_twice_revises_its_pages_once(conversation):
    """Each tap is its own update: a double tap (or the old keyboard, a slow client) once reviewed the
    same cards twice in a row, which moves FSRS's schedule as two revisions would."""
    c = conversation
    await c.onboard(3)
    await c.send(3, "memorized al-mulk")
    c.clock.advance(days=2)
    await c.send(3, "/review")
    message, data = c.find_button(3, "Al-Mulk")
    await c.process(c.updates.callback(3, data, message))
    async with c.db.unit_of_work() as uow:
        after_one = {card.page: (card.reps, card.due, card.stability) for card in await uow.hifz.cards(3)}
    before = len(c.fake.calls)
    await c.process(c.updates.callback(3, data, message))  # the same button again
    assert c.toasts_since(before) == ["That button no longer applies."]
    async with c.db.unit_of_work() as uow:
        after_two = {card.page: (card.reps, card.due, card.stability) for card in await uow.hifz.cards(3)}
    assert after_two == after_one
    assert await _count(c, HifzRevision) == 2  # the memorisation, one revision
    c.clock.advance(days=1)  # another day, the same list's button is a revision of that day
    await c.process(c.updates.callback(3, data, message))
    assert await _count(c, HifzRevision) == 3

"""Hifz rules with time travel: FSRS schedules memorised pages, ratings move them, the budget holds."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from quran import juz_span, page_span, surah_span
from storage.models import User
from tracker import hifz
from tracker.clock import system_clock

T0 = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)  # a Sunday evening
MULK = list(range(562, 565))  # Al-Mulk: pages 562-564


async def _user(uow, user_id: int = 1, timezone: str = "UTC") -> User:
    return await uow.users.add(User(id=user_id, timezone=timezone, created_at=T0))


async def _due_days(db, page: int, start: datetime, days: int) -> list[int]:
    """The days (from `start`) on which `page` is on today's list, revising it Good each time."""
    found = []
    for d in range(days):
        async with db.unit_of_work() as uow:
            user = await uow.users.get(1)
            now = start + timedelta(days=d)
            if page in (await hifz.today_list(uow, user, now)).due:
                found.append(d)
                await hifz.revise(uow, user, [page], now, rating=3)
    return found


def test_pages_and_ranges():
    assert hifz.pages_of([surah_span(67)]) == MULK
    assert hifz.pages_of([juz_span(30)]) == list(range(582, 605))
    assert hifz.ranges_of([582, 562, 563, 564, 600, 601]) == [(562, 564), (582, 582), (600, 601)]
    assert hifz.ranges_of([]) == []


async def test_a_page_memorised_today_comes_due_on_the_days_fsrs_says(db):
    async with db.unit_of_work() as uow:
        user = await _user(uow)
        result = await hifz.memorise(uow, user, MULK, T0)
        assert result.added == MULK and result.already == []
        assert (await hifz.today_list(uow, user, T0)).due == []  # just memorised: not due today
    # Good every time: due 2 days after memorising, then 11 days later, then 46 days later (FSRS-6's
    # default parameters, no fuzz); pinned so a change in the library is noticed.
    assert await _due_days(db, 562, T0, 70) == [2, 13, 59]


@pytest.mark.parametrize(("rating", "next_gap"), [(1, 1), (2, 8), (3, 11), (4, 19)])
async def test_ratings_move_a_page_as_documented(db, rating, next_gap):
    async with db.unit_of_work() as uow:
        user = await _user(uow)
        await hifz.memorise(uow, user, [562], T0)
    day2 = T0 + timedelta(days=2)
    async with db.unit_of_work() as uow:
        user = await uow.users.get(1)
        assert (await hifz.today_list(uow, user, day2)).due == [562]
        revised = await hifz.revise(uow, user, [562], day2, rating=rating)
        assert revised.pages == [562]
    found = await _due_days(db, 562, day2 + timedelta(days=1), 25)
    assert found[0] + 1 == next_gap  # the first day it is due again
    async with db.unit_of_work() as uow:
        card = (await uow.hifz.cards(1))[0]
        assert card.lapses == (1 if rating == 1 else 0)


async def test_a_late_rating_replays_the_log_as_if_given_at_the_time(db):
    async with db.unit_of_work() as uow:
        user = await _user(uow)
        await hifz.memorise(uow, user, [562, 563], T0)
    day2 = T0 + timedelta(days=2)
    async with db.unit_of_work() as uow:
        user = await uow.users.get(1)
        default = await hifz.revise(uow, user, [562], day2)  # no button yet: the default, Good
        assert default.rating == 3
        await hifz.revise(uow, user, [563], day2, rating=2)  # answered Hard at once
    async with db.unit_of_work() as uow:
        user = await uow.users.get(1)
        assert await hifz.rate(uow, user, default.revision_id, 2) == [562]  # tapped Hard a day later
        a, b = await uow.hifz.cards(1)
        assert (a.due, a.stability, a.difficulty) == (b.due, b.stability, b.difficulty)
        assert a.reps == 2
        rev = await uow.hifz.revision(1, default.revision_id)
        assert (rev.rating, rev.rated) == (2, True)


async def test_revising_pages_not_memorised_revises_only_the_memorised_ones(db):
    async with db.unit_of_work() as uow:
        user = await _user(uow)
        await hifz.memorise(uow, user, [600, 601], T0)
        result = await hifz.revise(uow, user, list(range(598, 603)), T0 + timedelta(days=1))
        assert (result.pages, result.not_memorised) == ([600, 601], [598, 599, 602])
        nothing = await hifz.revise(uow, user, [1], T0 + timedelta(days=1))
        assert nothing.revision_id is None and nothing.not_memorised == [1]


async def test_the_same_update_memorises_and_revises_once(db):
    async with db.unit_of_work() as uow:
        user = await _user(uow)
        first = await hifz.memorise(uow, user, MULK, T0, update_id=5)
        again = await hifz.memorise(uow, user, MULK, T0, update_id=5)
        assert first.added == MULK and again.added == []
        r1 = await hifz.revise(uow, user, MULK, T0 + timedelta(days=2), update_id=6)
        r2 = await hifz.revise(uow, user, MULK, T0 + timedelta(days=2), update_id=6)
        assert r2.duplicate and r2.revision_id == r1.revision_id
        assert {c.reps for c in await uow.hifz.cards(1)} == {2}


async def test_today_is_the_users_local_day(db):
    # 23:30 in Makkah is 20:30 UTC; a page due at 22:00 UTC is due "tomorrow" there.
    async with db.unit_of_work() as uow:
        user = await _user(uow, timezone="Asia/Riyadh")
        await hifz.memorise(uow, user, [1], datetime(2026, 3, 1, 22, 0, tzinfo=UTC))
        assert (await hifz.today_list(uow, user, datetime(2026, 3, 3, 20, 30, tzinfo=UTC))).due == []
        assert (await hifz.today_list(uow, user, datetime(2026, 3, 3, 21, 30, tzinfo=UTC))).due == [1]


async def test_a_month_of_revision_with_misses_keeps_the_list_within_the_budget(db):
    """Three juz memorised on day one, a budget of 12 pages, a memoriser who skips a day in four and
    forgets now and then: the list never exceeds the budget, the most overdue come first, and nothing
    is left behind for ever."""
    rng = random.Random(20)
    pages = hifz.pages_of([juz_span(28), juz_span(29), juz_span(30)])
    async with db.unit_of_work() as uow:
        user = await _user(uow)
        await hifz.memorise(uow, user, pages, T0)
        await hifz.set_budget(uow, user, 12)
    last_revised = {p: T0 for p in pages}
    for day in range(30):
        with time_machine.travel(T0 + timedelta(days=day, hours=1), tick=False):
            now = system_clock()
            async with db.unit_of_work() as uow:
                user = await uow.users.get(1)
                today = await hifz.today_list(uow, user, now)
                assert len(today.due) <= 12
                cards = {c.page: c for c in await uow.hifz.cards(1)}
                dues = [cards[p].due for p in today.due]
                assert dues == sorted(dues)  # most overdue first
                if today.more:  # what is left over today is never more overdue than what is listed
                    left = [c.due for p, c in cards.items() if p not in today.due and c.due <= now]
                    assert min(left, default=max(dues)) >= max(dues)
                if rng.random() < 0.25:
                    continue  # a missed day
                for page in today.due:
                    await hifz.revise(uow, user, [page], now, rating=1 if rng.random() < 0.1 else 3)
                    last_revised[page] = now
    # Over the month every page came round again at least once.
    assert all(at > T0 for at in last_revised.values())


async def test_the_three_part_routine(db):
    async with db.unit_of_work() as uow:
        user = await _user(uow)
        await hifz.memorise(uow, user, hifz.pages_of([juz_span(30)]), T0)
        await hifz.memorise(uow, user, [580, 581], T0 + timedelta(days=1))  # the newest lesson
        await hifz.set_sabqi(uow, user, 3)
        await hifz.set_sabaq(uow, user, 7)
        await hifz.set_budget(uow, user, 5)
        today = await hifz.today_list(uow, user, T0 + timedelta(days=2))
        assert today.routine == "three_part" and today.sabaq_lines == 7
        assert today.sabqi == [580, 581, 604]  # the last three pages memorised, whatever FSRS says
        assert len(today.due) == 5 and not set(today.due) & set(today.sabqi)  # manzil: FSRS, budgeted
        assert today.more == 23 - 1 - 5  # juz 30's 23 pages are due; page 604 is sabqi


async def test_overview_counts_pages_juz_and_strength(db):
    async with db.unit_of_work() as uow:
        user = await _user(uow)
        assert (await hifz.overview(uow, user, T0)).pages == 0
        await hifz.memorise(uow, user, hifz.pages_of([juz_span(30), page_span(1)]), T0)
        o = await hifz.overview(uow, user, T0)
        assert (o.pages, o.juz, o.firm) == (24, 1, 0)
        assert round(o.percent, 1) == 4.0 and set(o.strengths.values()) == {"fragile"}
        cards = await uow.hifz.cards(1)
        cards[0].stability = 30.0
        assert (await hifz.overview(uow, user, T0)).strengths[1] == "firm"


async def test_settings_are_bounded(db):
    async with db.unit_of_work() as uow:
        user = await _user(uow)
        for call, value in ((hifz.set_budget, 0), (hifz.set_sabqi, 101), (hifz.set_sabaq, 0)):
            with pytest.raises(ValueError):
                await call(uow, user, value)
        with pytest.raises(ValueError):
            await hifz.set_routine(uow, user, "random")


async def test_the_daily_revision_reminder_is_claimed_once_a_day_and_only_when_pages_are_due(db):
    async with db.unit_of_work() as uow:
        user = await _user(uow, timezone="Asia/Riyadh")
        await hifz.memorise(uow, user, MULK, T0)
        settings = await hifz.set_reminder(uow, user, datetime(2026, 1, 1, 5, 30).time(), T0)
        assert settings.remind_next_at == datetime(2026, 3, 2, 2, 30, tzinfo=UTC)  # 05:30 in Riyadh
    async with db.unit_of_work() as uow:  # Monday 05:30: nothing due yet, nothing sent
        assert await hifz.reminders_due(uow, datetime(2026, 3, 2, 2, 30, tzinfo=UTC)) == []
    tuesday = datetime(2026, 3, 3, 2, 30, tzinfo=UTC)
    async with db.unit_of_work() as uow:
        nudges = await hifz.reminders_due(uow, tuesday)
        assert [(n.user_id, n.today.due) for n in nudges] == [(1, MULK)]
    async with db.unit_of_work() as uow:  # a second scheduler at the same minute: nothing left
        assert await hifz.reminders_due(uow, tuesday) == []
        settings = await uow.hifz.settings(1)
        assert settings.remind_next_at == datetime(2026, 3, 4, 2, 30, tzinfo=UTC)


async def test_a_day_of_revision_counts_for_the_streak_and_everything_is_exported(db):
    from tracker import privacy, streaks

    async with db.unit_of_work() as uow:
        user = await _user(uow)
        await hifz.memorise(uow, user, MULK, T0)  # day 0: memorised
        for day in (1, 2):
            await hifz.revise(uow, user, MULK, T0 + timedelta(days=day))  # days 1, 2: revised
        await hifz.set_reminder(uow, user, datetime(2026, 1, 1, 5, 30).time(), T0)
        s = await streaks.streak_for(uow, user, T0 + timedelta(days=2))
        assert (s.current, s.read_today) == (3, True)
        data = await privacy.export_data(uow, user)
        assert len(data["hifz_cards"]) == 3 and len(data["hifz_revisions"]) == 3
        assert len(data["hifz_reviews"]) == 9
        assert data["hifz_settings"][0]["remind_at"] == "05:30:00"
        privacy.export_json(data)  # JSON-ready, times included


async def test_a_new_timezone_moves_the_revision_reminder(db):
    from tracker import users

    async with db.unit_of_work() as uow:
        user = await _user(uow)
        await hifz.set_reminder(uow, user, datetime(2026, 1, 1, 5, 30).time(), T0)
        await users.set_timezone(uow, user, "Asia/Riyadh", T0)
        assert (await uow.hifz.settings(1)).remind_next_at == datetime(2026, 3, 2, 2, 30, tzinfo=UTC)


async def test_reminders_for_many_memorisers_in_one_batch_match_their_own_lists(db):
    """The batched due lists of the tick (one statement on Postgres) are each user's own today_list."""
    at = datetime(2026, 1, 1, 5, 0).time()
    async with db.unit_of_work() as uow:
        for uid, budget in ((1, 2), (2, 30), (3, 5)):
            user = await _user(uow, uid)
            await hifz.memorise(uow, user, list(range(560 + uid, 590 + uid)), T0)
            await hifz.set_budget(uow, user, budget)
            await hifz.set_reminder(uow, user, at, datetime(2026, 3, 3, 4, 0, tzinfo=UTC))
        await hifz.set_routine(uow, await uow.users.get(3), "three_part")
    day2 = datetime(2026, 3, 3, 5, 0, tzinfo=UTC)
    async with db.unit_of_work() as uow:
        expected = {u: await hifz.today_list(uow, await uow.users.get(u), day2) for u in (1, 2, 3)}
    async with db.unit_of_work() as uow:
        nudges = {n.user_id: n.today for n in await hifz.reminders_due(uow, day2)}
    assert nudges == expected
    assert (len(nudges[1].due), nudges[1].more) == (2, 28)


async def test_two_schedulers_racing_send_each_revision_reminder_once(pg_db, pg_url):
    """Two instances, two engines, one Postgres: the same due reminders are sent once between them."""
    import asyncio

    from storage import Database

    at = datetime(2026, 1, 1, 5, 0).time()
    async with pg_db.unit_of_work() as uow:
        for uid in range(1, 41):
            user = await _user(uow, uid)
            await hifz.memorise(uow, user, [600, 601], T0)
            await hifz.set_reminder(uow, user, at, datetime(2026, 3, 3, 4, 0, tzinfo=UTC))
    other = Database(pg_url)
    day2 = datetime(2026, 3, 3, 5, 0, tzinfo=UTC)

    async def run(db):
        async with db.unit_of_work() as uow:
            return [n.user_id for n in await hifz.reminders_due(uow, day2, limit=25)]

    try:
        first, second = await asyncio.gather(run(pg_db), run(other))
        third = await run(other)  # whatever the first two skipped as locked
    finally:
        await other.dispose()
    sent = first + second + third
    assert sorted(sent) == list(range(1, 41))  # each once, none lost

"""Two instances on one database — what `fly deploy` runs by default, and every rolling deploy overlaps:
two Applications with two engines (two pools) on one Postgres database, racing.

`Conversation.process` calls `process_update` directly, past the in-process ordering, so within one
instance the updates race as well: what orders them is only the database (storage/updates.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.handlers.circles import GROUP_CONFIRMATIONS_PER_MINUTE
from fake_telegram import FakeBotAPI
from storage import Database
from storage.models import Goal, HandledUpdate, Khatm, User
from tests.harness import Conversation, running_bot

APOLOGY = "nothing was saved"
NAME = "Aisha"  # what Conversation.onboard/send store as the first name


def msg(pair: Pair, user_id: int, text: str) -> dict:
    """An update with the stored first name: a changed name would UPDATE the users row, and that row
    lock would serialise the race by accident, hiding what these tests are about."""
    return pair.a.updates.message(user_id, text, first_name=NAME)


@dataclass
class Pair:
    a: Conversation
    b: Conversation
    db: Database

    def all_texts(self) -> list[str]:
        return self.a.texts_since(0) + self.b.texts_since(0)

    def check_no_errors(self) -> None:
        assert self.a.errors == [] and self.b.errors == [], (self.a.errors, self.b.errors)
        assert not [t for t in self.all_texts() if APOLOGY in t.lower()]


@pytest.fixture
async def pair(fresh_pg_url, clock) -> AsyncIterator[Pair]:
    db_a, db_b = Database(fresh_pg_url), Database(fresh_pg_url)
    fake = FakeBotAPI(clock=clock)  # one Telegram, two instances behind it
    try:
        async with running_bot(db_a, clock, fake) as a, running_bot(db_b, clock, fake) as b:
            b.updates = a.updates  # one sequence of update ids, as Telegram's
            yield Pair(a, b, db_a)
    finally:
        await db_a.dispose()
        await db_b.dispose()


async def _count(db: Database, model, *where) -> int:
    async with db.unit_of_work() as uow:
        stmt = select(func.count()).select_from(model)
        for clause in where:
            stmt = stmt.where(clause)
        return (await uow.session.execute(stmt)).scalar_one()


async def test_one_persons_updates_at_both_instances_are_each_stored_once(pair):
    await pair.a.onboard(41)
    surahs = ["Al-Mulk", "Yasin", "Al-Kahf", "Ar-Rahman", "Al-Waqiah", "Al-Insan", "An-Naba", "Al-Fajr"]
    updates = [msg(pair, 41, f"read {s}") for s in surahs]
    await asyncio.gather(*((pair.a if i % 2 else pair.b).process(u) for i, u in enumerate(updates)))
    rows = await pair.a.readings(41)
    assert len(rows) == len(surahs)
    assert len({r.update_id for r in rows}) == len(surahs)
    pair.check_no_errors()


async def test_the_same_update_at_both_instances_is_handled_once_and_answered_alike(pair):
    await pair.a.onboard(42)
    for _ in range(5):
        update = msg(pair, 42, "read Al-Kahf 1-20")
        before = len(pair.a.fake.calls)
        await asyncio.gather(pair.a.process(update), pair.b.process(update))
        replies = pair.a.texts_since(before)
        assert len(replies) == 2 and replies[0] == replies[1] and replies[0].startswith("✅"), replies
    assert len(await pair.a.readings(42)) == 5
    pair.check_no_errors()


async def test_a_newcomers_first_two_logs_at_once_are_both_stored(pair):
    for uid in range(60, 66):  # never seen before: the users row is created by whichever comes first
        first = msg(pair, uid, "read Al-Mulk")
        second = msg(pair, uid, "read Yasin")
        await asyncio.gather(pair.a.process(first), pair.b.process(second))
        assert len(await pair.a.readings(uid)) == 2, uid
    assert await _count(pair.db, User) == 6
    assert await _count(pair.db, Khatm) == 6  # one open khatm each, not two
    pair.check_no_errors()


async def test_a_double_tapped_undo_at_both_instances_undoes_one_log(pair):
    await pair.a.onboard(43)
    await pair.a.send(43, "read Al-Mulk")
    await pair.a.send(43, "read Yasin")
    message, data = pair.a.find_button(43, "Undo")
    taps = [
        pair.a.updates.callback(43, data, message, first_name=NAME) for _ in range(2)
    ]  # two presses, two update ids
    await asyncio.gather(pair.a.process(taps[0]), pair.b.process(taps[1]))
    [left] = await pair.a.readings(43)
    assert left.end_index - left.start_index + 1 == 30  # Al-Mulk stays; only Yasin was undone
    pair.check_no_errors()


async def test_two_goals_set_at_once_leave_one_goal(pair):
    await pair.a.onboard(44)
    for _ in range(3):
        one = msg(pair, 44, "/goal 1 juz")
        two = msg(pair, 44, "/goal 5 pages")
        await asyncio.gather(pair.a.process(one), pair.b.process(two))
        assert await _count(pair.db, Goal, Goal.user_id == 44, Goal.kind != "surah") == 1
    pair.check_no_errors()


async def test_the_last_two_surahs_at_once_close_the_khatm_exactly_once(pair):
    for uid in (45, 46, 47):
        await pair.a.onboard(uid)
        await pair.a.send(uid, "read 1:1-112:4")  # everything but Al-Falaq and An-Nas
        falaq = msg(pair, uid, "read Al-Falaq")
        nas = msg(pair, uid, "read An-Nas")
        await asyncio.gather(pair.a.process(falaq), pair.b.process(nas))
        async with pair.db.unit_of_work() as uow:
            khatms = list(
                (await uow.session.execute(select(Khatm).where(Khatm.user_id == uid).order_by(Khatm.number)))
                .scalars()
                .all()
            )
        assert [(k.number, k.completed_at is not None) for k in khatms] == [(1, True), (2, False)], uid
        done = [
            t for t in pair.a.fake.sent_messages(uid) if t.plain_text and "Khatm #1 complete" in t.plain_text
        ]
        assert len(done) == 1, uid
    pair.check_no_errors()


async def test_every_update_is_claimed_with_its_answer(pair):
    await pair.a.onboard(48)
    update = msg(pair, 48, "read Al-Mulk")
    await pair.b.process(update)
    async with pair.db.unit_of_work() as uow:
        row = await uow.session.get(HandledUpdate, update["update_id"])
    assert row is not None and row.user_id == 48 and "Al-Mulk" in (row.outcome or "")


async def test_onboarding_started_at_one_instance_continues_at_the_other(pair):
    await pair.a.send(49, "/start")
    await pair.a.press(49, "English")  # instance A now waits for a timezone
    replies = await pair.b.send(49, "Europe/London")  # typed, and delivered to instance B
    assert (await pair.b.user(49)).timezone == "Europe/London", replies
    pair.check_no_errors()


async def test_a_question_left_unanswered_expires(pair):
    await pair.a.send(50, "/start")
    await pair.a.press(50, "English")
    pair.a.clock.advance(hours=25)  # the question from yesterday is forgotten
    await pair.b.send(50, "Europe/London")
    assert (await pair.b.user(50)).timezone != "Europe/London"


async def test_logs_on_the_optimistic_path_racing_undos_under_the_lock_keep_the_coverage_true(pair):
    """A private log runs without the lock (storage/optimistic.py) and writes only if the person's row is
    unchanged; /undo runs under the lock and rewrites the khatm's coverage. Raced at both instances, the
    coverage on the khatm row must still be exactly the union of the readings left, and every update must
    be claimed once with its answer."""
    from tracker import coverage

    await pair.a.onboard(48)
    surahs = ["Al-Mulk", "Yasin", "Al-Kahf", "Ar-Rahman", "Al-Waqiah", "Al-Insan", "An-Naba", "Al-Fajr"]
    for round_ in range(3):
        updates = []
        for i, s in enumerate(surahs):
            updates.append(msg(pair, 48, f"read {s}"))
            if i % 3 == 2:
                updates.append(msg(pair, 48, "/undo"))
        await asyncio.gather(*((pair.a if i % 2 else pair.b).process(u) for i, u in enumerate(updates)))
        rows = await pair.a.readings(48)
        async with pair.db.unit_of_work() as uow:
            khatm = await uow.khatms.open_for(48)
            claims = (
                (
                    await uow.session.execute(
                        select(HandledUpdate.outcome).where(
                            HandledUpdate.update_id.in_([u["update_id"] for u in updates])
                        )
                    )
                )
                .scalars()
                .all()
            )
        union = coverage.mask_of((r.start_index, r.end_index) for r in rows)
        assert coverage.from_bytes(khatm.coverage) == union, round_
        assert len(claims) == len(updates) and all(o is not None for o in claims), round_
        # One Telegram behind both instances: its log of sent messages is the one record. An /undo may come
        # before any log of its round and find nothing to undo.
        undone = sum(1 for t in pair.a.texts_since(0) if t.startswith("↩️"))
        assert len(rows) == (round_ + 1) * len(surahs) - undone, round_
    pair.check_no_errors()


GROUP = -1001234567890
MEMBERS = {1000 + n: f"Member {n:02d}" for n in range(20)}


def group_msg(pair: Pair, user_id: int, text: str) -> dict:
    return pair.a.updates.message(
        user_id, text, chat_id=GROUP, chat_title="Halaqa", first_name=MEMBERS.get(user_id, NAME)
    )


async def _busy_circle(pair: Pair) -> None:
    """A circle in GROUP whose 20 members joined over the past hours (their replies long out of the
    minute the tests count)."""
    pair.a.fake.set_admins(GROUP, [1])
    await pair.a.process(group_msg(pair, 1, "/circle"))
    for user_id in MEMBERS:
        await pair.a.process(group_msg(pair, user_id, "/join"))
        pair.a.clock.advance(minutes=5)


def _acknowledgements(pair: Pair, since: int) -> tuple[list, list]:
    """(text confirmations in the group, reactions on members' messages) since call `since`."""
    calls = pair.a.fake.calls[since:]
    assert all(call.ok for call in calls), [call.error for call in calls if not call.ok]
    texts = [
        c
        for c in calls
        if c.method == "sendMessage" and c.params["chat_id"] == GROUP and c.params["text"].startswith("✅")
    ]
    reactions = [c for c in calls if c.method == "setMessageReaction"]
    return texts, reactions


async def test_a_busy_group_logging_at_both_instances_at_once_gets_one_budget_of_texts(pair):
    """The 20 members log in the same instant, half of the updates at each instance: 8 texts in all (not 8
    at each), and every other log its reaction — nobody is left without an acknowledgement."""
    await race_in_a_busy_group(pair)


async def race_in_a_busy_group(pair: Pair) -> None:
    await _busy_circle(pair)
    start = len(pair.a.fake.calls)
    logs = [group_msg(pair, user_id, f"/log surah {n + 1}") for n, user_id in enumerate(MEMBERS)]
    await asyncio.gather(*((pair.a if n % 2 else pair.b).process(u) for n, u in enumerate(logs)))
    texts, reactions = _acknowledgements(pair, start)
    assert len(texts) == GROUP_CONFIRMATIONS_PER_MINUTE, [t.params["text"] for t in texts]
    assert len(reactions) == len(MEMBERS) - GROUP_CONFIRMATIONS_PER_MINUTE
    reacted = {r.params["message_id"] for r in reactions}  # each on a log of its own, none twice
    assert len(reacted) == len(reactions) and reacted <= {u["message"]["message_id"] for u in logs}
    for user_id in MEMBERS:
        assert len(await pair.a.readings(user_id)) == 1, user_id
    pair.check_no_errors()


async def test_a_texts_place_in_the_window_frees_a_minute_later_at_either_instance(pair):
    """One log a second at instance A fills the group's minute; the other instance (a second machine, or
    A's successor after a deploy) counts those texts: it reacts until the oldest is a minute old, then
    gets that one place — and only that one."""
    await _busy_circle(pair)
    start_at, members = pair.a.clock.now, iter(MEMBERS)

    async def log(conv, seconds: float) -> str:
        """-> "text" or "reaction": how the log written `seconds` after the first was acknowledged."""
        pair.a.clock.set(start_at + timedelta(seconds=seconds))
        before = len(pair.a.fake.calls)
        await conv.process(group_msg(pair, next(members), "/log surah 36"))
        texts, reactions = _acknowledgements(pair, before)
        assert len(texts) + len(reactions) == 1, (texts, reactions)
        return "text" if texts else "reaction"

    for n in range(GROUP_CONFIRMATIONS_PER_MINUTE):
        assert await log(pair.a, n) == "text", n
    assert await log(pair.b, 30) == "reaction"
    assert await log(pair.b, 59.9) == "reaction"
    assert await log(pair.b, 60) == "text"  # the first text is a minute old
    assert await log(pair.a, 60.5) == "reaction"  # ... and B took its place
    assert await log(pair.a, 61) == "text"  # the second's is free now
    pair.check_no_errors()


async def test_a_redelivered_log_past_the_budget_is_acknowledged_with_its_reaction_again(pair):
    """The same update at both instances (a lost 200, a webhook retry): the second repeats the first
    answer, and when that was a reaction, it reacts again — it does not post the text the budget refused."""
    await _busy_circle(pair)
    members = list(MEMBERS)
    for user_id in members[:GROUP_CONFIRMATIONS_PER_MINUTE]:  # the minute's texts are used up
        await pair.a.process(group_msg(pair, user_id, "/log surah 36"))
    update = group_msg(pair, members[-1], "/log surah 67")
    start = len(pair.a.fake.calls)
    await pair.a.process(update)
    await pair.b.process(update)  # redelivered to the other instance
    texts, reactions = _acknowledgements(pair, start)
    assert texts == [] and len(reactions) == 2, [t.params["text"] for t in texts]
    assert {r.params["message_id"] for r in reactions} == {update["message"]["message_id"]}
    assert len(await pair.a.readings(members[-1])) == 1
    pair.check_no_errors()

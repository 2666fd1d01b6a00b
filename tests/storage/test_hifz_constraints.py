"""The hifz tables refuse bad data themselves, on Postgres and on SQLite alike."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from storage.models import (
    Circle,
    CircleMember,
    Halaqa,
    HifzCard,
    HifzReview,
    HifzRevision,
    HifzSettings,
    HifzShare,
    User,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 1)


def _card(page: int = 562, user_id: int = 1, **kw) -> HifzCard:
    values = dict(
        user_id=user_id,
        page=page,
        memorised_on=TODAY,
        state=2,
        stability=2.3,
        difficulty=5.0,
        due=NOW + timedelta(days=2),
        last_review=NOW,
        reps=1,
        lapses=0,
    )
    values.update(kw)
    return HifzCard(**values)


def _revision(user_id: int = 1, **kw) -> HifzRevision:
    values = dict(user_id=user_id, recorded_at=NOW, local_date=TODAY, source="message", rating=3)
    values.update(kw)
    return HifzRevision(**values)


async def _user(uow, user_id: int = 1) -> None:
    await uow.users.add(User(id=user_id, created_at=NOW))


async def _refused(db, build) -> None:
    with pytest.raises(IntegrityError):
        async with db.unit_of_work() as uow:
            await _user(uow)
            await build(uow)
            await uow.flush()


@pytest.mark.parametrize(
    "bad",
    [
        {"page": 0},
        {"page": 605},
        {"state": 0},
        {"stability": 0.0},
        {"difficulty": 11.0},
        {"due": NOW},  # a card is never due at the instant it was reviewed
        {"reps": 0},
        {"lapses": 1, "reps": 1},
    ],
)
async def test_a_card_out_of_its_ranges_is_refused(db, bad):
    async def build(uow):
        await uow.hifz.add_cards([_card(**bad)])

    await _refused(db, build)


async def test_a_page_is_one_card_per_user(db):
    async def build(uow):
        await uow.hifz.add_cards([_card(562)])
        uow.session.add(_card(562))

    await _refused(db, build)


@pytest.mark.parametrize(
    "bad",
    [{"rating": 0}, {"rating": 5}, {"source": "guess"}, {"mistakes": -1}, {"teacher_id": 1}],
)
async def test_a_revision_out_of_its_ranges_is_refused(db, bad):
    async def build(uow):
        await uow.hifz.add_cards([_card()])
        await uow.hifz.add_revision(_revision(**bad), [562])

    await _refused(db, build)


async def test_a_page_not_memorised_cannot_be_revised(db):
    async def build(uow):
        await uow.hifz.add_cards([_card(562)])
        await uow.hifz.add_revision(_revision(), [563])

    await _refused(db, build)


async def test_the_same_update_is_one_revision(db):
    async def build(uow):
        await uow.hifz.add_cards([_card()])
        await uow.hifz.add_revision(_revision(update_id=7), [562])
        await uow.hifz.add_revision(_revision(update_id=7), [562])

    await _refused(db, build)


@pytest.mark.parametrize(
    "bad",
    [
        {"daily_budget": 0},
        {"daily_budget": 605},
        {"routine": "random"},
        {"sabqi_pages": 0},
        {"default_rating": 5},
        {"sabaq_lines": 0},
        {"remind_next_at": NOW},  # a next instant without a time to repeat it from
    ],
)
async def test_settings_out_of_range_are_refused(db, bad):
    async def build(uow):
        await uow.hifz.add_settings(HifzSettings(user_id=1, **bad))

    await _refused(db, build)


async def test_only_a_member_can_share_with_a_halaqa(db):
    async def build(uow):
        circle = await uow.circles.add(Circle(chat_id=-100, created_at=NOW))
        await uow.hifz.add_halaqa(Halaqa(circle_id=circle.id, teacher_id=1, created_at=NOW))
        uow.session.add(HifzShare(circle_id=circle.id, user_id=1, shared_at=NOW))  # never joined

    await _refused(db, build)


async def test_deleting_a_user_deletes_their_hifz_and_keeps_their_students_history(db):
    async with db.unit_of_work() as uow:
        await _user(uow, 1)
        await _user(uow, 2)  # the teacher
        circle = await uow.circles.add(Circle(chat_id=-100, created_at=NOW))
        uow.session.add(CircleMember(circle_id=circle.id, user_id=1, joined_at=NOW))
        await uow.hifz.add_halaqa(Halaqa(circle_id=circle.id, teacher_id=2, created_at=NOW))
        await uow.flush()
        assert await uow.hifz.share(circle.id, 1, NOW)
        await uow.hifz.add_settings(HifzSettings(user_id=1))
        await uow.hifz.add_cards([_card(562), _card(563)])
        await uow.hifz.add_revision(_revision(source="teacher", teacher_id=2, mistakes=2), [562, 563])
    async with db.unit_of_work() as uow:
        assert await uow.users.delete(2)  # the teacher leaves: the heard recitation stays the student's
        rev = (await uow.session.execute(select(HifzRevision))).scalar_one()
        assert rev.teacher_id is None and rev.source == "teacher"
        assert await uow.users.delete(1)
    async with db.unit_of_work() as uow:
        for model in (HifzCard, HifzRevision, HifzReview, HifzSettings, HifzShare, Halaqa):
            assert await uow.session.scalar(select(func.count()).select_from(model)) == 0, model


async def test_pages_revised_from_a_source_on_a_day(db):
    """What a review button's second tap is checked against (`tracker.hifz.revise(once_a_day=True)`)."""
    async with db.unit_of_work() as uow:
        await _user(uow)
        await uow.hifz.add_cards([_card(p) for p in (562, 563, 564)])
        await uow.hifz.add_revision(_revision(source="review"), [562, 563])
        await uow.hifz.add_revision(_revision(source="message"), [564])
        await uow.hifz.add_revision(_revision(source="review", local_date=TODAY - timedelta(days=1)), [564])
    async with db.unit_of_work() as uow:
        pages = [562, 563, 564]
        assert await uow.hifz.revised_on(1, pages, TODAY, "review") == {562, 563}
        assert await uow.hifz.revised_on(1, pages, TODAY, "message") == {564}
        assert await uow.hifz.revised_on(1, pages, TODAY - timedelta(days=1), "review") == {564}
        assert await uow.hifz.revised_on(2, pages, TODAY, "review") == set()

"""Queries for study circles: circles, members, khatm rounds and their juz, and members' readings.

Visibility is enforced here: every query that returns a member's readings joins `circle_members` and
keeps only readings recorded since the member joined, so a reading never reaches a circle its reader
is not in.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage import optimistic
from storage.models import Circle, CircleMember, JuzAssignment, KhatmRound, Reading, User


class CircleRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    # ------------------------------------------------------------------------------------------ circles
    async def by_chat(self, chat_id: int) -> Circle | None:
        return (await self.s.execute(select(Circle).where(Circle.chat_id == chat_id))).scalar_one_or_none()

    async def get(self, circle_id: int) -> Circle | None:
        return await self.s.get(Circle, circle_id)

    async def add(self, circle: Circle) -> Circle:
        self.s.add(circle)
        await self.s.flush()
        return circle

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> bool:
        """Group -> supergroup: the same row follows the new chat id (unless it already moved)."""
        if await self.by_chat(new_chat_id) is not None:
            return False
        result = await self.s.execute(
            update(Circle).where(Circle.chat_id == old_chat_id).values(chat_id=new_chat_id)
        )
        return result.rowcount > 0

    async def of_user(self, user_id: int) -> list[Circle]:
        stmt = (
            select(Circle)
            .join(CircleMember, CircleMember.circle_id == Circle.id)
            .where(CircleMember.user_id == user_id, Circle.active)
            .order_by(Circle.id)
        )
        return list((await self.s.execute(stmt)).scalars())

    async def max_reading_id(self) -> int:
        return int(await self.s.scalar(select(func.coalesce(func.max(Reading.id), 0))))

    # ------------------------------------------------------------------------------------------ members
    async def member(self, circle_id: int, user_id: int) -> CircleMember | None:
        return await self.s.get(CircleMember, (circle_id, user_id))

    async def join(self, circle_id: int, user_id: int, now: datetime) -> bool:
        if await self.member(circle_id, user_id) is not None:
            return False
        try:
            async with self.s.begin_nested():
                self.s.add(CircleMember(circle_id=circle_id, user_id=user_id, joined_at=now))
        except IntegrityError:  # a second tap of the same person raced this one
            return False
        return True

    async def leave(self, circle_id: int, user_id: int) -> bool:
        result = await self.s.execute(
            delete(CircleMember).where(CircleMember.circle_id == circle_id, CircleMember.user_id == user_id)
        )
        return result.rowcount > 0

    async def members(self, circle_id: int) -> list[tuple[CircleMember, User]]:
        """Members with their user rows, in the order they joined."""
        stmt = (
            select(CircleMember, User)
            .join(User, User.id == CircleMember.user_id)
            .where(CircleMember.circle_id == circle_id)
            .order_by(CircleMember.joined_at, CircleMember.user_id)
        )
        return [(m, u) for m, u in (await self.s.execute(stmt)).all()]

    async def member_readings(
        self, circle_id: int, *, since_day: date | None = None, after_id: int | None = None
    ) -> list[Reading]:
        """Readings of the circle's members recorded since they joined (the visibility rule)."""
        stmt = (
            select(Reading)
            .join(CircleMember, CircleMember.user_id == Reading.user_id)
            .where(CircleMember.circle_id == circle_id, Reading.recorded_at >= CircleMember.joined_at)
        )
        if since_day is not None:
            stmt = stmt.where(Reading.local_date >= since_day)
        if after_id is not None:
            stmt = stmt.where(Reading.id > after_id)
        return list((await self.s.execute(stmt.order_by(Reading.id))).scalars())

    # ------------------------------------------------------------------------------------------- rounds
    async def open_round(self, circle_id: int, *, for_update: bool = False) -> KhatmRound | None:
        stmt = select(KhatmRound).where(
            KhatmRound.circle_id == circle_id,
            KhatmRound.completed_at.is_(None),
            KhatmRound.cancelled_at.is_(None),
        )
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.s.execute(stmt)).scalar_one_or_none()

    async def round(self, round_id: int, *, for_update: bool = False) -> KhatmRound | None:
        stmt = select(KhatmRound).where(KhatmRound.id == round_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.s.execute(stmt)).scalar_one_or_none()

    async def last_finished_round(self, circle_id: int) -> KhatmRound | None:
        stmt = (
            select(KhatmRound)
            .where(KhatmRound.circle_id == circle_id, KhatmRound.completed_at.is_not(None))
            .order_by(KhatmRound.number.desc())
            .limit(1)
        )
        return (await self.s.execute(stmt)).scalar_one_or_none()

    async def next_round_number(self, circle_id: int) -> int:
        last = await self.s.scalar(
            select(func.max(KhatmRound.number)).where(KhatmRound.circle_id == circle_id)
        )
        return (last or 0) + 1

    async def add_round(self, rnd: KhatmRound) -> KhatmRound:
        self.s.add(rnd)
        await self.s.flush()
        return rnd

    async def rounds_to_close(self, circle_id: int) -> list[KhatmRound]:
        """Finished or cancelled rounds whose live status message has not been closed yet."""
        stmt = select(KhatmRound).where(
            KhatmRound.circle_id == circle_id,
            KhatmRound.status_message_id.is_not(None),
            (KhatmRound.completed_at.is_not(None)) | (KhatmRound.cancelled_at.is_not(None)),
        )
        return list((await self.s.execute(stmt.order_by(KhatmRound.number))).scalars())

    async def open_rounds_with_deadline(self) -> list[tuple[KhatmRound, Circle]]:
        stmt = (
            select(KhatmRound, Circle)
            .join(Circle, Circle.id == KhatmRound.circle_id)
            .where(
                KhatmRound.deadline.is_not(None),
                KhatmRound.completed_at.is_(None),
                KhatmRound.cancelled_at.is_(None),
                Circle.active,
            )
            .order_by(KhatmRound.id)
        )
        return [(r, c) for r, c in (await self.s.execute(stmt)).all()]

    # -------------------------------------------------------------------------------------- assignments
    async def assignments(self, round_id: int) -> list[JuzAssignment]:
        stmt = select(JuzAssignment).where(JuzAssignment.round_id == round_id).order_by(JuzAssignment.juz)
        return list((await self.s.execute(stmt)).scalars())

    async def assignment(self, round_id: int, juz: int) -> JuzAssignment | None:
        return await self.s.get(JuzAssignment, (round_id, juz), populate_existing=True)

    async def claim(self, round_id: int, juz: int, user_id: int, now: datetime) -> bool:
        """Take a juz. The primary key (round_id, juz) decides a race: exactly one claim wins."""
        try:
            async with self.s.begin_nested():
                self.s.add(JuzAssignment(round_id=round_id, juz=juz, user_id=user_id, claimed_at=now))
        except IntegrityError:
            return False
        return True

    async def release(self, round_id: int, juz: int) -> bool:
        result = await self.s.execute(
            delete(JuzAssignment).where(JuzAssignment.round_id == round_id, JuzAssignment.juz == juz)
        )
        return result.rowcount > 0

    async def release_open_of(self, round_id: int, user_id: int) -> int:
        result = await self.s.execute(
            delete(JuzAssignment).where(
                JuzAssignment.round_id == round_id,
                JuzAssignment.user_id == user_id,
                JuzAssignment.completed_at.is_(None),
            )
        )
        return result.rowcount

    async def open_assignments_of(self, user_id: int) -> list[tuple[JuzAssignment, KhatmRound]]:
        """The user's unfinished juz in open rounds of active circles they are still in."""
        stmt = (
            select(JuzAssignment, KhatmRound)
            .join(KhatmRound, KhatmRound.id == JuzAssignment.round_id)
            .join(Circle, Circle.id == KhatmRound.circle_id)
            .where(
                JuzAssignment.user_id == user_id,
                JuzAssignment.completed_at.is_(None),
                KhatmRound.completed_at.is_(None),
                KhatmRound.cancelled_at.is_(None),
                Circle.active,
            )
            .order_by(JuzAssignment.round_id, JuzAssignment.juz)
        )
        return [(a, r) for a, r in (await self.s.execute(stmt)).all()]

    async def ranges_since(
        self, user_id: int, since: datetime, first: int, last: int
    ) -> list[tuple[int, int]]:
        """The user's readings recorded since `since` that touch the ayah range first..last — with the
        optimistic path's own staged reading (storage/optimistic.py), so a member's log that does not yet
        finish their juz stays on that path."""
        stmt = select(Reading.start_index, Reading.end_index).where(
            Reading.user_id == user_id,
            Reading.recorded_at >= since,
            Reading.end_index >= first,
            Reading.start_index <= last,
        )
        staged, options = optimistic.staged_reading(self.s)
        ranges = [(a, b) for a, b in (await self.s.execute(stmt, execution_options=options)).all()]
        if (
            staged is not None
            and staged["user_id"] == user_id
            and staged["recorded_at"] >= since
            and staged["end_index"] >= first
            and staged["start_index"] <= last
        ):
            ranges.append((staged["start_index"], staged["end_index"]))
        return ranges

    async def claim_digests(self, today: date) -> list[Circle]:
        """Active circles whose weekly digest is not yet out today, marked as sent in the same statement:
        two scheduler instances can never both get a circle."""
        stmt = (
            update(Circle)
            .where(Circle.active, or_(Circle.digest_sent_on.is_(None), Circle.digest_sent_on < today))
            .values(digest_sent_on=today)
            .returning(Circle)
        )
        return list((await self.s.execute(stmt)).scalars())

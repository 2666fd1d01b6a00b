"""A circle run as a hifz halaqa: a teacher (the admin who asked), members who opt in to share their
hifz, recitations the teacher hears feeding the members' cards, and a kind weekly board.

Additive to tracker.circles: a halaqa is a row beside its circle, never a change to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fsrs import Rating

from storage import UnitOfWork
from storage.models import Circle, Halaqa, User
from tracker import circles, hifz
from tracker.clock import local_date


class NotAMember(Exception):
    """Only members of the circle can share their hifz with it."""


class NotSharing(Exception):
    """The student has not opted in: the teacher may not record their hifz."""


async def make_halaqa(uow: UnitOfWork, circle: Circle, teacher: User, now: datetime) -> tuple[Halaqa, bool]:
    """The circle becomes a halaqa with `teacher` (an admin: checked by the caller). True if new."""
    existing = await uow.hifz.halaqa(circle.id)
    if existing is not None:
        return existing, False
    return await uow.hifz.add_halaqa(Halaqa(circle_id=circle.id, teacher_id=teacher.id, created_at=now)), True


async def share(uow: UnitOfWork, halaqa: Halaqa, user: User, now: datetime) -> bool:
    if not await uow.circles.member(halaqa.circle_id, user.id):
        raise NotAMember
    return await uow.hifz.share(halaqa.circle_id, user.id, now)


async def unshare(uow: UnitOfWork, halaqa: Halaqa, user: User) -> bool:
    return await uow.hifz.unshare(halaqa.circle_id, user.id)


def grade_rating(grade: str, mistakes: int | None) -> int:
    """A teacher's grade as an FSRS rating: excellent Easy, good Good, weak Hard, repeat Again; more than
    MISTAKES_FOR_HARD mistakes is never better than Hard."""
    rating = hifz.GRADES[grade]
    if mistakes is not None and mistakes > hifz.MISTAKES_FOR_HARD:
        rating = min(rating, Rating.Hard)
    return int(rating)


async def record_heard(
    uow: UnitOfWork,
    halaqa: Halaqa,
    teacher: User,
    student: User,
    pages: list[int],
    grade: str,
    mistakes: int | None,
    now: datetime,
    *,
    update_id: int | None = None,
) -> hifz.Revised:
    """The teacher heard `student` recite `pages` from memory: a rated review of those cards. Pages not
    yet in the student's hifz are memorised first (they were just recited by heart)."""
    if teacher.id != halaqa.teacher_id:
        raise PermissionError("only the halaqa's teacher records recitations")
    if not await uow.hifz.shares(halaqa.circle_id, student.id):
        raise NotSharing
    await hifz.memorise(uow, student, pages, now)
    return await hifz.revise(
        uow,
        student,
        pages,
        now,
        source="teacher",
        rating=grade_rating(grade, mistakes),
        update_id=update_id,
        teacher_id=teacher.id,
        mistakes=mistakes,
    )


@dataclass(frozen=True)
class StudentWeek:
    user_id: int
    name: str
    days: int  # days with a revision in the last seven
    pages: int  # pages revised in the last seven days
    memorised: int


async def week_board(uow: UnitOfWork, halaqa: Halaqa, viewer: User, now: datetime) -> list[StudentWeek]:
    """The sharing students' last seven local days (the viewer's calendar): kept-up revision first,
    then by name — no ranks, no shame; the caller words it kindly."""
    students = await uow.hifz.sharing(halaqa.circle_id)
    first = local_date(now, viewer.timezone) - timedelta(days=6)
    week = await uow.hifz.pages_revised_since([s.id for s in students], first)
    rows = []
    for s in students:
        pages, days = week.get(s.id, (0, 0))
        rows.append(StudentWeek(s.id, s.first_name or "", days, pages, len(await uow.hifz.cards(s.id))))
    return sorted(rows, key=lambda r: (-r.days, r.name.casefold(), r.user_id))


async def halaqa_for_chat(uow: UnitOfWork, chat_id: int) -> tuple[Circle | None, Halaqa | None]:
    circle = await circles.circle_for_chat(uow, chat_id)
    if circle is None or not circle.active:
        return None, None
    return circle, await uow.hifz.halaqa(circle.id)

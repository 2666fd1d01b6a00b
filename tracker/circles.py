"""Study circles: a Telegram group that reads together (docs/circles.md).

Members are ordinary users (their own timezone, goal and streak). A circle can share out a khatm in
rounds of 30 juz, one reader per juz, or read a shared daily wird together. What a member reads is
visible only in circles they joined, and only from the moment they joined.

No Telegram types here: the bot and the scheduler call these rules inside one unit of work and send
what they return after it commits.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from quran import JUZ_COUNT, PAGE_COUNT, Span, juz_span, page_span
from quran.digits import to_ascii_digits
from storage import UnitOfWork
from storage.models import Circle, JuzAssignment, KhatmRound, Reading, User
from tracker import arguments, coverage
from tracker.clock import local_date
from tracker.goals import amount_in
from tracker.streaks import streak_for

NUDGE_DAYS_BEFORE = 2  # members with an open juz are nudged from this many days before a deadline
NUDGE_KIND = "juz:{round_id}"  # deliveries.kind of a round nudge: once per (member, round)
MAX_WIRD_PAGES = 20
MAX_DEADLINE_DAYS = 366
# Telegram lets a bot send 20 messages a minute to one group. A /log confirmation is a short text while
# the group is quiet; past this many in a minute it becomes a reaction on the member's message (no new
# message) — their reading is named in the next batched announcement anyway. The rest of the 20 is left
# for announcements, status messages and answers to other commands.
GROUP_CONFIRMATIONS_PER_MINUTE = 8
CONFIRMATION_WINDOW = timedelta(minutes=1)


# ------------------------------------------------------------------------------------------- circles
async def circle_for_chat(uow: UnitOfWork, chat_id: int) -> Circle | None:
    return await uow.circles.by_chat(chat_id)


async def confirm_in_text(uow: UnitOfWork, chat_id: int, now: datetime) -> bool:
    """May this group log be confirmed with a text (else a reaction)? One budget per group for every
    instance, taken in the update's unit of work (storage/confirmations.py): the group's window stays
    locked until the update commits, and the text goes out only after that."""
    return await uow.confirmations.take(
        chat_id, now, limit=GROUP_CONFIRMATIONS_PER_MINUTE, window=CONFIRMATION_WINDOW
    )


async def chat_language(uow: UnitOfWork, chat_id: int) -> str:
    """The language the bot speaks in a group to no one in particular: its circle's (the creator's, as the
    announcements speak), English when the group has no circle."""
    circle = await uow.circles.by_chat(chat_id)
    creator = await uow.users.get(circle.created_by) if circle is not None and circle.created_by else None
    return creator.language if creator is not None else "en"


async def create_circle(
    uow: UnitOfWork, chat_id: int, title: str | None, user: User, now: datetime
) -> tuple[Circle, bool]:
    """Make the group a circle (or wake up one that was switched off); its creator joins. -> (circle, new)"""
    circle = await uow.circles.by_chat(chat_id)
    created = circle is None
    if circle is None:
        circle = await uow.circles.add(
            Circle(
                chat_id=chat_id,
                title=(title or "")[:256] or None,
                created_by=user.id,
                created_at=now,
                active=True,
                announce=False,
                mode="khatm",
            )
        )
    elif not circle.active:
        circle.active = True
    await uow.circles.join(circle.id, user.id, now)
    return circle, created


def live_in_topic(circle: Circle, thread_id: int | None) -> None:
    """In a forum, the circle lives in the topic /circle was last sent from (None: General); its batched
    announcements go there."""
    circle.thread_id = thread_id


async def is_member(uow: UnitOfWork, circle: Circle, user_id: int) -> bool:
    return await uow.circles.member(circle.id, user_id) is not None


async def join(uow: UnitOfWork, circle: Circle, user: User, now: datetime) -> bool:
    return await uow.circles.join(circle.id, user.id, now)


async def leave(uow: UnitOfWork, circle: Circle, user: User) -> bool:
    """Leave; unfinished juz of the open round become free again (finished ones stay in its record)."""
    if not await uow.circles.leave(circle.id, user.id):
        return False
    rnd = await uow.circles.open_round(circle.id)
    if rnd is not None:
        await uow.circles.release_open_of(rnd.id, user.id)
    return True


async def deactivate(uow: UnitOfWork, chat_id: int) -> bool:
    """The bot was removed from the group: switch the circle off, delete nothing."""
    circle = await uow.circles.by_chat(chat_id)
    if circle is None or not circle.active:
        return False
    circle.active = False
    return True


async def migrate_chat(uow: UnitOfWork, old_chat_id: int, new_chat_id: int) -> bool:
    """The group became a supergroup: the circle follows its new chat id; nothing else changes."""
    return await uow.circles.move_chat(old_chat_id, new_chat_id)


async def set_announce(uow: UnitOfWork, circle: Circle, on: bool) -> None:
    """Announcements start from now: readings logged before they were switched on are not announced."""
    if on and not circle.announce:
        circle.announced_reading_id = await uow.circles.max_reading_id()
    circle.announce = on


@dataclass(frozen=True)
class Member:
    user_id: int
    name: str
    language: str
    timezone: str
    joined_at: datetime
    started_bot: bool  # finished or skipped onboarding in private and has not blocked the bot


async def members(uow: UnitOfWork, circle: Circle) -> list[Member]:
    return [
        Member(
            u.id,
            u.first_name or str(u.id),
            u.language,
            u.timezone,
            m.joined_at,
            u.onboarded_at is not None and u.blocked_at is None,
        )
        for m, u in await uow.circles.members(circle.id)
    ]


# -------------------------------------------------------------------------------------------- rounds
class RoundError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


_DAYS = re.compile(r"^(\d{1,3})\s*(?:d|day|days|يوم|أيام|ايام)?$", re.IGNORECASE)


def parse_deadline(text: str, today: date) -> date | None:
    """`2026-04-01` or `10 days` -> a date after today; '' -> None. RoundError("bad_deadline") otherwise."""
    text = " ".join(arguments.normalise(to_ascii_digits(text), arguments.DEADLINE_WORDS).split()).strip()
    if not text:
        return None
    match = _DAYS.match(text)
    if match:
        deadline = today + timedelta(days=int(match.group(1)))
    else:
        try:
            deadline = date.fromisoformat(text)
        except ValueError:
            raise RoundError("bad_deadline") from None
    if not today < deadline <= today + timedelta(days=MAX_DEADLINE_DAYS):
        raise RoundError("bad_deadline")
    return deadline


async def start_round(
    uow: UnitOfWork, circle: Circle, now: datetime, deadline: date | None = None
) -> KhatmRound:
    if await uow.circles.open_round(circle.id) is not None:
        raise RoundError("round_open")
    number = await uow.circles.next_round_number(circle.id)
    return await uow.circles.add_round(
        KhatmRound(circle_id=circle.id, number=number, started_at=now, deadline=deadline)
    )


async def cancel_round(uow: UnitOfWork, circle: Circle, now: datetime) -> KhatmRound | None:
    rnd = await uow.circles.open_round(circle.id, for_update=True)
    if rnd is not None:
        rnd.cancelled_at = now
    return rnd


@dataclass(frozen=True)
class Claim:
    won: bool
    holder_id: int | None = None
    holder_name: str | None = None
    refused: str | None = None  # not_member, round_closed, bad_juz


async def claim_juz(uow: UnitOfWork, round_id: int, juz: int, user: User, now: datetime) -> Claim:
    """Take juz `juz` of a round for `user`. The database decides a race: exactly one claim wins."""
    if not 1 <= juz <= JUZ_COUNT:
        return Claim(False, refused="bad_juz")
    rnd = await uow.circles.round(round_id)
    if rnd is None or rnd.completed_at is not None or rnd.cancelled_at is not None:
        return Claim(False, refused="round_closed")
    if await uow.circles.member(rnd.circle_id, user.id) is None:
        return Claim(False, refused="not_member")
    if await uow.circles.claim(round_id, juz, user.id, now):
        return Claim(True, user.id, user.first_name)
    holder = await uow.circles.assignment(round_id, juz)
    holder_user = await uow.users.get(holder.user_id) if holder else None
    return Claim(
        False,
        holder.user_id if holder else None,
        (holder_user.first_name or str(holder_user.id)) if holder_user else None,
    )


async def mark_juz_done(uow: UnitOfWork, round_id: int, juz: int, user: User, now: datetime) -> str:
    """A "Done" tap: 'done', or why not: 'not_yours', 'already', 'free', 'round_closed'."""
    rnd = await uow.circles.round(round_id, for_update=True)
    if rnd is None or rnd.completed_at is not None or rnd.cancelled_at is not None:
        return "round_closed"
    assignment = await uow.circles.assignment(round_id, juz)
    if assignment is None:
        return "free"
    if assignment.user_id != user.id:
        return "not_yours"
    if assignment.completed_at is not None:
        return "already"
    assignment.completed_at = now
    await uow.flush()
    await _complete_round_if_done(uow, rnd, now)
    return "done"


async def reassign(uow: UnitOfWork, round_id: int, juz: int, user_id: int | None, now: datetime) -> bool:
    """Admin: give juz `juz` to a member (`None` frees it). False when the target is not a member."""
    rnd = await uow.circles.round(round_id, for_update=True)
    if rnd is None or rnd.completed_at is not None or rnd.cancelled_at is not None:
        return False
    if user_id is not None and await uow.circles.member(rnd.circle_id, user_id) is None:
        return False
    await uow.circles.release(round_id, juz)
    await uow.flush()
    if user_id is not None:
        return await uow.circles.claim(round_id, juz, user_id, now)
    return True


def distribute(
    free: Sequence[int],
    member_ids: Sequence[int],
    counts: dict[int, int],
    previous: dict[int, int] | None = None,
) -> dict[int, int]:
    """Share out the free juz: -> {juz: member}.

    Rotation first: whoever read juz n in the previous round gets n+1 (30 wraps to 1), as long as that
    keeps them within an even (floor) share. Then round-robin, fewest first (ties: the order members joined).
    """
    if not member_ids:
        return {}
    counts = {m: counts.get(m, 0) for m in member_ids}
    share = max(1, (sum(counts.values()) + len(free)) // len(member_ids))  # rotation stays within it
    out: dict[int, int] = {}
    members = set(member_ids)
    for juz in free:
        before = JUZ_COUNT if juz == 1 else juz - 1
        reader = (previous or {}).get(before)
        if reader in members and counts[reader] < share:
            out[juz] = reader
            counts[reader] += 1
    order = {m: i for i, m in enumerate(member_ids)}
    for juz in free:
        if juz in out:
            continue
        reader = min(member_ids, key=lambda m: (counts[m], order[m]))
        out[juz] = reader
        counts[reader] += 1
    return out


async def auto_distribute(uow: UnitOfWork, round_id: int, now: datetime) -> dict[int, int]:
    """Admin: give every free juz a reader among the members. -> what was assigned."""
    rnd = await uow.circles.round(round_id, for_update=True)
    if rnd is None or rnd.completed_at is not None or rnd.cancelled_at is not None:
        return {}
    circle = await uow.circles.get(rnd.circle_id)
    member_ids = [m.user_id for m in await members(uow, circle)]
    taken = await uow.circles.assignments(round_id)
    counts: dict[int, int] = defaultdict(int)
    for a in taken:
        counts[a.user_id] += 1
    free = [j for j in range(1, JUZ_COUNT + 1) if j not in {a.juz for a in taken}]
    last = await uow.circles.last_finished_round(rnd.circle_id)
    previous = {a.juz: a.user_id for a in await uow.circles.assignments(last.id)} if last else None
    plan = distribute(free, member_ids, counts, previous)
    assigned = {}
    for juz, user_id in plan.items():
        if await uow.circles.claim(round_id, juz, user_id, now):  # a tap may have won meanwhile
            assigned[juz] = user_id
    return assigned


async def _covered(uow: UnitOfWork, a: JuzAssignment) -> bool:
    span = juz_span(a.juz)
    ranges = await uow.circles.ranges_since(a.user_id, a.claimed_at, span.first_index, span.last_index)
    clipped = [(max(x, span.first_index), min(y, span.last_index)) for x, y in ranges]
    return coverage.covered_count(coverage.merge(clipped)) == span.count


async def _complete_round_if_done(uow: UnitOfWork, rnd: KhatmRound, now: datetime) -> bool:
    done = [a for a in await uow.circles.assignments(rnd.id) if a.completed_at is not None]
    if len(done) == JUZ_COUNT and rnd.completed_at is None:
        rnd.completed_at = now
        await uow.flush()
        return True
    return False


async def complete_covered_juz(uow: UnitOfWork, user: User, now: datetime) -> list[tuple[int, int]]:
    """After a log: finish every open juz of the user's that their readings since the claim now cover.

    -> [(round_id, juz)] finished. Completing the 30th juz completes the round. Call it in the same unit
    of work as the log (private chat or group).
    """
    finished = []
    for a, rnd in await uow.circles.open_assignments_of(user.id):
        if await _covered(uow, a):
            a.completed_at = now
            finished.append((rnd.id, a.juz))
    if finished:
        await uow.flush()
        for round_id in {r for r, _ in finished}:
            rnd = await uow.circles.round(round_id, for_update=True)
            await _complete_round_if_done(uow, rnd, now)
    return finished


@dataclass(frozen=True)
class JuzState:
    juz: int
    user_id: int | None
    name: str | None
    done: bool


@dataclass(frozen=True)
class RoundStatus:
    round: KhatmRound
    juz: list[JuzState]

    @property
    def done_count(self) -> int:
        return sum(1 for j in self.juz if j.done)

    @property
    def taken_count(self) -> int:
        return sum(1 for j in self.juz if j.user_id is not None)

    @property
    def complete(self) -> bool:
        return self.round.completed_at is not None

    def readers(self) -> dict[int, list[int]]:
        """member -> the juz they read (or are reading), for the summary."""
        out: dict[int, list[int]] = defaultdict(list)
        for j in self.juz:
            if j.user_id is not None:
                out[j.user_id].append(j.juz)
        return dict(out)


async def round_status(uow: UnitOfWork, rnd: KhatmRound, now: datetime) -> RoundStatus:
    """The round as the live status message shows it. Checks the logs first (lazily): a member who logged
    their juz anywhere since claiming it has it finished here, even if no hook ran at log time."""
    if rnd.completed_at is None and rnd.cancelled_at is None:
        changed = False
        for a in await uow.circles.assignments(rnd.id):
            if a.completed_at is None and await _covered(uow, a):
                a.completed_at = now
                changed = True
        if changed:
            await uow.flush()
            await _complete_round_if_done(uow, rnd, now)
    names = {u.id: u.first_name or str(u.id) for _, u in await uow.circles.members(rnd.circle_id)}
    by_juz = {a.juz: a for a in await uow.circles.assignments(rnd.id)}
    states = []
    for juz in range(1, JUZ_COUNT + 1):
        a = by_juz.get(juz)
        if a is None:
            states.append(JuzState(juz, None, None, False))
            continue
        name = names.get(a.user_id)
        if name is None:  # a former member who finished their juz
            former = await uow.users.get(a.user_id)
            name = (former.first_name if former else None) or str(a.user_id)
        states.append(JuzState(juz, a.user_id, name, a.completed_at is not None))
    return RoundStatus(rnd, states)


@dataclass(frozen=True)
class RoundNudge:
    """One member to remind of their unfinished juz before a round's deadline."""

    user_id: int
    name: str
    language: str
    circle_id: int
    chat_id: int
    round_id: int
    round_number: int
    juz: list[int]
    deadline: date
    days_left: int
    in_group: bool  # True: they never started the bot (or blocked it): mention them in the group
    thread_id: int | None = None  # the forum topic the circle lives in (for a mention in the group)


async def round_nudges_due(
    uow: UnitOfWork, now: datetime, *, days_before: int = NUDGE_DAYS_BEFORE
) -> list[RoundNudge]:
    """Which members to nudge now, claimed so each is nudged once per round (even with two schedulers).

    A member with an unfinished juz in an open round of an active circle is due once their local today
    is within `days_before` days of the deadline (and not past it). The claim is a `deliveries` row
    (kind "juz:<round id>", local_date = the deadline) made in this unit of work: commit, then send.
    """
    due = []
    for rnd, circle in await uow.circles.open_rounds_with_deadline():
        open_juz: dict[int, list[int]] = defaultdict(list)
        for a in await uow.circles.assignments(rnd.id):
            if a.completed_at is None:
                open_juz[a.user_id].append(a.juz)
        if not open_juz:
            continue
        by_id = {m.user_id: m for m in await members(uow, circle)}
        for user_id, juz in sorted(open_juz.items()):
            member = by_id.get(user_id)
            if member is None:
                continue
            days_left = (rnd.deadline - local_date(now, member.timezone)).days
            if not 0 <= days_left <= days_before:
                continue
            kind = NUDGE_KIND.format(round_id=rnd.id)
            if not await uow.deliveries.claim(user_id, kind, 1, rnd.deadline, now):
                continue
            due.append(
                RoundNudge(
                    user_id,
                    member.name,
                    member.language,
                    circle.id,
                    circle.chat_id,
                    rnd.id,
                    rnd.number,
                    juz,
                    rnd.deadline,
                    days_left,
                    not member.started_bot,
                    circle.thread_id,
                )
            )
    return due


# --------------------------------------------------------------------------------------------- board
@dataclass(frozen=True)
class MemberPeriod:
    user_id: int
    name: str
    pages: float
    days: int
    streak: int


@dataclass(frozen=True)
class Board:
    week: list[MemberPeriod]  # only members active this week
    month: list[MemberPeriod]  # only members active this month
    member_count: int
    week_pages: float
    month_pages: float
    week_active: int
    month_active: int


async def board(uow: UnitOfWork, circle: Circle, now: datetime) -> Board:
    """This week's and this month's board, each member by their own calendar. Only who read is listed."""
    people = await members(uow, circle)
    earliest = min((local_date(now, m.timezone) for m in people), default=local_date(now, "UTC"))
    since = min(earliest - timedelta(days=earliest.weekday()), earliest.replace(day=1))
    by_user: dict[int, list[Reading]] = defaultdict(list)
    for r in await uow.circles.member_readings(circle.id, since_day=since):
        by_user[r.user_id].append(r)
    week, month = [], []
    for m in people:
        today = local_date(now, m.timezone)
        monday, first = today - timedelta(days=today.weekday()), today.replace(day=1)
        mine = [r for r in by_user.get(m.user_id, []) if r.local_date <= today]
        if not mine:
            continue
        user = await uow.users.get(m.user_id)
        streak = (await streak_for(uow, user, now)).current
        for start, out in ((monday, week), (first, month)):
            rows = [r for r in mine if r.local_date >= start]
            if rows:
                out.append(
                    MemberPeriod(
                        m.user_id,
                        m.name,
                        amount_in([(r.start_index, r.end_index) for r in rows], "pages"),
                        len({r.local_date for r in rows}),
                        streak,
                    )
                )
    week.sort(key=lambda p: (-p.pages, p.name))
    month.sort(key=lambda p: (-p.pages, p.name))
    return Board(
        week,
        month,
        len(people),
        sum(p.pages for p in week),
        sum(p.pages for p in month),
        len(week),
        len(month),
    )


# ------------------------------------------------------------------------------------- announcements
@dataclass(frozen=True)
class Announcement:
    circle_id: int
    chat_id: int
    language: str
    items: list[tuple[str, list[Span]]] = field(default_factory=list)  # (member name, what they read)
    after_id: int = 0  # the watermark before this announcement
    up_to_id: int = 0  # ... and after it
    thread_id: int | None = None  # the forum topic the circle lives in (None: General)


async def take_announcement(uow: UnitOfWork, circle_id: int) -> Announcement | None:
    """What members logged since the last announcement (in private or in the group), and move the
    watermark past it. None when there is nothing to say or announcements are off."""
    circle = await uow.circles.get(circle_id)
    if circle is None or not circle.active or not circle.announce:
        return None
    after_id = circle.announced_reading_id or 0
    readings = await uow.circles.member_readings(circle.id, after_id=after_id)
    if not readings:
        return None
    circle.announced_reading_id = max(r.id for r in readings)  # claimed: another flush skips these
    names = {m.user_id: m.name for m in await members(uow, circle)}
    spans: dict[int, list[Span]] = defaultdict(list)
    for r in readings:
        spans[r.user_id].append(Span.from_indices(r.start_index, r.end_index))
    creator = await uow.users.get(circle.created_by) if circle.created_by else None
    return Announcement(
        circle.id,
        circle.chat_id,
        creator.language if creator else "en",
        [(names[u], s) for u, s in spans.items() if u in names],
        after_id,
        circle.announced_reading_id,
        circle.thread_id,
    )


async def release_announcement(uow: UnitOfWork, news: Announcement) -> bool:
    """The announcement could not be sent: move the watermark back, so the next flush announces these
    readings again — unless another flush has moved it on meanwhile (then that one owns them)."""
    circle = await uow.circles.get(news.circle_id)
    if circle is None or circle.announced_reading_id != news.up_to_id:
        return False
    circle.announced_reading_id = news.after_id or None
    return True


async def forget_topic(uow: UnitOfWork, circle_id: int, thread_id: int) -> None:
    """The circle's forum topic is gone (Telegram: "message thread not found"): it lives in General now."""
    circle = await uow.circles.get(circle_id)
    if circle is not None and circle.thread_id == thread_id:
        circle.thread_id = None


async def announcing_circles(uow: UnitOfWork, user_id: int) -> list[int]:
    return [c.id for c in await uow.circles.of_user(user_id) if c.announce]


# ---------------------------------------------------------------------------------------------- wird
async def set_wird(
    uow: UnitOfWork, circle: Circle, pages: int | None, today: date, start_page: int | None = None
) -> None:
    """Wird mode with `pages` a day from `start_page` (default: where the circle is today); None: off."""
    if pages is None:
        circle.mode = "khatm"
        return
    if not 1 <= pages <= MAX_WIRD_PAGES:
        raise ValueError("wird pages must be 1..20")
    if start_page is None:
        current = wird_pages_for(circle, today)
        start_page = current[0] if current else 1
    if not 1 <= start_page <= PAGE_COUNT:
        raise ValueError("start page must be 1..604")
    circle.mode, circle.wird_pages = "wird", pages
    circle.wird_start_page, circle.wird_started_on = start_page, today


def wird_pages_for(circle: Circle, day: date) -> tuple[int, int] | None:
    """The wird's pages for a day: `wird_pages` a day from the start, wrapping after page 604."""
    if circle.mode != "wird" or not circle.wird_pages or not circle.wird_started_on:
        return None
    days = max(0, (day - circle.wird_started_on).days)
    first = (circle.wird_start_page - 1 + days * circle.wird_pages) % PAGE_COUNT + 1
    return first, min(first + circle.wird_pages - 1, PAGE_COUNT)


def wird_span(circle: Circle, day: date) -> Span | None:
    pages = wird_pages_for(circle, day)
    if pages is None:
        return None
    return Span.from_indices(page_span(pages[0]).first_index, page_span(pages[1]).last_index)


@dataclass(frozen=True)
class WirdToday:
    span: Span
    pages: tuple[int, int]
    done: int
    members: int
    you_done: bool


async def _did_wird(uow: UnitOfWork, circle: Circle, member: Member, now: datetime) -> bool:
    today = local_date(now, member.timezone)
    span = wird_span(circle, today)
    rows = await uow.readings.between(member.user_id, today, today)
    clipped = [
        (max(r.start_index, span.first_index), min(r.end_index, span.last_index))
        for r in rows
        if r.end_index >= span.first_index and r.start_index <= span.last_index
    ]
    return coverage.covered_count(coverage.merge(clipped)) == span.count


async def wird_today(uow: UnitOfWork, circle: Circle, user: User, now: datetime) -> WirdToday | None:
    """Today's portion (by the asking member's calendar) and how many members have read theirs."""
    today = local_date(now, user.timezone)
    span = wird_span(circle, today)
    if span is None:
        return None
    people = await members(uow, circle)
    done = you = 0
    for m in people:
        if await _did_wird(uow, circle, m, now):
            done += 1
            you = you or m.user_id == user.id
    return WirdToday(span, wird_pages_for(circle, today), done, len(people), bool(you))


async def wird_to_log(uow: UnitOfWork, circle: Circle, user: User, now: datetime) -> Span | None:
    """Today's wird portion for the member to log (tracker.logbook.record_wird logs it). None when there
    is no wird, they are not a member, or they had already read it today."""
    today = local_date(now, user.timezone)
    span = wird_span(circle, today)
    member = next((m for m in await members(uow, circle) if m.user_id == user.id), None)
    if span is None or member is None or await _did_wird(uow, circle, member, now):
        return None
    return span


# ------------------------------------------------------------------------------------------- digests
DIGEST_WEEKDAY = 0  # Monday
DIGEST_HOUR_UTC = 9  # circles span timezones; the digest goes out on Monday morning, UTC


@dataclass(frozen=True)
class Digest:
    circle: Circle
    language: str  # the circle creator's language
    board: Board
    status: RoundStatus | None


async def digests_due(uow: UnitOfWork, now: datetime) -> list[Digest]:
    """Each active circle's weekly digest, once a week (claimed in this unit of work: commit, then send)."""
    utc_now = now.astimezone(UTC)
    if utc_now.weekday() != DIGEST_WEEKDAY or utc_now.hour < DIGEST_HOUR_UTC:
        return []
    out = []
    for circle in await uow.circles.claim_digests(utc_now.date()):
        creator = await uow.users.get(circle.created_by) if circle.created_by else None
        rnd = await uow.circles.open_round(circle.id)
        last_week = await board(uow, circle, now - timedelta(days=1))  # Monday morning: the week just ended
        out.append(
            Digest(
                circle,
                creator.language if creator else "en",
                last_week,
                await round_status(uow, rnd, now) if rnd else None,
            )
        )
    return out

"""Hifz: memorised pages, their revision scheduled by FSRS, today's list and the three-part routine.

Rules only, written against the unit of work; `now` is always a parameter (docs/hifz.md). One FSRS card
per memorised page. Memorising a page is its first review (rated Good); every revision is a review with
one rating for all its pages. The review log is the truth: changing a rating replays the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from fsrs import Card, Rating, Scheduler, State

from quran import JUZ_COUNT, PAGE_COUNT, Span, juz_span, pages_in
from storage import UnitOfWork
from storage.models import HifzCard, HifzRevision, HifzSettings, User
from tracker.clock import local_date, zone
from tracker.reminders import next_due

# Pages are revised at most daily: no minute-long learning steps, and no random fuzz, so the intervals
# are the ones FSRS computes and a memoriser (or a test) can predict them.
SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
FIRM_STABILITY = 21.0  # days: Anki's "mature"; below it a page is fragile
RATINGS = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}
ROUTINES = ("fsrs", "three_part")
MAX_BUDGET = PAGE_COUNT
MAX_SABQI = 100
MAX_SABAQ_LINES = 150
# A teacher's grade -> rating; more mistakes than this is never better than Hard.
GRADES = {"excellent": Rating.Easy, "good": Rating.Good, "weak": Rating.Hard, "repeat": Rating.Again}
MISTAKES_FOR_HARD = 3


def pages_of(spans: Iterable[Span]) -> list[int]:
    """Every mushaf page the spans touch, in order, once."""
    return sorted({p for s in spans for p in pages_in(s)})


def ranges_of(pages: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive pages as inclusive ranges: [562, 563, 564, 582] -> [(562, 564), (582, 582)]."""
    out: list[tuple[int, int]] = []
    for p in sorted(set(pages)):
        if out and out[-1][1] == p - 1:
            out[-1] = (out[-1][0], p)
        else:
            out.append((p, p))
    return out


def end_of_day(now: datetime, timezone: str) -> datetime:
    """The UTC instant the user's local today ends: a page due before it is due today."""
    tomorrow = local_date(now, timezone) + timedelta(days=1)
    return datetime.combine(tomorrow, time(0, 0), tzinfo=zone(timezone)).astimezone(UTC)


# ---------------------------------------------------------------------------------------------- cards
def _fsrs(card: HifzCard) -> Card:
    state = State(card.state)
    return Card(
        card_id=card.page,
        state=state,
        step=None if state == State.Review else 0,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def _store(row: HifzCard, card: Card) -> None:
    row.state = int(card.state)
    row.stability = float(card.stability or 0)
    row.difficulty = float(card.difficulty or 0)
    row.due = card.due
    row.last_review = card.last_review or card.due


def replay(page: int, log: list[tuple[datetime, int]]) -> tuple[Card, int]:
    """The card that FSRS gives from a page's review log (oldest first), and its lapses."""
    card = Card(card_id=page, due=log[0][0])
    for at, rating in log:
        card, _ = SCHEDULER.review_card(card, Rating(rating), at)
    return card, sum(1 for _, r in log[1:] if r == Rating.Again)


def strength(card: HifzCard) -> str:
    """ "firm" or "fragile" (a page not memorised has no card)."""
    return "firm" if card.stability >= FIRM_STABILITY else "fragile"


def _utc(now: datetime) -> datetime:
    return now.astimezone(UTC)


# ------------------------------------------------------------------------------------------ settings
async def settings_for(uow: UnitOfWork, user: User) -> HifzSettings:
    settings = await uow.hifz.settings(user.id, for_update=True)
    if settings is None:
        settings = await uow.hifz.add_settings(HifzSettings(user_id=user.id))
    return settings


async def set_budget(uow: UnitOfWork, user: User, pages: int) -> HifzSettings:
    if not 1 <= pages <= MAX_BUDGET:
        raise ValueError(f"the daily budget is 1..{MAX_BUDGET} pages")
    settings = await settings_for(uow, user)
    settings.daily_budget = pages
    return settings


async def set_routine(uow: UnitOfWork, user: User, routine: str) -> HifzSettings:
    if routine not in ROUTINES:
        raise ValueError(f"unknown routine {routine!r}")
    settings = await settings_for(uow, user)
    settings.routine = routine
    return settings


async def set_sabqi(uow: UnitOfWork, user: User, pages: int) -> HifzSettings:
    if not 1 <= pages <= MAX_SABQI:
        raise ValueError(f"sabqi is 1..{MAX_SABQI} pages")
    settings = await settings_for(uow, user)
    settings.sabqi_pages, settings.routine = pages, "three_part"
    return settings


async def set_sabaq(uow: UnitOfWork, user: User, lines: int) -> HifzSettings:
    if not 1 <= lines <= MAX_SABAQ_LINES:
        raise ValueError(f"sabaq is 1..{MAX_SABAQ_LINES} lines")
    settings = await settings_for(uow, user)
    settings.sabaq_lines, settings.routine = lines, "three_part"
    return settings


async def set_reminder(uow: UnitOfWork, user: User, at: time | None, now: datetime) -> HifzSettings:
    """The daily revision reminder at local `at`; None turns it off."""
    settings = await settings_for(uow, user)
    settings.remind_at = at
    settings.remind_next_at = None if at is None else next_due(at, user.timezone, now)
    return settings


async def reschedule_reminder(uow: UnitOfWork, user: User, now: datetime) -> None:
    """After a timezone change: the reminder's next instant in the new zone."""
    settings = await uow.hifz.settings(user.id, for_update=True)
    if settings is not None and settings.remind_at is not None:
        settings.remind_next_at = next_due(settings.remind_at, user.timezone, now)


# ------------------------------------------------------------------------------ memorising, revising
@dataclass(frozen=True)
class Memorised:
    added: list[int]  # pages newly memorised
    already: list[int]  # pages that were memorised before
    revision_id: int | None


@dataclass(frozen=True)
class Revised:
    revision_id: int | None
    pages: list[int]  # revised (memorised) pages
    not_memorised: list[int]  # named but not memorised: the bot asks before adding them
    rating: int = int(Rating.Good)
    duplicate: bool = False  # the same update again (Telegram redelivered it)


async def memorise(
    uow: UnitOfWork,
    user: User,
    pages: list[int],
    now: datetime,
    *,
    update_id: int | None = None,
) -> Memorised:
    """Mark `pages` memorised today: each new page gets a card, reviewed Good now (its first review)."""
    now = _utc(now)
    pages = sorted(set(pages))
    if update_id is not None and await uow.hifz.revision_for_update(user.id, update_id) is not None:
        return Memorised([], pages, None)
    existing = await uow.hifz.cards_of_pages(user.id, pages)
    new = [p for p in pages if p not in existing]
    if not new:
        return Memorised([], pages, None)
    today = local_date(now, user.timezone)
    rows = []
    for page in new:
        card, _ = SCHEDULER.review_card(Card(card_id=page, due=now), Rating.Good, now)
        row = HifzCard(user_id=user.id, page=page, memorised_on=today, reps=1, lapses=0)
        _store(row, card)
        rows.append(row)
    await uow.hifz.add_cards(rows)
    revision = await uow.hifz.add_revision(
        HifzRevision(
            user_id=user.id,
            recorded_at=now,
            local_date=today,
            source="memorised",
            rating=int(Rating.Good),
            rated=True,
            update_id=update_id,
        ),
        new,
    )
    return Memorised(new, [p for p in pages if p in existing], revision.id)


async def revise(
    uow: UnitOfWork,
    user: User,
    pages: list[int],
    now: datetime,
    *,
    source: str = "message",
    rating: int | None = None,
    update_id: int | None = None,
    teacher_id: int | None = None,
    mistakes: int | None = None,
    once_a_day: bool = False,
) -> Revised:
    """A revision of the memorised pages among `pages`, rated `rating` (None: the user's default,
    to be confirmed or changed by a button). `once_a_day`: pages already revised from `source` on the
    user's day are left out — a button's second tap (a double tap, the old keyboard) is no second
    revision, which FSRS would count."""
    now = _utc(now)
    pages = sorted(set(pages))
    if update_id is not None:
        earlier = await uow.hifz.revision_for_update(user.id, update_id)
        if earlier is not None:
            done = await uow.hifz.pages_of(earlier.id)
            return Revised(earlier.id, done, [], earlier.rating, duplicate=True)
    cards = await uow.hifz.cards_of_pages(user.id, pages)
    revised = [p for p in pages if p in cards]
    missing = [p for p in pages if p not in cards]
    if once_a_day and revised:
        done = await uow.hifz.revised_on(user.id, revised, local_date(now, user.timezone), source)
        revised = [p for p in revised if p not in done]
    if not revised:
        return Revised(None, [], missing)
    rated = rating is not None
    if rating is None:
        rating = (await settings_for(uow, user)).default_rating
    for page in revised:
        row = cards[page]
        card, _ = SCHEDULER.review_card(_fsrs(row), Rating(rating), now)
        _store(row, card)
        row.reps += 1
        row.lapses += rating == Rating.Again
    revision = await uow.hifz.add_revision(
        HifzRevision(
            user_id=user.id,
            recorded_at=now,
            local_date=local_date(now, user.timezone),
            source=source,
            rating=rating,
            rated=rated,
            teacher_id=teacher_id,
            mistakes=mistakes,
            update_id=update_id,
        ),
        revised,
    )
    return Revised(revision.id, revised, missing, rating)


async def rate(uow: UnitOfWork, user: User, revision_id: int, rating: int) -> list[int] | None:
    """The user's answer to "how did it go?": the revision takes `rating` and its pages are replayed
    from their logs, as if the rating had been given at the time. The pages, or None if it is gone."""
    revision = await uow.hifz.revision(user.id, revision_id)
    if revision is None or revision.source in ("memorised", "teacher"):
        return None
    revision.rating, revision.rated = int(Rating(rating)), True
    await uow.flush()
    pages = await uow.hifz.pages_of(revision.id)
    await _replay(uow, user, pages)
    return pages


async def _replay(uow: UnitOfWork, user: User, pages: list[int]) -> None:
    cards = await uow.hifz.cards_of_pages(user.id, pages)
    logs = await uow.hifz.log_of(user.id, pages)
    for page, row in cards.items():
        card, lapses = replay(page, logs[page])
        _store(row, card)
        row.reps, row.lapses = len(logs[page]), lapses


async def forget(uow: UnitOfWork, user: User, pages: list[int]) -> int:
    """No longer memorised: the cards and their logs go (the user asked; nothing else refers to them)."""
    return await uow.hifz.remove_cards(user.id, sorted(set(pages)))


# ------------------------------------------------------------------------------------- today's list
@dataclass(frozen=True)
class TodayList:
    routine: str
    budget: int
    due: list[int]  # manzil (or the whole FSRS list): most overdue first, at most `budget`
    more: int  # due today but over the budget: first tomorrow
    sabqi: list[int] = field(default_factory=list)  # three-part: the last pages memorised, daily
    sabaq_lines: int | None = None

    @property
    def pages(self) -> list[int]:
        return sorted(set(self.due) | set(self.sabqi))


async def today_list(uow: UnitOfWork, user: User, now: datetime) -> TodayList:
    settings = await uow.hifz.settings(user.id) or HifzSettings(
        daily_budget=10, routine="fsrs", sabqi_pages=5, default_rating=3
    )
    until = end_of_day(now, user.timezone)
    budget = settings.daily_budget
    if settings.routine == "three_part":
        recent = await uow.hifz.latest_memorised(user.id, settings.sabqi_pages)
        sabqi = sorted(c.page for c in recent)
        due = [c.page for c in await uow.hifz.due(user.id, until, budget + len(sabqi)) if c.page not in sabqi]
        due = due[:budget]
        due_sabqi = sum(1 for c in recent if c.due <= until)
        more = max(0, await uow.hifz.due_count(user.id, until) - due_sabqi - len(due))
        return TodayList("three_part", budget, due, more, sabqi, settings.sabaq_lines)
    due = [c.page for c in await uow.hifz.due(user.id, until, budget)]
    more = 0 if len(due) < budget else max(0, await uow.hifz.due_count(user.id, until) - len(due))
    return TodayList("fsrs", budget, due, more)


# -------------------------------------------------------------------------------------------- /hifz
@dataclass(frozen=True)
class Overview:
    pages: int
    juz: int  # whole juz memorised
    percent: float
    strengths: dict[int, str]  # page -> "fragile" | "firm"
    firm: int
    due_today: int


async def overview(uow: UnitOfWork, user: User, now: datetime) -> Overview:
    cards = await uow.hifz.cards(user.id)
    strengths = {c.page: strength(c) for c in cards}
    memorised = set(strengths)
    whole_juz = sum(1 for j in range(1, JUZ_COUNT + 1) if set(pages_in(juz_span(j))) <= memorised)
    due = await uow.hifz.due_count(user.id, end_of_day(now, user.timezone)) if cards else 0
    firm = sum(1 for s in strengths.values() if s == "firm")
    return Overview(len(cards), whole_juz, 100 * len(cards) / PAGE_COUNT, strengths, firm, due)


# ---------------------------------------------------------------------------------- daily reminders
@dataclass(frozen=True)
class RevisionNudge:
    user_id: int
    language: str
    today: TodayList


CLAIM_CHUNK = 500
# Like the reading reminders' grace: after down time a reminder is still sent if this recent.
REMINDER_GRACE = timedelta(hours=2)
REMINDER_BATCH = 2000  # per tick: above Telegram's ~1,800 messages a minute, so no backlog grows


async def reminders_due(uow: UnitOfWork, now: datetime, limit: int = REMINDER_BATCH) -> list[RevisionNudge]:
    """Daily revision reminders due now: decided, claimed (one per user and local day, kind `hifz`) and
    moved on to their next day, all in this unit of work. Nothing due today: nothing sent."""
    due = await uow.hifz.reminders_due(now, limit)
    live = []
    for settings, user in due:
        at = settings.remind_next_at or now
        day = local_date(at, user.timezone)
        if now - at <= REMINDER_GRACE and local_date(now, user.timezone) == day:
            live.append((settings, user, day))
        assert settings.remind_at is not None  # CHECK: a next instant has a time
        settings.remind_next_at = next_due(settings.remind_at, user.timezone, max(now, at))
    # The FSRS routine (nearly everyone): every list in one statement; the three-part one by one.
    plain = [(u.id, end_of_day(now, u.timezone), s.daily_budget) for s, u, _ in live if s.routine == "fsrs"]
    lists = await uow.hifz.due_for_many(plain)
    wanted: list[tuple[tuple[int, str, int, object], RevisionNudge]] = []
    for settings, user, day in live:
        if settings.routine == "fsrs":
            pages, total = lists.get(user.id, ([], 0))
            today = TodayList("fsrs", settings.daily_budget, pages, max(0, total - len(pages)))
        else:
            today = await today_list(uow, user, now)
        if today.pages:
            wanted.append(((user.id, "hifz", 1, day), RevisionNudge(user.id, user.language, today)))
    claimed: dict = {}
    for i in range(0, len(wanted), CLAIM_CHUNK):  # one statement shape, compiled once
        claimed |= await uow.deliveries.claim_many([k for k, _ in wanted[i : i + CLAIM_CHUNK]], now)
    return [n for k, n in wanted if k in claimed]

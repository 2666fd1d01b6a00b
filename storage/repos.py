"""Queries, grouped by table. Only this package writes SQL; callers get model objects back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    column,
    delete,
    exists,
    func,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import TextClause

from storage import optimistic
from storage.models import (
    LONG_READING,
    VERY_LONG_READING,
    Base,
    Circle,
    CircleMember,
    Delivery,
    ExcusedDay,
    Goal,
    HandledUpdate,
    JuzAssignment,
    Khatm,
    Reading,
    ReadingMinutes,
    Reminder,
    User,
)

_OPEN_KHATMS = "open_khatms"  # session.info: {user id: open Khatm} loaded with the user


@dataclass(frozen=True)
class UserState:
    """A user and what they have, loaded in one statement at the start of an update (the hot path).

    The flags say whether circle or goal work can be skipped without a query; they describe the
    database at load time, so consult them before the update itself creates a goal or joins a circle.
    """

    user: User
    open_khatm: Khatm | None
    has_goals: bool
    has_circles: bool  # a membership, or a juz still assigned


_USER_WITH_STATE = (  # built once; SQLAlchemy caches its compiled form
    select(
        User,
        Khatm,
        exists().where(Goal.user_id == User.id),
        or_(
            exists().where(CircleMember.user_id == User.id),
            exists().where(JuzAssignment.user_id == User.id, JuzAssignment.completed_at.is_(None)),
        ),
    )
    .outerjoin(Khatm, and_(Khatm.user_id == User.id, Khatm.completed_at.is_(None)))
    .where(User.id == bindparam("uid"))
)
# The optimistic path's one read (storage/optimistic.py): the same, with whether the update was claimed
# already and an id reserved for the reading it may log.
_USER_WITH_STATE_AND_CLAIM = _USER_WITH_STATE.add_columns(
    exists().where(HandledUpdate.update_id == bindparam("update_id")),
    func.nextval("readings_id_seq"),
)


class UserRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session
        self._states: dict[int, UserState] = {}
        self._preloaded: dict[int, UserState] = {}

    async def get_with_state(self, user_id: int) -> UserState | None:
        """The user, their open khatm (with its coverage), and whether they have goals and circles: one
        SELECT. The khatm lands in the identity map and `KhatmRepo.open_for` answers from it."""
        preloaded = self._preloaded.pop(user_id, None)
        if preloaded is not None:  # read by `preload` already, in this unit of work
            return preloaded
        row = (await self.s.execute(_USER_WITH_STATE, {"uid": user_id})).one_or_none()
        return None if row is None else self._keep(user_id, *row)

    def _keep(self, user_id: int, user: User, khatm: Khatm | None, goals: Any, circles: Any) -> UserState:
        if khatm is not None:
            self.s.info.setdefault(_OPEN_KHATMS, {})[user_id] = khatm
        state = UserState(user, khatm, bool(goals), bool(circles))
        self._states[user_id] = state
        return state

    async def preload(self, user_id: int, update_id: int) -> tuple[UserState | None, bool, int]:
        """The optimistic path's read: (the user's state as `get_with_state` has it — None for a stranger —,
        whether `update_id` was claimed already, a reading id reserved from the sequence). One SELECT;
        the next `get_with_state` of this user answers from it."""
        params = {"uid": user_id, "update_id": update_id}
        row = (await self.s.execute(_USER_WITH_STATE_AND_CLAIM, params)).one_or_none()
        if row is None:
            return None, False, 0
        user, khatm, goals, circles, claimed, reading_id = row
        state = self._keep(user_id, user, khatm, goals, circles)
        self._preloaded[user_id] = state
        return state, bool(claimed), int(reading_id)

    def state(self, user_id: int) -> UserState | None:
        """What `get_with_state` loaded in this unit of work, if it ran."""
        return self._states.get(user_id)

    async def get(self, user_id: int, *, for_update: bool = False) -> User | None:
        stmt = select(User).where(User.id == user_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.s.execute(stmt)).scalar_one_or_none()

    async def add(self, user: User) -> User:
        self.s.add(user)
        await self.s.flush()
        return user

    async def add_if_absent(self, user: User) -> bool:
        """INSERT … ON CONFLICT DO NOTHING: True if this call created the row."""
        insert = pg_insert if self.s.bind.dialect.name == "postgresql" else sqlite_insert
        given = ((c.key, getattr(user, c.key)) for c in User.__table__.columns)
        values = {key: value for key, value in given if value is not None}  # the rest: server defaults
        stmt = insert(User).values(**values).on_conflict_do_nothing(index_elements=["id"]).returning(User.id)
        return (await self.s.execute(stmt)).scalar_one_or_none() is not None

    async def delete(self, user_id: int) -> bool:
        result = await self.s.execute(delete(User).where(User.id == user_id))
        return result.rowcount > 0

    async def everything(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row that is this user's, table by table: each table with a `user_id` column (so a new
        table is exported — and, by its cascade, deleted — without touching this code)."""
        out: dict[str, list[dict[str, Any]]] = {}
        for table in Base.metadata.sorted_tables:
            if "user_id" in table.c:
                rows = await self.s.execute(select(table).where(table.c.user_id == user_id))
                out[table.name] = [_exportable(dict(r)) for r in rows.mappings()]
        circle_ids = [m["circle_id"] for m in out.get("circle_members", [])]
        titles = await self.s.execute(select(Circle.id, Circle.title).where(Circle.id.in_(circle_ids)))
        out["circles"] = [{"id": i, "title": t} for i, t in titles.all()]
        return out

    async def overview(
        self, now: datetime, *, day: timedelta, week: timedelta, overdue: timedelta
    ) -> dict[str, int]:
        """Counts for the operators, each one query on an indexed column."""

        async def count(model: type[Base], *where: Any) -> int:
            return int(await self.s.scalar(select(func.count()).select_from(model).where(*where)))

        active = select(func.count(func.distinct(Reading.user_id))).where(Reading.recorded_at >= now - week)
        return {
            "users": await count(User),
            "active_7d": int(await self.s.scalar(active)),
            "readings_24h": await count(Reading, Reading.recorded_at >= now - day),
            "blocked": await count(User, User.blocked_at.is_not(None)),
            "circles": await count(Circle, Circle.active),
            "reminders_enabled": await count(Reminder, Reminder.enabled),
            "reminders_overdue": await count(
                Reminder, Reminder.enabled, Reminder.next_due_at < now - overdue
            ),
            "nudges_24h": await count(
                Delivery, Delivery.claimed_at >= now - day, Delivery.sent_at.is_not(None)
            ),
            "nudges_failed_24h": await count(
                Delivery, Delivery.claimed_at >= now - day, Delivery.error.is_not(None)
            ),
        }

    async def mark_blocked(self, user_ids: list[int], now: datetime) -> None:
        """They blocked the bot (403) or their chat is gone: send nothing until they write again."""
        if user_ids:
            await self.s.execute(update(User).where(User.id.in_(user_ids)).values(blocked_at=now))


def _exportable(row: dict[str, Any]) -> dict[str, Any]:
    """Bytes (a khatm's coverage bitmap) as hex, so the export stays plain JSON."""
    return {k: v.hex() if isinstance(v, bytes) else v for k, v in row.items()}


class KhatmRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def get(self, khatm_id: int) -> Khatm | None:
        return await self.s.get(Khatm, khatm_id)

    async def remove(self, khatm: Khatm) -> None:
        await self.s.delete(khatm)
        await self.s.flush()

    async def open_for(self, user_id: int) -> Khatm | None:
        known = self._known_open(user_id)
        if known is not None:
            return known  # loaded with the user in this unit of work, still open: no query
        stmt = select(Khatm).where(Khatm.user_id == user_id, Khatm.completed_at.is_(None))
        return (await self.s.execute(stmt)).scalar_one_or_none()

    async def start(self, user_id: int, now: datetime) -> Khatm:
        last = await self.s.scalar(select(func.max(Khatm.number)).where(Khatm.user_id == user_id))
        khatm = Khatm(user_id=user_id, number=(last or 0) + 1, started_at=now, coverage=b"")
        self.s.add(khatm)
        await self.s.flush()
        self.s.info.setdefault(_OPEN_KHATMS, {})[user_id] = khatm
        return khatm

    async def open_for_many(self, user_ids: list[int]) -> dict[int, Khatm]:
        known = {u: self._known_open(u) for u in user_ids}
        if all(k is not None for k in known.values()):  # loaded in this unit of work: no query
            return known  # type: ignore[return-value]
        stmt = select(Khatm).where(Khatm.user_id.in_(user_ids), Khatm.completed_at.is_(None))
        return {k.user_id: k for k in (await self.s.execute(stmt)).scalars()}

    def _known_open(self, user_id: int) -> Khatm | None:
        """The user's open khatm if this unit of work loaded it (with the user, or opened it) and it is
        still open — what `open_for` answers without a query."""
        known = self.s.info.get(_OPEN_KHATMS, {}).get(user_id)
        if known is not None and known.completed_at is None and not inspect(known).was_deleted:
            return known
        return None

    async def completed_for_many(self, user_ids: list[int]) -> dict[int, list[datetime]]:
        stmt = select(Khatm.user_id, Khatm.completed_at).where(
            Khatm.user_id.in_(user_ids), Khatm.completed_at.is_not(None)
        )
        # The optimistic path's staged write changes only the open khatm's coverage (a log that would
        # complete it takes the lock): these rows are the same before it and after it.
        _, options = optimistic.staged_reading(self.s)
        out: dict[int, list[datetime]] = {}
        for user_id, at in (await self.s.execute(stmt, execution_options=options)).all():
            out.setdefault(user_id, []).append(at)
        return out


# Every column but the id, which the sequence gives.
_READING_COLUMNS = tuple(c.name for c in Reading.__table__.columns if c.name != "id")


@cache
def _insert_readings(n: int, with_coverage: bool = False) -> TextClause:
    """INSERT of n readings, ON CONFLICT DO NOTHING RETURNING id, part — as text, built once per n.

    SQLAlchemy cannot cache the dialects' `insert().on_conflict_do_nothing()` (no cache key: it is
    compiled again on every execution, ~1 ms of CPU here); a TextClause with typed binds is cached. Same
    SQL on Postgres and SQLite (≥ 3.35). The binds keep the columns' types (UTCDateTime, CleanText).
    """
    table = Reading.__table__
    values = ", ".join("(" + ", ".join(f":{c}_{i}" for c in _READING_COLUMNS) + ")" for i in range(n))
    sql = (
        f"INSERT INTO readings ({', '.join(_READING_COLUMNS)}) VALUES {values}"
        " ON CONFLICT (user_id, update_id, part) DO NOTHING RETURNING id, part"
    )
    binds = [bindparam(f"{c}_{i}", type_=table.c[c].type) for i in range(n) for c in _READING_COLUMNS]
    if with_coverage:
        # Postgres: the khatm's new coverage goes in the same statement (a data-modifying CTE), written
        # only if the readings were (a redelivered update inserts nothing and changes nothing).
        sql = (
            f"WITH ins AS ({sql}), cov AS (UPDATE khatms SET coverage = :coverage"
            " WHERE id = :khatm AND EXISTS (SELECT 1 FROM ins)) SELECT id, part FROM ins"
        )
        binds += [bindparam("coverage", type_=Khatm.__table__.c.coverage.type), bindparam("khatm")]
    return text(sql).bindparams(*binds).columns(table.c.id, table.c.part)


@dataclass(frozen=True)
class Window:
    """What `ReadingRepo.windows` found for one khatm."""

    ranges: list[tuple[int, int]]  # the distinct ranges of its readings dated in the window
    # (start, furthest end) of its readings dated before the window: every one that overlaps `ranges`
    # (and perhaps a few near them that do not: intersect with `ranges` before counting).
    before: list[tuple[int, int]]
    first_day: date | None  # the user's earliest reading date, in any khatm


def _reaching(level: str, start_from: str, lateral: bool) -> str:
    """Readings of khatm w.k dated before w.f that may overlap w.a..w.b, grouped by start: those whose
    length `level` allows, starting no earlier than `start_from` (the index on that level bounds it).

    One index range scan per window range, whatever the planner estimates: on Postgres a LATERAL
    subquery (a generic plan, after five executions of the prepared statement, estimates hundreds of
    window ranges and would merge-join over the whole index: 40 ms at 100,000 readings); SQLite always
    loops, and CROSS JOIN keeps w outside."""
    reach = (
        f"r.khatm_id = w.k AND {level} r.start_index BETWEEN {start_from} AND w.b"
        " AND r.end_index >= w.a AND r.local_date < w.f"
    )
    if lateral:
        return (
            "SELECT 1, w.k, x.s, x.e, NULL FROM w CROSS JOIN LATERAL (SELECT r.start_index AS s,"
            f" max(r.end_index) AS e FROM readings r WHERE {reach} GROUP BY r.start_index) x"
        )
    return (
        "SELECT 1, r.khatm_id, r.start_index, max(r.end_index), NULL FROM w CROSS JOIN readings r"
        f" WHERE {reach} GROUP BY r.khatm_id, r.start_index"
    )


# Probes per `ReadingRepo.windows` statement: a UNION of n window selects plans in more than n times the
# time (0.5 ms for 1, 7 ms for 64, 29 ms for 128, 346 ms for 512): a tick's 500 in chunks.
WINDOWS_CHUNK = 64


@cache
def _windows_sql(n: int, lateral: bool) -> TextClause:
    """`ReadingRepo.windows` for n khatms, as text built once per n (a cached compiled form).

    A reading that reaches ayah a starts at most 15 before it (`ix_readings_khatm_id_start_index`), or is
    long (≥ 17 ayahs) and starts at most 255 before it, or is very long (≥ 257 ayahs): the two long kinds
    have partial indexes of their own, whose predicates the query repeats word for word so that both
    planners use them. Each range scan is bounded by how often those ayahs were read, not by history.
    The window's readings are selected with the probe's own parameters (not joined to a VALUES list) so
    that the planner's estimate of them is real and it loops over them.
    """
    long, very_long = LONG_READING - 1, VERY_LONG_READING - 1
    length = "r.end_index - r.start_index"  # as the partial indexes' predicates have it, word for word
    window = " UNION ALL ".join(
        f"SELECT DISTINCT khatm_id AS k, :f{i} AS f, start_index AS a, end_index AS b"
        f" FROM readings WHERE user_id = :u{i} AND local_date >= :f{i} AND local_date <= :l{i}"
        f" AND khatm_id = :k{i}"
        for i in range(n)
    )
    first_days = " UNION ALL ".join(
        f"SELECT 2, :k{i}, NULL, NULL, (SELECT min(local_date) FROM readings WHERE user_id = :u{i})"
        for i in range(n)
    )
    sql = (
        f"WITH w AS ({window})"
        " SELECT 0, w.k, w.a, w.b, CAST(NULL AS DATE) FROM w"
        f" UNION ALL {_reaching('', f'w.a - {long - 1}', lateral)}"
        f" UNION ALL {_reaching(f'{length} >= {long} AND', f'w.a - {very_long - 1}', lateral)}"
        f" UNION ALL {_reaching(f'{length} >= {very_long} AND', '1', lateral)}"
        f" UNION ALL {first_days}"
    )
    c = Reading.__table__.c
    binds = []
    for i in range(n):
        binds += [bindparam(f"u{i}", type_=c.user_id.type), bindparam(f"k{i}", type_=c.khatm_id.type)]
        binds += [bindparam(f"f{i}", type_=c.local_date.type), bindparam(f"l{i}", type_=c.local_date.type)]
    columns = (column("kind", Integer), c.khatm_id, c.start_index, c.end_index, c.local_date)
    return text(sql).bindparams(*binds).columns(*columns)


def _with_staged(
    window: Window, probe: tuple[int, int, date, date], staged: dict[str, Any], before: bytes | None
) -> Window:
    """`window` as it would be with the optimistic path's staged reading in (its read cannot see it):
    exactly, or `NeedsLock` where that cannot be known without another read.

    - dated after the window, or in another khatm: only the user's first day may move;
    - dated before the window: one of the earlier readings that may reach into it;
    - dated in a window that runs to the end of time (`khatm_by`'s "since today"): one of its readings.
      What it covers that the khatm had before it (`before`, the coverage bitmap as read: bit i-1 is
      ayah index i, models.Khatm.coverage) and no other reading of the window covers was covered
      before the window — every reading of the khatm is dated before it or in it — so it joins the
      earlier ones, and what the window adds stays exact;
    - dated in a bounded window: a later reading might have covered the same ayahs, so give way.
    """
    _, khatm_id, first, last = probe
    a, b, day = staged["start_index"], staged["end_index"], staged["local_date"]
    first_day = day if window.first_day is None else min(window.first_day, day)
    if staged["khatm_id"] != khatm_id or day > last:
        return Window(window.ranges, window.before, first_day)
    if day < first:
        return Window(window.ranges, [*window.before, (a, b)], first_day)
    if last != date.max:
        raise optimistic.NeedsLock("a staged reading inside a bounded window")
    in_window = 0
    for x, y in window.ranges:
        in_window |= ((1 << (y - x + 1)) - 1) << (x - 1)
    had = int.from_bytes(before or b"", "little") & ~in_window
    earlier = [i for i in range(a, b + 1) if had >> (i - 1) & 1]
    runs: list[tuple[int, int]] = []
    for i in earlier:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return Window([*window.ranges, (a, b)], [*window.before, *runs], first_day)


class ReadingRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def add(self, reading: Reading) -> Reading:
        self.s.add(reading)
        await self.s.flush()
        return reading

    async def add_new(
        self, rows: list[dict[str, Any]], *, khatm: Khatm | None = None, coverage: bytes | None = None
    ) -> list[Reading]:
        """Insert these readings in one statement; the duplicate check is the database's: a row whose
        (user, update, part) is already there is skipped (`ON CONFLICT DO NOTHING`), and only the rows
        inserted come back, in `part` order.

        With `khatm` and `coverage`: when the rows went in, the khatm's coverage becomes `coverage` — in
        the same statement on Postgres, at the commit's flush on SQLite (no data-modifying CTEs there).
        """
        if self.s.info.get(optimistic.OPTIMISTIC):
            staged = self._stage(rows, khatm, coverage)
            await optimistic.staged(self.s)
            return staged
        params = {f"{c}_{i}": row[c] for i, row in enumerate(rows) for c in _READING_COLUMNS}
        in_one = khatm is not None and self.s.bind.dialect.name == "postgresql"
        if in_one:
            params |= {"coverage": coverage, "khatm": khatm.id}
        result = await self.s.execute(_insert_readings(len(rows), in_one), params)
        inserted = {part: id_ for id_, part in result}
        if inserted and khatm is not None:
            if in_one:
                set_committed_value(khatm, "coverage", coverage)  # written already: nothing to flush
            else:
                khatm.coverage = coverage
        return [Reading(id=inserted[row["part"]], **row) for row in rows if row["part"] in inserted]

    def _stage(
        self, rows: list[dict[str, Any]], khatm: Khatm | None, coverage: bytes | None
    ) -> list[Reading]:
        """On the optimistic path the reading waits for the update's one write (storage/optimistic.py),
        under the id its read reserved. No duplicate check is needed: that read found the update unclaimed,
        and the write claims it first. One passage into the open khatm only; anything else takes the lock."""
        if len(rows) != 1 or khatm is None or coverage is None:
            raise optimistic.NeedsLock("a log of several passages, or without its khatm's coverage")
        row = {**rows[0], "id": self.s.info[optimistic.READING_ID]}
        # "before": the coverage as read, which `windows` needs to place the staged reading exactly
        self.s.info[optimistic.READING] = {"row": row, "coverage": coverage, "before": khatm.coverage}
        set_committed_value(khatm, "coverage", coverage)  # the write carries it: nothing to flush
        return [Reading(**row)]

    async def remove(self, readings: list[Reading]) -> None:
        for reading in readings:
            await self.s.delete(reading)
        await self.s.flush()

    async def get(self, user_id: int, reading_id: int) -> Reading | None:
        """A reading by id, only if it is this user's: callback data must never reach another user's."""
        stmt = select(Reading).where(Reading.id == reading_id, Reading.user_id == user_id)
        return (await self.s.execute(stmt)).scalar_one_or_none()

    async def for_update_id(self, user_id: int, update_id: int) -> list[Reading]:
        stmt = (
            select(Reading)
            .where(Reading.user_id == user_id, Reading.update_id == update_id)
            .order_by(Reading.part)
        )
        return list((await self.s.execute(stmt)).scalars())

    async def ranges_of_khatm(self, khatm_id: int) -> list[tuple[int, int]]:
        stmt = (
            select(Reading.start_index, Reading.end_index)
            .where(Reading.khatm_id == khatm_id)
            .order_by(Reading.start_index)
        )
        return [(a, b) for a, b in (await self.s.execute(stmt)).all()]

    async def days_since(self, user_ids: list[int], first: date) -> list[tuple[int, date, int, int]]:
        """(user, local day, start, end) of these users' readings on local days from `first` on."""
        stmt = select(Reading.user_id, Reading.local_date, Reading.start_index, Reading.end_index).where(
            Reading.user_id.in_(user_ids), Reading.local_date >= first
        )
        staged, options = optimistic.staged_reading(self.s)  # the optimistic path's own reading counts too
        rows = [tuple(r) for r in (await self.s.execute(stmt, execution_options=options)).all()]
        if staged is not None and staged["user_id"] in user_ids and staged["local_date"] >= first:
            rows.append((staged["user_id"], staged["local_date"], staged["start_index"], staged["end_index"]))
        return rows

    async def latest_end(self, user_id: int) -> tuple[int, int] | None:
        """(khatm, end index) of the user's latest reading: one index probe, two columns (not the row)."""
        stmt = (
            select(Reading.khatm_id, Reading.end_index)
            .where(Reading.user_id == user_id)
            .order_by(Reading.recorded_at.desc(), Reading.id.desc())
            .limit(1)
        )
        row = (await self.s.execute(stmt)).one_or_none()
        return (row[0], row[1]) if row else None

    async def latest_ends(self, user_ids: list[int]) -> dict[int, tuple[int, int]]:
        """{user: (khatm, end index)} of each user's latest reading: one index probe per user
        (`ix_readings_user_id_recorded_at`), however long their history."""
        r = aliased(Reading)
        latest = (
            select(r.id)
            .where(r.user_id == User.id)
            .order_by(r.recorded_at.desc(), r.id.desc())
            .limit(1)
            .correlate(User)
            .scalar_subquery()
        )
        stmt = (
            select(Reading.user_id, Reading.khatm_id, Reading.end_index)
            .select_from(User)
            .join(Reading, Reading.id == latest)
            .where(User.id.in_(user_ids))
        )
        staged, options = optimistic.staged_reading(self.s)  # the optimistic path's own reading is the latest
        ends = {u: (k, e) for u, k, e in (await self.s.execute(stmt, execution_options=options)).all()}
        if staged is not None and staged["user_id"] in user_ids:
            ends[staged["user_id"]] = (staged["khatm_id"], staged["end_index"])
        return ends

    async def recent(self, user_id: int, limit: int = 10) -> list[Reading]:
        stmt = (
            select(Reading)
            .where(Reading.user_id == user_id)
            .order_by(Reading.recorded_at.desc(), Reading.id.desc())
            .limit(limit)
        )
        return list((await self.s.execute(stmt)).scalars())

    async def page_by_reading_date(self, user_id: int, offset: int, limit: int) -> tuple[list[Reading], int]:
        """One page of the user's readings, newest reading date first (then newest logged), and how many
        there are in all (for /history's pages)."""
        stmt = (
            select(Reading)
            .where(Reading.user_id == user_id)
            .order_by(Reading.local_date.desc(), Reading.recorded_at.desc(), Reading.id.desc())
            .offset(offset)
            .limit(limit)
        )
        total = await self.s.scalar(
            select(func.count()).select_from(Reading).where(Reading.user_id == user_id)
        )
        return list((await self.s.execute(stmt)).scalars()), int(total or 0)

    async def between(self, user_id: int, first: date, last: date) -> list[Reading]:
        stmt = (
            select(Reading)
            .where(Reading.user_id == user_id, Reading.local_date >= first, Reading.local_date <= last)
            .order_by(Reading.local_date, Reading.id)
        )
        return list((await self.s.execute(stmt)).scalars())

    async def windows(self, probes: list[tuple[int, int, date, date]]) -> dict[int, Window]:
        """For each (user, khatm, first, last): the khatm's readings dated first..last, the ones dated
        before `first` that reach into them, and the user's first reading day — one statement per
        WINDOWS_CHUNK probes, whose cost follows the readings of those days and how often their ayahs
        were read, not the history. (New in the window: its ranges less the `before` ones.)"""
        staged, options = optimistic.staged_reading(self.s)  # the optimistic path's own reading too
        found: dict[int, Window] = {}
        for i in range(0, len(probes), WINDOWS_CHUNK):
            found |= await self._windows(probes[i : i + WINDOWS_CHUNK], options)
        if staged is not None:
            before = self.s.info[optimistic.READING]["before"]
            for probe in probes:
                if probe[0] == staged["user_id"]:
                    found[probe[1]] = _with_staged(found[probe[1]], probe, staged, before)
        return found

    async def _windows(
        self, probes: list[tuple[int, int, date, date]], options: dict[str, Any]
    ) -> dict[int, Window]:
        # Padded to a power of two with probes of no khatm (ids start at 1): a handful of statement texts
        # for the tick's batches of any size, not one per size.
        size = 1 << (len(probes) - 1).bit_length()
        padded = [*probes, *[(0, 0, date.max, date.max)] * (size - len(probes))]
        params: dict[str, Any] = {}
        for i, (user_id, khatm_id, first, last) in enumerate(padded):
            params.update({f"u{i}": user_id, f"k{i}": khatm_id, f"f{i}": first, f"l{i}": last})
        found: dict[int, tuple[list, list, list]] = {k: ([], [], []) for _, k, _, _ in padded}
        lateral = self.s.bind.dialect.name == "postgresql"
        rows = await self.s.execute(_windows_sql(size, lateral), params, execution_options=options)
        for kind, khatm_id, start, end, day in rows:
            found[khatm_id][kind].append(day if kind == 2 else (start, end))
        found.pop(0, None)
        return {k: Window(w, b, next((d for d in f if d), None)) for k, (w, b, f) in found.items()}

    async def days_read(self, user_id: int) -> set[date]:
        stmt = select(Reading.local_date).where(Reading.user_id == user_id).distinct()
        return set((await self.s.execute(stmt)).scalars())


class DeliveryRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def claim(self, user_id: int, kind: str, slot: int, local_date: date, now: datetime) -> int | None:
        """Claim one nudge: its delivery id, or None when it was already claimed (here or elsewhere)."""
        values = dict(user_id=user_id, kind=kind, slot=slot, local_date=local_date, claimed_at=now)
        insert = pg_insert if self.s.bind.dialect.name == "postgresql" else sqlite_insert
        stmt = (
            insert(Delivery)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["user_id", "kind", "slot", "local_date"])
            .returning(Delivery.id)
        )
        return (await self.s.execute(stmt)).scalar_one_or_none()

    async def claim_many(self, keys: list[tuple[int, str, int, date]], now: datetime) -> dict[tuple, int]:
        """Claim many nudges in one statement: {(user, kind, slot, local date): delivery id} of those won."""
        if not keys:
            return {}
        insert = pg_insert if self.s.bind.dialect.name == "postgresql" else sqlite_insert
        rows = [dict(user_id=u, kind=k, slot=s, local_date=d, claimed_at=now) for u, k, s, d in keys]
        stmt = (
            insert(Delivery)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["user_id", "kind", "slot", "local_date"])
            .returning(Delivery.id, Delivery.user_id, Delivery.kind, Delivery.slot, Delivery.local_date)
        )
        return {(u, k, s, d): i for i, u, k, s, d in (await self.s.execute(stmt)).all()}

    async def mark_sent(self, delivery_ids: list[int], now: datetime) -> None:
        if delivery_ids:
            await self.s.execute(update(Delivery).where(Delivery.id.in_(delivery_ids)).values(sent_at=now))

    async def release(
        self, user_id: int, kind: str, slot: int, local_date: date, claimed_before: datetime
    ) -> int:
        """Free one delivery key if it was claimed before `claimed_before` (a day lived again after a move
        west: tracker.reminders.reschedule)."""
        stmt = delete(Delivery).where(
            Delivery.user_id == user_id,
            Delivery.kind == kind,
            Delivery.slot == slot,
            Delivery.local_date == local_date,
            Delivery.claimed_at < claimed_before,
        )
        return (await self.s.execute(stmt)).rowcount

    async def prune(self, before: datetime) -> int:
        """Claims older than any local day that could still be nudged: they only take space."""
        return (await self.s.execute(delete(Delivery).where(Delivery.claimed_at < before))).rowcount

    async def mark_failed(self, delivery_id: int, error: str) -> None:
        await self.s.execute(update(Delivery).where(Delivery.id == delivery_id).values(error=error[:200]))


class ExcusedRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def days(self, user_id: int) -> set[date]:
        stmt = select(ExcusedDay.local_date).where(ExcusedDay.user_id == user_id)
        return set((await self.s.execute(stmt)).scalars())

    async def add(self, user_id: int, day: date, reason: str) -> bool:
        if await self.s.get(ExcusedDay, (user_id, day)) is not None:
            return False
        self.s.add(ExcusedDay(user_id=user_id, local_date=day, reason=reason))
        await self.s.flush()
        return True


class GoalRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def for_users(self, user_ids: list[int]) -> list[Goal]:
        return list((await self.s.execute(select(Goal).where(Goal.user_id.in_(user_ids)))).scalars())

    async def replace_main(self, goal: Goal) -> Goal:
        await self.s.execute(delete(Goal).where(Goal.user_id == goal.user_id, Goal.kind != "surah"))
        self.s.add(goal)
        await self.s.flush()
        return goal

    async def set_habit(self, goal: Goal) -> Goal:
        await self.s.execute(
            delete(Goal).where(Goal.user_id == goal.user_id, Goal.kind == "surah", Goal.amount == goal.amount)
        )
        self.s.add(goal)
        await self.s.flush()
        return goal

    async def remove_habit(self, user_id: int, surah: int) -> int:
        stmt = delete(Goal).where(Goal.user_id == user_id, Goal.kind == "surah", Goal.amount == surah)
        return (await self.s.execute(stmt)).rowcount

    async def clear(self, user_id: int) -> int:
        return (await self.s.execute(delete(Goal).where(Goal.user_id == user_id))).rowcount


class ReminderRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def get(self, user_id: int, kind: str, slot: int) -> Reminder | None:
        stmt = select(Reminder).where(
            Reminder.user_id == user_id, Reminder.kind == kind, Reminder.slot == slot
        )
        return (await self.s.execute(stmt)).scalar_one_or_none()

    async def add(self, reminder: Reminder) -> Reminder:
        self.s.add(reminder)
        await self.s.flush()
        return reminder

    async def for_user(self, user_id: int) -> list[Reminder]:
        stmt = select(Reminder).where(Reminder.user_id == user_id).order_by(Reminder.kind, Reminder.slot)
        return list((await self.s.execute(stmt)).scalars())

    async def due(self, now: datetime, limit: int) -> list[tuple[Reminder, User]]:
        """Enabled reminders due by `now` for users who have not blocked the bot, oldest first.

        On Postgres the rows are locked with SKIP LOCKED: a second scheduler instance running the same
        query at the same moment gets the next rows instead of the same ones.
        """
        stmt = (
            select(Reminder, User)
            .join(User, User.id == Reminder.user_id)
            .where(Reminder.enabled, Reminder.next_due_at <= now, User.blocked_at.is_(None))
            .order_by(Reminder.next_due_at)
            .limit(limit)
        )
        if self.s.bind.dialect.name == "postgresql":
            stmt = stmt.with_for_update(of=Reminder, skip_locked=True)
        return [(r, u) for r, u in (await self.s.execute(stmt)).all()]


# As text so that SQLAlchemy caches it (it cannot cache the dialects' on_conflict inserts; see
# _insert_readings): a claim at the start of every update must not be compiled every time.
_CLAIM_UPDATE = (
    text(
        "INSERT INTO handled_updates (update_id, user_id, handled_at)"
        " VALUES (:update_id, :user_id, :handled_at)"
        " ON CONFLICT (update_id) DO NOTHING RETURNING update_id"
    )
    .bindparams(
        bindparam("update_id", type_=HandledUpdate.__table__.c.update_id.type),
        bindparam("user_id", type_=HandledUpdate.__table__.c.user_id.type),
        bindparam("handled_at", type_=HandledUpdate.__table__.c.handled_at.type),
    )
    .columns(HandledUpdate.__table__.c.update_id)
)


class MinutesRepo:
    """Minutes of reading (a minutes goal, the streak): per user and local day."""

    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def add(self, row: ReadingMinutes) -> ReadingMinutes:
        self.s.add(row)
        await self.s.flush()
        return row

    async def for_update_id(self, user_id: int, update_id: int) -> ReadingMinutes | None:
        stmt = select(ReadingMinutes).where(
            ReadingMinutes.user_id == user_id, ReadingMinutes.update_id == update_id
        )
        return (await self.s.execute(stmt)).scalar_one_or_none()

    async def on_days(self, days: dict[int, date]) -> dict[int, int]:
        """Minutes read by each user on their given local day."""
        if not days:
            return {}
        stmt = (
            select(ReadingMinutes.user_id, ReadingMinutes.local_date, func.sum(ReadingMinutes.minutes))
            .where(ReadingMinutes.user_id.in_(list(days)))
            .group_by(ReadingMinutes.user_id, ReadingMinutes.local_date)
        )
        return {u: int(m) for u, d, m in await self.s.execute(stmt) if days.get(u) == d}

    async def days(self, user_id: int) -> set[date]:
        stmt = select(ReadingMinutes.local_date).where(ReadingMinutes.user_id == user_id).distinct()
        return set((await self.s.execute(stmt)).scalars())


class HandledRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def first_time(self, update_id: int, user_id: int, now: datetime) -> bool:
        """Record the update; False when it had been handled already (a redelivery)."""
        if self.s.info.get("claimed_update_id") == update_id:  # claimed by this very unit of work
            return True
        params = {"update_id": update_id, "user_id": user_id, "handled_at": now}
        return (await self.s.execute(_CLAIM_UPDATE, params)).scalar_one_or_none() is not None

    async def prune(self, before: datetime) -> int:
        """Telegram gives up redelivering within a day; a week of history is plenty."""
        return (await self.s.execute(delete(HandledUpdate).where(HandledUpdate.handled_at < before))).rowcount

"""An update's place in line and its claim: the first statement of every update's unit of work.

Several instances share one Postgres database (two Fly machines, or old and new during a rolling
deploy), so the per-person order cannot live in one process's memory. Each update's transaction first
takes a transaction-level advisory lock on its person (then on its chat, when that is a group) — always in
that order, so no two updates wait on each other's second lock — and, in the same statement, claims its
update id in `handled_updates`:

    WITH line AS (SELECT pg_advisory_xact_lock(:user), pg_advisory_xact_lock(:chat))
    INSERT INTO handled_updates (update_id, user_id, handled_at) SELECT :id, :user, :now FROM line
    ON CONFLICT (update_id) DO UPDATE SET update_id = excluded.update_id
    RETURNING outcome

One round trip. The locks are released by COMMIT or ROLLBACK, never leaked. `outcome` is NULL for a new
claim; for an update handled before it is the first answer (JSON), which the caller repeats instead of
handling the update again. `DO UPDATE` rather than `DO NOTHING` on purpose: under read committed the
statement's snapshot was taken before the lock wait, so a row committed by the update we waited for is
invisible to a plain read here — but `ON CONFLICT DO UPDATE` acts on (and returns) the latest committed
row. Statements after this one take a new snapshot and see everything the previous holder wrote.

Key space: the one-argument (bigint) advisory keys are Telegram ids — people are positive, groups and
channels negative — so a person and a chat can never share a key. Other locks of this app use the
two-argument (int, int) form, which Postgres keeps in a separate key space.

SQLite (one process, one writer) has no advisory locks: the same statement runs without the CTE, and the
in-process ordering (bot.concurrency) is all the serialisation there is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage import messages, optimistic
from storage.repos import UserRepo
from storage.types import UTCDateTime

CLAIMED_KEY = "claimed_update_id"  # session.info: the update this unit of work claimed

_CLAIM = """INSERT INTO handled_updates (update_id, user_id, handled_at)
{source}
ON CONFLICT (update_id) DO UPDATE SET update_id = excluded.update_id
RETURNING outcome"""


def claim_sql(dialect: str, lock_count: int) -> str:
    """The statement for `lock_count` advisory keys (:k0, :k1, ...), taken left to right.

    On Postgres a new claim also bumps the person's `users.version` (a trigger on `handled_updates`,
    migration 0012), and holds that row until COMMIT: an optimistic write of theirs that read the row
    before this update commits then matches nothing and takes the lock path (storage/optimistic.py)."""
    if dialect != "postgresql" or lock_count == 0:
        return _CLAIM.format(source="VALUES (:update_id, :user_id, :now)")
    locks = ", ".join(f"pg_advisory_xact_lock(CAST(:k{i} AS bigint))" for i in range(lock_count))
    return (
        "WITH line AS (SELECT "
        + locks
        + ")\n"
        + _CLAIM.format(source="SELECT :update_id, :user_id, :now FROM line")
    )


class UpdateClaims:
    def __init__(self, session: AsyncSession, users: UserRepo) -> None:
        self.s = session
        self.users = users

    async def claim(self, update_id: int, user_id: int, lock_ids: Sequence[int], now: datetime) -> str | None:
        """Wait for our turn (person, then chat), claim the update: None if new, else its first outcome.

        An in-progress claim by another transaction (the same update at another instance) makes this wait
        until that one commits (then its outcome comes back) or rolls back (then the claim is ours).

        On the optimistic path (storage/optimistic.py) nothing waits and nothing is claimed yet: the user's
        state is read with whether the update was claimed before, and the claim goes in with the outcome.
        A stranger or a redelivered update raises `NeedsLock` (the lock path creates them, or repeats)."""
        if self.s.info.get(optimistic.OPTIMISTIC):
            optimistic.begin((await self.s.connection()).sync_connection.info)
            state, claimed, reading_id = await self.users.preload(user_id, update_id)
            if state is None or claimed:
                raise optimistic.NeedsLock("a first contact" if state is None else "handled before")
            self.s.info[optimistic.READING_ID] = reading_id
            self.s.info[optimistic.VERSION] = (user_id, state.user.version)
            self.s.info[optimistic.NOW] = now
            self.s.info[CLAIMED_KEY] = update_id
            return None
        stmt = text(claim_sql(self.s.bind.dialect.name, len(lock_ids))).bindparams(
            bindparam("now", type_=UTCDateTime())
        )
        params = {"update_id": update_id, "user_id": user_id, "now": now}
        params.update({f"k{i}": key for i, key in enumerate(lock_ids)})
        outcome = (await self.s.execute(stmt, params)).scalar_one()
        self.s.info[CLAIMED_KEY] = update_id
        return outcome

    async def record(self, update_id: int, outcome: str) -> None:
        """What was answered, for a redelivery to repeat. Same transaction as the effects. A log's message
        staged in this unit of work (storage/messages.py) goes in the same statement on Postgres."""
        if self.s.info.get(optimistic.OPTIMISTIC):
            await optimistic.write(self.s, update_id, outcome)
            return
        staged = self.s.info.get(messages.STAGED)
        if staged is not None and self.s.bind.dialect.name == "postgresql":
            del self.s.info[messages.STAGED]
            params = {**staged, "outcome": outcome, "claimed": update_id}
            await self.s.execute(messages.UPSERT_WITH_OUTCOME, params)
            return
        await messages.write_staged(self.s)
        await self.s.execute(
            text("UPDATE handled_updates SET outcome = :outcome WHERE update_id = :update_id"),
            {"outcome": outcome, "update_id": update_id},
        )

"""Queries for hifz: memorised pages (FSRS cards), the revision log, routines, halaqas (docs/hifz.md).

The due query is one range scan of `ix_hifz_cards_user_id_due`; the reminder query one of the partial
index on `hifz_settings.remind_next_at`. A teacher sees a member's hifz only through `hifz_shares`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    CircleMember,
    Halaqa,
    HifzCard,
    HifzReview,
    HifzRevision,
    HifzSettings,
    HifzShare,
    User,
)


class HifzRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    # --------------------------------------------------------------------------------------- settings
    async def settings(self, user_id: int, *, for_update: bool = False) -> HifzSettings | None:
        stmt = select(HifzSettings).where(HifzSettings.user_id == user_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.s.execute(stmt)).scalar_one_or_none()

    async def add_settings(self, settings: HifzSettings) -> HifzSettings:
        self.s.add(settings)
        await self.s.flush()
        await self.s.refresh(settings)  # the server defaults
        return settings

    async def reminders_due(self, now: datetime, limit: int) -> list[tuple[HifzSettings, User]]:
        """Revision reminders due by `now`, oldest first; locked with SKIP LOCKED on Postgres so two
        scheduler instances take different rows."""
        stmt = (
            select(HifzSettings, User)
            .join(User, User.id == HifzSettings.user_id)
            .where(HifzSettings.remind_next_at <= now, User.blocked_at.is_(None))
            .order_by(HifzSettings.remind_next_at)
            .limit(limit)
        )
        if self.s.bind.dialect.name == "postgresql":
            stmt = stmt.with_for_update(of=HifzSettings, skip_locked=True)
        return [(s, u) for s, u in (await self.s.execute(stmt)).all()]

    # ------------------------------------------------------------------------------------------ cards
    async def cards(self, user_id: int) -> list[HifzCard]:
        stmt = select(HifzCard).where(HifzCard.user_id == user_id).order_by(HifzCard.page)
        return list((await self.s.execute(stmt)).scalars())

    async def cards_of_pages(self, user_id: int, pages: list[int]) -> dict[int, HifzCard]:
        stmt = (
            select(HifzCard)
            .where(HifzCard.user_id == user_id, HifzCard.page.in_(pages))
            .with_for_update()  # a concurrent revision of the same pages waits (no lost FSRS update)
        )
        return {c.page: c for c in (await self.s.execute(stmt)).scalars()}

    async def add_cards(self, cards: list[HifzCard]) -> None:
        self.s.add_all(cards)
        await self.s.flush()

    async def remove_cards(self, user_id: int, pages: list[int]) -> int:
        stmt = delete(HifzCard).where(HifzCard.user_id == user_id, HifzCard.page.in_(pages))
        return (await self.s.execute(stmt)).rowcount

    async def due(self, user_id: int, until: datetime, limit: int) -> list[HifzCard]:
        """Cards due by `until`, most overdue first (the index order)."""
        stmt = (
            select(HifzCard)
            .where(HifzCard.user_id == user_id, HifzCard.due <= until)
            .order_by(HifzCard.due, HifzCard.page)
            .limit(limit)
        )
        return list((await self.s.execute(stmt)).scalars())

    async def due_for_many(self, wanted: list[tuple[int, datetime, int]]) -> dict[int, tuple[list[int], int]]:
        """For many users at once — (user, until, limit) — the first `limit` pages due by `until`, most
        overdue first, and how many are due in all: one statement (a window over the index range)."""
        if not wanted:
            return {}
        if self.s.bind.dialect.name != "postgresql":  # SQLite: no column list on VALUES; one user at a time
            out = {}
            for user_id, until, limit in wanted:
                pages = [c.page for c in await self.due(user_id, until, limit)]
                out[user_id] = (
                    pages,
                    await self.due_count(user_id, until) if len(pages) == limit else len(pages),
                )
            return out
        # Arrays, not a VALUES list: one statement text whatever the batch size (compiled and planned once).
        stmt = text(
            "SELECT user_id, page, total FROM ("
            " SELECT c.user_id, c.page, v.lim,"
            "  row_number() OVER (PARTITION BY c.user_id ORDER BY c.due, c.page) AS rn,"
            "  count(*) OVER (PARTITION BY c.user_id) AS total"
            " FROM unnest(CAST(:uids AS bigint[]), CAST(:untils AS timestamptz[]), CAST(:lims AS int[]))"
            "  AS v(uid, until, lim)"
            " JOIN hifz_cards c ON c.user_id = v.uid AND c.due <= v.until"
            ") ranked WHERE rn <= lim ORDER BY user_id, rn"
        )
        params = {
            "uids": [u for u, _, _ in wanted],
            "untils": [t for _, t, _ in wanted],
            "lims": [n for _, _, n in wanted],
        }
        out: dict[int, tuple[list[int], int]] = {}
        for user_id, page, total in (await self.s.execute(stmt, params)).all():
            out.setdefault(user_id, ([], int(total)))[0].append(page)
        return out

    async def due_count(self, user_id: int, until: datetime) -> int:
        stmt = select(func.count()).where(HifzCard.user_id == user_id, HifzCard.due <= until)
        return int(await self.s.scalar(stmt))

    async def latest_memorised(self, user_id: int, limit: int) -> list[HifzCard]:
        """The last `limit` pages memorised (sabqi): newest day first, then the higher page."""
        stmt = (
            select(HifzCard)
            .where(HifzCard.user_id == user_id)
            .order_by(HifzCard.memorised_on.desc(), HifzCard.page.desc())
            .limit(limit)
        )
        return list((await self.s.execute(stmt)).scalars())

    # -------------------------------------------------------------------------------------- revisions
    async def add_revision(self, revision: HifzRevision, pages: list[int]) -> HifzRevision:
        self.s.add(revision)
        await self.s.flush()
        self.s.add_all(HifzReview(revision_id=revision.id, user_id=revision.user_id, page=p) for p in pages)
        await self.s.flush()
        return revision

    async def revision(self, user_id: int, revision_id: int) -> HifzRevision | None:
        stmt = select(HifzRevision).where(HifzRevision.id == revision_id, HifzRevision.user_id == user_id)
        return (await self.s.execute(stmt)).scalar_one_or_none()

    async def revision_for_update(self, user_id: int, update_id: int) -> HifzRevision | None:
        stmt = select(HifzRevision).where(
            HifzRevision.user_id == user_id, HifzRevision.update_id == update_id
        )
        return (await self.s.execute(stmt)).scalar_one_or_none()

    async def pages_of(self, revision_id: int) -> list[int]:
        stmt = select(HifzReview.page).where(HifzReview.revision_id == revision_id).order_by(HifzReview.page)
        return list((await self.s.execute(stmt)).scalars())

    async def revised_on(self, user_id: int, pages: list[int], day: date, source: str) -> set[int]:
        """Which of `pages` a revision from `source` covered on the user's local `day`."""
        stmt = (
            select(HifzReview.page)
            .join(HifzRevision, HifzRevision.id == HifzReview.revision_id)
            .where(
                HifzReview.user_id == user_id,
                HifzReview.page.in_(pages),
                HifzRevision.local_date == day,
                HifzRevision.source == source,
            )
        )
        return set((await self.s.execute(stmt)).scalars())

    async def log_of(self, user_id: int, pages: list[int]) -> dict[int, list[tuple[datetime, int]]]:
        """Each page's review log, oldest first: (when, rating) — what replaying a card needs."""
        stmt = (
            select(HifzReview.page, HifzRevision.recorded_at, HifzRevision.rating)
            .join(HifzRevision, HifzRevision.id == HifzReview.revision_id)
            .where(HifzReview.user_id == user_id, HifzReview.page.in_(pages))
            .order_by(HifzRevision.recorded_at, HifzRevision.id)
        )
        out: dict[int, list[tuple[datetime, int]]] = {}
        for page, at, rating in (await self.s.execute(stmt)).all():
            out.setdefault(page, []).append((at, rating))
        return out

    async def days_revised(self, user_id: int) -> set[date]:
        stmt = select(HifzRevision.local_date).where(HifzRevision.user_id == user_id).distinct()
        return set((await self.s.execute(stmt)).scalars())

    async def pages_revised_since(self, user_ids: list[int], first: date) -> dict[int, tuple[int, int]]:
        """Per user: (pages revised, days with a revision) since local day `first` (memorising excluded)."""
        if not user_ids:
            return {}
        stmt = (
            select(
                HifzRevision.user_id,
                func.count(HifzReview.page),
                func.count(func.distinct(HifzRevision.local_date)),
            )
            .join(HifzReview, HifzReview.revision_id == HifzRevision.id)
            .where(
                HifzRevision.user_id.in_(user_ids),
                HifzRevision.local_date >= first,
                HifzRevision.source != "memorised",
            )
            .group_by(HifzRevision.user_id)
        )
        return {u: (int(p), int(d)) for u, p, d in (await self.s.execute(stmt)).all()}

    # ---------------------------------------------------------------------------------------- halaqas
    async def halaqa(self, circle_id: int) -> Halaqa | None:
        return await self.s.get(Halaqa, circle_id)

    async def add_halaqa(self, halaqa: Halaqa) -> Halaqa:
        self.s.add(halaqa)
        await self.s.flush()
        return halaqa

    async def share(self, circle_id: int, user_id: int, now: datetime) -> bool:
        if await self.s.get(HifzShare, (circle_id, user_id)) is not None:
            return False
        self.s.add(HifzShare(circle_id=circle_id, user_id=user_id, shared_at=now))
        await self.s.flush()
        return True

    async def unshare(self, circle_id: int, user_id: int) -> bool:
        stmt = delete(HifzShare).where(HifzShare.circle_id == circle_id, HifzShare.user_id == user_id)
        return (await self.s.execute(stmt)).rowcount > 0

    async def sharing(self, circle_id: int) -> list[User]:
        """Members of the halaqa who share their hifz with its teacher (and are still members)."""
        stmt = (
            select(User)
            .join(HifzShare, HifzShare.user_id == User.id)
            .join(
                CircleMember,
                (CircleMember.circle_id == HifzShare.circle_id) & (CircleMember.user_id == User.id),
            )
            .where(HifzShare.circle_id == circle_id)
            .order_by(User.first_name, User.id)
        )
        return list((await self.s.execute(stmt)).scalars())

    async def shares(self, circle_id: int, user_id: int) -> bool:
        return await self.s.get(HifzShare, (circle_id, user_id)) is not None

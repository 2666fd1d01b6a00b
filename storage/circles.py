"""Queries for study circles (being built: see issue 7)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class CircleRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

"""Column types shared by the models."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class UTCDateTime(TypeDecorator[datetime]):
    """An instant in time: stored as UTC, always returned timezone-aware.

    Postgres keeps `timestamptz`; SQLite has no time zones, so the value is written as naive UTC and the zone
    is put back on read. A naive datetime is refused on the way in: it is always a bug (server-local time
    leaking into the data).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class CleanString(TypeDecorator[str]):
    """Text that people typed (names, group titles, messages), written without NUL characters.

    Postgres refuses NUL in text while SQLite stores it, so a NUL in a Telegram first name made every
    update of that user fail on Postgres only (docs/failures.md, 6). Removing it here covers every such
    column, present and future, instead of each place that writes one.
    """

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return clean(value)


def clean(value: str | None) -> str | None:
    """What a CleanString column stores for `value`: compare with this, not with the raw text, or a name
    with a NUL in it looks changed on every update."""
    if not value:
        return value
    # Lone UTF-16 surrogates (JSON can carry "\ud800") cannot be encoded as UTF-8: the driver would
    # refuse every statement with this user's name in it (docs/failures.md). The webhook cleans them
    # at the entry; this covers every other way in (polling, the console).
    return _LONE_SURROGATE.sub("\ufffd", value.replace("\x00", ""))


class CleanText(CleanString):
    impl = Text
    cache_ok = True

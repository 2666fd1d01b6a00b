"""Database URLs as hosting providers write them, made fit for SQLAlchemy's async drivers."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///quran-tracker.db"


def normalize_database_url(url: str) -> str:
    """Turn the URLs Fly.io and Heroku hand out into ones SQLAlchemy's async drivers accept.

    `postgres://` and `postgresql://` become `postgresql+asyncpg://`; libpq's `sslmode` (which asyncpg
    does not know) becomes asyncpg's `ssl` with the same value. SQLite URLs get the aiosqlite driver.
    """
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("postgres", "postgresql", "postgresql+asyncpg"):
        query = [("ssl", v) if k == "sslmode" else (k, v) for k, v in parse_qsl(parts.query)]
        return urlunsplit(("postgresql+asyncpg", parts.netloc, parts.path, urlencode(query), parts.fragment))
    if scheme in ("sqlite", "sqlite+aiosqlite"):
        return "sqlite+aiosqlite" + url[len(parts.scheme) :]
    raise ValueError("must start with postgres://, postgresql:// or sqlite+aiosqlite://")

"""Runtime configuration, read from the environment and an optional `.env` file.

The composition root (`bot.__main__`) loads it once and hands values down; nothing below `bot/` reads the
environment itself.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from storage import Database
from storage.db import Timeouts
from storage.urls import DEFAULT_DATABASE_URL, normalize_database_url

_LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL")
# Telegram's own rule for secret_token: 1-256 characters, A-Z a-z 0-9 _ -
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_BOT_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]{20,}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    telegram_bot_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    log_level: str = "INFO"
    log_format: Literal["auto", "text", "json"] = "auto"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    port: int = Field(default=8080, ge=1, le=65535)
    default_timezone: str = "UTC"
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    # The database (docs/runbook.md): seconds to wait before calling it unavailable — a transient failure,
    # answered 503 so Telegram redelivers — and PgBouncer in transaction mode (statement caches off).
    db_connect_timeout: float = Field(default=5.0, gt=0, le=120)
    db_statement_timeout: float = Field(default=10.0, gt=0, le=600)
    db_pool_timeout: float = Field(default=5.0, gt=0, le=120)
    db_pool_size: int = Field(default=5, ge=1, le=100)
    db_pgbouncer: bool = False
    # Two or more instances: every send takes a token from one bucket in Postgres (storage/rate.py), so
    # together they stay within Telegram's ~30 messages a second. One instance needs no shared bucket.
    shared_rate_budget: bool = False

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, v: SecretStr | None) -> SecretStr | None:
        if v is None or not v.get_secret_value():
            return None
        if not _BOT_TOKEN.fullmatch(v.get_secret_value()):
            raise ValueError("does not look like a bot token from @BotFather (digits:letters)")
        return v

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, v: str) -> str:
        return normalize_database_url(v)

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, v: str) -> str:
        if v.upper() not in _LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(_LOG_LEVELS)}")
        return v.upper()

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, v: str | None) -> str | None:
        if not v:
            return None
        if not v.startswith("https://"):
            raise ValueError("must be a public https:// URL (Telegram only calls HTTPS webhooks)")
        return v.rstrip("/")

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, v: SecretStr | None) -> SecretStr | None:
        if v is None or not v.get_secret_value():
            return None
        if not _WEBHOOK_SECRET.fullmatch(v.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return v

    @field_validator("default_timezone")
    @classmethod
    def _timezone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{v}' is not an IANA timezone such as Europe/London") from None
        return v

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admin_ids(cls, v: object) -> object:
        if isinstance(v, str):
            try:
                return [int(x) for x in re.split(r"[,\s]+", v.strip()) if x]
            except ValueError:
                raise ValueError("must be Telegram user ids separated by commas") from None
        return v

    def database(self) -> Database:
        """The database these settings describe (timeouts, pool, PgBouncer)."""
        return Database(
            self.database_url,
            pool_size=self.db_pool_size,
            timeouts=Timeouts(self.db_connect_timeout, self.db_statement_timeout, self.db_pool_timeout),
            pgbouncer=self.db_pgbouncer,
        )

    @property
    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None


class SettingsError(Exception):
    """A setting is invalid; `str()` is one line naming the variable, fit for a terminal."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]).upper() if err["loc"] else "settings"
        msg = err["msg"].removeprefix("Value error, ")
        more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
        raise SettingsError(f"Invalid setting {name}: {msg}{more}") from None

"""Logging: loguru everywhere, standard `logging` routed into it, secrets never written.

Text for a terminal, JSON lines in production. Every record passes through one sink wrapper that removes
the bot token (httpx logs request URLs, which contain it) and anything shaped like a bot token.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable
from typing import TextIO

from loguru import logger

_TOKEN_SHAPE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
_LEVELS = {"TRACE": 5, "DEBUG": 10, "INFO": 20, "SUCCESS": 25, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
# Libraries that are chatty at INFO: httpx logs every Bot API call (with the token in the URL).
_NOISY = {
    "httpx": 30,
    "httpcore": 30,
    "sqlalchemy.engine": 30,
    "aiosqlite": 30,
    "asyncio": 30,
    "apscheduler": 20,
    "telegram": 20,
    "alembic": 20,
}
TEXT_FORMAT = (
    "<green>{time:YYYY-MM-DD HH:mm:ss.SSS}</green> <level>{level: <8}</level> <cyan>{name}</cyan> {message}"
)


def text_format(record: dict) -> str:
    """TEXT_FORMAT, plus the bound fields (update id, user id) only when there are some: no stray `{}`."""
    tail = " <dim>{extra}</dim>" if record["extra"] else ""
    return TEXT_FORMAT + tail + "\n{exception}"


def make_redactor(secrets: list[str]) -> Callable[[str], str]:
    secrets = [s for s in secrets if s]

    def redact(text: str) -> str:
        for secret in secrets:
            text = text.replace(secret, "[REDACTED]")
        return _TOKEN_SHAPE.sub("[REDACTED]", text)

    return redact


class InterceptHandler(logging.Handler):
    """Sends standard-library records to loguru, keeping the original logger name and caller."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            level: str | int = logger.level(record.levelname).name
        except ValueError:
            level = record.levelno
        # Keep the library's own logger name, function and line (not this handler's).
        logger.patch(lambda r: r.update(name=record.name, function=record.funcName, line=record.lineno)).opt(
            exception=record.exc_info
        ).log(level, record.getMessage())


def setup_logging(
    level: str = "INFO", fmt: str = "auto", *, secrets: list[str] | None = None, stream: TextIO | None = None
) -> None:
    """Configure loguru once for the process. `fmt` is text, json or auto (json unless on a terminal)."""
    stream = stream or sys.stderr
    redact = make_redactor(secrets or [])
    json_lines = fmt == "json" or (fmt == "auto" and not stream.isatty())

    def sink(message: object) -> None:
        stream.write(redact(str(message)))
        stream.flush()

    logger.remove()
    if json_lines:
        logger.add(sink, level=level, serialize=True, backtrace=False, diagnose=False)
    else:
        logger.add(
            sink, level=level, format=text_format, colorize=stream.isatty(), backtrace=False, diagnose=False
        )
    # force=True replaces handlers other libraries (or alembic's fileConfig) may have installed. The root
    # level is ours: a library's record below it is never built (at level 0 every DEBUG call of PTB and
    # SQLAlchemy became a LogRecord that loguru then dropped, and uvicorn, seeing TRACE enabled, wrapped the
    # app in its per-message logging middleware).
    logging.basicConfig(handlers=[InterceptHandler()], level=_LEVELS[level], force=True)
    for name, lvl in _NOISY.items():
        logging.getLogger(name).setLevel(max(lvl, _LEVELS[level]))

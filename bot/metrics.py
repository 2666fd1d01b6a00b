"""Prometheus metrics: one place where every metric the bot exports is defined.

Served at `GET /metrics` by `bot.web`. The objects live in the process-wide default registry (which also
carries the `process_*` and `python_gc_*` collectors: resident memory, CPU, open fds), so define each one
here exactly once and import it where it is incremented.

Who increments what:
- `UPDATES`, `UPDATE_LATENCY`: `bot.web` (the webhook and polling paths feed every update through one
  metered function); `UPDATE_ERRORS`, `DB_ERRORS` (where="handler"): the one error handler,
  `bot.handlers.common.on_error`; `DB_ERRORS` (where="healthz"): `bot.web`'s health check.
- `NUDGES_SENT`, `NUDGES_FAILED`, `TICK_DURATION`, `LAST_TICK`: `bot.nudges`, from each tick's report.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

_NS = "quran_tracker"

UPDATES = Counter(
    "updates",
    "Telegram updates handled, by update type (message, callback_query, ...).",
    ["type"],
    namespace=_NS,
)
UPDATE_LATENCY = Histogram(
    "update_latency_seconds",
    "Time from receiving an update to the end of its handlers (replies sent).",
    namespace=_NS,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
UPDATE_ERRORS = Counter(
    "update_errors", "Updates whose handler raised, by exception class.", ["error"], namespace=_NS
)
DB_ERRORS = Counter(
    "database_errors",
    "Database failures: in a handler, or the health check's ping.",
    ["where"],
    namespace=_NS,
)
BAD_WEBHOOK_REQUESTS = Counter(
    "webhook_rejected",
    "Webhook requests refused: forbidden (secret) or bad_request (not an update).",
    ["reason"],
    namespace=_NS,
)

# The reminder scheduler's: counted by bot.nudges after each tick.
NUDGES_SENT = Counter("nudges_sent", "Reminder messages delivered to Telegram.", namespace=_NS)
NUDGES_FAILED = Counter(
    "nudges_failed",
    "Reminder messages that failed, by reason (blocked, rate_limited, error).",
    ["reason"],
    namespace=_NS,
)
TICK_DURATION = Histogram(
    "scheduler_tick_seconds",
    "Duration of one scheduler tick (finding due reminders and sending them).",
    namespace=_NS,
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
LAST_TICK = Gauge(
    "scheduler_last_tick_timestamp_seconds",
    "Unix time of the scheduler's last completed tick.",
    namespace=_NS,
)

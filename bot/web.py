"""The HTTP side of the bot: Telegram's webhook, `/healthz`, `/livez`, `/readyz` and `/metrics`, as one
small ASGI app.

Health: `/livez` is liveness (the process and its loop answer), `/readyz` readiness (database reachable,
Telegram reached at start-up), `/healthz` both plus the scheduler's heartbeat; none waits for a tick.
Telegram's start-up (getMe, setWebhook) runs in the background and is retried with backoff: an
unreachable Telegram or a refused setWebhook never ends the process (webhook posts get 503 meanwhile).

The boundary: the body is read as it streams, refused past MAX_UPDATE_BYTES (413); the JSON is cleaned
before anything sees it (`clean_update`: lone surrogates and NUL, integers beyond int64 → 400).

PTB's built-in webhook server has no health route, so we serve the webhook ourselves (after PTB's
`examples/customwebhookbot/starlettebot.py`) with Starlette under uvicorn. The same app runs in both modes:

- **webhook** (`WEBHOOK_URL` set): `POST <path of WEBHOOK_URL>` takes updates; the webhook is (re)set with
  our secret on every start. Telegram's `X-Telegram-Bot-Api-Secret-Token` must equal `WEBHOOK_SECRET`
  (403 otherwise, compared in constant time); a body that is not an update gets 400 and nothing else
  happens.
- **polling** (no `WEBHOOK_URL`): a `telegram.ext.Updater` long-polls into a queue of our own and the
  same `UpdateRunner` handles what it fetches; the HTTP app serves only `/healthz` and `/metrics`.

How a webhook update is handled — processed *inside* the request, not put on `application.update_queue`:
the response goes out only after the handlers ran (their replies sent, their unit of work committed).
- At-least-once: if the process dies mid-update, Telegram got no 200 and delivers it again; with the
  queue, a 200 would already have been given for an update that is then lost. (Handlers must tolerate a
  redelivery after a crash; that was true of polling already.)
- Backpressure: we go through `application.update_processor`, so the app's concurrency limit (PTB's
  default: one update at a time, like polling) holds for webhooks too, and extra requests wait on an open
  connection. Telegram then simply sends less (at most `WEBHOOK_MAX_CONNECTIONS` at once) instead of us
  buffering an unbounded queue in memory.
- Graceful shutdown comes for free: on SIGTERM uvicorn stops accepting connections and waits for the
  requests in flight, i.e. for the updates being handled, before running the lifespan shutdown.
A handler that raises a bug still yields 200 (PTB hands the exception to the error handlers, which
apologise): retrying a deterministic failure would only make Telegram repeat it forever. A *transient*
database failure (storage/errors.py: the database down, a timeout, the pool exhausted, a serialization
failure) yields 503 and no apology: nothing was committed, Telegram delivers the update again, and the
update-id claim (storage/updates.py) makes that redelivery safe. In polling mode the fetched update is
retried here, with backoff.

Lifespan: PTB's `run_polling`/`run_webhook` normally call `post_init`, `post_stop` and `post_shutdown`
(the app's command menu and database disposal hang there); since we run the Application ourselves, the
lifespan calls them at the same points.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from loguru import logger
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application, Updater

from bot import metrics
from bot.runtime import ALLOWED_UPDATES
from storage import Database
from storage.errors import is_transient

DEFAULT_WEBHOOK_PATH = "/telegram"
HEALTH_PATH = "/healthz"
LIVE_PATH = "/livez"
READY_PATH = "/readyz"
STARTUP_RETRY_DELAYS = (1, 2, 5, 10, 30, 60, 120, 300)  # seconds; the last one repeats
METRICS_PATH = "/metrics"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_MAX_CONNECTIONS = 10  # Telegram's parallel webhook requests; extra ones wait at Telegram
MAX_UPDATE_BYTES = 1 << 20  # an update is a few KB; refuse to buffer anything absurd
DB_PING_TIMEOUT = 3.0  # seconds; an unreachable database must not hang the health check
DEFAULT_MAX_TICK_AGE = timedelta(seconds=180)
POLLING_RETRY_DELAYS = (0.5, 1, 2, 4, 8, 15, 30, 60)  # seconds between retries of a fetched update

Heartbeat = Callable[[], datetime | None]
Hook = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class Webhook:
    """Where Telegram sends updates. The route we serve is the path of `url` (`/telegram` if it has none)."""

    url: str
    secret: str

    @property
    def path(self) -> str:
        return urlsplit(self.url).path.rstrip("/") or DEFAULT_WEBHOOK_PATH

    @property
    def public_url(self) -> str:
        """The URL given to setWebhook: `url` with the path we actually serve."""
        parts = urlsplit(self.url)
        return urlunsplit((parts.scheme, parts.netloc, self.path, "", ""))


def update_type(update: object) -> str:
    """`message`, `callback_query`, ... — the field of the update that is set."""
    if isinstance(update, Update):
        for kind in Update.ALL_TYPES:
            if getattr(update, kind, None) is not None:
                return kind
        return "unknown"
    return type(update).__name__


INT64 = range(-(2**63), 2**63)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # json.loads has already joined the valid pairs


def clean_text(value: str) -> str:
    """NUL removed (Postgres refuses it in text) and lone UTF-16 surrogates replaced by U+FFFD (they
    cannot be encoded as UTF-8, so the driver refuses the whole statement): docs/failures.md."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    return _LONE_SURROGATE.sub("\ufffd", value)


def clean_update(data: Any) -> Any:
    """An update's JSON made safe for everything behind it: every string cleaned (first names, texts,
    titles, callback data — at the entry, once), every integer within int64 (Telegram's ids are; a larger
    one is a forged update, and would overflow BIGINT) — ValueError otherwise, answered 400."""
    if isinstance(data, str):
        return clean_text(data)
    if isinstance(data, bool) or data is None or isinstance(data, float):
        return data
    if isinstance(data, int):
        if data not in INT64:
            raise ValueError("an integer beyond int64")
        return data
    if isinstance(data, list):
        return [clean_update(item) for item in data]
    if isinstance(data, dict):
        return {clean_text(str(key)): clean_update(value) for key, value in data.items()}
    return data


async def read_limited(request: Request, limit: int) -> bytes | None:
    """The body, read as it streams in and abandoned past `limit` bytes (None): twenty 10 MB posts must
    not be buffered whole before anyone looks at their size."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


class TransientFailure(Exception):
    """The update failed on a database that is down or overloaded: answer 5xx, Telegram delivers it again."""


RUNNER_KEY = "update_runner"  # bot_data: the runner, for the error handler


class UpdateRunner:
    """The one way an update gets handled, in both modes: metered, logged, within the app's concurrency."""

    def __init__(self, application: Application) -> None:
        self.application = application
        self._running: set[int] = set()
        self._transient: dict[int, BaseException] = {}
        # The app's one error handler (bot.handlers.common.on_error) asks `held_for_retry` first.
        application.bot_data[RUNNER_KEY] = self

    def held_for_retry(self, update: object, error: BaseException | None) -> bool:
        """A transient database failure of an update this runner is running: not the user's to hear about
        — the update is answered 5xx and Telegram delivers it again — so there is no apology. True when
        the error is held for that (the error handler then stops)."""
        if not (isinstance(update, Update) and update.update_id in self._running and is_transient(error)):
            return False
        self._transient[update.update_id] = error  # type: ignore[assignment]
        metrics.DB_ERRORS.labels("handler").inc()
        logger.bind(update_id=update.update_id).warning(
            "database unavailable ({}: {}); the update will be retried",
            type(error).__name__,
            str(error)[:200],
        )
        return True

    async def process(self, update: Update) -> None:
        """Handle one update. Raises TransientFailure if the database failed in a way a retry can fix
        (nothing was committed: the unit of work rolled back)."""
        self._running.add(update.update_id)
        try:
            await self._process(update)
        finally:
            self._running.discard(update.update_id)
        error = self._transient.pop(update.update_id, None)
        if error is not None:
            raise TransientFailure(f"update {update.update_id}") from error

    async def _process(self, update: Update) -> None:
        app = self.application

        async def timed() -> None:
            started = time.perf_counter()
            try:
                await app.process_update(update)
            finally:
                metrics.UPDATE_LATENCY.observe(time.perf_counter() - started)
                metrics.UPDATES.labels(update_type(update)).inc()

        with logger.contextualize(update_id=update.update_id):
            await app.update_processor.process_update(update, timed())


class Poller:
    """Long polling into our own queue, drained by `UpdateRunner` (so polling is metered like webhooks)."""

    def __init__(self, runner: UpdateRunner) -> None:
        self.runner = runner
        self.queue: asyncio.Queue[object] = asyncio.Queue()
        self.updater = Updater(bot=runner.application.bot, update_queue=self.queue)
        self._consumer: asyncio.Task[None] | None = None
        self._in_flight: set[asyncio.Task[None]] = set()

    @property
    def running(self) -> bool:
        return self.updater.running and self._consumer is not None and not self._consumer.done()

    async def start(self) -> None:
        await self.updater.initialize()
        # start_polling deletes a webhook left from webhook mode first (Telegram refuses getUpdates else).
        await self.updater.start_polling(allowed_updates=list(ALLOWED_UPDATES))
        self._consumer = asyncio.create_task(self._consume(), name="poller-consumer")

    async def _consume(self) -> None:
        concurrent = self.runner.application.update_processor.max_concurrent_updates > 1
        while True:
            update = await self.queue.get()
            try:
                if not isinstance(update, Update):
                    continue
                if concurrent:  # the update processor bounds how many run at once
                    task = asyncio.create_task(self._process_retrying(update))
                    self._in_flight.add(task)
                    task.add_done_callback(self._in_flight.discard)
                else:
                    await self._process_retrying(update)
            except Exception:
                logger.exception("update {} failed outside its handlers", getattr(update, "update_id", "?"))
            finally:
                self.queue.task_done()

    async def _process_retrying(self, update: Update) -> None:
        """Telegram counts a fetched update as delivered: while the database is away, we retry it here."""
        for delay in POLLING_RETRY_DELAYS:
            try:
                await self.runner.process(update)
                return
            except TransientFailure:
                await asyncio.sleep(delay)
        try:
            await self.runner.process(update)
        except TransientFailure:
            logger.error("update {} dropped: the database stayed unavailable", update.update_id)

    async def stop(self) -> None:
        """Stop fetching, then finish what was fetched: Telegram already counts it as delivered."""
        if self.updater.running:
            await self.updater.stop()
        if self._consumer is not None:
            await self.queue.join()
            self._consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._consumer
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)


class Health:
    """What `/healthz` checks: each check is `{"ok": bool, ...details}`; 200 only if all are ok."""

    def __init__(
        self,
        *,
        db: Database,
        application: Application,
        poller: Poller | None,
        heartbeat: Heartbeat | None,
        max_tick_age: timedelta,
        require_scheduler: bool,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self.application = application
        self.poller = poller
        self.heartbeat = heartbeat
        self.max_tick_age = max_tick_age
        self.require_scheduler = require_scheduler
        self.clock = clock
        self.serving = False  # set by the lifespan once everything has started, cleared when stopping
        self.telegram_error: str | None = None  # why Telegram's start-up failed last (retried)
        self.telegram_attempts = 0
        self.started_at = clock()

    async def database(self) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            ok = await asyncio.wait_for(self.db.ping(), DB_PING_TIMEOUT)
        except TimeoutError:
            ok = False
        if not ok:
            metrics.DB_ERRORS.labels("healthz").inc()
            return {"ok": False, "error": "unreachable"}
        return {"ok": True, "latency_ms": round((time.perf_counter() - started) * 1000, 1)}

    def bot(self) -> dict[str, Any]:
        mode = "webhook" if self.poller is None else "polling"
        running = self.serving and self.application.running
        if self.poller is not None:
            running = running and self.poller.running
        return {"ok": running, "mode": mode, "running": running}

    def telegram(self) -> dict[str, Any]:
        if self.telegram_error is not None:
            return {"ok": False, "error": self.telegram_error, "failed_attempts": self.telegram_attempts}
        return {"ok": self.serving, "status": "reached" if self.serving else "starting"}

    def scheduler(self) -> dict[str, Any]:
        if self.heartbeat is None:
            return {"ok": not self.require_scheduler, "status": "not running"}
        last = self.heartbeat()
        if last is None:  # the first tick may take long with many due: not a failure until max age
            waited = (self.clock() - self.started_at).total_seconds()
            ok = waited <= self.max_tick_age.total_seconds()
            return {"ok": ok, "status": "no tick yet", "max_age_s": self.max_tick_age.total_seconds()}
        age = (self.clock() - last).total_seconds()
        ok = age <= self.max_tick_age.total_seconds()
        return {
            "ok": ok,
            "status": "ticking" if ok else "stale",
            "last_tick": last.isoformat(),
            "age_s": round(age, 1),
            "max_age_s": self.max_tick_age.total_seconds(),
        }

    async def report(self) -> tuple[bool, dict[str, Any]]:
        checks = {
            "database": await self.database(),
            "bot": self.bot(),
            "telegram": self.telegram(),
            "scheduler": self.scheduler(),
        }
        ok = all(check["ok"] for check in checks.values())
        return ok, {"status": "ok" if ok else "fail", "checks": checks}


def create_web_app(
    application: Application,
    *,
    db: Database,
    webhook: Webhook | None = None,
    heartbeat: Heartbeat | None = None,
    max_tick_age: timedelta = DEFAULT_MAX_TICK_AGE,
    require_scheduler: bool = False,
    on_startup: Sequence[Hook] = (),
    on_shutdown: Sequence[Hook] = (),
    retry_delays: Sequence[float] = STARTUP_RETRY_DELAYS,
) -> Starlette:
    """The ASGI app that runs `application`: webhook mode with `webhook`, long polling without.

    `heartbeat` returns the scheduler's last tick (UTC) or None before the first; with no heartbeat the
    scheduler is reported "not running", which fails health only if `require_scheduler`. `on_startup`
    hooks run after the bot started (start the scheduler there), `on_shutdown` hooks before it stops.
    """
    runner = UpdateRunner(application)
    poller = None if webhook is not None else Poller(runner)
    health = Health(
        db=db,
        application=application,
        poller=poller,
        heartbeat=heartbeat,
        max_tick_age=max_tick_age,
        require_scheduler=require_scheduler,
    )

    async def start_bot() -> None:
        """Telegram's side of start-up, retried with backoff until it works: a network blip, a revoked
        token or a refused setWebhook must not end the process (Fly gives up on a crash loop after ten
        restarts, and then no reminder goes out at all). Health reports it meanwhile."""
        delays = iter(retry_delays)
        delay = 1.0
        while True:
            try:
                await application.initialize()
                if application.post_init:
                    await application.post_init(application)
                if webhook is not None:
                    await application.bot.set_webhook(
                        webhook.public_url,
                        secret_token=webhook.secret,
                        allowed_updates=list(ALLOWED_UPDATES),
                        max_connections=WEBHOOK_MAX_CONNECTIONS,
                    )
                    logger.info("webhook set to {}; serving {}", webhook.public_url, webhook.path)
                break
            except Exception as exc:  # unreachable, 401 (bad token), setWebhook refused: all retried
                delay = next(delays, delay)
                health.telegram_error = f"{type(exc).__name__}: {str(exc)[:200]}"
                health.telegram_attempts += 1
                logger.error(
                    "Telegram start-up failed ({}); retrying in {}s", health.telegram_error, round(delay, 1)
                )
                await asyncio.sleep(delay)
        health.telegram_error = None
        await application.start()
        if poller is not None:
            await poller.start()
            logger.info("long polling started")
        for hook in on_startup:
            await hook()
        health.serving = True
        ready.set()

    ready = asyncio.Event()

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        starter = asyncio.create_task(start_bot(), name="telegram-start-up")
        try:
            yield
        finally:
            health.serving = False
            logger.info("shutting down: finishing work in flight")
            if not starter.done():
                starter.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await starter
            for hook in reversed(on_shutdown):
                try:
                    await hook()
                except Exception:
                    logger.exception("shutdown hook {} failed", getattr(hook, "__name__", hook))
            if poller is not None:
                await poller.stop()
            if application.running:
                await application.stop()
                if application.post_stop:
                    await application.post_stop(application)
            await application.shutdown()
            if application.post_shutdown:
                await application.post_shutdown(application)  # disposes the database pool
            logger.info("stopped")

    async def telegram(request: Request) -> Response:
        assert webhook is not None
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), webhook.secret.encode()):
            metrics.BAD_WEBHOOK_REQUESTS.labels("forbidden").inc()
            logger.warning(
                "webhook request without the right secret from {}",
                request.client.host if request.client else "?",
            )
            return Response(status_code=403)
        if not ready.is_set():  # still starting (Telegram unreachable?): Telegram will deliver it again
            return Response(status_code=503, headers={"Retry-After": "5"})
        body = await read_limited(request, MAX_UPDATE_BYTES)
        if body is None:
            metrics.BAD_WEBHOOK_REQUESTS.labels("too_large").inc()
            logger.warning("webhook body over {} bytes refused", MAX_UPDATE_BYTES)
            return Response(status_code=413)
        try:
            data = clean_update(json.loads(body))
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an object with an integer update_id")
            update = Update.de_json(data, application.bot)
        except Exception as exc:  # anything that is not an update: refuse it, keep serving
            metrics.BAD_WEBHOOK_REQUESTS.labels("bad_request").inc()
            logger.warning(
                "webhook body is not an update ({}: {}), {} bytes",
                type(exc).__name__,
                str(exc)[:200],
                len(body),
            )
            return Response(status_code=400)
        try:
            await runner.process(update)
        except TransientFailure:
            # Nothing was committed; Telegram redelivers on any non-2xx, and the claim makes that safe.
            return Response(status_code=503, headers={"Retry-After": "1"})
        return Response(status_code=200)

    async def healthz(_: Request) -> Response:
        ok, body = await health.report()
        return JSONResponse(body, status_code=200 if ok else 503)

    async def livez(_: Request) -> Response:
        """Liveness: the process is up and its event loop answers (this very response proves it). Never
        the database or Telegram: restarting a live process does not bring either back."""
        return JSONResponse({"status": "ok", "starting": not ready.is_set()})

    async def readyz(_: Request) -> Response:
        """Readiness: can this instance do its work — database reachable, Telegram reached (start-up
        done). Not the scheduler's progress: a long first tick is not unreadiness."""
        checks = {"database": await health.database(), "bot": health.bot(), "telegram": health.telegram()}
        ok = all(check["ok"] for check in checks.values())
        return JSONResponse(
            {"status": "ok" if ok else "fail", "checks": checks}, status_code=200 if ok else 503
        )

    async def metrics_endpoint(_: Request) -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    routes = [
        Route(HEALTH_PATH, healthz, methods=["GET"]),
        Route(LIVE_PATH, livez, methods=["GET"]),
        Route(READY_PATH, readyz, methods=["GET"]),
        Route(METRICS_PATH, metrics_endpoint, methods=["GET"]),
    ]
    if webhook is not None:
        routes.append(Route(webhook.path, telegram, methods=["POST"]))
    web = Starlette(routes=routes, lifespan=lifespan)
    web.state.health = health
    web.state.runner = runner
    web.state.poller = poller
    web.state.ready = ready  # set once Telegram's start-up is done
    return web

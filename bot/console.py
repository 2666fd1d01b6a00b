"""Local console mode: chat with the real bot in a terminal, no token and no network.

The real :class:`telegram.ext.Application` and handlers run; Telegram itself is replaced by
:class:`fake_telegram.FakeBotAPI`. Each input line is a message from a local user; the bot's
replies are printed, inline buttons are shown as numbered choices (type the number to press
one). Piped stdin works and the console exits at EOF::

    printf '/start\\nread al-kahf 1-20\\n/progress\\n' | python -m bot console

Build the application with the fake as both request objects, e.g.::

    fake = FakeBotAPI()
    app = ApplicationBuilder().token(CONSOLE_TOKEN).request(fake).get_updates_request(fake).build()
    await run_console(app, fake)

or let :func:`console_main` do the asyncio plumbing.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import re
import shlex
import sys
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from time import time_ns
from typing import Any, TextIO

from telegram import Update
from telegram.ext import Application

from fake_telegram import FakeBotAPI, UpdateFactory
from fake_telegram.htmltext import ParsedHTML, parse_html
from fake_telegram.server import EDIT_METHODS, SEND_METHODS, ApiCall, Clock
from tracker.clock import zone
from tracker.reminders import next_due  # the scheduler's own rule for "the next HH:MM"

__all__ = ["CONSOLE_TOKEN", "ConsoleClock", "console_main", "parse_clock", "render_text", "run_console"]

CONSOLE_TOKEN = "123456:CONSOLE"
"""A syntactically valid token for the offline bot (the fake never checks it)."""

SETTLE_TIMEOUT = 30.0
"""Seconds to wait for non-blocking handler tasks started by one input line."""

CLOCK_STEP = timedelta(minutes=15)
"""`:clock` moves time in steps of at most this, ticking the scheduler at each one: every reminder falls
due within a step (on time when set on a quarter hour) and well inside the scheduler's grace window."""

FIRST_GROUP_ID = -1_001_000_000_001  # simulated groups are supergroups: -100… ids
FIRST_MEMBER_ID = 1_001  # simulated group members

_LOCATION_RE = re.compile(r"^/location(?:@\w+)?\s+(-?\d+(?:\.\d+)?)[\s,]+(-?\d+(?:\.\d+)?)\s*$")

_ANSI = {
    "b": ("\033[1m", "\033[22m"),
    "strong": ("\033[1m", "\033[22m"),
    "i": ("\033[3m", "\033[23m"),
    "em": ("\033[3m", "\033[23m"),
    "u": ("\033[4m", "\033[24m"),
    "ins": ("\033[4m", "\033[24m"),
    "s": ("\033[9m", "\033[29m"),
    "strike": ("\033[9m", "\033[29m"),
    "del": ("\033[9m", "\033[29m"),
    "code": ("\033[36m", "\033[39m"),
    "pre": ("\033[36m", "\033[39m"),
}
_DIM = ("\033[2m", "\033[22m")


class _TerminalHTML(ParsedHTML):
    """The fake Telegram's HTML parser (the text as Telegram reads it), with ANSI styles and link targets
    written into the text it collects."""

    def __init__(self, color: bool) -> None:
        super().__init__()
        self.color = color
        self.link_start: list[int] = []

    def start(self, tag: str, argument: str) -> None:
        if self.color and tag in _ANSI:
            self.parts.append(_ANSI[tag][0])
        if tag == "a":
            self.link_start.append(len(self.parts))

    def end(self, tag: str, argument: str) -> None:
        if self.color and tag in _ANSI:
            self.parts.append(_ANSI[tag][1])
        if tag == "a" and self.link_start:
            label = "".join(self.parts[self.link_start.pop() :])
            if argument and argument != label:
                self.parts.append(f" ({argument})")


def render_text(text: str, parse_mode: str | None, *, color: bool = False) -> str:
    """Turn a bot text into terminal text: HTML tags stripped (or ANSI styles with ``color``),
    entities unescaped, links shown as ``label (url)``."""
    mode = (parse_mode or "").upper()
    if mode == "HTML":
        return parse_html(text, into=_TerminalHTML(color)).text
    if mode == "MARKDOWNV2":
        return re.sub(r"\\(.)", r"\1", text)
    return text


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{round(n / 1024)} KB"
    return f"{n / (1024 * 1024):.1f} MB"


class ConsoleClock:
    """The console's time: the system clock plus an offset that `:clock` moves forward (never back,
    as time does for the scheduler's claims). Pass it to the bot, the scheduler and the updates."""

    def __init__(self, base: Clock | None = None) -> None:
        self.base: Clock = base or (lambda: datetime.now(UTC))
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return self.base() + self.offset

    def advance_to(self, when: datetime) -> None:
        now = self()
        if when > now:
            self.offset += when - now


_CLOCK_AT_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
_CLOCK_BY_RE = re.compile(r"^\+(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


def parse_clock(arg: str, now: datetime, timezone: str) -> datetime | None:
    """Where `:clock ARG` moves the clock: `21:00` is the next 21:00 in `timezone` (later today or
    tomorrow), `+1d`, `+2h`, `+30m`, `+1d2h` move by that much. None if ARG is neither."""
    arg = arg.strip().lower()
    at = _CLOCK_AT_RE.match(arg)
    if at:
        hour, minute = int(at.group(1)), int(at.group(2))
        if hour > 23 or minute > 59:
            return None
        return next_due(time(hour, minute), timezone, now)
    by = _CLOCK_BY_RE.match(arg)
    if by and any(by.groups()):
        days, hours, minutes = (int(g or 0) for g in by.groups())
        return now + timedelta(days=days, hours=hours, minutes=minutes)
    return None


@dataclass
class _Sender:
    user_id: int
    first_name: str


@dataclass
class _Group:
    chat_id: int
    title: str


def _inline_image(data: bytes) -> str | None:
    """An inline image for terminals that show them (iTerm2's OSC 1337, also WezTerm), else None."""
    if os.environ.get("TERM_PROGRAM") not in ("iTerm.app", "WezTerm"):
        return None
    payload = base64.b64encode(data).decode("ascii")
    return f"\033]1337;File=inline=1;size={len(data)};preserveAspectRatio=1:{payload}\a"


class _Console:
    def __init__(
        self,
        application: Application,
        fake: FakeBotAPI,
        *,
        stdout: TextIO,
        user_id: int,
        first_name: str,
        language_code: str,
        clock: Clock | None,
        save_dir: Path | None,
        color: bool,
        echo_input: bool,
        interactive: bool = False,
        tick: Callable[[], Awaitable[Any]] | None = None,
        timezone_of: Callable[[int], Awaitable[str]] | None = None,
    ) -> None:
        self.app = application
        self.fake = fake
        self.stdout = stdout
        self.me = _Sender(user_id, first_name)
        self.sender = self.me
        self.user_id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.clock = clock
        self.save_dir = save_dir
        self.color = color
        self.echo_input = echo_input
        self.interactive = interactive
        self.tick = tick
        self.timezone_of = timezone_of
        # Update ids only go up on one database, as Telegram's do for one bot: every update is claimed by its
        # id (a redelivery repeats the first answer), so a second console session numbering from 1 again
        # would be answered with the first session's replies. Milliseconds of wall time keep them rising.
        self.updates = UpdateFactory(clock=clock, fake=fake, start_update_id=time_ns() // 1_000_000)
        self.seen = len(fake.calls)
        self.members: dict[str, _Sender] = {}  # simulated people, by lower-cased name
        self.groups: dict[str, _Group] = {}  # simulated groups, by lower-cased title
        self.group: _Group | None = None  # where messages go now (None: the sender's private chat)
        # the inline keyboard under the bot's last message in each chat: (chat_id, message_id), buttons
        self.keyboards: dict[int, tuple[tuple[int, int], list[dict[str, Any]]]] = {}
        self.busy = False

    # ---- where we are ---------------------------------------------------------------------------

    @property
    def chat_id(self) -> int:
        return self.group.chat_id if self.group else self.sender.user_id

    @property
    def choices(self) -> list[dict[str, Any]]:
        return self.keyboards.get(self.chat_id, ((0, 0), []))[1]

    @property
    def choice_msg(self) -> tuple[int, int] | None:
        keyboard = self.keyboards.get(self.chat_id)
        return keyboard[0] if keyboard else None

    def where(self) -> str:
        who = "" if self.sender is self.me else self.sender.first_name
        if self.group:
            return f"[{self.group.title}] {who or self.me.first_name}"
        return f"[{who}, private]" if who else ""

    def prompt(self) -> None:
        if self.interactive:
            label = self.where()
            self.stdout.write(self.dim(f"{label} › " if label else "› "))
            self.stdout.flush()

    # ---- output --------------------------------------------------------------------------------

    def write(self, line: str = "") -> None:
        self.stdout.write(line + "\n")
        self.stdout.flush()

    def dim(self, text: str) -> str:
        return f"{_DIM[0]}{text}{_DIM[1]}" if self.color else text

    def banner(self) -> None:
        self.write("Quran Tracker — offline console (no Telegram, no network).")
        self.write("Type messages as a Telegram user would, e.g. /start.")
        self.write("  N                  press button N under the bot's last message")
        self.write("  \\TEXT              send TEXT literally (e.g. \\5 when buttons are shown)")
        self.write("  /location LAT LON  share a location, e.g. /location 21.42 39.83")
        self.write("  :clock 21:00       move the clock to the next 21:00 (or :clock +1d, +2h, +30m);")
        self.write("                     reminders due on the way arrive as they would")
        self.write('  :group "Halaqa"    add the bot to a group and talk there (:private to come back)')
        self.write("  :as Aisha          speak as another person (:as me to be yourself again)")
        if self.save_dir is not None:
            self.write(f"Pictures and files are saved in {self.save_dir}/.")
        self.write("Ctrl-D (end of input) or Ctrl-C quits.")
        self.write()

    def flush(self) -> None:
        """Print every bot action recorded since the last flush, in order."""
        calls = self.fake.calls
        if len(calls) < self.seen:  # somebody cleared the recording
            self.seen = 0
        new, self.seen = calls[self.seen :], len(calls)
        for call in new:
            self.show(call)

    def show(self, call: ApiCall) -> None:
        if not call.ok:
            if call.method != "getUpdates":
                self.write(self.dim(f"(Telegram refused {call.method}: {call.error})"))
            return
        if call.method in SEND_METHODS:
            self.show_sent(call)
        elif call.method in EDIT_METHODS:
            self.show_edit(call)
        elif call.method == "answerCallbackQuery" and call.params.get("text"):
            kind = "alert" if call.params.get("show_alert") else "notice"
            self.write(self.dim(f"({kind}) {call.params['text']}"))
        elif call.method == "deleteMessage":
            self.write(self.dim("(a message was deleted)"))

    def prefix(self, chat_id: int | None) -> str:
        """Nothing for the chat we are in; otherwise which chat a message went to."""
        if chat_id is None or chat_id == self.chat_id:
            return ""
        group = next((g for g in self.groups.values() if g.chat_id == chat_id), None)
        if group is not None:
            return self.dim(f"[in {group.title}] ")
        if chat_id == self.me.user_id:
            return self.dim(f"[to {self.me.first_name}, privately] ")
        member = next((m for m in self.members.values() if m.user_id == chat_id), None)
        if member is not None:
            return self.dim(f"[to {member.first_name}, privately] ")
        return self.dim(f"[to chat {chat_id}] ")

    def show_sent(self, call: ApiCall) -> None:
        msg = call.result
        chat_id = msg["chat"]["id"]
        parse_mode = call.params.get("parse_mode")
        prefix = self.prefix(chat_id)
        if call.method == "sendMessage":
            self.write(prefix + render_text(str(call.params.get("text", "")), parse_mode, color=self.color))
        else:
            kind = "photo" if call.method == "sendPhoto" else "document"
            upload = next((f for f in call.files if f.field == kind), call.files[0] if call.files else None)
            if upload is None:
                label = f"[{kind}: {call.params.get(kind)}]"
            else:
                label = f"[{kind}: {upload.filename}, {_size(upload.size)}"
                saved = self.save(upload.filename, upload.data, msg["message_id"])
                label += f", saved to {saved}]" if saved else "]"
            self.write(prefix + label)
            if upload is not None and kind == "photo" and self.color:
                image = _inline_image(upload.data)
                if image:
                    self.write(image)
            if call.params.get("caption"):
                self.write(render_text(str(call.params["caption"]), parse_mode, color=self.color))
        markup = call.params.get("reply_markup") or {}
        rows = markup.get("inline_keyboard") or []
        self.keyboards[chat_id] = ((chat_id, msg["message_id"]), [button for row in rows for button in row])
        self.show_buttons(rows, start=1 if chat_id == self.chat_id else None)

    def show_edit(self, call: ApiCall) -> None:
        params = call.params
        chat_id = params.get("chat_id")
        parse_mode = params.get("parse_mode")
        prefix = self.prefix(chat_id)
        if call.method == "editMessageText":
            text = render_text(str(params.get("text", "")), parse_mode, color=self.color)
            self.write(prefix + self.dim("(edited) ") + text)
        elif call.method == "editMessageCaption":
            text = render_text(str(params.get("caption", "")), parse_mode, color=self.color)
            self.write(prefix + self.dim("(caption edited) ") + text)
        rows = (params.get("reply_markup") or {}).get("inline_keyboard") or []
        key = None
        if isinstance(call.result, dict):
            key = (call.result["chat"]["id"], call.result["message_id"])
        keyboard = self.keyboards.get(key[0]) if key else None
        is_choice_msg = keyboard is not None and keyboard[0] == key
        if is_choice_msg and key is not None:
            self.keyboards[key[0]] = (key, [button for row in rows for button in row])
        if call.method == "editMessageReplyMarkup" and not rows:
            self.write(prefix + self.dim("(buttons removed)"))
        elif call.method == "editMessageReplyMarkup":
            self.write(prefix + self.dim("(buttons changed)"))
        in_this_chat = key is not None and key[0] == self.chat_id
        self.show_buttons(rows, start=1 if is_choice_msg and in_this_chat else None)

    def show_buttons(self, rows: list[list[dict[str, Any]]], start: int | None) -> None:
        number = start
        for row in rows:
            cells = []
            for button in row:
                text = str(button.get("text", ""))
                if button.get("url"):
                    text += " ↗"
                if number is None:
                    cells.append(f"[{text}]")
                else:
                    cells.append(f"[{number}] {text}")
                    number += 1
            self.write("  " + "   ".join(cells))

    def save(self, filename: str, data: bytes, message_id: int) -> Path | None:
        if self.save_dir is None:
            return None
        self.save_dir.mkdir(parents=True, exist_ok=True)
        path = self.save_dir / f"{message_id:04d}-{Path(filename).name or 'file'}"
        path.write_bytes(data)
        return path

    # ---- console commands (`:…`) ---------------------------------------------------------------

    async def command(self, line: str) -> None:
        name, _, arg = line[1:].partition(" ")
        name, arg = name.lower(), arg.strip()
        if name == "clock":
            await self.move_clock(arg)
        elif name == "group":
            await self.join_group(arg)
        elif name == "private":
            self.group = None
            self.write(self.dim(f"(now in {self.sender.first_name}'s private chat with the bot)"))
        elif name == "as":
            self.speak_as(arg)
        else:
            self.write(
                self.dim("(console commands: :clock 21:00 | :clock +1d | :group NAME | :private | :as NAME)")
            )

    async def move_clock(self, arg: str) -> None:
        if self.clock is None or not isinstance(self.clock, ConsoleClock):
            self.write(self.dim("(this console's clock cannot be moved)"))
            return
        timezone = await self.timezone_of(self.me.user_id) if self.timezone_of else "UTC"
        now = self.clock()
        if not arg:
            self.write(self.dim(f"(it is {_clock_text(now, timezone)})"))
            return
        target = parse_clock(arg, now, timezone)
        if target is None:
            self.write(self.dim("(usage: :clock 21:00 — the next 21:00 — or :clock +1d, +2h, +30m, +1d2h)"))
            return
        self.write(self.dim(f"(moving the clock to {_clock_text(target, timezone)})"))
        # Walk there in steps, ticking at each, so every reminder due on the way is sent as it would be,
        # and shown with the time it arrived.
        while self.clock() < target:
            here = self.clock()
            step_start = here - timedelta(
                minutes=here.minute % 15, seconds=here.second, microseconds=here.microsecond
            )
            self.clock.advance_to(min(target, step_start + CLOCK_STEP))
            if self.tick is not None:
                await self.tick()
            if self.seen < len(self.fake.calls):
                self.write(self.dim(f"({_clock_text(self.clock(), timezone)})"))
                self.flush()
        self.write(self.dim(f"(it is now {_clock_text(self.clock(), timezone)})"))

    async def join_group(self, arg: str) -> None:
        try:
            words = shlex.split(arg)
        except ValueError:
            words = []
        title = " ".join(words).strip()
        if not title:
            self.write(self.dim('(usage: :group "Study circle")'))
            return
        group = self.groups.get(title.lower())
        if group is None:
            group = _Group(FIRST_GROUP_ID - len(self.groups), title)
            self.groups[title.lower()] = group
            self.fake.set_chat(group.chat_id, type="supergroup", title=title)
            self.fake.set_admins(group.chat_id, [], owner=self.me.user_id)  # you made the group
            self.group = group
            self.write(self.dim(f"(you created the group “{title}” and added the bot; you are its admin)"))
            added = self.updates.my_chat_member(
                self.me.user_id, group.chat_id, chat_title=title, chat_type="supergroup",
                first_name=self.me.first_name,
            )  # fmt: skip
            await self.dispatch(added)
        else:
            self.group = group
            self.write(self.dim(f"(now in the group “{title}”)"))

    def speak_as(self, arg: str) -> None:
        name = " ".join(arg.split())
        if not name:
            self.write(self.dim("(usage: :as Aisha — or :as me)"))
            return
        if name.lower() in ("me", "myself", self.me.first_name.lower()):
            self.sender = self.me
        else:
            member = self.members.get(name.lower())
            if member is None:
                member = _Sender(FIRST_MEMBER_ID + len(self.members), name[:64])
                self.members[name.lower()] = member
                if self.group is not None:
                    self.fake.set_member_status(self.group.chat_id, member.user_id, "member")
            self.sender = member
        where = f"in “{self.group.title}”" if self.group else "in a private chat with the bot"
        self.write(self.dim(f"(you are now {self.sender.first_name}, {where})"))

    # ---- input ---------------------------------------------------------------------------------

    def update_for(self, line: str) -> dict[str, Any] | None:
        """The update dict a line stands for, or None if the line was handled locally."""
        if line.startswith("\\"):
            return self.message(line[1:])
        if line.isdigit() and self.choices:
            return self.press(int(line))
        location = _LOCATION_RE.match(line)
        if location:
            lat, lon = float(location.group(1)), float(location.group(2))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                self.write(self.dim("(latitude must be within ±90 and longitude within ±180)"))
                return None
            return self.updates.location(
                self.sender.user_id,
                lat,
                lon,
                first_name=self.sender.first_name,
                language_code=self.language_code,
                **self.chat_kwargs(),
            )
        if re.match(r"^/location(@\w+)?\b", line):
            self.write(self.dim("(usage: /location LAT LON, e.g. /location 21.42 39.83)"))
            return None
        return self.message(line)

    def chat_kwargs(self) -> dict[str, Any]:
        if self.group is None:
            return {}
        return {"chat_id": self.group.chat_id, "chat_title": self.group.title, "chat_type": "supergroup"}

    def message(self, text: str) -> dict[str, Any]:
        return self.updates.message(
            self.sender.user_id,
            text,
            first_name=self.sender.first_name,
            language_code=self.language_code,
            **self.chat_kwargs(),
        )

    def press(self, number: int) -> dict[str, Any] | None:
        if not 1 <= number <= len(self.choices):
            self.write(
                self.dim(f"(no button {number}; buttons are 1–{len(self.choices)}; send \\{number} as text)")
            )
            return None
        button = self.choices[number - 1]
        if button.get("url"):
            self.write(self.dim(f"(opens {button['url']})"))
            return None
        if "callback_data" not in button:
            self.write(self.dim("(this kind of button can't be pressed in the console)"))
            return None
        assert self.choice_msg is not None
        message = self.fake.message(*self.choice_msg)
        if message is None:
            self.write(self.dim("(that message no longer exists)"))
            return None
        self.write(self.dim(f"(pressed: {button.get('text', '')})"))
        return self.updates.callback(
            self.sender.user_id,
            button["callback_data"],
            message,
            first_name=self.sender.first_name,
            language_code=self.language_code,
        )

    async def handle(self, line: str) -> None:
        self.busy = True
        try:
            self.flush()  # anything that arrived while we waited for input comes first
            if self.echo_input:
                label = self.where()
                self.write(f"{label}> {line}" if label else f"> {line}")
            if line.startswith(":"):
                await self.command(line)
            else:
                update = self.update_for(line)
                if update is not None:
                    await self.dispatch(update)
            self.flush()
        finally:
            self.busy = False

    async def dispatch(self, data: dict[str, Any]) -> None:
        before = set(_pending_tasks(self.app))
        try:
            await self.app.process_update(Update.de_json(data, self.app.bot))
        except Exception as exc:  # handler errors go to error handlers; this is PTB itself failing
            self.write(self.dim(f"(the bot failed to process that update: {exc!r})"))
        # handlers with block=False run as tasks: wait for the ones this line started
        new = [t for t in _pending_tasks(self.app) if t not in before and not t.done()]
        if new:
            await asyncio.wait(new, timeout=SETTLE_TIMEOUT)
        await asyncio.sleep(0)


def _clock_text(now: datetime, timezone: str) -> str:
    local = now.astimezone(zone(timezone))
    return f"{local:%a %d %b %Y, %H:%M} {timezone}"


def _pending_tasks(application: Application) -> set[asyncio.Task[Any]]:
    # PTB keeps the tasks of Application.create_task (used for block=False handlers) in this
    # private, name-mangled set; there is no public accessor. Missing → nothing to wait for.
    return set(getattr(application, "_Application__create_task_tasks", set()))


def _start_reader(stdin: TextIO, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
    """Read lines on a daemon thread so the event loop (jobs, handlers) keeps running, and so a
    blocked read never keeps the interpreter alive on Ctrl-C (unlike the default executor)."""

    def put(item: str | None) -> None:
        with contextlib.suppress(RuntimeError):  # loop already closed
            loop.call_soon_threadsafe(queue.put_nowait, item)

    def reader() -> None:
        try:
            while True:
                line = stdin.readline()
                if not line:
                    break
                put(line)
        except (OSError, ValueError):  # closed or unreadable stdin counts as EOF
            pass
        finally:
            put(None)

    threading.Thread(target=reader, name="console-stdin", daemon=True).start()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


async def run_console(
    application: Application,
    fake: FakeBotAPI,
    *,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    user_id: int = 1,
    first_name: str = "You",
    language_code: str = "en",
    clock: Clock | None = None,
    save_dir: str | Path | None = None,
    color: bool | None = None,
    tick: Callable[[], Awaitable[Any]] | None = None,
    timezone_of: Callable[[int], Awaitable[str]] | None = None,
) -> None:
    """Run ``application`` against ``fake`` as an interactive (or piped) chat until EOF.

    ``application`` must use ``fake`` as its request objects. If it isn't running yet it is
    initialized, ``post_init`` is called and it is started (no polling: updates are fed
    directly via ``process_update``); on return it is stopped and shut down again, calling
    ``post_stop``/``post_shutdown`` like ``run_polling`` does. ``color`` defaults to whether
    ``stdout`` is a terminal; input lines are echoed when ``stdin`` is not a terminal, so a
    piped session prints a readable transcript; on a terminal a prompt shows who speaks where.

    ``tick`` (the reminder scheduler's) runs at each step when ``:clock`` moves a :class:`ConsoleClock`
    forward; ``timezone_of(user_id)`` says which zone ``:clock 21:00`` means.
    """
    console = _Console(
        application,
        fake,
        stdout=stdout,
        user_id=user_id,
        first_name=first_name,
        language_code=language_code,
        clock=clock,
        save_dir=Path(save_dir) if save_dir is not None else None,
        color=_isatty(stdout) if color is None else color,
        echo_input=not _isatty(stdin),
        interactive=_isatty(stdin) and _isatty(stdout),
        tick=tick,
        timezone_of=timezone_of,
    )
    fake.start_chat(user_id)  # the person at the terminal has started the bot: nudges may reach them
    started_here = not application.running
    if started_here:
        await application.initialize()
        if application.post_init:
            await application.post_init(application)
        await application.start()

    activity = asyncio.Event()
    unsubscribe = fake.subscribe(lambda _call: activity.set())

    async def watch() -> None:  # print messages sent while idle (e.g. reminders from jobs)
        while True:
            await activity.wait()
            activity.clear()
            await asyncio.sleep(0)
            if not console.busy and console.seen < len(fake.calls):
                if console.interactive:
                    console.write()  # off the prompt line
                console.flush()
                console.prompt()

    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()
    watcher = asyncio.create_task(watch(), name="console-watch")
    try:
        console.flush()  # whatever post_init sent
        console.banner()
        _start_reader(stdin, loop, lines)
        console.prompt()
        while True:
            raw = await lines.get()
            if raw is None:
                break
            line = raw.strip()
            if line:
                await console.handle(line)
            console.prompt()
        console.flush()
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        unsubscribe()
        if started_here:
            if application.running:
                await application.stop()
            if application.post_stop:
                await application.post_stop(application)
            await application.shutdown()
            if application.post_shutdown:
                await application.post_shutdown(application)
        console.flush()


def console_main(build_application: Callable[[FakeBotAPI], Application], **kwargs: Any) -> int:
    """Synchronous entry point for ``python -m bot console``: makes the fake, builds the
    application with it (``build_application(fake)`` must pass ``fake`` as ``request`` and
    ``get_updates_request``), runs the console and returns an exit code (130 on Ctrl-C)."""
    fake = FakeBotAPI()
    application = build_application(fake)
    try:
        asyncio.run(run_console(application, fake, **kwargs))
    except KeyboardInterrupt:
        return 130
    return 0

"""The offline console drives the real Application through FakeBotAPI from (piped) text input."""

from __future__ import annotations

import asyncio
import datetime as dtm
import io
import threading
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.console import CONSOLE_TOKEN, render_text, run_console
from fake_telegram import FakeBotAPI

T0 = dtm.datetime(2025, 3, 1, 5, 30, tzinfo=dtm.UTC)
RUN_TIMEOUT = 20  # a console that doesn't stop at EOF fails the test instead of hanging it


def buttons(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=f"cb:{label}") for label in labels],
            [InlineKeyboardButton("Tafsir", url="https://quran.com/18")],
        ]
    )


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(
        "<b>Assalamu alaikum</b> &amp; welcome", parse_mode="HTML", reply_markup=buttons("Goal", "Help")
    )


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(
        f"You said: {update.effective_message.text}", reply_markup=buttons("Undo")
    )


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer(f"ok {query.data}")
    await query.edit_message_text(f"Done: {query.data} (was: {query.message.text})")


async def located(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    loc = update.effective_message.location
    await update.effective_message.reply_text(f"Timezone guess for {loc.latitude},{loc.longitude}")


async def export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_document(
        b"a,b\n1,2\n", filename="progress.csv", caption="<i>Export</i>", parse_mode="HTML"
    )
    await update.effective_message.reply_photo(b"\0" * 12 * 1024, filename="chart.png")


def build(fake: FakeBotAPI, *, blocking: bool = True) -> Application:
    app = ApplicationBuilder().token(CONSOLE_TOKEN).request(fake).get_updates_request(fake).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("export", export))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(MessageHandler(filters.LOCATION, located))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo, block=blocking))
    return app


async def converse(text: str, *, blocking: bool = True, **kwargs) -> tuple[str, FakeBotAPI, Application]:
    fake = FakeBotAPI(clock=lambda: T0)
    app = build(fake, blocking=blocking)
    stdout = io.StringIO()
    await asyncio.wait_for(
        run_console(app, fake, stdin=io.StringIO(text), stdout=stdout, clock=lambda: T0, **kwargs),
        RUN_TIMEOUT,
    )
    return stdout.getvalue(), fake, app


async def test_piped_session_prints_replies_buttons_and_callback_results() -> None:
    out, fake, app = await converse("/start\nhello\n1\n")

    assert "/location LAT LON" in out  # banner documents location sharing
    transcript = out[out.index("> /start") :].splitlines()
    assert transcript == [
        "> /start",
        "Assalamu alaikum & welcome",
        "  [1] Goal   [2] Help",
        "  [3] Tafsir ↗",
        "> hello",
        "You said: hello",
        "  [1] Undo",
        "  [2] Tafsir ↗",
        "> 1",
        "(pressed: Undo)",
        "(notice) ok cb:Undo",
        "(edited) Done: cb:Undo (was: You said: hello)",
    ]
    assert "\033[" not in out  # no colours when stdout is not a terminal
    # returned at EOF and shut the application down again
    assert not app.running
    [answer] = fake.callback_answers()
    assert answer.text == "ok cb:Undo"
    [edit] = fake.edits(1)
    assert edit.message_id == fake.sent_messages(1)[1].message_id


async def test_numbers_go_to_the_last_message_and_otherwise_are_text() -> None:
    out, fake, _ = await converse("/start\n3\n9\n\\1\n2\n1\n")

    assert "(opens https://quran.com/18)" in out  # URL buttons only show where they lead
    assert "(no button 9; buttons are 1–3; send \\9 as text)" in out
    # "\1" is text → echoed; its reply has [1] Undo [2] Tafsir, so "2" is the URL, "1" is Undo
    assert "You said: 1" in out
    assert out.count("(opens https://quran.com/18)") == 2
    assert "(edited) Done: cb:Undo (was: You said: 1)" in out
    # nothing was sent to the bot for the URL button or the out-of-range number
    assert [c.method for c in fake.calls if c.method != "getMe"] == [
        "sendMessage",  # /start
        "sendMessage",  # \1
        "answerCallbackQuery",
        "editMessageText",
    ]


async def test_after_a_plain_reply_a_number_is_just_text() -> None:
    out, _, _ = await converse("/start\nhello\n1\n1\n5\n")
    # after the edit removed the keyboard, "1" and "5" are ordinary messages again
    tail = out[out.index("(edited)") :]
    assert "You said: 1" in tail
    assert "You said: 5" not in tail  # "1"'s reply has buttons again, so 5 is out of range
    assert "(no button 5; buttons are 1–2; send \\5 as text)" in tail


async def test_location_lines_become_location_messages() -> None:
    out, fake, _ = await converse("/location 21.42 39.83\n/location here\n/location 95 10\n")
    assert "Timezone guess for 21.42,39.83" in out
    assert "(usage: /location LAT LON, e.g. /location 21.42 39.83)" in out
    assert "(latitude must be within ±90 and longitude within ±180)" in out
    assert len(fake.sent_messages()) == 1


async def test_non_blocking_handlers_are_awaited_before_the_next_line() -> None:
    out, _, _ = await converse("one\ntwo\n", blocking=False)
    assert out.index("You said: one") < out.index("> two") < out.index("You said: two")


async def test_files_are_summarised_and_can_be_saved(tmp_path: Path) -> None:
    out, _, _ = await converse("/export\n", save_dir=tmp_path)
    saved_doc = tmp_path / "0002-progress.csv"
    assert f"[document: progress.csv, 8 B, saved to {saved_doc}]" in out
    assert "\nExport\n" in out
    assert "[photo: chart.png, 12 KB" in out
    assert saved_doc.read_bytes() == b"a,b\n1,2\n"
    assert (tmp_path / "0003-chart.png").stat().st_size == 12 * 1024


async def test_refused_calls_are_shown_and_the_session_goes_on() -> None:
    fake = FakeBotAPI()
    app = build(fake)
    fake.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    stdout = io.StringIO()
    await asyncio.wait_for(
        run_console(app, fake, stdin=io.StringIO("hi\nagain\n"), stdout=stdout), RUN_TIMEOUT
    )
    out = stdout.getvalue()
    assert "(Telegram refused sendMessage: Forbidden: bot was blocked by the user)" in out
    assert "You said: again" in out


async def test_post_init_runs_and_its_messages_are_shown() -> None:
    fake = FakeBotAPI()
    app = build(fake)

    async def post_init(application: Application) -> None:
        await application.bot.set_my_commands([("start", "Begin")])
        await application.bot.send_message(1, "Bot restarted")

    app.post_init = post_init
    stdout = io.StringIO()
    await asyncio.wait_for(run_console(app, fake, stdin=io.StringIO(""), stdout=stdout), RUN_TIMEOUT)
    assert "Bot restarted" in stdout.getvalue()
    assert fake.calls_to("setMyCommands")


def test_render_text_strips_or_styles_html() -> None:
    html = '<b>Bold</b> <i>it</i> <code>x&lt;y</code> <a href="https://q.com">link</a> &amp;'
    assert render_text(html, "HTML") == "Bold it x<y link (https://q.com) &"
    styled = render_text(html, "HTML", color=True)
    assert "\033[1mBold\033[22m" in styled
    assert render_text("<b>raw</b>", None) == "<b>raw</b>"
    assert render_text(r"1\.5 \- ok", "MarkdownV2") == "1.5 - ok"


class _GatedInput(io.StringIO):
    """stdin whose first read blocks (on the reader thread) until ``gate`` is set."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.gate = threading.Event()

    def readline(self, *args: object) -> str:  # type: ignore[override]
        if not self.gate.wait(RUN_TIMEOUT):
            return ""
        return super().readline()


async def test_messages_sent_while_idle_are_printed() -> None:
    """A reminder fired by the JobQueue while the user is idle still reaches the terminal."""
    fake = FakeBotAPI()
    app = build(fake)
    stdin = _GatedInput("hello\n")

    async def remind(context: ContextTypes.DEFAULT_TYPE) -> None:
        await context.bot.send_message(1, "Time for your daily wird")
        stdin.gate.set()

    app.job_queue.run_once(remind, when=0)
    stdout = io.StringIO()
    await asyncio.wait_for(run_console(app, fake, stdin=stdin, stdout=stdout), RUN_TIMEOUT)
    out = stdout.getvalue()
    assert out.index("Time for your daily wird") < out.index("> hello") < out.index("You said: hello")

"""The README's first command: a newcomer chats with the real bot in a terminal, no token, no network."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path


def test_piped_console_session_logs_and_shows_progress(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL")}
    env["LOG_LEVEL"] = "WARNING"
    script = "/start\n1\n11\nread al-kahf 1-20\n/progress\n"  # English, skip the timezone
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input=script,
        text=True,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=120,
    )
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr
    assert "Which language should I use?" in out
    assert "Keeping timezone UTC" in out
    assert "✅ Al-Kahf 1–20 · 20 ayahs · khatm 0.3%" in out
    assert "Khatm #1 — 0.3% (20 of 6,236 ayahs)" in out
    assert "Continue from Al-Kahf 21" in out
    assert (tmp_path / "quran-tracker.db").exists()  # the SQLite default, in the working folder
    assert "Traceback" not in proc.stderr


def test_the_readme_start_script_opens_the_console_without_a_token(tmp_path):
    """`./scripts/start`: with no TELEGRAM_BOT_TOKEN it is the console (the venv is installed already)."""
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env.update(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/start.db", LOG_LEVEL="WARNING")
    proc = subprocess.run(
        ["bash", str(root / "scripts" / "start")],
        input="/start\n1\n11\n2:255\n",
        text=True,
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "offline console" in proc.stdout
    assert "✅ Al-Baqara 255 · 1 ayah · khatm 0.02%" in proc.stdout


def _console(tmp_path: Path, script: str, *args: str, user: str = "you") -> subprocess.CompletedProcess[str]:
    """`python -m bot console ARGS` in `tmp_path` (its own SQLite file), fed `script` on a pipe, as `user`."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "LOG_LEVEL")
    }
    env["USER"] = user
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "console", *args],
        input=script,
        text=True,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    return proc


ONBOARD = "/start\n1\n11\n"  # English, keep UTC


def test_pictures_are_saved_to_the_files_folder_and_the_path_printed(tmp_path):
    proc = _console(tmp_path, ONBOARD + "read al-kahf 1-20\n/stats\n")
    saved = sorted((tmp_path / "console-files").glob("*.png"))
    assert [p.name.split("-", 1)[1] for p in saved] == ["last-30-days.png", "year.png"]
    for picture in saved:
        assert picture.read_bytes().startswith(b"\x89PNG")
        assert f"saved to console-files/{picture.name}]" in proc.stdout
    other = tmp_path / "elsewhere"
    _console(tmp_path, "/stats\n", "--files", str(other))
    assert sorted(p.name.split("-", 1)[1] for p in other.glob("*.png")) == ["last-30-days.png", "year.png"]


def test_logs_stay_out_of_the_chat_unless_asked_for(tmp_path):
    proc = _console(tmp_path, ONBOARD)
    assert proc.stderr == ""  # no JSON lines, no migration chatter: the terminal is the chat
    log = (tmp_path / "console-files" / "console.log").read_text()
    assert "database ready at revision" in log
    assert "Running upgrade" not in log  # Alembic's line per migration is chatter
    assert not any(line.endswith(" {}") for line in log.splitlines())
    assert not any(line.startswith("{") for line in log.splitlines())  # text, not JSON
    loud = _console(tmp_path, "/help\n", "-v")
    assert "database ready at revision" in loud.stderr
    assert not any(line.startswith("{") for line in loud.stderr.splitlines())


def test_a_reminder_arrives_when_the_console_clock_reaches_it(tmp_path):
    script = ONBOARD + "/remind 20:00\n:clock 19:59\n/help\n:clock 20:00\n"
    out = _console(tmp_path, script).stdout
    before, after = out.split("> :clock 20:00", 1)
    assert "A gentle reminder" not in before
    # stamped with the time it came: "(Wed 02 Dec 2026, 20:00 UTC)"
    stamp = re.search(r"^\(\w{3} \d\d \w{3} \d{4}, 20:00 UTC\)\n(.*)$", after, re.MULTILINE)
    assert stamp is not None, after
    assert stamp.group(1).startswith("📖 A gentle reminder: time for your Quran today.")


def test_a_streak_day_passes_and_the_streak_warning_comes_in_the_evening(tmp_path):
    script = ONBOARD + ":clock 08:00\nAl-Mulk\n:clock +1d\nAl-Ikhlas\n/streak\n:clock +1d\n:clock 21:00\n"
    out = _console(tmp_path, script).stdout
    assert "2 days" in out.split("> /streak", 1)[1].split("> :clock", 1)[0]
    warning = out.split("> :clock 21:00", 1)[1]
    assert re.search(r"🔥 Your streak of 2 days ends in (2 h 59|3 h 0) min", warning), warning


def test_a_group_conversation_with_two_simulated_members(tmp_path):
    script = (
        ONBOARD
        + ':group "Study circle"\n/circle\n:as Aisha\n/join\n/log juz 2\n'
        + ":as Omar\n/join\n/log Al-Kahf 1-20\n:as me\n/board\n:private\n/progress\n"
    )
    out = _console(tmp_path, script).stdout
    assert "🌙 Study circle is now a study circle! 1 member so far." in out
    assert "[Study circle] Aisha> /join" in out
    assert "🤝 Welcome to the circle, Aisha!" in out
    assert "🤝 Welcome to the circle, Omar!" in out
    board = out.split("[Study circle] You> /board", 1)[1]
    assert "• Aisha — 20 pages · 1 day" in board
    assert "Omar" in board
    assert "of 3 members read" in board
    progress = out.split("> /progress", 1)[1]  # back in private: the members' readings are theirs, not yours
    assert "Khatm #1 — 0.0% (0 of 6,236 ayahs)" in progress, progress


def test_the_first_screen_in_arabic_with_lang_ar(tmp_path):
    out = _console(tmp_path, "/start\n", "--lang", "ar").stdout
    first = out.split("> /start", 1)[1]
    assert "السلام عليكم" in first
    assert "Which language" not in first


_INPUT = re.compile(r"^(?:\[[^\]]+\] [^>]+)?> (.*)$")


def _readme_sessions() -> list[list[str]]:
    """The transcripts under the README's "Try it out": each ```text block that starts the console."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### Try it out", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```text\n(.*?)```", section, re.DOTALL)
    return [block.splitlines()[1:] for block in blocks if block.startswith("$ ./scripts/start\n")]


def _shown(expected: str) -> re.Pattern[str]:
    """A transcript line as a pattern: `…` stands for anything (or nothing, with the space before it)."""
    return re.compile("^" + ".*".join(re.escape(part.rstrip()) for part in expected.split("…")) + "$")


def test_the_readme_try_out_sessions_run_as_written(tmp_path):
    sessions = _readme_sessions()
    assert len(sessions) == 3  # private, the clock, a group
    for number, transcript in enumerate(sessions):
        inputs = [m.group(1) for line in transcript if (m := _INPUT.match(line))]
        folder = tmp_path / str(number)
        folder.mkdir()
        lines = _console(folder, "\n".join(inputs) + "\n").stdout.splitlines()
        at = 0
        for expected in transcript:
            if expected == "…":
                continue
            pattern = _shown(expected)
            while at < len(lines) and not pattern.match(lines[at]):
                at += 1
            assert at < len(lines), f"README session {number + 1}: {expected!r} not shown (in order)"
            at += 1

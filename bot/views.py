"""Pieces of replies shared by several handlers: amounts, goals, today's target."""

from __future__ import annotations

import html
from datetime import date

from bot.i18n import Translator
from quran import Span, surah_name
from tracker.goals import Today
from tracker.hijri import format_hijri


def dates_line(t: Translator, day: date) -> str:
    """The date in both calendars: "March 10, 2026 · 21 Ramadan 1447 AH"."""
    try:
        return f"{t.date(day)} · {t.digits(format_hijri(day, t.lang))}"
    except ValueError:  # outside the Umm al-Qura table (before 1924, after 2077)
        return t.date(day)


def spans_label(spans: list[Span], t: Translator) -> str:
    return t.join([html.escape(s.label(t.lang)) for s in spans])


def amount_text(t: Translator, unit: str, amount: float) -> str:
    if unit == "minutes":
        return t.plural("count.minutes", max(0, round(amount)))
    if unit == "ayahs":
        return t.plural("count.ayahs", max(0, round(amount)))
    digits = 0 if abs(amount - round(amount)) < 0.05 else 1
    key = "count.pages" if unit == "pages" else "count.juz"
    if digits:
        return t(f"{key}.fraction", n=t.num(amount, 1))
    return t.plural(key, round(amount))


def goal_text(t: Translator, today: Today) -> str:
    g = today.goal
    if g is None:
        return t("goal.none")
    if g.kind == "khatm_by":
        return t("goal.khatm_by", date=t.date(g.target_date))
    return t("goal.daily", amount=amount_text(t, g.kind, g.amount))


def habit_lines(t: Translator, today: Today) -> list[str]:
    lines = []
    for h in today.habits:
        if not h.due_today:
            continue
        name = html.escape(surah_name(h.surah, t.lang))
        lines.append(t("habit.done", surah=name) if h.done_today else t("habit.due", surah=name))
    return lines


def today_lines(t: Translator, today: Today) -> list[str]:
    """Today's target and what is left of it: shown in /progress, /next and after each log."""
    lines = []
    if today.goal is not None:
        if today.achieved:
            lines.append(t("today.achieved"))
        elif today.met:
            lines.append(t("today.met", target=amount_text(t, today.unit, today.target)))
        elif today.behind:
            lines.append(t("today.behind", left=amount_text(t, today.unit, today.left)))
        else:
            lines.append(
                t(
                    "today.left",
                    target=amount_text(t, today.unit, today.target),
                    left=amount_text(t, today.unit, today.left),
                )
            )
    return lines + habit_lines(t, today)


def done_button(t: Translator, span: Span) -> list[list[tuple[str, str]]]:
    return [[(t("button.done"), f"log:{span.first_index}-{span.last_index}")]]

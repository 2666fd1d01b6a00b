"""What a log is called in its confirmation: neighbouring spans merged, in the unit the reader used.

"kahf 1-5, 6-10, … 51-55" is one passage, "Al-Kahf 1–55"; "pages 45-50" is confirmed as "pages 45–50
(Al-Baqara 265 – Aal-i-Imraan 9)", "juz 3" as "juz 3 (…)" — when the passage is exactly those pages or
that juz; otherwise the ayah label alone.
"""

from __future__ import annotations

import html
import re

from bot.i18n import Translator
from quran import Span, juz_of, juz_span, page_of, page_span
from tracker import coverage

# A busy group's acknowledgement of a log or a correction, instead of a text past the group's budget
# (tracker.circles.confirm_in_text).
LOGGED_REACTION = "✍"

_PAGE_WORDS = re.compile(r"(?<!\w)(?:pages?|pg|p|صفحة|صفحات|ص)(?!\w)", re.IGNORECASE)
_JUZ_WORDS = re.compile(r"(?<!\w)(?:juz'?|juzz|ajza|paras?|جزء|أجزاء|اجزاء|الجزء)(?!\w)", re.IGNORECASE)


def merged_spans(spans: list[Span]) -> list[Span]:
    """Overlapping and touching spans as one, in book order."""
    return [Span.from_indices(a, b) for a, b in coverage.merge((s.first_index, s.last_index) for s in spans)]


def _unit_range(span: Span, unit_of, unit_span) -> tuple[int, int] | None:
    first, last = unit_of(span.first_index), unit_of(span.last_index)
    exact = unit_span(first).first_index == span.first_index and unit_span(last).last_index == span.last_index
    return (first, last) if exact else None


def _range(t: Translator, first: int, last: int) -> str:
    return t.num(first) if first == last else f"{t.num(first)}–{t.num(last)}"


def log_label(spans: list[Span], said: str | None, t: Translator) -> str:
    """The confirmation's name for a log of `spans`, typed as `said` (HTML-escaped)."""
    merged = merged_spans(spans)
    what = t.join([html.escape(s.label(t.lang)) for s in merged])
    if said and len(merged) == 1:
        span = merged[0]
        if _JUZ_WORDS.search(said) and (juz := _unit_range(span, juz_of, juz_span)):
            key = "label.juz" if juz[0] == juz[1] else "label.juz_range"
            return t(key, n=_range(t, *juz), what=what)
        if _PAGE_WORDS.search(said) and (pages := _unit_range(span, page_of, page_span)):
            key = "label.page" if pages[0] == pages[1] else "label.pages"
            return t(key, n=_range(t, *pages), what=what)
    return what

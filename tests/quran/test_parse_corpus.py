"""The parser against a hand-written corpus of real-world phrasings (tests/quran/parse_corpus.txt)."""

from __future__ import annotations

from pathlib import Path

import pytest

from quran import Ayah, ParseError, Span, parse_reading
from quran.parser import parse_message

CORPUS_PATH = Path(__file__).with_name("parse_corpus.txt")


def _load_corpus() -> list[tuple[str, str]]:
    cases = []
    for line in CORPUS_PATH.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        text, expected = line.rsplit("=>", 1)
        cases.append((text.strip(), expected.strip()))
    return cases


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _when(expected: str) -> tuple[str, int, int | None]:
    """ "18:1-18:10 @2" → ("18:1-18:10", 2 days ago, no weekday); "@fri" → weekday 4."""
    if " @" not in expected:
        return expected, 0, None
    expected, when = expected.rsplit(" @", 1)
    if when in _WEEKDAYS:
        return expected.strip(), 0, _WEEKDAYS.index(when)
    return expected.strip(), int(when), None


def _spans(expected: str) -> list[tuple[int, int, int, int]]:
    expected = _when(expected)[0]
    out = []
    for part in expected.split(" , "):
        start, end = part.strip().split("-")
        s1, a1 = start.split(":")
        s2, a2 = end.split(":")
        out.append((int(s1), int(a1), int(s2), int(a2)))
    return out


CASES = _load_corpus()
SPAN_CASES = [c for c in CASES if c[1][0] not in "!~"]
ERROR_CASES = [c for c in CASES if c[1].startswith("!")]
AMOUNT_CASES = [c for c in CASES if c[1].startswith("~")]


def test_corpus_size():
    assert len(CASES) >= 300
    assert len(ERROR_CASES) >= 60
    assert len({text for text, _ in CASES}) == len(CASES), "duplicate messages in the corpus"
    assert sum(any("\u0600" <= ch <= "\u06ff" for ch in text) for text, _ in CASES) >= 60  # Arabic


def test_issue_15_phrasings():
    """Ordinals, parts, time words, passages, aliases, amounts: at least 150 more, half of them Arabic."""
    text = CORPUS_PATH.read_text(encoding="utf-8").split("# Added for issue 15", 1)[1]
    added = [line.split("=>")[0] for line in text.splitlines() if "=>" in line and not line.startswith("#")]
    assert len(added) >= 150
    assert sum(any("\u0600" <= ch <= "\u06ff" for ch in t) for t in added) * 2 >= len(added)


@pytest.mark.parametrize(("text", "expected"), SPAN_CASES, ids=[c[0] or "<empty>" for c in SPAN_CASES])
def test_reading(text, expected):
    parsed = parse_message(text)
    _, days_ago, weekday = _when(expected)
    assert (parsed.days_ago, parsed.weekday, parsed.amount) == (days_ago, weekday, None)
    got = parse_reading(text)
    assert all(isinstance(s, Span) for s in got)
    assert [(s.start.surah, s.start.ayah, s.end.surah, s.end.ayah) for s in got] == _spans(expected)
    for s in got:  # and every span says itself back
        assert parse_reading(str(s)) == [s]
        assert parse_reading(s.label("ar")) == [s]


@pytest.mark.parametrize(("text", "expected"), ERROR_CASES, ids=[c[0] or "<empty>" for c in ERROR_CASES])
def test_refused(text, expected):
    with pytest.raises(ParseError) as info:
        parse_reading(text)
    err = info.value
    assert err.code == expected[1:], err.message
    assert err.message and str(err) == err.message
    assert isinstance(err.params, dict)


def test_expected_spans_are_valid_ayahs():
    for _, expected in SPAN_CASES:
        for s1, a1, s2, a2 in _spans(expected):
            assert Ayah(s1, a1) <= Ayah(s2, a2)


@pytest.mark.parametrize(("text", "expected"), AMOUNT_CASES, ids=[c[0] for c in AMOUNT_CASES])
def test_amount(text, expected):
    """ "read 5 pages" → an amount (the tracker continues the khatm with it), never a place."""
    body, days_ago, weekday = _when(expected[1:])
    unit, count = body.rsplit(" ", 1)
    parsed = parse_message(text)
    assert parsed.kind == "amount"
    assert (parsed.amount, parsed.spans, parsed.days_ago, parsed.weekday) == (
        (unit, int(count)),
        (),
        days_ago,
        weekday,
    )
    with pytest.raises(ParseError) as info:  # parse_reading wants a place
        parse_reading(text)
    assert info.value.code == "amount"

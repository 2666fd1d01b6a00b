"""``parse_reading``: what a person says they read, in English or Arabic → a list of ``Span``.

Pipeline: normalise (``quran.names.normalize``) → lex into numbers / words / punctuation → classify words
(multi-word names and phrases first, longest match wins; then keywords, fillers, surah names, fuzzy
candidates) → a small hand-written, non-recursive parser over the classified tokens. See docs/parser.md.

Anything that is not a valid reading raises ``ParseError`` (a ``ValueError``) with a stable ``.code``,
structured ``.params`` and an English ``.message``. No other exception escapes ``parse_reading``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from quran.book import (
    _COUNT as _COUNTS,
)
from quran.book import (
    HIZB_COUNT,
    HIZB_QUARTER_COUNT,
    JUZ_COUNT,
    PAGE_COUNT,
    SURAH_COUNT,
    Ayah,
    Span,
    hizb_quarter_span,
    hizb_span,
    juz_span,
    page_span,
    surah_name,
)
from quran.names import (
    FUZZY_ACCEPT,
    FUZZY_MARGIN,
    FUZZY_SUGGEST,
    MAX_NAME_WORDS,
    exact_surah,
    fuzzy_surah,
    is_arabic,
    normalize,
)

__all__ = ["MAX_MESSAGE_CHARS", "ParseError", "parse_reading"]

#: Longer messages are refused with code "too_long" (Telegram's own limit is 4096 characters).
MAX_MESSAGE_CHARS = 4096
#: With nothing else understood, an unknown word scoring this much is reported as a misspelt surah.
FUZZY_REPORT_LOOSE = 75.0

_EXAMPLES = "e.g. 'Al-Kahf 1–20', 'Yasin', '2:255', 'juz 3' or 'page 45'"


class ParseError(ValueError):
    """A message that is not (entirely) a valid reading.

    ``code``: short stable identifier (see docs/parser.md); ``params``: structured details for
    translation; ``message`` (also ``str(err)``): the English explanation for the user.
    """

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params

    def __repr__(self) -> str:
        return f"ParseError({self.code!r}, {self.message!r}, **{self.params!r})"


# ------------------------------------------------------------------------------------------- tokens
# A token is (kind, value, text).
NUM, ORD, WORD, COLON, TO, SEP = "NUM", "ORD", "WORD", "COLON", "TO", "SEP"
FROM, OF, END = "FROM", "OF", "END"
SURAH, AYAH, JUZ, HIZB, QUARTER, PAGE = "SURAH", "AYAH", "JUZ", "HIZB", "QUARTER", "PAGE"
NAME, UNKNOWN, PASSAGE, JUZREF = "NAME", "UNKNOWN", "PASSAGE", "JUZREF"
FILLER, ARTICLE, PREP, TIMES = "FILLER", "ARTICLE", "PREP", "TIMES"

_HUGE = 10**9
_TOKEN_RE = re.compile(r"([0-9]+)(?:st|nd|rd|th)(?![^\W\d_])|([0-9]+)|([^\W\d_]+)|([:\-,;&+/|])")
_PUNCT = {
    ":": (COLON, None),
    "-": (TO, None),
    ",": (SEP, None),
    ";": (SEP, None),
    "&": (SEP, None),
    "+": (SEP, None),
    "/": (SEP, None),
    "|": (SEP, None),
}


def _words(kind: str, value: Any, text: str) -> dict[str, tuple[str, Any]]:
    return {w: (kind, value) for w in text.split()}


_KEYWORDS: dict[str, tuple[str, Any]] = {}
_KEYWORDS.update(
    _words(
        SURAH,
        None,
        """surah sura surat suratul surah surahs suras soorah soora sourah surha
    suraah surahh suraat chapter chapters سوره السوره سور""",
    )
)
_KEYWORDS.update(
    _words(
        AYAH,
        None,
        """ayah ayahs aya ayat ayaat ayas ayet ayeh ayats aayah aayat aaya ayath
    ayatul ayatal ayetul verse verses vers v vs vv ايه الايه ايات الايات اية""",
    )
)
_KEYWORDS.update(
    _words(
        JUZ,
        None,
        """juz juzz juzu juza juzuu jooz joz juzs juzes ajza ajzaa para paras parah
    paara sipara siparah siparas جز الجز اجزا الاجزا جزو""",
    )
)
_KEYWORDS.update(_words(HIZB, None, "hizb hizbs hezb hizib hizbul حزب الحزب"))
_KEYWORDS.update(_words(QUARTER, None, "quarter quarters rub ruba rubu ربع الربع"))
_KEYWORDS.update(_words(PAGE, None, """page pages pg pgs p pp pag paage pge صفحه الصفحه صفحات الصفحات"""))
_KEYWORDS.update(_words(TO, None, "to till til until untill through thru upto unto الي حتي لغايه لين"))
_KEYWORDS.update(_words(FROM, None, "from starting start من"))
_KEYWORDS.update(_words(OF, None, "of in"))
_KEYWORDS.update(_words(SEP, None, "and plus then also و ثم"))
_KEYWORDS.update(_words(END, None, "end ending اخر الاخر النهايه نهايه اخرها"))
# "an", "as", "at", "ad" and "the" are also everyday English, so they are only filler; joined forms
# ("an-nas", "at-tin") are matched as whole names before single words are classified.
_KEYWORDS.update(_words(ARTICLE, None, "al el ar ash az adh ul ال"))
_KEYWORDS.update(_words(PREP, None, "after before بعد قبل"))
_KEYWORDS.update(_words(TIMES, None, "times x مرات مره"))  # "fatiha 7 times", "kahf x2": a count
_KEYWORDS.update(
    _words(
        FILLER,
        None,
        """i im ive id ill we weve me my our us you it its a is am are was were
    the an as at ad feel be been have has had having read reading reads recite recited reciting
    recitation listen listened
    listening memorised memorized memorise memorize revise revised revision review reviewed hifz
    muraja murajaah
    finished finish finishing done did do completed complete completing today tonight todays this morning
    evening afternoon yesterday yday just now again all whole entire full fully entirely more some portion bit
    quran quraan koran mushaf please pls plz ok okay so got alhamdulillah alhamdulilah alhamdullilah
    alhamdulillaah hamdulillah hamdullah mashallah mashaallah inshallah insha allah subhanallah bismillah
    jazakallah ameen amin thanks thank with for on by during while daily wird session goal target khatm khatam
    khatma tilawah tilawa tilawat log add mark marked yes yeah yay went over up began started no number
    st nd rd th twice thrice once مرتين
    قرات قريت قرانا اقرا قراه انا لقد قد تم اليوم امس البارحه الامس الحمدلله الحمد لله الله ماشاالله ما شا
    ان انشاالله ختمت ختم ختمه انهيت اكملت اتممت راجعت مراجعه حفظت حفظ سمعت تلاوه تلوت وردي ورد الورد صباحا
    مسا الصباح المسا الليله في على كامل كامله كاملا كلها كله جميع القران مصحف المصحف بحمد الحمدالله هذا هذه
    الان فقط ايضا حمدا شكرا سبحان يا رب اللهم رقم""",
    )
)

_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "last": 0,
    "الاول": 1,
    "الثاني": 2,
    "الثالث": 3,
    "الرابع": 4,
    "الخامس": 5,
    "السادس": 6,
    "السابع": 7,
    "الثامن": 8,
    "التاسع": 9,
    "العاشر": 10,
    "الاخير": 0,
    "اول": 1,
    "ثاني": 2,
    "ثالث": 3,
    "رابع": 4,
    "خامس": 5,
    "سادس": 6,
    "سابع": 7,
    "ثامن": 8,
    "تاسع": 9,
    "عاشر": 10,
    "اخير": 0,
    "twentieth": 20,
    "thirtieth": 30,
    "العشرون": 20,
    "العشرين": 20,
    "الثلاثون": 30,
    "الثلاثين": 30,
}
for _w, _v in _ORDINALS.items():
    _KEYWORDS[_w] = (ORD, _v)

# Multi-word (joined) phrases and special single words, matched before anything else.
_PHRASES: dict[str, tuple[str, Any]] = {"upto": (TO, None), "uptill": (TO, None)}
for _k in [
    "ayatalkursi",
    "ayatulkursi",
    "ayatukursi",
    "ayatkursi",
    "ayetelkursi",
    "ayatelkursi",
    "ayetulkursi",
    "ayahalkursi",
    "ayahtulkursi",
    "ayatalkursy",
    "ayatulkursy",
    "kursi",
    "alkursi",
    "ayahkursi",
    "ayatilkursi",
    "ايهالكرسي",
    "الكرسي",
    "كرسي",
    "ايتالكرسي",
]:
    _PHRASES[_k] = (PASSAGE, (2, 255, 2, 255))
for _k in [
    "amanarrasul",
    "amanarasul",
    "aamanarrasool",
    "amanarrasool",
    "aamanarrasul",
    "amanarasool",
    "aamanarasul",
    "امنالرسول",
    "خواتيمالبقره",
    "اواخرالبقره",
    "خواتيمسورهالبقره",
]:
    _PHRASES[_k] = (PASSAGE, (2, 285, 2, 286))
for _last in ("lasttwo", "last2"):
    for _ay in ("ayahs", "ayat", "ayaat", "verses", "ayah"):
        for _of in ("of", "ofsurah", "from", "fromsurah"):
            for _b in ("baqara", "baqarah", "albaqara", "albaqarah", "thecow"):
                _PHRASES[_last + _ay + _of + _b] = (PASSAGE, (2, 285, 2, 286))
for _j in ("juz", "juzz", "juzu", "para", "parah", "sipara", "جز", "الجز"):
    for _name, _n in (
        ("amma", 30),
        ("ama", 30),
        ("عم", 30),
        ("tabarak", 29),
        ("tabaraka", 29),
        ("تبارك", 29),
        ("qadsami", 28),
        ("قدسمع", 28),
    ):
        _PHRASES[_j + _name] = (JUZREF, _n)
for _w in ("amma", "عم"):
    _PHRASES[_w] = (JUZREF, 30)
_PRAYERS = frozenset(
    [
        "fajr",
        "fajar",
        "dhuhr",
        "zuhr",
        "zohr",
        "duhr",
        "asr",
        "maghrib",
        "isha",
        "ishaa",
        "jumuah",
        "jummah",
        "jumma",
        "salah",
        "salat",
        "prayer",
        "prayers",
        "namaz",
        "sleep",
        "sleeping",
        "work",
        "school",
        "class",
        "iftar",
        "suhoor",
        "suhur",
        "الفجر",
        "فجر",
        "الظهر",
        "ظهر",
        "العصر",
        "عصر",
        "المغرب",
        "مغرب",
        "العشا",
        "عشا",
        "الجمعه",
        "الصلاه",
        "صلاه",
        "النوم",
    ]
)

_UNITS: dict[str, tuple[str, int, Any, str]] = {
    JUZ: ("juz", JUZ_COUNT, juz_span, "juz_out_of_range"),
    HIZB: ("hizb", HIZB_COUNT, hizb_span, "hizb_out_of_range"),
    QUARTER: ("hizb quarter", HIZB_QUARTER_COUNT, hizb_quarter_span, "hizb_quarter_out_of_range"),
    PAGE: ("page", PAGE_COUNT, page_span, "page_out_of_range"),
}
_UNIT_LIMIT_TEXT = {
    JUZ: "There are 30 juz",
    HIZB: "There are 60 hizb",
    QUARTER: "There are 240 hizb quarters",
    PAGE: "The Madani mushaf has 604 pages",
}


@lru_cache(maxsize=65536)
def _classify_word(w: str) -> tuple[tuple[str, Any, str], ...]:
    hit = _PHRASES.get(w) or _KEYWORDS.get(w)
    if hit is not None:
        return ((hit[0], hit[1], w),)
    found = exact_surah(w)
    if found is not None:
        return ((NAME, found, w),)
    if is_arabic(w):
        if w.startswith("ال") and len(w) > 3:
            hit = _KEYWORDS.get(w[2:])
            if hit is not None:
                return ((hit[0], hit[1], w),)
        if w.startswith("و") and len(w) > 1:  # و attached as a prefix: والملك = و + الملك
            rest = _classify_word(w[1:])
            if rest[0][0] != UNKNOWN:
                return ((SEP, None, "و"), *rest)
    score, cands = fuzzy_surah(w)
    return ((UNKNOWN, (score, cands), w),)


@lru_cache(maxsize=65536)
def _classify_phrase(key: str) -> tuple[tuple[str, Any, str], ...] | None:
    hit = _PHRASES.get(key)
    if hit is not None:
        return ((hit[0], hit[1], key),)
    found = exact_surah(key, strip=False)  # "at night" must not become "night" with an article
    if found is not None:
        return ((NAME, (found[0], False), key),)
    if key.startswith("و") and is_arabic(key):
        rest = _classify_phrase(key[1:])
        if rest is not None:
            return ((SEP, None, "و"), *rest)
    return None


def _drop_counts(raw: list[tuple[str, Any, str]]) -> list[tuple[str, Any, str]]:
    """Remove repetition counts ("7 times", "x2", "3 مرات") so they are not read as ayah numbers."""
    if not any(t[0] == WORD and _KEYWORDS.get(t[2], ("",))[0] == TIMES for t in raw):
        return raw
    keep = [True] * len(raw)
    for i, t in enumerate(raw):
        if t[0] == WORD and _KEYWORDS.get(t[2], ("",))[0] == TIMES:
            keep[i] = False
            before = i > 0 and raw[i - 1][0] == NUM
            after = i + 1 < len(raw) and raw[i + 1][0] == NUM
            if after and (t[2] == "x" or not before):  # "x2" counts what follows, "7 times" what precedes
                keep[i + 1] = False
            elif before:
                keep[i - 1] = False
    return [t for t, k in zip(raw, keep, strict=True) if k]


def _tokenize(text: str) -> list[tuple[str, Any, str]]:
    raw: list[tuple[str, Any, str]] = []
    for ordinal, number, word, punct in _TOKEN_RE.findall(normalize(text)):
        if number or ordinal:
            digits = (number or ordinal).lstrip("0") or "0"
            value = int(digits) if len(digits) <= 9 else _HUGE
            shown = digits if len(digits) <= 12 else digits[:12] + "…"
            raw.append((ORD if ordinal else NUM, value, shown))
        elif word:
            raw.append((WORD, None, word))
        else:
            kind, value = _PUNCT[punct]
            raw.append((kind, value, punct))
    out: list[tuple[str, Any, str]] = []
    raw = _drop_counts(raw)
    i, n = 0, len(raw)
    while i < n:
        tok = raw[i]
        if tok[0] != WORD:
            out.append(tok)
            i += 1
            continue
        j = i + 1
        while j < n and raw[j][0] == WORD and j - i < MAX_NAME_WORDS:
            j += 1
        for m in range(j - i, 1, -1):
            hit = _classify_phrase("".join(t[2] for t in raw[i : i + m]))
            if hit is not None:
                out.extend(hit)
                i += m
                break
        else:
            out.extend(_classify_word(tok[2]))
            i += 1
    return out


# ----------------------------------------------------------------------------------------- messages


def _name(n: int) -> str:
    return surah_name(n)


def _range_text(a: int | str, b: int | str) -> str:
    return f"{a}" if a == b else f"{a}–{b}"


def _ayah_out_of_range(s: int, count: int, a: Any, b: Any, shown_a: str, shown_b: str) -> ParseError:
    if a == b:
        msg = f"{_name(s)} has {count} ayahs, so ayah {shown_a} is out of range."
    else:
        msg = f"{_name(s)} has {count} ayahs, so {shown_a}–{shown_b} is out of range."
    return ParseError("ayah_out_of_range", msg, surah=s, ayah_count=count, start=a, end=b)


def _surah_out_of_range(n: int, shown: str) -> ParseError:
    return ParseError(
        "surah_out_of_range",
        f"There are 114 surahs, so surah {shown} is out of range.",
        surah=n,
        surah_count=SURAH_COUNT,
    )


def _names_list(ns: list[int]) -> str:
    names = [_name(n) for n in ns]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _unknown_surah(word: str, suggestions: list[int]) -> ParseError:
    if suggestions:
        msg = f"I don't know a surah called '{word}' — did you mean {_names_list(suggestions)}?"
    else:
        msg = (
            f"I don't know a surah called '{word}'. Write its name (e.g. 'Al-Kahf', 'الكهف') "
            f"or its number (e.g. 'surah 18')."
        )
    return ParseError("unknown_surah", msg, given=word, suggestions=suggestions)


def _ambiguous_surah(word: str, candidates: list[int]) -> ParseError:
    return ParseError(
        "ambiguous_surah",
        f"'{word}' could be {_names_list(candidates)} — which one did you mean?",
        given=word,
        suggestions=candidates,
        candidates=candidates,
    )


# ------------------------------------------------------------------------------------------- parser

_SKIP_ALWAYS = frozenset({SEP, COLON, FROM, OF, END, ARTICLE, FILLER, TO, AYAH})
_NAME_BEFORE = frozenset({SURAH, ARTICLE, TO})
_ALONE_BEFORE = frozenset({None, SEP, SURAH, TO, FROM})
_ALONE_AFTER = frozenset({None, SEP, NUM, AYAH, TO})
_NOISE = frozenset({FILLER, ARTICLE})
_NAME_AFTER = frozenset({NUM, AYAH, TO})


class _Parser:
    __slots__ = ("ctx", "i", "loose_unknowns", "n", "spans", "toks")

    def __init__(self, toks: list[tuple[str, Any, str]]) -> None:
        self.toks = toks
        self.n = len(toks)
        self.i = 0
        self.spans: list[Span] = []
        self.ctx: tuple[str, int] | None = None  # ("surah", n) or (unit kind, 0)
        self.loose_unknowns: list[tuple[float, str, tuple[tuple[int, float], ...]]] = []

    # -- helpers
    def kind(self, k: int = 0) -> str | None:
        j = self.i + k
        return self.toks[j][0] if 0 <= j < self.n else None

    def skip(self, kinds: frozenset[str] | set[str]) -> None:
        while self.i < self.n and self.toks[self.i][0] in kinds:
            self.i += 1

    def name_position(self, j: int) -> bool:
        prev = self.toks[j - 1][0] if j > 0 else None
        nxt = self.toks[j + 1][0] if j + 1 < self.n else None
        if nxt == COLON:  # "kahv: 1-10" but not "group: kahf"
            return j + 2 < self.n and self.toks[j + 2][0] == NUM
        return prev in _NAME_BEFORE or nxt in _NAME_AFTER

    def standalone(self, j: int) -> bool:
        """Is token j an item of its own ("read X", "kahf and X", "X, mulk"), not part of a sentence?"""
        p = j - 1
        while p >= 0 and self.toks[p][0] in _NOISE:
            p -= 1
        q = j + 1
        while q < self.n and self.toks[q][0] == FILLER:
            q += 1
        return (self.toks[p][0] if p >= 0 else None) in _ALONE_BEFORE and (
            self.toks[q][0] if q < self.n else None
        ) in _ALONE_AFTER

    def add(self, s1: int, a1: int, s2: int, a2: int) -> None:
        self.spans.append(Span(Ayah(s1, a1), Ayah(s2, a2)))

    # -- surah names
    def resolve_unknown(self, j: int, explicit: bool) -> int | None:
        """Surah for the UNKNOWN token at j, or None to ignore it; raises when it looks like a bad name."""
        _, (score, cands), word = self.toks[j]
        positional = explicit or self.name_position(j)
        alone = positional or self.standalone(j)
        second = cands[1][1] if len(cands) > 1 else 0.0
        if alone and score >= FUZZY_ACCEPT:
            if score - second >= FUZZY_MARGIN:
                return cands[0][0]
            raise _ambiguous_surah(word, [n for n, sc in cands if sc > score - FUZZY_MARGIN][:4])
        if (positional and (cands or explicit)) or (alone and score >= FUZZY_REPORT_LOOSE):
            raise _unknown_surah(word, [n for n, sc in cands if sc >= max(FUZZY_SUGGEST, score - 15)][:3])
        if score >= FUZZY_REPORT_LOOSE:
            self.loose_unknowns.append((score, word, cands))
        return None

    def read_surah_ref(self) -> int | None:
        """At a name / "surah N" / "surah NAME": consume it and return the surah number."""
        explicit = self.kind() == SURAH
        self.skip({SURAH, ARTICLE})
        k = self.kind()
        if k == NAME:
            n = self.toks[self.i][1][0]
        elif k == NUM and explicit:
            n = self.toks[self.i][1]
            if not 1 <= n <= SURAH_COUNT:
                raise _surah_out_of_range(n, self.toks[self.i][2])
        elif k == UNKNOWN:
            n = self.resolve_unknown(self.i, True)
        else:
            return None
        self.i += 1
        return n

    def at_surah_ref(self) -> bool:
        j = self.i
        while j < self.n and self.toks[j][0] in (SURAH, ARTICLE):
            j += 1
        if j >= self.n:
            return False
        k = self.toks[j][0]
        return k in (NAME, UNKNOWN) or (k == NUM and j > self.i and self.toks[j - 1][0] == SURAH)

    # -- ayah ranges within or across surahs
    def check_ayahs(self, s: int, a: int, b: int, ta: str, tb: str) -> None:
        count = _COUNTS[s]
        if not (1 <= a <= count and 1 <= b <= count):
            raise _ayah_out_of_range(s, count, a, b, ta, tb)
        if b < a:
            raise ParseError(
                "reversed_range",
                f"{_name(s)} {ta}–{tb} runs backwards — did you mean {_name(s)} {tb}–{ta}?",
                unit="ayah",
                surah=s,
                start=a,
                end=b,
            )

    def cross(self, s1: int, a1: int, s2: int, a2: int, ta1: str, ta2: str) -> None:
        c1, c2 = _COUNTS[s1], _COUNTS[s2]
        if not 1 <= a1 <= c1:
            raise _ayah_out_of_range(s1, c1, a1, a1, ta1, ta1)
        if not 1 <= a2 <= c2:
            raise _ayah_out_of_range(s2, c2, a2, a2, ta2, ta2)
        if (s2, a2) < (s1, a1):
            raise ParseError(
                "reversed_range",
                f"{_name(s1)} {ta1} – {_name(s2)} {ta2} runs backwards — did you mean "
                f"{_name(s2)} {ta2} – {_name(s1)} {ta1}?",
                unit="ayah",
                surah=s1,
                start=a1,
                end=a2,
                end_surah=s2,
            )
        self.add(s1, a1, s2, a2)

    def range_tail(self, s: int, a: int, ta: str) -> None:
        """After "<surah> <a>": an optional "to …" (same surah, end, another surah, or s:a)."""
        if self.kind() != TO:
            self.check_ayahs(s, a, a, ta, ta)
            self.add(s, a, s, a)
            self.ctx = ("surah", s)
            return
        save = self.i
        self.i += 1
        self.skip({AYAH, ARTICLE, FILLER})
        k = self.kind()
        if k == NUM and self.kind(1) == COLON and self.kind(2) == NUM:
            s2, ts2 = self.toks[self.i][1], self.toks[self.i][2]
            b, tb = self.toks[self.i + 2][1], self.toks[self.i + 2][2]
            self.i += 3
            if not 1 <= s2 <= SURAH_COUNT:
                raise _surah_out_of_range(s2, ts2)
            if s2 == s:
                self.check_ayahs(s, a, b, ta, tb)
            self.cross(s, a, s2, b, ta, tb)
            self.ctx = ("surah", s2)
        elif k == NUM:
            b, tb = self.toks[self.i][1], self.toks[self.i][2]
            self.i += 1
            self.check_ayahs(s, a, b, ta, tb)
            self.add(s, a, s, b)
            self.ctx = ("surah", s)
        elif k == END:
            self.i += 1
            self.check_ayahs(s, a, a, ta, ta)
            self.add(s, a, s, _COUNTS[s])
            self.ctx = ("surah", s)
        elif self.at_surah_ref():
            s2 = self.read_surah_ref()
            if s2 is None:
                raise ParseError(
                    "not_a_reading", f"I couldn't understand that. Tell me what you read, {_EXAMPLES}."
                )
            self.skip({AYAH, COLON})
            if self.kind() == NUM:
                b, tb = self.toks[self.i][1], self.toks[self.i][2]
                self.i += 1
            else:
                b = _COUNTS[s2]
                tb = str(b)
            if s2 == s:
                self.check_ayahs(s, a, b, ta, tb)
            self.cross(s, a, s2, b, ta, tb)
            self.ctx = ("surah", s2)
        else:
            self.i = save
            raise ParseError(
                "incomplete_range",
                f"I understood {_name(s)} from ayah {ta}, but not where it ends — "
                f"write e.g. '{_name(s)} {ta}–{min(_COUNTS[s], a + 9)}'.",
                surah=s,
                start=a,
            )

    def surah_body(self, s: int) -> None:
        """After a surah has been named: whole surah, an ayah, a range, or a range into another surah."""
        if self.kind() == SEP and self.kind(1) == AYAH:  # "Surah Al-Kahf, verses 1-10"
            self.i += 1
        self.skip({COLON, AYAH, FROM})
        k = self.kind()
        if k == NUM and not (self.kind(1) == COLON and self.kind(2) == NUM):
            a, ta = self.toks[self.i][1], self.toks[self.i][2]
            self.i += 1
            self.skip({AYAH})
            self.range_tail(s, a, ta)
            return
        if k == TO:
            nk = self.kind(1)
            j = self.i + 1
            while j < self.n and self.toks[j][0] in (AYAH, ARTICLE, FILLER):
                j += 1
            nk = self.toks[j][0] if j < self.n else None
            if nk in (NUM, END, NAME, SURAH, UNKNOWN):
                self.range_tail(s, 1, "1")
                return
        self.add(s, 1, s, _COUNTS[s])
        self.ctx = ("surah", s)

    # -- units
    def unit_numbers(self, kind: str) -> None:
        unit = _UNITS[kind][0]
        self.skip({COLON, ARTICLE, FILLER})
        k = self.kind()
        if k == JUZREF and kind == JUZ:
            self.i += 1
            self.spans.append(juz_span(self.toks[self.i - 1][1]))
            self.ctx = (JUZ, 0)
            return
        if k not in (NUM, ORD):
            raise ParseError("missing_number", f"Which {unit}? Write e.g. '{unit} 3'.", unit=unit)
        a, ta = self.unit_number(kind)
        b, tb = a, ta
        if self.kind() == TO:
            save = self.i
            self.i += 1
            self.skip({kind, ARTICLE, FILLER})
            if self.kind() in (NUM, ORD):
                b, tb = self.unit_number(kind)
            else:
                self.i = save
        self.unit_range(kind, a, b, ta, tb)

    def unit_number(self, kind: str) -> tuple[int, str]:
        _, value, text = self.toks[self.i]
        self.i += 1
        if value == 0 and text in _ORDINALS:  # "the last juz"
            value = _UNITS[kind][1]
            text = str(value)
        return value, text

    def unit_range(self, kind: str, a: int, b: int, ta: str, tb: str) -> None:
        unit, count, span_of, code = _UNITS[kind]
        for v, t in ((a, ta), (b, tb)):
            if not 1 <= v <= count:
                raise ParseError(
                    code,
                    f"{_UNIT_LIMIT_TEXT[kind]}, so {unit} {t} is out of range.",
                    unit=unit,
                    start=a,
                    end=b,
                    given=v,
                    max=count,
                )
        if b < a:
            raise ParseError(
                "reversed_range",
                f"{unit.capitalize()} {ta}–{tb} runs backwards — did you mean {unit} {tb}–{ta}?",
                unit=unit,
                start=a,
                end=b,
            )
        self.spans.append(span_of(a) if a == b else Span(span_of(a).start, span_of(b).end))
        self.ctx = (kind, 0)

    # -- a number with no keyword before it
    def bare_number(self) -> None:
        start = self.i
        a, ta = self.toks[self.i][1], self.toks[self.i][2]
        self.i += 1
        self.skip({AYAH})
        b, tb, to_end = a, ta, False
        if self.kind() == TO:
            j = self.i + 1
            while j < self.n and self.toks[j][0] in (AYAH, FILLER):
                j += 1
            if j < self.n and self.toks[j][0] == NUM and self.kind(j + 1 - self.i) != COLON:
                b, tb = self.toks[j][1], self.toks[j][2]
                self.i = j + 1
            elif j < self.n and self.toks[j][0] == END:
                to_end = True
                self.i = j + 1
        if self.kind() in (OF, FROM):  # "ayah 255 of (surah) al-baqarah", "الآية ٥ من سورة الكهف"
            save = self.i
            self.i += 1
            if self.at_surah_ref():
                s = self.read_surah_ref()
                if s is not None:
                    if to_end:
                        b, tb = _COUNTS[s], str(_COUNTS[s])
                    self.check_ayahs(s, a, b, ta, tb)
                    self.add(s, a, s, b)
                    self.ctx = ("surah", s)
                    return
            self.i = save
        ctx = self.ctx
        if ctx is not None and ctx[0] == "surah":
            self.i = start + 1
            self.skip({AYAH})
            self.range_tail(ctx[1], a, ta)
            return
        if ctx is not None and not to_end:
            self.unit_range(ctx[0], a, b, ta, tb)
            return
        raise ParseError(
            "missing_context",
            f"I'm not sure what {_range_text(ta, tb)} refers to — write e.g. "
            f"'Al-Kahf {_range_text(ta, tb)}', 'juz {ta}' or 'page {ta}'.",
            start=a,
            end=b,
        )

    def numeric_ref(self) -> None:
        s, ts = self.toks[self.i][1], self.toks[self.i][2]
        a, ta = self.toks[self.i + 2][1], self.toks[self.i + 2][2]
        self.i += 3
        if not 1 <= s <= SURAH_COUNT:
            raise _surah_out_of_range(s, ts)
        self.skip({AYAH})
        self.range_tail(s, a, ta)

    # -- top level
    def run(self) -> list[Span]:
        toks = self.toks
        while self.i < self.n:
            kind, value, _ = toks[self.i]
            if kind in (ORD, END) and self.first_last():
                continue
            if kind in _SKIP_ALWAYS:
                self.i += 1
            elif kind == PREP:  # "after fajr", "بعد العصر": not a reading
                self.i += 1
                if self.i < self.n and (toks[self.i][2] in _PRAYERS or toks[self.i][0] in (FILLER, UNKNOWN)):
                    self.i += 1
            elif kind in _UNITS:
                self.i += 1
                self.unit_numbers(kind)
            elif kind == SURAH:
                self.surah_keyword()
            elif kind == NAME:
                n, weak = value
                if weak and not self.name_position(self.i):
                    self.i += 1
                    continue
                self.i += 1
                self.surah_body(n)
            elif kind == NUM:
                if self.kind(1) == COLON and self.kind(2) == NUM:
                    self.numeric_ref()
                else:
                    self.bare_number()
            elif kind == ORD:
                if self.kind(1) in _UNITS:
                    unit_kind = toks[self.i + 1][0]
                    a, ta = self.unit_number(unit_kind)
                    self.i += 1
                    self.unit_range(unit_kind, a, a, ta, ta)
                else:
                    self.i += 1
            elif kind == PASSAGE:
                self.i += 1
                self.add(*value)
                self.ctx = ("surah", value[0])
            elif kind == JUZREF:
                self.i += 1
                self.spans.append(juz_span(value))
                self.ctx = (JUZ, 0)
            elif kind == UNKNOWN:
                n = self.resolve_unknown(self.i, False)
                self.i += 1
                if n is not None:
                    self.surah_body(n)
            else:  # pragma: no cover - every kind is handled above
                self.i += 1
        return self.spans

    def first_last(self) -> bool:
        """ "first 10 ayahs of kahf", "last 2 verses of al-baqarah", "آخر ١٠ آيات من الكهف"."""
        kind, value, _ = self.toks[self.i]
        last = value == 0 if kind == ORD else True
        if kind == ORD and value not in (0, 1):
            return False
        j = self.i + 1
        count, shown = 1, "1"
        if j < self.n and self.toks[j][0] == NUM:
            count, shown = self.toks[j][1], self.toks[j][2]
            j += 1
        if not (j < self.n and self.toks[j][0] == AYAH):
            return False
        j += 1
        if not (j < self.n and self.toks[j][0] in (OF, FROM)):
            return False
        save = self.i
        self.i = j + 1
        if not self.at_surah_ref():
            self.i = save
            return False
        s = self.read_surah_ref()
        if s is None:
            self.i = save
            return False
        total = _COUNTS[s]
        if not 1 <= count <= total:
            which = "the last" if last else "the first"
            raise ParseError(
                "ayah_out_of_range",
                f"{_name(s)} has {total} ayahs, so {which} {shown} is out of range.",
                surah=s,
                ayah_count=total,
                start=count,
                end=count,
            )
        if last:
            self.add(s, total - count + 1, s, total)
        else:
            self.add(s, 1, s, count)
        self.ctx = ("surah", s)
        return True

    def surah_keyword(self) -> None:
        self.i += 1
        self.skip({ARTICLE, COLON, FILLER})
        k = self.kind()
        if k == NUM and self.kind(1) == COLON and self.kind(2) == NUM:
            self.numeric_ref()
            return
        if k == NUM:
            n, tn = self.toks[self.i][1], self.toks[self.i][2]
            self.i += 1
            if not 1 <= n <= SURAH_COUNT:
                raise _surah_out_of_range(n, tn)
            if self.kind() == TO:
                j = self.i + 1
                while j < self.n and self.toks[j][0] in (SURAH, FILLER):
                    j += 1
                if j < self.n and self.toks[j][0] == NUM and self.kind(j + 1 - self.i) != COLON:
                    m, tm = self.toks[j][1], self.toks[j][2]
                    self.i = j + 1
                    if not 1 <= m <= SURAH_COUNT:
                        raise _surah_out_of_range(m, tm)
                    if m < n:
                        raise ParseError(
                            "reversed_range",
                            f"Surahs {tn}–{tm} run backwards — did you mean surahs {tm}–{tn}?",
                            unit="surah",
                            start=n,
                            end=m,
                        )
                    self.add(n, 1, m, _COUNTS[m])
                    self.ctx = ("surah", m)
                    return
            self.surah_body(n)
            return
        if k == ORD and self.toks[self.i][1] >= 1:
            n = self.toks[self.i][1]
            self.i += 1
            self.surah_body(n)
            return
        if k in (NAME, UNKNOWN):
            self.i -= 1  # let read_surah_ref see the SURAH keyword (explicit → weak names and errors)
            while self.kind() != SURAH:
                self.i -= 1
            s = self.read_surah_ref()
            if s is not None:
                self.surah_body(s)
        # a lone "surah" ("finished the whole surah") is not a reading by itself


def parse_reading(text: str) -> list[Span]:
    """Parse a recitation message into spans, in the order written.

    >>> [str(s) for s in parse_reading("read Al-Kahf 1-20 and juz 30")]
    ['Al-Kahf 1–20', 'An-Naba 1 – An-Naas 6']

    Raises ``ParseError`` (and nothing else) when the text is not a valid reading.
    """
    try:
        return _parse(text)
    except ParseError:
        raise
    except Exception as exc:  # defensive: the contract is "ParseError or a result", never a crash
        raise ParseError(
            "not_a_reading", f"I couldn't understand that. Tell me what you read, {_EXAMPLES}."
        ) from exc


def _parse(text: str) -> list[Span]:
    if not isinstance(text, str):
        raise ParseError("not_a_reading", f"Tell me what you read as text, {_EXAMPLES}.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise ParseError(
            "too_long",
            f"That message is too long ({len(text)} characters); please keep it under {MAX_MESSAGE_CHARS}.",
            length=len(text),
            max_length=MAX_MESSAGE_CHARS,
        )
    toks = _tokenize(text)
    if all(t[2] in _PUNCT for t in toks):  # nothing but punctuation, emoji and spaces
        raise ParseError("empty", f"Tell me what you read, {_EXAMPLES}.")
    parser = _Parser(toks)
    spans = parser.run()
    if spans:
        return spans
    if parser.loose_unknowns:
        score, word, cands = max(parser.loose_unknowns, key=lambda u: u[0])
        raise _unknown_surah(word, [n for n, sc in cands if sc >= max(FUZZY_SUGGEST, score - 15)][:3])
    raise ParseError(
        "not_a_reading", f"I couldn't find a reading in that. Tell me what you read, {_EXAMPLES}."
    )

"""``parse_reading``: what a person says they read, in English or Arabic → a list of ``Span``.

Pipeline: normalise (``quran.names.normalize``) → lex into numbers / words / punctuation → classify words
(multi-word names and phrases first, longest match wins; then keywords, fillers, surah names, fuzzy
candidates) → a small hand-written, non-recursive parser over the classified tokens. See docs/parser.md.

Anything that is not a valid reading raises ``ParseError`` (a ``ValueError``) with a stable ``.code``,
structured ``.params`` and an English ``.message``. No other exception escapes ``parse_reading``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from quran.book import (
    _COUNT as _COUNTS,
)
from quran.book import (
    HIZB_COUNT,
    HIZB_QUARTER_COUNT,
    JUZ_COUNT,
    MANZIL_COUNT,
    PAGE_COUNT,
    SURAH_COUNT,
    Ayah,
    Span,
    _load_json,
    hizb_quarter_span,
    hizb_span,
    juz_span,
    manzil_span,
    page_span,
    surah_name,
)
from quran.names import (
    AFTER_SURAH_ONLY,
    FUZZY_ACCEPT,
    FUZZY_MARGIN,
    FUZZY_SUGGEST,
    MAX_NAME_WORDS,
    exact_surah,
    fuzzy_surah,
    is_arabic,
    name_key,
    normalize,
)
from quran.numwords import AR_TEN, CARDINALS, ORDINALS, TENS

__all__ = ["MAX_MESSAGE_CHARS", "Fix", "ParseError", "Parsed", "parse_message", "parse_reading"]

#: Longer messages are refused with code "too_long" (Telegram's own limit is 4096 characters).
MAX_MESSAGE_CHARS = 4096
#: With nothing else understood, an unknown word scoring this much is reported as a misspelt surah.
FUZZY_REPORT_LOOSE = 75.0

_EXAMPLES = "e.g. 'Al-Kahf 1–20', 'Yasin', '2:255', 'juz 3' or 'page 45'"


class ParseError(ValueError):
    """A message that is not (entirely) a valid reading.

    ``code``: short stable identifier (see docs/parser.md); ``params``: structured details for
    translation; ``message`` (also ``str(err)``): the English explanation for the user. ``options``: when
    the message is a question rather than a dead end ("did you mean Al-Kahf?", "Surah Sad 100 or page
    100?"), the complete readings the user can choose from, each a ``(choice, Parsed)`` pair — the whole
    message re-read with that choice, so one tap logs everything the message said.
    """

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params
        self.options: list[tuple[str, Parsed]] = []

    def __repr__(self) -> str:
        return f"ParseError({self.code!r}, {self.message!r}, **{self.params!r})"


class Parsed(NamedTuple):
    """What a message said: the spans read, or an amount to continue the khatm with; and when.

    ``amount`` is ("page" | "juz" | "hizb" | "hizb quarter" | "ayah", count) for "read 5 pages" — a
    reading with no place, resolved against the user's khatm by ``tracker.amounts``; ``spans`` is then
    empty. ``days_ago`` (0 today, 1 yesterday, 2 for "2 days ago" / أول أمس) and ``weekday`` ("on Friday":
    0 Monday … 6 Sunday, the most recent such day, resolved by the tracker) say when. ``verb`` is "read",
    or "memorized" / "revised" when the message says so (hifz, handled in its own entry point).
    """

    spans: tuple[Span, ...] = ()
    amount: tuple[str, int] | None = None
    days_ago: int = 0
    weekday: int | None = None
    verb: str = "read"

    @property
    def kind(self) -> str:
        return "amount" if self.amount else "reading"


@dataclass(frozen=True, slots=True)
class Fix:
    """A choice the user made in answer to a question; the message is parsed again with it."""

    surah_for: tuple[tuple[str, int], ...] = ()  # (word, surah): "kahv" meant Al-Kahf
    swap: bool = False  # a backwards range meant the other way round
    half: int | None = None  # "half of juz 3": the first (1) or second (2) half
    group: str | None = None  # "the quls": which group ("three_quls", "four_quls")
    sad: str | None = None  # "ص ١٠٠": "surah" (Sad 100) or "page" (page 100)
    bare_surah: bool = False  # "1:1-7 and 112": 112 is a surah, not an ayah of Al-Fatiha
    count: str | None = None  # "10 ayahs of kahf": "first" (Al-Kahf 1–10) or "ayah" (Al-Kahf 10)


_NO_FIX = Fix()


# ------------------------------------------------------------------------------------------- tokens
# A token is (kind, value, text).
NUM, ORD, WORD, COLON, TO, SEP = "NUM", "ORD", "WORD", "COLON", "TO", "SEP"
FROM, OF, END = "FROM", "OF", "END"
SURAH, AYAH, JUZ, HIZB, QUARTER, PAGE = "SURAH", "AYAH", "JUZ", "HIZB", "QUARTER", "PAGE"
NAME, UNKNOWN, PASSAGE, JUZREF = "NAME", "UNKNOWN", "PASSAGE", "JUZREF"
FILLER, ARTICLE, PREP, TIMES = "FILLER", "ARTICLE", "PREP", "TIMES"
MANZIL, HALF, RUKU, GROUP, AMOUNT = "MANZIL", "HALF", "RUKU", "GROUP", "AMOUNT"
# Words that change what a message means. Each one is either used by the grammar or makes the parse
# an error or a question: never a silently shorter reading.
TIME, WEEKDAY, DAY, AGO, FUTURE, NEG = "TIME", "WEEKDAY", "DAY", "AGO", "FUTURE", "NEG"

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
_KEYWORDS.update(_words(QUARTER, None, "quarter quarters rub ruba rubu rubs ربع الربع ارباع الارباع"))
_KEYWORDS.update(_words(MANZIL, None, "manzil manzils manzel manazil منزل المنزل منازل"))
_KEYWORDS.update(_words(HALF, None, "half halves nisf نصف النصف"))
_KEYWORDS.update(_words(RUKU, None, "ruku rukus rukuh rukoo rukou rukooh rukua ركوع الركوع ركوعات ركوعين"))
_KEYWORDS.update(_words(TIME, 1, "yesterday yday yesterdays امس الامس البارحه بالامس"))
_KEYWORDS.update(_words(DAY, None, "day days يوم ايام"))
_KEYWORDS.update(_words(DAY, 2, "يومين يومان"))
_KEYWORDS.update(_words(AGO, None, "ago back"))
_KEYWORDS.update(_words(FILLER, None, "rest next remaining الباقي المزيد البقيه الباقيه"))
_KEYWORDS.update(
    _words(
        FUTURE,
        None,
        """tomorrow tmrw tmr tmrow tomorow tommorow tommorrow tomorrows will ill gonna later plan planning
    intend غدا غدوه بكره بكرا باكر الغد سوف ساقرا سنقرا ساكمل سنكمل ساختم سانهي انوي ناوي ساحاول""",
    )
)
_KEYWORDS.update(
    _words(
        NEG, None, "not didnt didn dont havent hasnt havnt hadnt never couldnt cant wont missed skipped لم لن"
    )
)
_WEEKDAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAYS_AR = ("الاثنين", "الثلاثا", "الاربعا", "الخميس", "الجمعه", "السبت", "الاحد")
for _d, (_en, _ar) in enumerate(zip(_WEEKDAYS_EN, _WEEKDAYS_AR, strict=True)):
    if _en != "friday":  # "friday" alone is also Al-Jumu'ah; "on friday" is a day (phrases below)
        _KEYWORDS[_en] = (WEEKDAY, _d)
    if _ar != "الجمعه":  # likewise الجمعة; يوم الجمعة is the day
        _KEYWORDS[_ar] = (WEEKDAY, _d)
# Dual nouns are amounts on their own: صفحتين = two pages.
for _w, _unit in (
    ("صفحتين صفحتان", "page"),
    ("جزين جزيين جزاين جزان جزوين", "juz"),
    ("حزبين حزبان", "hizb"),
    ("ربعين ربعان", "hizb quarter"),
    ("ايتين ايتان", "ayah"),
):
    _KEYWORDS.update(_words(AMOUNT, (_unit, 2), _w))
_KEYWORDS.update(_words(PAGE, None, """page pages pg pgs p pp pag paage pge صفحه الصفحه صفحات الصفحات"""))
_KEYWORDS.update(_words(TO, None, "to till til until untill through thru upto unto الي حتي لغايه لين"))
_KEYWORDS.update(_words(FROM, None, "from starting start من"))
_KEYWORDS.update(_words(OF, None, "of in"))
_KEYWORDS.update(_words(SEP, None, "and plus then also و ثم"))
_KEYWORDS.update(_words(END, None, "end ending اخر الاخر النهايه نهايه اخرها"))
# "an", "as", "at", "ad" and "the" are also everyday English, so they are only filler; joined forms
# ("an-nas", "at-tin") are matched as whole names before single words are classified.
_KEYWORDS.update(_words(ARTICLE, None, "al el ar ash az adh ul ال"))
_KEYWORDS.update(_words(PREP, None, "after before بعد قبل منذ"))
_KEYWORDS.update(_words(TIMES, None, "times x مرات مره"))  # "fatiha 7 times", "kahf x2": a count
_KEYWORDS.update(
    _words(
        FILLER,
        None,
        """i im ive id we weve me my our us you it its a is am are was were
    the an as at ad feel be been have has had having read reading reads recite recited reciting
    recitation listen listened
    listening memorised memorized memorise memorize revise revised revision review reviewed hifz
    muraja murajaah
    finished finish finishing done did do completed complete completing today tonight todays this morning
    evening afternoon just now again all whole entire full fully entirely more some portion bit
    quran quraan koran mushaf please pls plz ok okay so got alhamdulillah alhamdulilah alhamdullilah
    alhamdulillaah hamdulillah hamdullah mashallah mashaallah inshallah insha allah subhanallah bismillah
    jazakallah ameen amin thanks thank with for on by during while daily wird session goal target khatm khatam
    khatma tilawah tilawa tilawat log add mark marked yes yeah yay went over up began started no number
    st nd rd th twice thrice once مرتين
    قرات قريت قرانا قراه انا لقد قد تم اليوم الحمدلله الحمد لله الله ماشاالله ما شا
    ان انشاالله ختمت ختم ختمه انهيت اكملت اتممت راجعت مراجعه حفظت حفظ سمعت تلاوه تلوت وردي ورد الورد صباحا
    مسا الصباح المسا الليله في على كامل كامله كاملا كلها كله جميع القران مصحف المصحف بحمد الحمدالله هذا هذه
    الان فقط ايضا حمدا شكرا سبحان يا رب اللهم رقم""",
    )
)

_ORDINALS = ORDINALS
for _w, _v in CARDINALS.items():
    _KEYWORDS.setdefault(_w, (NUM, _v))
for _w, _v in _ORDINALS.items():
    _KEYWORDS[_w] = (ORD, _v)

# Multi-word (joined) phrases and special single words, matched before anything else.
_PHRASES: dict[str, tuple[str, Any]] = {"upto": (TO, None), "uptill": (TO, None)}
_PASSAGES: dict[str, Any] = _load_json("passages.json")


def _passage(pid: str) -> tuple[tuple[int, int, int, int], ...]:
    return tuple(tuple(sp) for sp in _PASSAGES["passages"][pid]["spans"])  # type: ignore[misc]


for _pid, _p in _PASSAGES["passages"].items():
    for _name in _p["names"]:
        _PHRASES[name_key(_name)] = (PASSAGE, _passage(_pid))
for _gid, _g in _PASSAGES["ask"].items():
    for _name in _g["names"]:
        _PHRASES[name_key(_name)] = (GROUP, tuple(_g["choices"]))
for _juz, _jnames in _PASSAGES["juz_names"].items():
    for _name in _jnames:
        for _j in ("juz", "juzz", "juzu", "para", "parah", "sipara", "جز", "الجز", "جزو"):
            _PHRASES[_j + name_key(_name)] = (JUZREF, int(_juz))
for _w in ("amma", "عم"):
    _PHRASES[_w] = (JUZREF, 30)
#: Phrases are matched over runs of up to this many words (the longest surah or passage name, plus one).
MAX_PHRASE_WORDS = max(
    MAX_NAME_WORDS, *(len(n.split()) + 1 for p in _PASSAGES["passages"].values() for n in p["names"])
)
# Time phrases.
for _k, _v in (
    ("lastnight", 1),
    ("daybeforeyesterday", 2),
    ("اولامس", 2),
    ("اولالبارحه", 2),
    ("اولمنامس", 2),
):
    _PHRASES[_k] = (TIME, _v)
for _k in ("goingto", "gonnaread", "iwill", "نويت"):
    _PHRASES[_k] = (FUTURE, None)
for _k in ("ماقريت", "ماقرات", "ماكملت"):
    _PHRASES[_k] = (NEG, None)
_PHRASES["ماشاالله"] = (FILLER, None)
# "for the second time", "مرة ثانية": how often, not which part.
for _k in (
    "firsttime",
    "secondtime",
    "thirdtime",
    "lasttime",
    "مرهثانيه",
    "مرهاخري",
    "للمرهالثانيه",
    "مرهاولي",
):
    _PHRASES[_k] = (FILLER, None)
for _d, (_en, _ar) in enumerate(zip(_WEEKDAYS_EN, _WEEKDAYS_AR, strict=True)):
    for _pre in ("on", "last", "onlast", "this", "thispast"):
        _PHRASES[_pre + _en] = (WEEKDAY, _d)
    _PHRASES["يوم" + _ar] = (WEEKDAY, _d)
    _PHRASES[_ar + "الماضي"] = (WEEKDAY, _d)
    _PHRASES[_ar + "الماضيه"] = (WEEKDAY, _d)
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
    MANZIL: ("manzil", MANZIL_COUNT, manzil_span, "manzil_out_of_range"),
    HIZB: ("hizb", HIZB_COUNT, hizb_span, "hizb_out_of_range"),
    QUARTER: ("hizb quarter", HIZB_QUARTER_COUNT, hizb_quarter_span, "hizb_quarter_out_of_range"),
    PAGE: ("page", PAGE_COUNT, page_span, "page_out_of_range"),
}
_UNIT_LIMIT_TEXT = {
    JUZ: "There are 30 juz",
    HIZB: "There are 60 hizb",
    QUARTER: "There are 240 hizb quarters",
    PAGE: "The Madani mushaf has 604 pages",
    MANZIL: "There are 7 manzils",
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


_ORDINAL_TIMES = frozenset({"ثانيه", "اخري", "الثانيه", "اولي"})


def _drop_counts(raw: list[tuple[str, Any, str]]) -> list[tuple[str, Any, str]]:
    """Remove repetition counts ("7 times", "x2", "3 مرات") so they are not read as ayah numbers."""
    if not any(t[0] == WORD and _KEYWORDS.get(t[2], ("",))[0] == TIMES for t in raw):
        return raw
    keep = [True] * len(raw)
    for i, t in enumerate(raw):
        if t[0] == WORD and _KEYWORDS.get(t[2], ("",))[0] == TIMES:
            if i + 1 < len(raw) and raw[i + 1][2] in _ORDINAL_TIMES:
                continue  # "مرة ثانية": a phrase ("again"), matched as filler below
            keep[i] = False
            before = i > 0 and (raw[i - 1][0] == NUM or raw[i - 1][2] in CARDINALS)
            after = i + 1 < len(raw) and (raw[i + 1][0] == NUM or raw[i + 1][2] in CARDINALS)
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
        while j < n and raw[j][0] == WORD and j - i < MAX_PHRASE_WORDS:
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
    return _combine(out)


_GROUP_COUNT_WORDS = {3: "three", 4: "four"}
_COMBINE_KINDS = frozenset({DAY, PREP, GROUP})
# "first"/"one" in Arabic teens is الحادي/أحد: أول عشر آيات is "the first ten ayahs", not "the eleventh".
_NOT_IN_TEENS = frozenset({"اول", "الاول", "اولي", "الاولي", "واحد", "واحده"})


def _combine(toks: list[tuple[str, Any, str]]) -> list[tuple[str, Any, str]]:
    """Join what is one meaning over several tokens: compound number words ("twenty first",
    "الخامس عشر", "الحادي والعشرون", "خمسة عشر"), "2 days ago", "قبل يومين", "3 quls"."""
    for k, _, t in toks:  # most messages have nothing to join: leave them as they are
        if k in _COMBINE_KINDS or (k in (NUM, ORD) and not t.isdigit()):
            break
    else:
        return toks
    out: list[tuple[str, Any, str]] = []
    i, n = 0, len(toks)
    while i < n:
        k, v, t = toks[i]
        nk = toks[i + 1] if i + 1 < n else None
        if nk is None:
            out.append(toks[i])
            break
        if k in (NUM, ORD) and not t.isdigit() and v:
            if (
                t in TENS
                and nk[0] in (NUM, ORD)
                and nk[2] not in TENS
                and not nk[2].isdigit()
                and 1 <= nk[1] <= 9
                and not is_arabic(t)
            ):  # twenty one, twenty-first
                out.append((nk[0], v + nk[1], f"{t} {nk[2]}"))
                i += 2
                continue
            if 1 <= v <= 9 and t not in TENS and t not in _NOT_IN_TEENS:
                if nk[0] == NUM and nk[2] in AR_TEN:  # خمسة عشر, الخامس عشر, الحادية عشرة
                    out.append((k, v + 10, f"{t} {nk[2]}"))
                    i += 2
                    continue
                if nk[0] == SEP and i + 2 < n and toks[i + 2][0] in (NUM, ORD) and toks[i + 2][2] in TENS:
                    tens = toks[i + 2]  # الخامس والعشرون, واحد وعشرون
                    out.append((k, v + tens[1], f"{t} و{tens[2]}"))
                    i += 3
                    continue
        if k == NUM and nk[0] == DAY and i + 2 < n and toks[i + 2][0] == AGO:  # 2 days ago
            out.append((TIME, v, f"{t} {nk[2]} {toks[i + 2][2]}"))
            i += 3
            continue
        if k == DAY and nk[0] == AGO and t == "day":  # a day ago
            out.append((TIME, 1, f"{t} {nk[2]}"))
            i += 2
            continue
        if k == PREP and t in ("قبل", "منذ"):
            if nk[0] == DAY and (nk[1] == 2 or nk[2] == "يوم"):  # قبل يومين, قبل يوم
                out.append((TIME, nk[1] or 1, f"{t} {nk[2]}"))
                i += 2
                continue
            if nk[0] == NUM and i + 2 < n and toks[i + 2][0] == DAY:  # قبل ٣ أيام
                out.append((TIME, nk[1], f"{t} {nk[2]} {toks[i + 2][2]}"))
                i += 3
                continue
        if k == NUM and nk[0] == GROUP and v in _GROUP_COUNT_WORDS:  # 3 quls
            for choice in nk[1]:
                if choice.startswith(_GROUP_COUNT_WORDS[v]):
                    out.append((PASSAGE, _passage(choice), f"{t} {nk[2]}"))
                    i += 2
                    break
            else:
                out.append(toks[i])
                i += 1
            continue
        out.append(toks[i])
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
_AMOUNT_UNITS = {PAGE: "page", JUZ: "juz", HIZB: "hizb", QUARTER: "hizb quarter", AYAH: "ayah"}
_AMOUNT_LIMITS = {"page": PAGE_COUNT, "juz": JUZ_COUNT, "hizb": HIZB_COUNT, "hizb quarter": 240, "ayah": 6236}
# What may follow "5 pages" for it to be an amount ("5 pages of kahf" or "5 pages 10-14" are not).
_AMOUNT_AFTER = frozenset({None, SEP, TIME, WEEKDAY, FUTURE, NEG, PREP, END})
_READING_KINDS = frozenset(
    {NAME, NUM, ORD, SURAH, JUZ, HIZB, QUARTER, PAGE, MANZIL, PASSAGE, JUZREF, AMOUNT, GROUP, HALF, UNKNOWN}
)
_AYAH_PLURALS = frozenset({"ayahs", "ayat", "ayaat", "ayas", "ayats", "verses", "vv", "ايات", "الايات"})
_LONE_DAY_WORDS = frozenset({"day", "يوم", "back"})  # "all day", "back to back"; "days", "ago" alone are not
_PLAN_WORDS = frozenset(
    {"more", "rest", "next", "remaining", "الباقي", "والباقي", "المزيد", "البقيه", "الباقيه"}
)
_ARABIC_ONE = frozenset({"واحد", "واحده"})


def _unused(word: str, what: str = "word") -> ParseError:
    return ParseError(
        "unused_word",
        f"I'm not sure what '{word}' means here, so I logged nothing. Tell me what you read, {_EXAMPLES}.",
        given=word,
        what=what,  # "half", "quarter", "ordinal" or "word"
    )


def _no_ruku() -> ParseError:
    return ParseError(
        "no_ruku",
        "I don't track rukus: their boundaries are not in my data. "
        "Tell me the surah and ayahs instead, e.g. 'Al-Baqarah 1–7'.",
    )


def _amount_with_reading() -> ParseError:
    return ParseError(
        "amount_with_reading",
        "I can log a place ('Al-Kahf 1–20') or an amount ('5 pages') — not both in one message. "
        "Send them separately.",
    )


def _quarter_of_juz() -> ParseError:
    return ParseError(
        "quarter_of_juz",
        "A juz has 8 hizb quarters — write e.g. 'quarter 2 of hizb 5' or 'the first half of juz 3'.",
    )


class _Parser:
    __slots__ = ("amount", "ctx", "days_ago", "fix", "i", "loose_unknowns", "n", "spans", "toks", "weekday")

    def __init__(self, toks: list[tuple[str, Any, str]], fix: Fix = _NO_FIX) -> None:
        self.toks = toks
        self.fix = fix
        self.amount: tuple[str, int] | None = None
        self.days_ago: int | None = None
        self.weekday: int | None = None
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
        start, end = Ayah(s1, a1), Ayah(s2, a2)
        if self.fix.swap and end < start:  # the user chose "the other way round"
            start, end = end, start
        self.spans.append(Span(start, end))

    def prev_kind(self, j: int) -> str | None:
        return self.toks[j - 1][0] if j > 0 else None

    def near_number(self) -> bool:
        """Is the day word at i next to a number ("in 2 days", "juz 3 days")? Then it names a day."""
        near = {self.prev_kind(self.i), self.kind(1)}
        return NUM in near or DAY in near or AGO in near

    def plan_follows(self) -> bool:
        """At a future word after a reading: is the rest a plan ("… inshallah more tomorrow", "والباقي
        غدا") — a word like "more"/"rest" just before it, and no reading after it?"""
        j = self.i - 1
        while j >= 0 and self.toks[j][0] in (FILLER, SEP) and self.toks[j][2] not in _PLAN_WORDS:
            j -= 1
        if j < 0 or self.toks[j][2] not in _PLAN_WORDS:
            return False
        return not any(t[0] in _READING_KINDS for t in self.toks[self.i + 1 :])

    # -- when, and amounts
    def set_when(self, days: int | None = None, weekday: int | None = None) -> None:
        text = self.toks[self.i][2]
        self.i += 1
        if days is not None and not 0 <= days <= 60:
            raise ParseError(
                "unclear_time",
                f"I can log readings of the last 60 days; '{text}' is further back.",
                word=text,
            )
        if (self.days_ago is not None and days is not None and days != self.days_ago) or (
            (self.days_ago is not None and weekday is not None)
            or (self.weekday is not None and (days is not None or weekday != self.weekday))
        ):
            raise ParseError(
                "unclear_time",
                f"That names two different days ('{text}' and another) — send one message per day.",
                word=text,
            )
        if days is not None:
            self.days_ago = days
        if weekday is not None:
            self.weekday = weekday

    def set_amount(self, unit: str, count: int, shown: str) -> None:
        limit = _AMOUNT_LIMITS[unit]
        if not 1 <= count <= limit:
            raise ParseError(
                "amount_out_of_range",
                f"{shown} {unit}s is more than the whole Quran ({limit}).",
                unit=unit,
                given=count,
                max=limit,
            )
        if self.amount is not None:
            raise _amount_with_reading()
        self.amount = (unit, count)

    def amount_here(self) -> bool:
        """ "5 pages", "2 juz", "20 ayahs", "٥ صفحات", "one page": an amount, with nothing after the unit."""
        j = self.i + 1
        if j >= self.n or self.toks[j][0] not in _AMOUNT_UNITS:
            return False
        q = j + 1
        while q < self.n and self.toks[q][0] in _NOISE:
            q += 1
        if (self.toks[q][0] if q < self.n else None) not in _AMOUNT_AFTER:
            return False
        value, shown = self.toks[self.i][1], self.toks[self.i][2]
        self.i = j + 1
        self.set_amount(_AMOUNT_UNITS[self.toks[j][0]], value, shown)
        return True

    # -- parts of a hizb or a juz
    def part(self) -> bool:
        """ "first quarter of hizb 5", "quarter 2 of hizb 3", "الربع الثاني من الحزب الثالث", "ربع ٢ من
        الحزب ٣", "second half of juz 3", "النصف الأول من الجزء ٣", "نصف جزء" (an amount). False when the
        tokens are not this shape (then "quarter 5" is the fifth of the 240 hizb quarters)."""
        toks, n = self.toks, self.n
        j = self.i
        k: int | None = None
        kt = ""
        if toks[j][0] == ORD:
            k, kt = toks[j][1], toks[j][2]
            j += 1
        if j >= n or toks[j][0] not in (QUARTER, HALF):
            return False
        what, wt = toks[j][0], toks[j][2]
        j += 1
        while j < n and toks[j][0] in _NOISE:
            j += 1
        if k is None and j + 1 < n and toks[j][0] in (NUM, ORD) and toks[j + 1][0] in (OF, FROM):
            k, kt = toks[j][1], toks[j][2]
            j += 1
        if k is None and what == HALF and j < n and toks[j][0] == ORD and toks[j][1] in (1, 2, 0):
            k, kt = toks[j][1], toks[j][2]  # النصف الأول / الثاني / الأخير (من الجزء ...)
            j += 1
        has_of = j < n and toks[j][0] in (OF, FROM)
        if has_of:
            j += 1
        while j < n and toks[j][0] in _NOISE:
            j += 1
        juzref = j < n and toks[j][0] == JUZREF  # "second half of juz amma": juz and number in one token
        if not juzref and (j >= n or toks[j][0] not in (JUZ, HIZB)):
            if what == HALF or has_of:
                raise _unused(wt, "half" if what == HALF else "quarter")
            return False
        unit_kind = JUZ if juzref else toks[j][0]
        if not juzref:
            j += 1
        while j < n and toks[j][0] in (COLON, ARTICLE, FILLER):
            j += 1
        if j < n and (toks[j][0] in (NUM, ORD) or (toks[j][0] == JUZREF and unit_kind == JUZ)):
            m, mt = toks[j][1], toks[j][2]
            if toks[j][0] == ORD and m == 0:
                m, mt = _UNITS[unit_kind][1], str(_UNITS[unit_kind][1])
            j += 1
        else:  # "half a juz", "نصف جزء", "ربع حزب": an amount
            if k is not None:
                raise _unused(kt, "ordinal")
            self.i = j
            if what == HALF:
                self.set_amount(
                    "hizb" if unit_kind == JUZ else "hizb quarter", 1 if unit_kind == JUZ else 2, "½"
                )
            elif unit_kind == HIZB:
                self.set_amount("hizb quarter", 1, "¼")
            else:
                raise _quarter_of_juz()
            return True
        self.i = j
        unit, count, _, code = _UNITS[unit_kind]
        if not 1 <= m <= count:
            raise ParseError(
                code,
                f"{_UNIT_LIMIT_TEXT[unit_kind]}, so {unit} {mt} is out of range.",
                unit=unit,
                start=m,
                end=m,
                given=m,
                max=count,
            )
        parts = 4 if what == QUARTER else 2
        part_name = "quarter" if what == QUARTER else "half"
        if what == QUARTER and unit_kind == JUZ:
            raise _quarter_of_juz()
        if k is None and what == HALF:
            k = self.fix.half
        if k is None:
            if what == HALF:
                raise ParseError(
                    "which_half",
                    f"The first or the second half of {unit} {mt}?",
                    unit=unit,
                    number=m,
                )
            raise ParseError(
                "which_part",
                f"Which quarter of hizb {mt}? Write e.g. 'quarter 1 of hizb {mt}'.",
                part=part_name,
                unit=unit,
                number=m,
            )
        if k == 0:
            k = parts
        if not 1 <= k <= parts:
            raise ParseError(
                "part_out_of_range",
                f"A {unit} has {parts} {'quarters' if parts == 4 else 'halves'}, "
                f"so {part_name} {kt} is out of range.",
                part=part_name,
                unit=unit,
                given=k,
                max=parts,
            )
        if what == QUARTER:
            self.spans.append(hizb_quarter_span(4 * (m - 1) + k))
        elif unit_kind == JUZ:
            self.spans.append(hizb_span(2 * (m - 1) + k))
        else:
            q = 4 * (m - 1) + 2 * k - 1
            self.spans.append(Span(hizb_quarter_span(q).start, hizb_quarter_span(q + 1).end))
        self.ctx = None
        return True

    def sad_or_page(self) -> None:
        """ "ص ١٠٠": ص is Surah Sad and also short for صفحة (page) — a question unless the user chose."""
        choice = self.fix.sad
        self.i += 1
        if choice == "page":
            self.unit_numbers(PAGE)
            return
        if choice == "surah":
            self.surah_body(38)
            return
        a, ta = self.toks[self.i][1], self.toks[self.i][2]
        b, tb = a, ta
        if self.kind(1) == TO and self.kind(2) == NUM:
            b, tb = self.toks[self.i + 2][1], self.toks[self.i + 2][2]
        r = _range_text(ta, tb)
        raise ParseError(
            "sad_or_page",
            f"Did you mean {surah_name(38)} {r} or page {r}? (ص is also short for صفحة.)",
            start=a,
            end=b,
        )

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
        if b < a and not self.fix.swap:
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
        if (s2, a2) < (s1, a1) and not self.fix.swap:
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
            counted = self.counted_ayahs(a)
            self.skip({AYAH})
            if counted and self.kind() in (None, SEP, TIME, WEEKDAY):  # "kahf 10 ayahs"
                self.count_of_surah(s, a, ta)
                return
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
        if k == NUM and self.toks[self.i][2] in _ARABIC_ONE and kind in _AMOUNT_UNITS:  # صفحة واحدة
            self.i += 1
            self.set_amount(_AMOUNT_UNITS[kind], 1, "1")
            return
        a, ta = self.unit_number(kind)
        b, tb = a, ta
        if kind == JUZ and self.kind() == QUARTER and self.kind(1) in (NUM, ORD):  # الجزء ١٥ الربع ٢
            raise _quarter_of_juz()
        if kind == HIZB and self.kind() == QUARTER and self.kind(1) in (NUM, ORD):  # hizb 3 quarter 2
            self.i += 1
            q, tq = self.toks[self.i][1], self.toks[self.i][2]
            self.i += 1
            if not 1 <= a <= HIZB_COUNT:
                self.unit_range(kind, a, a, ta, ta)  # raises hizb_out_of_range
            if not 1 <= q <= 4:
                raise ParseError(
                    "part_out_of_range",
                    f"A hizb has 4 quarters, so quarter {tq} is out of range.",
                    part="quarter",
                    unit="hizb",
                    given=q,
                    max=4,
                )
            self.spans.append(hizb_quarter_span(4 * (a - 1) + q))
            self.ctx = None
            return
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
        if b < a and self.fix.swap:
            a, b = b, a
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
    def counted_ayahs(self, a: int) -> bool:
        """Is the token at i a plural "ayahs" after a count ("10 ayahs", "١٠ آيات")?"""
        return a > 1 and self.kind() == AYAH and self.toks[self.i][2] in _AYAH_PLURALS

    def count_of_surah(self, s: int, a: int, ta: str) -> None:
        """ "10 ayahs of kahf", "kahf 10 ayahs": the first ten, or ayah 10? A question, unless answered."""
        count = _COUNTS[s]
        if not 1 <= a <= count:
            raise _ayah_out_of_range(s, count, a, a, ta, ta)
        if self.fix.count == "first":
            self.add(s, 1, s, a)
        elif self.fix.count == "ayah":
            self.add(s, a, s, a)
        else:
            raise ParseError(
                "count_or_ayah",
                f"{ta} ayahs of {_name(s)} from its start ({_name(s)} 1–{ta}), or ayah {ta}?",
                surah=s,
                count=a,
            )
        self.ctx = ("surah", s)

    def bare_number(self) -> None:
        start = self.i
        a, ta = self.toks[self.i][1], self.toks[self.i][2]
        self.i += 1
        counted = self.counted_ayahs(a)
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
                if s is not None and counted and b == a and not to_end:  # "10 ayahs of kahf"
                    self.count_of_surah(s, a, ta)
                    return
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
            s = ctx[1]
            after_sep = start > 0 and self.toks[start - 1][0] == SEP
            if a == b and not to_end and a > _COUNTS[s] and 1 <= a <= SURAH_COUNT and after_sep:
                if self.fix.bare_surah:  # "1:1-7 and 112": the user said 112 is a surah
                    self.add(a, 1, a, _COUNTS[a])
                    self.ctx = ("surah", a)
                    return
                raise ParseError(
                    "surah_or_ayah",
                    f"{_name(s)} has {_COUNTS[s]} ayahs — did you mean surah {ta} ({_name(a)})?",
                    surah=s,
                    ayah_count=_COUNTS[s],
                    given=a,
                )
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
            kind, value, text = toks[self.i]
            if kind in (ORD, END) and self.first_last():
                continue
            if kind in (ORD, QUARTER, HALF) and self.part():
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
            elif kind == TIME:
                self.set_when(days=value)
            elif kind == WEEKDAY:
                self.set_when(weekday=value)
            elif kind == AMOUNT:
                self.i += 1
                self.set_amount(value[0], value[1], "2")
            elif kind == FUTURE:
                if self.spans and self.plan_follows():
                    break  # "kahf 1-20, more tomorrow": what follows is a plan, with no reading in it
                raise ParseError(
                    "future",
                    "I only log what you have already read — tell me once you have read it, in sha Allah.",
                    given=text,
                )
            elif kind == NEG:
                raise ParseError(
                    "negated",
                    f"That sounds like something you did not read ('{text}'), so I logged nothing.",
                    given=text,
                )
            elif kind == RUKU:
                raise _no_ruku()
            elif kind in (DAY, AGO) and text in _LONE_DAY_WORDS and not self.near_number():
                self.i += 1  # "all day", "back to back": no day is named
            elif kind in (DAY, AGO):
                raise ParseError(
                    "unclear_time",
                    f"I'm not sure which day '{text}' means. "
                    "Write e.g. 'yesterday', '2 days ago' or 'on Friday'.",
                    given=text,
                )
            elif kind == HALF:
                raise _unused(text, "half")
            elif kind == GROUP:
                self.i += 1
                if self.fix.group not in value:
                    raise ParseError(
                        "which_group",
                        "The quls: the three (112–114) or the four (109, 112–114)?",
                        given=text,
                        choices=list(value),
                    )
                for sp in _passage(self.fix.group):
                    self.add(*sp)
                self.ctx = None
            elif kind == SURAH:
                self.surah_keyword()
            elif kind == NAME:
                n, weak = value
                if text in AFTER_SURAH_ONLY:  # اقرأ "I read", ن: a surah only after "surah"
                    self.i += 1
                    continue
                if n == 38 and text == "ص" and self.kind(1) == NUM and self.kind(2) != COLON:
                    self.sad_or_page()
                    continue
                if weak and not self.name_position(self.i):
                    self.i += 1
                    continue
                self.i += 1
                self.surah_body(n)
            elif kind == NUM:
                if self.kind(1) == COLON and self.kind(2) == NUM:
                    self.numeric_ref()
                elif not self.amount_here():
                    self.bare_number()
            elif kind == ORD:
                if self.kind(1) in _UNITS:
                    unit_kind = toks[self.i + 1][0]
                    a, ta = self.unit_number(unit_kind)
                    self.i += 1
                    self.unit_range(unit_kind, a, a, ta, ta)
                elif self.kind(1) == RUKU:  # "the first ruku of al-kahf"
                    raise _no_ruku()
                else:
                    raise _unused(text, "ordinal")
            elif kind == PASSAGE:
                self.i += 1
                for sp in value:
                    self.add(*sp)
                self.ctx = ("surah", value[-1][2])
            elif kind == JUZREF:
                self.i += 1
                self.spans.append(juz_span(value))
                self.ctx = (JUZ, 0)
            elif kind == UNKNOWN:
                n = self.resolve_unknown(self.i, False)
                self.i += 1
                if n is not None:
                    self.surah_body(n)
            else:  # a meaning-changing word the grammar has no place for
                raise _unused(text)
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
                    if m < n and self.fix.swap:
                        n, m = m, n
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


_VERBS = {
    **dict.fromkeys(["memorised", "memorized", "memorise", "memorize", "hifz", "حفظت", "حفظ"], "memorized"),
    **dict.fromkeys(
        ["revise", "revised", "revision", "review", "reviewed", "muraja", "murajaah", "راجعت", "مراجعه"],
        "revised",
    ),
}
#: Errors that are questions: the message is re-read with each possible answer (``ParseError.options``).
_ASK_CODES = frozenset(
    {
        "unknown_surah",
        "ambiguous_surah",
        "reversed_range",
        "sad_or_page",
        "which_half",
        "which_group",
        "surah_or_ayah",
        "count_or_ayah",
    }
)


def parse_reading(text: str) -> list[Span]:
    """Parse a recitation message into spans, in the order written.

    >>> [str(s) for s in parse_reading("read Al-Kahf 1-20 and juz 30")]
    ['Al-Kahf 1–20', 'An-Naba 1 – An-Naas 6']

    Raises ``ParseError`` (and nothing else) when the text is not a valid reading — also for an amount
    with no place ("read 5 pages", code "amount"): use ``parse_message`` to get those.
    """
    parsed = parse_message(text)
    if parsed.amount is not None:
        unit, count = parsed.amount
        raise ParseError(
            "amount",
            f"{count} {unit}(s) is an amount, not a place — write where, e.g. 'page 5' or 'Al-Kahf 1–20'.",
            unit=unit,
            count=count,
        )
    return list(parsed.spans)


def parse_message(text: str, fix: Fix = _NO_FIX) -> Parsed:
    """Parse a message: the spans (or amount) it reports, when, and with which verb.

    Raises ``ParseError`` (and nothing else). When the error is a question, ``err.options`` holds the
    complete readings to choose from; ``fix`` is how a chosen answer is applied.
    """
    try:
        return _guarded(text, fix)
    except ParseError as err:
        if fix is _NO_FIX and err.code in _ASK_CODES:
            err.options = _options(text, err)
        raise


def _guarded(text: str, fix: Fix) -> Parsed:
    try:
        return _parse(text, fix)
    except ParseError:
        raise
    except Exception as exc:  # defensive: the contract is "ParseError or a result", never a crash
        raise ParseError(
            "not_a_reading", f"I couldn't understand that. Tell me what you read, {_EXAMPLES}."
        ) from exc


def _options(text: str, err: ParseError) -> list[tuple[str, Parsed]]:
    p, code = err.params, err.code
    fixes: list[tuple[str, Fix]] = []
    if code in ("unknown_surah", "ambiguous_surah"):
        fixes = [(f"surah:{n}", Fix(surah_for=((p["given"], n),))) for n in p.get("suggestions", [])]
    elif code == "reversed_range":
        fixes = [("swap", Fix(swap=True))]
    elif code == "sad_or_page":
        fixes = [("surah", Fix(sad="surah")), ("page", Fix(sad="page"))]
    elif code == "which_half":
        fixes = [("half:1", Fix(half=1)), ("half:2", Fix(half=2))]
    elif code == "which_group":
        fixes = [(c, Fix(group=c)) for c in p["choices"]]
    elif code == "surah_or_ayah":
        fixes = [("surah", Fix(bare_surah=True))]
    elif code == "count_or_ayah":
        fixes = [("first", Fix(count="first")), ("ayah", Fix(count="ayah"))]
    out = []
    for choice, f in fixes:
        try:
            out.append((choice, _guarded(text, f)))
        except ParseError:
            continue  # that answer does not make a valid reading (Surah Sad has no ayah 100)
    return out


def _parse(text: str, fix: Fix = _NO_FIX) -> Parsed:
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
    if fix.surah_for:
        chosen = dict(fix.surah_for)
        toks = [
            (NAME, (chosen[t[2]], False), t[2]) if t[0] == UNKNOWN and t[2] in chosen else t for t in toks
        ]
    parser = _Parser(toks, fix)
    spans = parser.run()
    verb = "read"
    for t in toks:
        if t[2] in _VERBS:
            verb = _VERBS[t[2]]
            break
    if parser.amount is not None:
        if spans:
            raise _amount_with_reading()
        return Parsed((), parser.amount, parser.days_ago or 0, parser.weekday, verb)
    if spans:
        return Parsed(tuple(spans), None, parser.days_ago or 0, parser.weekday, verb)
    if parser.loose_unknowns:
        score, word, cands = max(parser.loose_unknowns, key=lambda u: u[0])
        raise _unknown_surah(word, [n for n, sc in cands if sc >= max(FUZZY_SUGGEST, score - 15)][:3])
    raise ParseError(
        "not_a_reading", f"I couldn't find a reading in that. Tell me what you read, {_EXAMPLES}."
    )

"""Command arguments typed in Arabic: one word table, read as the English words the parsers know.

`/remind الكهف ١٠:٠٠` is `/remind kahf 10:00`, `/goal صفحتين` is `/goal 2 pages`, `/goal ختمة خلال ٦٠
يومًا` is `/goal khatm in 60 days`. Each command has its own vocabulary (in /remind `ص` is a.m., in /goal
it is a page). Words are compared without harakat, tatweel or hamza-seat differences (`إيقاف`, `ايقاف`,
`يومًا`, `يوما` are one word each); Arabic-Indic digits become Western ones. A dual is a count and a unit
in one word (`صفحتين` → `2 pages`); a bare singular unit means one (`جزء` → `1 juz`).
"""

from __future__ import annotations

import re
import unicodedata

from quran.digits import TO_ASCII

_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")  # harakat, tanween, dagger alif, tatweel
_SEATS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي"})

OFF = ("إيقاف", "أوقف", "توقف", "إلغاء", "ألغ", "بدون", "لا شيء")

# English word -> the Arabic words for it, per command.
REMIND_WORDS: dict[str, tuple[str, ...]] = {
    "off": OFF,
    "kahf": ("الكهف", "كهف", "سورة الكهف", "الجمعة"),
    "streak": ("السلسلة", "سلسلة", "تنبيه السلسلة"),
    "weekly": ("أسبوعي", "الأسبوعي", "أسبوعيا", "الملخص", "الملخص الأسبوعي", "ملخص"),
}
GOAL_WORDS: dict[str, tuple[str, ...]] = {
    "off": OFF,
    "khatm": ("ختمة", "الختمة", "ختم", "ختمه"),
    "in": ("خلال", "في"),
    "by": ("بحلول", "قبل", "حتى"),
    "days": ("يوم", "يوما", "أيام", "الأيام", "يومًا"),
    "ayahs": ("آية", "آيات", "آيه"),
    "pages": ("صفحة", "صفحات", "ص"),
    "juz": ("جزء", "جزءا", "أجزاء", "جزو"),
}
DEADLINE_WORDS: dict[str, tuple[str, ...]] = {"days": GOAL_WORDS["days"]}
# Duals (nominative and oblique): the count is in the word.
DUALS: dict[str, str] = {
    "صفحتين": "2 pages",
    "صفحتان": "2 pages",
    "جزأين": "2 juz",
    "جزءين": "2 juz",
    "جزآن": "2 juz",
    "جزءان": "2 juz",
    "آيتين": "2 ayahs",
    "آيتان": "2 ayahs",
    "يومين": "2 days",
    "يومان": "2 days",
}
# A unit alone ("/goal جزء", "/goal صفحة") is one of it.
_SINGULAR_UNITS = {"جزء", "صفحة", "آية"}


def fold(word: str) -> str:
    """The key a word is compared by: NFKC, lower case, Western digits, no marks, one seat for hamza."""
    text = unicodedata.normalize("NFKC", word).translate(TO_ASCII).lower()
    return _MARKS.sub("", text).translate(_SEATS)


def _table(vocabulary: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {fold(arabic): english for english, words in vocabulary.items() for arabic in words}


_TABLES: dict[int, dict[str, str]] = {}


def normalise(text: str, vocabulary: dict[str, tuple[str, ...]]) -> str:
    """`text` with its Arabic argument words (and phrases of up to three words) read as English."""
    table = _TABLES.setdefault(id(vocabulary), _table(vocabulary))
    duals = {fold(k): v for k, v in DUALS.items()}
    singular = {fold(w) for w in _SINGULAR_UNITS}
    words = [fold(w) for w in text.split()]
    has_number = any(any(ch.isdigit() for ch in w) for w in words)
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in (3, 2, 1):
            phrase = " ".join(words[i : i + size])
            if len(words[i : i + size]) == size and phrase in table:
                word = table[phrase]
                if phrase in singular and not has_number and vocabulary is GOAL_WORDS:
                    word = f"1 {word}"
                out.append(word)
                i += size
                break
        else:
            out.append(duals.get(words[i], words[i]) if vocabulary is not REMIND_WORDS else words[i])
            i += 1
    return " ".join(out)


def normalise_words(words: list[str], vocabulary: dict[str, tuple[str, ...]]) -> list[str]:
    return normalise(" ".join(words), vocabulary).split()

"""Text normalisation and surah-name resolution used by the reading parser.

The alias table is built once at import from ``quran/data/surah-aliases.json`` plus the Tanzil names,
all passed through the same normaliser as user text, so both sides always agree.

Lookup order for a (possibly multi-word) name: exact normalised key → "skeleton" key (transliteration
variants folded: aa/a, ee/i, oo/u, q/k, doubled letters, trailing h) → key with an attached article
("alkahf", "annas", "الكهف") removed → fuzzy match (rapidfuzz ``fuzz.ratio`` over skeleton keys; see
``fuzzy_surah``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process

from quran.book import SURAHS, _load_json
from quran.digits import TO_ASCII

# ------------------------------------------------------------------------------------------ normalise

_TRANSLATE: dict[int, Any] = dict(TO_ASCII)  # Arabic-Indic and Extended Arabic-Indic digits
for _cp in [
    *range(0x064B, 0x0660),
    0x0670,
    *range(0x06D6, 0x06EE),
    0x0640,  # tashkeel, tatweel
    0x200B,
    0x200C,
    0x200D,
    0x200E,
    0x200F,
    0x2060,
    0xFEFF,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    0x00AD,
]:  # zero-width and bidi controls, soft hyphen
    _TRANSLATE[_cp] = None
for _ch in "'’‘`´ʼʻʿʾ\"":  # apostrophes vanish inside words: juz' → juz, a'raf → araf
    _TRANSLATE[ord(_ch)] = None
for _ch in "‐‑‒–—―−﹘﹣－~〜":
    _TRANSLATE[ord(_ch)] = "-"
_TRANSLATE.update(
    {
        ord("أ"): "ا",
        ord("إ"): "ا",
        ord("آ"): "ا",
        ord("ٱ"): "ا",
        ord("ة"): "ه",
        ord("ى"): "ي",
        ord("ؤ"): "و",
        ord("ئ"): "ي",
        ord("ء"): None,
        ord("ی"): "ي",
        ord("ي"): "ي",
        ord("ک"): "ك",
        ord("ە"): "ه",
        ord("ۀ"): "ه",
        ord("،"): ",",
        ord("؛"): ";",
        ord("؟"): "?",
        ord("٫"): ".",
        ord("٬"): ",",
    }
)

_WORD_HYPHEN_RE = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")  # al-kahf, taa-haa: a joiner, not a range
_NUM_SEP_RE = re.compile(r"(?<=[0-9])\s*[./]\s*(?=[0-9])")  # 18.10, 2/255 → 18:10, 2:255
_DOTS_RE = re.compile(r"\.{2,}")  # 1..20 → 1-20


def normalize(text: str) -> str:
    """NFKC, lowercase, Western digits, no tashkeel/tatweel/apostrophes, one dash, folded Arabic letters
    (hamza forms → ا/و/ي, ة → ه, ى → ي), word-joining hyphens turned into spaces."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_TRANSLATE)
    if "-" in text:
        text = _WORD_HYPHEN_RE.sub(" ", text)
    if "." in text or "/" in text:
        text = _NUM_SEP_RE.sub(":", text)
        text = _DOTS_RE.sub("-", text)
    return text


_WORDS_RE = re.compile(r"[^\W\d_]+")
_ARABIC_RE = re.compile(r"[\u0600-\u06FF]")


def is_arabic(word: str) -> bool:
    return _ARABIC_RE.search(word) is not None


def name_key(text: str) -> str:
    """Normalised lookup key of a name: its letters only, no spaces ("Al-Kahf" → "alkahf")."""
    return "".join(_WORDS_RE.findall(normalize(text)))


_DOUBLE_RE = re.compile(r"(.)\1+")
_LATIN_ARTICLES = ("adh", "ash", "al", "an", "ar", "as", "at", "az", "ad", "el", "ul", "ud", "us")


def skeleton(key: str) -> str:
    """Fold transliteration variants so "yaseen", "yasin" and "ya sin" meet."""
    if is_arabic(key):
        return key[2:] if key.startswith("ال") and len(key) > 3 else key
    k = key.replace("aa", "a").replace("ee", "i").replace("oo", "u").replace("ou", "u")
    k = k.replace("q", "k").replace("ck", "k").replace("ph", "f")
    k = _DOUBLE_RE.sub(r"\1", k)
    if len(k) > 3 and k.endswith("h") and k[-2] in "aeiou":
        k = k[:-1]
    return k


def strip_article(key: str) -> str | None:
    """ "alkahf" → "kahf", "annas" → "nas", "الكهف" → "كهف"; None when there is no attached article."""
    if key.startswith("ال") and len(key) > 3:
        return key[2:]
    for art in _LATIN_ARTICLES:
        if key.startswith(art) and len(key) - len(art) >= 3:
            return key[len(art) :]
    return None


# -------------------------------------------------------------------------------------- alias tables

# More common names (ياسين, الدهر, بني إسرائيل, نون, اقرأ, ...) live in data too, tested one by one.
_COMMON_DATA: dict[str, Any] = _load_json("surah-aliases-common.json")
_EXTRA_ALIASES: dict[int, tuple[str, ...]] = {int(k): tuple(v) for k, v in _COMMON_DATA["aliases"].items()}

# English-meaning aliases that are everyday words ("night", "friday", "light"): only taken as a surah name
# where a name is expected (after "surah", before an ayah number, in a range) — see the parser.
_COMMON_WORDS = frozenset(
    [
        "cow",
        "women",
        "cattle",
        "heights",
        "thunder",
        "rock",
        "bee",
        "bees",
        "cave",
        "light",
        "ant",
        "ants",
        "stories",
        "spider",
        "romans",
        "prostration",
        "smoke",
        "victory",
        "star",
        "moon",
        "iron",
        "exile",
        "friday",
        "divorce",
        "pen",
        "man",
        "night",
        "sun",
        "fig",
        "city",
        "time",
        "earthquake",
        "elephant",
        "help",
        "mankind",
        "abundance",
        "sincerity",
        "daybreak",
        "opening",
        "table",
        "repentance",
        "prophets",
        "pilgrimage",
        "believers",
        "criterion",
        "poets",
        "forgiver",
        "consultation",
        "dunes",
        "ranks",
        "hypocrites",
        "reality",
        "resurrection",
        "competition",
        "almsgiving",
        "disbelievers",
        "originator",
        "crouching",
        "frowned",
        "defrauding",
        "mount",
        "room",
        "power",
        "sad",
        "teen",
        "tin",
        "mountain",
    ]
)


_DATA_WEAK = frozenset(name_key(w) for w in _COMMON_DATA["weak"])
#: Names that are also everyday words in a reading message (اقرأ "I read", ن): a surah only after "surah".
AFTER_SURAH_ONLY = frozenset(name_key(w) for w in _COMMON_DATA["after_surah_only"])


def _build_tables() -> tuple[dict[str, int], dict[str, int], set[str], dict[str, set[int]]]:
    exact: dict[str, set[int]] = {}
    raw = _load_json("surah-aliases.json")
    for s in SURAHS:
        names = [*raw[str(s.number)], s.name_translit, s.name_ar, *_EXTRA_ALIASES.get(s.number, ())]
        if s.name_en.lower() != "the dawn":  # "The Dawn" is the English name of both 89 and 113
            names.append(s.name_en)
        for name in names:
            key = name_key(name)
            if not key:
                continue
            exact.setdefault(key, set()).add(s.number)
            if key.startswith("the") and len(key) > 5:
                exact.setdefault(key[3:], set()).add(s.number)
    clashes = {k for k, v in exact.items() if len(v) > 1}
    assert not clashes, f"alias keys clash between surahs: {sorted(clashes)}"
    exact_one = {k: next(iter(v)) for k, v in exact.items()}
    skel: dict[str, set[int]] = {}
    for key, n in exact_one.items():
        skel.setdefault(skeleton(key), set()).add(n)
        bare = strip_article(key)
        if bare:
            skel.setdefault(skeleton(bare), set()).add(n)
    weak = {k for k in exact_one if k in _COMMON_WORDS or k in _DATA_WEAK or k in AFTER_SURAH_ONLY}
    skel_one = {k: next(iter(v)) for k, v in skel.items() if len(v) == 1 and k not in exact_one}
    skel_amb = {k: v for k, v in skel.items() if len(v) > 1}
    return exact_one, skel_one, weak, skel_amb


ALIASES, SKELETONS, WEAK_KEYS, AMBIGUOUS_SKELETONS = _build_tables()
MAX_NAME_WORDS = (
    max(
        len(a.split())
        for table in (_load_json("surah-aliases.json"), _COMMON_DATA["aliases"])
        for v in table.values()
        for a in v
    )
    + 1
)

_FUZZY_LATIN: dict[str, int] = {}
_FUZZY_ARABIC: dict[str, int] = {}
for _k, _n in ALIASES.items():
    target = _FUZZY_ARABIC if is_arabic(_k) else _FUZZY_LATIN
    if len(_k) >= 3 and _k not in WEAK_KEYS:
        target.setdefault(skeleton(_k), _n)
_FUZZY_LATIN_KEYS = list(_FUZZY_LATIN)
_FUZZY_ARABIC_KEYS = list(_FUZZY_ARABIC)

#: A fuzzy match is taken without asking only at or above this ``fuzz.ratio`` score ...
FUZZY_ACCEPT = 80.0
#: ... and only if no other surah scores within this margin of it (else: "ambiguous_surah").
FUZZY_MARGIN = 8.0
#: Below ACCEPT but at or above this score, the parser refuses and suggests the candidates.
FUZZY_SUGGEST = 60.0
#: Words shorter than this are never fuzzy-matched (too many short names: hud, nur, tur, ق, ص ...).
FUZZY_MIN_LEN = 4


@lru_cache(maxsize=65536)
def exact_surah(key: str, strip: bool = True) -> tuple[int, bool] | None:
    """(surah number, is_weak) for a normalised key via exact/skeleton(/article-stripped) lookup."""
    n = ALIASES.get(key)
    if n is not None:
        return n, key in WEAK_KEYS
    sk = skeleton(key)
    n = SKELETONS.get(sk)
    if n is not None:
        return n, False
    bare = strip_article(key) if strip else None
    if bare is not None:
        n = ALIASES.get(bare)
        if n is None:
            n = SKELETONS.get(skeleton(bare))
        if n is not None:
            return n, False
    return None


@lru_cache(maxsize=16384)
def fuzzy_surah(word: str) -> tuple[float, tuple[tuple[int, float], ...]]:
    """Fuzzy candidates for an unknown word: (best score, ((surah, score), ...) best first, one per surah).

    Scores are rapidfuzz ``fuzz.ratio`` (0..100) between skeleton keys; only candidates scoring at least
    FUZZY_SUGGEST are returned. Words shorter than FUZZY_MIN_LEN get no candidates.
    """
    if len(word) < FUZZY_MIN_LEN or len(word) > 40:
        return 0.0, ()
    arabic = is_arabic(word)
    table, keys = (_FUZZY_ARABIC, _FUZZY_ARABIC_KEYS) if arabic else (_FUZZY_LATIN, _FUZZY_LATIN_KEYS)
    queries = {skeleton(word)}
    bare = strip_article(word)
    if bare:
        queries.add(skeleton(bare))
    best: dict[int, float] = {}
    for q in queries:
        found = process.extract(q, keys, scorer=fuzz.ratio, limit=12, score_cutoff=FUZZY_SUGGEST)
        for key, score, _ in found:
            n = table[key]
            if score > best.get(n, 0.0):
                best[n] = score
    ranked = tuple(sorted(best.items(), key=lambda kv: (-kv[1], kv[0])))
    return (ranked[0][1] if ranked else 0.0), ranked

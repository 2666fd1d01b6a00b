"""Properties of parse_reading that must hold for any input (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quran import TOTAL_AYAHS, Ayah, ParseError, Span, parse_reading
from quran.parser import parse_message

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Real vocabulary, so the grammar (not just the "nothing understood" path) is exercised.
VOCAB = [
    "kahf",
    "al-kahf",
    "Al-Baqarah",
    "yasin",
    "mulk",
    "surah",
    "sura",
    "سورة",
    "الكهف",
    "البقرة",
    "يس",
    "والملك",
    "juz",
    "para",
    "جزء",
    "hizb",
    "حزب",
    "page",
    "pages",
    "p.",
    "صفحة",
    "ayah",
    "verses",
    "v.",
    "الآية",
    "to",
    "till",
    "until",
    "through",
    "-",
    "–",
    "—",
    ":",
    ".",
    ",",
    ";",
    "&",
    "+",
    "and",
    "و",
    "from",
    "من",
    "إلى",
    "الى",
    "حتى",
    "of",
    "end",
    "amma",
    "juz amma",
    "ayat al kursi",
    "آية الكرسي",
    "read",
    "finished",
    "today",
    "قرأت",
    "اليوم",
    "yesterday",
    "أمس",
    "the",
    "al",
    "an",
    "kahv",
    "xyz",
    "hello",
    "✅",
    "🙏",
    "first",
    "last",
    "3rd",
    "the cave",
    "rahman",
    "surahs",
    "ال",
    "٢",
    "٢٥٥",
    "۱۸",
    "0",
    "00",
    "1",
    "2",
    "7",
    "18",
    "20",
    "30",
    "60",
    "75",
    "110",
    "114",
    "115",
    "240",
    "255",
    "286",
    "604",
    "605",
    "6236",
    "99999999999999999999",
    str(10**60),
]
vocab_text = st.lists(st.sampled_from(VOCAB), max_size=25).flatmap(
    lambda words: st.lists(
        st.sampled_from([" ", "", "  ", "\n"]), min_size=len(words), max_size=len(words)
    ).map(lambda seps: "".join(w + s for w, s in zip(words, seps, strict=True)))
)
any_text = st.text(max_size=500)
indices = st.integers(min_value=1, max_value=TOTAL_AYAHS)


def _check_contract(text: str) -> None:
    try:
        spans = parse_reading(text)
    except ParseError as err:
        assert isinstance(err.code, str) and err.code
        assert isinstance(err.message, str) and err.message.strip()
        assert str(err) == err.message
        assert isinstance(err.params, dict)
        return
    assert isinstance(spans, list) and spans
    for sp in spans:
        assert isinstance(sp, Span)
        assert 1 <= sp.first_index <= sp.last_index <= TOTAL_AYAHS
        assert sp.start <= sp.end


@SETTINGS
@given(any_text)
def test_any_text_gives_spans_or_parse_error(text):
    _check_contract(text)


@SETTINGS
@given(vocab_text)
def test_vocabulary_text_gives_spans_or_parse_error(text):
    _check_contract(text)


@SETTINGS
@given(st.lists(st.sampled_from(VOCAB) | st.text(max_size=8), max_size=60).map(" ".join))
def test_mixed_text_gives_spans_or_parse_error(text):
    _check_contract(text[:500])


@SETTINGS
@given(indices, indices)
def test_labels_parse_back_to_the_same_span(a, b):
    span = Span.from_indices(min(a, b), max(a, b))
    assert parse_reading(str(span)) == [span]
    assert parse_reading(span.label("ar")) == [span]
    assert parse_reading(span.label("en") + " , " + span.label("ar")) == [span, span]


@SETTINGS
@given(indices)
def test_single_ayahs_parse_back(i):
    ayah = Ayah.from_index(i)
    span = Span(ayah, ayah)
    assert parse_reading(str(ayah)) == [span]
    assert parse_reading(ayah.label("ar")) == [span]
    assert parse_reading(f"{ayah.surah}:{ayah.ayah}") == [span]


def test_hostile_inputs_only_raise_parse_error():
    nasty = [
        "",
        " ",
        "\n\t",
        "\x00",
        "\u200f\u200e",
        "9" * 5000,
        "kahf " + "9" * 5000,
        "1:" + "9" * 4400,
        "kahf " * 1000,
        "1-" * 2000,
        ":" * 4000,
        "و" * 4000,
        "ال" * 2000,
        "a" * 4096,
        "a" * 4097,
        "x" * 100_000,
        "(" * 3000 + ")" * 3000,
        "\ud800",
        "🕋" * 3000,
        "٩" * 4000,
        "kahf 1-" + "٩" * 4000,
        "surah " * 800 + "kahf",
        "juz " * 1000,
        "from " * 1000 + "kahf",
        "to " * 1000,
        "١٨:١-٢٠" * 400,
        "Ⅻ",
        "①-⑳",
        "ｋａｈｆ　１－２０",
        "kahf\u00a01\u20132",
    ]
    for text in nasty:
        _check_contract(text)


def test_non_string_input_is_a_parse_error():
    for value in (None, 18, b"kahf", ["kahf"]):
        try:
            parse_reading(value)  # type: ignore[arg-type]
        except ParseError as err:
            assert err.message
        else:  # pragma: no cover
            raise AssertionError("expected ParseError")


# A valid reading plus one word that changes its meaning must never come back as that same reading:
# the word is used (another span, another day) or the message is refused / asked about.
BASES = [
    "yasin",
    "read kahf 1-20",
    "juz 3",
    "page 5",
    "2:255",
    "hizb 4",
    "quarter 7",
    "manzil 2",
    "ayat al kursi",
    "mulk and yasin",
    "from kahf 75 to maryam 10",
    "الكهف ١-١٠",
    "قرأت سورة الملك",
    "الجزء الثالث",
    "صفحة ٥",
    "الحزب الخامس عشر",
    "المعوذتين",
    "first quarter of hizb 5",
    "second half of juz 3",
]
CHANGERS = [
    "tomorrow",
    "tmrw",
    "will",
    "I'll",
    "later",
    "غدا",
    "غدًا",
    "سأقرأ",
    "سوف",
    "بكرة",
    "half",
    "نصف",
    "quarter",
    "ربع",
    "rub",
    "second",
    "fifth",
    "fifteenth",
    "15th",
    "twenty",
    "الخامس",
    "الثاني",
    "عشر",
    "عشرين",
    "7",
    "٣",
    "not",
    "didn't",
    "never",
    "لم",
    "ruku",
    "ركوع",
    "manzil",
    "days",
    "ago",
    "أيام",
    "yesterday",
    "أمس",
    "on monday",
    "الخميس",
    "2 days ago",
    "قبل يومين",
    "أول أمس",
]


@SETTINGS
@given(st.sampled_from(BASES), st.sampled_from(CHANGERS), st.data())
def test_a_meaning_changing_word_never_leaves_the_reading_alone(base, word, data):
    before = parse_message(base)
    words = base.split()
    at = data.draw(st.integers(min_value=0, max_value=len(words)), label="position")
    text = " ".join([*words[:at], word, *words[at:]])
    try:
        after = parse_message(text)
    except ParseError as err:
        assert err.code and err.message
        return
    assert after != before, f"{text!r} was read as {before!r}, as if {word!r} were not there"


def test_every_base_reading_is_valid():
    for base in BASES:
        assert parse_message(base).spans

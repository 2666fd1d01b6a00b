"""Every message exists in every language, with the same placeholders; numbers and dates localised."""

from __future__ import annotations

import re
import string
from datetime import date, time
from gettext import c2py

import pytest
from babel import Locale

from bot.handlers.reading import parse_error_text
from bot.i18n import (
    LANGUAGES,
    _read,
    catalogue,
    domains,
    plural_header,
    plural_rule,
    plural_tags,
    translator,
)
from quran import ParseError, parse_reading
from tracker.timezones import find_timezone


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_language_has_every_message_with_the_same_placeholders():
    english = catalogue("en")
    assert len(english) > 60
    for lang in LANGUAGES:
        texts = catalogue(lang)
        assert set(texts) == set(english), f"{lang}: missing {set(english) - set(texts)}"
        for key, text in texts.items():
            source = english[key]
            fields = set().union(*map(_placeholders, source)) if isinstance(source, tuple) else None
            if isinstance(text, tuple):  # plural forms: a form may leave its count out ("آيتان")
                assert fields is not None and all(form.strip() for form in text), key
                assert all(_placeholders(form) <= fields | {"n"} for form in text), f"{lang}:{key}"
                continue
            # A language may need no plural forms where English has them ("عدد آياتها ١١٠").
            assert text.strip(), f"{lang}:{key} is empty"
            assert _placeholders(text) == (fields or _placeholders(source)), f"{lang}:{key}"


def test_utc_offsets_are_written_as_each_language_writes_them():
    en, ar = translator("en"), translator("ar")
    minutes = (0, 180, -300, 330, -210)
    assert [en.utc_offset(m) for m in minutes] == ["UTC", "UTC+3", "UTC−5", "UTC+5:30", "UTC−3:30"]
    # CLDR's gmtFormat for Arabic, in Arabic-Indic digits
    assert [ar.utc_offset(m) for m in minutes] == [
        "غرينتش",
        "غرينتش+٣",
        "غرينتش−٥",
        "غرينتش+٥:٣٠",
        "غرينتش−٣:٣٠",
    ]
    # and what is shown can be typed back
    zones = [find_timezone(ar.utc_offset(m)) for m in minutes]
    assert zones == ["UTC", "Etc/GMT-3", "Etc/GMT+5", "UTC+05:30", "UTC-03:30"]


def test_arabic_texts_are_arabic():
    arabic = catalogue("ar")
    # Every text with words of its own (placeholders aside) has Arabic words; JSON, CSV may stay Latin.
    words = {key: re.sub(r"\{\w+\}|<[^>]+>", "", "".join(text)) for key, text in arabic.items()}
    worded = {key: text for key, text in words.items() if any(ch.isalpha() for ch in text)}
    assert len(worded) > 200
    assert [key for key, text in worded.items() if not re.search("[\u0600-\u06ff]", text)] == []


@pytest.mark.parametrize(
    ("n", "en", "ar"),
    [
        (1, "1 ayah", "آية واحدة"),
        (2, "2 ayahs", "آيتان"),
        (7, "7 ayahs", "٧ آيات"),
        (20, "20 ayahs", "٢٠ آية"),
        (110, "110 ayahs", "١١٠ آيات"),
        (286, "286 ayahs", "٢٨٦ آية"),
        (6236, "6,236 ayahs", "٦٬٢٣٦ آية"),
    ],
)
def test_counts_take_the_right_plural_form(n, en, ar):
    assert translator("en").plural("count.ayahs", n) == en
    assert translator("ar").plural("count.ayahs", n) == ar


def test_numbers_and_dates_follow_the_language():
    en, ar = translator("en"), translator("ar")
    assert en.num(6236) == "6,236" and ar.num(6236) == "٦٬٢٣٦"
    assert en.percent(3.1) == "3.1%" and ar.percent(3.1) == "٣٫١٪"
    assert ar.percent(0.3) == "٠٫٣٪" and ar.percent(100) == "١٠٠٪"
    assert en.percent(1 / 6236 * 100) == "0.02%"  # one ayah is not 0.0%
    assert en.percent(99.96) == "99.9%"  # never rounds up to a khatm that isn't complete
    assert en.percent(100) == "100%"
    assert en.time(time(21, 0)) == "21:00" and ar.time(time(7, 5)) == "٠٧:٠٥"
    assert en.date(date(2026, 3, 1)) == "March 1, 2026"
    assert ar.date(date(2026, 3, 1)) == "١ مارس ٢٠٢٦"


def _error(text: str) -> ParseError:
    with pytest.raises(ParseError) as exc:
        parse_reading(text)
    return exc.value


@pytest.mark.parametrize(
    ("text", "code", "arabic"),
    [
        ("الكهف ١-٢٠٠", "ayah_out_of_range", "سورة الكهف عدد آياتها ١١٠، فالآيات ١–٢٠٠ خارج النطاق."),
        ("kahv 1-5", "unknown_surah", "لا أعرف سورة باسم «\u2068kahv\u2069». هل تقصد الكهف؟"),
        ("سورة ١٢٠", "surah_out_of_range", "لا سورة برقم ١٢٠ في المصحف؛ آخرها رقم ١١٤."),
        ("جزء ٣١", "juz_out_of_range", "لا جزء برقم ٣١ في المصحف؛ آخرها رقم ٣٠."),
        ("صفحة ٧٠٠", "page_out_of_range", "لا صفحة برقم ٧٠٠ في المصحف؛ آخرها رقم ٦٠٤."),
        ("الكهف ٩٩٩", "ayah_out_of_range", "سورة الكهف عدد آياتها ١١٠، فلا آية برقم ٩٩٩ فيها."),
        ("الكهف ٢٠-١", "reversed_range", "النطاق ٢٠–١ معكوس — هل تقصد ١–٢٠؟"),
    ],
)
def test_parse_errors_are_explained_in_arabic(text, code, arabic):
    err = _error(text)
    assert err.code == code
    reply = parse_error_text(err, translator("ar"))
    assert reply.startswith(f"🤔 {arabic}\n\n")


def test_every_parse_error_code_has_an_arabic_explanation():
    samples = [
        "kahf 1-500",
        "kahv",
        "surah 200",
        "juz 40",
        "hizb 61",
        "page 0",
        "kahf 9-2",
        "1-20",
        "juz",
        "kahf 5 to",
        "x" * 5000,
    ]
    generic = translator("ar")("parse.generic")
    for text in samples:
        err = _error(text)
        reply = parse_error_text(err, translator("ar"))
        assert generic not in reply, (text, err.code)


# --- plural forms come from CLDR (Babel), for every language and every catalogue ------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_catalogue_header_is_cldrs_plural_rule(lang):
    for domain in domains(lang):
        header = _read(lang, domain).plural_forms
        assert header == plural_header(lang), f"{lang}/{domain}.po: run scripts/plural_forms.py"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_index_is_babels_cldr_category_for_every_count_up_to_1000(lang):
    rule = Locale.parse(lang).plural_form
    order = plural_tags(lang)
    for domain in domains(lang):
        header_rule = c2py(_read(lang, domain).plural_expr)
        for n in range(1001):
            expected = order.index(rule(n))
            assert header_rule(n) == expected, (lang, domain, n, rule(n))
            assert plural_rule(lang)(n) == expected, (lang, n)


@pytest.mark.parametrize(
    ("n", "days", "juz"),
    [
        (11, "١١ يومًا", "١١ جزءًا"),
        (15, "١٥ يومًا", "١٥ جزءًا"),
        (30, "٣٠ يومًا", "٣٠ جزءًا"),
        (99, "٩٩ يومًا", "٩٩ جزءًا"),
        (100, "١٠٠ يوم", "١٠٠ جزء"),
        (102, "١٠٢ يوم", "١٠٢ جزء"),
        (103, "١٠٣ أيام", "١٠٣ أجزاء"),
        (111, "١١١ يومًا", "١١١ جزءًا"),
    ],
)
def test_arabic_counts_from_11_to_99_take_the_accusative_singular(n, days, juz):
    ar = translator("ar")
    assert ar.plural("count.days", n) == days and ar.plural("count.juz", n) == juz


def test_a_plural_message_agrees_with_its_count():
    en, ar = translator("en"), translator("ar")
    assert "(1 reading)" in en("export.intro", readings=en.num(1))
    assert "(3 readings)" in en("export.intro", readings=en.num(3))
    assert "(قراءة واحدة)" in ar("export.intro", readings=ar.num(1))
    assert "(٥ قراءات)" in ar("export.intro", readings=ar.num(5))
    assert "(١٥ قراءة)" in ar("export.intro", readings=ar.num(15))
    assert ar("fmt.minutes", minutes=ar.num(5)) == "٥ دقائق"
    assert ar("circle.toast.distributed", n=ar.num(5)) == "وُزّعت ٥ أجزاء."


# Placeholders that carry a bare number from num(): a noun right after one needs the plural forms.
COUNT_PLACEHOLDERS = {
    "n", "count", "readings", "max", "minutes", "hours", "done", "taken", "active", "users", "blocked",
    "reminders", "overdue", "nudges", "failed", "circles", "covered", "total", "juz_total", "pages_total",
    "per_week",
}  # fmt: skip
# What may follow a bare count in Arabic: "٣ من ٥" (of) and the abbreviations of hours and minutes.
_ARABIC_AFTER_COUNT_OK = {"من", "س", "د", "فقط"}  # "فقط" (only) is no counted noun
# "1.5 pages", "١٫٥ صفحة": a decimal count always takes CLDR's "other" form, so these need no plurals.
_DECIMAL_COUNTS = ".fraction"
_FIELD_THEN_WORD = re.compile(r"\{(\w+)\} *([\u0621-\u064a\u0671-\u06d3]+)")


def test_no_arabic_count_is_followed_by_a_noun_outside_a_plural_entry():
    for key, text in catalogue("ar").items():
        if isinstance(text, tuple) or key.endswith(_DECIMAL_COUNTS):
            continue
        for name, word in _FIELD_THEN_WORD.findall(text):
            assert name not in COUNT_PLACEHOLDERS or word in _ARABIC_AFTER_COUNT_OK, (
                f"ar:{key}: «{{{name}}} {word}» — use plural forms (msgid_plural) for a counted noun"
            )


def test_no_english_count_is_followed_by_a_plural_noun_outside_a_plural_entry():
    for key, text in catalogue("en").items():
        if isinstance(text, tuple) or key.endswith(_DECIMAL_COUNTS):
            continue
        for name, word in re.findall(r"\{(\w+)\} ([a-z]+s)\b", text):
            assert name not in COUNT_PLACEHOLDERS, f"en:{key}: “{{{name}}} {word}” needs plural forms"


def _shown_surah_names(text: str) -> list[tuple[str, int]]:
    """Capitalised surah names in examples (<code>, `…`: "Al-Baqara 255"), with the surah they parse to."""
    found = []
    examples = " ".join(a + b for a, b in re.findall(r"<code>(.*?)</code>|`([^`]*)`", text))
    for name in re.findall(
        r"(?<![\w-])((?:A[a-z]-)?[A-Z][a-z']+(?:-[a-z]+-[A-Z][a-z']+)?)(?![\w-])", examples
    ):
        try:
            spans = parse_reading(name)
        except ParseError:
            continue
        if len(spans) == 1 and spans[0].start.ayah == 1:
            found.append((name, spans[0].start.surah))
    return found


def test_english_surah_names_in_help_and_readme_are_spelled_as_the_replies_spell_them():
    from pathlib import Path

    from quran import surah_name

    texts = ["".join(text) for text in catalogue("en").values()]
    texts.append((Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8"))
    shown = [pair for text in texts for pair in _shown_surah_names(text)]
    assert len(shown) > 10
    assert [(name, n) for name, n in shown if name != surah_name(n, "en")] == []

"""Every message exists in every language, with the same placeholders; numbers and dates localised."""

from __future__ import annotations

import string
from datetime import date

import pytest

from bot.handlers.reading import parse_error_text
from bot.i18n import LANGUAGES, catalogue, translator
from quran import ParseError, parse_reading


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_language_has_every_message_with_the_same_placeholders():
    english = catalogue("en")
    assert len(english) > 60
    for lang in LANGUAGES:
        texts = catalogue(lang)
        assert set(texts) == set(english), f"{lang}: missing {set(english) - set(texts)}"
        for key, text in texts.items():
            if isinstance(text, tuple):  # plural forms: {n} is the only placeholder
                assert isinstance(english[key], tuple) and all(form.strip() for form in text), key
                assert all(_placeholders(form) <= {"n"} for form in text), f"{lang}:{key}"
                continue
            assert text.strip(), f"{lang}:{key} is empty"
            assert _placeholders(text) == _placeholders(english[key]), f"{lang}:{key}"


def test_arabic_texts_are_arabic():
    arabic = catalogue("ar")
    assert sum(any("\u0600" <= ch <= "\u06ff" for ch in text) for text in arabic.values()) >= len(arabic) - 3


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
    assert en.percent(3.1) == "3.1%" and ar.percent(3.1) == "٪٣٫١"
    assert en.percent(1 / 6236 * 100) == "0.02%"  # one ayah is not 0.0%
    assert en.percent(99.96) == "99.9%"  # never rounds up to a khatm that isn't complete
    assert en.percent(100) == "100%"
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
        ("kahv 1-5", "unknown_surah", "لا أعرف سورة باسم «kahv». هل تقصد الكهف؟"),
        ("سورة ١٢٠", "surah_out_of_range", "لا يوجد سورة رقم ١٢٠: آخرها ١١٤."),
        ("جزء ٣١", "juz_out_of_range", "لا يوجد جزء رقم ٣١: آخرها ٣٠."),
        ("صفحة ٧٠٠", "page_out_of_range", "لا يوجد صفحة رقم ٧٠٠: آخرها ٦٠٤."),
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

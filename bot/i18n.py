"""Every text the bot sends, from gettext catalogues (`bot/locales/<lang>/LC_MESSAGES/messages.po`).

Message ids are stable keys ("log.confirm"), so English is a catalogue like any other and a test can
prove every language has every message with the same placeholders.

This module is also the one place where locale conventions live (docs/arabic.md):
- plural forms come from CLDR through Babel (`plural_rule`), never from a hand-written expression;
- numbers, percents, times and dates are formatted by Babel for the user's language, in its own digits
  (`Translator.num/percent/time/date`);
- in a right-to-left language every Latin or mixed fragment (a timezone, an offset, a command, an
  example, a user's name) is wrapped in a Unicode isolate (`isolate`), so the bidi algorithm cannot
  scramble it with the Arabic around it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from functools import cache, lru_cache
from gettext import c2py
from importlib.resources import files

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from quran.digits import TO_ARABIC_INDIC
from tracker.users import LANGUAGES  # one table: the languages a user can choose, and we translate

FALLBACK = "en"
RTL_LANGUAGES = frozenset({"ar"})
# Arabic replies use Arabic-Indic digits throughout (CLDR's "arab" numbering system), as the surah
# labels from `quran` do.
_NUMBERING = {"ar": "arab"}
_DIGITS = {"arab": TO_ARABIC_INDIC}
# CLDR's Arabic symbols carry bidi marks (ALM U+061C, LRM, RLM); the isolates below do that job.
_BIDI_MARKS = str.maketrans("", "", "\u061c\u200e\u200f")
# CLDR's plural categories, in the order gettext catalogues list their forms.
PLURAL_TAGS = ("zero", "one", "two", "few", "many", "other")

# Unicode isolates (UAX #9): first-strong, left-to-right, and the pop that closes either.
FSI, LRI, PDI = "\u2068", "\u2066", "\u2069"
_LATIN = re.compile("[A-Za-z]")
_MARKUP = re.compile(r"<[^>]*>|&[#\w]+;")
_RTL_LETTERS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")  # Hebrew, Arabic and their forms
_ISOLATED = re.compile("[\u2066-\u2068][^\u2069]*\u2069")


class Num(str):
    """A formatted number that remembers its value, so a plural message can pick its form from it."""

    value: float

    def __new__(cls, text: str, value: float) -> Num:
        obj = super().__new__(cls, text)
        obj.value = value
        return obj

    def __reduce__(self) -> tuple[type[Num], tuple[str, float]]:  # picklable, e.g. to a picture worker
        return Num, (str(self), self.value)


# --- direction -------------------------------------------------------------------------------------


def has_latin(text: str) -> bool:
    """Does `text` show any Latin letter (markup and entities aside)?"""
    return _LATIN.search(_MARKUP.sub("", text)) is not None


def isolate(text: str, *, ltr: bool = False) -> str:
    """`text` as one isolated run inside right-to-left text: FSI (direction from its first strong
    letter) or LRI (always left to right: commands, examples) … PDI. An isolate ends at a line break,
    so a multi-line text is isolated line by line."""
    if not text:
        return text
    opening = LRI if ltr else FSI
    return "\n".join(f"{opening}{line}{PDI}" if line else line for line in text.split("\n"))


def isolate_value(value: object, *, rtl: bool = True) -> object:
    """A placeholder's value, isolated if its direction differs from the message's: Latin letters in a
    right-to-left message, Arabic letters in a left-to-right one ("• مريم — 5 pages" would otherwise
    show the 5 on the wrong side of the name). A text whose fragments are isolated already, such as
    another message, stays as it is."""
    if not isinstance(value, str) or isinstance(value, Num):
        return value
    bare = _ISOLATED.sub("", value)
    if has_latin(bare) if rtl else _RTL_LETTERS.search(_MARKUP.sub("", bare)) is not None:
        return isolate(value)
    return value


# Inside a right-to-left catalogue text: a <code> example, a command with its Latin/number arguments
# ("/goal 2 pages", "/khatm 2026-04-01"), or a run of Latin words ("JSON", "UTC+3", "YYYY-MM-DD").
_RTL_PIECES = re.compile(
    r"(?P<code><code>.*?</code>)"
    r"|(?P<tag><[^>]*>|&[#\w]+;)"
    r"|(?P<field>\{[^{}]*\})"
    r"|(?P<command>/[A-Za-z_]+(?: +[A-Za-z0-9][A-Za-z0-9:+\-.]*)*)"
    r"|(?P<latin>[A-Za-z0-9][A-Za-z0-9/:+\-.]*(?: +[A-Za-z0-9/][A-Za-z0-9/:+\-.]*)*)",
    re.DOTALL,
)


def isolate_fragments(text: str) -> str:
    """Wrap every left-to-right fragment of a right-to-left catalogue text in LRI … PDI (placeholders
    are isolated when filled in, by `isolate_value`)."""

    def wrap(m: re.Match[str]) -> str:
        piece = m.group(0)
        if m.lastgroup in ("tag", "field"):
            return piece
        if m.lastgroup == "code":
            inner = _MARKUP.sub("", piece)
            return isolate(piece, ltr=True) if re.search("[A-Za-z0-9/]", inner) else piece
        if m.lastgroup == "latin" and not has_latin(piece):
            return piece  # Western digits alone ("24") keep their place without help
        return isolate(piece, ltr=True)

    return _RTL_PIECES.sub(wrap, text)


# --- catalogues ------------------------------------------------------------------------------------


def _read(lang: str, domain: str = "messages") -> Catalog:
    path = files("bot") / "locales" / lang / "LC_MESSAGES" / f"{domain}.po"
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def domains(lang: str) -> list[str]:
    """messages.po, then one file per feature (circles.po …), so features don't edit one shared file."""
    folder = files("bot") / "locales" / lang / "LC_MESSAGES"
    others = sorted(
        p.name.removesuffix(".po")
        for p in folder.iterdir()
        if p.name.endswith(".po") and p.name != "messages.po"
    )
    return ["messages", *others]


_domains = domains


@cache
def catalogue(lang: str) -> dict[str, str | tuple[str, ...]]:
    """Message id -> text; a plural message maps to its tuple of forms (keyed by the singular id).

    Texts of a right-to-left language come with their Latin fragments already isolated."""
    texts: dict[str, str | tuple[str, ...]] = {}
    rtl = lang in RTL_LANGUAGES
    for domain in domains(lang):
        for m in _read(lang, domain):
            if m.id and m.string and not m.fuzzy:
                key = m.id[0] if m.pluralizable else m.id
                if key in texts:
                    raise ValueError(f"message {key!r} is defined twice in the {lang} catalogues")
                text = m.string
                if rtl:
                    text = (
                        tuple(isolate_fragments(f) for f in text)
                        if isinstance(text, tuple)
                        else isolate_fragments(text)
                    )
                texts[key] = text
    return texts


# --- plural forms ----------------------------------------------------------------------------------


def plural_header(lang: str) -> str:
    """CLDR's rule as a gettext Plural-Forms header value ("nplurals=2; plural=(n != 1);"), from Babel.
    The catalogues' headers are generated from it (scripts/plural_forms.py) and a test keeps them so."""
    return get_plural(lang).plural_forms


def plural_tags(lang: str) -> tuple[str, ...]:
    """The CLDR categories of `lang` in the order of the catalogue's forms (Arabic: zero … other)."""
    rule = Locale.parse(lang).plural_form
    return (*(tag for tag in PLURAL_TAGS if tag in rule.tags and tag != "other"), "other")


@cache
def plural_rule(lang: str) -> Callable[[int], int]:
    """Which plural form a count takes: CLDR's rule from Babel (6 forms in Arabic), not the header."""
    return c2py(get_plural(lang).plural_expr)


# --- the translator --------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _decimal(lang: str, value: float, digits: int) -> str:
    """A number as `Translator.num` writes it, formatted by Babel once per (language, value, digits): the
    same few thousand counts and percents come back in every reply and every nudge."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    numbering = _NUMBERING.get(lang, "latn")
    text = format_decimal(value, format=pattern, locale=lang, numbering_system=numbering)
    table = _DIGITS.get(numbering)
    return (text.translate(table) if table else text).translate(_BIDI_MARKS)


@cache
def _percent_affixes(lang: str) -> tuple[str, str]:
    """What CLDR puts before and after a percent's number in `lang`, the sign in its own digits' system
    (Arabic puts ٪ after the number)."""
    numbering = _NUMBERING.get(lang, "latn")
    locale = Locale.parse(lang)
    sign = locale.number_symbols[numbering]["percentSign"].translate(_BIDI_MARKS)
    before, _, after = re.sub(r"[#0,.]+", "\0", locale.percent_formats[None].pattern).partition("\0")
    return before.replace("%", sign), after.replace("%", sign)


@cache
def _gmt_format(lang: str) -> str:
    """How `lang` writes an offset from UTC ("%s" the signed amount): CLDR's gmtFormat ("غرينتش%s"), but
    "UTC%s" in English, the form people type and our English texts use."""
    return "UTC%s" if lang == FALLBACK else Locale.parse(lang).zone_formats["gmt"].translate(_BIDI_MARKS)


class Translator:
    """Texts and number/date formatting in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else FALLBACK
        self.rtl = self.lang in RTL_LANGUAGES
        self._texts = catalogue(self.lang)
        self._digits = _DIGITS.get(_NUMBERING.get(self.lang, "latn"))

    def __call__(self, key: str, **params: object) -> str:
        """The text of `key` filled with `params`. A plural message takes its form from `n`, or from its
        `count`, or its one formatted number (`num()`), so "({readings} readings)" agrees with the count."""
        lang, text = self.lang, self._texts.get(key)
        if text is None:
            lang, text = FALLBACK, catalogue(FALLBACK).get(key)
        if text is None:
            raise KeyError(f"no message {key!r} in the catalogues")
        if isinstance(text, tuple):
            text = text[min(plural_rule(lang)(_count(key, params)), len(text) - 1)]
        if not params:
            return text
        rtl = lang in RTL_LANGUAGES
        params = {k: isolate_value(v, rtl=rtl) for k, v in params.items()}
        return text.format(**params)

    def plural(self, key: str, n: int, **params: object) -> str:
        """A counted phrase ("1 ayah", "20 ayahs", "آيتان"): `{n}` is the formatted count."""
        return self(key, n=self.num(n), **params)

    def digits(self, text: str) -> str:
        """Western digits in `text` written in this language's digits (Arabic-Indic for Arabic)."""
        return text.translate(self._digits) if self._digits else text

    def num(self, value: float, digits: int = 0) -> Num:
        """`value` in this language's digits and separators (6236 -> "6,236" / "٦٬٢٣٦")."""
        return Num(_decimal(self.lang, value, digits), value)

    def percent(self, value: float, digits: int | None = None) -> str:
        """`value` in percent (3.14 -> "3.1%", "٣٫١٪"); never shows 100% until it is 100%.

        The sign and its side come from CLDR (Arabic puts ٪ after the number)."""
        if value >= 100:
            value, digits = 100, 0
        elif digits is None:
            # A single ayah is 0.016%: show it as 0.02% rather than a discouraging 0.0%.
            digits = 2 if 0 < value < 0.1 else 1
            value = min(value, 99.9)
        before, after = _percent_affixes(self.lang)
        return f"{before}{self.num(value, digits)}{after}".strip()

    def utc_offset(self, minutes: int) -> str:
        """A UTC offset as this language writes it, in its digits: "UTC+3", "UTC−5", "UTC+5:30", "UTC";
        Arabic in CLDR's GMT format, "غرينتش+٣", "غرينتش" (the parser reads both back)."""
        hours, rest = divmod(abs(minutes), 60)
        amount = (
            ""
            if minutes == 0
            else ("+" if minutes > 0 else "−") + f"{hours}" + (f":{rest:02d}" if rest else "")
        )
        return self.digits(_gmt_format(self.lang) % amount)

    def time(self, value: time | datetime) -> str:
        """A clock time on the 24-hour clock ("21:00", "٢١:٠٠")."""
        return self.digits(format_time(value, "HH:mm", locale=self.lang)).translate(_BIDI_MARKS)

    def join(self, items: list[str]) -> str:
        return self("fmt.list_separator").join(items)

    def date(self, value: date, format: str = "long") -> str:
        """A date as this language writes it ("March 1, 2026", "١ مارس ٢٠٢٦"); `format` is Babel's
        ("long", "medium", "d MMM" …)."""
        return self.digits(format_date(value, format=format, locale=self.lang)).translate(_BIDI_MARKS)


def _count(key: str, params: dict[str, object]) -> int:
    """The count a plural message agrees with: `n`, else `count`, else its one number."""
    value = params.get("n", params.get("count"))
    if value is None:
        numbers = [v for v in params.values() if isinstance(v, Num | int) and not isinstance(v, bool)]
        if len(numbers) != 1:
            raise ValueError(f"plural message {key!r} needs n= or exactly one number from num()")
        value = numbers[0]
    return int(value.value if isinstance(value, Num) else value)  # type: ignore[arg-type]


@cache
def translator(lang: str) -> Translator:
    return Translator(lang)

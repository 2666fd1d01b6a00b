"""Every text the bot sends, from gettext catalogues (`bot/locales/<lang>/LC_MESSAGES/messages.po`).

Message ids are stable keys ("log.confirm"), so English is a catalogue like any other and a test can
prove every language has every message with the same placeholders. Numbers and dates are formatted
for the user's language with Babel.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache
from gettext import c2py
from importlib.resources import files

from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from quran.digits import to_arabic_digits
from tracker.users import LANGUAGES  # one table: the languages a user can choose, and we translate

FALLBACK = "en"
# Arabic replies use Arabic-Indic digits throughout, as the surah labels from `quran` do.
_NUMBERING = {"ar": "arab"}


def _read(lang: str, domain: str = "messages") -> Catalog:
    path = files("bot") / "locales" / lang / "LC_MESSAGES" / f"{domain}.po"
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def _domains(lang: str) -> list[str]:
    """messages.po, then one file per feature (circles.po …), so features don't edit one shared file."""
    folder = files("bot") / "locales" / lang / "LC_MESSAGES"
    others = sorted(
        p.name.removesuffix(".po")
        for p in folder.iterdir()
        if p.name.endswith(".po") and p.name != "messages.po"
    )
    return ["messages", *others]


@cache
def catalogue(lang: str) -> dict[str, str | tuple[str, ...]]:
    """Message id -> text; a plural message maps to its tuple of forms (keyed by the singular id)."""
    texts: dict[str, str | tuple[str, ...]] = {}
    for domain in _domains(lang):
        for m in _read(lang, domain):
            if m.id and m.string and not m.fuzzy:
                key = m.id[0] if m.pluralizable else m.id
                if key in texts:
                    raise ValueError(f"message {key!r} is defined twice in the {lang} catalogues")
                texts[key] = m.string
    return texts


@cache
def plural_rule(lang: str) -> Callable[[int], int]:
    """Which plural form a count takes: the catalogue's own Plural-Forms expression (6 forms in Arabic)."""
    return c2py(_read(lang).plural_expr)


class Translator:
    """Texts and number/date formatting in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else FALLBACK
        self._texts = catalogue(self.lang)

    def __call__(self, key: str, **params: object) -> str:
        text = self._texts.get(key) or catalogue(FALLBACK).get(key)
        if not isinstance(text, str):
            raise KeyError(f"no message {key!r} in the catalogues")
        return text.format(**params) if params else text

    def plural(self, key: str, n: int, **params: object) -> str:
        """A counted phrase ("1 ayah", "20 ayahs", "آيتان"): `{n}` is the formatted count."""
        forms = self._texts.get(key)
        lang = self.lang
        if not isinstance(forms, tuple):
            forms, lang = catalogue(FALLBACK)[key], FALLBACK
        form = forms[min(plural_rule(lang)(n), len(forms) - 1)]
        return form.format(n=self.num(n), **params)

    def num(self, value: float, digits: int = 0) -> str:
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        text = format_decimal(
            value, format=pattern, locale=self.lang, numbering_system=_NUMBERING.get(self.lang, "latn")
        )
        return to_arabic_digits(text) if self.lang == "ar" else text

    def percent(self, value: float) -> str:
        """`value` in percent (3.14 -> "3.1%"); never shows 100% until it is 100%."""
        if value >= 100:
            return self("fmt.percent", value=self.num(100))
        # A single ayah is 0.016%: show it as 0.02% rather than a discouraging 0.0%.
        digits = 2 if 0 < value < 0.1 else 1
        return self("fmt.percent", value=self.num(min(value, 99.9), digits))

    def join(self, items: list[str]) -> str:
        return self("fmt.list_separator").join(items)

    def date(self, value: date) -> str:
        text = format_date(value, format="long", locale=self.lang)
        return to_arabic_digits(text) if self.lang == "ar" else text


@cache
def translator(lang: str) -> Translator:
    return Translator(lang)

"""Hijri dates by the Umm al-Qura calendar (a rule of the product: Ramadan plans, dates beside
Gregorian ones) (hijridate), valid 1343–1500 AH (1924-08-01 – 2077-11-16).

Dates outside that range raise `ValueError`.
"""

from __future__ import annotations

from datetime import date, timedelta

RAMADAN = 9


def _to_hijri(d: date):
    from hijridate import Gregorian

    try:
        return Gregorian.fromdate(d).to_hijri()
    except OverflowError as exc:  # hijridate's own range check
        raise ValueError(str(exc)) from exc


def hijri_date(d: date) -> tuple[int, int, int]:
    """(year, month, day) of the Umm al-Qura Hijri date of `d`."""
    h = _to_hijri(d)
    return h.year, h.month, h.day


def format_hijri(d: date, lang: str) -> str:
    """ "12 Ramadan 1447 AH" in English, "12 رمضان 1447 هـ" in Arabic — in Western digits: the bot writes
    them as the user's language does (bot.i18n.Translator.digits: "١٢ رمضان ١٤٤٧ هـ"), like every number."""
    h = _to_hijri(d)
    name_lang = "ar" if lang == "ar" else "en"
    return f"{h.day} {h.month_name(name_lang)} {h.year} {h.notation(name_lang)}"


def is_ramadan(today: date) -> bool:
    return _to_hijri(today).month == RAMADAN


def days_until_ramadan(today: date) -> int:
    """Days from `today` to the next 1 Ramadan; 0 on any day of Ramadan."""
    from hijridate import Hijri

    h = _to_hijri(today)
    if h.month == RAMADAN:
        return 0
    year = h.year if h.month < RAMADAN else h.year + 1
    try:
        start = Hijri(year, RAMADAN, 1).to_gregorian()
    except OverflowError as exc:
        raise ValueError(str(exc)) from exc
    return (date(start.year, start.month, start.day) - today).days


def ramadan_end(today: date) -> date:
    """The last day of the Ramadan `today` is in, or of the next one."""
    from hijridate import Hijri

    h = _to_hijri(today)
    year = h.year if h.month <= RAMADAN else h.year + 1
    try:
        shawwal = Hijri(year, RAMADAN + 1, 1).to_gregorian()
    except OverflowError as exc:
        raise ValueError(str(exc)) from exc
    return date(shawwal.year, shawwal.month, shawwal.day) - timedelta(days=1)

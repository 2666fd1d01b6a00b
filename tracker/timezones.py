"""Finding a user's IANA timezone from what they type: a zone name, a city, or a UTC offset."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from zoneinfo import available_timezones

from rapidfuzz import fuzz, process

from tracker.clock import FIXED_OFFSET, zone

# Large cities (many with big Muslim communities) that are not themselves IANA zone names.
_CITY_ZONES = {
    "mecca": "Asia/Riyadh",
    "makkah": "Asia/Riyadh",
    "medina": "Asia/Riyadh",
    "madinah": "Asia/Riyadh",
    "jeddah": "Asia/Riyadh",
    "jidda": "Asia/Riyadh",
    "dammam": "Asia/Riyadh",
    "مكة": "Asia/Riyadh",
    "المدينة": "Asia/Riyadh",
    "جدة": "Asia/Riyadh",
    "الرياض": "Asia/Riyadh",
    "abu dhabi": "Asia/Dubai",
    "sharjah": "Asia/Dubai",
    "دبي": "Asia/Dubai",
    "mumbai": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "hyderabad": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "chennai": "Asia/Kolkata",
    "lucknow": "Asia/Kolkata",
    "kolkata": "Asia/Kolkata",
    "lahore": "Asia/Karachi",
    "islamabad": "Asia/Karachi",
    "rawalpindi": "Asia/Karachi",
    "peshawar": "Asia/Karachi",
    "faisalabad": "Asia/Karachi",
    "alexandria": "Africa/Cairo",
    "giza": "Africa/Cairo",
    "القاهرة": "Africa/Cairo",
    "ankara": "Europe/Istanbul",
    "rabat": "Africa/Casablanca",
    "fes": "Africa/Casablanca",
    "marrakech": "Africa/Casablanca",
    "kano": "Africa/Lagos",
    "abuja": "Africa/Lagos",
    "surabaya": "Asia/Jakarta",
    "bandung": "Asia/Jakarta",
    "medan": "Asia/Jakarta",
    "birmingham": "Europe/London",
    "manchester": "Europe/London",
    "leicester": "Europe/London",
    "bradford": "Europe/London",
    "new york city": "America/New_York",
    "nyc": "America/New_York",
    "washington": "America/New_York",
    "houston": "America/Chicago",
    "dallas": "America/Chicago",
    "san francisco": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "mississauga": "America/Toronto",
    "mosul": "Asia/Baghdad",
    "basra": "Asia/Baghdad",
    "بغداد": "Asia/Baghdad",
    "sanaa": "Asia/Aden",
    "mogadishu": "Africa/Mogadishu",
    "sarajevo": "Europe/Sarajevo",
    "almaty": "Asia/Almaty",
    "tashkent": "Asia/Tashkent",
    "dhaka": "Asia/Dhaka",
    "chittagong": "Asia/Dhaka",
    "kuala lumpur": "Asia/Kuala_Lumpur",
    "kl": "Asia/Kuala_Lumpur",
    "gaza": "Asia/Gaza",
    "jerusalem": "Asia/Jerusalem",
    "al quds": "Asia/Jerusalem",
    "amman": "Asia/Amman",
    "عمان": "Asia/Amman",
    "sydney": "Australia/Sydney",
    "melbourne": "Australia/Melbourne",
}
_REGIONS = {"Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific"}
_FUZZY_CUTOFF = 90  # "lahor" -> Lahore (91) passes; "atlantis" -> Atlantic (87.5) must not
# The names an offset is written after: Latin, and Arabic as CLDR writes it ("غرينتش+٣", its gmtFormat)
# or as it is often spelt ("جرينتش"). Digits may be Arabic-Indic: `\d` takes them and `int` reads them.
_GMT = r"(?:utc|gmt|(?:توقيت)?\s*(?:غرينتش|جرينتش))"
_OFFSET = re.compile(rf"^{_GMT}?\s*([+\-−])\s*(\d{{1,2}})(?:[:.h]?(\d{{2}}))?$")
# Anything shaped like an offset ("UTC+5:30", "+05:45", "GMT-3:30", "+25"), valid or not: at the timezone
# prompt such text is a timezone answer, never a reading ("UTC+5:30" is not Al-Maaida 30).
_OFFSET_SHAPE = re.compile(rf"^(?:{_GMT}\s*[+\-−]?|[+\-−])\s*\d{{1,4}}(?:\s*[:.h]\s*\d{{1,2}})?$")
# Offsets in use around the world (whole hours are Etc/GMT zones; these are the ones with minutes).
_MINUTE_OFFSETS = frozenset({-570, -210, 210, 270, 330, 345, 390, 525, 570, 630, 765, 825})


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"[\s_\-]+", " ", text)


@cache
def _city_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for name in available_timezones():
        # Only the canonical regions: legacy links (Canada/Atlantic, US/Pacific ...) made "Atlantis" match.
        if name.split("/", 1)[0] not in _REGIONS or "/" not in name:
            continue
        index.setdefault(_key(name.rsplit("/", 1)[1]), name)
    index.update({_key(k): v for k, v in _CITY_ZONES.items()})
    return index


@cache
def _zones() -> dict[str, str]:
    """Every IANA zone, by its name in lower case (`available_timezones` walks tzdata: ~5 ms a call)."""
    return {z.lower(): z for z in available_timezones()}


def is_zone(name: str) -> bool:
    """Is `name` an IANA zone, exactly as spelt?"""
    return _zones().get(name.lower()) == name


@dataclass(frozen=True)
class TimezoneMatch:
    zone: str
    # The city a misspelt name was taken for ("lahor" -> "Lahore"): a guess, to be confirmed by the
    # person before it is stored. None when the text named the zone, a city or an offset exactly.
    guessed: str | None = None


def match_timezone(text: str) -> TimezoneMatch | None:
    """What the user typed as a timezone: the zone it names, and whether that is a guess."""
    zone_name = _exact_timezone(text)
    if zone_name is not None or looks_like_offset(text):
        return TimezoneMatch(zone_name) if zone_name is not None else None
    key = _key((text or "").strip()[:64])
    if not key:
        return None
    best = process.extractOne(key, _city_index().keys(), scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
    if best is None:
        return None
    city = best[0] if not best[0].isascii() else best[0].title()
    return TimezoneMatch(_city_index()[best[0]], guessed=city)


def offset_zone(hours: int) -> str:
    """The fixed-offset zone for a whole-hour offset. POSIX signs are inverted: UTC+3 is Etc/GMT-3."""
    if not -12 <= hours <= 14:
        raise ValueError("offset out of range")
    return "UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"


def offset_minutes_zone(minutes: int) -> str:
    """The fixed zone for an offset in minutes: Etc/GMT∓h for whole hours, "UTC+05:30" otherwise
    (``tracker.clock.zone`` reads that form; a reply shows it as "UTC+5:30": ``Translator.utc_offset``)."""
    if minutes % 60 == 0:
        return offset_zone(minutes // 60)
    if minutes not in _MINUTE_OFFSETS:
        raise ValueError("no such offset in use")
    sign = "+" if minutes > 0 else "-"
    h, m = divmod(abs(minutes), 60)
    return f"UTC{sign}{h:02d}:{m:02d}"


def looks_like_offset(text: str) -> bool:
    """Is this text shaped like a UTC offset (valid or not)?"""
    return _OFFSET_SHAPE.match(re.sub(r"\s+", "", (text or "").strip().lower())[:16]) is not None


def is_fixed_offset(timezone: str) -> bool:
    return timezone == "UTC" or timezone.startswith("Etc/GMT") or FIXED_OFFSET.match(timezone) is not None


def find_timezone(text: str) -> str | None:
    """An IANA zone for what the user typed, or None if nothing matches well enough (a misspelt city
    included: `match_timezone` says when the zone is a guess)."""
    match = match_timezone(text)
    return match.zone if match is not None else None


def _exact_timezone(text: str) -> str | None:
    """The zone the text names exactly — a zone, a known city, an offset — or None."""
    raw = (text or "").strip()[:64]
    if not raw:
        return None
    for candidate in (raw, raw.replace(" ", "_")):
        if is_zone(candidate):
            return candidate
    if raw.lower().replace(" ", "_") in _zones():
        return _zones()[raw.lower().replace(" ", "_")]
    compact = re.sub(r"\s+", "", raw.lower())
    if re.fullmatch(_GMT, compact):  # "غرينتش" alone, as the zero offset is written in Arabic
        return "UTC"
    match = _OFFSET.match(compact)
    if match:
        sign = -1 if match.group(1) in "-−" else 1
        hours, minutes = int(match.group(2)), int(match.group(3) or 0)
        if minutes >= 60 or not -12 <= sign * hours <= 14:
            return None
        try:
            return offset_minutes_zone(sign * (hours * 60 + minutes))
        except ValueError:
            return None
    return _city_index().get(_key(raw))


def utc_offset_minutes(timezone: str, when: datetime) -> int:
    """The zone's offset from UTC at `when`, in minutes (east positive)."""
    offset = when.astimezone(zone(timezone)).utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0

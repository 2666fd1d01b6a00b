"""Digits, one table each way: what users type (Arabic-Indic ٠-٩, or the Extended Arabic-Indic ۰-۹ of a
Persian or Urdu keyboard) read as ASCII, and numbers written for Arabic readers with Arabic-Indic digits."""

from __future__ import annotations

ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
EXTENDED_ARABIC_INDIC = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DECIMAL_SEPARATOR = "٫"

TO_ASCII = str.maketrans(ARABIC_INDIC + EXTENDED_ARABIC_INDIC, "0123456789" * 2)
TO_ARABIC_INDIC = str.maketrans("0123456789", ARABIC_INDIC)


def to_ascii_digits(text: str) -> str:
    """ "٧:٣٠" -> "7:30": any Arabic-Indic digit read as the ASCII one; everything else unchanged."""
    return text.translate(TO_ASCII)


def to_arabic_digits(value: int | str) -> str:
    """Render a number with Arabic-Indic digits (٠-٩)."""
    return str(value).translate(TO_ARABIC_INDIC)

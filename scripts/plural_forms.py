"""Write CLDR's plural rule (from Babel) into the Plural-Forms header of every catalogue.

Run after adding a language or upgrading Babel: `.venv/bin/python scripts/plural_forms.py`.
Only the header line changes, so the rest of each file (and everyone's diffs) stays as it is.
tests/bot/test_i18n.py fails while a header differs from Babel's rule.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.plurals import get_plural

LOCALES = Path(__file__).resolve().parent.parent / "bot" / "locales"
HEADER = re.compile(r'^"Plural-Forms: [^"\\]*\\n"$', re.MULTILINE)


def main() -> None:
    for po in sorted(LOCALES.glob("*/LC_MESSAGES/*.po")):
        lang = po.parts[-3]
        line = f'"Plural-Forms: {get_plural(lang).plural_forms}\\n"'
        text = po.read_text(encoding="utf-8")
        fixed, count = HEADER.subn(lambda _m, line=line: line, text)
        if count != 1:
            raise SystemExit(f"{po}: expected one Plural-Forms header, found {count}")
        if fixed != text:
            po.write_text(fixed, encoding="utf-8")
            print(f"{po.relative_to(LOCALES)}: {get_plural(lang).plural_forms}")


if __name__ == "__main__":
    main()

"""Arabic messages laid out by the Unicode bidi algorithm (python-bidi) as a reader sees them.

Telegram lays out each line right to left when it starts with Arabic; a Latin fragment inside
(`Asia/Riyadh (UTC+3)`, `/goal 2 pages`) is scrambled unless it is isolated. Each Arabic message is
filled with Latin, bracketed values, its HTML removed as Telegram does, and laid out line by line:
brackets must pair, and every command example and value must read in the order it was typed.
"""

from __future__ import annotations

import html
import re

import pytest
from bidi import get_display

from bot.i18n import FSI, LRI, PDI, catalogue, isolate, translator

VALUE = "Asia/Riyadh (UTC+3)"  # a mixed value with brackets of its own, for every placeholder
MIRROR = {"(": ")", ")": "(", "[": "]", "]": "[", "«": "»", "»": "«", "<": ">", ">": "<"}
OPENING, CLOSING = "([«", ")]»"
_COMMAND = re.compile(r"/[A-Za-z_]+(?: +[A-Za-z0-9][A-Za-z0-9:+\-.]*)*")
_CODE = re.compile(r"<code>(.*?)</code>")
_FIELD = re.compile(r"\{(\w+)\}")


def _levels(line: str) -> list[int]:
    """The resolved embedding level of each character (python-bidi reports them per UTF-8 byte)."""
    info = get_display(line, debug=True).split("paragraphs:")[0]
    per_byte = [int(x) for x in re.findall(r"Level\(\s*(\d+),\s*\)", info)]
    levels, i = [], 0
    for ch in line:
        levels.append(per_byte[i])
        i += len(ch.encode())
    return levels


def layout(line: str) -> str:
    """The visual order of one line, mirrored glyphs included (UAX #9, L2 and L4)."""
    levels = _levels(line)
    order = list(range(len(line)))
    for level in range(max(levels, default=0), 0, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    visual = "".join(MIRROR.get(line[k], line[k]) if levels[k] % 2 else line[k] for k in order)
    same = str.maketrans(")]»>", "([«<")  # python-bidi reorders but does not mirror: compare the order
    assert visual.translate(same) == get_display(line).translate(same)
    return visual.translate(str.maketrans("", "", FSI + LRI + PDI))


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _brackets_pair(visual: str) -> bool:
    stack = []
    for ch in visual:
        if ch in OPENING:
            stack.append(OPENING.index(ch))
        elif ch in CLOSING and (not stack or stack.pop() != CLOSING.index(ch)):
            return False
    return not stack


def _examples(logical: str) -> list[str]:
    """What the user is shown to type: <code> examples with Latin, and bare /commands."""
    codes = [m for m in _CODE.findall(logical) if re.search("[A-Za-z0-9/]", m)]
    rest = _CODE.sub(" ", logical)
    return [html.unescape(c) for c in codes] + _COMMAND.findall(_plain(rest))


def _arabic_messages():
    t = translator("ar")
    for key, text in catalogue("ar").items():
        forms = text if isinstance(text, tuple) else (text,)
        for i, form in enumerate(forms):
            fields = set(_FIELD.findall(form))
            params = dict.fromkeys(fields, VALUE)
            if isinstance(text, tuple):  # pick this form: a count the rule maps to it
                params["n"] = t.num(next(n for n in range(200) if t_rule(n) == i))
                params.setdefault("count", params["n"])
            yield f"{key}[{i}]", t(key, **params) if params else t(key), form


def t_rule(n: int) -> int:
    from bot.i18n import plural_rule

    return plural_rule("ar")(n)


MESSAGES = list(_arabic_messages())


@pytest.mark.parametrize(("key", "text", "source"), MESSAGES, ids=[m[0] for m in MESSAGES])
def test_arabic_message_reads_in_order_under_the_bidi_algorithm(key, text, source):
    logical = _plain(text)
    for line in logical.split("\n"):
        if not line.strip():
            continue
        visual = layout(line)
        assert _brackets_pair(visual), f"{key}: brackets do not pair in {visual!r}"
        bare = line.translate(str.maketrans("", "", FSI + LRI + PDI))
        if VALUE in bare:
            assert VALUE in visual, f"{key}: {VALUE!r} scrambled in {visual!r}"
        for example in _examples(source.replace("\n", " ")):
            if example in bare:
                # As the user types it: the input box starts with "/" or a Latin letter, so left to right.
                typed = get_display(example, base_dir="L")
                assert typed in visual, f"{key}: example {example!r} scrambled in {visual!r}"


def test_the_check_catches_text_that_is_not_isolated():
    # The same lines without isolates, as the catalogue had them: the check must fail.
    assert "/help" not in layout("انظر /help للمزيد.")
    assert "/goal 2 pages" not in layout("أمثلة: /goal 2 pages، /goal off.")
    assert "/help" in layout(f"انظر {isolate('/help', ltr=True)} للمزيد.")
    # An isolate that cuts a bracket pair in two (a wrong isolate_fragments) is caught too.
    assert not _brackets_pair(layout(f"المنطقة ({LRI}UTC+3) ✓{PDI} الآن"))
    assert _brackets_pair(layout(f"المنطقة ({LRI}UTC+3{PDI}) ✓ الآن"))


def test_every_arabic_message_was_checked():
    assert len(MESSAGES) > len(catalogue("ar"))  # every plural form too


def test_an_arabic_name_in_an_english_line_keeps_the_count_beside_it():
    en = translator("en")
    pages, days = en.plural("count.pages", 5), en.plural("count.days", 3)
    line = en("circle.board.line", name="مريم", pages=pages, days=days)
    assert get_display(line, base_dir="L").endswith(" — 5 pages · 3 days")
    # Without the isolate the bidi algorithm pulls the 5 over to the Arabic name.
    assert get_display("• مريم — 5 pages · 3 days", base_dir="L").startswith("• 5 — ")

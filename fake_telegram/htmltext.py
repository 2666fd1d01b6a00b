"""Telegram's HTML, as the Bot API parses it (TDLib's `parse_html`, td/telegram/MessageEntity.cpp):
one parser shared by the fake server and the console.

The facts carried over from TDLib, with its error texts (the Bot API prefixes them with
"Bad Request: can't parse entities: "):
- tags: b/strong, i/em, u/ins, s/strike/del, span (only with class="tg-spoiler"), tg-spoiler, a, code,
  pre, blockquote (optionally `expandable`), tg-emoji (with a numeric emoji-id); anything else, a
  comment or `<b/>` included, is "Unsupported start tag". Tag names end at a space or `>`.
- an attribute needs `=` and a value (quoted, or a name token of letters, digits, `.` and `-`);
  `expandable` on blockquote is the one that stands alone;
- only `&lt; &gt; &amp; &quot;` and numeric references (the `;` optional) are decoded; any other
  `&name;` stays literal; a raw `<` starts a tag (so "a < b" fails), a raw `>` or `&` is text;
- end tags must match the innermost open tag; offsets are in bytes of the UTF-8 text;
- the text is then measured in UTF-16 code units.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ParsedHTML", "html_to_plain", "is_html", "parse_html", "utf16_len"]

_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "pre", "code", "span",
        "tg-spoiler", "tg-emoji", "blockquote",
    }
)  # fmt: skip
_SPACE = frozenset(b" \t\r\n\f\v")
_NAMED = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}


def is_html(parse_mode: str | None) -> bool:
    return (parse_mode or "").upper() == "HTML"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class HTMLRefused(Exception):
    pass


@dataclass
class ParsedHTML:
    parts: list[str] = field(default_factory=list)
    error: str | None = None
    links: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    # Hooks for renderers that style what the parser reads (the console): called as each tag opens and
    # closes, after the text before it is in `parts`.
    def start(self, tag: str, argument: str) -> None:
        """A tag opened (`argument`: an <a>'s href, a <code>'s language …)."""

    def end(self, tag: str, argument: str) -> None:
        """The innermost open tag closed."""


def _entity(data: bytes, pos: int) -> tuple[str, int] | None:
    """A character reference at `pos` ("&..."): (the character, the position after it), or None when
    TDLib leaves it literal."""
    end = pos + 1
    if data[end : end + 1] == b"#":
        end += 1
        value = 0
        if data[end : end + 1] == b"x":
            end += 1
            while end < len(data) and chr(data[end]) in "0123456789abcdefABCDEF":
                value = value * 16 + int(chr(data[end]), 16)
                end += 1
        else:
            while end < len(data) and 48 <= data[end] <= 57:
                value = value * 10 + data[end] - 48
                end += 1
        if value == 0 or value >= 0x10FFFF or end - pos >= 10:
            return None
        char = chr(value)
    else:
        while end < len(data) and chr(data[end]).isascii() and chr(data[end]).isalpha():
            end += 1
        name = data[pos + 1 : end]
        if name not in _NAMED:
            return None
        char = _NAMED[name]
    if data[end : end + 1] == b";":
        end += 1
    return char, end


def _parse(text: str, out: ParsedHTML) -> None:
    data = text.encode("utf-8", "surrogatepass")
    n = len(data)

    def at(i: int) -> int:
        return data[i] if i < n else 0

    stack: list[tuple[str, str]] = []  # (tag, argument)
    chunk = bytearray()

    def flush() -> None:
        if chunk:
            out.parts.append(chunk.decode("utf-8", "surrogatepass"))
            chunk.clear()

    i = 0
    while i < n:
        c = data[i]
        if c == ord("&"):
            found = _entity(data, i)
            if found is not None:
                flush()
                out.parts.append(found[0])
                i = found[1]
                continue
        if c != ord("<"):
            chunk.append(c)
            i += 1
            continue
        flush()
        begin = i
        i += 1
        if at(i) != ord("/"):
            while i < n and at(i) not in _SPACE and at(i) != ord(">"):
                i += 1
            if i >= n:
                raise HTMLRefused(f"Unclosed start tag at byte offset {begin}")
            tag = data[begin + 1 : i].decode("utf-8", "replace").lower()
            if tag not in _TAGS:
                raise HTMLRefused(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument = ""
            while at(i) != ord(">"):
                while i < n and at(i) in _SPACE:
                    i += 1
                if at(i) == ord(">"):
                    break
                name_begin = i
                while i < n and at(i) not in _SPACE and at(i) != ord("=") and at(i) != ord(">"):
                    i += 1
                name = data[name_begin:i].decode("utf-8", "replace")
                if not name:
                    raise HTMLRefused(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
                while i < n and at(i) in _SPACE:
                    i += 1
                if at(i) != ord("="):
                    if tag == "blockquote" and name == "expandable":
                        argument = "1"
                        continue
                    if i >= n:
                        raise HTMLRefused(f'Unclosed start tag "{tag}" at byte offset {begin}')
                    raise HTMLRefused(
                        f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                        f"at byte offset {begin}"
                    )
                i += 1
                while i < n and at(i) in _SPACE:
                    i += 1
                if i >= n:
                    raise HTMLRefused(f'Unclosed start tag "{tag}" at byte offset {begin}')
                if at(i) not in (ord("'"), ord('"')):
                    token_begin = i
                    while i < n and ((chr(at(i)).isascii() and chr(at(i)).isalnum()) or at(i) in b".-"):
                        i += 1
                    value = data[token_begin:i].decode("ascii").lower()
                    if at(i) not in _SPACE and at(i) != ord(">"):
                        raise HTMLRefused(f"Unexpected end of name token at byte offset {token_begin}")
                else:
                    quote = at(i)
                    i += 1
                    raw = bytearray()
                    pieces: list[str] = []
                    while i < n and at(i) != quote:
                        if at(i) == ord("&"):
                            found = _entity(data, i)
                            if found is not None:
                                pieces.append(raw.decode("utf-8", "surrogatepass"))
                                raw.clear()
                                pieces.append(found[0])
                                i = found[1]
                                continue
                        raw.append(at(i))
                        i += 1
                    pieces.append(raw.decode("utf-8", "surrogatepass"))
                    value = "".join(pieces)
                    if at(i) == quote:
                        i += 1
                if i >= n:
                    raise HTMLRefused(f"Unclosed start tag at byte offset {begin}")
                if (tag, name) in (("a", "href"), ("tg-emoji", "emoji-id")):
                    argument = value
                elif tag == "code" and name == "class" and value.startswith("language-"):
                    argument = value[9:]
                elif tag == "span" and name == "class" and value.startswith("tg-"):
                    argument = value[3:]
            if tag == "span" and argument != "spoiler":
                raise HTMLRefused(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
            if tag == "a":
                out.links.append(argument)
            stack.append((tag, argument))
            out.start(tag, argument)
            i += 1  # past ">"
        else:
            if not stack:
                raise HTMLRefused(f"Unexpected end tag at byte offset {begin}")
            while i < n and at(i) not in _SPACE and at(i) != ord(">"):
                i += 1
            end_name = data[begin + 2 : i].decode("utf-8", "replace")
            while i < n and at(i) in _SPACE:
                i += 1
            if at(i) != ord(">"):
                raise HTMLRefused(f"Unclosed end tag at byte offset {begin}")
            tag, argument = stack[-1]
            if end_name and end_name != tag:
                raise HTMLRefused(
                    f'Unmatched end tag at byte offset {begin}, expected "</{tag}>", found "</{end_name}>"'
                )
            if tag == "tg-emoji" and not (argument.isdigit() and 0 < int(argument) < 2**63):
                raise HTMLRefused("Invalid custom emoji identifier specified")
            stack.pop()
            out.end(tag, argument)
            i += 1
    flush()
    if stack:
        raise HTMLRefused(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')


def parse_html(text: str, into: ParsedHTML | None = None) -> ParsedHTML:
    """The plain text and links of Telegram HTML; `error` is TDLib's reason when it is refused. `into`:
    a ParsedHTML whose hooks style what is read (the console's renderer)."""
    out = ParsedHTML() if into is None else into
    try:
        _parse(text, out)
    except HTMLRefused as exc:
        out.error = str(exc)
    return out


def html_to_plain(text: str) -> str:
    """What the user reads: tags gone, references decoded (best effort for HTML Telegram refuses)."""
    return parse_html(text).text

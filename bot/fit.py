"""Fitting Telegram HTML into Telegram's limits, measured the way Telegram measures.

Telegram counts a message's length *after* parsing the HTML (tags cost nothing, `&amp;` is one
character) in UTF-16 code units (an emoji outside the BMP is two). A text over the limit is split into
several, at line boundaries; a single line longer than the limit at a space (or, failing that, between
characters). Never inside a tag or an entity: tags open at a cut are closed before it and reopened after.
Nothing is ever dropped.
"""

from __future__ import annotations

import html
import re

MAX_TEXT = 4096  # sendMessage / editMessageText
MAX_CAPTION = 1024  # sendPhoto / sendDocument caption

_TOKEN = re.compile(r"<[^>]*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|lt|gt|amp|quot);|[^<&]+|&")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][a-zA-Z0-9-]*)")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def plain_length(text: str) -> int:
    """The length Telegram sees: entities decoded, tags gone, in UTF-16 code units."""
    return sum(utf16_len(_visible(tok)) for tok in _TOKEN.findall(text))


def _visible(token: str) -> str:
    if token.startswith("<"):
        return ""
    if token.startswith("&") and len(token) > 1:
        return html.unescape(token)
    return token


class _Chunker:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.chunks: list[str] = []
        self.parts: list[str] = []
        self.size = 0
        self.open: list[tuple[str, str]] = []  # (name, the opening tag as written)

    def cut(self) -> None:
        """End the current chunk: close what is open, and reopen it at the start of the next one."""
        if self.size == 0 and not any(p.strip() for p in self.parts if not p.startswith("<")):
            return
        closing = "".join(f"</{name}>" for name, _ in reversed(self.open))
        self.chunks.append(("".join(self.parts).rstrip("\n") + closing).strip("\n"))
        self.parts = [tag for _, tag in self.open]
        self.size = 0

    def tag(self, token: str) -> None:
        found = _TAG_NAME.match(token)
        name = found.group(1).lower() if found else ""
        if token.startswith("</"):
            for i in range(len(self.open) - 1, -1, -1):
                if self.open[i][0] == name:
                    del self.open[i]
                    break
        elif not token.endswith("/>"):
            self.open.append((name, token))
        self.parts.append(token)

    def text(self, token: str, visible: str) -> None:
        n = utf16_len(visible)
        if self.size + n > self.limit:
            self.cut()
        if n > self.limit:  # one piece longer than a whole message: only plain text can be that long
            for piece in _pieces(token, self.limit):
                if self.size + utf16_len(piece) > self.limit:
                    self.cut()
                self.parts.append(piece)
                self.size += utf16_len(piece)
            return
        self.parts.append(token)
        self.size += n


def _pieces(text: str, limit: int) -> list[str]:
    """Split plain text into pieces of at most `limit` UTF-16 units, at spaces where possible."""
    out: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        end = 0
        size = 0
        for i, ch in enumerate(rest):  # the longest prefix within the limit
            size += utf16_len(ch)
            if size > limit:
                break
            end = i + 1
        space = rest.rfind(" ", 0, end)
        cut = space + 1 if space > 0 else end
        out.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        out.append(rest)
    return out


def fit_html(text: str, limit: int = MAX_TEXT) -> list[str]:
    """`text` as one or more texts of at most `limit` (as Telegram counts), split at line boundaries."""
    if plain_length(text) <= limit:
        return [text]
    chunker = _Chunker(limit)
    lines = re.split(r"(\n)", text)
    for line in lines:
        if line == "\n":
            if chunker.size + 1 > limit:
                chunker.cut()
            else:
                chunker.parts.append("\n")
                chunker.size += 1
            continue
        line_size = plain_length(line)
        if chunker.size + line_size > limit and line_size <= limit:
            chunker.cut()
        for token in _TOKEN.findall(line):
            if token.startswith("<"):
                chunker.tag(token)
            else:
                chunker.text(token, _visible(token))
    chunker.cut()
    return [c for c in chunker.chunks if c.strip()]

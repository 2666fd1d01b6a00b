"""Telegram's HTML, as the Bot API parses it: one walker shared by the fake server and the console."""

from __future__ import annotations

import html
from html.parser import HTMLParser

__all__ = ["TelegramHTML", "html_to_plain", "is_html", "parse_html"]


def is_html(parse_mode: str | None) -> bool:
    return (parse_mode or "").upper() == "HTML"


# --------------------------------------------------------------------------------------------
# Telegram HTML
# --------------------------------------------------------------------------------------------

_ALLOWED_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
        "a", "code", "pre", "blockquote", "tg-emoji",
    }
)  # fmt: skip


class _TelegramHTML(HTMLParser):
    """Parses Telegram-flavoured HTML: collects the plain text and detects what Telegram rejects."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)  # so a raw "<" is told apart from "&lt;"
        self.parts: list[str] = []
        self.stack: list[str] = []
        self.error: str | None = None
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS and self.error is None:
            self.error = f'Unsupported start tag "{tag}"'
        self.stack.append(tag)
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        elif self.error is None:
            self.error = f'Unmatched end tag "{tag}"'

    def handle_data(self, data: str) -> None:
        if "<" in data and self.error is None:
            self.error = 'Unsupported start tag "" (a raw "<" must be written as &lt;)'
        self.parts.append(data)

    def handle_entityref(self, name: str) -> None:
        self.parts.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.parts.append(html.unescape(f"&#{name};"))

    def close(self) -> None:
        super().close()
        if self.stack and self.error is None:
            self.error = f'Can\'t find end tag corresponding to start tag "{self.stack[-1]}"'


TelegramHTML = _TelegramHTML  # the walker, for renderers that style what it reads (the console)


def parse_html(text: str) -> _TelegramHTML:
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    return parser


def html_to_plain(text: str) -> str:
    """Strip Telegram HTML tags and unescape entities (what the user ends up reading)."""
    return "".join(parse_html(text).parts)

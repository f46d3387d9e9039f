"""Bot API text formatting: the entities the server derives from what users and bots write.

Kept apart from the server so the stateless rules (UTF-16 offsets, auto-detected commands and
mentions, parse_mode=HTML) read on their own.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

Json = dict[str, Any]

HTML_ENTITIES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "code": "code", "pre": "pre", "a": "text_link", "tg-spoiler": "spoiler",
    "blockquote": "blockquote",
}
COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
MENTION_RE = re.compile(r"(?<![\w/@])@[A-Za-z0-9_]{5,32}")


def utf16_len(text: str) -> int:
    """Entity offsets and lengths count UTF-16 code units, not Python characters."""
    return len(text.encode("utf-16-le")) // 2


def auto_entities(text: str) -> list[Json]:
    """The bot_command and mention entities the real server adds to what a user types."""
    found = [("bot_command", m) for m in COMMAND_RE.finditer(text)]
    found += [("mention", m) for m in MENTION_RE.finditer(text)]
    entities = [{"type": kind, "offset": utf16_len(text[: m.start()]),
                 "length": utf16_len(m.group())} for kind, m in found]
    return sorted(entities, key=lambda entity: entity["offset"])


class _HtmlToEntities(HTMLParser):
    """Turns parse_mode=HTML into plain text plus entities, which is what the server stores."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.entities: list[Json] = []
        self.open: list[tuple[str, Json]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_ENTITIES:
            raise ValueError(f'Unsupported start tag "{tag}"')
        entity: Json = {"type": HTML_ENTITIES[tag], "offset": utf16_len(self.text)}
        if tag == "a":
            entity["url"] = dict(attrs).get("href") or ""
        self.open.append((tag, entity))

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1][0] != tag:
            raise ValueError(f'Unmatched end tag "{tag}"')
        _, entity = self.open.pop()
        entity["length"] = utf16_len(self.text) - entity["offset"]
        if entity["length"]:
            self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.text += data


def parse_html(markup: str) -> tuple[str, list[Json]]:
    """Plain text and entities for parse_mode=HTML; ValueError says what the server rejects."""
    parser = _HtmlToEntities()
    parser.feed(markup)
    parser.close()
    if parser.open:
        tag = parser.open[-1][0]
        raise ValueError(f"Can't find end tag corresponding to start tag {tag}")
    return parser.text, sorted(parser.entities, key=lambda entity: entity["offset"])

"""A reply too long for one chat message, as several: cut between paragraphs where
one ends late enough, else between lines, else between words. Each piece is whole
Markdown on its own: a code block cut in two is closed and reopened, and the rest of
a cut quote line stays a quote, so no front renders half a tag."""

from __future__ import annotations

from collections.abc import Callable

FENCE = "```"
QUOTE = "> "


def split_text(text: str, limit: int, size: Callable[[str], int] = len) -> list[str]:
    r"""`text` in pieces of at most `limit` as `size` counts (Telegram counts UTF-16).

    >>> split_text("Keep the exit clear.\n\nTwo two.\nThree.", 30)
    ['Keep the exit clear.', 'Two two.\nThree.']
    >>> split_text("```\nls -l\nls -a\nls -t\n```", 22)
    ['```\nls -l\nls -a\n```', '```\nls -t\n```']
    >>> split_text("> the quoted rule is long and longer", 24)
    ['> the quoted', '> rule is long', '> and longer']
    """
    if size(text) <= limit:
        return [text]
    room = limit - size("\n" + FENCE)  # a code block cut here needs closing
    line_room = room - size(FENCE + "\n")  # and reopening in the next piece
    if line_room < 8:
        raise ValueError(f"a limit of {limit} leaves no room for text")
    pieces: list[str] = []
    current: list[str] = []
    for line in (part for whole in text.split("\n") for part in _cut_line(whole, line_room, size)):
        if current and size("\n".join([*current, line])) > room:
            keep, carry = _paragraph_break(current, size, room)
            pieces.append(_closed(keep))
            current = ([FENCE] if _inside_code(keep) else []) + carry
            if current and size("\n".join([*current, line])) > room:
                pieces.append(_closed(current))
                current = [FENCE] if _inside_code(current) else []
        current.append(line)
    pieces.append("\n".join(current))
    return [piece.strip("\n") for piece in pieces if piece.strip()]


def _cut_line(line: str, room: int, size: Callable[[str], int]) -> list[str]:
    """A line that alone is too long, cut between words (inside a word if it must);
    a quote's parts stay quoted."""
    if size(line) <= room:
        return [line]
    prefix = QUOTE if line.startswith(QUOTE) else ""
    parts: list[str] = []
    current = ""
    for word in line.removeprefix(prefix).split(" "):
        while size(prefix + word) > room:  # a word longer than a message
            if current:
                parts.append(prefix + current)
                current = ""
            cut = _longest_fitting(prefix + word, room, size) - len(prefix)
            parts.append(prefix + word[:cut])
            word = word[cut:]
        candidate = f"{current} {word}" if current else word
        if current and size(prefix + candidate) > room:
            parts.append(prefix + current)
            current = word
        else:
            current = candidate
    if current:
        parts.append(prefix + current)
    return parts


def _longest_fitting(text: str, room: int, size: Callable[[str], int]) -> int:
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if size(text[:middle]) <= room else (low, middle - 1)
    return low


def _paragraph_break(lines: list[str], size: Callable[[str], int], room: int
                     ) -> tuple[list[str], list[str]]:
    """The lines to send now and those to carry over: cut at the last blank line
    outside code that leaves at least half a message, else send them all."""
    inside = False
    best: int | None = None
    for number, line in enumerate(lines):
        if line.startswith(FENCE):
            inside = not inside
        elif not line.strip() and not inside and size("\n".join(lines[:number])) >= room // 2:
            best = number
    if best is None:
        return lines, []
    return lines[:best], lines[best + 1:]


def _inside_code(lines: list[str]) -> bool:
    return sum(line.startswith(FENCE) for line in lines) % 2 == 1


def _closed(lines: list[str]) -> str:
    return "\n".join([*lines, FENCE] if _inside_code(lines) else lines)

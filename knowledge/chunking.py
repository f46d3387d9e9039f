"""Heading-aware chunking of Markdown, sized in the embedding model's tokens.

Pure functions: the token counter is passed in, so tests can count words instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from knowledge.sentences import is_lead_in, split_sentences

TokenCounter = Callable[[Sequence[str]], list[int]]

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_SLIDE = re.compile(r"^<!--\s*Slide number:\s*(\d+)\s*-->$")
_FENCE = re.compile(r"^(```+|~~~+)")
_LIST_LINE = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)]|[a-zA-Z][.)])\s+")


@dataclass(frozen=True)
class Block:
    """A paragraph, list, table or code block under one heading path."""

    text: str
    heading: str
    page: int | None
    kind: str = "prose"  # "prose", "list", "table" or "code"


@dataclass(frozen=True)
class ChunkDraft:
    text: str
    heading: str
    page: int | None

    def embedding_text(self, title: str = "") -> str:
        """What is embedded: the document's title and the heading path give a bare
        paragraph its topic (the title only when the headings do not start with it)."""
        return embedding_text(title, self.heading, self.text)


def embedding_text(title: str, heading: str, text: str) -> str:
    """
    >>> embedding_text("Fire safety", "Fire safety > Exits", "Keep clear.")
    'Fire safety > Exits\\nKeep clear.'
    >>> embedding_text("zsh FAQ", "Chapter 3", "Use setopt.")
    'zsh FAQ\\nChapter 3\\nUse setopt.'
    """
    context = heading if not title or heading.startswith(title) else f"{title}\n{heading}".strip()
    return f"{context}\n{text}" if context else text


def document_title(markdown: str, file_name: str) -> str:
    """The title of a document: its first heading when nothing comes before it,
    else its file name in words.

    >>> document_title("# Fire Safety\\n\\nText.", "fire.md")
    'Fire Safety'
    >>> document_title("Some text.\\n\\n# Part 1", "debian-faq_v2.pdf")
    'Debian faq v2'
    """
    for line in markdown.split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith("<!--") or stripped == "\f":
            continue
        if heading := _HEADING.match(stripped):
            return _clean_heading(heading.group(2))
        break
    stem = re.sub(r"[-_.\s]+", " ", file_name.rsplit(".", 1)[0]).strip()
    return stem[:1].upper() + stem[1:]


def split_blocks(markdown: str) -> list[Block]:
    """Blocks of normalised Markdown with the heading path above them and the page
    or slide they are on.

    >>> [(b.heading, b.text) for b in split_blocks("# Fire\\nIntro.\\n\\n## Exits\\nKeep clear.")]
    [('Fire', 'Intro.'), ('Fire > Exits', 'Keep clear.')]
    >>> [b.kind for b in split_blocks("Text.\\n\\n- a\\n- b\\n\\n```\\nx = 1\\n\\ny\\n```")]
    ['prose', 'list', 'code']
    """
    headings: list[tuple[int, str]] = []  # (level, title) of the headings above
    blocks: list[Block] = []
    lines: list[str] = []
    has_pages = "\f" in markdown
    page: int | None = 1 if has_pages else None
    in_code = False

    def flush() -> None:
        text = "\n".join(lines).strip("\n")
        if text.strip():
            blocks.append(Block(text, " > ".join(title for _, title in headings), page,
                                _block_kind(text)))
        lines.clear()

    for raw_line in markdown.replace("\r\n", "\n").split("\n"):
        for part_index, line in enumerate(raw_line.split("\f")):
            if part_index and has_pages and not in_code:  # the PDF moved to the next page
                flush()
                page = (page or 0) + 1
            stripped = line.strip()
            if _FENCE.match(stripped):
                if not in_code:
                    flush()
                lines.append(line)
                in_code = not in_code
                if not in_code:
                    flush()
                continue
            if in_code:
                lines.append(line)
                continue
            if slide := _SLIDE.match(stripped):
                flush()
                page = int(slide.group(1))
                headings.clear()
                continue
            if heading := _HEADING.match(stripped):
                flush()
                level = len(heading.group(1))
                while headings and headings[-1][0] >= level:
                    headings.pop()
                headings.append((level, _clean_heading(heading.group(2))))
                continue
            if not stripped:
                flush()
                continue
            lines.append(line)
    flush()
    return blocks


def _block_kind(text: str) -> str:
    first = text.lstrip("\n").split("\n", 1)[0]
    if _FENCE.match(first):
        return "code"
    if _LIST_LINE.match(first):
        return "list"
    if first.lstrip().startswith("|"):
        return "table"
    return "prose"


def _clean_heading(text: str) -> str:
    return re.sub(r"(\*\*|__)(.+?)\1", r"\2", text).strip()


def chunk_markdown(
    markdown: str, count_tokens: TokenCounter, *, max_tokens: int = 128,
    overlap_tokens: int = 24, title: str = "",
) -> list[ChunkDraft]:
    """Pack the blocks of one section into chunks of at most `max_tokens` tokens
    (title and heading included); a new chunk in the same section repeats the last
    sentences of the previous one, up to `overlap_tokens`. Chunks never span two
    sections, so each carries one heading path and the page it starts on. A block
    too long for one chunk is split where a reader would pause: prose between
    sentences, a list between items, a table between rows, code between lines
    (each part fenced again); never inside a sentence unless it alone is too long.

    >>> words = lambda texts: [len(t.split()) for t in texts]
    >>> md = "# Ladders\\nCheck the feet. Check the rungs. Lock the spreaders.\\n\\nFace it."
    >>> for chunk in chunk_markdown(md, words, max_tokens=8, overlap_tokens=3):
    ...     print(repr(chunk.text))
    'Check the feet. Check the rungs.'
    'Check the rungs. Lock the spreaders.'
    'Lock the spreaders.\\n\\nFace it.'
    """
    blocks = split_blocks(markdown)
    units = _units(blocks, count_tokens, max_tokens, title)
    chunks: list[ChunkDraft] = []
    current: list[_Unit] = []

    def emit() -> None:
        if current:
            first = current[0]
            chunks.append(ChunkDraft(_join(current), first.heading, first.page))

    for unit in units:
        budget = max_tokens - unit.heading_tokens
        used = sum(u.tokens for u in current)
        full = used + unit.tokens > budget or (
            sum(len(u.text) for u in current) + len(unit.text) > LONGEST_PART)
        if current and (unit.heading != current[0].heading or full):
            same_section = unit.heading == current[0].heading
            room = budget - unit.tokens
            if same_section and _introduces(current, unit, room):
                # "The following checks…" goes with the code or list it introduces.
                lead_in = current.pop()
                emit()
                current = [lead_in]
            else:
                emit()
                current = _overlap(current, overlap_tokens, room) if same_section else []
        current.append(unit)
    emit()
    return chunks


def _introduces(current: list[_Unit], following: _Unit, room: int) -> bool:
    """Whether the last unit of a full chunk is a lead-in of the code, list or table
    that starts the next, and fits beside it."""
    last = current[-1]
    return (len(current) > 1 and following.separator == "\n\n"
            and following.kind in ("code", "list", "table") and last.kind == "prose"
            and last.tokens <= room and is_lead_in(split_sentences(last.text)[-1]))


@dataclass(frozen=True)
class _Unit:
    """A piece of text that is never split further: a block, or a sentence, list
    item, table row or run of code lines of one."""

    text: str
    tokens: int
    heading: str
    heading_tokens: int
    page: int | None
    separator: str  # what joins it to the unit before: "\\n\\n" starts a block
    kind: str = "prose"


def _units(blocks: list[Block], count_tokens: TokenCounter, max_tokens: int,
           title: str) -> list[_Unit]:
    headings = sorted({b.heading for b in blocks})
    context = count_tokens([embedding_text(title, h, "") for h in headings])
    heading_tokens = dict(zip(headings, context, strict=True))
    block_tokens = count_tokens([b.text for b in blocks])
    pieces: list[tuple[Block, str, str]] = []  # (block, text, separator)
    for block, tokens in zip(blocks, block_tokens, strict=True):
        budget = max(8, max_tokens - heading_tokens[block.heading])
        fits = tokens <= budget and len(block.text) <= LONGEST_PART
        parts = [(block.text, "\n\n")] if fits else _block_parts(block)
        pieces.extend((block, part, separator) for part, separator in parts)
    piece_tokens = count_tokens([text for _, text, _ in pieces])
    units: list[_Unit] = []
    for (block, text, separator), tokens in zip(pieces, piece_tokens, strict=True):
        budget = max(8, max_tokens - heading_tokens[block.heading])
        split = _split_code(text, tokens, budget) if block.kind == "code" else (
            _split_words(text, tokens, budget))
        for index, part in enumerate(split):
            part_tokens = tokens if part is text else count_tokens([part])[0]
            units.append(_Unit(
                part, part_tokens, block.heading, heading_tokens[block.heading], block.page,
                separator if index == 0 else ("\n\n" if block.kind == "code" else " "),
                block.kind,
            ))
    return units


def _block_parts(block: Block) -> list[tuple[str, str]]:
    """A block too long for a chunk, cut where a reader pauses: each part with what
    joins it to the part before ("\\n" between list items and table rows, " " between
    sentences of one paragraph or item; "\\n\\n" starts the block).

    >>> _block_parts(Block("- Cool it. Do it now.\\n- Cover it.", "", None, "list"))
    [('- Cool it.', '\\n\\n'), ('Do it now.', ' '), ('- Cover it.', '\\n')]
    """
    if block.kind == "code":
        return [(block.text, "\n\n")]  # cut by lines, fenced again, in _split_code
    if block.kind == "prose":
        return [(sentence, "\n\n" if index == 0 else " ")
                for index, sentence in enumerate(split_sentences(block.text))]
    parts: list[tuple[str, str]] = []
    for line in (line for line in block.text.split("\n") if line.strip()):
        if block.kind == "table":
            parts.append((line, "\n\n" if not parts else "\n"))
            continue
        marker = _LIST_LINE.match(line)  # an item: its sentences, if it is too long alone
        sentences = split_sentences(line[marker.end():] if marker else line)
        if marker and sentences:
            sentences[0] = line[: marker.end()] + sentences[0]
        for index, sentence in enumerate(sentences):
            parts.append((sentence, "\n\n" if not parts else "\n" if index == 0 else " "))
    return parts


def _split_code(text: str, tokens: int, budget: int) -> list[str]:
    """A code block over budget as fenced runs of whole lines (a single line longer
    than the budget is one run: code is cut inside a line only past 2,000 characters).

    >>> _split_code("```\\na = 1\\nb = 2\\nc = 3\\n```", 12, 10)
    ['```\\na = 1\\nb = 2\\n```', '```\\nc = 3\\n```']
    """
    if tokens <= budget and len(text) <= LONGEST_PART:
        return [text]
    lines = text.split("\n")
    fence, body = lines[0], lines[1:-1] if _FENCE.match(lines[-1]) else lines[1:]
    body = [piece for line in body for piece in _cut(line, LONGEST_CODE_LINE)]
    chars = sum(len(line) + 1 for line in body) or 1
    room = max(1, budget - 2)  # the two fence lines
    runs: list[list[str]] = [[]]
    used, used_chars = 0.0, 0
    for line in body:
        cost = tokens * (len(line) + 1) / chars  # tokens, shared out by length
        if runs[-1] and (used + cost > room or used_chars + len(line) > LONGEST_PART):
            runs.append([])
            used, used_chars = 0.0, 0
        runs[-1].append(line)
        used += cost
        used_chars += len(line) + 1
    return ["\n".join([fence, *run, "```"]) for run in runs if run]


# A "word" or a code line longer than this is cut, and no part of a chunk is longer
# than LONGEST_PART characters whatever the tokenizer counts (MiniLM's reads a word of
# over 100 characters as one unknown token): a file of one 50 MB line without a space
# would otherwise be one chunk, and one quote, of 50 MB.
LONGEST_WORD, LONGEST_CODE_LINE, LONGEST_PART = 200, 2000, 4000


def _split_words(text: str, tokens: int, budget: int) -> list[str]:
    """
    >>> [len(part) for part in _split_words("x" * 9000, 1, 100)]
    [1808, 1808, 1808, 1808, 1808]
    """
    if tokens <= budget and len(text) <= LONGEST_PART:
        return [text]
    words = [piece for word in text.split() for piece in _cut(word, LONGEST_WORD)]
    parts = max(2, -(-tokens // budget), -(-len(text) // (LONGEST_PART // 2)))
    size = -(-len(words) // parts)
    return [" ".join(words[i : i + size]) for i in range(0, len(words), size)]


def _cut(text: str, longest: int) -> list[str]:
    return [text[i:i + longest] for i in range(0, len(text), longest)] or [text]


def _overlap(previous: list[_Unit], overlap_tokens: int, room: int) -> list[_Unit]:
    """The last sentences of the previous chunk, to carry into the next (never code,
    never the whole previous chunk)."""
    carried: list[_Unit] = []
    total = 0
    for unit in reversed(previous[1:]):
        if unit.kind == "code" or total + unit.tokens > min(overlap_tokens, room):
            break
        carried.insert(0, unit)
        total += unit.tokens
    return carried


def _join(units: list[_Unit]) -> str:
    text = units[0].text
    for unit in units[1:]:
        text += unit.separator + unit.text
    return text

"""Heading-aware chunking of Markdown, sized in the embedding model's tokens.

Pure functions: the token counter is passed in, so tests can count words instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

TokenCounter = Callable[[Sequence[str]], list[int]]

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_SLIDE = re.compile(r"^<!--\s*Slide number:\s*(\d+)\s*-->$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[*])")


@dataclass(frozen=True)
class Block:
    """A paragraph (or list, table, code block) under one heading path."""

    text: str
    heading: str
    page: int | None


@dataclass(frozen=True)
class ChunkDraft:
    text: str
    heading: str
    page: int | None

    def embedding_text(self) -> str:
        """What is embedded: the heading path gives a bare paragraph its topic."""
        return f"{self.heading}\n{self.text}" if self.heading else self.text


def split_blocks(markdown: str) -> list[Block]:
    """Paragraphs with the heading path above them and the page or slide they are on.

    >>> [(b.heading, b.text) for b in split_blocks("# Fire\\nIntro.\\n\\n## Exits\\nKeep clear.")]
    [('Fire', 'Intro.'), ('Fire > Exits', 'Keep clear.')]
    """
    headings: list[tuple[int, str]] = []  # (level, title) of the headings above
    blocks: list[Block] = []
    lines: list[str] = []
    has_pages = "\f" in markdown
    page: int | None = 1 if has_pages else None
    in_code = False

    def flush() -> None:
        text = "\n".join(lines).strip()
        if text:
            blocks.append(Block(text, " > ".join(title for _, title in headings), page))
        lines.clear()

    for raw_line in markdown.replace("\r\n", "\n").split("\n"):
        for part_index, line in enumerate(raw_line.split("\f")):
            if part_index and has_pages:  # a form feed: the PDF moved to the next page
                flush()
                page = (page or 0) + 1
            stripped = line.strip()
            if stripped.startswith("```"):
                in_code = not in_code
            if in_code or stripped.startswith("```"):
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


def _clean_heading(text: str) -> str:
    return re.sub(r"[*_`]+", "", text).strip()


def split_sentences(text: str) -> list[str]:
    """
    >>> split_sentences("Stop. Then call 112! Wait for help.")
    ['Stop.', 'Then call 112!', 'Wait for help.']
    """
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def chunk_markdown(
    markdown: str, count_tokens: TokenCounter, *, max_tokens: int = 128, overlap_tokens: int = 24
) -> list[ChunkDraft]:
    """Pack paragraphs of one section into chunks of at most `max_tokens` tokens
    (heading included); a new chunk in the same section repeats the last
    sentences of the previous one, up to `overlap_tokens`. Chunks never span two
    sections, so each carries one heading path and the page it starts on.

    >>> words = lambda texts: [len(t.split()) for t in texts]
    >>> md = "# Ladders\\nCheck the feet. Check the rungs. Lock the spreaders.\\n\\nFace it."
    >>> for chunk in chunk_markdown(md, words, max_tokens=8, overlap_tokens=3):
    ...     print(repr(chunk.text))
    'Check the feet. Check the rungs.'
    'Check the rungs. Lock the spreaders.'
    'Lock the spreaders.\\n\\nFace it.'
    """
    blocks = split_blocks(markdown)
    units = _units(blocks, count_tokens, max_tokens)
    chunks: list[ChunkDraft] = []
    current: list[_Unit] = []

    def emit() -> None:
        if current:
            first = current[0]
            chunks.append(ChunkDraft(_join(current), first.heading, first.page))

    for unit in units:
        budget = max_tokens - unit.heading_tokens
        used = sum(u.tokens for u in current)
        if current and (unit.heading != current[0].heading or used + unit.tokens > budget):
            same_section = unit.heading == current[0].heading
            emit()
            room = budget - unit.tokens
            current = _overlap(current, overlap_tokens, room) if same_section else []
        current.append(unit)
    emit()
    return chunks


@dataclass(frozen=True)
class _Unit:
    """A piece of text that is never split further: a paragraph or one sentence of it."""

    text: str
    tokens: int
    heading: str
    heading_tokens: int
    page: int | None
    starts_block: bool


def _units(blocks: list[Block], count_tokens: TokenCounter, max_tokens: int) -> list[_Unit]:
    headings = sorted({b.heading for b in blocks})
    heading_tokens = dict(zip(headings, count_tokens(headings), strict=True))
    block_tokens = count_tokens([b.text for b in blocks])
    # Over-long paragraphs are split into sentences, over-long sentences into word runs.
    pieces: list[tuple[Block, str, bool]] = []
    for block, tokens in zip(blocks, block_tokens, strict=True):
        budget = max(8, max_tokens - heading_tokens[block.heading])
        if tokens <= budget:
            pieces.append((block, block.text, True))
        else:
            for index, sentence in enumerate(split_sentences(block.text)):
                pieces.append((block, sentence, index == 0))
    piece_tokens = count_tokens([text for _, text, _ in pieces])
    units: list[_Unit] = []
    for (block, text, starts_block), tokens in zip(pieces, piece_tokens, strict=True):
        budget = max(8, max_tokens - heading_tokens[block.heading])
        for index, part in enumerate(_split_words(text, tokens, budget)):
            part_tokens = tokens if part is text else count_tokens([part])[0]
            units.append(
                _Unit(
                    part, part_tokens, block.heading, heading_tokens[block.heading],
                    block.page, starts_block and index == 0,
                )
            )
    return units


def _split_words(text: str, tokens: int, budget: int) -> list[str]:
    if tokens <= budget:
        return [text]
    words = text.split()
    parts = max(2, -(-tokens // budget))
    size = -(-len(words) // parts)
    return [" ".join(words[i : i + size]) for i in range(0, len(words), size)]


def _overlap(previous: list[_Unit], overlap_tokens: int, room: int) -> list[_Unit]:
    carried: list[_Unit] = []
    total = 0
    for unit in reversed(previous[1:]):  # never carry the whole previous chunk
        if total + unit.tokens > min(overlap_tokens, room):
            break
        carried.insert(0, unit)
        total += unit.tokens
    return carried


def _join(units: list[_Unit]) -> str:
    text = units[0].text
    for unit in units[1:]:
        text += ("\n\n" if unit.starts_block else " ") + unit.text
    return text

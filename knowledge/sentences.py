"""Sentences and other quotable units of normalised Markdown.

Prose is split into sentences by a real segmenter (abbreviations, decimals,
versions, file names and URLs do not end a sentence); a list item or a table row
is a unit of its own; a code block is one unit that is never split and never
read as prose.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

_FENCE = re.compile(r"^\s*(```+|~~~+)")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)]|[a-zA-Z][.)])\s+")
_HEADING = re.compile(r"^#{1,6}\s+")
_EMPHASIS = re.compile(r"(\*\*|__)(\S(?:.*?\S)?)\1")
_TERMINAL = re.compile(r"[.!?\u2026][\"'\u201d\u2019\u00bb)\]]*$|:$")


# A sentence does not start with these in lower case; a fragment cut mid-sentence
# often does. (A lower-case command name, "zsh is a shell.", is a sentence.)
_CONTINUING_WORDS = frozenset(
    "a an the and or nor but so to of in on at by for from with as that which who whom "
    "whose than then because if when while where into onto over under about after before "
    "is are was were be been being it its this these those order such also".split()
)


@dataclass(frozen=True)
class TextUnit:
    """One quotable piece of a passage, in reading order."""

    text: str  # markers and emphasis removed; code keeps its lines
    kind: str  # "sentence", "item", "row", "code", "heading", "continuation"
    block: int  # which paragraph, list item, table row or code block of the passage
    in_item: bool = False  # part of a list item (an item of several sentences is kind "sentence")

    @property
    def is_code(self) -> bool:
        return self.kind == "code"


def split_sentences(text: str) -> list[str]:
    """Sentences of one paragraph (of normalised text: no line breaks inside).

    >>> split_sentences("Use version 5.9, e.g. from www.zsh.org. Then edit ~/.zshrc. Done!")
    ['Use version 5.9, e.g. from www.zsh.org.', 'Then edit ~/.zshrc.', 'Done!']
    """
    text = " ".join(text.split())
    if not text:
        return []
    return _as_spans(text, [piece.strip() for piece in _segmenter()(text) if piece.strip()])


def _as_spans(text: str, pieces: list[str]) -> list[str]:
    """The segmenter's pieces as exact stretches of the text (its repairs join pieces
    with a space whatever stood there), joined again where no space separated
    them: a boundary inside "changelog.Debian.gz" splits a name, not a sentence.

    >>> _as_spans("See changelog.Debian.gz now.", ["See changelog.", "Debian.gz now."])
    ['See changelog.Debian.gz now.']
    >>> _as_spans("Use `#!/bin/sh' here. Then go.", ["Use `#! /bin/sh' here.", "Then go."])
    ["Use `#!/bin/sh' here.", 'Then go.']
    """
    # The pieces cover the text in order; counted without spaces, they line up exactly.
    solid = [i for i, char in enumerate(text) if not char.isspace()]
    starts = [0]
    consumed = 0
    for piece in pieces[:-1]:
        consumed += sum(not char.isspace() for char in piece)
        if consumed < len(solid) and text[solid[consumed] - 1].isspace():
            starts.append(solid[consumed])  # else no space before it: one sentence goes on
    return [text[a:b].strip() for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


@cache
def _segmenter() -> Callable[[str], list[str]]:
    """sentencex (chosen by `python -m bench.segmenters`: the fastest and, with the
    repairs below, as accurate as any candidate on the gold paragraphs)."""
    import sentencex

    return lambda text: repair_segments(list(sentencex.segment("en", text)))


_MARKER = re.compile(r"^(?:\(?\d{1,3}|[a-zA-Z])[.)](?: ?\))?$|^[-*+\u2022]$")
_TAIL = re.compile(r"^(?:[)\]}\"'\u201d\u2019*]+[.,;:!?]*|\^\[\d+\]|[:;]-?\))$")
_NON_FINAL = re.compile(
    r"(?i)(?:^|[\s(\"'`])(?:e\.g|i\.e|cf|viz|vs|approx|ca|no|nos|fig|figs|ext|tel|vol|pp?"
    r"|sect|ch|eq|n\.b|a\.k\.a|incl|resp|esp)\.$"
)
_TITLE = re.compile(r"(?:^|[\s(\"'`])(?:Dr|Mr|Mrs|Ms|Prof|St|Sr|Jr|Mt|Capt|Lt|Gen|Sgt)\.$")
_AFTER_CLOSE = re.compile(r"(?<=[.!?])[)\]\"\u201d\u2019']+ (?=[A-Z])")


def _open_code(text: str) -> bool:
    """An inline code span (`x` or the `x' of plain-text manuals) is still open at the end."""
    last = text.rfind("`")
    return last >= 0 and text.count("`") % 2 == 1 and "'" not in text[last + 1 :]


def _split_after_close(piece: str) -> list[str]:
    """Split after a bracket or quote that closes a sentence: `(... end.) Next`."""
    pieces, start = [], 0
    for match in _AFTER_CLOSE.finditer(piece):
        head = piece[start : match.end()]
        if head.count("(") == head.count(")") and head.count('"') % 2 == 0 and not _open_code(head):
            pieces.append(piece[start : match.end() - 1])
            start = match.end()
    pieces.append(piece[start:])
    return pieces


def repair_segments(pieces: list[str]) -> list[str]:
    """Repairs for the segmenters' systematic errors: split after a closing
    bracket or quote that ends a sentence; join back a bare list marker ("2.", "3. )")
    to its item, a bare tail (")", "^[3]", ":-)") to its sentence, a piece cut inside an
    inline code span, and a piece cut after a title (Dr.) or a non-final abbreviation
    (e.g., approx., No.) unless the next piece starts with a capital (etc.: lower case)."""
    out: list[str] = []
    for raw in pieces:
        for piece in _split_after_close(raw.strip()):
            if not piece:
                continue
            if out:
                prev, first = out[-1], piece[:1]
                if (
                    _MARKER.match(prev)
                    or _TAIL.match(piece)
                    or _open_code(prev)
                    or _TITLE.search(prev)
                    or (_NON_FINAL.search(prev) and not first.isupper())
                    or (prev.endswith("etc.") and first.islower())
                ):
                    out[-1] = f"{prev} {piece}"
                    continue
            out.append(piece)
    return out


def passage_units(markdown: str) -> list[TextUnit]:
    """The units of a passage (a chunk's normalised Markdown).

    >>> units = passage_units("Keep exits clear. Check daily.\\n\\n- **CO2:** for electrics\\n\\n"
    ...                       "```\\nzle -N run\\n```")
    >>> [(u.kind, u.text) for u in units]
    [('sentence', 'Keep exits clear.'), ('sentence', 'Check daily.'), \
('item', 'CO2: for electrics'), ('code', 'zle -N run')]
    """
    units: list[TextUnit] = []
    block = -1
    code: list[str] | None = None
    previous_blank = True
    for line in markdown.replace("\f", "\n").split("\n"):
        if code is not None:
            if _FENCE.match(line):
                if code:
                    units.append(TextUnit("\n".join(code), "code", block))
                code = None
            else:
                code.append(line)
            continue
        if _FENCE.match(line):
            block += 1
            code = []
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("<!--"):
            previous_blank = True
            continue
        if previous_blank or _LIST_MARKER.match(line) or stripped.startswith("|"):
            block += 1
        previous_blank = False
        if _HEADING.match(stripped):
            units.append(TextUnit(plain(_HEADING.sub("", stripped)), "heading", block))
        elif stripped.startswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if not all(re.fullmatch(r":?-{3,}:?", c) for c in cells if c):
                units.append(TextUnit(" | ".join(plain(c) for c in cells), "row", block))
        elif _LIST_MARKER.match(line):
            item = plain(_LIST_MARKER.sub("", line))
            sentences = [plain(s) for s in split_sentences(item)]
            kind = "item" if len(sentences) <= 1 else "sentence"
            units.extend(TextUnit(s, kind, block, in_item=True) for s in sentences)
        else:
            sentences = [plain(s) for s in split_sentences(plain(stripped))]
            after_code = bool(units) and units[-1].kind == "code"
            for index, sentence in enumerate(sentences):
                # "…you also have [code] to save the buffer.": the text after a code
                # block may finish the sentence before it; alone it is no sentence.
                carries_on = index == 0 and after_code and sentence[:1].islower()
                units.append(TextUnit(sentence, "continuation" if carries_on else "sentence",
                                      block))
    if code:  # a block cut off by the end of the chunk
        units.append(TextUnit("\n".join(code), "code", block))
    return units


def plain(text: str) -> str:
    """Text without Markdown emphasis.

    >>> plain("**Never** use __water__ on *electrics*")
    'Never use water on electrics'
    >>> plain("**Cool the burn for 20 minutes.")
    'Cool the burn for 20 minutes.'
    """
    text = _EMPHASIS.sub(r"\2", text)
    text = re.sub(r"(?<![\w*])\*(\S(?:.*?\S)?)\*(?![\w*])", r"\1", text)
    # Bold cut in two by a chunk or sentence boundary leaves a lone "**" behind.
    return re.sub(r"^\*\*\s*|\s*\*\*$", "", text.strip())


def is_complete_sentence(text: str) -> bool:
    """A sentence a learner can read on its own: it starts like a sentence, ends like
    one and has a few words. Fragments cut at a line break or a lone heading are not.

    >>> is_complete_sentence("Cool the burn for 20 minutes.")
    True
    >>> is_complete_sentence("order to iterate over."), is_complete_sentence("Burns and scalds")
    (False, False)
    """
    words = text.split()
    if len(words) < 3 or not _TERMINAL.search(text):
        return False
    first = words[0].lstrip("\"'\u201c\u2018([*_")
    return not first[:1].islower() or first.lower() not in _CONTINUING_WORDS


_LEAD_IN = re.compile(r":$|\b(?:the following|as follows|here are|these are)\b", re.IGNORECASE)


def is_lead_in(text: str) -> bool:
    """A sentence that introduces what comes after it: a list, a table or code.

    >>> is_lead_in("Check the following:"), is_lead_in("Here are some things zsh is good at.")
    (True, True)
    >>> is_lead_in("Cool the burn for 20 minutes.")
    False
    """
    return bool(_LEAD_IN.search(text.rstrip()))

"""Text as it really comes, made regular before chunking.

Every reader's output (Markdown files, plain text, PDF extractions, HTML, Word
and slides turned into Markdown) becomes one normalised Markdown in which

- a paragraph is one line: hard-wrapped lines are joined, words hyphenated at a
  line end made whole, URLs broken over lines rejoined;
- literal and code blocks (Markdown fences, indented blocks, reStructuredText
  ``::`` blocks, ``>>>`` sessions) are fenced with ``` and kept verbatim;
- list items and table rows stay one item, one row per line;
- headings are ``#`` headings, whether the source wrote them as ``#``, as an
  underlined line, or as a numbered title ("2.1 Sources of information");
- PDF pages stay separated by form feeds, slides by their number comments.

The chunker and the sentence splitter read only this form.
"""

from __future__ import annotations

import itertools
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from knowledge.pdf_text import remove_page_furniture
from knowledge.reflow import (
    Vocabulary,
    continues,
    ends_sentence,
    flatten,
    join_lines,
    join_two,
)

# When the output of `normalize` changes, bump knowledge.ingest.CHUNKING_VERSION:
# documents made by an older version are then normalised and chunked again.


class SourceKind(StrEnum):
    MARKDOWN = "markdown"  # .md files, and HTML and Word as converted to Markdown
    TEXT = "text"  # plain text and reStructuredText-like files, hard-wrapped
    PDF = "pdf"  # pdfminer's text: wrapped lines, hyphenation, page furniture
    SLIDES = "slides"  # PowerPoint as Markdown: every line of a slide is one item


_FENCE = re.compile(r"^\s*(```+|~~~+)")
_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_UNDERLINE = re.compile(r"^\s*([=\-~^*+#`'\"])\1{2,}\s*$")
_MARKER = re.compile(r"^<!--.*-->$")
_LIST_ITEM = re.compile(r"^(\s*)([-*+•▪‣◦]|\(?(?:\d{1,3}|[a-zA-Z])(?:\.\s?\)|[.)]))\s+(\S.*)$")
_BULLETS = "-*+•▪‣◦o"
# Plain text also bullets with a lone "o" (as Usenet FAQs and YODL do).
_PLAIN_ITEM = re.compile(r"^(\s*)([-*+•▪‣◦o]|\(?(?:\d{1,3}|[a-zA-Z])(?:\.\s?\)|[.)]))\s+(\S.*)$")
_TABLE_ROW = re.compile(r"^\s*(?:\|.*\||\+[-=+]+\+)\s*$")
_NUMBERED_TITLE = re.compile(
    r"^(?:(chapter|part|appendix|section)\s+)?(\d+(?:\.\d+)*[.:)]?|[IVXLC]+[.:)])\s+(\S.{0,98})$",
    re.IGNORECASE,
)
_CHAPTER_ALONE = re.compile(r"^(chapter|part|appendix)\s+[\dIVXLC]+$", re.IGNORECASE)


@dataclass
class TextBlock:
    kind: str  # "heading", "paragraph", "list", "code", "table", "marker"
    lines: list[str] = field(default_factory=list)
    level: int = 0  # headings: 1 for "#"
    last_width: int = 0  # length of the last source line: a full line runs on
    def render(self) -> str:
        if self.kind == "heading":
            return f"{'#' * self.level} {self.lines[0]}"
        if self.kind == "code":
            return "\n".join(["```", *self.lines, "```"])
        return "\n".join(self.lines)


def normalize(text: str, kind: SourceKind) -> str:
    """The normalised Markdown of a document's text.

    >>> print(normalize("Keep exits\\nclear.\\n\\n    $ ls -l\\n\\nDone.", SourceKind.TEXT), end="")
    Keep exits clear.
    <BLANKLINE>
    ```
    $ ls -l
    ```
    <BLANKLINE>
    Done.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00ad", "").replace("\xa0", " ")
    if kind is SourceKind.PDF:
        # LaTeX's opening quote comes out of pdfminer as a lone combining grave accent.
        text = re.sub(r"(?<=\s)\u0300", "\u2018", remove_page_furniture(text))
    vocabulary = Vocabulary(text)
    lines = flatten(text.split("\n"))
    parser = _Parser(kind, vocabulary, _paragraph_indent(lines) if kind is SourceKind.TEXT else 0)
    blocks = list(parser.blocks(lines))
    if kind is SourceKind.PDF:
        blocks = _rejoin_broken_paragraphs(blocks, vocabulary, _wrap_width(lines))
    blocks = _merge_chapter_titles(_merge_lists(blocks))
    return "\n\n".join(block.render() for block in blocks if block.lines).strip() + "\n"


class _Parser:
    """Lines to blocks. Groups of lines between blank lines are read one at a time;
    what a group is depends on its first line, its indentation and the kind of source."""

    def __init__(self, kind: SourceKind, vocabulary: Vocabulary, prose_indent: int) -> None:
        self.kind = kind
        self.vocabulary = vocabulary
        self.plain = kind in (SourceKind.TEXT, SourceKind.PDF)
        self.prose_indent = prose_indent  # where this document's paragraphs start
        self.after_list = False
        self.after_chapter = False  # the last block was a bare "Chapter N"
        self.literal_next = False  # the last paragraph ended with "::"
        self.underlines: list[str] = []  # reStructuredText: levels in order of first use
        self.numbered_depth = 0  # level of the last numbered heading

    def blocks(self, lines: list[str]) -> Iterator[TextBlock]:
        groups = list(_groups(lines))
        if self.kind is not SourceKind.PDF:  # in PDF text "# apt-get …" is a root prompt
            groups = [part for group in groups for part in _split_at_headings(group)]
        for index, group in enumerate(groups):
            following = next((g for g in groups[index + 1:] if g != ["\f"]), [])
            yield from self._group(group, following)

    def _group(self, group: list[str], following: list[str]) -> Iterator[TextBlock]:
        for block in self._read_group(group, following):
            self.after_list = block.kind == "list"
            yield block

    def _read_group(self, group: list[str], following: list[str]) -> Iterator[TextBlock]:
        first = group[0].strip()
        if group[0] == "\f" or _MARKER.match(first):
            yield TextBlock("marker", [first or "\f"])
            return
        indent = min(_indent(line) for line in group if line.strip())
        if _FENCE.match(group[0]):
            yield TextBlock("code", _dedent(group[1:-1] if _FENCE.match(group[-1]) else group[1:]))
            return
        if self._is_literal(group, indent):
            self.literal_next = False
            yield TextBlock("code", _dedent(group))
            return
        self.literal_next = False
        if heading := self._heading(group, following):
            yield heading
            return
        yield from self._mixed(group)

    def _is_literal(self, group: list[str], indent: int) -> bool:
        if self.kind in (SourceKind.PDF, SourceKind.SLIDES):
            return False  # PDF text carries no indentation; slide lines are items
        if self.plain and group[0].lstrip().startswith(">>>"):
            return True
        if self.literal_next and indent > self.prose_indent:
            return True
        if self._list_item(group[0]) and (self.after_list or indent < self.prose_indent + 4):
            return False
        return indent >= self.prose_indent + 4 or (self.plain and _nested_code(group))

    def _heading(self, group: list[str], following: list[str]) -> TextBlock | None:
        lines = [line.strip() for line in group]
        if len(lines) in (2, 3) and _UNDERLINE.match(lines[-1]) and not self._list_item(group[0]):
            title = lines[-2]
            if len(lines) == 3 and not _UNDERLINE.match(lines[0]):
                return None
            if len(lines[-1]) >= 0.6 * len(title) and not _UNDERLINE.match(title):
                return self._underlined(title, lines[-1][0] + ("o" if len(lines) == 3 else ""))
        if self.kind is not SourceKind.PDF and (atx := _ATX.match(group[0])):
            if len(lines) == 1:
                return TextBlock("heading", [_clean_title(atx.group(2))], len(atx.group(1)))
            return None
        if self.plain and len(lines) <= 3:
            return self._plain_title(lines, following)
        return None

    def _underlined(self, title: str, style: str) -> TextBlock:
        if style not in self.underlines:
            self.underlines.append(style)
        return TextBlock("heading", [_clean_title(title)], min(6, self.underlines.index(style) + 1))

    def _plain_title(self, lines: list[str], following: list[str]) -> TextBlock | None:
        """A group of plain text that reads as a title: numbered ("2.1 Where do I get
        it?", wrapped over up to three lines in a PDF), a "Chapter N" line and the title
        under it, or a short unpunctuated line over a paragraph."""
        title = join_lines(lines, self.vocabulary)
        after_chapter, self.after_chapter = self.after_chapter, False
        if after_chapter and len(title) <= 120 and not re.search(r"[.;,]$", title):
            return TextBlock("heading", [_clean_title(title)], 1)
        if len(title) > 250 or (self._list_item(lines[0]) and not _NUMBERED_TITLE.match(title)):
            return None
        if len(lines) == 1 and _CHAPTER_ALONE.match(title):
            self.numbered_depth = 1
            self.after_chapter = True
            return TextBlock("heading", [title], 1)
        numbered = _NUMBERED_TITLE.match(lines[0])
        if (numbered and numbered.group(3)[0].isupper() and not re.search(r"[.;,:]$", title)
                and (len(lines) == 1 or self._is_prose(following))):
            depth = 1 if numbered.group(1) else numbered.group(2).count(".") + 1
            self.numbered_depth = depth
            return TextBlock("heading", [_clean_title(title)], min(6, depth))
        if len(lines) == 1 and _looks_like_title(title) and self._is_prose(following):
            return TextBlock("heading", [_clean_title(title)], min(6, self.numbered_depth + 1))
        return None

    def _is_prose(self, group: list[str]) -> bool:
        """A paragraph (not code, not a list) that ends like one."""
        return (bool(group) and not self._list_item(group[0]) and not _FENCE.match(group[0])
                and group[0].strip()[:1].isupper()
                and min(_indent(line) for line in group) < self.prose_indent + 4
                and bool(re.search(r"[.!?:]$", group[-1].strip())))

    def _mixed(self, group: list[str]) -> Iterator[TextBlock]:
        """A group holding a paragraph, list items and table rows in any order."""
        paragraph: list[str] = []
        items: list[list[str]] = []  # each item: its marker line, then continuation lines
        rows: list[str] = []
        item_indent: list[int] = []

        def flush_paragraph() -> Iterator[TextBlock]:
            if paragraph:
                text = join_lines(paragraph, self.vocabulary)
                self.literal_next = text.endswith("::")
                yield TextBlock("paragraph", [_literal_colon(text)],
                                last_width=len(paragraph[-1].strip()))
                paragraph.clear()

        def flush_items() -> Iterator[TextBlock]:
            if items:
                base = min(item_indent)
                nested = not self.plain  # plain text indents continuation lines at will
                yield TextBlock("list", [
                    " " * (2 * min(3, (indent - base) // 2) * nested) + self._item(item)
                    for item, indent in zip(items, item_indent, strict=True)
                ], last_width=len(items[-1][-1].strip()))
                items.clear()
                item_indent.clear()

        def flush_rows() -> Iterator[TextBlock]:
            if rows:
                yield TextBlock("table", [row.strip() for row in rows])
                rows.clear()

        for position, line in enumerate(group):
            if _TABLE_ROW.match(line):
                yield from flush_paragraph()
                yield from flush_items()
                rows.append(line)
                continue
            yield from flush_rows()
            item = self._list_item(line)
            starts_item = item and (
                (self.kind is not SourceKind.PDF and not self.plain) or position == 0 or items
                or (paragraph and paragraph[-1].rstrip().endswith(":"))
                or item.group(2) in _BULLETS
            )
            if self.kind is SourceKind.SLIDES and not starts_item:
                yield from flush_paragraph()
                items.append([f"- {line.strip()}"])
                item_indent.append(0)
            elif starts_item:
                yield from flush_paragraph()
                items.append([line])
                item_indent.append(len(item.group(1)))
            elif items:
                items[-1].append(line)
            else:
                paragraph.append(line)
        yield from flush_paragraph()
        yield from flush_items()
        yield from flush_rows()

    def _list_item(self, line: str) -> re.Match[str] | None:
        return (_PLAIN_ITEM if self.plain else _LIST_ITEM).match(line)

    def _item(self, lines: list[str]) -> str:
        """One list item on one line, its marker made Markdown ("•" becomes "-")."""
        match = self._list_item(lines[0])
        assert match is not None
        marker = match.group(2)
        if marker in _BULLETS:
            marker = "-"
        elif not marker.startswith("-"):
            marker = re.sub(r"[\s(]", "", marker).rstrip(")").rstrip(".") + "."
        body = join_lines([match.group(3), *lines[1:]], self.vocabulary)
        return f"{marker} {body}"


def _groups(lines: list[str]) -> Iterator[list[str]]:
    """Runs of non-blank lines. A fenced block is one group, blank lines and all;
    a form feed is a group of its own."""
    group: list[str] = []
    fence: str | None = None
    for line in lines:
        if fence is not None:
            group.append(line)
            if line.strip().startswith(fence):
                yield group
                group, fence = [], None
            continue
        if "\f" in line:
            before, _, after = line.partition("\f")
            if before.strip():
                group.append(before)
            if group:
                yield group
            yield ["\f"]
            group = []
            for rest in _split_form_feeds(after):
                if rest == "\f":
                    if group:
                        yield group
                    yield ["\f"]
                    group = []
                elif rest.strip():
                    group.append(rest)
            continue
        if opening := _FENCE.match(line):
            if group:
                yield group
            group, fence = [line], opening.group(1)
            continue
        if not line.strip():
            if group:
                yield group
            group = []
            continue
        group.append(line)
    if group:
        yield group


def _split_at_headings(group: list[str]) -> list[list[str]]:
    """A "#" heading or a slide marker ends the group before it and stands alone
    (Markdown needs no blank line around a heading).

    >>> _split_at_headings(["<!-- Slide number: 1 -->", "# Labels", "Read them"])
    [['<!-- Slide number: 1 -->'], ['# Labels'], ['Read them']]
    """
    if _FENCE.match(group[0]):
        return [group]
    parts: list[list[str]] = []
    for line in group:
        if _ATX.match(line) or _MARKER.match(line.strip()):
            parts += [[line], []]
        else:
            if not parts:
                parts.append([])
            parts[-1].append(line)
    return [part for part in parts if part]


def _split_form_feeds(text: str) -> list[str]:
    parts: list[str] = []
    for index, part in enumerate(text.split("\f")):
        if index:
            parts.append("\f")
        parts.append(part)
    return parts


def _rejoin_broken_paragraphs(
    blocks: list[TextBlock], vocabulary: Vocabulary, wrap_width: int
) -> list[TextBlock]:
    """A PDF paragraph cut by a page break or split into two layout boxes becomes one
    again, as does a heading wrapped onto a second line; the page break moves after
    it (a paragraph belongs to the page it starts on)."""
    result: list[TextBlock] = []
    held: list[TextBlock] = []  # page breaks met since the last text block
    for block in blocks:
        if block.kind == "marker":
            held.append(block)
            continue
        previous = result[-1] if result else None
        if previous is not None and block.kind == "paragraph" and _runs_on(
                previous, block.lines[0], wrap_width):
            previous.lines[-1] = join_two(previous.lines[-1], block.lines[0], vocabulary)
            previous.last_width = block.last_width
            continue
        result.extend(held)
        held.clear()
        result.append(block)
    result.extend(held)
    return result


def _runs_on(previous: TextBlock, following: str, wrap_width: int) -> bool:
    """Whether `following` is the rest of `previous`: it carries on an unfinished
    sentence, or `previous` stopped unpunctuated on a full-width line."""
    text = previous.lines[-1]
    if previous.kind == "heading":
        return (not ends_sentence(text) and following[:1].islower()
                and len(following.split()) <= 8)
    if previous.kind not in ("paragraph", "list"):
        return False
    if continues(text, following):
        return True
    return (not ends_sentence(text) and previous.last_width >= 0.85 * wrap_width
            and following[:1].isupper())


def _wrap_width(lines: list[str]) -> int:
    """The width text is wrapped at: the 90th percentile of line lengths.

    >>> _wrap_width(["x" * n for n in range(1, 101)])
    90
    """
    widths = sorted(len(line.strip()) for line in lines if line.strip())
    return widths[int(0.9 * (len(widths) - 1))] if widths else 0


def _looks_like_title(line: str) -> bool:
    """A short line that reads as a title: capitalised, unpunctuated, and either at
    most three words or mostly capitalised words (sentence fragments are not).

    >>> _looks_like_title("Forklift and Pedestrian Safety"), _looks_like_title("Abstract")
    (True, True)
    >>> _looks_like_title("Another method is to put"), _looks_like_title("Stop the truck.")
    (False, False)
    """
    words = line.split()
    if not words or len(words) > 8 or not line[0].isupper() or re.search(r"[.;,!:]$", line):
        return False
    if ":" in line:
        return False
    long_words = [w for w in words if len(w) >= 4]
    capitalised = sum(w[0].isupper() for w in long_words)
    return len(words) <= 3 or capitalised > len(long_words) / 2


def _merge_chapter_titles(blocks: list[TextBlock]) -> list[TextBlock]:
    """"Chapter 1" on a line of its own, then its title: one heading.

    >>> blocks = [TextBlock("heading", ["Chapter 1"], 1), TextBlock("heading", ["Overview"], 2)]
    >>> [b.render() for b in _merge_chapter_titles(blocks)]
    ['# Chapter 1: Overview']
    """
    merged: list[TextBlock] = []
    for block in blocks:
        previous = merged[-1] if merged else None
        if (previous is not None and previous.kind == block.kind == "heading"
                and _CHAPTER_ALONE.match(previous.lines[0])):
            previous.lines[0] = f"{previous.lines[0]}: {block.lines[0]}"
            continue
        merged.append(block)
    return merged


def _merge_lists(blocks: list[TextBlock]) -> list[TextBlock]:
    """Items written with blank lines between them are still one list."""
    merged: list[TextBlock] = []
    for block in blocks:
        if block.kind == "list" and merged and merged[-1].kind == "list":
            merged[-1].lines.extend(block.lines)
        else:
            merged.append(block)
    return merged


def _paragraph_indent(lines: list[str]) -> int:
    """Where this text's paragraphs start: the most common indentation of the first
    line of multi-line groups that end like prose (code is indented further).

    >>> _paragraph_indent(["    One two", "    three.", "", "        code", "        more"])
    4
    """
    starts: list[int] = []
    for group in _groups(lines):
        if len(group) > 1 and group[0] != "\f" and re.search(r"[.!?:]$", group[-1]):
            starts.append(_indent(group[0]))
    return max(set(starts), key=starts.count) if starts else 0


_CODE_SYMBOLS = re.compile(r"[{}\[\]();=$|&<>\\]")


def _nested_code(group: list[str]) -> bool:
    """Code at the indentation of the prose around it, told by its shape: the lines
    under the first step in and out (a wrapped paragraph's lines all share one
    indentation), and it does not end like a sentence or is dense with symbols.

    >>> _nested_code(["  chpwd() {", "    [[ -t 1 ]] || return", "    case $TERM in",
    ...               "      xterm) print -Pn '%~' ;;", "    esac", "  }"])
    True
    >>> _nested_code(["  Use the special function chpwd,", "  which is called when the",
    ...               "  directory changes."])
    False
    >>> _nested_code(["The guide is at the web site:", "  https://zsh.sourceforge.io/Guide/",
    ...               "  and in the manual."])
    False
    """
    lines = [line for line in group if line.strip()]
    indents = [_indent(line) for line in lines]
    under = indents[1:]
    steps_out = any(b < a for a, b in itertools.pairwise(under))
    if len(lines) < 3 or not steps_out or min(under) < indents[0]:
        return False
    text = "".join("".join(line.split()) for line in lines)
    symbols = len(_CODE_SYMBOLS.findall(text)) / max(1, len(text))
    return symbols >= 0.04 or not re.search(r"[.!?:]$", lines[-1].strip())


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _dedent(lines: list[str]) -> list[str]:
    return textwrap.dedent("\n".join(lines)).strip("\n").split("\n")


def _clean_title(text: str) -> str:
    """A heading without Markdown emphasis or a trailing colon (code marks stay).

    >>> _clean_title("**Fire** _doors_ and ALL_EXPORT:")
    'Fire doors and ALL_EXPORT'
    """
    text = re.sub(r"(\*\*|__|\*|\b_)(\S(?:.*?\S)?)\1(?!\w)", r"\2", text)
    return " ".join(text.split()).rstrip(":").strip()


def _literal_colon(text: str) -> str:
    """reStructuredText's "Example::" reads "Example:" once the block below is fenced."""
    return text[:-1] if text.endswith("::") else text


def source_kind(suffix: str) -> SourceKind:
    """
    >>> source_kind(".txt"), source_kind(".pptx")
    (<SourceKind.TEXT: 'text'>, <SourceKind.SLIDES: 'slides'>)
    """
    return {".txt": SourceKind.TEXT, ".rst": SourceKind.TEXT, ".pdf": SourceKind.PDF,
            ".pptx": SourceKind.SLIDES}.get(suffix.lower(), SourceKind.MARKDOWN)

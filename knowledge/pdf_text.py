"""Page furniture out of PDF text: running headers and footers, page numbers and
table-of-contents lines, which pdfminer extracts among the body text.

A running header such as "CHAPTER 1. DEFINITIONS AND OVERVIEW" lands in the
middle of a paragraph that crosses the page; left in, it splits a sentence in
two and is quoted as if it were material.
"""

from __future__ import annotations

import re

EDGE_LINES = 3  # furniture sits in the first or last few lines of a page
_TOC_LINE = re.compile(r"(?:\.\s*){4,}\d*\s*$")  # "1.2 Scope . . . . . 4"
TOC_PAGE_SHARE = 0.3  # a page this full of dot leaders is a table of contents
_PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?(?:#+|[ivxlcdm]+)(?:\s*(?:of|/)\s*#+)?$|^[-\u2013\u2014]\s*#+\s*[-\u2013\u2014]$"
)
_RUNNING_HEAD = re.compile(r"^(?:(?:chapter|section|part|appendix)\s+)?[\divxlc]+(?:\.\d+)*\.?\s")


def _key(line: str) -> str:
    """A line as furniture is compared: case, spacing and numbers ignored."""
    return re.sub(r"\d+", "#", " ".join(line.lower().split()))


def _edges(lines: list[str]) -> set[int]:
    """Indexes of the first and last few non-blank lines of a page."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return set(filled[:EDGE_LINES] + filled[-EDGE_LINES:])


def _is_running_head(line: str) -> bool:
    """An upper-case section title repeated at a page top: numbered, or cut short.

    >>> _is_running_head("1.3. OK, NOW I KNOW WHAT DEBIAN IS... …")
    True
    >>> _is_running_head("DO NOT OPERATE WITHOUT GUARDS.")
    False
    """
    letters = [c for c in line if c.isalpha()]
    if len(letters) < 3 or sum(c.isupper() for c in letters) < 0.9 * len(letters):
        return False
    return bool(_RUNNING_HEAD.match(line.lower())) or line.rstrip().endswith(("\u2026", "..."))


def _repeated_edge_lines(pages: list[list[str]]) -> set[str]:
    """Keys of lines at page edges that repeat like a running header: on two pages
    in five, or on three pages in a row (a chapter's own running title). A chapter
    heading ("Chapter 3") starts a few pages, far apart: it stays."""
    seen_on: dict[str, list[int]] = {}
    for number, lines in enumerate(pages):
        for key in {_key(lines[i]) for i in _edges(lines)}:
            seen_on.setdefault(key, []).append(number)
    repeated = set()
    for key, numbers in seen_on.items():
        in_a_row = any(numbers[i + 2] - numbers[i] == 2 for i in range(len(numbers) - 2))
        if len(numbers) >= max(3, 0.4 * len(pages)) or in_a_row:
            repeated.add(key)
    return repeated


def _is_contents_page(lines: list[str]) -> bool:
    filled = [line for line in lines if line.strip()]
    leaders = sum(bool(_TOC_LINE.search(line.strip())) for line in filled)
    return bool(filled) and leaders >= 3 and leaders >= TOC_PAGE_SHARE * len(filled)


def remove_page_furniture(text: str) -> str:
    """PDF text without headers, footers, page numbers and contents lines; pages
    stay separated by form feeds.

    >>> pages = [f"Annual report 2024\\nBody of page {n}.\\n{n}" for n in range(1, 5)]
    >>> remove_page_furniture("\\f".join(pages)).split("\\f")[1]
    '\\nBody of page 2.\\n'
    """
    pages = [page.split("\n") for page in text.split("\f")]
    repeated = _repeated_edge_lines(pages)
    cleaned = []
    for number, lines in enumerate(pages):
        if _is_contents_page(lines):
            cleaned.append("")
            continue
        edges = _edges(lines)
        top = sorted(edges)[:2]
        kept = [
            line for i, line in enumerate(lines)
            if not _TOC_LINE.search(line.strip())
            and not (i in edges and (_PAGE_NUMBER.match(_key(line)) or (
                _key(line) in repeated and not re.search(r"[.!?]$", line.strip()))))
            and not (number and i in top and _is_running_head(line.strip()))
        ]
        cleaned.append("\n".join(kept).strip("\n"))
    return "\n\f\n".join(cleaned)

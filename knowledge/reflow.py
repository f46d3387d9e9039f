"""Join hard-wrapped lines back into the paragraph they were cut from.

Text files, e-mails and PDF extractions break paragraphs every 70-100 columns,
break words at a hyphen, and break URLs wherever the line ran out. A sentence
cut in two is useless to quote and poor to embed, so lines are rejoined here,
with the judgement a reader would use: "de-\\nveloped" is one word,
"non-\\nfree" keeps its hyphen when the document writes "non-free" elsewhere,
and "https://www.\\ndebian.org/" is one address.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_WORD_BEFORE_HYPHEN = re.compile(r"([A-Za-z]+)-$")
_WORD_AFTER = re.compile(r"^([a-z]+)")
_URL_AT_END = re.compile(r"(?:https?://|ftp://|www\.)[^\s()<>]*$")
_WORDS = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")


class Vocabulary:
    """The words of one document, to decide line-end hyphens by how the document
    itself spells them elsewhere."""

    def __init__(self, text: str) -> None:
        self.words: set[str] = set()
        self.hyphenated: set[str] = set()
        for line in text.splitlines():
            body = line.rstrip()
            if body.endswith("-"):  # a line-end hyphen says nothing about spelling
                body = body[: -len(body.split()[-1])] if body.split() else ""
            for word in _WORDS.findall(body.lower()):
                if "-" in word:
                    self.hyphenated.add(word)
                    self.words.update(word.split("-"))
                else:
                    self.words.add(word)


def join_hyphenated(head: str, tail: str, vocabulary: Vocabulary | None = None) -> str:
    """Join a word broken at a line-end hyphen, keeping the hyphen only where it
    belongs to the word.

    >>> join_hyphenated("de-", "veloped")
    'developed'
    >>> join_hyphenated("non-", "free", Vocabulary("Debian is non-free and free."))
    'non-free'
    >>> join_hyphenated("GNU/Linux-", "based")  # a capitalised part: a compound
    'GNU/Linux-based'
    >>> join_hyphenated("De-", "bian", Vocabulary("Debian is free."))
    'Debian'
    """
    stem = head[:-1]
    joined, hyphenated = f"{stem}{tail}", f"{head}{tail}"
    stem_word = _WORD_BEFORE_HYPHEN.search(head)
    tail_word = _WORD_AFTER.match(tail)
    if not stem_word or not tail_word:
        return hyphenated
    stem = stem_word.group(1)
    if vocabulary is not None:
        whole = (stem + tail_word.group(1)).lower()
        if whole in vocabulary.words and (stem.islower() or stem.istitle()):
            return joined  # "De-" "bian" where the document writes "Debian"
        if f"{stem}-{tail_word.group(1)}".lower() in vocabulary.hyphenated:
            return hyphenated
    return joined if stem.islower() else hyphenated


def join_lines(lines: Sequence[str], vocabulary: Vocabulary | None = None) -> str:
    """One paragraph from its wrapped lines: single spaces, words and URLs made whole.

    >>> join_lines(["Keep the exits", "  clear at all", "times."])
    'Keep the exits clear at all times.'
    >>> join_lines(["see https://www.", "debian.org/social_contract for the", "con-", "tract."])
    'see https://www.debian.org/social_contract for the contract.'
    """
    text = ""
    for raw in lines:
        line = " ".join(raw.split())
        if line:
            text = join_two(text, line, vocabulary) if text else line
    return text


def join_two(text: str, line: str, vocabulary: Vocabulary | None = None) -> str:
    """`text` followed by the next line of its paragraph.

    >>> join_two("see https://www.gnu.org", "/software/hurd for more")
    'see https://www.gnu.org/software/hurd for more'
    >>> join_two("at https://example.org/.", "Then stop.")
    'at https://example.org/. Then stop.'
    """
    if text.endswith("-") and not text.endswith((" -", "--")) and line[0].isalpha():
        head, _, broken = text.rpartition(" ")
        first, _, rest = line.partition(" ")
        return " ".join(part for part in (head, join_hyphenated(broken, first, vocabulary), rest)
                        if part)
    if continues_url(text, line):
        return text + line
    return f"{text} {line}"


def continues_url(text: str, line: str) -> bool:
    """Whether `line` is the rest of an address that `text` ends with.

    >>> continues_url("(https://www.", "debian.org/)"), continues_url("see www.gnu.org.", "Then")
    (True, False)
    """
    if not line or not _URL_AT_END.search(text):
        return False
    if line[0] in "/#?&=":
        return True
    if text[-1] in "/-_~=&?#":
        return not line[0].isspace()
    return text[-1] == "." and (line[0].islower() or line[0].isdigit())


def ends_sentence(text: str) -> bool:
    """Whether a block of text ends where a sentence may end (used to rejoin a
    paragraph that a page break or a PDF layout box cut in two).

    >>> ends_sentence("on top of the GNU Mach microkernel."), ends_sentence("build the")
    (True, False)
    """
    return bool(re.search(r"[.!?:;][\"'\u201d\u2019\u00bb)\]]*\s*$", text))


_BRIDGE_WORDS = frozenset(
    "a an the of to and or nor but in on at by for from with as into than that which "
    "who whose is are was were be been its their our your his her this these those".split()
)


def continues(previous: str, following: str) -> bool:
    """Whether `following` carries on the sentence that `previous` left unfinished:
    the first ends mid-sentence and the second starts in lower case, or the first
    ends on a word no sentence ends with.

    >>> continues("Together they build the", "base for the GNU system.")
    True
    >>> continues("developed by the GNU project and the", "Free Software Foundation.")
    True
    >>> continues("Safety rules", "Wear a hard hat.")
    False
    """
    if not previous or not following:
        return False
    if continues_url(previous, following):
        return True
    if previous.endswith(":"):
        return following[0].islower()  # "If stability is required:" / "install stable."
    if ends_sentence(previous):
        return False
    last_word = previous.rsplit(None, 1)[-1].lower()
    return following[0].islower() or last_word in _BRIDGE_WORDS


def flatten(lines: Iterable[str]) -> list[str]:
    """Lines with trailing whitespace removed and tabs expanded (indentation counts).

    >>> flatten(["\\tcode  ", "text"])
    ['        code', 'text']
    """
    return [line.expandtabs(8).rstrip(" \t\v\xa0") for line in lines]

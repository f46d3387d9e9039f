"""What a typed answer commits to. Naming every candidate ("water, foam, CO2,
powder"), hedging between two ("CO2 or foam"), copying the question, or burying
the answer among other facts shows no knowledge of which one is right, however
many of the answer's words it holds.

A response is read as items, split where a list or a hedge splits (commas, "or",
"and", "/", sentence ends, "maybe"). An item that gives a reason ("because it
conducts"), says what is not ("not water") or describes the one before it
("CO2 (black band)") is no candidate. Of the rest, an item holding a part of the
reference answer is a hit, and one holding words that neither the answer nor
the question says is another candidate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tutor.answers.claims import NEGATIONS
from tutor.answers.terms import content_words, stem, tokens
from tutor.quiz.generate import BLANK

# Where a list or a hedge splits a response: the separator is kept, as it says how
# the item after it stands to the one before ("(" describes, "or" hedges). "CO2/foam"
# is two items; "/etc/kbd/config" and "and/or" are not.
_SPLIT = re.compile(
    r"\s*([,;\n()\[\]:+&/]|[.!?](?=\s|$)|"
    r"\s[-\u2013\u2014]+\s|\b(?:and/or|as well as|or else|or|and|nor|plus|also|but|maybe|"
    r"perhaps|possibly|probably|either|otherwise)\b|(?=\b(?:because|since|whereas|so that|"
    r"as it|as they|which)\b))\s*", re.I)
_DANGLING = re.compile(r"(?:\s*(?:[,;:(\-/]|\b(?:and|or|but|nor|maybe|perhaps|possibly|"
                       r"probably|either|also|plus)\b))+\s*$", re.I)
_PATH = re.compile(r"(?<!\S)(?:[~.]?/\S*|\S*/\S*/\S*)")  # a path's slashes split nothing
_ENDS = frozenset(".!?;\n")  # where a reason or a contrast stops
_LISTING = frozenset(("or", "and", "and/or", "nor", "plus", "also", "but", "maybe", "perhaps",
                      "possibly", "probably", "either", "otherwise", "or else", "as well as",
                      "&", "+", ","))
_GLOSSES = frozenset(":-")  # the last item after a colon or a dash may describe the one before
# An item that starts so explains or qualifies; it names no candidate.
_REASONS = frozenset(
    "because since as so for which that who whose it its it's they this these those there "
    "to when whenever if unless otherwise due thus hence therefore e.g eg i.e ie such like "
    "only especially mainly usually ideally preferably then".split())
# Words a learner wraps an answer in ("I think", "the answer is").
_WRAPPING = frozenset(stem(word) for word in
                      "i i'm im think guess believ believe sure pretty definitely answer option "
                      "correct probably".split())


@dataclass(frozen=True)
class Item:
    text: str
    joined: tuple[str, ...]  # the separators before it: (), (",",), ("(", "or"), (".",) …
    start: int  # where it stands in the response

    @property
    def aside(self) -> bool:
        """In brackets, as a description ("CO2 (black band)"), not a hedge ("(or foam)")."""
        return "(" in self.joined and not _LISTING & set(self.joined)

    @property
    def new_sentence(self) -> bool:
        return bool(_ENDS & set(self.joined))


def items(text: str) -> list[Item]:
    """A response cut where a list or a hedge cuts it; empty items dropped.

    >>> [(i.text, i.joined) for i in items("water, foam or CO2 (black band)")]
    [('water', ()), ('foam', (',',)), ('CO2', ('or',)), ('black band', ('(',))]
    >>> [i.text for i in items("either CO2/foam, maybe powder; see /etc/kbd/config")]
    ['CO2', 'foam', 'powder', 'see /etc/kbd/config']
    """
    found: list[Item] = []
    joined: list[str] = []
    at, masked = 0, _PATH.sub(lambda path: path.group().replace("/", "\0"), text)
    for cut in [*_SPLIT.finditer(masked), None]:
        end = cut.start() if cut else len(text)
        part = masked[at:end]
        if part.strip(" \"'`*"):
            start = at + len(part) - len(part.lstrip(" \"'`*"))
            found.append(Item(part.strip(" \"'`*").replace("\0", "/"), tuple(joined), start))
            joined = []
        if cut:
            raw = cut.group(1)  # empty before "because": a clause, not a new sentence
            mark = raw.strip().lower() or ("\n" if "\n" in raw else "~")
            joined.append("-" if mark[0] in "-\u2013\u2014" else mark)
            at = cut.end()
    return found


@dataclass(frozen=True)
class Reading:
    hits: int  # items that give (a part of) the answer
    others: tuple[str, ...]  # the other candidates named, each once
    claim: str  # the response up to the first reason it gives, the part a rule is read in


def candidates(answer: str, response: str, question: str = "") -> Reading:
    """The answer's parts and the other candidates a response names.

    >>> candidates("CO2", "water, foam, CO2, powder").others
    ('water', 'foam', 'powder')
    >>> candidates("hard hat", "hard hat or safety boots or gloves or goggles").others
    ('safety boots', 'gloves', 'goggles')
    >>> candidates("CO2", "the CO2 one, because water conducts and foam does too")
    Reading(hits=1, others=(), claim='the CO2 one')
    >>> candidates("CO2", "CO2 (black band), not water or foam")
    Reading(hits=1, others=(), claim='CO2 (black band)')
    >>> candidates("gnash and swfdec", "swfdec, gnash").hits
    2
    """
    asked = content_words(question)
    parts = [key for item in items(answer) if (key := _key(item.text, asked))]
    known = content_words(answer) | asked | _WRAPPING
    found = items(response)
    hits, others, dropped = 0, {}, []
    aside = last_hit = False  # aside: in a reason or a contrast, to the end of its sentence
    for index, item in enumerate(found):
        words = content_words(item.text)
        aside = aside and not item.new_sentence
        first = tokens(item.text)[:1]
        reason = bool(index and first) and first[0] in _REASONS
        if _negated(item.text):
            aside = True
            if reason or words - known:  # "not water": said of another thing
                dropped.append(item)
            continue
        if not reason and any(_holds(words, part) for part in parts):
            hits, last_hit, aside = hits + 1, True, False
            continue
        if aside or reason:
            aside = True
            dropped.append(item)
            continue
        gloss = bool(_GLOSSES & set(item.joined)) and last_hit and index == len(found) - 1
        if gloss or item.aside or not words - known:
            continue
        others.setdefault(frozenset(words), item.text)
        dropped.append(item)  # the claim is read for what it says of the answer
        last_hit = False
    return Reading(hits, tuple(others.values()), _without(response, dropped) or response)


def _without(text: str, gone: list[Item]) -> str:
    """A response less some of its items, and the separators they leave dangling."""
    for item in reversed(gone):
        text = text[:item.start] + text[item.start + len(item.text):]
    text = re.sub(r"\s*([,;])(?:\s*[,;])+", r"\1", text)
    return _DANGLING.sub("", text).strip()


def _key(part: str, asked: set[str]) -> set[str]:
    """The words that make a part of the answer itself: those the question does not say."""
    words = content_words(part)
    return words - asked or words


def _holds(words: set[str], key: set[str]) -> bool:
    """Whether an item gives a part of the answer: all of a short one's key words,
    half of a long one's (a paraphrase keeps most of them)."""
    return key <= words if len(key) <= 3 else 2 * len(key & words) >= len(key)


def _negated(text: str) -> bool:
    return any(word in NEGATIONS or word.endswith("n't") for word in tokens(text))


def own_words(question: str, response: str) -> tuple[str, float]:
    """The response less what it copies from the question, and the share of its words
    copied. Around a blank, the words before it that the response starts with and those
    after it that it ends with ("two feet *and one hand*"); otherwise any run of three
    words the question says in that order.

    >>> own_words("Keep three points of contact: _____ and one hand.", "two feet and one hand")
    ('two feet', 0.6)
    >>> own_words("Keep three points of contact: _____ and one hand, or two hands.",
    ...           "two feet or two hands")
    ('two feet or two hands', 0.0)
    >>> own_words("Which command runs foo from a function called foo?", "a function called foo")
    ('', 1.0)
    """
    said = [word for word in map(_plain, question.split()) if word]
    spans = [(m.start(), m.end(), _plain(m.group())) for m in re.finditer(r"\S+", response)]
    spans = [span for span in spans if span[2]]
    words = [word for _, _, word in spans]
    blank = next((i for i, word in enumerate(said) if BLANK in word), None)
    copied = _runs(words, said if blank is None else said[:blank])
    if blank is not None:
        lead = next((i for i, gone in enumerate(copied) if not gone), len(words))
        before, after = said[:blank], said[blank + 1:]
        lead += next((k for k in range(min(3, len(words) - lead), 0, -1)
                      if words[lead:lead + k] == before[len(before) - k:]), 0)
        trail = next((k for k in range(len(words) - lead, 0, -1)
                      if words[len(words) - k:] == after[:k]), 0)
        copied = [i < lead or i >= len(words) - trail for i in range(len(words))]
    kept = [response[start:end]
            for (start, end, _), gone in zip(spans, copied, strict=True) if not gone]
    share = sum(copied) / len(spans) if spans else 0.0
    return " ".join(kept).strip(" ,;:-"), round(share, 2)


def _runs(words: list[str], said: list[str]) -> list[bool]:
    """Which words stand in a run of three that `said` has in the same order."""
    grams = {tuple(said[i:i + 3]) for i in range(len(said) - 2)}
    copied = [False] * len(words)
    for i in range(len(words) - 2):
        if tuple(words[i:i + 3]) in grams:
            copied[i:i + 3] = [True] * 3
    return copied


def _plain(word: str) -> str:
    """A word as copies are compared; the blank stays, so no run crosses it."""
    return word if BLANK in word else re.sub(r"[^\w%'-]|_", "", word.lower())

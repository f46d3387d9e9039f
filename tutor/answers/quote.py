"""The quoted answer: the material's own words that answer the question.

Every answer starts with it, because it is right by construction and ready as
soon as retrieval is done: one to three complete sentences (or list items, or
one code block) from the one passage most likely to hold the answer, in reading
order, cited once. Never empty, never a fragment cut at a line break, never a
heading alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.sentences import is_complete_sentence, is_lead_in
from tutor.answers.claims import numbers
from tutor.answers.grounding import PassageSentence
from tutor.answers.injection import without_citation_markers
from tutor.answers.terms import content_words

# Chosen by how often the quote holds the gold answer on the public sets (zsh FAQ,
# Debian FAQ; bench/answer_quality.py): trusting the search's first passage more
# won (rank bonus 0.04 -> 0.2: 0.617 -> 0.733 and 0.532 -> 0.595), and as the search
# already weighs the question's words, a large word bonus lost (0.08: 0.700, 0.563).
WORD_MATCH_BONUS = 0.02  # per question word a unit shares, times the word's rarity
RANK_BONUS = 0.2  # the first passage of the search, then half as much per rank
NEAR_BEST = 0.08  # units of the chosen passage this close to the best one join the quote
# Sentences next to the best one, in its paragraph, this close join it (up to three):
# one sentence rarely says the whole answer. At 0.5 the quote holds the first sentence
# of the gold answer for 0.217 (zsh FAQ) and 0.333 (Debian FAQ) of questions, against
# 0.150 and 0.294 for the best sentence alone.
CONTEXT_MARGIN = 0.5
QUANTITY_BONUS = 0.1  # for units that state a number, when the question asks for one
# Which sentences join the best one is judged with their neighbours too: MiniLM reads
# a short sentence poorly alone. Half and half: the quote holds the opening of the gold
# answer for 0.249 / 0.333 of the questions (zsh FAQ / Debian FAQ), against 0.228 /
# 0.315 for each sentence alone (bench/answer_quality.py --no-model). The best
# sentence itself is still chosen alone: with its neighbours, "Northbridge uses four
# types of extinguisher." outscored the CO2 item for "a burning computer".
WINDOW_WEIGHT = 0.5
MAX_UNITS = 3


@dataclass(frozen=True)
class Quote:
    passage: int  # 1-based number of the passage quoted
    units: tuple[PassageSentence, ...]  # in reading order

    @property
    def is_code(self) -> bool:
        return any(unit.kind == "code" for unit in self.units)

    def render(self) -> str:
        """Markdown: sentences that follow each other in the material as one quoted
        line, others on lines of their own, items as quoted list lines, code fenced;
        the citation once, after the last quoted line.

        >>> Quote(2, (PassageSentence("Cool it.", 2, position=0),
        ...           PassageSentence("Cover it.", 2, position=1))).render()
        '> Cool it. Cover it. [2]'
        >>> print(Quote(2, (PassageSentence("Cool it.", 2, position=0),
        ...                 PassageSentence("Call 999.", 2, position=5))).render())
        > Cool it.
        > Call 999. [2]
        >>> items = (PassageSentence("Check:", 1), PassageSentence("Tyres for cuts", 1, "item"),
        ...          PassageSentence("Forks for cracks", 1, "item"))
        >>> print(Quote(1, items).render())
        > Check:
        > - Tyres for cuts
        > - Forks for cracks [1]
        >>> print(Quote(1, (PassageSentence("Run:", 1), PassageSentence("ls", 1, "code"))).render())
        > Run: [1]
        <BLANKLINE>
        ```
        ls
        ```
        """
        blocks: list[list[str]] = []  # quoted lines, or one code block
        previous: PassageSentence | None = None
        for unit in self.units:
            adjacent = previous is not None and unit.block == previous.block and (
                unit.position == previous.position + 1)
            previous = unit
            if unit.kind == "code":
                blocks.append([f"```\n{unit.text}\n```"])
                continue
            text = without_citation_markers(unit.text)  # only the tutor's [n] cite
            if not blocks or blocks[-1][0].startswith("```"):
                blocks.append([])
            lines = blocks[-1]
            if unit.kind in ("item", "row") and len(self.units) > 1:
                lines.append(f"> - {text}")
            elif lines and adjacent:
                lines[-1] += f" {text}"  # the next sentence of the same paragraph
            else:
                lines.append(f"> {text}")
        quoted = [i for i, block in enumerate(blocks) if not block[0].startswith("```")]
        if quoted:
            blocks[quoted[-1]][-1] += f" [{self.passage}]"
        else:
            blocks.append([f"[{self.passage}]"])
        return "\n\n".join("\n".join(block) for block in blocks)


_ASKS_QUANTITY = re.compile(
    r"\bhow (?:long|many|much|often|far|heavy|high|fast|old|big|wide|deep|hot|cold|soon)\b"
    r"|\bwhat (?:speed|size|weight|age|temperature|height|distance|angle|limit|percentage)\b"
    r"|\bat what (?:speed|height|temperature|angle|age)\b",
    re.IGNORECASE,
)


def asks_quantity(question: str) -> bool:
    """Whether the answer is a number: "How long…?", "What speed…?".

    >>> asks_quantity("How long should a burn be cooled?"), asks_quantity("Why cool a burn?")
    (True, False)
    """
    return bool(_ASKS_QUANTITY.search(question))


def unit_windows(units: Sequence[PassageSentence]) -> list[str]:
    """Each unit with the units beside it in its paragraph (code stands alone).

    >>> units = [PassageSentence("Cool it.", 1), PassageSentence("Cover it.", 1),
    ...          PassageSentence("Call 999.", 1, block=1), PassageSentence("ls", 1, "code", 2)]
    >>> unit_windows(units)
    ['Cool it. Cover it.', 'Cool it. Cover it.', 'Call 999.', 'ls']
    """
    windows = []
    for i, unit in enumerate(units):
        around = [units[j].text for j in (i - 1, i, i + 1)
                  if j == i or (0 <= j < len(units) and unit.kind != "code"
                                and units[j].passage == unit.passage
                                and units[j].block == unit.block and units[j].kind != "code")]
        windows.append(" ".join(around))
    return windows


def unit_scores(
    question: str, query_vector: np.ndarray, units: Sequence[PassageSentence],
    unit_vectors: np.ndarray, window_vectors: np.ndarray | None = None,
) -> np.ndarray:
    """How well each unit answers the question: closeness in meaning (of the unit,
    and of the unit with its neighbours, `window_vectors`), plus a little for each
    question word it shares, more for words few units use (embeddings of long list
    items blur; "electrical" in both is a strong sign), plus a little for passages
    the search ranked first, and for a number when the question asks one.

    >>> units = [PassageSentence("a", 1), PassageSentence("b", 1), PassageSentence("c", 2)]
    >>> vectors = np.array([[0.1, 1.0], [1.0, 0.0], [0.9, 0.1]])
    >>> unit_scores("?", np.array([1.0, 0.0]), units, vectors).round(2).tolist()
    [0.3, 1.2, 1.0]
    >>> unit_scores("?", np.array([1.0, 0.0]), units, vectors, vectors[[1, 1, 2]]).round(2).tolist()
    [0.75, 1.2, 1.0]
    """
    if not len(units):
        return np.zeros(0, dtype=np.float32)
    closeness = unit_vectors @ query_vector
    if window_vectors is not None:
        in_context = window_vectors @ query_vector
        closeness = (1 - WINDOW_WEIGHT) * closeness + WINDOW_WEIGHT * in_context
    asked = content_words(question)
    shared = [content_words(u.text) & asked for u in units]
    frequency = {w: sum(w in found for found in shared) for w in asked}
    rarity = {w: float(np.log1p(len(units) / n)) for w, n in frequency.items() if n}
    bonus = np.array([sum(rarity[w] for w in found) for found in shared], dtype=np.float32)
    rank = np.array([RANK_BONUS / 2 ** (u.passage - 1) for u in units], dtype=np.float32)
    scores = closeness + WORD_MATCH_BONUS * bonus + rank
    if asks_quantity(question):  # "How long…?" is answered by a sentence with a number
        scores += QUANTITY_BONUS * np.array([bool(numbers(u.text)) for u in units])
    return scores


def quotable(unit: PassageSentence) -> bool:
    """A unit a learner can read on its own: a complete sentence, an item or row of a
    few words, or code; never a heading."""
    if unit.kind in ("heading", "continuation"):
        return False
    if unit.kind == "code":
        return True
    if unit.kind in ("item", "row"):
        return len(unit.text.split()) >= 3
    return is_complete_sentence(unit.text)


def choose_quote(scores: np.ndarray, units: Sequence[PassageSentence],
                 context_scores: np.ndarray | None = None) -> Quote | None:
    """The quote: the best quotable unit, the sentences around it that score nearly
    as well (by `context_scores` when given) and the units of its passage nearly as
    good (at most three, in reading order), and what a lead-in sentence ending in
    ":" introduces (the list items or the code block after it).

    >>> units = [PassageSentence("Burns and scalds", 1, "heading", 0),
    ...          PassageSentence("Cool the burn for 20 minutes.", 1, "sentence", 1),
    ...          PassageSentence("Then cover it loosely.", 1, "sentence", 1),
    ...          PassageSentence("Call 999 for large burns.", 2, "sentence", 0)]
    >>> [u.text for u in choose_quote(np.array([0.9, 0.8, 0.75, 0.5]), units).units]
    ['Cool the burn for 20 minutes.', 'Then cover it loosely.']
    """
    eligible = [i for i, unit in enumerate(units) if quotable(unit) and unit.kind != "code"]
    if not eligible:
        code = [i for i, unit in enumerate(units) if unit.kind == "code"]
        return Quote(units[code[0]].passage, (units[code[0]],)) if code else None
    best = max(eligible, key=lambda i: scores[i])
    passage = units[best].passage
    chosen = _context(best, scores if context_scores is None else context_scores, units,
                      set(eligible))
    same = [i for i in eligible if units[i].passage == passage and i not in chosen]
    close = sorted(same, key=lambda i: -scores[i])
    room = MAX_UNITS - len(chosen)
    chosen |= {i for i in close[:room] if scores[i] >= scores[best] - NEAR_BEST}
    # What the last quoted sentence introduces ("The following checks…", "…as
    # follows:") is the answer it promises: the code or the items after it.
    introduced = _introduced(max(chosen), units) or _introduced(best, units)
    ordered = sorted(chosen)[:MAX_UNITS] + sorted(introduced - chosen)
    return Quote(passage, tuple(units[i] for i in sorted(ordered)))


def _context(best: int, scores: np.ndarray, units: Sequence[PassageSentence],
             eligible: set[int]) -> set[int]:
    """The best unit with the sentences around it in its paragraph that score within
    CONTEXT_MARGIN of it: one sentence rarely says the whole answer."""
    chosen = {best}
    while len(chosen) < MAX_UNITS:
        before, after = min(chosen) - 1, max(chosen) + 1
        neighbours = [i for i in (before, after) if i in eligible
                      and units[i].passage == units[best].passage
                      and units[i].block == units[best].block
                      and scores[i] >= scores[best] - CONTEXT_MARGIN]
        if not neighbours:
            return chosen
        chosen.add(max(neighbours, key=lambda i: scores[i]))
    return chosen


def _introduced(lead: int, units: Sequence[PassageSentence]) -> set[int]:
    """What a lead-in ("…as follows:", "Here are some things zsh is good at.")
    introduces: the code block, or up to two list items, after the rest of its
    paragraph."""
    if not is_lead_in(units[lead].text):
        return set()
    following: set[int] = set()
    for i in range(lead + 1, len(units)):
        unit = units[i]
        if unit.passage != units[lead].passage:
            break
        if unit.block == units[lead].block and not following:
            continue  # the lead-in's own paragraph goes on
        if unit.kind == "code":
            return following or {i}
        if unit.kind not in ("item", "row") or len(following) == MAX_UNITS - 1:
            break
        following.add(i)
    return following

"""Check a generated answer against its sources, sentence by sentence.

A tiny CPU model paraphrases well and invents fluently, so nothing it writes
reaches the learner unchecked. An answer sentence stays only if

- it is close in meaning (cosine of sentence embeddings) to one sentence of the
  passages, not merely to the topic of a whole passage, and
- it brings in no number absent from the passages, few words absent from them,
  and no term of the material that its supporting sentences do not contain
  (embeddings cannot tell "use CO2" from "use foam"; words can).

Each kept sentence cites the passage that supports it best, whatever the model
cited. If nothing survives, the tutor answers with the passage sentences
closest to the question, quoted and cited: extractive, and right by construction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.chunking import split_sentences

_CITATION = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+(?:\s*\[\d+(?:\s*,\s*\d+)*\])*|$)")
_WORD = re.compile(r"[a-z][a-z'-]{3,}|\d+(?:[.,]\d+)?")
_STOPWORDS = frozenset(  # function words that carry no claim
    "about above after again also always another because been before being below between "
    "both can could does doing down during each every from further have having here into "
    "itself just like made make more most much must need needs never only other over same "
    "should some such than that their them then there these they this those through under "
    "until upon very want were what when where which while will with within without would "
    "your yours you're it's don't always often usually important ensure sure help".split()
)
NEAR_SUPPORT = 0.05  # passage sentences this close to the best also count as support
WORD_MATCH_BONUS = 0.08  # per question word a quoted sentence shares, times its rarity
MAX_NEW_WORDS = 0.34  # share of a sentence's content words allowed to be absent from sources


@dataclass(frozen=True)
class PassageSentence:
    text: str
    passage: int  # 1-based number of the passage it comes from


@dataclass(frozen=True)
class CheckedSentence:
    text: str  # without citation markers
    support: float  # best cosine similarity to a passage sentence
    source: int  # number of the passage holding that sentence
    new_words: tuple[str, ...]  # content words found in no passage
    moved_words: tuple[str, ...] = ()  # terms of the material missing from the support
    support_text: str = ""  # the passage sentence that supports it best

    def supported(self, threshold: float) -> bool:
        return (self.support >= threshold and not self.moved_words
                and not _too_new(self.text, self.new_words))

    def reason(self, threshold: float) -> str:
        if self.support < threshold:
            return f"unsupported: no passage sentence says this (best match {self.support:.2f})"
        if self.moved_words:
            return f"moved terms: {', '.join(self.moved_words)} not in its support"
        if _too_new(self.text, self.new_words):
            return f"new words: {', '.join(self.new_words)}"
        return "supported"


@dataclass(frozen=True)
class GroundedAnswer:
    text: str
    grounded: bool  # the model's answer stood as written: nothing removed, no fallback
    fallback: bool  # the answer is quoted from the passages
    removed: tuple[str, ...]
    cited: tuple[int, ...]  # passage numbers the final text cites


def answer_sentences(answer: str) -> list[str]:
    """Sentences of a model answer with citations stripped; a trailing fragment cut
    off by the token limit and repeated sentences are dropped.

    >>> answer_sentences("Stop work [1]. Call the warden [2]. Stop work. Then wai")
    ['Stop work.', 'Call the warden.']
    """
    sentences: list[str] = []
    seen: set[str] = set()
    for match in _SENTENCE.finditer(answer):
        text = _CITATION.sub("", match.group(0).strip()).strip(" -*•#")
        if not text or not re.search(r"[.!?]$", text):
            continue  # unfinished (cut off by the token limit) or only a marker
        key = re.sub(r"\W+", " ", text.lower()).strip()
        if len(key.split()) < 2 or key in seen:
            continue
        seen.add(key)
        sentences.append(text)
    return sentences


def passage_sentences(passages: Sequence[str]) -> list[PassageSentence]:
    """
    >>> [(s.passage, s.text) for s in passage_sentences(["- **CO2:** for electrics. Not foam."])]
    [(1, 'CO2: for electrics.'), (1, 'Not foam.')]
    """
    found = []
    for number, passage in enumerate(passages, 1):
        for line in passage.splitlines():
            line = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+|[*_`]+", "", line).strip()
            found.extend(PassageSentence(s, number) for s in split_sentences(line) if s)
    return found


def content_words(text: str) -> set[str]:
    """Lower-cased words of four letters or more (crudely singular) and numbers.

    >>> sorted(content_words("Keep the 2 exits clear at all times"))
    ['2', 'clear', 'exit', 'keep', 'time']
    """
    words = set()
    for word in _WORD.findall(text.lower()):
        if word in _STOPWORDS:
            continue
        words.add(word[:-1] if word.endswith("s") and not word.endswith("ss") else word)
    return words


def _too_new(text: str, new_words: tuple[str, ...]) -> bool:
    if any(w[0].isdigit() for w in new_words):
        return True  # an invented number is the most harmful mistake
    words = content_words(text)
    return bool(words) and len(new_words) / len(words) > MAX_NEW_WORDS


def check_sentences(
    sentences: Sequence[str],
    sentence_vectors: np.ndarray,
    sources: Sequence[PassageSentence],
    source_vectors: np.ndarray,
    passages: Sequence[str],
    question: str = "",
) -> list[CheckedSentence]:
    """Pair each answer sentence with its best-supporting passage sentence. The
    support is that sentence and any other nearly as close; a term of the
    material that the support lacks has been moved from elsewhere (words of the
    question excepted: restating the question is fine).

    >>> src = [PassageSentence("Use CO2 on electrical fires.", 1),
    ...        PassageSentence("Use foam on diesel.", 1)]
    >>> vectors = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> check = check_sentences(["Use foam on electrical fires."], np.array([[1.0, 0.0]]),
    ...                         src, vectors, ["Use CO2 on electrical fires. Use foam on diesel."])
    >>> check[0].moved_words, check[0].new_words
    (('foam',), ())
    """
    known = set().union(*(content_words(p) for p in passages)) if passages else set()
    asked = content_words(question)
    similarity = sentence_vectors @ source_vectors.T
    checked = []
    for row, text in enumerate(sentences):
        best = int(similarity[row].argmax())
        support = float(similarity[row, best])
        near = np.flatnonzero(similarity[row] >= support - NEAR_SUPPORT)
        support_words = set().union(*(content_words(sources[i].text) for i in near))
        words = content_words(text)
        checked.append(CheckedSentence(
            text, support, sources[best].passage,
            new_words=tuple(sorted(words - known)),
            moved_words=tuple(sorted((words & known) - support_words - asked)),
            support_text=sources[best].text,
        ))
    return checked


def assemble(
    checked: Sequence[CheckedSentence],
    threshold: float,
    quote: Sequence[PassageSentence],
) -> GroundedAnswer:
    """The final answer from checked sentences, or `quote` (best first) when none is
    supported. When the kept sentences leave out the passage sentence that best
    answers the question, it is quoted after them: the key fact is always there.

    >>> good = CheckedSentence("Exits stay clear.", 0.8, 2, (), (), "Keep exits clear.")
    >>> bad = CheckedSentence("Fires are fun.", 0.1, 1, ())
    >>> answer = assemble([good, bad], 0.5, [PassageSentence("Keep exits clear.", 2)])
    >>> answer.text, answer.removed, answer.grounded
    ('Exits stay clear. [2]', ('Fires are fun.',), False)
    >>> assemble([good], 0.5, [PassageSentence("Exits are green.", 1)]).text
    'Exits stay clear. [2]\\n\\n> Exits are green. [1]'
    """
    kept = [c for c in checked if c.supported(threshold)]
    removed = tuple(c.text for c in checked if not c.supported(threshold))
    if kept:
        text = " ".join(f"{c.text} [{c.source}]" for c in kept)
        cited = {c.source for c in kept}
        if quote and quote[0].text not in {c.support_text for c in kept}:
            text += f"\n\n> {quote[0].text} [{quote[0].passage}]"
            cited.add(quote[0].passage)
        return GroundedAnswer(text, not removed, False, removed, tuple(sorted(cited)))
    lines = [f"> {s.text} [{s.passage}]" for s in quote]
    text = "From the course material:\n\n" + "\n>\n".join(lines)
    return GroundedAnswer(text, False, True, removed, tuple(sorted({s.passage for s in quote})))


def best_sentences(
    question: str, query_vector: np.ndarray, sources: Sequence[PassageSentence],
    source_vectors: np.ndarray, count: int = 2,
) -> list[PassageSentence]:
    """The `count` passage sentences closest to the question, best first. Each
    content word shared with the question adds a little, more for words few
    sentences use: embeddings of long list items blur, while "electrical" in
    both is a strong sign.

    >>> src = [PassageSentence("a", 1), PassageSentence("b", 1), PassageSentence("c", 2)]
    >>> vectors = np.array([[0.1, 1.0], [1.0, 0.0], [0.9, 0.1]])
    >>> [s.text for s in best_sentences("?", np.array([1.0, 0.0]), src, vectors)]
    ['b', 'c']
    """
    if not sources:
        return []
    asked = content_words(question)
    words = [content_words(s.text) & asked for s in sources]
    frequency = {w: sum(w in found for found in words) for w in asked}
    rarity = {w: float(np.log1p(len(sources) / n)) for w, n in frequency.items() if n}
    bonus = np.array([sum(rarity[w] for w in found) for found in words], dtype=np.float32)
    score = source_vectors @ query_vector + WORD_MATCH_BONUS * bonus
    order = np.argsort(-score, kind="stable")[:count]
    return [sources[i] for i in order]

"""Lexical search: BM25 over a course's chunks.

Sentence embeddings find paraphrases but blur names, numbers and rare terms
("CO2", "PROMPT_CR", "dpkg-reconfigure"); word matching finds exactly those.
`knowledge/retrieve.py` fuses the two. The index is a derived cache like the
FAISS one: built from the chunk texts in the database, saved as one file that
is replaced atomically.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.atomic import replace_atomically

K1 = 1.2  # term-frequency saturation (the usual 1.2-2.0; short chunks need little)
B = 0.75  # length normalisation
_TOKEN = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    "a about above after again against all am an and any are as at be because been before "
    "being below between both but by can could did do does doing down during each few for "
    "from further had has have having he her here hers him his how i if in into is it its "
    "itself just me more most my no nor not of off on once only or other our ours out over "
    "own same she should so some such than that the their theirs them then there these they "
    "this those through to too under until up very was we were what when where which while "
    "who whom why will with would you your yours".split()
)


def tokenize(text: str) -> list[str]:
    """Lower-case words and numbers, stop words out, plurals folded into the singular.

    >>> tokenize("Which extinguishers are used on electrical fires? CO2 ones.")
    ['extinguisher', 'used', 'electrical', 'fire', 'co2', 'one']
    """
    return [_fold(token) for token in _TOKEN.findall(text.lower()) if token not in STOPWORDS]


def _fold(word: str) -> str:
    """A light plural fold: enough to match "fires" with "fire", never "gas" with "ga".

    >>> [_fold(w) for w in ["fires", "boxes", "glasses", "gas", "batteries", "status"]]
    ['fire', 'box', 'glass', 'gas', 'battery', 'status']
    """
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("xes", "ches", "shes", "sses", "zes")):
        return word[:-2]
    return word[:-1]


class LexicalIndex:
    """BM25 (Lucene's idf) over documents identified by chunk id. Postings are kept
    as one sparse matrix in CSR form by term: a query sums a few rows."""

    def __init__(self, ids: np.ndarray, vocabulary: dict[str, int], indptr: np.ndarray,
                 doc_index: np.ndarray, weights: np.ndarray) -> None:
        self.ids = ids  # chunk id of each document position
        self.vocabulary = vocabulary  # term → row
        self.indptr = indptr  # row r's postings: [indptr[r], indptr[r + 1])
        self.doc_index = doc_index  # document position of each posting
        self.weights = weights  # BM25 weight of each posting (idf times saturated tf)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def build(cls, ids: Sequence[int], texts: Sequence[str]) -> LexicalIndex:
        """
        >>> index = LexicalIndex.build([7, 8], ["Use CO2 on electrical fires.", "Use water."])
        >>> [(i, round(s, 2)) for i, s in index.search("electrical fire", 5)]
        [(7, 1.22)]
        """
        tokenized = [tokenize(text) for text in texts]
        lengths = np.array([len(tokens) for tokens in tokenized], dtype=np.float32)
        average = float(lengths.mean()) if len(lengths) and lengths.sum() else 1.0
        vocabulary: dict[str, int] = {}
        term_rows, doc_positions = [], []
        for position, tokens in enumerate(tokenized):
            for token in tokens:
                term_rows.append(vocabulary.setdefault(token, len(vocabulary)))
                doc_positions.append(position)
        rows = np.asarray(term_rows, dtype=np.int64)
        docs = np.asarray(doc_positions, dtype=np.int64)
        # Term frequency per (term, document) pair: sort by pair, count runs.
        pairs, counts = np.unique(rows * max(1, len(texts)) + docs, return_counts=True)
        pair_rows, pair_docs = pairs // max(1, len(texts)), pairs % max(1, len(texts))
        df = np.bincount(pair_rows, minlength=len(vocabulary)).astype(np.float32)
        idf = np.log1p((len(texts) - df + 0.5) / (df + 0.5))
        tf = counts.astype(np.float32)
        norm = K1 * (1 - B + B * lengths[pair_docs] / average)
        weights = idf[pair_rows] * tf * (K1 + 1) / (tf + norm)
        indptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(np.bincount(pair_rows, minlength=len(vocabulary)), out=indptr[1:])
        return cls(np.asarray(ids, dtype=np.int64), vocabulary, indptr,
                   pair_docs.astype(np.int32), weights.astype(np.float32))

    def scores(self, query: str) -> np.ndarray:
        """The BM25 score of every document for `query` (zeros where no word matches)."""
        rows = [self.vocabulary[t] for t in set(tokenize(query)) if t in self.vocabulary]
        if not rows:
            return np.zeros(len(self.ids), dtype=np.float32)
        postings = [np.arange(self.indptr[r], self.indptr[r + 1]) for r in rows]
        at = np.concatenate(postings)
        totals = np.bincount(self.doc_index[at], weights=self.weights[at], minlength=len(self.ids))
        return totals.astype(np.float32)

    def share(self, word: str) -> float:
        """The share of the documents holding a word (its first token).

        >>> LexicalIndex.build([7, 8], ["Use CO2 on fires.", "Use water."]).share("Fire")
        0.5
        """
        terms = tokenize(word)
        row = self.vocabulary.get(terms[0]) if terms else None
        if row is None or not len(self.ids):
            return 0.0
        return float(self.indptr[row + 1] - self.indptr[row]) / len(self.ids)

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """(chunk id, BM25 score) of the `k` best documents with any matching word."""
        totals = self.scores(query)
        if not len(totals):
            return []
        top = np.argpartition(-totals, k - 1)[:k] if k < len(totals) else np.arange(len(totals))
        top = top[np.argsort(-totals[top], kind="stable")]
        return [(int(self.ids[i]), float(totals[i])) for i in top if totals[i] > 0]

    def save(self, path: Path) -> None:
        """One .npz file, replaced atomically."""
        vocabulary = np.frombuffer(json.dumps(self.vocabulary).encode(), dtype=np.uint8)

        def write(name: str) -> None:
            with open(name, "wb") as file:
                np.savez(file, ids=self.ids, indptr=self.indptr, doc_index=self.doc_index,
                         weights=self.weights, vocabulary=vocabulary)

        replace_atomically(path, write)

    @classmethod
    def load(cls, path: Path) -> LexicalIndex:
        with np.load(path) as data:
            vocabulary = json.loads(data["vocabulary"].tobytes().decode())
            return cls(data["ids"], vocabulary, data["indptr"], data["doc_index"],
                       data["weights"])

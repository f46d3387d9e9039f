"""Finding the trainer answer a learner's question asks for, and how it is shown.

Every front goes through the dialogue manager, which asks `TrainerMatcher.find`
before it searches the material. The same question worded alike is served first,
signed by its trainer. A likely match is offered: the material's answer comes as usual, with a
button that names the trainer's question ("📌 Your trainer's answer to …"), so a
near miss (same words, another question) never puts a trainer's answer to another
question in front of the learner unasked (bench/trainer_matching.py).
A course holds at most a few hundred trainer answers, so each question is compared
with all of them: one matrix product over vectors kept here (by text), then the
test of tutor/answers/same_question.py on the few above the cosine floor.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from knowledge.index import IndexStore
from knowledge.library import find_course
from knowledge.tables import Chunk, Document, as_utc
from tutor.answers.answering import Answer
from tutor.answers.question_kind import same_wording
from tutor.answers.same_question import MatchPolicy, judge, shape
from tutor.answers.terms import stem
from tutor.answers.trainer import get, review_course, same_text
from tutor.errors import TutorError
from tutor.messages import Button, Source
from tutor.tables import TrainerAnswer

log = logging.getLogger(__name__)
EmbedFn = Callable[[list[str]], Awaitable[np.ndarray]]
# What learners read above a trainer's answer (the translation layer takes it over).
SIGNED = "Answer from your trainer, {name}, {date}:"
WHY_NO_EXPLANATION = "a trainer's answer: served as the trainer wrote it"
OFFER = "📌 Your trainer's answer to “{question}”"
OFFER_QUESTION_CHARS = 60  # of the trainer's question on the button
OFFER_GONE = ("Your trainer has since withdrawn that answer, or it is being checked after "
              "the material changed. Ask again to get the current answer.")
KEPT_VECTORS = 20_000  # texts (trainer questions and their words): 31 MB of MiniLM's


@dataclass(frozen=True)
class TrainerMatch:
    answer: TrainerAnswer
    similarity: float  # cosine of the two questions
    why: str  # what the test said, for the log
    page: int | None = None  # the cited passage's page, where it has one


@dataclass(frozen=True)
class TrainerFind:
    served: TrainerMatch | None = None  # sure: served first, unasked
    offered: TrainerMatch | None = None  # likely: named on a button under the answer


def signed(author_name: str, when: datetime) -> str:
    """
    >>> from datetime import datetime
    >>> signed("Ana Ruiz", datetime(2025, 3, 7))
    'Answer from your trainer, Ana Ruiz, 7 March 2025:'
    """
    return SIGNED.format(name=author_name, date=f"{when.day} {when:%B %Y}")


def served_text(row: TrainerAnswer) -> str:
    """The answer as learners see it: signed and dated, its passage cited as [1]."""
    cited = " [1]" if row.chunk_id is not None and "[1]" not in row.answer else ""
    return f"{signed(row.author_name, as_utc(row.updated_at))}\n\n{row.answer}{cited}"


def served_answer(match: TrainerMatch, question: str) -> Answer:
    """A trainer answer as the dialogue's `Answer`: covered, its passage its source."""
    row = match.answer
    sources = (Source(1, row.document, row.section, row.passage, match.similarity,
                      match.page),) if row.chunk_id is not None else ()
    return Answer(question, served_text(row), sources, covered=True, grounded=True,
                  explained=False, explain_skipped=WHY_NO_EXPLANATION)


def offer_button(row: TrainerAnswer) -> Button:
    """The button under an answer that opens a trainer's answer it likely asks for,
    naming the trainer's question (shortened to a button's width).

    >>> row = TrainerAnswer(id=7, course="c", question="How do you cool a burn?",
    ...                     answer="20 min.", author="a", author_name="A")
    >>> button = offer_button(row)
    >>> button.label, button.action
    ("📌 Your trainer's answer to “How do you cool a burn?”", 'trainer:7')
    """
    question = row.question
    if len(question) > OFFER_QUESTION_CHARS:
        question = question[:OFFER_QUESTION_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return Button(OFFER.format(question=question), f"trainer:{row.id}")


def offered_answer(engine: Engine, argument: str) -> TrainerAnswer:
    """The trainer answer an offer's button names, while it is still served."""
    try:
        row = get(engine, int(argument))
    except (TutorError, ValueError):
        raise TutorError(OFFER_GONE) from None
    if row.status != "active":
        raise TutorError(OFFER_GONE)
    return row


class TrainerMatcher:
    """The active trainer answers of each course, matched against learners' questions."""

    def __init__(self, engine: Engine, index_store: IndexStore, embed: EmbedFn,
                 policy: MatchPolicy | None = None) -> None:
        self.engine = engine
        self.index_store = index_store
        self.embed = embed
        self.policy = policy or MatchPolicy()
        self._vectors: dict[str, np.ndarray] = {}
        self._shares: dict[int, tuple[object, dict[str, float]]] = {}  # course id: (stamp, …)
        self._lock = threading.Lock()  # questions are handled on threads of their own

    async def match(self, course: str, question: str) -> TrainerMatch | None:
        """The active trainer answer of `course` whose question `question` surely asks
        (served unasked), if any."""
        return (await self.find(course, question)).served

    async def find(self, course: str, question: str) -> TrainerFind:
        """The trainer answer to the same question worded alike (`same_wording`: served
        unasked), or else the one `question` likely asks, to offer: of those that pass
        the test of tutor/answers/same_question.py, the one with the most cosine to
        spare, failing that the closest at `offered_similarity` or more."""
        rows, pages = self.candidates(course)
        if not rows:
            return TrainerFind()
        for row in rows:
            if same_wording(row.question, question):
                return TrainerFind(served=TrainerMatch(row, 1.0, "worded alike",
                                                       pages.get(row.chunk_id or -1)))
        learner = shape(question)
        trainers = [shape(row.question) for row in rows]
        words = sorted({*learner.words.values(), *(w for t in trainers for w in t.words.values())})
        # One model call at most: the trainers' questions and words are kept from before.
        vectors = await self._vectors_of([question, *(row.question for row in rows), *words])
        cosines = vectors[1:len(rows) + 1] @ vectors[0]
        similarity = _similarity(dict(zip(words, vectors[len(rows) + 1:], strict=True)))
        course_wide = self._course_wide(course)
        policy = self.policy
        best: tuple[float, TrainerMatch] | None = None
        for index in np.flatnonzero(cosines >= policy.min_similarity):
            row, cosine = rows[index], float(cosines[index])
            verdict = judge(trainers[index], learner, cosine, similarity, course_wide, policy)
            log.debug("trainer answer %s for %r: %s", row.id, question, verdict.why)
            if verdict.same and (best is None or verdict.margin > best[0]):
                best = (verdict.margin, TrainerMatch(row, cosine, verdict.why,
                                                     pages.get(row.chunk_id or -1)))
        if best is not None:
            return TrainerFind(offered=best[1])
        closest = int(np.argmax(cosines))
        if cosines[closest] >= policy.offered_similarity:
            row = rows[closest]
            return TrainerFind(offered=TrainerMatch(row, float(cosines[closest]), "closest",
                                                    pages.get(row.chunk_id or -1)))
        return TrainerFind()

    def candidates(self, course: str) -> tuple[list[TrainerAnswer], dict[int, int | None]]:
        """The course's active answers, each cited passage checked against the material
        first (a change missed by every hook sends its answers to review here, before
        any is served), and the pages of those passages."""
        for _ in range(2):
            with Session(self.engine) as session:
                rows = list(session.exec(select(TrainerAnswer).where(
                    TrainerAnswer.course == course, TrainerAnswer.status == "active")
                    .order_by(col(TrainerAnswer.id))))
                cited = [row.chunk_id for row in rows if row.chunk_id is not None]
                found = {chunk_id: (text, name, page) for chunk_id, text, name, page in
                         session.exec(select(Chunk.id, Chunk.text, Document.name, Chunk.page)
                                      .join(Document, col(Document.id) == Chunk.document_id)
                                      .where(col(Chunk.id).in_(cited)))} if cited else {}
            stale = [row for row in rows if row.chunk_id is not None and not (
                row.chunk_id in found and found[row.chunk_id][1] == row.document
                and same_text(found[row.chunk_id][0], row.passage))]
            if not stale:
                return rows, {chunk_id: page for chunk_id, (_, _, page) in found.items()}
            flagged = review_course(self.engine, course)
            log.info("the material of '%s' changed: %d trainer answers sent to review",
                     course, flagged)
        return [row for row in rows if row not in stale], {}

    async def _vectors_of(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            missing = [text for text in dict.fromkeys(texts) if text not in self._vectors]
        if missing:
            embedded = await self.embed(missing)
            with self._lock:
                if len(self._vectors) + len(missing) > KEPT_VECTORS:
                    self._vectors.clear()
                self._vectors.update(zip(missing, embedded, strict=True))
        with self._lock:
            kept = [self._vectors.get(text) for text in texts]
        if any(vector is None for vector in kept):  # cleared meanwhile by another thread
            return await self.embed(texts)
        return np.stack(kept)  # type: ignore[arg-type]

    def _course_wide(self, course: str) -> Callable[[str], bool]:
        """Whether a word is in so many of the course's passages that it says nothing
        of what is asked ("zsh" in a zsh course): from its word index, by stem."""
        try:
            course_id = find_course(self.engine, course).id or 0
        except TutorError:
            return lambda word: False
        index = self.index_store.get(course_id)
        if index is None:
            return lambda word: False
        with self._lock:
            known = self._shares.get(course_id)
        if known is None or known[0] != index.stamp:
            lexical = index.lexical
            shares: dict[str, float] = {}
            for term, row in lexical.vocabulary.items():
                share = float(lexical.indptr[row + 1] - lexical.indptr[row]) / len(lexical)
                key = stem(term)
                shares[key] = max(shares.get(key, 0.0), share)
            known = (index.stamp, shares)
            with self._lock:
                self._shares[course_id] = known
        shares = known[1]
        floor = self.policy.course_wide
        return lambda word: shares.get(stem(word.lower()), 0.0) >= floor


def _similarity(vectors: dict[str, np.ndarray]) -> Callable[[str, str], float]:
    return lambda one, other: float(vectors[one] @ vectors[other])

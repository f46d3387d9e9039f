"""One question in, one checked, cited answer out: retrieve → generate → ground.

`AnswerEngine.answer` is an async generator: it yields the answer text so far
while the model writes (drafts), then the final `Answer`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from knowledge.retrieve import Passage
from tutor.answers.grounding import (
    GroundedAnswer,
    answer_sentences,
    assemble,
    best_sentences,
    check_sentences,
    passage_sentences,
)
from tutor.answers.prompts import build_messages
from tutor.llm import ChatMessages
from tutor.messages import Source

EmbedFn = Callable[[list[str]], Awaitable[np.ndarray]]
SearchFn = Callable[[str, np.ndarray, str, int], Awaitable[list[Passage]]]
GenerateFn = Callable[[ChatMessages, Callable[[str], None]], Awaitable[str]]
GapFn = Callable[[str, str, float], None]


@dataclass(frozen=True)
class AnswerPolicy:
    passages: int = 3
    relevance_threshold: float = 0.34
    support_threshold: float = 0.45


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    sources: tuple[Source, ...]
    covered: bool  # retrieval found material relevant enough to answer from
    grounded: bool
    fallback: bool = False
    removed: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "question": self.question,
            "answer": self.text,
            "sources": [
                {"number": s.number, "document": s.document, "section": s.section,
                 "page": s.page, "score": round(s.score, 4), "text": s.text}
                for s in self.sources
            ],
            "covered": self.covered,
            "grounded": self.grounded,
            "fallback": self.fallback,
            "removed_sentences": list(self.removed),
            "timings": {k: round(v, 1) for k, v in self.timings.items()},
        }


def not_covered_text(course: str) -> str:
    return (
        f"The material of the course '{course}' does not cover that, so I won't guess. "
        "I've noted the question for your trainers."
    )


class AnswerEngine:
    def __init__(
        self,
        *,
        embed: EmbedFn,
        search: SearchFn,
        generate: GenerateFn,
        record_gap: GapFn,
        policy: AnswerPolicy,
    ) -> None:
        self.embed = embed
        self.search = search
        self.generate = generate
        self.record_gap = record_gap
        self.policy = policy

    async def answer(
        self, course: str, question: str, query: str | None = None,
        earlier_question: str | None = None,
    ) -> AsyncIterator[str | Answer]:
        """Drafts (str, the whole text so far), then the `Answer`. `query` is what to
        search with when it differs from the question (follow-ups)."""
        started = time.perf_counter()
        timings: dict[str, float] = {}
        query_vector = (await self.embed([query or question]))[0]
        passages = await self.search(course, query_vector, query or question,
                                     max(5, self.policy.passages))
        timings["retrieve_ms"] = _ms_since(started)
        best = max((p.relevance for p in passages), default=0.0)
        if best < self.policy.relevance_threshold:
            self.record_gap(course, question, best)
            timings["total_ms"] = _ms_since(started)
            yield Answer(question, not_covered_text(course), (), False, False, timings=timings)
            return
        passages = [p for p in passages if p.relevance >= self.policy.relevance_threshold]
        passages = passages[: self.policy.passages]

        generated = ""
        async for draft in self._stream(build_messages(question, passages, earlier_question),
                                        timings, started):
            generated = draft
            yield draft
        timings["generate_ms"] = _ms_since(started) - timings["retrieve_ms"]

        checking = time.perf_counter()
        grounded = await self._ground(question, generated, passages, query_vector)
        timings["check_ms"] = _ms_since(checking)
        timings["total_ms"] = _ms_since(started)
        sources = tuple(_source(n, p) for n, p in enumerate(passages, 1) if n in grounded.cited)
        yield Answer(question, grounded.text, sources, True, grounded.grounded,
                     grounded.fallback, grounded.removed, timings)

    async def _stream(
        self, messages: ChatMessages, timings: dict[str, float], started: float
    ) -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        pieces: asyncio.Queue[str] = asyncio.Queue()
        task = asyncio.ensure_future(
            self.generate(messages, lambda piece: loop.call_soon_threadsafe(pieces.put_nowait,
                                                                             piece))
        )
        text = ""
        while True:
            getter = asyncio.ensure_future(pieces.get())
            done, _ = await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
                break
            if not text:
                timings["first_token_ms"] = _ms_since(started)
            text += getter.result()
            yield text
        while not pieces.empty():  # pieces that landed with the end of generation
            text += pieces.get_nowait()
        final = task.result()  # raises what generation raised
        text = final if final.startswith(text) else text
        if text:
            yield text

    async def _ground(
        self, question: str, generated: str, passages: Sequence[Passage], query_vector: np.ndarray
    ) -> GroundedAnswer:
        texts = [p.text for p in passages]
        sources = passage_sentences(texts)
        sentences = answer_sentences(generated)
        vectors = await self.embed(sentences + [s.text for s in sources])
        answer_vectors, source_vectors = vectors[: len(sentences)], vectors[len(sentences) :]
        checked = check_sentences(sentences, answer_vectors, sources, source_vectors, texts,
                                  question)
        quote = best_sentences(question, query_vector, sources, source_vectors)
        return assemble(checked, self.policy.support_threshold, quote)


def _source(number: int, passage: Passage) -> Source:
    return Source(number, passage.document, passage.section, passage.text, passage.relevance,
                  passage.page)


def _ms_since(start: float) -> float:
    return (time.perf_counter() - start) * 1000

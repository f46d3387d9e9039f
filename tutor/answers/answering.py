"""One question in, one checked, cited answer out: retrieve → quote → generate → check.

`AnswerEngine.answer` is an async generator of drafts (str, the whole text so
far) and, last, the final `Answer`. The first draft is the quoted answer, ready
as soon as retrieval is done; the model's explanation follows one sentence at a
time, and only once each sentence has passed the check: an unsupported sentence
is never on screen, not even for a moment.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from knowledge.retrieve import Passage
from tutor.answers.grounding import (
    CheckedSentence,
    PassageSentence,
    answer_sentences,
    check_sentences,
    passage_sentences,
)
from tutor.answers.prompts import build_messages, passage_label
from tutor.answers.quote import Quote, choose_quote, unit_scores, unit_windows
from tutor.errors import ModelLoadError, ModelUnavailable, TutorError
from tutor.llm import AnswerAbandoned, ChatMessages
from tutor.messages import Source

log = logging.getLogger(__name__)

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
    grounded: bool  # the model's explanation stood as written: nothing removed
    fallback: bool = False  # no sentence of the model's survived: the quote alone
    removed: tuple[str, ...] = ()
    removed_why: tuple[str, ...] = ()  # why each of `removed` went, as `tutorbot check` says
    timings: dict[str, float] = field(default_factory=dict)
    quote: str = ""  # the quoted answer, as rendered at the top of `text`
    kept: tuple[str, ...] = ()  # the model's sentences that passed the check
    quoted: tuple[str, ...] = ()  # the quote's sentences, items or code, as the material has them
    model_error: str = ""  # why the model's explanation is missing, when it failed
    explained: bool = True  # the model was asked for an explanation
    explain_skipped: str = ""  # why it was not, when it was not

    def as_dict(self) -> dict[str, object]:
        return {
            "question": self.question,
            "answer": self.text,
            "quote": self.quote,
            "sources": [
                {"number": s.number, "document": s.document, "section": s.section,
                 "page": s.page, "score": round(s.score, 4), "text": s.text}
                for s in self.sources
            ],
            "covered": self.covered,
            "grounded": self.grounded,
            "fallback": self.fallback,
            "kept_sentences": list(self.kept),
            "removed_sentences": list(self.removed),
            "removed_why": list(self.removed_why),
            "model_error": self.model_error or None,
            "explained": self.explained,
            "explain_skipped": self.explain_skipped or None,
            "timings": {k: round(v, 1) for k, v in self.timings.items()},
        }


class Draft(str):
    """The answer so far, as text, with the sources it cites already: the quote of the
    material comes first and with its citation, before the model has said a word."""

    sources: tuple[Source, ...] = ()
    explaining: bool = False  # the quote alone: the model's explanation is still to come

    def __new__(cls, text: str, sources: tuple[Source, ...] = (), *,
                explaining: bool = False) -> Draft:
        draft = super().__new__(cls, text)
        draft.sources, draft.explaining = sources, explaining
        return draft


@dataclass(frozen=True)
class CheckReport:
    sentences: list[CheckedSentence]
    passages: list[Passage]  # what the sentences were checked against; [n] is passages[n-1]
    threshold: float

    def as_dict(self) -> dict[str, object]:
        result = []
        for checked in self.sentences:
            number = checked.conflict_source if checked.conflict else checked.source
            passage = self.passages[number - 1] if 0 < number <= len(self.passages) else None
            result.append({
                "text": checked.text,
                "kept": checked.supported(self.threshold),
                "reason": checked.reason(self.threshold),
                "support": {
                    "document": passage.document if passage else None,
                    "section": passage.section if passage else None,
                    "text": checked.conflict_text if checked.conflict else checked.support_text,
                },
            })
        return {"sentences": result}


def not_covered_text(course: str) -> str:
    return (
        f"The material of the course '{course}' does not cover that, so I won't guess. "
        "I've noted the question for your trainers."
    )


def compose(quote: Quote | None, kept: Sequence[CheckedSentence]) -> str:
    """The answer as shown: the quote, then the explanation sentences that passed.

    >>> quote = Quote(1, (PassageSentence("Cool the burn for 20 minutes.", 1),))
    >>> kept = [CheckedSentence("Run cool water over it.", 0.8, 2, ())]
    >>> print(compose(quote, kept))
    > Cool the burn for 20 minutes. [1]
    <BLANKLINE>
    Run cool water over it. [2]
    """
    parts = [quote.render()] if quote else []
    if kept:
        parts.append(" ".join(f"{c.text} [{c.source}]" for c in kept))
    return "\n\n".join(parts)


def evidence_texts(passage: str) -> list[str]:
    """What an answer embeds of one passage it retrieved: its sentences, items and
    code, then each with its neighbours (ingest stores these, runtime.py)."""
    return _unit_texts(passage_sentences([passage]))


def _unit_texts(units: list[PassageSentence]) -> list[str]:
    return [u.text for u in units] + unit_windows(units)


@dataclass
class _Evidence:
    """The passages of one answer, split into units and embedded once: what the
    quote is chosen from and what every model sentence is checked against."""

    question: str
    query_vector: np.ndarray
    passages: list[Passage]
    units: list[PassageSentence]
    vectors: np.ndarray
    window_vectors: np.ndarray  # each unit with its neighbours (quote.unit_windows)

    @property
    def texts(self) -> list[str]:
        # Labels too: a title or heading word ("zsh", "extinguisher") is the material's.
        return [f"{passage_label(p)}\n{p.text}" for p in self.passages]

    def quote(self) -> Quote | None:
        alone = unit_scores(self.question, self.query_vector, self.units, self.vectors)
        in_context = unit_scores(self.question, self.query_vector, self.units, self.vectors,
                                 self.window_vectors)
        return choose_quote(alone, self.units, in_context)

    def check(self, sentences: list[str], vectors: np.ndarray) -> list[CheckedSentence]:
        return check_sentences(sentences, vectors, self.units, self.vectors, self.texts,
                               self.question, self.query_vector)


class AnswerEngine:
    def __init__(
        self,
        *,
        embed: EmbedFn,
        search: SearchFn,
        generate: GenerateFn,
        record_gap: GapFn,
        policy: AnswerPolicy,
        explain_skipped: str = "",
    ) -> None:
        """`explain_skipped`: why answers skip the model's explanation (a setting; the
        packaged model on a CPU), or "" to explain."""
        self.embed = embed
        self.search = search
        self.generate = generate
        self.record_gap = record_gap
        self.policy = policy
        self.explain_skipped = explain_skipped

    async def answer(
        self, course: str, question: str, query: str | None = None,
        earlier_question: str | None = None, *, explain: bool = True,
    ) -> AsyncIterator[str | Answer]:
        """Drafts (str, the whole text so far), then the `Answer`. `query` is what to
        search with when it differs from the question (follow-ups). Without
        `explain` (coaching needs no more) or with the explanation skipped, the quote
        alone: no model runs. Closing this stream, or cancelling its consumer, stops
        the model's answer: it leaves the decoding batch at the next step."""
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
        evidence = await self._evidence(question, query_vector,
                                        passages[: self.policy.passages])
        quote = evidence.quote()
        timings["quote_ms"] = _ms_since(started)
        if not explain or self.explain_skipped:
            timings["total_ms"] = _ms_since(started)
            yield Answer(question, compose(quote, []), _cited(evidence, quote, []), True, True,
                         fallback=True, timings=timings, quote=quote.render() if quote else "",
                         quoted=tuple(u.text for u in quote.units) if quote else (),
                         explained=False,
                         explain_skipped=self.explain_skipped or "the quote alone was asked for")
            return

        kept: list[CheckedSentence] = []
        removed: list[CheckedSentence] = []
        # The model's turn is taken before the quote goes out: showing it (an edit on
        # the platform, perhaps rate-limited) must not hold the explanation back.
        generation = self._start(build_messages(question, evidence.passages, earlier_question))
        model_error = ""
        try:
            if quote is not None:
                yield Draft(compose(quote, []), _cited(evidence, quote, []), explaining=True)
            async for sentences in self._sentences(generation, timings, started):
                vectors = await self.embed(sentences)
                for checked in evidence.check(sentences, vectors):
                    supported = checked.supported(self.policy.support_threshold)
                    (kept if supported else removed).append(checked)
                    if supported:
                        yield Draft(compose(quote, kept), _cited(evidence, quote, kept))
        except (ModelLoadError, ModelUnavailable) as error:
            log.warning("the model failed an answer; keeping what was checked: %s", error)
            if quote is None and not kept:  # nothing of the material to stand in for it
                raise TutorError("The explanation isn't available right now: the language "
                                 "model did not answer. Please try again in a minute.") from error
            model_error = str(error)
        finally:  # closed or cancelled before the model's end: no one reads the rest
            generation.abandon()
        timings["total_ms"] = _ms_since(started)
        yield Answer(
            question, compose(quote, kept), _cited(evidence, quote, kept), True,
            grounded=not removed, fallback=not kept, removed=tuple(c.text for c in removed),
            removed_why=tuple(c.reason(self.policy.support_threshold) for c in removed),
            timings=timings, quote=quote.render() if quote else "",
            kept=tuple(c.text for c in kept),
            quoted=tuple(u.text for u in quote.units) if quote else (), model_error=model_error,
        )

    async def check(self, course: str, question: str, text: str) -> CheckReport:
        """The check on any text, against the passages the question retrieves: what
        `tutorbot check` shows a trainer who wants to understand a removal."""
        query_vector = (await self.embed([question]))[0]
        passages = await self.search(course, query_vector, question, self.policy.passages)
        evidence = await self._evidence(question, query_vector, passages)
        sentences = answer_sentences(text)
        checked = evidence.check(sentences, await self.embed(sentences)) if sentences else []
        return CheckReport(checked, passages, self.policy.support_threshold)

    async def _evidence(self, question: str, query_vector: np.ndarray,
                        passages: list[Passage]) -> _Evidence:
        units = passage_sentences([p.text for p in passages])
        if not units:
            return _Evidence(question, query_vector, passages, [], np.zeros((0, 1)),
                             np.zeros((0, 1)))
        vectors = await self.embed(_unit_texts(units))
        return _Evidence(question, query_vector, passages, units, vectors[: len(units)],
                         vectors[len(units):])

    def _start(self, messages: ChatMessages) -> _Generation:
        """The model's answer requested now; its pieces arrive on the queue."""
        loop = asyncio.get_running_loop()
        pieces: asyncio.Queue[str] = asyncio.Queue()
        abandoned = threading.Event()

        def on_text(piece: str) -> None:  # in the model's thread
            if abandoned.is_set():  # a served model's stream ends at its next piece
                raise AnswerAbandoned("no one reads this answer any more")
            loop.call_soon_threadsafe(pieces.put_nowait, piece)

        return _Generation(pieces, asyncio.ensure_future(self.generate(messages, on_text)),
                           abandoned)

    async def _sentences(
        self, generation: _Generation, timings: dict[str, float], started: float
    ) -> AsyncIterator[list[str]]:
        """The model's sentences as each is completed (a growing sentence waits for
        its end; a sentence cut off by the token limit never comes)."""
        emitted = 0
        text = ""
        async for text in self._stream(generation, timings, started):
            done = answer_sentences(text, finished=False)
            if len(done) > emitted:
                yield done[emitted:]
                emitted = len(done)
        timings["generate_ms"] = _ms_since(started) - timings["retrieve_ms"]
        done = answer_sentences(text)
        if len(done) > emitted:
            yield done[emitted:]

    @staticmethod
    async def _stream(generation: _Generation, timings: dict[str, float], started: float
                      ) -> AsyncIterator[str]:
        """The model's text so far, each time a piece arrives."""
        pieces, task = generation.pieces, generation.task
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


@dataclass(frozen=True)
class _Generation:
    pieces: asyncio.Queue[str]
    task: asyncio.Future[str]
    abandoned: threading.Event

    def abandon(self) -> None:
        """Stop the model's answer, if it is still coming: the request's cancelled
        future takes its row out of the decoding batch at the next step (or out of
        the queue), and its next piece ends a served model's stream."""
        if not self.task.done():
            self.abandoned.set()
            self.task.cancel()


def _cited(evidence: _Evidence, quote: Quote | None, kept: Sequence[CheckedSentence]
           ) -> tuple[Source, ...]:
    """The passages an answer so far cites: the quote's, and each kept sentence's."""
    cited = ({quote.passage} if quote else set()) | {c.source for c in kept}
    return tuple(_source(n, p) for n, p in enumerate(evidence.passages, 1) if n in cited)


def _source(number: int, passage: Passage) -> Source:
    return Source(number, passage.document, passage.section, passage.text, passage.relevance,
                  passage.page)


def _ms_since(start: float) -> float:
    return (time.perf_counter() - start) * 1000

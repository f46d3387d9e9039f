"""Wiring: the database, the models and their workers, built once per process."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cached_property
from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from knowledge.embedder import Embedder, TransformerEmbedder
from knowledge.index import IndexStore
from knowledge.ingest import (
    FileReporter,
    IngestReport,
    ProgressReporter,
    RefreshReport,
    ingest,
    refresh_stale,
)
from knowledge.library import UnknownCourse, find_course, other_embedding_models
from knowledge.retrieve import Passage, Retriever
from knowledge.text_vectors import TextVectors
from tutor.answers.answering import AnswerEngine, AnswerPolicy, evidence_texts
from tutor.answers.trainer import review_course
from tutor.answers.trainer_match import TrainerMatcher
from tutor.database import create_db_and_tables, make_engine
from tutor.errors import ModelLoadError, TutorError
from tutor.learner.knowledge import Knowledge
from tutor.learners import LearnerStore
from tutor.llm import (
    PACKAGED_LLM,
    ChatMessages,
    GenerationConfig,
    GenerationRequest,
    Generator,
    TransformersGenerator,
    choose_device,
    load_model,
)
from tutor.quiz.bank import build_bank
from tutor.quiz.generate import QuestionGenerator, generate
from tutor.quiz.llm_generate import LLMQuestionGenerator
from tutor.quiz.records import QuizRecords
from tutor.settings import Settings
from tutor.workers import BatchDecoder, BatchWorker, Decoder, DecodingWorker

log = logging.getLogger(__name__)
SERVED_CONCURRENCY = 64  # answers streaming from a served model at once
LOCAL_BATCH_ROWS = 16  # answers the local model decodes together
DECODING_NICE = 10  # the model's thread yields the cores to first replies (bench.telegram_load)
SENTENCE_BATCH = 512  # passage sentences embedded and stored at a time
EMBEDDING_CACHE = 50_000  # texts: 77 MB of MiniLM's 384-d vectors, plus the texts


def load_embedder(settings: Settings) -> Embedder:
    try:
        return TransformerEmbedder(settings.embedding_model)
    except Exception as error:
        raise ModelLoadError(
            f"Could not load the embedding model '{settings.embedding_model}': "
            f"{type(error).__name__}: {error}"
        ) from error


def load_generator(settings: Settings) -> Generator:
    config = GenerationConfig(max_new_tokens=settings.max_new_tokens)
    if settings.llm_backend == "openai":
        from tutor.llm_openai import OpenAIGenerator

        if not settings.llm_base_url:
            raise ModelLoadError("TUTORBOT_LLM_BACKEND=openai needs TUTORBOT_LLM_BASE_URL, the "
                                 "server's API root (e.g. http://vllm:8000/v1).")
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        # The packaged model's path means nothing to a server: ask it what it serves.
        model = None if settings.llm_model == PACKAGED_LLM else settings.llm_model
        return OpenAIGenerator(settings.llm_base_url, model, config, api_key=key,
                               timeout_s=settings.llm_timeout_s)
    model, tokenizer = load_model(
        settings.llm_model, device=settings.llm_device, dtype=settings.llm_dtype,
        cache_root=settings.model_cache_dir, int8=settings.llm_int8,
    )
    return TransformersGenerator(model, tokenizer, config, name=settings.llm_model)


def _writing(progress: ProgressReporter | None) -> Callable[[int, int], None] | None:
    """The model's question-writing reports as the "questions" stage of `progress`."""
    return (lambda done, total: progress("questions", done, total)) if progress else None


class Runtime:
    """Everything a process needs to tutor. Tests pass fake models in."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        generator_factory: Callable[[], Generator] | None = None,
        engine: Engine | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine or make_engine(settings.db_url)
        create_db_and_tables(self.engine)
        self._embedder = embedder
        self.index_store = IndexStore(settings.index_dir, self.engine)
        self.retriever = Retriever(self.engine, self.index_store)
        self.learners = LearnerStore(self.engine, settings.history_turns)
        self.quizzes = QuizRecords(self.engine)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.knowledge = Knowledge(self.engine, settings.data_dir, settings.learner_min_attempts)
        # Courses being ingested, with when their question bank should be ready.
        self._preparing: dict[str, float] = {}
        # A generator passed in is not the packaged model that TUTORBOT_LLM_MODEL names.
        self._packaged_llm = generator_factory is None and (
            settings.llm_backend == "transformers" and settings.llm_model == PACKAGED_LLM)
        self._generator_factory = generator_factory or (lambda: load_generator(settings))
        self._generator: Generator | None = None
        self._ingest_lock = threading.Lock()
        self._loading = {"embedder": threading.Lock(), "generator": threading.Lock()}
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()  # the embed worker's
        # The background storing of an upload's sentences, the latest (tests wait on it).
        self.sentences_stored: Future[int] | None = None
        self._closing = threading.Event()

    @property
    def embedder(self) -> Embedder:
        """The embedding model, loaded on first use (listing courses needs none), once:
        the embed worker, ingest and the dialogue's threads may all ask at once."""
        if self._embedder is None:
            with self._loading["embedder"]:
                if self._embedder is None:
                    self._embedder = load_embedder(self.settings)
        return self._embedder

    @property
    def generator(self) -> Generator:
        """The language model, loaded on first use (the slow part of starting), once."""
        if self._generator is None:
            with self._loading["generator"]:
                if self._generator is None:
                    self._generator = self._generator_factory()
        return self._generator

    @cached_property
    def explain_skipped(self) -> str:
        """Why answers come without the model's explanation, or "" when they have one
        (TUTORBOT_EXPLAIN; auto: none from the packaged model on a CPU)."""
        choice = self.settings.explain
        if choice == "never":
            return "TUTORBOT_EXPLAIN=never"
        if choice == "always" or not self._packaged_llm:
            return ""
        try:
            device = choose_device(self.settings.llm_device)
        except ModelLoadError:  # no CUDA after all: loading the model says so
            return ""
        if device != "cpu":
            return ""
        return ("TUTORBOT_EXPLAIN=auto: the packaged 135M model on a CPU; the answer check "
                "removed every sentence it wrote on both public sets")

    @property
    def needs_generator(self) -> bool:
        """Whether anything here will ask the language model: answers' explanations, or
        the question bank's model-written questions."""
        return not self.explain_skipped or self.settings.question_writers() != "text"

    def load_models(self) -> None:
        """Load now what answering will use (before the first learner waits for it);
        the language model only if something needs it (a quiz by the model, asked
        for on the command line, still loads it then)."""
        self.embedder  # noqa: B018
        if self.needs_generator:
            self.generator  # noqa: B018

    @cached_property
    def embed_worker(self) -> BatchWorker[list[str], np.ndarray]:
        return BatchWorker("embedder", self._embed_batch, max_batch=64)

    @cached_property
    def llm_worker(self) -> BatchWorker[GenerationRequest, str] | DecodingWorker[
            GenerationRequest, str]:
        if self.settings.llm_backend == "openai":
            # A served model batches on the server: each request goes on its own, at once.
            return BatchWorker("llm", lambda batch: self.generator.generate(batch),
                               max_batch=1, threads=SERVED_CONCURRENCY)
        return DecodingWorker("llm", self._local_decoder, max_rows=LOCAL_BATCH_ROWS,
                              nice=DECODING_NICE)

    def _local_decoder(self) -> Decoder[GenerationRequest, str]:
        """The model in this process, batched continuously where it can be (in the
        worker's thread: the model loads there, off the event loop)."""
        generator = self.generator
        decoder = getattr(generator, "decoder", None)
        return decoder if decoder is not None else BatchDecoder(generator.generate)

    @cached_property
    def text_vectors(self) -> TextVectors:
        return TextVectors(self.engine, self.embedder.name)

    def _embed_batch(self, batch: Sequence[list[str]]) -> list[np.ndarray]:
        """Embed a batch of requests in one model call. Sentences of the same passages
        come back with question after question (the quote and the check embed them
        all): each is read from what ingest stored (`text_vectors`) or embedded, once,
        and then served from `_vectors`."""
        flat = [text for texts in batch for text in texts]
        missing = list(dict.fromkeys(t for t in flat if t not in self._vectors))
        if missing:
            self._vectors.update(self.text_vectors.get(missing))
            missing = [text for text in missing if text not in self._vectors]
        if missing:
            for text, vector in zip(missing, self.embedder.embed(missing), strict=True):
                self._vectors[text] = vector.copy()  # a row of its own, not the whole batch
        for text in flat:
            self._vectors.move_to_end(text)
        vectors = np.stack([self._vectors[t] for t in flat]) if flat else np.zeros((0, 1))
        while len(self._vectors) > EMBEDDING_CACHE:
            self._vectors.popitem(last=False)
        bounds = np.cumsum([0] + [len(texts) for texts in batch])
        return [vectors[a:b] for a, b in itertools.pairwise(bounds)]

    async def embed(self, texts: list[str]) -> np.ndarray:
        return await self.embed_worker.submit(texts)

    async def search(self, course: str, query: np.ndarray, text: str, k: int) -> list[Passage]:
        course_id = find_course(self.engine, course).id
        assert course_id is not None
        return await asyncio.to_thread(self.retriever.search, course_id, query, k, text)

    def check_embedding_model(self) -> None:
        """TutorError, before serving, when documents were embedded by another model
        than TUTORBOT_EMBEDDING_MODEL (it changed): their passages would not be found."""
        model = self.settings.embedding_model
        if others := other_embedding_models(self.engine, model):
            stale = "; ".join(f"'{name}' in {', '.join(sorted(courses))}"
                              for name, courses in sorted(others.items()))
            raise TutorError(
                f"TUTORBOT_EMBEDDING_MODEL is '{model}', but documents were embedded with "
                f"{stale}. Run `tutorbot reindex` to embed them with '{model}', or set the "
                "model back.")

    def questions_waiting(self) -> int:
        return self.llm_worker.waiting if "llm_worker" in self.__dict__ else 0

    async def generate(self, messages: ChatMessages, on_text: Callable[[str], None]) -> str:
        return await self.llm_worker.submit(GenerationRequest(messages, on_text))

    def add_material(self, paths: list[Path], course: str,
                     progress: ProgressReporter | None = None, *,
                     sentences_later: bool = False,
                     on_file: FileReporter | None = None) -> IngestReport:
        """Ingest into a course, one batch at a time in this process. With
        `sentences_later` (a chat upload: the trainer waits for the report) the
        passage sentences' vectors are stored in the background once the chunks are
        searchable; questions meanwhile embed the sentences themselves."""
        # bench.ingest: 69.5 chunks/s here, and storing their sentences takes 1.5 to 2.2
        # times as long again on the public sets (about 22 chunks/s in all); a chunk
        # holds about 1 kB of a document's bytes.
        files = [f for p in paths for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file()]
        size = sum(file.stat().st_size for file in files)
        self._preparing[course] = time.monotonic() + 2 + size / 1000 / 22
        try:
            return self._add_material(paths, course, progress, sentences_later, on_file)
        finally:
            self._preparing.pop(course, None)

    def reingest(self, course: str, documents: list[str],
                 progress: ProgressReporter | None = None,
                 on_file: FileReporter | None = None) -> tuple[RefreshReport, int, int]:
        """Normalise, chunk and embed these documents of `course` again from the text
        stored when they were ingested (their files are not needed); the index, the
        skill map and the question bank follow, and the passages' sentences are stored
        in the background. Returns the report and the questions (added, retired)."""
        course_id = find_course(self.engine, course).id
        assert course_id is not None
        self._preparing[course] = time.monotonic() + 10
        try:
            with self._ingest_lock:
                report = refresh_stale(self.engine, self.embedder, course_id=course_id,
                                       progress=progress, documents=documents,
                                       on_file=on_file)
                self.index_store.rebuild(course_id)
                review_course(self.engine, course)  # trainer answers on changed passages
                self._store_sentences_later(course, bool(report.rechunked))
                bank = build_bank(self.engine, course,
                                  generators=self.question_generators(
                                      on_progress=_writing(progress)))
                return report, len(bank.stored), bank.retired
        finally:
            self._preparing.pop(course, None)

    def embed_passage_sentences(self, course: str,
                                progress: ProgressReporter | None = None) -> int:
        """Store the vectors every answer from `course` would embed for its passages'
        sentences (alone and with their neighbours): questions then only read them.
        Returns how many texts were embedded; those stored already are skipped."""
        try:
            course_id = find_course(self.engine, course).id
        except UnknownCourse:  # nothing of it could be ingested
            return 0
        assert course_id is not None
        texts = self.text_vectors.missing(
            text for passage in self.retriever.course_passages(course_id)
            for text in evidence_texts(passage))
        for start in range(0, len(texts), SENTENCE_BATCH):
            if self._closing.is_set():  # the rest is stored at the next `serve` start
                break
            batch = texts[start:start + SENTENCE_BATCH]
            self.text_vectors.put(batch, self.embedder.embed(batch))
            if progress:
                progress("sentences", start + len(batch), len(texts))
        return len(texts)

    @cached_property
    def _background(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="sentences")

    def store_sentences_quietly(self, course: str) -> int:
        """`embed_passage_sentences` off the learners' path: a failure is logged, not
        raised (questions embed those sentences themselves; `serve` tries again at its
        next start)."""
        try:
            added = self.embed_passage_sentences(course)
        except Exception:
            log.exception("storing the passage sentences of '%s' failed; questions embed "
                          "them as they come", course)
            return 0
        if added:
            log.info("stored the vectors of %d passage sentences of '%s'", added, course)
        return added

    def bank_ready_in(self, course: str) -> int | None:
        """Seconds until the course's question bank is built, if it is being built."""
        ready = self._preparing.get(course)
        return None if ready is None else max(1, round(ready - time.monotonic()))

    def _add_material(self, paths: list[Path], course: str, progress: ProgressReporter | None,
                      sentences_later: bool, on_file: FileReporter | None) -> IngestReport:
        with self._ingest_lock:
            report = ingest(paths, course, engine=self.engine, embedder=self.embedder,
                            index_store=self.index_store,
                            max_bytes=self.settings.max_upload_bytes, progress=progress,
                            limits=self.settings.conversion_limits, on_file=on_file)
            if report.updated:  # a trainer answer whose passage changed waits for review
                review_course(self.engine, course)
            if not sentences_later:
                self.embed_passage_sentences(course, progress)
            else:
                self._store_sentences_later(course, bool(report.chunks_added))
            if report.skills:  # the bank follows the material: a quiz never waits for it
                bank = build_bank(self.engine, course, generators=self.question_generators(
                    on_progress=_writing(progress)))
                report.questions_added, report.questions_retired = len(bank.stored), bank.retired
            return report

    def _store_sentences_later(self, course: str, changed: bool) -> None:
        if changed and not self._closing.is_set():
            with contextlib.suppress(RuntimeError):  # closed meanwhile: at the next start
                self.sentences_stored = self._background.submit(
                    self.store_sentences_quietly, course)

    def question_generators(self, choice: str | None = None,
                            on_progress: Callable[[int, int], None] | None = None
                            ) -> list[QuestionGenerator]:
        """The question generators `choice` (default: the setting) names; the model's
        reports (passages done, of how many) to `on_progress`."""
        choice = self.settings.question_writers(choice)
        generators: list[QuestionGenerator] = [generate] if choice in ("text", "both") else []
        if choice in ("llm", "both"):
            generators.append(LLMQuestionGenerator(self.llm_worker.run_all, on_progress))
        return generators

    @cached_property
    def answers(self) -> AnswerEngine:
        policy = AnswerPolicy(
            passages=self.settings.passages_per_answer,
            relevance_threshold=self.settings.relevance_threshold,
            support_threshold=self.settings.support_threshold,
        )
        return AnswerEngine(
            embed=self.embed, search=self.search, generate=self.generate,
            record_gap=self.learners.record_gap, policy=policy,
            explain_skipped=self.explain_skipped,
        )

    @cached_property
    def trainer_answers(self) -> TrainerMatcher:
        """Which trainer answer a learner's question asks for (served before the material's)."""
        return TrainerMatcher(self.engine, self.index_store, self.embed)

    def close(self) -> None:
        self._closing.set()
        if "_background" in self.__dict__:  # what is not stored yet, `serve` stores at start
            self._background.shutdown(wait=True, cancel_futures=True)
        for name in ("embed_worker", "llm_worker"):
            if name in self.__dict__:
                self.__dict__[name].close()
        self.engine.dispose()

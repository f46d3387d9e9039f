"""Passage sentences embedded at ingest and read back by questions."""

from collections.abc import Callable, Sequence

import numpy as np

from knowledge.text_vectors import TextVectors
from tests.conftest import SAMPLE_COURSE
from tests.fakes import FakeEmbedder
from tutor.answers.answering import evidence_texts
from tutor.database import create_db_and_tables, make_engine
from tutor.runtime import Runtime
from tutor.settings import Settings


class RecordingEmbedder(FakeEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str], *, on_progress: Callable[[int], None] | None = None
              ) -> np.ndarray:
        self.texts.extend(texts)
        return super().embed(texts, on_progress=on_progress)


def test_vectors_come_back_by_text_and_model_and_the_first_stored_stays(
        database_url: str) -> None:
    engine = make_engine(database_url)
    create_db_and_tables(engine)
    store = TextVectors(engine, "minilm")
    store.put(["Cool it.", "Call 999."], np.eye(2, dtype=np.float32))
    store.put(["Cool it."], np.full((1, 2), 7, dtype=np.float32))  # another worker's, later
    found = store.get(["Call 999.", "Cool it.", "Never seen."])
    assert found.keys() == {"Call 999.", "Cool it."}
    assert np.array_equal(found["Cool it."], [1, 0])
    assert store.missing(["Never seen.", "Cool it.", "Never seen."]) == ["Never seen."]
    assert TextVectors(engine, "another model").get(["Cool it."]) == {}
    assert TextVectors(engine, "another model").drop_other_models() == 2
    engine.dispose()


async def test_ingest_stores_every_passage_sentence_and_questions_only_read_them(
        settings: Settings, generator) -> None:  # type: ignore[no-untyped-def]
    embedder = RecordingEmbedder()
    runtime = Runtime(settings, embedder=embedder, generator_factory=lambda: generator)
    stages: list[str] = []
    try:
        runtime.add_material([SAMPLE_COURSE], "safety", lambda stage, *_: stages.append(stage))
        assert "sentences" in stages
        passages = list(runtime.retriever.course_passages(1))
        wanted = {text for passage in passages for text in evidence_texts(passage)}
        assert runtime.text_vectors.missing(wanted) == []
        assert runtime.embed_passage_sentences("safety") == 0  # nothing left to embed
        embedder.texts.clear()
        events = [e async for e in runtime.answers.answer(
            "safety", "How long should I cool a burn under running water?")]
        asked = set(embedder.texts)
        assert events and asked and not asked & wanted  # the question and the model's words
    finally:
        runtime.close()


def test_a_chat_upload_stores_its_sentences_after_the_report(settings: Settings,
                                                             generator) -> None:  # type: ignore[no-untyped-def]
    runtime = Runtime(settings, embedder=RecordingEmbedder(), generator_factory=lambda: generator)
    stages: list[str] = []
    try:
        report = runtime.add_material([SAMPLE_COURSE], "safety",
                                      lambda stage, *_: stages.append(stage), sentences_later=True)
        assert report.chunks_added and "sentences" not in stages
        assert runtime.sentences_stored is not None and runtime.sentences_stored.result() > 0
        passages = list(runtime.retriever.course_passages(1))
        wanted = {text for passage in passages for text in evidence_texts(passage)}
        assert runtime.text_vectors.missing(wanted) == []
    finally:
        runtime.close()

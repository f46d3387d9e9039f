"""TUTORBOT_EXPLAIN: with `auto`, the packaged 135M model on a CPU writes no
explanation (the check removed every sentence it wrote on both public sets): the quote
comes alone, at once, and the model is not even loaded for it. Any other model, a GPU,
or `always` explains; `never` never does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import add_sample_course
from tests.fakes import FakeEmbedder, FakeGenerator, first_passage_sentence
from tutor import runtime as runtime_module
from tutor.answers.answering import Answer, Draft
from tutor.dialogue import DialogueManager
from tutor.llm import PACKAGED_LLM
from tutor.messages import IncomingMessage
from tutor.runtime import Runtime
from tutor.settings import Settings

QUESTION = "How long should a burn be cooled under running water?"


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every load of the language model the settings name, which answers with the
    fake's faithful sentence (no real model in unit tests)."""
    loaded: list[str] = []

    def load(settings: Settings) -> FakeGenerator:
        loaded.append(settings.llm_model)
        return FakeGenerator(first_passage_sentence)

    monkeypatch.setattr(runtime_module, "load_generator", load)
    monkeypatch.setattr(runtime_module, "choose_device", lambda requested: "cpu")
    return loaded


def runtime_for(settings: Settings, **changes: object) -> Iterator[Runtime]:
    runtime = Runtime(settings.model_copy(update=changes), embedder=FakeEmbedder())
    add_sample_course(runtime)
    yield runtime
    runtime.close()


async def answer_of(runtime: Runtime) -> tuple[list[str | Answer], Answer]:
    events = [e async for e in runtime.answers.answer("workplace-safety", QUESTION)]
    final = events[-1]
    assert isinstance(final, Answer)
    return events, final


async def test_auto_answers_with_the_quote_alone_and_never_loads_the_packaged_model(
        settings: Settings, loads: list[str]) -> None:
    for runtime in runtime_for(settings):
        runtime.load_models()  # what `ask`, `chat`, `serve` and the ask server do first
        events, answer = await answer_of(runtime)
        assert loads == []  # not loaded, not converted
        assert not any(isinstance(e, Draft) and e.explaining for e in events)
        assert answer.text.startswith("> ") and "20 minutes" in answer.quote
        reported = answer.as_dict()
        assert reported["explained"] is False
        assert "packaged 135M model on a CPU" in str(reported["explain_skipped"])
        assert reported["kept_sentences"] == [] and reported["model_error"] is None
        assert "timings" in reported and "first_token_ms" not in answer.timings
        reply = [r async for r in DialogueManager(runtime).respond(
            IncomingMessage("test:ana", QUESTION))][-1]
        assert reply.notice is None  # nothing was removed: no model spoke
        assert "Explaining" not in reply.text and loads == []


@pytest.mark.parametrize(("changes", "why"), [
    ({"explain": "always"}, "asked for"),
    ({"llm_model": "/models/a-bigger-instruct-model"}, "another model"),
    ({"llm_backend": "openai", "llm_base_url": "http://127.0.0.1:9/v1"}, "a served model"),
    ({"cuda": True}, "a GPU"),
])
async def test_the_model_explains_when_asked_or_when_it_is_not_the_packaged_one_on_a_cpu(
        settings: Settings, loads: list[str], monkeypatch: pytest.MonkeyPatch,
        changes: dict[str, object], why: str) -> None:
    changes = dict(changes)  # the parameter is shared by both databases' runs
    if changes.pop("cuda", False):
        monkeypatch.setattr(runtime_module, "choose_device", lambda requested: "cuda")
    for runtime in runtime_for(settings, **changes):
        assert runtime.explain_skipped == "", why
        assert runtime.needs_generator
        if runtime.settings.llm_backend == "openai":
            continue  # answered by a served model: tests/tutor/test_served_model.py
        runtime.load_models()
        assert len(loads) == 1
        events, answer = await answer_of(runtime)
        assert any(isinstance(e, Draft) and e.explaining for e in events)
        assert answer.explained and answer.as_dict()["explain_skipped"] is None
        assert (answer.kept or answer.removed) and "first_token_ms" in answer.timings


async def test_never_skips_the_explanation_of_any_model(settings: Settings,
                                                        loads: list[str]) -> None:
    for runtime in runtime_for(settings, explain="never", llm_model="/models/bigger"):
        assert runtime.explain_skipped == "TUTORBOT_EXPLAIN=never"
        _, answer = await answer_of(runtime)
        assert not answer.explained and loads == []


def test_a_quiz_written_by_the_model_still_loads_it(settings: Settings,
                                                    loads: list[str]) -> None:
    runtime = Runtime(settings.model_copy(update={"quiz_generator": "llm"}),
                      embedder=FakeEmbedder())
    try:
        assert runtime.explain_skipped and runtime.needs_generator
        runtime.load_models()
        assert loads == [PACKAGED_LLM]
    finally:
        runtime.close()


def test_a_model_passed_in_is_not_the_packaged_one(settings: Settings,
                                                   loads: list[str]) -> None:
    runtime = Runtime(settings, embedder=FakeEmbedder(),
                      generator_factory=lambda: FakeGenerator("Cool it."))
    try:
        assert runtime.explain_skipped == ""
    finally:
        runtime.close()

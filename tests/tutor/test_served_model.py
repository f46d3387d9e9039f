"""TUTORBOT_LLM_BACKEND=openai: answers from a served model through the real `openai`
client over HTTP to the stand-in, the answer check applied as to the model in this
process, and a server that is down, slow or cut off mid-answer never costs the
learner their answer: the material's own words come with a notice."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_COURSE
from tests.fakes import FakeEmbedder, first_passage_sentence
from tests.platforms.openai_api import FakeOpenAI, Messages
from tutor.dialogue import DialogueManager
from tutor.messages import IncomingMessage, Reply
from tutor.runtime import Runtime
from tutor.settings import Settings

QUESTION = "What does the CO2 extinguisher with the black band put out?"


def faithful(messages: Messages) -> str:
    return first_passage_sentence(messages[-1]["content"])


@pytest.fixture
async def server() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI(faithful) as fake:
        yield fake


@pytest.fixture
def served(server: FakeOpenAI, tmp_path: Path) -> Iterator[Runtime]:
    settings = Settings(data_dir=tmp_path / "data", relevance_threshold=0.1,
                        support_threshold=0.5, llm_backend="openai",
                        llm_base_url=server.base_url, llm_timeout_s=1.0,
                        _env_file=None)  # type: ignore[call-arg]
    runtime = Runtime(settings, embedder=FakeEmbedder())
    runtime.add_material([SAMPLE_COURSE], "workplace-safety")
    yield runtime
    runtime.close()


async def ask(runtime: Runtime, text: str = QUESTION) -> list[Reply]:
    manager = DialogueManager(runtime)
    return [r async for r in manager.respond(IncomingMessage("test:ana", text))]


async def test_a_served_model_answers_streamed_and_checked(served: Runtime,
                                                           server: FakeOpenAI) -> None:
    replies = await ask(served)
    final = replies[-1]
    assert not final.error and final.notice is None
    assert final.text.startswith("> ") and final.data["answer"]["kept_sentences"]
    assert served.generator.name == "served-model"  # asked the server what it serves
    sent = server.requests[-1]
    assert sent["stream"] is True and sent["max_tokens"] == served.settings.max_new_tokens
    assert sent["messages"][0]["role"] == "system"


async def test_a_server_that_is_down_leaves_the_quote_and_a_notice(served: Runtime,
                                                                   server: FakeOpenAI) -> None:
    await server.stop()
    final = (await ask(served))[-1]
    assert not final.error and final.text.startswith("> ") and final.sources
    assert final.notice is not None and "did not answer" in final.notice


async def test_an_error_status_or_a_slow_server_is_the_same_for_the_learner(
        served: Runtime, server: FakeOpenAI) -> None:
    server.status = 500
    final = (await ask(served))[-1]
    assert final.notice is not None and "did not answer" in final.notice
    server.status, server.delay_s = None, 3.0  # the timeout is 1 s
    final = (await ask(served))[-1]
    assert final.notice is not None and final.text.startswith("> ")
    server.delay_s = 0.4  # every read in time, the whole answer not: 1 s is for all of it
    final = (await ask(served))[-1]
    assert final.notice is not None and "did not answer" in final.notice


async def test_an_answer_cut_off_mid_stream_keeps_what_was_checked(served: Runtime,
                                                                   server: FakeOpenAI) -> None:
    first = {"sentence": ""}

    def two_sentences(messages: Messages) -> str:
        first["sentence"] = faithful(messages)
        return first["sentence"] + " Then the server goes away before this ends"

    server.answer = two_sentences
    server.cut_after = 0
    final = (await ask(served))[-1]
    assert final.notice is not None  # cut before a word: the quote alone
    words = len(first["sentence"].split())
    server.cut_after = words + 2  # the first sentence whole, the second cut off
    replies = await ask(served)
    final = replies[-1]
    assert final.notice is not None and "stopped before finishing" in final.notice
    assert final.data["answer"]["kept_sentences"], final.text  # the first sentence stayed
    assert final.data["answer"]["model_error"]
    # Every draft listed what it cited: the quote's passage and the kept sentence's.
    cited = {n for r in replies if r.draft for n in
             (int(m) for m in re.findall(r"\[(\d)\]", r.text))}
    listed = {s.number for r in replies if r.draft for s in r.sources}
    assert cited <= listed

"""An answer no one will read (the learner asked again, the reply failed, the process
stops: its stream is closed or its consumer cancelled) stops being decoded: its row
leaves the batch at the next step, and a served model's stream is closed."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Collection, Hashable, Sequence
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_COURSE, add_sample_course
from tests.fakes import FakeEmbedder
from tests.platforms.openai_api import FakeOpenAI
from tutor.answers.answering import Answer, Draft
from tutor.llm import AnswerAbandoned, GenerationRequest
from tutor.llm_openai import OpenAIGenerator
from tutor.runtime import Runtime
from tutor.settings import Settings

COURSE = "workplace-safety"
QUESTION = "How long should a burn be cooled under running water?"


class LockstepDecoder:
    """A decoder that runs one step each time the test allows it, streaming a sentence
    to every row; a row never ends by itself. Records each step's rows."""

    max_admit = 4

    def __init__(self) -> None:
        self.rows: dict[Hashable, GenerationRequest] = {}
        self.steps: list[list[Hashable]] = []
        self.go = threading.Semaphore(0)  # the test lets one step run
        self.stepped = threading.Semaphore(0)  # a step has run
        self.admitted = threading.Event()
        self.gone: list[Hashable] = []  # rows that left: dropped, or their listener refused
        self.left = threading.Event()

    def __len__(self) -> int:
        return len(self.rows)

    def admit(self, requests: Sequence[tuple[Hashable, GenerationRequest]]) -> list:
        self.rows.update(requests)
        self.admitted.set()
        return []

    def step(self) -> list[tuple[Hashable, Exception]]:
        if not self.rows:
            return []
        self.go.acquire(timeout=10)
        self.steps.append(list(self.rows))
        ended: list[tuple[Hashable, Exception]] = []
        for key, request in list(self.rows.items()):
            try:
                request.on_text("Cool it for twenty minutes. ")
            except Exception as error:
                ended.append((key, error))
                self._leave([key])
        self.stepped.release()
        return ended

    def drop(self, keys: Collection[Hashable]) -> None:
        self._leave([key for key in keys if key in self.rows])

    def clear(self) -> None:
        self.rows.clear()

    def _leave(self, keys: list[Hashable]) -> None:
        for key in keys:
            del self.rows[key]
        self.gone += keys
        if keys:
            self.left.set()


class LockstepGenerator:
    name = "lockstep"

    def __init__(self) -> None:
        self.decoder = LockstepDecoder()

    def generate(self, requests: Sequence[GenerationRequest]) -> list[str]:
        raise AssertionError("the worker drives the decoder")

    def count_tokens(self, text: str) -> int:
        return len(text.split())


@pytest.fixture
def generator() -> LockstepGenerator:  # the `runtime` fixture's model
    return LockstepGenerator()


async def step(decoder: LockstepDecoder) -> None:
    decoder.go.release()
    assert await asyncio.to_thread(decoder.stepped.acquire, True, 10)


async def read_all(stream: AsyncIterator[str | Answer]) -> None:
    async for _ in stream:
        pass


@pytest.mark.parametrize("how", ["closed", "cancelled"])
async def test_an_answer_no_one_reads_leaves_the_decoding_batch_at_the_next_step(
        runtime: Runtime, generator: LockstepGenerator, how: str) -> None:
    add_sample_course(runtime)
    decoder = generator.decoder
    stream = runtime.answers.answer(COURSE, QUESTION)
    if how == "closed":  # the learner asked again, or the reply failed
        quote = await anext(stream)
        assert isinstance(quote, Draft) and quote.explaining
        reader = None
    else:  # the task showing the answer was cancelled (the process stops)
        reader = asyncio.ensure_future(read_all(stream))
    assert await asyncio.to_thread(decoder.admitted.wait, 10)
    for _ in range(3):
        await step(decoder)
    assert decoder.steps == [[0], [0], [0]] and not decoder.gone  # decoding

    if reader is None:
        await stream.aclose()
    else:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
    before = len(decoder.steps)
    await step(decoder)  # the step in hand may still carry the row
    assert await asyncio.to_thread(decoder.left.wait, 10), "the row is still decoding"
    assert decoder.gone == [0] and len(decoder) == 0
    assert sum(0 in rows for rows in decoder.steps[before:]) <= 1


async def test_an_answer_read_to_its_end_is_not_abandoned(
        runtime: Runtime, generator: LockstepGenerator) -> None:
    """The other side: the row that ends by itself is never dropped as abandoned."""
    add_sample_course(runtime)
    decoder = generator.decoder
    stream = runtime.answers.answer(COURSE, QUESTION)
    quote = await anext(stream)
    assert isinstance(quote, Draft)
    assert await asyncio.to_thread(decoder.admitted.wait, 10)
    await step(decoder)
    assert not decoder.gone and len(decoder) == 1
    await stream.aclose()


@pytest.fixture
async def slow_server() -> AsyncIterator[FakeOpenAI]:
    """A served model whose answer takes 400 pieces, 50 ms apart (20 s in all)."""
    async with FakeOpenAI(lambda _: "Cool the burn. " * 200) as fake:
        fake.delay_s = 0.05
        yield fake


async def test_an_abandoned_served_answer_closes_its_stream(
        slow_server: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ended: list[str | Exception] = []
    streamed = threading.Event()
    stream_one = OpenAIGenerator._stream

    def recorded(self: OpenAIGenerator, model: str, request: GenerationRequest
                 ) -> str | Exception:
        def on_text(piece: str) -> None:
            request.on_text(piece)
            streamed.set()

        ended.append(stream_one(self, model, GenerationRequest(request.messages, on_text)))
        return ended[-1]

    monkeypatch.setattr(OpenAIGenerator, "_stream", recorded)
    settings = Settings(data_dir=tmp_path / "data", relevance_threshold=0.1,
                        llm_backend="openai", llm_base_url=slow_server.base_url,
                        _env_file=None)  # type: ignore[call-arg]
    runtime = Runtime(settings, embedder=FakeEmbedder())
    try:
        runtime.add_material([SAMPLE_COURSE], COURSE)
        stream = runtime.answers.answer(COURSE, QUESTION)
        reader = asyncio.ensure_future(read_all(stream))
        assert await asyncio.to_thread(streamed.wait, 10)  # the answer is coming
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
        for _ in range(100):  # its next piece ends it: 50 ms, where the rest takes 20 s
            if ended:
                break
            await asyncio.sleep(0.1)
        assert len(ended) == 1 and isinstance(ended[0], AnswerAbandoned), ended
    finally:
        runtime.close()

"""The continuous-batching decoder against `model.generate` on the packaged model:
rows that join mid-way and leave early decode exactly what each would alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from tutor.decoding import ContinuousDecoder, decode_all
from tutor.llm import GenerationConfig, GenerationRequest, TransformersGenerator, load_model
from tutor.settings import Settings

QUESTIONS = [
    [{"role": "user", "content": "What is a fire extinguisher? Answer briefly."}],
    [{"role": "user", "content": "Name three kinds of personal protective equipment."}],
    [{"role": "system", "content": "Answer in one sentence."},
     {"role": "user", "content": "Why should a ladder stand on firm ground?"}],
]
CONFIG = GenerationConfig(max_new_tokens=24)


@pytest.fixture(scope="module", params=["off", "on"], ids=["float32", "int8"])
def generator(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[TransformersGenerator]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("decoding")), _env_file=None)
    model, tokenizer = load_model(settings.llm_model, device="cpu", dtype="float32",
                                  cache_root=settings.model_cache_dir, int8=request.param)
    yield TransformersGenerator(model, tokenizer, CONFIG)


def alone(generator: TransformersGenerator) -> list[str]:
    return [str(generator.generate_static([GenerationRequest(m, lambda _: None)])[0])
            for m in QUESTIONS]


def int8_layers(generator: TransformersGenerator) -> list[torch.nn.Module]:
    return [m for m in generator.model.modules()
            if isinstance(m, torch.ao.nn.quantized.dynamic.Linear)]


def int8(request: pytest.FixtureRequest) -> bool:
    """Whether this test runs on the int8 model: what was asked for, not what was
    found, so a quantisation that stops swapping layers fails instead of passing as
    float32."""
    return request.node.callspec.params["generator"] == "on"


def test_one_row_decodes_what_generate_does(generator: TransformersGenerator) -> None:
    assert generator.decoder is not None
    for messages, expected in zip(QUESTIONS, alone(generator), strict=True):
        assert decode_all(generator.decoder, [GenerationRequest(messages, lambda _: None)]
                          ) == [expected]


def test_rows_joining_and_leaving_decode_what_generate_does_alone(
        generator: TransformersGenerator, request: pytest.FixtureRequest) -> None:
    if int8(request):
        # int8 quantizes each layer's input with one scale for the whole batch, so a
        # row's tokens can depend on the rows beside it (docs/speed.md says so).
        pytest.skip("int8 rows are not independent of their batch")
    reference = alone(generator)
    decoder = ContinuousDecoder(generator.model, generator.tokenizer, CONFIG,
                                generator.prompt_text)
    streamed: dict[int, str] = {0: "", 1: "", 2: ""}

    def listener(row: int):  # type: ignore[no-untyped-def]
        return lambda text: streamed.__setitem__(row, streamed[row] + text)

    results = dict(decoder.admit([(0, GenerationRequest(QUESTIONS[0], listener(0)))]))
    for _ in range(5):
        results.update(decoder.step())
    results.update(decoder.admit([(n, GenerationRequest(QUESTIONS[n], listener(n)))
                                  for n in (1, 2)]))
    alone_rows_padded = []
    while len(decoder):
        results.update(decoder.step())
        if len(decoder) == 1:  # a row left alone keeps no padding
            alone_rows_padded.append(not bool(decoder._mask.all()))
    assert not any(alone_rows_padded)
    assert [results[n] for n in range(3)] == reference
    assert [streamed[n] for n in range(3)] == reference  # streamed as it was decoded
    assert all(r.strip() for r in reference)


def test_a_failing_listener_ends_its_own_row_only(generator: TransformersGenerator,
                                                  request: pytest.FixtureRequest) -> None:
    reference = alone(generator)

    def broken(_: str) -> None:
        raise ConnectionError("chat closed")

    requests = [GenerationRequest(QUESTIONS[0], broken),
                *(GenerationRequest(m, lambda _: None) for m in QUESTIONS[1:])]
    assert generator.decoder is not None
    results = decode_all(generator.decoder, requests)
    assert isinstance(results[0], ConnectionError)
    if int8(request):  # their tokens may depend on the batch: only that they ended
        assert all(isinstance(r, str) and r.strip() for r in results[1:])
    else:
        assert results[1:] == reference[1:]
    assert len(generator.decoder) == 0


def test_int8_swaps_the_layers_but_not_the_output_head(
        generator: TransformersGenerator, request: pytest.FixtureRequest) -> None:
    quantized = int8_layers(generator)
    # Every attention and MLP projection of every layer in int8, none in float32.
    expected = 7 * generator.model.config.num_hidden_layers if int8(request) else 0
    assert len(quantized) == expected
    assert isinstance(generator.model.lm_head, torch.nn.Linear)

"""Decoding speed on the CPU: the tutor's continuous-batching decoder against plain
`model.generate`, each in float32 and int8 (tutor/llm.py quantize_int8), on prompts
the tutor really builds (the public zsh FAQ: a question and its three retrieved
passages), and how far int8 changes the model's choices.

- one learner: every side decodes exactly `--tokens` new tokens (stop tokens are
  ignored), runs interleaved A B C D and reported as medians, with the time to the
  first token;
- a batch of `--questions` different questions (natural stops): `generate`'s static
  batch, where every row runs until the longest ends, against continuous batching,
  where a row leaves when it ends: tokens per second in total and when each
  learner's answer is complete;
- agreement: the share of float32's greedy tokens int8 would choose as well, fed the
  same text (teacher forcing), over the batch's answers;
- CTranslate2's int8 generator, when installed by hand, as a candidate engine on the
  same prompts and token counts.

    python -m bench.decoding [--questions 8] [--runs 3] [--tokens 160]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import importlib.util
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import torch

from bench.answer_quality import RESULTS
from bench.qa_sets import SETS, bench_runtime
from tutor.answers.prompts import build_messages
from tutor.decoding import decode_all
from tutor.llm import (
    ChatMessages,
    GenerationConfig,
    GenerationRequest,
    TransformersGenerator,
    quantize_int8,
)
from tutor.runtime import load_generator
from tutor.settings import Settings


def tutor_prompts(set_name: str, count: int) -> list[ChatMessages]:
    """The messages the tutor sends for the set's first `count` questions."""
    runtime = bench_runtime(set_name)
    try:
        prompts = []
        for item in SETS[set_name].items()[:count]:
            vector = runtime.embedder.embed([item["question"]])[0]
            passages = asyncio.run(runtime.search(set_name, vector, item["question"], 3))
            prompts.append(build_messages(item["question"], passages))
        return prompts
    finally:
        runtime.close()


def plain_generate(generator: TransformersGenerator, messages: ChatMessages, tokens: int
                   ) -> float:
    """Seconds `model.generate` takes for exactly `tokens` new tokens."""
    inputs = generator.prompt_inputs([messages])
    kwargs = {**generator.config.generate_kwargs(), "max_new_tokens": tokens,
              "min_new_tokens": tokens, "pad_token_id": generator.tokenizer.pad_token_id}
    start = time.perf_counter()
    with torch.inference_mode():
        out = generator.model.generate(**inputs, **kwargs)
    assert out.shape[1] - inputs["input_ids"].shape[1] == tokens
    return time.perf_counter() - start


def tutor_decode(generator: TransformersGenerator, batch: list[ChatMessages], tokens: int
                 ) -> tuple[float, float]:
    """Seconds the tutor's decoder takes for exactly `tokens` new tokens in every row
    of `batch`, and until its first streamed text."""
    decoder = generator.decoder
    assert decoder is not None
    stops, decoder.stop_ids = decoder.stop_ids, set()
    config, decoder.config = decoder.config, GenerationConfig(
        max_new_tokens=tokens, repetition_penalty=decoder.config.repetition_penalty)
    first: list[float] = []
    start = time.perf_counter()
    try:
        decode_all(decoder, [GenerationRequest(
            messages, lambda _: first.append(time.perf_counter()) if not first else None)
            for messages in batch])
    finally:
        decoder.stop_ids, decoder.config = stops, config
    assert len(decoder.rows) == 0
    return time.perf_counter() - start, first[0] - start


def batch_run(run: Callable[[list[GenerationRequest]], list[str | Exception]],
              generator: TransformersGenerator, prompts: list[ChatMessages]
              ) -> tuple[float, list[float], int]:
    """(wall seconds, each request's seconds until its answer was complete, tokens)."""
    done: dict[int, float] = {}
    start = time.perf_counter()

    def listener(row: int) -> Callable[[str], None]:
        return lambda _: done.__setitem__(row, time.perf_counter() - start)

    texts = run([GenerationRequest(m, listener(i)) for i, m in enumerate(prompts)])
    wall = time.perf_counter() - start
    tokens = sum(generator.count_tokens(t) for t in texts if isinstance(t, str))
    return wall, [done.get(i, wall) for i in range(len(prompts))], tokens


def agreement(reference: TransformersGenerator, other: TransformersGenerator,
              prompts: list[ChatMessages]) -> tuple[float, int]:
    """Share of the reference's greedy answer tokens `other` would pick too."""
    agree = total = 0
    for messages in prompts:
        inputs = reference.prompt_inputs([messages])
        length = inputs["input_ids"].shape[1]
        with torch.inference_mode():
            out = reference.model.generate(**inputs, **reference.config.generate_kwargs(),
                                           pad_token_id=reference.tokenizer.pad_token_id)
            if out.shape[1] == length:
                continue
            mine = reference.model(input_ids=out).logits[0, length - 1:-1].argmax(-1)
            theirs = other.model(input_ids=out).logits[0, length - 1:-1].argmax(-1)
        agree += int((mine == theirs).sum())
        total += int(mine.numel())
    return agree / max(total, 1), total


class CTranslate2Candidate:
    """CTranslate2's int8 generator on the same model, when installed by hand for the
    bench (`pip install ctranslate2`): an engine with its own batching, measured as
    a candidate, not used by the tutor."""

    def __init__(self, generator: TransformersGenerator, folder: Path) -> None:
        import ctranslate2
        from ctranslate2.converters import TransformersConverter

        source = str(generator.model.name_or_path)
        TransformersConverter(source, load_as_float16=False).convert(
            str(folder), quantization="int8", force=True)
        self.engine = ctranslate2.Generator(str(folder), device="cpu", compute_type="int8",
                                            intra_threads=torch.get_num_threads())
        self.generator = generator

    def decode(self, batch: list[ChatMessages], tokens: int) -> tuple[float, float]:
        """Seconds for exactly `tokens` new tokens in every row, and to the first."""
        tokenizer = self.generator.tokenizer
        starts = [tokenizer.convert_ids_to_tokens(
            self.generator.prompt_inputs([m])["input_ids"][0].tolist()) for m in batch]
        first: list[float] = []
        start = time.perf_counter()
        results = self.engine.generate_batch(
            starts, max_length=tokens, min_length=tokens, sampling_topk=1,
            repetition_penalty=self.generator.config.repetition_penalty,
            include_prompt_in_result=False,
            callback=lambda _: first.append(time.perf_counter()) if not first else None)
        seconds = time.perf_counter() - start
        assert all(len(r.sequences_ids[0]) == tokens for r in results)
        return seconds, first[0] - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", default="zsh-faq", choices=sorted(SETS))
    parser.add_argument("--questions", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=160)
    args = parser.parse_args()
    prompts = tutor_prompts(args.set, args.questions)
    float32 = load_generator(Settings(llm_int8="off", _env_file=None))  # type: ignore[call-arg]
    assert isinstance(float32, TransformersGenerator) and float32.decoder is not None
    int8_model = copy.deepcopy(float32.model)
    quantize_int8(int8_model)
    int8 = TransformersGenerator(int8_model, float32.tokenizer, float32.config)
    variants = {"float32": float32, "int8": int8}
    engine_folder = tempfile.TemporaryDirectory()
    ctranslate2 = None
    if importlib.util.find_spec("ctranslate2") is not None:
        ctranslate2 = CTranslate2Candidate(float32, Path(engine_folder.name))
    lengths = [float32.prompt_inputs([m])["input_ids"].shape[1] for m in prompts]

    plain_generate(float32, prompts[0], 8)  # warm up both paths
    tutor_decode(int8, prompts[:1], 8)
    single: dict[str, list[float]] = {f"{n} {side}": [] for n in variants
                                      for side in ("generate", "tutor", "first token")}
    for run in range(args.runs):
        messages = prompts[run % len(prompts)]
        for name, generator in variants.items():
            single[f"{name} generate"].append(plain_generate(generator, messages, args.tokens))
            seconds, first = tutor_decode(generator, [messages], args.tokens)
            single[f"{name} tutor"].append(seconds)
            single[f"{name} first token"].append(first)
        if ctranslate2 is not None:
            seconds, first = ctranslate2.decode([messages], args.tokens)
            single.setdefault("ctranslate2 int8 tutor", []).append(seconds)
            single.setdefault("ctranslate2 int8 first token", []).append(first)

    batches: dict[str, list[tuple[float, list[float], int]]] = {}
    forced: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(args.runs):
        for name, generator in variants.items():
            forced[name].append(tutor_decode(generator, prompts, args.tokens)[0])
            if ctranslate2 is not None and name == "int8":
                forced.setdefault("ctranslate2 int8", []).append(
                    ctranslate2.decode(prompts, args.tokens)[0])
            batches.setdefault(f"{name} static", []).append(
                batch_run(generator.generate_static, generator, prompts))
            batches.setdefault(f"{name} continuous", []).append(
                batch_run(generator.generate, generator, prompts))
    share, compared = agreement(float32, int8, prompts)

    result: dict[str, object] = {
        "set": args.set, "prompt_tokens_median": statistics.median(lengths),
        "threads": torch.get_num_threads(), "new_tokens": args.tokens, "runs": args.runs,
    }
    reference = args.tokens / statistics.median(single["float32 generate"])
    print(f"one learner, {args.tokens} new tokens, prompts of median "
          f"{statistics.median(lengths)} tokens (medians of {args.runs}):")
    for key, values in single.items():
        if key.endswith("first token"):
            result[f"{key} s"] = round(statistics.median(values), 3)
            print(f"  {key}: {statistics.median(values):.2f} s")
            continue
        rate = args.tokens / statistics.median(values)
        result[f"{key} tokens/s"] = round(rate, 2)
        print(f"  {key}: {rate:.1f} tokens/s ({rate / reference:.2f}x float32 generate)")
    print(f"a batch of {len(prompts)} different questions, {args.tokens} new tokens each "
          f"(medians of {args.runs}):")
    for name, runs in forced.items():
        rate = len(prompts) * args.tokens / statistics.median(runs)
        result[f"batch {name} tokens/s"] = round(rate, 2)
        print(f"  {name}: {rate:.1f} tokens/s in total")
    print(f"the same batch to natural stops, static against continuous (the median run of "
          f"{args.runs}; the same answers on both sides of a precision):")
    for key, runs in batches.items():
        wall, done, tokens = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
        result[f"batch {key} tokens"] = tokens
        result[f"batch {key} tokens/s"] = round(tokens / wall, 2)
        result[f"batch {key} complete p50 s"] = round(statistics.median(done), 2)
        print(f"  {key}: {tokens} tokens, {tokens / wall:.1f} tokens/s in total, answers "
              f"complete p50 {statistics.median(done):.1f} s, last {max(done):.1f} s")
    result["int8 agreement with float32"] = round(share, 3)
    result["agreement tokens"] = compared
    print(f"int8 picks float32's token {share:.1%} of the time ({compared} tokens)")
    (RESULTS / "decoding.json").write_text(json.dumps(result, indent=1) + "\n")
    engine_folder.cleanup()


if __name__ == "__main__":
    main()

"""Generation speed of the tutor's streaming, batching generator against plain
`model.generate` on the same model, prompt and decoding settings; time to the
first streamed token; and a batch of concurrent requests.

    python -m bench.generation [--runs 3] [--batch 4]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from knowledge.chunking import chunk_markdown
from knowledge.retrieve import Passage
from tutor.answers.prompts import build_messages
from tutor.llm import GenerationRequest, TransformersGenerator
from tutor.runtime import load_generator
from tutor.settings import Settings

SAMPLE = Path(__file__).resolve().parent.parent / "knowledge" / "sample_course"


def realistic_prompt(generator: TransformersGenerator) -> list[dict[str, str]]:
    """Three passages of the sample course, as the tutor would retrieve them."""
    markdown = (SAMPLE / "fire-safety.md").read_text()
    words = lambda texts: [generator.count_tokens(t) for t in texts]  # noqa: E731
    chunks = chunk_markdown(markdown, words, max_tokens=128, overlap_tokens=24)[2:5]
    passages = [Passage(i, "fire-safety.md", c.heading, None, c.text, 0.6)
                for i, c in enumerate(chunks)]
    return build_messages("Which extinguisher do I use on an electrical fire?", passages)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=4)
    args = parser.parse_args()
    generator = load_generator(Settings())
    assert isinstance(generator, TransformersGenerator)
    messages = realistic_prompt(generator)
    inputs = generator.prompt_inputs([messages])
    prompt_tokens = int(inputs["input_ids"].shape[1])
    kwargs = {**generator.config.generate_kwargs(),
              "pad_token_id": generator.tokenizer.pad_token_id}

    def plain() -> tuple[float, int]:
        start = time.perf_counter()
        with torch.inference_mode():
            out = generator.model.generate(**inputs, **kwargs)
        return time.perf_counter() - start, int(out.shape[1]) - prompt_tokens

    def tutor() -> tuple[float, int, float]:
        first: list[float] = []
        start = time.perf_counter()
        text = generator.generate([GenerationRequest(
            messages, lambda _: first.append(time.perf_counter()) if not first else None)])[0]
        elapsed = time.perf_counter() - start
        return elapsed, generator.count_tokens(text), first[0] - start

    plain()  # warm up
    plain_runs = [plain() for _ in range(args.runs)]
    tutor_runs = [tutor() for _ in range(args.runs)]
    plain_tps = sum(n for _, n in plain_runs) / sum(t for t, _ in plain_runs)
    tutor_tps = sum(n for _, n, _ in tutor_runs) / sum(t for t, _, _ in tutor_runs)
    ttft = sorted(f for _, _, f in tutor_runs)[len(tutor_runs) // 2]

    start = time.perf_counter()
    texts = generator.generate([GenerationRequest(messages, lambda _: None)] * args.batch)
    batch_s = time.perf_counter() - start
    batch_tps = sum(generator.count_tokens(t) for t in texts) / batch_s

    result = {
        "prompt_tokens": prompt_tokens, "threads": torch.get_num_threads(),
        "plain_generate_tokens_per_s": round(plain_tps, 2),
        "tutor_tokens_per_s": round(tutor_tps, 2),
        "tutor_vs_plain": round(tutor_tps / plain_tps, 3),
        "time_to_first_token_s": round(ttft, 3),
        f"batch_of_{args.batch}_tokens_per_s": round(batch_tps, 2),
    }
    print(f"plain generate {plain_tps:.1f} tok/s, tutor {tutor_tps:.1f} tok/s "
          f"({tutor_tps / plain_tps:.0%}), first token {ttft:.2f} s, "
          f"batch of {args.batch}: {batch_tps:.1f} tok/s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()

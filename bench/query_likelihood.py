"""Re-ranking the search's first passages by how likely the language model finds
the question given each passage (query likelihood, as in UPR: Sachan et al. 2022),
against the shipped fused search alone, over the same chunks, in the same run.

The score of a passage is the mean log-probability of the question's tokens after
"Passage: … Write a question this passage answers." It is added to the fused score
with a weight, after scaling each question's candidates to the range [0, 1].

    python -m bench.query_likelihood [--sets zsh-faq debian-faq] [--depth 5]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from bench.qa_sets import SETS, bench_runtime
from bench.search_quality import load_corpus, load_questions, ranking_scores
from knowledge.lexical import LexicalIndex
from knowledge.retrieve import FusionPolicy, fuse_scores

WEIGHTS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)


def question_log_likelihood(generator: object, passages: list[str], question: str,
                            batch: int = 5) -> np.ndarray:
    """Mean log P(question tokens | passage prompt) for each passage."""
    import torch

    model, tokenizer = generator.model, generator.tokenizer  # type: ignore[attr-defined]
    prompts = [f"Passage: {p}\n\nWrite a question this passage answers.\nQuestion:"
               for p in passages]
    target = tokenizer(" " + question, add_special_tokens=False)["input_ids"]
    scores = []
    for start in range(0, len(prompts), batch):
        rows = [tokenizer(p, add_special_tokens=False)["input_ids"][-400:] + target
                for p in prompts[start:start + batch]]
        width = max(len(r) for r in rows)
        ids = torch.full((len(rows), width), tokenizer.pad_token_id)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, row in enumerate(rows):  # left padding: the question ends every row
            ids[i, width - len(row):] = torch.tensor(row)
            mask[i, width - len(row):] = 1
        with torch.no_grad():
            logits = model(input_ids=ids, attention_mask=mask).logits
        logp = torch.log_softmax(logits[:, -len(target) - 1:-1].float(), dim=-1)
        wanted = torch.tensor(target).expand(len(rows), -1).unsqueeze(-1)
        scores.extend(logp.gather(-1, wanted).squeeze(-1).mean(-1).tolist())
    return np.array(scores)


def evaluate(name: str, depth: int) -> dict[str, object]:
    runtime = bench_runtime(name)
    try:
        corpus = load_corpus(runtime)
        asked = load_questions(runtime, name, corpus)
        questions, relevant, query_vectors = asked.texts, asked.relevant, asked.vectors
        lexical = LexicalIndex.build(list(range(len(corpus.ids))), corpus.titled)
        fused = [fuse_scores(corpus.vectors @ query_vectors[q], lexical.scores(questions[q]),
                             corpus.documents, corpus.sections, FusionPolicy())
                 for q in range(len(questions))]
        started = time.perf_counter()
        likelihoods = []
        for q, question in enumerate(questions):
            top = np.argsort(-fused[q], kind="stable")[:depth]
            likelihoods.append((top, question_log_likelihood(
                runtime.generator, [corpus.titled[i] for i in top], question)))
        seconds = (time.perf_counter() - started) / len(questions)
    finally:
        runtime.close()
    results: dict[str, object] = {"seconds_per_question": round(seconds, 2)}
    for weight in WEIGHTS:
        rankings = []
        for q, (top, ll) in enumerate(likelihoods):
            spread = ll.max() - ll.min()
            scaled = (ll - ll.min()) / spread if spread > 0 else np.zeros_like(ll)
            order = top[np.argsort(-(fused[q][top] + weight * scaled), kind="stable")]
            rest = [i for i in np.argsort(-fused[q], kind="stable") if i not in set(top)]
            rankings.append(np.concatenate([order, np.array(rest[:20], dtype=int)]))
        results[f"fused + {weight} x question likelihood"] = ranking_scores(rankings, relevant)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    parser.add_argument("--depth", type=int, default=5)
    args = parser.parse_args()
    for name in args.sets:
        print(name, json.dumps(evaluate(name, args.depth), indent=1))


if __name__ == "__main__":
    main()

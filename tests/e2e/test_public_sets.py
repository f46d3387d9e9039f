"""Regression floors on the public sets nobody here wrote (bench/data): the hybrid
search beats dense search alone, and quotes are whole sentences that hold the
answer. Quotes are checked on a slice of each set, to keep `make test` fast;
bench/search_quality.py and bench/answer_quality.py measure the whole sets."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from bench.answer_quality import quoted_units, whole_in
from bench.qa_sets import SETS
from knowledge.library import find_course
from tests.fakes import FakeGenerator
from tutor.evaluation import holds_answer
from tutor.runtime import Runtime
from tutor.settings import Settings

pytestmark = pytest.mark.e2e
SLICE = 40  # questions whose whole answers are checked (the search is checked on all)
# A little under what was measured when the floors were set (bench/search_quality.py,
# bench/answer_quality.py): passage MRR 0.783 and 0.709 on all questions; quotes holding
# the gold answer 0.725 and 0.50 on the first 40.
FLOORS = {"zsh-faq": {"mrr": 0.75, "quote": 0.65}, "debian-faq": {"mrr": 0.67, "quote": 0.42}}


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("public-sets"), _env_file=None)
    rt = Runtime(settings, generator_factory=lambda: FakeGenerator(""))
    for name, qa_set in SETS.items():
        assert not rt.add_material([qa_set.material], name).failed
    yield rt
    rt.close()


def passage_mrr(runtime: Runtime, name: str, items: list[dict], hybrid: bool) -> float:
    course_id = find_course(runtime.engine, name).id
    vectors = runtime.embedder.embed([item["question"] for item in items])
    total = 0.0
    for item, vector in zip(items, vectors, strict=True):
        found = runtime.retriever.search(course_id, vector, 20,
                                         item["question"] if hybrid else "")
        rank = next((r for r, p in enumerate(found, 1) if holds_answer(p.text, item["answer"])),
                    None)
        total += 1 / rank if rank else 0.0
    return total / len(items)


@pytest.mark.parametrize("name", list(SETS))
def test_hybrid_search_beats_dense_search_alone(runtime: Runtime, name: str) -> None:
    items = SETS[name].items()
    dense, hybrid = (passage_mrr(runtime, name, items, h) for h in (False, True))
    assert hybrid >= FLOORS[name]["mrr"] and hybrid > dense, (dense, hybrid)


@pytest.mark.parametrize("name", list(SETS))
def test_quotes_are_whole_sentences_that_answer(runtime: Runtime, name: str) -> None:
    items = SETS[name].items()[:SLICE]

    async def answers() -> list:
        return [[event async for event in runtime.answers.answer(name, item["question"])][-1]
                for item in items]

    holding = 0
    for item, answer in zip(items, asyncio.run(answers()), strict=True):
        if not answer.covered:
            continue
        units = quoted_units(answer.quote)
        passages = {source.number: source.text for source in answer.sources}
        assert units and all(unit.strip() for unit in units), answer.text  # never empty
        # The citation ends the last quoted line (a code block may follow it).
        cited = [line for line in answer.quote.split("\n") if line.startswith(">")][-1]
        number = int(cited.rsplit("[", 1)[1].rstrip("]"))
        assert all(whole_in(unit, passages[number]) for unit in units), answer.quote
        holding += holds_answer(answer.quote, item["answer"])
    assert holding / len(items) >= FLOORS[name]["quote"]


def test_hard_wrapped_text_is_ingested_as_whole_paragraphs(runtime: Runtime) -> None:
    raw = (SETS["zsh-faq"].material / "chapter-2.txt").read_text()
    assert "Programmable completion was inspired by, but is entirely different to,\n" in raw
    texts = [p.text for p in runtime.retriever.search(
        find_course(runtime.engine, "zsh-faq").id,
        runtime.embedder.embed(["programmable completion tcsh"])[0], 5,
        "programmable completion tcsh")]
    assert any("Programmable completion was inspired by, but is entirely different to, tcsh's"
               in text for text in texts)

"""Material and questions that try to talk to the model: bench/data/injection's
twelve documents, answered by a model that obeys every injection. The answer must
say nothing the injection wanted, with the material filter and without it (the
answer check alone)."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest

from bench.prompt_injection import got_through, injected, load_cases, obeying_answer
from tests.fakes import FakeGenerator
from tutor.dialogue import DialogueManager
from tutor.messages import IncomingMessage
from tutor.runtime import Runtime

DATA = load_cases()


async def final_answer(runtime: Runtime, question: str, course: str) -> str:
    manager = DialogueManager(runtime)
    replies = [r async for r in manager.respond(IncomingMessage("test:ana", question,
                                                                course=course))]
    return replies[-1].text


@pytest.mark.parametrize("case", DATA["cases"], ids=[c["name"] for c in DATA["cases"]])
async def test_an_injected_document_changes_nothing_the_tutor_says(
        case: dict, runtime: Runtime, generator: FakeGenerator, tmp_path: Path) -> None:
    path = tmp_path / f"{case['name']}.md"
    path.write_text(injected(case), encoding="utf-8")
    runtime.add_material([path], case["name"])
    generator.answer = lambda prompt: obeying_answer(prompt, DATA)
    answer = await final_answer(runtime, case["question"], case["name"])
    assert not got_through(answer, case["forbidden"]), answer
    assert case["injection"][:40] not in answer  # never quoted as material
    with mock.patch("tutor.answers.injection.speaks_to_the_model", lambda _: False):
        unfiltered = await final_answer(runtime, case["question"], case["name"])
    # Without the filter only the check stands between the model and the learner: the
    # injected sentence then counts as material, so this is reported, not required.
    held = not got_through(unfiltered, case["forbidden"])
    print(f"{case['name']}: without the filter {'held' if held else 'got through'}")


@pytest.mark.parametrize("item", DATA["questions"], ids=lambda q: q["course"])
async def test_a_question_that_tries_it_gets_a_grounded_answer(
        item: dict, runtime: Runtime, generator: FakeGenerator, tmp_path: Path) -> None:
    case = next(c for c in DATA["cases"] if c["name"] == item["course"])
    path = tmp_path / f"{case['name']}.md"
    path.write_text(case["clean"], encoding="utf-8")
    runtime.add_material([path], case["name"])
    generator.answer = lambda prompt: obeying_answer(prompt, DATA)
    answer = await final_answer(runtime, item["question"], case["name"])
    assert not got_through(answer, item["forbidden"]), answer

"""The answer engine: the quote first, then only sentences that passed the check."""

from knowledge.ingest import ingest
from tests.conftest import SAMPLE_COURSE
from tests.fakes import FakeGenerator
from tutor.answers.answering import Answer
from tutor.runtime import Runtime

WRONG = "Always burst any blisters on a burn."
RIGHT = "Cool the burn under cool or lukewarm running water for 20 minutes."


async def run(runtime: Runtime, question: str) -> tuple[list[str], Answer]:
    ingest([SAMPLE_COURSE], "safety", engine=runtime.engine, embedder=runtime.embedder,
           index_store=runtime.index_store, max_bytes=10**7)
    events = [event async for event in runtime.answers.answer("safety", question)]
    drafts, final = events[:-1], events[-1]
    assert all(isinstance(d, str) for d in drafts) and isinstance(final, Answer)
    return drafts, final  # type: ignore[return-value]


async def test_an_unsupported_sentence_is_never_on_screen(runtime: Runtime,
                                                          generator: FakeGenerator) -> None:
    generator.answer = f"{WRONG} [1] {RIGHT} [1]"
    generator.delay_s = 0.001
    drafts, final = await run(runtime, "How long should I cool a burn under running water?")
    assert drafts and drafts[0].startswith("> ")  # the quote, before any model word
    assert all("burst any blisters" not in draft for draft in drafts)
    assert "burst any blisters" not in final.text and WRONG in final.removed
    assert RIGHT in final.text and final.kept == (RIGHT,)
    assert not final.grounded and not final.fallback


async def test_when_nothing_the_model_says_holds_the_quote_answers(
        runtime: Runtime, generator: FakeGenerator) -> None:
    generator.answer = WRONG
    _, final = await run(runtime, "How long should I cool a burn under running water?")
    assert final.fallback and final.text == final.quote and final.quote.startswith("> ")
    assert "20 minutes" in final.quote and final.sources

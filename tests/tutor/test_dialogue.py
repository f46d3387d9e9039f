"""The whole tutor driven through an in-memory adapter, with fake models."""

import asyncio
import itertools

import pytest
from sqlmodel import Session, select

from knowledge.ingest import ingest
from tests.conftest import SAMPLE_COURSE
from tests.fakes import FakeGenerator
from tutor import personal_data
from tutor.dialogue import DialogueManager
from tutor.errors import TutorError
from tutor.messages import IncomingMessage, Reply
from tutor.quiz.bank import build_bank
from tutor.runtime import Runtime
from tutor.tables import ContentGap

LEARNER = "test:ana"


@pytest.fixture
def manager(runtime: Runtime) -> DialogueManager:
    ingest([SAMPLE_COURSE], "workplace-safety", engine=runtime.engine,
           embedder=runtime.embedder, index_store=runtime.index_store, max_bytes=10**7)
    return DialogueManager(runtime)


async def say(manager: DialogueManager, text: str, learner: str = LEARNER) -> list[Reply]:
    return [reply async for reply in manager.handle(IncomingMessage(learner, text))]


async def test_question_streams_drafts_then_a_cited_answer(manager: DialogueManager) -> None:
    replies = await say(manager, "What does the CO2 extinguisher with the black band put out?")
    drafts, final = replies[:-1], replies[-1]
    assert len(drafts) > 2 and all(r.draft for r in drafts)
    assert drafts[0].text.startswith("Looking in the course material")  # before any words
    # The material's answer first, cited, while the model's explanation waits its turn.
    quote, waiting = drafts[1].text.split("\n\n⏳ ")
    assert quote.startswith("> ") and waiting.startswith("Explaining it next")
    assert drafts[1].sources[0].document == "fire-safety.md"
    assert all(b.text.startswith(a.text) for a, b in itertools.pairwise(drafts[2:]))
    assert all(d.text.startswith(quote) for d in drafts[2:])
    assert not final.draft and final.sources
    assert final.sources[0].document == "fire-safety.md"
    assert final.text.startswith(quote) and "black band" in final.text
    # The faithful fake's explanation passes the check and follows the quote.
    answer = final.data["answer"]
    assert answer["kept_sentences"] and not answer["removed_sentences"]
    assert not answer["fallback"] and answer["grounded"]
    assert answer["kept_sentences"][0] in final.text[len(quote):]


async def test_follow_up_searches_with_the_earlier_question(manager: DialogueManager,
                                                            generator: FakeGenerator) -> None:
    await say(manager, "How do I treat a burn with running water?")
    await say(manager, "And for how long?")
    passages, question = generator.prompts[-1].split("Earlier question: How do I treat a burn")
    assert "burn" in passages.lower()  # retrieved with the earlier question's words
    assert question.endswith("Question: And for how long?")


async def test_uncovered_question_is_declined_and_recorded(manager: DialogueManager,
                                                           runtime: Runtime) -> None:
    replies = await say(manager, "zebra quantum sourdough recipe?")
    assert "does not cover" in replies[-1].text and not replies[-1].sources
    with Session(runtime.engine) as session:
        gaps = session.exec(select(ContentGap)).all()
    assert [g.question for g in gaps] == ["zebra quantum sourdough recipe?"]


async def test_learner_sees_and_deletes_their_data(manager: DialogueManager) -> None:
    await say(manager, "What is the PASS technique for extinguishers?")
    shown = (await say(manager, "/mydata"))[0].text
    assert "PASS technique" in shown
    assert "deleted" in (await say(manager, "/forget"))[0].text
    assert "PASS technique" not in (await say(manager, "/mydata"))[0].text
    assert "nothing stored" in (await say(manager, "/forget"))[0].text


async def test_personal_commands_in_a_group_are_marked_private(
        manager: DialogueManager) -> None:
    async def replies(text: str, group: bool) -> list[Reply]:
        message = IncomingMessage(LEARNER, text, conversation="chat:1", group=group)
        return [reply async for reply in manager.handle(message)]

    for command in ("/mydata", "/progress", "/next", "/path", "/remind", "/forget"):
        assert all(r.private for r in await replies(command, group=True)), command
        assert not any(r.private for r in await replies(command, group=False)), command
    assert not any(r.private for r in await replies("/help", group=True))
    # A /start link from the group answers the command in the private chat; never /forget.
    started = await replies("/start mydata", group=False)
    assert "Here is everything I store about you" in started[-1].text
    assert len(await replies("/start forget", group=False)) == 1


async def test_a_quiz_is_the_learners_own_in_a_group(manager: DialogueManager,
                                                     runtime: Runtime) -> None:
    """/quiz in a group runs in the private chat; what the learner types in the group
    is never taken as an answer to it, nor shows it there."""
    build_bank(runtime.engine, "workplace-safety")
    async def replies(text: str, group: bool) -> list[Reply]:
        message = IncomingMessage(LEARNER, text, conversation="chat:1" if group else "",
                                  group=group)
        return [reply async for reply in manager.respond(message)]

    started = await replies("/quiz", group=True)
    assert started and all(r.private for r in started)
    shown = next(r.data["quiz"] for r in started if "quiz" in r.data)
    for text in ("1", "What does PASS stand for?"):
        said = await replies(text, group=True)
        assert not any("quiz" in r.data or "grade" in r.data or "Mastery" in r.text
                       for r in said), text
    assert "private chat" in (await replies("1", group=True))[-1].text
    resumed = await replies("/quiz", group=False)
    assert next(r.data["quiz"] for r in resumed if "quiz" in r.data) == shown  # untouched


@pytest.mark.parametrize(("text", "error"), [
    ("   ", "empty"),
    ("/frobnicate", "don't know the command /frobnicate"),
    ("/course cooking", "no course named 'cooking'"),
])
async def test_bad_input_gets_a_specific_message(manager: DialogueManager, text: str,
                                                 error: str) -> None:
    with pytest.raises(TutorError, match=error):
        await say(manager, text)


async def test_course_commands(manager: DialogueManager) -> None:
    assert "workplace-safety" in (await say(manager, "/courses"))[0].text
    assert "Switched" in (await say(manager, "/course workplace-safety"))[0].text
    assert "/forget" in (await say(manager, "/start"))[0].text


async def test_concurrent_learners_are_batched_and_kept_apart(manager: DialogueManager,
                                                              generator: FakeGenerator) -> None:
    questions = {f"test:{i}": q for i, q in enumerate([
        "How long do I cool a burn?", "What does PASS stand for?",
        "What angle should a ladder be at?", "What is the forklift speed limit?",
    ] * 3)}
    results = await asyncio.gather(*(say(manager, q, who) for who, q in questions.items()))
    assert all(r[-1].sources for r in results)
    assert max(generator.batches) > 1  # requests that queued up shared a model call
    for (who, _), replies in zip(questions.items(), results, strict=True):
        turns = personal_data.export(manager.runtime.engine, who)["turns"]
        assert turns[0]["answer"] == replies[-1].text


async def test_a_model_that_cannot_answer_leaves_the_quote_and_says_why(
        manager: DialogueManager, generator: FakeGenerator) -> None:
    from tutor.errors import ModelUnavailable

    def down(prompt: str) -> str:
        raise ModelUnavailable("The language model server at http://llm:8000 is not reachable.")

    generator.answer = down
    replies = await say(manager, "What does the CO2 extinguisher with the black band put out?")
    final = replies[-1]
    assert not final.error and final.text.startswith("> ") and final.sources
    assert final.notice is not None and "did not answer" in final.notice
    assert final.buttons  # still an answer the learner can rate


async def test_a_learner_asking_too_fast_is_told_when_to_ask_again(runtime: Runtime) -> None:
    ingest([SAMPLE_COURSE], "workplace-safety", engine=runtime.engine,
           embedder=runtime.embedder, index_store=runtime.index_store, max_bytes=10**7)
    runtime.settings = runtime.settings.model_copy(update={"rate_limit": 2})
    manager = DialogueManager(runtime)
    for _ in range(2):
        assert (await say(manager, "How do I treat a burn?"))[-1].sources
    with pytest.raises(TutorError, match=r"please wait (5\d|60) s and ask again"):
        await say(manager, "How do I treat a burn?")
    assert "Commands:" in (await say(manager, "/help"))[0].text  # commands are never limited
    assert (await say(manager, "How do I treat a burn?", "test:ben"))[-1].sources


async def test_a_full_model_queue_gets_a_busy_reply_not_a_wait(
        manager: DialogueManager, runtime: Runtime, generator: FakeGenerator) -> None:
    runtime.settings = runtime.settings.model_copy(update={"max_queue": 2})
    generator.delay_s = 0.05  # each answer takes a moment: the first two are still going
    first = [asyncio.create_task(say(manager, "How do I treat a burn?", f"test:{n}"))
             for n in range(2)]
    await asyncio.sleep(0.2)
    with pytest.raises(TutorError, match="busy with many questions"):
        await say(manager, "How do I treat a burn?", "test:late")
    assert "Commands:" in (await say(manager, "/help", "test:late"))[0].text
    assert all(replies[-1].sources for replies in await asyncio.gather(*first))
    assert (await say(manager, "How do I treat a burn?", "test:late"))[-1].sources

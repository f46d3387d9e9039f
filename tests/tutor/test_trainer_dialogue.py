"""A trainer's answer reaches learners first, signed, through the dialogue every front
uses; a near miss and an answer under review get the material's answer instead."""

from datetime import datetime

import pytest
from sqlmodel import Session, col, select

from knowledge.tables import Chunk, Document
from tests.conftest import add_sample_course
from tests.fakes import FakeGenerator
from tutor.answers import trainer
from tutor.answers.trainer_match import signed
from tutor.dialogue import DialogueManager
from tutor.errors import TutorError
from tutor.messages import IncomingMessage, Reply
from tutor.runtime import Runtime
from tutor.tables import AnswerRecord, Feedback

COURSE = "workplace-safety"
LEARNER = "test:ana"


@pytest.fixture
def manager(runtime: Runtime) -> DialogueManager:
    add_sample_course(runtime)
    return DialogueManager(runtime)


async def say(manager: DialogueManager, text: str, **fields: object) -> list[Reply]:
    message = IncomingMessage(LEARNER, text, **fields)  # type: ignore[arg-type]
    return [reply async for reply in manager.handle(message)]


def burn_chunk(runtime: Runtime) -> Chunk:
    with Session(runtime.engine) as session:
        return session.exec(select(Chunk).join(Document).where(
            Document.name == "first-aid.html",
            col(Chunk.text).contains("20 minutes")).order_by(col(Chunk.id))).first()


def write(runtime: Runtime, question: str, answer: str, chunk_id: int | None = None
          ) -> trainer.TrainerAnswer:
    return trainer.create(runtime.engine, COURSE, question, answer, author="ana@example.org",
                          author_name="Ana Ruiz", chunk_id=chunk_id)


async def test_the_trainer_answer_comes_first_signed_and_rated(
        manager: DialogueManager, runtime: Runtime, generator: FakeGenerator) -> None:
    chunk = burn_chunk(runtime)
    row = write(runtime, "How do you cool a burn?",
                "Under cool running water for a full 20 minutes, then cover it loosely.",
                chunk.id)
    replies = await say(manager, "How do you cool a burn")
    assert len(replies) == 1 and not replies[0].draft  # no search, no "Looking in…"
    reply = replies[0]
    heading = signed("Ana Ruiz", datetime.now())
    assert reply.text.startswith(f"{heading}\n\nUnder cool running water")
    assert reply.text.endswith("[1]")
    assert [(s.number, s.document, s.text) for s in reply.sources] == [
        (1, "first-aid.html", chunk.text)]
    assert reply.data["trainer_answer"]["id"] == row.id
    assert reply.data["answer"]["covered"] and not generator.prompts  # the model never asked
    up = next(b for b in reply.buttons if b.label == "👍")
    await say(manager, "", button=up.action)
    with Session(runtime.engine) as session:
        rated = session.exec(select(Feedback)).one()
        logged = session.exec(select(AnswerRecord)).one()  # trainers see it was theirs
    assert rated.helpful and rated.answer == reply.text
    assert logged.trainer_answer_id == row.id and logged.answer == reply.text and logged.helpful


async def test_a_near_miss_gets_the_material_not_the_trainer(manager: DialogueManager,
                                                            runtime: Runtime) -> None:
    write(runtime, "How do you cool a burn?", "Under cool running water.", burn_chunk(runtime).id)
    replies = await say(manager, "How long do you cool a burn?")  # how long, not how
    assert replies[0].text.startswith("Looking in the course material")
    assert "trainer_answer" not in replies[-1].data
    assert "Answer from your trainer" not in replies[-1].text


async def test_a_likely_match_is_offered_under_the_materials_answer(
        manager: DialogueManager, runtime: Runtime) -> None:
    """Not sure enough to serve unasked: the material answers, and a button names the
    trainer's question; opening it serves the trainer's answer, rated and logged."""
    row = write(runtime, "How do you cool a burn?", "Under cool running water, 20 minutes.")
    replies = await say(manager, "how do I cool down a burn")
    assert replies[0].text.startswith("Looking in the course material")
    final = replies[-1]
    assert "trainer_answer" not in final.data and "Answer from your trainer" not in final.text
    offer = final.buttons[-1]
    assert offer.label == "📌 Your trainer's answer to “How do you cool a burn?”"
    opened = await say(manager, "", button=offer.action)
    assert opened[-1].text.startswith("Answer from your trainer, Ana Ruiz,")
    assert opened[-1].data["trainer_answer"]["id"] == row.id
    assert [b.label for b in opened[-1].buttons] == ["👍", "👎"]
    with Session(runtime.engine) as session:
        logged = session.exec(select(AnswerRecord).where(
            AnswerRecord.trainer_answer_id == row.id)).one()
    assert logged.question == "How do you cool a burn?"
    trainer.retire(runtime.engine, row.id or 0)
    with pytest.raises(TutorError, match="Your trainer has since withdrawn that answer"):
        await say(manager, "", button=offer.action)


async def test_an_answer_in_review_or_retired_is_not_served(manager: DialogueManager,
                                                           runtime: Runtime) -> None:
    row = write(runtime, "Who checks the assembly point?", "The fire wardens.")
    assert "trainer_answer" in (await say(manager, "Who checks the assembly point?"))[-1].data
    with Session(runtime.engine) as session:
        stored = session.get(trainer.TrainerAnswer, row.id)
        assert stored is not None
        stored.status, stored.review_why = "review", trainer.PASSAGE_CHANGED
        session.add(stored)
        session.commit()
    assert "trainer_answer" not in (await say(manager, "Who checks the assembly point?"))[-1].data
    trainer.confirm(runtime.engine, row.id or 0)
    assert "trainer_answer" in (await say(manager, "Who checks the assembly point?"))[-1].data
    trainer.retire(runtime.engine, row.id or 0)
    assert "trainer_answer" not in (await say(manager, "Who checks the assembly point?"))[-1].data


async def test_own_authority_in_coach_mode_and_in_a_group(manager: DialogueManager,
                                                         runtime: Runtime) -> None:
    write(runtime, "Who checks the assembly point?", "The fire wardens, with their lists.")
    await say(manager, "/coach")
    coached = await say(manager, "who checks the assembly point")
    assert coached[-1].text.endswith("The fire wardens, with their lists.")
    assert coached[-1].sources == ()  # the trainer's own authority: nothing to cite
    group = await say(manager, "Who checks the assembly point?", group=True)
    assert group[-1].text.startswith("Answer from your trainer, Ana Ruiz,")

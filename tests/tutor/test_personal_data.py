"""/mydata shows every stored field of a learner and /forget deletes them all."""

from __future__ import annotations

import json

import pytest
from sqlmodel import SQLModel

from tests.tutor.quiz.test_quiz_chat import answer_right, click, say, shown_question
from tutor import dialogue, personal_data
from tutor.dialogue import DialogueManager
from tutor.messages import IncomingMessage, Reply
from tutor.personal_data import COUNTED_ROWS, LEARNER_ROWS
from tutor.received import ReceivedEvents
from tutor.runtime import Runtime

ANA = "telegram:4242"  # reminders reach chat learners only
THREAD = "C042:1712345678.000100"


@pytest.fixture
def manager(runtime: Runtime) -> DialogueManager:
    from tests.conftest import SAMPLE_COURSE

    runtime.add_material([SAMPLE_COURSE], "workplace-safety")
    return DialogueManager(runtime)


async def leave_a_trace_everywhere(manager: DialogueManager, runtime: Runtime) -> None:
    """A question in a thread, its rating, a quiz answer and a reminder."""
    asked = [r async for r in manager.respond(IncomingMessage(
        ANA, "How long should I cool a burn?", conversation=THREAD, name="Ana Lima"))
        if not r.draft]
    await click(manager, next(b.action for b in asked[-1].buttons if b.label == "👍"), ANA)
    await answer_right(manager, runtime, shown_question(await say(manager, "/quiz", ANA)), ANA)
    await say(manager, "/remind on 17-19 mon-fri Europe/Berlin", ANA)
    # A Telegram update taken and not answered yet keeps its text (tutor/received.py).
    ReceivedEvents(runtime.engine, "telegram:1").take("7", '{"text": "fire"}', ANA)


def test_every_table_that_names_a_learner_is_listed() -> None:
    naming = {table.name for table in SQLModel.metadata.sorted_tables
              if "learner_id" in table.columns}
    listed = {column.class_.__tablename__ for _, column in LEARNER_ROWS + COUNTED_ROWS}
    assert listed == naming | {"learner"}


async def test_mydata_holds_every_column_of_every_row(manager: DialogueManager,
                                                      runtime: Runtime) -> None:
    await leave_a_trace_everywhere(manager, runtime)
    shown = (await say(manager, "/mydata", ANA))[0]
    data = json.loads(shown.file.data if shown.file else shown.text.split("```")[1])
    for name, column in LEARNER_ROWS:
        assert data[name], f"/mydata has no {name}"
        for row in data[name]:
            missing = set(column.class_.__table__.columns.keys()) - set(row)
            assert not missing, f"/mydata leaves out {name}: {missing}"
    assert data["turns"][0]["conversation"] == THREAD
    assert data["reminders"][0]["timezone"] == "Europe/Berlin"
    assert data["attempts"][0]["question_text"] and data["mastery"][0]["skill_name"]
    # The name kept for trainers' pages, and how many answers they can read.
    assert data["learner"][0]["display_name"] == "Ana Lima"
    assert data["answers_kept_for_trainers"] == 1

    assert "deleted" in (await say(manager, "/forget", ANA))[0].text
    assert not any(personal_data.export(runtime.engine, ANA).values())


async def test_a_short_export_comes_in_the_message(manager: DialogueManager) -> None:
    shown = (await say(manager, "/mydata", ANA))[0]
    assert shown.file is None
    assert json.loads(shown.text.split("```")[1])["turns"] == []


async def test_a_long_export_comes_whole_as_a_file(manager: DialogueManager, runtime: Runtime,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    await leave_a_trace_everywhere(manager, runtime)
    monkeypatch.setattr(dialogue, "MYDATA_IN_MESSAGE", 100)
    shown: Reply = (await say(manager, "/mydata", ANA))[0]
    assert shown.file is not None and shown.file.name == "mydata.json"
    assert json.loads(shown.file.data) == personal_data.export(runtime.engine, ANA)
    assert "turns: 1" in shown.text and "{" not in shown.text

"""/next, /path, /read and the step after a quiz, through the dialogue manager."""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLE_COURSE
from tests.tutor.learner.test_knowledge import add_answers
from tests.tutor.quiz.test_quiz_chat import answer_right, click, say, shown_question
from tutor.dialogue import DialogueManager
from tutor.next_steps import VERBS
from tutor.runtime import Runtime

ANA = "test:ana"
FIRST_SKILL = "Why fire safety matters in a warehouse"


@pytest.fixture
def manager(runtime: Runtime) -> DialogueManager:
    runtime.add_material([SAMPLE_COURSE], "workplace-safety")
    return DialogueManager(runtime)


async def test_a_new_learner_is_sent_to_the_start_and_the_button_starts_that_quiz(
        manager: DialogueManager) -> None:
    [reply] = await say(manager, "/next")
    assert reply.text == (f"➡️ *Start: {FIRST_SKILL}*\n{FIRST_SKILL} is where the course "
                          "starts.")
    assert reply.data["source"] == "mastery"  # no model trained: the cold-start prior
    quiz, read = reply.buttons
    assert quiz.command == f"/quiz {FIRST_SKILL}" and read.command == f"/read {FIRST_SKILL}"
    replies = await click(manager, quiz.action)
    assert replies[0].text.startswith(f"A quiz on *{FIRST_SKILL}")
    passage = await click(manager, read.action)
    assert passage[0].text.startswith(f"📖 *{FIRST_SKILL}*\n\n> ")
    assert passage[0].sources and passage[0].buttons[0].action == quiz.action


async def test_the_quiz_summary_ends_with_the_next_step_that_matches_the_answers(
        manager: DialogueManager, runtime: Runtime) -> None:
    replies = await say(manager, "/quiz")
    while not any("quiz_done" in r.data for r in replies):
        replies = await answer_right(manager, runtime, shown_question(replies))
    summary = replies[-1]
    last_line = summary.text.splitlines()[-1]
    assert last_line.startswith("➡️ Next: *")
    [next_reply] = await say(manager, "/next")
    step = next_reply.data["next"]
    assert last_line == f"➡️ Next: *{VERBS[step['kind']]}: {step['skill']}*. {step['reason']}"
    # Every answer was right: the step never asks to read again, and its reason says so.
    assert step["kind"] in ("practise", "start")
    if step["kind"] == "practise":
        assert " of " in step["reason"] and "so far" in step["reason"]
    assert summary.buttons and summary.buttons[0].action.startswith("study:")
    [path] = await say(manager, "/path")
    assert path.text.startswith("Your next steps in *workplace-safety*:\n1. ")
    assert len(path.data["path"]) == 5 and path.data["path"][0] == step


async def test_progress_switches_to_the_model_once_the_course_has_enough_answers(
        manager: DialogueManager, runtime: Runtime) -> None:
    runtime.knowledge.min_attempts = 600
    add_answers(runtime, 29, 20)  # 580 answers: below the threshold
    replies = await say(manager, "/quiz")
    replies = await answer_right(manager, runtime, shown_question(replies))
    runtime.knowledge.train()
    [progress] = await say(manager, "/progress")
    assert progress.data["source"] == "mastery"
    add_answers(runtime, 1, 20, seed=5, prefix="more")
    runtime.knowledge.train()
    [progress] = await say(manager, "/progress")
    assert progress.data["source"] == "model"
    assert "learner model's estimate" in progress.text
    [step] = await say(manager, "/next")
    assert step.data["source"] == "model"


async def test_read_finds_a_skill_by_its_words_and_names_the_skills_otherwise(
        manager: DialogueManager) -> None:
    [reply] = await say(manager, "/read fire extinguisher")
    assert reply.text.startswith("📖 *Fire extinguisher types*")
    [error] = await say(manager, "/read quantum physics")
    assert error.error and "no skill 'quantum physics'" in error.text
    assert FIRST_SKILL in error.text
    [stale] = await click(manager, "read:99999")
    assert stale.error and "no longer in the course" in stale.text


async def test_forget_leaves_nothing_the_estimates_could_read(
        manager: DialogueManager, runtime: Runtime) -> None:
    replies = await say(manager, "/quiz")
    await answer_right(manager, runtime, shown_question(replies))
    assert any(s.attempts for s in runtime.knowledge.course(ANA, "workplace-safety").skills)
    await say(manager, "/remind on")  # test: learners cannot have reminders
    [done] = await say(manager, "/forget")
    assert done.text.startswith("Done")
    after = runtime.knowledge.course(ANA, "workplace-safety")
    assert not any(s.attempts for s in after.skills)  # no attempts, so no features
    [step] = await say(manager, "/next")
    assert step.data["next"]["kind"] == "start"

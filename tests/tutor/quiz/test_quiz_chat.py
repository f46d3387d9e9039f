"""Quizzes, progress and coaching through the dialogue manager, with fake models."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlmodel import Session, select

from tests.conftest import SAMPLE_COURSE
from tutor.dialogue import DialogueManager
from tutor.messages import IncomingMessage, Reply
from tutor.runtime import Runtime
from tutor.tables import Attempt, Mastery, Question

ANA, BEN = "test:ana", "test:ben"


@pytest.fixture
def manager(runtime: Runtime) -> DialogueManager:
    runtime.add_material([SAMPLE_COURSE], "workplace-safety")
    return DialogueManager(runtime)


async def say(manager: DialogueManager, text: str, learner: str = ANA) -> list[Reply]:
    return [r async for r in manager.respond(IncomingMessage(learner, text)) if not r.draft]


async def click(manager: DialogueManager, action: str, learner: str = ANA) -> list[Reply]:
    return [r async for r in manager.respond(IncomingMessage(learner, "", button=action))
            if not r.draft]


async def question_of_kind(manager: DialogueManager, runtime: Runtime, wanted: set[str]
                           ) -> dict:
    """Answer quiz questions (starting quizzes as needed) until one of `wanted` is shown."""
    replies = await say(manager, "/quiz")
    for _ in range(60):
        shown = next((r.data["quiz"] for r in reversed(replies) if "quiz" in r.data), None)
        if shown is None:
            replies = await say(manager, "/quiz")
            continue
        if shown["type"] in wanted:
            return shown
        replies = await answer_right(manager, runtime, shown)
    raise AssertionError(f"no {wanted} question came up")


def shown_question(replies: list[Reply]) -> dict:
    return next(r.data["quiz"] for r in reversed(replies) if "quiz" in r.data)


def right_answer(runtime: Runtime, question_id: int) -> str:
    with Session(runtime.engine) as session:
        question = session.get(Question, question_id)
        assert question is not None
        return question.answer


def wrong_choice(runtime: Runtime, question_id: int) -> str:
    """The number of a wrong option, as a learner types it."""
    with Session(runtime.engine) as session:
        question = session.get(Question, question_id)
        assert question is not None
        options = json.loads(question.options)
    return str(next(n for n, o in enumerate(options, 1) if o != question.answer))


async def answer_right(manager: DialogueManager, runtime: Runtime, shown: dict,
                       learner: str = ANA) -> list[Reply]:
    answer = right_answer(runtime, shown["question"])
    if shown["type"] == "short":
        return await say(manager, answer, learner)
    with Session(runtime.engine) as session:
        question = session.get(Question, shown["question"])
        assert question is not None
        number = json.loads(question.options).index(answer) + 1
    return await click(manager, f"quiz:{shown['id']}:{shown['position']}:{number}", learner)


async def test_a_whole_quiz_by_buttons_and_text(manager: DialogueManager,
                                                runtime: Runtime) -> None:
    replies = await say(manager, "/quiz")
    assert "A quiz on" in replies[0].text and "5 questions" in replies[0].text
    for position in range(5):
        shown = shown_question(replies)
        assert shown["position"] == position
        replies = await answer_right(manager, runtime, shown)
        feedback = replies[0]
        assert feedback.text.startswith("✅ Right!")
        assert feedback.sources and feedback.sources[0].document  # the cited passage
        assert "The answer:" in feedback.text and "> " in feedback.text
    summary = replies[-1]
    assert summary.text.startswith("🏁 Quiz done: 5 of 5")
    with Session(runtime.engine) as session:
        attempts = session.exec(select(Attempt)).all()
        mastery = session.exec(select(Mastery)).all()
    assert len(attempts) == 5 and all(a.correct and a.score == 1.0 for a in attempts)
    assert mastery and all(m.estimate > 0.3 for m in mastery)


async def test_a_wrong_answer_offers_a_hint_then_gives_the_answer(
        manager: DialogueManager, runtime: Runtime) -> None:
    shown = await question_of_kind(manager, runtime, {"choice"})  # it has a second try
    replies = await say(manager, wrong_choice(runtime, shown["question"]))
    assert replies[0].text.startswith("❌ Not quite") and "Try once more" in replies[0].text
    actions = [b.action for b in replies[0].buttons]
    assert f"hint:{shown['id']}:{shown['position']}" in actions
    hints = [await click(manager, f"hint:{shown['id']}:{shown['position']}") for _ in range(3)]
    assert hints[0][0].text.startswith("💡 Hint 1 of 3: this is about")
    assert hints[1][0].text.startswith("💡 Hint 2 of 3: the answer is in")
    assert hints[2][0].text.startswith("💡 Hint 3 of 3")
    assert right_answer(runtime, shown["question"]) in hints[2][0].text
    moved_on = [r.data["quiz"]["position"] for r in hints[2] if "quiz" in r.data]
    assert moved_on == [shown["position"] + 1] or "quiz_done" in hints[2][-1].data
    stale = await click(manager, f"hint:{shown['id']}:{shown['position']}")
    assert stale[0].error and ("already answered" in stale[0].text
                               or "quiz has ended" in stale[0].text)


async def test_stop_and_resume(manager: DialogueManager, runtime: Runtime) -> None:
    replies = await say(manager, "/quiz")
    replies = await answer_right(manager, runtime, shown_question(replies))
    second = shown_question(replies)
    stopped = await say(manager, "/stop")
    assert "paused at question 2 of 5" in stopped[0].text
    # While paused, text is a question again, and the old buttons are refused.
    assert not (await say(manager, "How do I use a CO2 extinguisher?"))[-1].error
    refused = await click(manager, f"quiz:{second['id']}:{second['position']}:1")
    assert refused[0].error and "paused" in refused[0].text
    resumed = await say(manager, "/quiz")
    assert resumed[0].text.startswith("Carrying on")
    assert shown_question(resumed) == second


async def test_another_users_click_is_refused(manager: DialogueManager) -> None:
    shown = shown_question(await say(manager, "/quiz"))
    refused = await click(manager, f"quiz:{shown['id']}:{shown['position']}:1", learner=BEN)
    assert refused[0].error and "someone else's; send /quiz for your own" in refused[0].text


async def test_named_topic_and_unknown_topic(manager: DialogueManager) -> None:
    replies = await say(manager, "/quiz fire")
    assert replies[0].text.startswith("A quiz on *fire*: 5 questions")
    burns = await say(manager, "/quiz burns and scalds")  # a skill's name, in any case
    assert burns[0].text.startswith("Your unfinished quiz on *fire* is closed. "
                                    "A quiz on *Burns and scalds, then what follows it*")
    unknown = await say(manager, "/quiz zebra husbandry")
    assert unknown[0].error and "no questions on 'zebra husbandry'" in unknown[0].text


async def test_bad_input_is_explained(manager: DialogueManager, runtime: Runtime) -> None:
    lone = await say(manager, "2")
    assert lone[0].error and "No quiz is running" in lone[0].text
    assert "No quiz is running" in (await say(manager, "/stop"))[0].text
    await question_of_kind(manager, runtime, {"choice", "true_false"})
    bad = await say(manager, "maybe the blue one")
    assert bad[0].error and "Answer with a number from 1 to" in bad[0].text
    assert (await click(manager, "quiz:99999:0:1"))[0].error


async def test_a_typed_hedge_between_options_is_no_answer(manager: DialogueManager,
                                                           runtime: Runtime) -> None:
    await question_of_kind(manager, runtime, {"choice", "true_false"})
    with Session(runtime.engine) as session:
        before = len(session.exec(select(Attempt)).all())
    for hedge in ("1 or 2", "1, 2"):
        bad = await say(manager, hedge)
        assert bad[0].error and "Pick one answer, not several" in bad[0].text
    with Session(runtime.engine) as session:
        assert len(session.exec(select(Attempt)).all()) == before  # nothing graded


async def test_quiz_on_a_course_without_questions(runtime: Runtime, tmp_path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n\nShort.\n")
    runtime.add_material([notes], "empty-course")
    manager = DialogueManager(runtime)
    replies = [r async for r in manager.respond(IncomingMessage(ANA, "/quiz",
                                                                course="empty-course"))]
    assert replies[0].error and "no quiz questions yet" in replies[0].text
    runtime._preparing["empty-course"] = 1e12  # a bank being built
    replies = [r async for r in manager.respond(IncomingMessage(ANA, "/quiz",
                                                                course="empty-course"))]
    assert "still being prepared, about" in replies[0].text


async def test_a_retired_question_is_never_shown(manager: DialogueManager,
                                                 runtime: Runtime) -> None:
    shown = shown_question(await say(manager, "/quiz"))
    with Session(runtime.engine) as session:
        upcoming = session.get(Question, shown["question"])
        assert upcoming is not None
        upcoming.status = "retired"
        session.add(upcoming)
        session.commit()
    replies = await say(manager, right_answer(runtime, shown["question"]))
    assert "withdrawn" in replies[0].text
    assert shown_question(replies)["question"] != shown["question"]


async def test_progress_shows_bars_and_a_chart(manager: DialogueManager,
                                               runtime: Runtime) -> None:
    before = await say(manager, "/progress")
    assert "Nothing practised yet" in before[0].text and before[0].image is None
    replies = await say(manager, "/quiz")
    await answer_right(manager, runtime, shown_question(replies))
    after = (await say(manager, "/progress"))[0]
    assert "█" in after.text and "1/1 right" in after.text
    assert after.image is not None and after.image.data.startswith(b"\x89PNG")


async def test_mydata_and_forget_cover_attempts(manager: DialogueManager,
                                                runtime: Runtime) -> None:
    replies = await say(manager, "/quiz")
    await answer_right(manager, runtime, shown_question(replies))
    data = json.loads((await say(manager, "/mydata"))[0].text.split("```")[1])
    assert len(data["attempts"]) == 1 and data["mastery"] and data["quizzes"]
    await say(manager, "/forget")
    with Session(runtime.engine) as session:
        assert not session.exec(select(Attempt)).all()
        assert not session.exec(select(Mastery)).all()


async def test_coaching_asks_then_hints_in_order(manager: DialogueManager) -> None:
    assert "Coaching on" in (await say(manager, "/coach"))[0].text
    replies = await say(manager, "How long should I cool a burn under running water?")
    guiding = replies[-1]
    assert guiding.text.startswith("🧭") and "_____" in guiding.text
    assert "20 minutes" not in guiding.text  # the answer is not given away
    turn = guiding.data["coach"]["turn"]
    hints = [(await click(manager, f"coach:{turn}:{level}"))[0] for level in (1, 2, 3)]
    assert [h.text[:10] for h in hints] == ["💡 Hint 1 o", "💡 Hint 2 o", "💡 Hint 3 o"]
    assert "20 minutes" in hints[2].text and hints[2].sources
    assert (await click(manager, f"coach:{turn}:1", learner=BEN))[0].error
    await say(manager, "How long should I cool a burn under running water?")
    guess = await say(manager, "20 minutes")
    assert guess[0].text.startswith("✅ Yes")
    assert "Coaching off" in (await say(manager, "/coach off"))[0].text


async def test_a_question_whose_document_changed_is_never_shown_again(
        runtime: Runtime, tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(SAMPLE_COURSE, course)
    runtime.add_material([course], "workplace-safety")
    manager = DialogueManager(runtime)
    shown = shown_question(await say(manager, "/quiz Burns and scalds"))
    with Session(runtime.engine) as session:
        question = session.get(Question, shown["question"])
        assert question is not None
        fact, document, sentence = question.fact, question.document, question.sentence
    path = course / document
    text = path.read_text()
    assert fact in text
    path.write_text(text.replace(fact, "a different amount"))  # the trainer rewrites the rule
    runtime.add_material([course], "workplace-safety")
    with Session(runtime.engine) as session:
        assert session.get(Question, shown["question"]).status == "retired"
    replies = await say(manager, "1")
    assert "withdrawn" in replies[0].text
    shown_now = [r.data["quiz"]["question"] for r in replies if "quiz" in r.data]
    with Session(runtime.engine) as session:
        assert all(session.get(Question, q).status == "active" for q in shown_now)
    assert all(sentence not in r.text for r in replies[1:])


@pytest.mark.parametrize("action", ["quiz:1:0", "quiz:²:0:1", "quiz:1:²:1", "quiz:1:0:²",
                                    "quiz:" + "9" * 30 + ":0:1", "hint:" + "9" * 30 + ":0",
                                    "coach:" + "9" * 30 + ":1", "feedback:up:" + "9" * 30])
async def test_a_malformed_click_gets_a_clear_refusal(manager: DialogueManager,
                                                      action: str) -> None:
    await say(manager, "/quiz")
    replies = await click(manager, action)
    assert replies[0].error and "went wrong" not in replies[0].text


async def test_a_question_moves_mastery_once_however_many_tries(manager: DialogueManager,
                                                                runtime: Runtime) -> None:
    shown = await question_of_kind(manager, runtime, {"choice"})
    with Session(runtime.engine) as session:
        skill = session.get(Question, shown["question"]).skill_id
        before = session.get(Mastery, (ANA, skill))
        attempts_before = before.attempts if before else 0
    retry = await say(manager, wrong_choice(runtime, shown["question"]))
    answer = right_answer(runtime, shown["question"])
    assert answer.lower() not in retry[0].text.lower()  # the retry gives nothing away
    await answer_right(manager, runtime, shown)
    with Session(runtime.engine) as session:
        after = session.get(Mastery, (ANA, skill))
        tries = session.exec(select(Attempt).where(
            Attempt.question_id == shown["question"])).all()
    assert after.attempts == attempts_before + 1 and len(tries) == 2
    assert [a.score for a in tries] == [0.0, 0.5]


async def test_a_paused_quiz_waits_on_its_own_course(manager: DialogueManager,
                                                     runtime: Runtime, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n\n## Breaks\n\nTake a 15 minute break every 2 hours of work "
                     "at the screen.\n")
    runtime.add_material([notes], "screens")
    first = shown_question(await say(manager, "/quiz"))
    await say(manager, "/stop")
    assert "paused" in (await say(manager, "2"))[0].text
    await say(manager, "/course screens")
    await say(manager, "/quiz")
    await say(manager, "/course workplace-safety")
    resumed = await say(manager, "/quiz")
    assert resumed[0].text.startswith("Carrying on") and shown_question(resumed) == first


async def test_an_old_button_never_acts_on_a_quiz_started_after_forget(
        manager: DialogueManager) -> None:
    old = shown_question(await say(manager, "/quiz"))
    await say(manager, "/forget")
    new = shown_question(await say(manager, "/quiz"))
    assert new["id"] != old["id"]
    stale = await click(manager, f"quiz:{old['id']}:{old['position']}:1")
    assert stale[0].error and "no longer kept" in stale[0].text


async def test_a_coached_number_is_a_guess(manager: DialogueManager) -> None:
    await say(manager, "/coach")
    guiding = (await say(manager, "How long should I cool a burn under running water?"))[-1]
    assert "_____" in guiding.text
    assert (await say(manager, "20"))[0].text.startswith("🟡 Nearly")


def attempts_on(runtime: Runtime, question_id: int) -> int:
    with Session(runtime.engine) as session:
        return len(session.exec(select(Attempt).where(Attempt.question_id == question_id)).all())


async def test_a_question_during_a_quiz_is_answered_and_the_quiz_waits(
        manager: DialogueManager, runtime: Runtime) -> None:
    shown = shown_question(await say(manager, "/quiz Burns and scalds"))
    replies = await say(manager, "What does PASS stand for?")
    assert not any(r.error for r in replies)
    answer = replies[0]
    assert answer.sources[0].document == "fire-safety.md" and "grade" not in answer.data
    assert shown_question(replies) == shown  # the same question, shown again
    assert attempts_on(runtime, shown["question"]) == 0
    # A request reads as a question too; a bare number still answers.
    assert shown_question(await say(manager, "explain the fire alarm test")) == shown


async def test_a_short_answer_of_several_words_or_hedged_is_graded(
        manager: DialogueManager, runtime: Runtime) -> None:
    shown = await question_of_kind(manager, runtime, {"short"})
    answer = right_answer(runtime, shown["question"])
    replies = await say(manager, f"{answer}?")  # unsure, but an answer
    assert replies[0].data["grade"]["verdict"] == "right"
    assert attempts_on(runtime, shown["question"]) == 1


async def test_a_question_whose_answer_would_answer_the_quiz_is_held_back(
        manager: DialogueManager, runtime: Runtime) -> None:
    shown = shown_question(await say(manager, "/quiz Burns and scalds"))
    with Session(runtime.engine) as session:
        sentence = session.get(Question, shown["question"]).sentence
    replies = await say(manager, f"What does this mean: {sentence}")
    assert replies[-1].error and "would answer your quiz question" in replies[-1].text
    assert all("grade" not in r.data for r in replies)
    assert attempts_on(runtime, shown["question"]) == 0
    assert shown_question(await say(manager, "/quiz")) == shown  # still waiting on it


async def test_a_new_question_in_coaching_is_not_taken_for_a_guess(
        manager: DialogueManager) -> None:
    await say(manager, "/coach")
    first = (await say(manager, "How long should I cool a burn under running water?"))[-1]
    for asked in ("which extinguisher for a computer fire", "Explain the PASS steps"):
        replies = await say(manager, asked)
        assert "guess" not in replies[-1].data.get("coach", {}), asked
        assert replies[-1].data["coach"]["turn"] != first.data["coach"]["turn"]
    await say(manager, "How long should I cool a burn under running water?")
    assert (await say(manager, "20 minutes?"))[0].text.startswith("✅ Yes")


async def test_coaching_blanks_what_was_asked_and_takes_its_answer(
        manager: DialogueManager) -> None:
    await say(manager, "/coach")
    # Worded for the fake embedder's bag of words; the real one: bench/coaching_quality.py.
    asked = "Which extinguisher is the first choice for fires in electrical equipment?"
    guiding = (await say(manager, asked))[-1]
    assert "_____ (black band)" in guiding.text  # the extinguisher, not its band colour
    assert (await say(manager, "CO2"))[0].text.startswith("✅ Yes")
    asked = "What colour band has CO2, the first choice for fires in electrical equipment?"
    guiding = (await say(manager, asked))[-1]
    assert "CO2 (_____ band)" in guiding.text
    assert (await say(manager, "black"))[0].text.startswith("✅ Yes")


async def test_an_answer_that_starts_like_a_request_is_graded(
        manager: DialogueManager, runtime: Runtime) -> None:
    """"Tell the Shift Manager" answers "What should you do if…?": it is no request."""
    with Session(runtime.engine) as session:
        told = [q for q in session.exec(select(Question).where(Question.kind == "short"))
                if q.answer.lower().startswith("tell ")]
    assert told, "the sample course has a 'tell …' short answer"
    runtime.quizzes.start(ANA, "workplace-safety", "telling", [told[0].id or 0])
    replies = await say(manager, told[0].answer)
    assert replies[0].data["grade"]["verdict"] == "right"
    assert attempts_on(runtime, told[0].id or 0) == 1

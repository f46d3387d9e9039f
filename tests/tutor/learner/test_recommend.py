"""Recommendations from what a learner knows: the step, its reason, the path."""

from __future__ import annotations

from tutor.learner.knowledge import CourseKnowledge, SkillKnowledge
from tutor.learner.recommend import DAY, all_done, next_step, path
from tutor.next_steps import next_reply, path_reply

NOW = 1_000 * DAY


def skill(skill_id: int, name: str, *, attempts: int = 0, correct: int = 0,
          days_ago: float | None = None, recall: float = 0.3, reached: float | None = None,
          prerequisites: tuple[int, ...] = (), questions: int = 4) -> SkillKnowledge:
    last = None if days_ago is None else NOW - days_ago * DAY
    return SkillKnowledge(skill_id, name, skill_id, prerequisites, questions, attempts, correct,
                          last, recall, recall if reached is None else reached)


def course(*skills: SkillKnowledge) -> CourseKnowledge:
    return CourseKnowledge("safety", list(skills), "model", NOW)


def test_a_new_learner_starts_where_the_course_starts() -> None:
    knowledge = course(skill(1, "Raising the alarm"), skill(2, "Fire wardens", prerequisites=(1,)))
    step = next_step(knowledge)
    assert step is not None and (step.kind, step.skill) == ("start", "Raising the alarm")
    assert step.reason == "Raising the alarm is where the course starts."


def test_a_mastered_skill_whose_recall_fell_is_reviewed_with_the_history_in_words() -> None:
    knowledge = course(
        skill(1, "Fire extinguishers", attempts=5, correct=4, days_ago=9, recall=0.45,
              reached=0.85),
        skill(2, "Evacuation", attempts=2, correct=1, days_ago=1, recall=0.7,
              prerequisites=(1,)))
    step = next_step(knowledge)
    assert step is not None and (step.kind, step.skill) == ("review", "Fire extinguishers")
    assert step.reason == ("You got 4 of 5 on Fire extinguishers last week and haven't "
                           "practised it for 9 days: a short review now keeps it.")


def test_recall_still_high_after_a_week_needs_no_review_but_a_month_does() -> None:
    kept = skill(1, "Ladders", attempts=6, correct=6, days_ago=8, recall=0.82, reached=0.9)
    assert next_step(course(kept)) is None
    month = skill(1, "Ladders", attempts=6, correct=6, days_ago=31, recall=0.82, reached=0.9)
    step = next_step(course(month))
    assert step is not None and step.kind == "review" and "31 days" in step.reason


def test_a_skill_begun_comes_before_new_ones_and_its_reason_says_how_it_went() -> None:
    knowledge = course(
        skill(1, "PASS", attempts=4, correct=3, days_ago=0.1, recall=0.7, reached=0.7),
        skill(2, "Alarms", prerequisites=()))
    step = next_step(knowledge)
    assert step is not None and (step.kind, step.skill) == ("practise", "PASS")
    assert step.reason == ("I put your chance of getting the next PASS question right at "
                           "about 70%: practice now makes it stick.")


def test_more_wrong_than_right_means_read_again_first() -> None:
    knowledge = course(skill(1, "Burns", attempts=5, correct=1, days_ago=0.1, recall=0.35))
    step = next_step(knowledge)
    assert step is not None and step.kind == "read"
    assert step.reason == "You got 1 of 5 on Burns: read its passage again, then try its questions."
    reply = next_reply(knowledge)
    assert [b.action for b in reply.buttons] == ["read:1", "study:1"]  # reading first
    assert reply.buttons[0].command == "/read Burns"


def test_a_new_skill_waits_for_its_prerequisites() -> None:
    knowledge = course(
        skill(1, "Alarms", attempts=5, correct=5, days_ago=0.1, recall=0.9),
        skill(2, "Wardens", prerequisites=(3,)),
        skill(3, "Evacuation", prerequisites=(1,)))
    step = next_step(knowledge)
    assert step is not None and step.skill == "Evacuation"
    assert step.reason == "You have mastered Alarms, so Evacuation is next."


def test_the_path_plans_new_skills_after_their_prerequisites_and_names_each_reason() -> None:
    knowledge = course(
        skill(1, "Alarms", attempts=5, correct=5, days_ago=0.1, recall=0.9),
        skill(2, "Evacuation", attempts=3, correct=2, days_ago=0.1, recall=0.65,
              prerequisites=(1,)),
        skill(3, "Wardens", prerequisites=(2,)),
        skill(4, "Assembly", prerequisites=(3,)))
    steps = path(knowledge)
    assert [(s.kind, s.skill) for s in steps] == [
        ("practise", "Evacuation"), ("start", "Wardens"), ("start", "Assembly")]
    assert steps[1].reason == "After Evacuation, Wardens comes next."
    text = path_reply(knowledge).text
    assert "1. *Practise: Evacuation*" in text and "3. *Start: Assembly*" in text


def test_when_everything_is_mastered_the_next_review_is_named() -> None:
    knowledge = course(skill(1, "Alarms", attempts=5, correct=5, days_ago=2, recall=0.9),
                       skill(2, "Wardens", attempts=4, correct=4, days_ago=1, recall=0.9))
    assert next_step(knowledge) is None
    done = all_done(knowledge)
    assert done is not None and done.skill == "Alarms" and "28 days at the latest" in done.reason
    assert "Review later: Alarms" in next_reply(knowledge).text


def test_a_skill_without_questions_holds_nothing_up() -> None:
    knowledge = course(skill(1, "Alarms", attempts=5, correct=5, days_ago=40, recall=0.9),
                       skill(2, "Induction", questions=0, prerequisites=(1,)),
                       skill(3, "Wardens", prerequisites=(2,)))
    step = next_step(knowledge)  # Alarms is due for review: then Wardens, past Induction
    assert step is not None and step.skill == "Alarms"
    assert [s.skill for s in path(knowledge)] == ["Alarms", "Wardens"]
    only_reading = next_reply(course(skill(1, "Induction", questions=0)))
    assert "no quiz questions yet" in only_reading.text and "Induction" in only_reading.text


def test_prerequisites_in_a_cycle_still_leave_a_next_step() -> None:
    knowledge = course(skill(1, "Alarms", attempts=5, correct=5, days_ago=1, recall=0.9),
                       skill(2, "Wardens", prerequisites=(3,)),
                       skill(3, "Drills", prerequisites=(2,)))
    step = next_step(knowledge)
    assert step is not None and (step.kind, step.skill) == ("start", "Wardens")
    assert all_done(knowledge) is None  # not everything is mastered

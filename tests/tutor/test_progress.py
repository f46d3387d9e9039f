"""One notion of mastered: reached, and recalled now. /progress marks it, /next
and the quiz's skill agree with it."""

from __future__ import annotations

from tests.tutor.learner.test_recommend import NOW, course, skill
from tutor.learner.recommend import next_step
from tutor.next_steps import quiz_skill
from tutor.progress import mark, progress_reply


def test_a_skill_reached_and_recalled_now_is_mastered() -> None:
    ladders = skill(1, "Ladders", attempts=5, correct=5, days_ago=1, recall=0.85)
    assert ladders.mastered and not ladders.fading
    assert mark(ladders, NOW) == " ✓ mastered"


def test_a_bar_that_has_fallen_is_not_marked_mastered() -> None:
    """Reached at the last practice, recalled at 70 % now: fading, not mastered, and
    no review yet (two days ago): no ✓ beside the fallen bar."""
    ladders = skill(1, "Ladders", attempts=5, correct=5, days_ago=2, recall=0.7, reached=0.9)
    assert ladders.mastery_reached and not ladders.mastered and ladders.fading
    reply = progress_reply(course(ladders))
    assert "✓" not in reply.text and "mastered before, fading" in reply.text
    assert reply.data["progress"] == [{"skill": "Ladders", "mastery": 0.7, "attempts": 5,
                                       "mastered": False, "fading": True}]
    assert next_step(course(ladders)) is None  # reached: no need to learn it again


def test_a_fading_skill_due_for_review_says_so() -> None:
    ladders = skill(1, "Ladders", attempts=5, correct=4, days_ago=9, recall=0.45, reached=0.85)
    assert mark(ladders, NOW) == " ↘ mastered before, fading: review it"
    step = next_step(course(ladders))
    assert step is not None and step.kind == "review"


def test_a_skill_never_reached_is_neither() -> None:
    begun = skill(1, "Ladders", attempts=2, correct=2, days_ago=1, recall=0.9)
    assert not begun.mastery_reached and mark(begun, NOW) == ""  # two answers prove little


def test_the_quiz_is_on_the_skill_next_recommends() -> None:
    alarms = skill(1, "Alarms", attempts=6, correct=6, days_ago=1, recall=0.9)
    exits = skill(2, "Exits", attempts=1, correct=1, days_ago=1, recall=0.6,
                  prerequisites=(1,))
    assert quiz_skill(course(alarms, exits)) == "Exits"  # begun: practise it
    # Everything mastered: the skill whose review comes first, not the lowest bar.
    kept = skill(2, "Exits", attempts=6, correct=6, days_ago=3, recall=0.82)
    assert quiz_skill(course(alarms, kept)) == "Exits"

"""The one best next step for a learner, and the path of steps after it, each with
its reason in plain words. Pure: from what the learner knows (CourseKnowledge) to
steps; the chat turns a step into text and buttons.

In this order:
1. review a mastered skill not practised for a week whose recall has fallen
   (or that has waited a month), the most fallen first;
2. go on with the first skill in course order that was begun and not mastered
   (earlier skills are the later ones' prerequisites): read it again if it goes
   wrong more often than right, else practise it (0.6 to 0.85 chance of success
   is the productive range, where practice gains most);
3. start the first new skill whose prerequisites are mastered.
bench/next_policy.py chose this order by measurement on simulated learners.
"""

from __future__ import annotations

from dataclasses import dataclass

from tutor.learner.knowledge import CourseKnowledge, SkillKnowledge
from tutor.mastery import MIN_ATTEMPTS

DAY = 86400.0
REVIEW_AFTER_DAYS = 7  # a skill untouched this long is due for review once recall falls
REVIEW_ANYWAY_DAYS = 30  # ...and after this long even when it still looks mastered
PRODUCTIVE = (0.6, 0.85)
# Recall under which a mastered skill needs its review: below the productive range.
# bench/next_policy.py (learners 1000-1099, not the reported ones): 0.75 took a median
# 50 answers to know every skill, 0.7 50, 0.6 47.5, 0.5 45; course order 55.
FALLEN = PRODUCTIVE[0]


@dataclass(frozen=True)
class Step:
    kind: str  # "review", "practise", "read", "start" or "done"
    skill_id: int
    skill: str
    reason: str
    quiz: bool  # the skill has questions to quiz on

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "skill": self.skill, "reason": self.reason}


def when(seconds_ago: float) -> str:
    """A past moment as people say it.

    >>> [when(d * 86400) for d in (0.2, 1.2, 3, 8, 20, 45)]
    ['today', 'yesterday', '3 days ago', 'last week', '2 weeks ago', 'a month ago']
    """
    days = int(seconds_ago // DAY)
    if days < 1:
        return "today"
    if days < 2:
        return "yesterday"
    if days < 7:
        return f"{days} days ago"
    if days < 14:
        return "last week"
    if days < 30:
        return f"{days // 7} weeks ago"
    months = days // 30
    return "a month ago" if months == 1 else f"{months} months ago"


def _days(skill: SkillKnowledge, now: float) -> float:
    return (now - skill.last_practised) / DAY if skill.last_practised is not None else 0.0


def _score(skill: SkillKnowledge) -> str:
    return f"{skill.correct} of {skill.attempts}"


def review_due(skill: SkillKnowledge, now: float) -> bool:
    """A mastered skill whose recall has fallen since, or that has waited a month."""
    days = _days(skill, now)
    return (skill.mastery_reached and skill.questions > 0 and days >= REVIEW_AFTER_DAYS
            and (skill.recall < FALLEN or days >= REVIEW_ANYWAY_DAYS))


def _review(skill: SkillKnowledge, now: float) -> Step | None:
    if not review_due(skill, now):
        return None
    days = _days(skill, now)
    return Step("review", skill.skill_id, skill.name,
                f"You got {_score(skill)} on {skill.name} {_last(skill, now)} and haven't "
                f"practised it for {int(days)} days: a short review now keeps it.",
                skill.questions > 0)


def _last(skill: SkillKnowledge, now: float) -> str:
    return when(now - (skill.last_practised or now))


def _practise(skill: SkillKnowledge, now: float) -> Step | None:
    """A skill begun and not mastered yet: read again if it goes wrong more often
    than right, pick it up again if it has waited, else practise it."""
    if not skill.attempts or skill.mastery_reached:
        return None
    days = _days(skill, now)
    wrong = skill.attempts - skill.correct
    if skill.recall < PRODUCTIVE[0] and wrong > skill.correct:
        return Step("read", skill.skill_id, skill.name,
                    f"You got {_score(skill)} on {skill.name}: read its passage again, "
                    "then try its questions.", skill.questions > 0)
    if days >= REVIEW_AFTER_DAYS:
        return Step("review", skill.skill_id, skill.name,
                    f"You got {_score(skill)} on {skill.name} {_last(skill, now)} and haven't "
                    f"practised it for {int(days)} days: pick it up again before it fades.",
                    skill.questions > 0)
    if skill.attempts < MIN_ATTEMPTS:
        reason = (f"You got {_score(skill)} on {skill.name} so far: a few more questions "
                  "show whether it has stuck.")
    elif skill.recall < PRODUCTIVE[1]:
        reason = (f"I put your chance of getting the next {skill.name} question right at "
                  f"about {skill.recall:.0%}: practice now makes it stick.")
    else:
        reason = (f"You got {_score(skill)} on {skill.name}: one more quiz shows you have "
                  "mastered it.")
    return Step("practise", skill.skill_id, skill.name, reason, skill.questions > 0)


def _start(skill: SkillKnowledge, knowledge: CourseKnowledge, ready: set[int],
           planned: set[int]) -> Step | None:
    if skill.attempts or not set(skill.prerequisites) <= ready:
        return None
    names = [s.name for s in knowledge.skills if s.skill_id in skill.prerequisites]
    if not names:
        first = skill is knowledge.skills[0]
        reason = (f"{skill.name} is where the course starts." if first
                  else f"{skill.name} is next in the course.")
    elif set(skill.prerequisites) & planned:
        reason = f"After {' and '.join(names)}, {skill.name} comes next."
    else:
        reason = f"You have mastered {' and '.join(names)}, so {skill.name} is next."
    return Step("start", skill.skill_id, skill.name, reason, skill.questions > 0)


def next_step(knowledge: CourseKnowledge, *, planned: tuple[Step, ...] = ()) -> Step | None:
    """The best step now, leaving out the skills already `planned` (which count as
    mastered when a new skill's prerequisites are checked); None if no step is left."""
    taken = {step.skill_id for step in planned}
    # A skill without questions cannot be practised or mastered: it holds nothing up.
    skills = [s for s in knowledge.skills if s.skill_id not in taken and s.questions]
    ready = {s.skill_id for s in knowledge.skills
             if s.mastery_reached or not s.questions} | taken
    fading = [(s.recall, step) for s in skills if (step := _review(s, knowledge.now))]
    if fading:
        return min(fading, key=lambda pair: pair[0])[1]
    begun = (step for s in skills if (step := _practise(s, knowledge.now)))
    if (step := next(begun, None)) is not None:
        return step
    new = [s for s in skills if not s.attempts]
    step = next((step for s in new if (step := _start(s, knowledge, ready, taken))), None)
    if step is None and new:  # prerequisites that can never all be met (a cycle): in order
        step = Step("start", new[0].skill_id, new[0].name,
                    f"{new[0].name} is next in the course.", True)
    return step


def path(knowledge: CourseKnowledge, steps: int = 5) -> list[Step]:
    """The next `steps` steps, each as if the ones before it were done."""
    planned: list[Step] = []
    while len(planned) < steps:
        step = next_step(knowledge, planned=tuple(planned))
        if step is None:
            break
        planned.append(step)
    return planned


def all_done(knowledge: CourseKnowledge) -> Step | None:
    """When every skill is mastered: the one whose review comes soonest."""
    practised = [s for s in knowledge.skills if s.questions and s.last_practised is not None]
    if not practised or not all(s.mastery_reached for s in knowledge.skills if s.questions):
        return None
    oldest = min(practised, key=lambda s: s.last_practised or 0.0)
    due = max(1, round(REVIEW_ANYWAY_DAYS - _days(oldest, knowledge.now)))
    return Step("done", oldest.skill_id, oldest.name,
                f"You have mastered every skill of {knowledge.course}. I'll suggest a review "
                f"of {oldest.name} once it is due, in {due} day{'s' * (due > 1)} at the "
                "latest.", oldest.questions > 0)

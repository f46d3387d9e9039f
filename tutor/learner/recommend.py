"""The one best next step for a learner, and the path of steps after it, each with
its reason in plain words. Pure: from what the learner knows (CourseKnowledge) to
steps; the chat turns a step into text and buttons.

In this order:
1. review a practised skill that has not been practised for a while and whose
   recall has fallen (or that has not been practised for a month);
2. practise a skill the learner is learning with a chance of success of about
   0.6 or more (0.6 to 0.85 is the productive range, where practice gains most),
   in course order, since earlier skills are the later ones' prerequisites;
3. read again, then practise, a skill the learner gets wrong more often than right;
4. start the first new skill whose prerequisites are mastered.
"""

from __future__ import annotations

from dataclasses import dataclass

from tutor.learner.knowledge import CourseKnowledge, SkillKnowledge
from tutor.mastery import MASTERED, MIN_ATTEMPTS

DAY = 86400.0
REVIEW_AFTER_DAYS = 7  # a skill untouched this long is due for review once recall falls
REVIEW_ANYWAY_DAYS = 30  # ...and after this long even when it still looks mastered
PRODUCTIVE = (0.6, 0.85)


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


def _review(skill: SkillKnowledge, now: float) -> Step | None:
    days = _days(skill, now)
    if not skill.attempts or days < REVIEW_AFTER_DAYS:
        return None
    if skill.recall >= MASTERED and days < REVIEW_ANYWAY_DAYS:
        return None
    last = when(now - (skill.last_practised or now))
    return Step("review", skill.skill_id, skill.name,
                f"You got {_score(skill)} on {skill.name} {last} and haven't practised it for "
                f"{int(days)} days: a short review now keeps it.", skill.questions > 0)


def _practise(skill: SkillKnowledge) -> Step | None:
    if not skill.attempts or skill.mastered:
        return None
    wrong = skill.attempts - skill.correct
    if skill.recall < PRODUCTIVE[0] and wrong > skill.correct:
        return Step("read", skill.skill_id, skill.name,
                    f"You got {_score(skill)} on {skill.name}: read its passage again, "
                    "then try its questions.", skill.questions > 0)
    if skill.attempts < MIN_ATTEMPTS:
        reason = (f"You got {_score(skill)} on {skill.name} so far: a few more questions "
                  "show whether it has stuck.")
    elif skill.recall < PRODUCTIVE[1]:
        reason = (f"You get about {skill.recall:.0%} of {skill.name} right: practice now "
                  "makes it stick.")
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
    skills = [s for s in knowledge.skills if s.skill_id not in taken]
    ready = {s.skill_id for s in knowledge.skills if s.mastered} | taken
    reviews = [step for s in skills if (step := _review(s, knowledge.now))]
    if reviews:
        return min(reviews, key=lambda step: knowledge.skill(step.skill_id).recall)  # type: ignore[union-attr]
    learning = [step for s in skills if (step := _practise(s))]
    practise = [step for step in learning if step.kind == "practise"]
    if practise or learning:
        return (practise or learning)[0]
    return next((step for s in skills if (step := _start(s, knowledge, ready, taken))), None)


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
    """When nothing is left to do: the skill whose review comes soonest."""
    practised = [s for s in knowledge.skills if s.last_practised is not None]
    if not practised:
        return None
    oldest = min(practised, key=lambda s: s.last_practised or 0.0)
    due = max(1, round(REVIEW_ANYWAY_DAYS - _days(oldest, knowledge.now)))
    return Step("done", oldest.skill_id, oldest.name,
                f"You have mastered every skill of {knowledge.course}. I'll suggest a review "
                f"of {oldest.name} once it is due, in {due} day{'s' * (due > 1)} at the "
                "latest.", oldest.questions > 0)

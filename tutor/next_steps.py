"""/next and /path: the learner model's recommendations (tutor/learner/recommend.py)
as replies, each step with its reason and the buttons that take it: a quiz on the
skill, or its passage to read."""

from __future__ import annotations

from tutor.learner.knowledge import CourseKnowledge
from tutor.learner.recommend import Step, all_done, next_step, path
from tutor.messages import Button, Reply

LABEL_WIDTH = 36
VERBS = {"review": "Review", "practise": "Practise", "read": "Read, then practise",
         "start": "Start", "done": "Review later"}


def _label(name: str) -> str:
    return name if len(name) <= LABEL_WIDTH else name[:LABEL_WIDTH - 1] + "…"


def quiz_button(skill_id: int, name: str) -> Button:
    return Button(f"📝 Quiz: {_label(name)}", f"study:{skill_id}", f"/quiz {name}")


def read_button(skill_id: int, name: str) -> Button:
    return Button(f"📖 Read: {_label(name)}", f"read:{skill_id}", f"/read {name}")


def step_buttons(step: Step) -> tuple[Button, ...]:
    """Read the passage (first for a skill the learner keeps getting wrong, or one
    without questions), and quiz on it."""
    read, quiz = read_button(step.skill_id, step.skill), quiz_button(step.skill_id, step.skill)
    if not step.quiz:
        return (read,)
    return (read, quiz) if step.kind == "read" else (quiz, read)


def best_step(knowledge: CourseKnowledge) -> Step | None:
    return next_step(knowledge) or all_done(knowledge)


def quiz_skill(knowledge: CourseKnowledge) -> str:
    """What /quiz alone is on: the step /next recommends when it is a quiz, else the
    skill with questions that the learner is least likely to get right now (the
    first in course order on a tie); "" when no skill has questions."""
    step = best_step(knowledge)
    if step is not None and step.quiz:
        return step.skill
    quizzed = [s for s in knowledge.skills if s.questions]
    return min(quizzed, key=lambda s: s.recall).name if quizzed else ""


def nothing_to_do(knowledge: CourseKnowledge) -> Reply:
    if not knowledge.skills:
        return Reply(f"The course '{knowledge.course}' has no skills yet: it has no material.")
    names = ", ".join(s.name for s in knowledge.skills[:3])
    return Reply(f"The course '{knowledge.course}' has no quiz questions yet, so I can't tell "
                 f"what you know. Send /read and a skill to study it: {names}.")


def next_reply(knowledge: CourseKnowledge) -> Reply:
    step = best_step(knowledge)
    if step is None:
        return nothing_to_do(knowledge)
    return Reply(f"➡️ *{VERBS[step.kind]}: {step.skill}*\n{step.reason}",
                 buttons=step_buttons(step),
                 data={"next": step.as_dict(), "source": knowledge.source})


def path_reply(knowledge: CourseKnowledge, steps: int = 5) -> Reply:
    planned = path(knowledge, steps) or [s for s in (all_done(knowledge),) if s]
    if not planned:
        return nothing_to_do(knowledge)
    lines = [f"Your next steps in *{knowledge.course}*:"]
    lines += [f"{n}. *{VERBS[step.kind]}: {step.skill}*. {step.reason}"
              for n, step in enumerate(planned, 1)]
    return Reply("\n".join(lines), buttons=step_buttons(planned[0]),
                 data={"path": [step.as_dict() for step in planned],
                       "source": knowledge.source})


def summary_line(knowledge: CourseKnowledge) -> tuple[str, tuple[Button, ...]]:
    """The recommended next step, as the last line of a quiz summary."""
    step = best_step(knowledge)
    if step is None:
        return "Send /quiz for another, or /progress for all your skills.", ()
    return f"➡️ Next: *{VERBS[step.kind]}: {step.skill}*. {step.reason}", step_buttons(step)

"""/progress: a learner's mastery of each skill of their course, as text bars that
every front shows and as a chart image (matplotlib, drawn in memory) for the
fronts that show pictures."""

from __future__ import annotations

import io
from collections.abc import Sequence

from tutor.learner.knowledge import CourseKnowledge, SkillKnowledge
from tutor.learner.recommend import review_due
from tutor.mastery import MASTERED
from tutor.messages import Image, Reply
from tutor.quiz.chat import bar

NAME_WIDTH = 28


def progress_reply(knowledge: CourseKnowledge) -> Reply:
    """Every practised skill with its bar; of the rest, how many and which come next."""
    course, skills = knowledge.course, knowledge.skills
    if not skills:
        return Reply(f"The course '{course}' has no skills yet: it has no material.")
    practised = [p for p in skills if p.state.attempts]
    waiting = [p for p in skills if not p.state.attempts and p.questions]
    lines = [f"Your progress in *{course}*:"]
    for item in practised:
        lines.append(f"`{_short(item.name):<{NAME_WIDTH}} {bar(item.state.estimate)} "
                     f"{item.state.estimate:>4.0%}` {item.state.correct}/{item.state.attempts} "
                     f"right{mark(item, knowledge.now)}")
    if not practised:
        lines.append("Nothing practised yet: send /quiz to start.")
    if waiting:
        upcoming = ", ".join(p.name for p in waiting[:3])
        more = f" and {len(waiting) - 3} more" if len(waiting) > 3 else ""
        lines.append(f"Not started yet: {upcoming}{more}.")
    if practised and knowledge.source == "model":
        lines.append("_Mastery here is the learner model's estimate of your next answer "
                     "being right: it weighs your answers, how recent they are, and how hard "
                     "the questions were._")
    image = chart(course, practised) if practised else None
    return Reply("\n".join(lines), image=image,
                 data={"source": knowledge.source,
                       "progress": [{"skill": p.name, "mastery": round(p.state.estimate, 3),
                                     "attempts": p.state.attempts,
                                     "mastered": p.mastered, "fading": p.fading}
                                    for p in skills]})


def mark(skill: SkillKnowledge, now: float) -> str:
    """What follows a skill's bar: mastered (reached, and recalled now), or reached
    and fading since, with a review when one is due."""
    if skill.mastered:
        return " ✓ mastered"
    if skill.fading:
        return " ↘ mastered before, fading" + (": review it" if review_due(skill, now) else "")
    return ""


def chart(course: str, skills: Sequence[SkillKnowledge]) -> Image:
    """Horizontal bars, one a practised skill in course order, the mastered line marked."""
    import matplotlib

    matplotlib.use("Agg")  # no display: render to memory
    from matplotlib.figure import Figure

    names = [_short(p.name) for p in skills][::-1]
    values = [p.state.estimate for p in skills][::-1]
    colours = ["#2e7d32" if p.mastered else "#1565c0" for p in skills][::-1]
    figure = Figure(figsize=(7, 0.45 * len(skills) + 1.2), dpi=110)
    axes = figure.subplots()
    axes.barh(names, values, color=colours)
    axes.axvline(MASTERED, color="#9e9e9e", linestyle="--", linewidth=1)
    axes.set_xlim(0, 1)
    axes.set_xlabel("mastery")
    axes.set_title(f"Your progress: {course}")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    described = ", ".join(f"{p.name} {p.state.estimate:.0%}" for p in skills)
    return Image("progress.png", buffer.getvalue(), f"Mastery per skill: {described}")


def _short(name: str) -> str:
    return name if len(name) <= NAME_WIDTH else name[: NAME_WIDTH - 1] + "…"

"""What a learner knows of each skill of a course: the chance of getting its next
question right, from the trained learner model once the model is in use for the
course, from the transparent mastery estimate (tutor/mastery.py) before that.

The model is in use for a course once it was trained on at least
`min_attempts` of that course's attempts (the cold-start threshold, measured by
bench/cold_start.py). Training reads every learner's attempts from the database
and saves the model, its feature scaling, the item and skill difficulties and a
version in one file of the data dir; no learner id goes into it, so /forget
leaves nothing of a learner there. A process reloads the file when another one
(`tutorbot learner train`) has replaced it.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from knowledge.library import find_course
from knowledge.tables import Skill, as_utc
from tutor.errors import TutorError
from tutor.learner.features import Difficulty, LearnerState
from tutor.learner.interactions import Interaction, by_learner
from tutor.mastery import MASTERED, SkillState, reached_mastery
from tutor.tables import Attempt, Mastery, Question

log = logging.getLogger(__name__)
MODEL_FILE = "learner-model.pt"
FILE_VERSION = 1
MIN_TRAINING_ATTEMPTS = 50  # fewer say nothing a model could learn from


@dataclass(frozen=True)
class SkillKnowledge:
    skill_id: int
    name: str
    position: int
    prerequisites: tuple[int, ...]  # skill ids
    questions: int  # active questions in the bank
    attempts: int
    correct: int
    last_practised: float | None  # seconds since the epoch
    # P(right) on a question of the skill now, as /progress shows it: the model's
    # prediction, or the mastery estimate before the model is in use
    recall: float
    # ...and as it stood right after the last practice, before any forgetting: what
    # the learner reached. The mastery estimate knows no forgetting: the two are equal.
    reached: float

    @property
    def state(self) -> SkillState:
        return SkillState(self.recall, self.attempts, self.correct)

    @property
    def mastery_reached(self) -> bool:
        """Mastery reached at the last practice: forgetting since calls for a review
        (tutor/learner/recommend.py), not for learning it again."""
        return reached_mastery(self.reached, self.attempts)

    @property
    def mastered(self) -> bool:
        """Mastered now: mastery reached, and recalled now. What /progress marks and
        trainers see; a skill reached and since forgotten is `fading` instead."""
        return self.mastery_reached and self.recall >= MASTERED

    @property
    def fading(self) -> bool:
        return self.mastery_reached and not self.mastered


@dataclass(frozen=True)
class CourseKnowledge:
    course: str
    skills: list[SkillKnowledge]
    source: str  # "model" or "mastery"
    now: float

    def skill(self, skill_id: int) -> SkillKnowledge | None:
        return next((s for s in self.skills if s.skill_id == skill_id), None)


@dataclass
class TrainedModel:
    """The saved learner model with what predicting needs besides the network."""

    model: object  # tutor.learner.model.LearnerModel (torch is imported on first use)
    difficulty: Difficulty
    attempts_by_course: dict[str, int]
    learners: int  # learners' histories in a course
    trained_at: float
    answers: tuple[int, int] = (0, 0)  # answers trained on, and the newest one's id

    def save(self, path: Path) -> None:
        import torch

        # A file of its own: `tutorbot learner train` and a serving tutor may both save.
        handle, name = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        os.close(handle)
        tmp = Path(name)
        torch.save({"version": FILE_VERSION, "model": self.model.to_dict(),  # type: ignore[attr-defined]
                    "difficulty": {"items": self.difficulty.items,
                                   "skills": self.difficulty.skills,
                                   "overall": self.difficulty.overall},
                    "attempts_by_course": self.attempts_by_course,
                    "learners": self.learners, "trained_at": self.trained_at,
                    "answers": list(self.answers)}, tmp)
        tmp.replace(path)  # readers never see half a file

    @classmethod
    def load(cls, path: Path) -> TrainedModel:
        import torch

        from tutor.learner.model import LearnerModel

        saved = torch.load(path, weights_only=True)  # data, never code
        if saved.get("version") != FILE_VERSION:
            raise ValueError(f"{path.name} was saved by another version of tutorbot")
        return cls(LearnerModel.from_dict(saved["model"]), Difficulty(**saved["difficulty"]),
                   dict(saved["attempts_by_course"]), int(saved["learners"]),
                   float(saved["trained_at"]), tuple(saved.get("answers", (0, 0))))


@dataclass(frozen=True)
class TrainingReport:
    attempts: int
    learners: int
    attempts_by_course: dict[str, int]
    seconds: float
    in_use: list[str]  # courses the model now estimates for
    waiting: dict[str, int] = field(default_factory=dict)  # course: attempts still needed

    def as_dict(self) -> dict[str, object]:
        return {"attempts": self.attempts, "learners": self.learners,
                "attempts_by_course": self.attempts_by_course,
                "seconds": round(self.seconds, 2), "in_use": self.in_use,
                "waiting": self.waiting}


def _interaction(learner: str, question_id: int, skill_id: int, correct: bool, hints: int,
                 at: datetime) -> Interaction:
    return Interaction(learner, str(question_id), str(skill_id), int(correct),
                       as_utc(at).timestamp(), hints)


class Knowledge:
    """Estimates for the chat (`course`), training (`train`) and the model's file."""

    def __init__(self, engine: Engine, data_dir: Path, min_attempts: int,
                 clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.path = data_dir / MODEL_FILE
        self.min_attempts = min_attempts
        self.clock = clock
        self._trained: TrainedModel | None = None
        self._loaded_mtime: float | None = None
        self._lock = threading.Lock()

    # ---- the model ---------------------------------------------------------------

    def trained(self) -> TrainedModel | None:
        """The saved model, reloaded when its file changed; None before any training
        (or when the file cannot be read: the mastery estimate serves meanwhile)."""
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            return None
        if mtime != self._loaded_mtime:
            with self._lock:
                try:
                    self._trained = TrainedModel.load(self.path)
                except Exception as error:  # a broken file must not stop the tutor
                    log.warning("cannot read the learner model %s (%s); using the mastery "
                                "estimate until it is trained again", self.path, error)
                    self._trained = None
                self._loaded_mtime = mtime
        return self._trained

    def in_use(self, course: str) -> bool:
        return self._model_for(course) is not None

    def _model_for(self, course: str) -> TrainedModel | None:
        """The saved model, if it was trained on enough of the course's answers."""
        trained = self.trained()
        enough = trained is not None and trained.attempts_by_course.get(course, 0) >= (
            self.min_attempts)
        return trained if enough else None

    def train(self, on_progress: Callable[[str], None] | None = None) -> TrainingReport:
        """Fit the model on every attempt in the database and save it."""
        from tutor.learner.evaluate import features_of
        from tutor.learner.model import LearnerModel

        started = time.perf_counter()
        answers = self._answers_seen()
        rows, courses = self._all_attempts()
        if len(rows) < MIN_TRAINING_ATTEMPTS:
            raise TutorError(f"Not enough quiz answers to train the learner model yet: "
                             f"{len(rows)} of at least {MIN_TRAINING_ATTEMPTS}. Until it is "
                             "trained, mastery comes from the transparent estimate.")
        histories = list(by_learner(rows).values())
        difficulty = Difficulty.fit(rows)
        if on_progress:
            on_progress(f"features of {len(rows)} attempts by {len(histories)} learners")
        x, y = features_of(histories, difficulty)
        if on_progress:
            on_progress("fitting the model")
        model = LearnerModel().fit(x, y)
        TrainedModel(model, difficulty, courses, len(histories), self.clock(),
                     answers).save(self.path)
        in_use = sorted(c for c, n in courses.items() if n >= self.min_attempts)
        waiting = {c: self.min_attempts - n for c, n in courses.items() if n < self.min_attempts}
        return TrainingReport(len(rows), len(histories), courses,
                              time.perf_counter() - started, in_use, waiting)

    def retrain_if_new(self) -> TrainingReport | None:
        """`train`, when answers came in since the saved model was trained (and there
        are enough to train on); None when there was nothing to do."""
        answers = self._answers_seen()
        trained = self.trained()
        if answers[0] < MIN_TRAINING_ATTEMPTS or (trained and trained.answers == answers):
            return None
        return self.train()

    def _all_attempts(self) -> tuple[list[Interaction], dict[str, int]]:
        """Every attempt, each learner's history within one course counted as its own:
        what the model predicts from is the learner's record in the course at hand."""
        with Session(self.engine) as session:
            found = session.exec(select(Attempt.course, Attempt.learner_id, Attempt.question_id,
                                        Attempt.skill_id, Attempt.correct, Attempt.hints,
                                        Attempt.created_at)
                                 .order_by(col(Attempt.course), col(Attempt.learner_id),
                                           col(Attempt.id))).all()
        rows = [_interaction(f"{course}\x1f{learner}", *rest) for course, learner, *rest in found]
        courses: dict[str, int] = {}
        for row in found:
            courses[row[0]] = courses.get(row[0], 0) + 1
        return rows, courses

    def _answers_seen(self) -> tuple[int, int]:
        """How many answers there are and the newest one's id: what the saved model was
        trained on, to tell whether new answers came in or a learner's went (/forget)."""
        with Session(self.engine) as session:
            count, newest = session.exec(select(func.count(col(Attempt.id)),
                                                func.max(col(Attempt.id)))).one()
        return int(count), int(newest or 0)

    # ---- estimates ---------------------------------------------------------------

    def course(self, learner: str, course: str) -> CourseKnowledge:
        """Every skill of the course in order, with what the learner knows of it."""
        course_id = find_course(self.engine, course).id
        with Session(self.engine) as session:
            skills = list(session.exec(select(Skill).where(Skill.course_id == course_id)
                                       .order_by(col(Skill.position))))
            counts = dict(session.exec(
                select(Question.skill_id, func.count(col(Question.id)))
                .where(Question.course_id == course_id, Question.status == "active")
                .group_by(Question.skill_id)).all())
            mastery = dict(session.exec(select(Mastery.skill_id, Mastery.estimate).where(
                Mastery.learner_id == learner, Mastery.course == course)).all())
            history = [_interaction(learner, *row) for row in session.exec(
                select(Attempt.question_id, Attempt.skill_id, Attempt.correct, Attempt.hints,
                       Attempt.created_at)
                .where(Attempt.learner_id == learner, Attempt.course == course)
                .order_by(col(Attempt.id)))]
        ids = {s.name: s.id or 0 for s in skills}
        plan = [SkillInfo(s.id or 0, s.name, s.position,
                          tuple(ids[p] for p in s.prerequisite_names() if p in ids),
                          counts.get(s.id, 0)) for s in skills]
        return estimate(course, plan, history, self._model_for(course), mastery, self.clock())

    def of_skill(self, learner: str, course: str, skill_id: int) -> SkillState:
        """The state /progress shows for one skill (after a quiz answer, say)."""
        found = self.course(learner, course).skill(skill_id)
        return found.state if found else SkillState()



@dataclass(frozen=True)
class SkillInfo:
    """A skill as the estimates need it, whoever keeps the course (the database, a bench)."""

    skill_id: int
    name: str
    position: int
    prerequisites: tuple[int, ...]
    questions: int


def estimate(course: str, skills: Sequence[SkillInfo], history: Sequence[Interaction],
             trained: TrainedModel | None, mastery: dict[int, float], now: float
             ) -> CourseKnowledge:
    """What a learner's `history` (their attempts in the course, in order) says about each
    skill: the model's recall where `trained` is given, else the `mastery` estimates."""
    state = LearnerState(trained.difficulty if trained else Difficulty())
    for attempt in history:
        state.add(attempt)
    seen = [state.skills.get(str(s.skill_id)) for s in skills]
    last = [history.last_time if history else None for history in seen]
    if trained is not None and skills:
        # Each skill now, then each as it stood at its last practice.
        moments = [(s, now) for s in skills] + [(s, now if t is None else t)
                                                 for s, t in zip(skills, last, strict=True)]
        rows = np.array([state.row("", str(s.skill_id), at) for s, at in moments],
                        dtype=np.float32)
        predicted = [float(p) for p in trained.model.predict_proba(rows)]  # type: ignore[attr-defined]
        recalls, reached = predicted[:len(skills)], predicted[len(skills):]
    else:
        recalls = [mastery.get(s.skill_id, SkillState().estimate) for s in skills]
        reached = recalls
    out = []
    for skill, practised, recall, top, at in zip(skills, seen, recalls, reached, last,
                                                 strict=True):
        out.append(SkillKnowledge(
            skill.skill_id, skill.name, skill.position, skill.prerequisites, skill.questions,
            practised.attempts if practised else 0, practised.correct if practised else 0, at,
            recall, top))
    return CourseKnowledge(course, out, "model" if trained else "mastery", now)

"""Learner tables. Only what tutoring needs: the chosen course, the last few turns
for follow-ups, the learner's ratings of answers, and unanswerable questions (kept
without who asked them)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from knowledge.tables import utcnow


class Learner(SQLModel, table=True):
    id: str = Field(primary_key=True)  # platform-qualified, e.g. "telegram:12345"
    course: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Turn(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    learner_id: str = Field(foreign_key="learner.id", index=True)
    course: str
    question: str
    answer: str
    # A Slack thread, say: follow-ups are read within one conversation.
    conversation: str = Field(default="", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class Feedback(SQLModel, table=True):
    """A 👍/👎 on an answer. The question and answer are copied: the turn itself is
    dropped once it leaves the follow-up history, the rating is kept for trainers."""

    id: int | None = Field(default=None, primary_key=True)
    learner_id: str = Field(index=True)
    turn_id: int = Field(index=True)
    course: str = Field(index=True)
    question: str
    answer: str
    helpful: bool
    created_at: datetime = Field(default_factory=utcnow)


class ContentGap(SQLModel, table=True):
    """A question the course material could not answer, for trainers to fill."""

    id: int | None = Field(default=None, primary_key=True)
    course: str = Field(index=True)
    question: str
    best_score: float
    created_at: datetime = Field(default_factory=utcnow)

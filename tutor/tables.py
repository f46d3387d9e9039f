"""Learner tables. Only what tutoring needs: the chosen course, the last few turns
for follow-ups, and unanswerable questions (kept without who asked them)."""

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
    created_at: datetime = Field(default_factory=utcnow)


class ContentGap(SQLModel, table=True):
    """A question the course material could not answer, for trainers to fill."""

    id: int | None = Field(default=None, primary_key=True)
    course: str = Field(index=True)
    question: str
    best_score: float
    created_at: datetime = Field(default_factory=utcnow)

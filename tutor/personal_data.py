"""Everything tutorbot stores about one learner, listed once: /mydata exports every
column of these rows and /forget deletes them, so a learner table added here is in
both (and tests/tutor/test_personal_data.py fails for one that is left out).

The answers kept for trainers (AnswerRecord) are counted in /mydata, not copied
out: the learner saw each of them in the chat, and 180 days of answers with their
sources would bury the rest. /forget deletes them with the rest; the learner's
name on their platform, kept for trainers' pages, is a column of their learner row.

Kept without the learner: unanswerable questions (ContentGap) and the ids of chat
events answered (a Telegram update or Slack request waiting for its answer is the
learner's: "pending").
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, col, func, select

from knowledge.tables import Skill
from tutor.database import delete_rows
from tutor.tables import (
    AnswerRecord,
    Attempt,
    Feedback,
    Learner,
    Mastery,
    Question,
    QuizRun,
    ReceivedEvent,
    Reminder,
    Turn,
)

# (what /mydata calls it, the column that names the learner), in an order /forget can
# delete in: a turn refers to its learner.
LEARNER_ROWS: tuple[tuple[str, Any], ...] = (
    ("pending", ReceivedEvent.learner_id),
    ("ratings", Feedback.learner_id),
    ("turns", Turn.learner_id),
    ("attempts", Attempt.learner_id),
    ("mastery", Mastery.learner_id),
    ("quizzes", QuizRun.learner_id),
    ("reminders", Reminder.learner_id),
    ("learner", Learner.id),
)
# (what /mydata calls it, the column that names the learner): rows /mydata counts.
COUNTED_ROWS: tuple[tuple[str, Any], ...] = (
    ("answers_kept_for_trainers", AnswerRecord.learner_id),
)


def export(engine: Engine, learner: str) -> dict[str, Any]:
    """Every stored row of the learner, every column as stored (times in ISO 8601),
    oldest first; an attempt also names its question and a mastery row its skill.
    The COUNTED_ROWS come as a number."""
    with Session(engine) as session:
        data: dict[str, Any] = {name: [as_json(row) for row in _rows(session, column, learner)]
                                for name, column in LEARNER_ROWS}
        for name, column in COUNTED_ROWS:
            data[name] = session.exec(select(func.count()).select_from(column.class_)
                                      .where(col(column) == learner)).one()
        questions = _names(session, Question.id, Question.question,
                           {a["question_id"] for a in data["attempts"]})
        skills = _names(session, Skill.id, Skill.name, {m["skill_id"] for m in data["mastery"]})
    for attempt in data["attempts"]:
        attempt["question_text"] = questions.get(attempt["question_id"])
    for mastery in data["mastery"]:
        mastery["skill_name"] = skills.get(mastery["skill_id"])
    return data


def forget(engine: Engine, learner: str) -> int:
    """Delete every stored row of the learner; returns how many went."""
    with Session(engine) as session:
        removed = delete_rows(session, tuple(column for _, column in COUNTED_ROWS + LEARNER_ROWS),
                              learner)
        session.commit()
        return removed


def as_text(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def summary(data: dict[str, Any]) -> str:
    """How many rows of each kind, in a line.

    >>> summary({"turns": [{}, {}], "ratings": [], "learner": [{}], "answers": 3})
    'turns: 2, ratings: 0, learner: 1, answers: 3'
    """
    return ", ".join(f"{name}: {rows if isinstance(rows, int) else len(rows)}"
                     for name, rows in data.items())


def as_json(row: SQLModel) -> dict[str, object]:
    return {name: value.isoformat() if isinstance(value, datetime) else value
            for name, value in row.model_dump().items()}


def _rows(session: Session, column: Any, learner: str) -> list[SQLModel]:
    table = column.class_
    order = list(table.__table__.primary_key.columns)
    return list(session.exec(select(table).where(col(column) == learner).order_by(*order)))


def _names(session: Session, key: Any, name: Any, ids: set[object]) -> dict[object, str]:
    if not ids:
        return {}
    return dict(session.exec(select(key, name).where(col(key).in_(list(ids)))).all())

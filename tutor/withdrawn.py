"""What goes with course material that is removed, in the transaction that removes it:
the `on_removed` hook of knowledge.library's `remove_document` and `remove_course`,
for every front that removes material (the command line, the console)."""

from __future__ import annotations

from sqlmodel import Session

from tutor.answers.trainer import review_removed
from tutor.quiz.bank import retire_removed


def material_removed(session: Session, course_id: int) -> int:
    """Retire the bank's questions on the removed material, and send the trainer
    answers that cite it to review: neither reaches a learner again unchecked.
    Returns the questions retired."""
    retired = retire_removed(session, course_id)
    review_removed(session, course_id)
    return retired

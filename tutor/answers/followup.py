"""Follow-up questions lean on the one before: "and what about ladders?" alone
retrieves nothing useful, so the retrieval query borrows the earlier question."""

from __future__ import annotations

import re

_REFERRING = re.compile(
    r"\b(it|its|that|this|these|those|they|them|their|there|he|she|one|ones|same|also|else)\b"
    r"|^(and|but|so|or|what about|how about|why|then)\b",
    re.IGNORECASE,
)


def is_follow_up(question: str) -> bool:
    """
    >>> is_follow_up("How often must it be inspected?"), is_follow_up("Who is a first aider?")
    (True, False)
    """
    return len(question.split()) <= 2 or bool(_REFERRING.search(question.strip()))


def retrieval_query(question: str, earlier_questions: list[str]) -> str:
    """The text to search the course with.

    >>> retrieval_query("And how often?", ["How do I check a fire extinguisher?"])
    'How do I check a fire extinguisher? And how often?'
    >>> retrieval_query("What is PPE?", ["How do I check a fire extinguisher?"])
    'What is PPE?'
    """
    if earlier_questions and is_follow_up(question):
        return f"{earlier_questions[-1]} {question}"
    return question

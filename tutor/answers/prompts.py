"""The chat prompt: numbered course passages, the question, and how to answer."""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.retrieve import Passage
from tutor.llm import ChatMessages

SYSTEM = (
    "You are tutorbot, a tutor for workplace training. Answer the learner's question "
    "using only the numbered course passages. After each sentence, cite the passage it "
    "comes from, like [1]. If the passages do not answer the question, say so. "
    "Answer in two to four short sentences."
)


def passage_label(passage: Passage) -> str:
    """
    >>> passage_label(Passage(1, "fire.md", "Fire > Exits", 2, "...", 0.9))
    'fire.md — Fire > Exits, p. 2'
    """
    label = f"{passage.document} — {passage.section}" if passage.section else passage.document
    return f"{label}, p. {passage.page}" if passage.page else label


def build_messages(
    question: str, passages: Sequence[Passage], earlier_question: str | None = None
) -> ChatMessages:
    numbered = "\n\n".join(
        f"[{n}] ({passage_label(p)})\n{p.text}" for n, p in enumerate(passages, 1)
    )
    context = f"Earlier question: {earlier_question}\n" if earlier_question else ""
    return [
        {"role": "system", "content": SYSTEM},
        {
            "role": "user",
            "content": f"Course passages:\n\n{numbered}\n\n{context}Question: {question}",
        },
    ]

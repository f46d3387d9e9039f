"""Questions written by the language model, for when a capable one is configured:
the same `QuestionDraft`s as the text generator (tutor/quiz/generate.py), checked
by the same validation, so a model's question reaches learners only when its
answer is a stretch of one sentence of the passage and none of its wrong
options is supported by the passage.

The model gets one passage and answers in a fixed form:

    QUESTION: Which extinguisher is used on electrical fires?
    ANSWER: CO2
    WRONG: water | foam | wet chemical

The answer must be copied from the passage; the sentence that holds it becomes the
question's source. Without WRONG lines (or with fewer than three) the question is
a short answer.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence

from knowledge.sentences import passage_units
from tutor.llm import ChatMessages, GenerationRequest
from tutor.quiz.generate import MIN_WORDS, OPTIONS, QuestionDraft, SourcePassage, stable_seed

BATCH = 8
SYSTEM = (
    "You write quiz questions for workplace training from one passage of the course "
    "material. Ask about one fact the passage states. Reply in exactly this form and "
    "nothing else:\n"
    "QUESTION: <the question>\n"
    "ANSWER: <the answer, a few words copied exactly from the passage>\n"
    "WRONG: <three wrong answers of the same kind, separated by |>"
)
_FIELD = re.compile(r"^\s*(QUESTION|ANSWER|WRONG|Q|A)\s*:\s*(.+?)\s*$", re.I | re.M)
_NAMES = {"Q": "QUESTION", "A": "ANSWER"}


# One worked example, on material of no course, shows the form better than words do.
EXAMPLE = ("Topic: Kitchen hygiene\n\nPassage:\nWash chopping boards in hot soapy water after "
           "each use. Store raw meat on the bottom shelf of the fridge.",
           "QUESTION: Where in the fridge is raw meat stored?\n"
           "ANSWER: the bottom shelf\nWRONG: the top shelf | the door | the middle shelf")


def messages_for(passage: SourcePassage) -> ChatMessages:
    return [{"role": "system", "content": SYSTEM},
            {"role": "user", "content": EXAMPLE[0]},
            {"role": "assistant", "content": EXAMPLE[1]},
            {"role": "user", "content": f"Topic: {passage.skill}\n\nPassage:\n{passage.text}"}]


def parse(reply: str, passage: SourcePassage) -> QuestionDraft | None:
    """A draft from the model's reply, or None when it is not in the form or its
    answer is not a stretch of one sentence of the passage.

    >>> passage = SourcePassage(3, "Fire", "Use the CO2 extinguisher on electrical fires. "
    ...                         "Never use water on them.")
    >>> reply = ("QUESTION: Which extinguisher is used on electrical fires?\\n"
    ...          "ANSWER: CO2\\nWRONG: foam | water | powder")
    >>> draft = parse(reply, passage)
    >>> draft.kind, draft.answer, draft.sentence
    ('choice', 'CO2', 'Use the CO2 extinguisher on electrical fires.')
    >>> sorted(draft.options)
    ['CO2', 'foam', 'powder', 'water']
    >>> parse("QUESTION: What is it?\\nANSWER: a fire blanket", passage) is None
    True
    """
    fields: dict[str, str] = {}
    for name, value in _FIELD.findall(reply):
        fields.setdefault(_NAMES.get(name.upper(), name.upper()), value)
    question, answer = fields.get("QUESTION", ""), fields.get("ANSWER", "").strip(" .\"'")
    if not question.endswith("?") or not answer:
        return None
    sentence = next((unit.text for unit in passage_units(passage.text)
                     if unit.kind in ("sentence", "item") and answer in unit.text
                     and len(unit.text.split()) >= MIN_WORDS), None)
    if sentence is None:
        return None  # an answer the passage does not state word for word
    wrong = [w.strip(" .\"'") for w in fields.get("WRONG", "").split("|") if w.strip(" .\"'")]
    wrong = list(dict.fromkeys(w for w in wrong if w.lower() != answer.lower()))[: OPTIONS - 1]
    if len(wrong) < OPTIONS - 1:
        return QuestionDraft("short", question, (), answer, passage.chunk_id, passage.skill,
                             sentence, answer, generator="llm")
    options = [answer, *wrong]
    random.Random(stable_seed(question)).shuffle(options)
    return QuestionDraft("choice", question, tuple(options), answer, passage.chunk_id,
                         passage.skill, sentence, answer, tuple(wrong), generator="llm")


class LLMQuestionGenerator:
    """One question a passage, written by the model in batches (`generate_batch`:
    the model worker's, so chat keeps answering meanwhile)."""

    name = "llm"

    def __init__(self, generate_batch: Callable[[list[GenerationRequest]],
                                                 Sequence[str | BaseException]],
                 on_progress: Callable[[int, int], None] | None = None) -> None:
        self.generate_batch = generate_batch
        self.on_progress = on_progress

    def __call__(self, passages: Sequence[SourcePassage]) -> list[QuestionDraft]:
        drafts = []
        for start in range(0, len(passages), BATCH):
            batch = passages[start:start + BATCH]
            replies = self.generate_batch(
                [GenerationRequest(messages_for(p), lambda _piece: None) for p in batch])
            # A passage the model failed on (a server error, say) just gives no question.
            drafts += [d for p, r in zip(batch, replies, strict=True)
                       if isinstance(r, str) and (d := parse(r, p))]
            if self.on_progress:  # passages done, of how many
                self.on_progress(start + len(batch), len(passages))
        return drafts

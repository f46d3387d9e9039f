"""/coach: Socratic answers. Instead of the answer, a guiding question built from
the passage that answers it, then a hint ladder: hint 1 names the concept, hint 2
points to the passage, hint 3 gives the answer with its citation.

The guiding question is the material's own answering sentence with the answer to
the learner's question left out ("Cool the burn under running water for _____."
for "how long…?", "_____ (black band): …" for "which extinguisher…?";
tutor/quiz/asked.py), so the learner recalls it rather than reads it; a guess typed
back is graded like a short quiz answer. Where the question asks no one thing
("how do I…?") or the sentence states nothing of the kind asked, the learner
is asked to say the answer in their own words and the hints lead to it. No model
writes any of it: nothing can reverse a rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from tutor.answers.answering import Answer
from tutor.answers.terms import content_words
from tutor.messages import Button, Reply, Source
from tutor.quiz.asked import answer_in
from tutor.quiz.generate import BLANK
from tutor.quiz.grading import Grade, grade_short

HINTS = 3


@dataclass(frozen=True)
class Coaching:
    guiding: str  # the guiding question
    gap: str  # the fact it leaves out, "" if none
    sentence: str  # the sentence of the material the gap is in
    concept: str  # what hint 1 names
    source: Source  # what hint 2 points to and hint 3 cites
    answer: str  # the quote, as answers render it


def coaching_for(answer: Answer) -> Coaching | None:
    """The coaching of a quoted answer, or None when retrieval found no quote."""
    if not answer.quoted or not answer.sources:
        return None
    source = answer.sources[0]
    concept = source.section.split(" > ")[-1] if source.section else source.document
    # What was asked, not any fact, in the quoted sentence that speaks of it.
    if found := answer_in(answer.question, answer.quoted):
        sentence, fact = found
        gapped = fact.in_place_of(sentence, BLANK)
        return Coaching(f"Think about this line of the material: “{gapped}” "
                        "What goes in the gap?", fact.text, sentence, concept, source,
                        answer.text)
    return Coaching("What do you think the answer is, and why? Say it in your own words, "
                    "or take the hints one at a time.", "", "", concept, source, answer.text)


def guiding_reply(coaching: Coaching, turn: int) -> Reply:
    return Reply(f"🧭 Let's work it out together. {coaching.guiding}",
                 buttons=(hint_button(turn, 1),), data={"coach": {"turn": turn, "hint": 0}})


def hint_reply(coaching: Coaching, turn: int, level: int) -> Reply:
    """Hint `level` (1 to 3) of the ladder."""
    if level == 1:
        return Reply(f"💡 Hint 1 of {HINTS}: this is about *{coaching.concept}*.",
                     buttons=(hint_button(turn, 2),), data={"coach": {"turn": turn, "hint": 1}})
    if level == 2:
        return Reply(f"💡 Hint 2 of {HINTS}: it is in {coaching.source.label}. Read it, then "
                     "answer.", sources=(coaching.source,), buttons=(hint_button(turn, 3),),
                     data={"coach": {"turn": turn, "hint": 2}})
    return Reply(f"💡 Hint 3 of {HINTS}: the answer.\n\n{coaching.answer}",
                 sources=(coaching.source,), data={"coach": {"turn": turn, "hint": 3}})


def guess_reply(coaching: Coaching, turn: int, guess: str) -> tuple[Reply, Grade]:
    """The learner's guess at the gap, graded; the material follows a right one."""
    grade = grade_short(coaching.gap, coaching.sentence, guess)
    if grade.correct:
        return Reply(f"✅ Yes, that's it.\n\n{coaching.answer}", sources=(coaching.source,),
                     data={"coach": {"turn": turn, "guess": "right"}}), grade
    # What was missing, unless saying it would give the gap away ("missing: co2").
    leaks = content_words(grade.why) & content_words(coaching.gap)
    why = f": {grade.why}" if grade.why and not leaks else ""
    text = f"🟡 Nearly{why}. Try again, or take a hint." if grade.verdict == "partly" else (
        f"❌ Not quite{why}. Try again, or take a hint.")
    return Reply(text, buttons=(hint_button(turn, 1),),
                 data={"coach": {"turn": turn, "guess": grade.verdict}}), grade


def hint_button(turn: int, level: int) -> Button:
    return Button(f"💡 Hint {level}", f"coach:{turn}:{level}", f"/hint {level}")

"""Short-answer questions on what a sentence says as a whole: a definition ("A
near miss is an event that could have caused harm but did not." asks "What is a
near miss?") and a rule's condition ("When the alarm sounds continuously, stop
work…" asks "What should you do when the alarm sounds continuously?"). The
answer is the sentence's own words, typed and graded by its key terms, so no
wrong option is offered that might also be true.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from knowledge.sentences import is_complete_sentence, passage_units
from tutor.quiz.generate import QuestionDraft, SourcePassage

_CONDITION = re.compile(r"^(If|When|Whenever|Before|After|Until|Unless|In case of)\s+"
                        r"([^,;:]{4,120}),\s+([a-z][^;:]{8,})$")
_DEFINITION = re.compile(r"^(?P<term>(?:An?|The)\s+[\w\- ]{2,40}?)\s+(?P<verb>is|are|means)\s+"
                         r"(?P<meaning>(?:an?|the)\s+[^;:]{8,})$")
# Words that make a condition or a term lean on the sentence before ("if it is safe").
_POINTS_BACK = re.compile(r"\b(?:it|this|that|these|those|they|them|such|so)\b", re.I)
# A main clause that says what to do starts with its verb: one of these, after at most
# an adverb of _LEADING ("then install…", "never use…"). Without a tagger, a closed list
# is what keeps "then the third field will be…" from reading as an order.
_ORDERS = frozenset(
    "add apply ask attach avoid bend bring call change check choose clean clear close "
    "complete contact copy cover do don't edit enter evacuate fill follow get give go hand "
    "hold inform install keep leave lift look make move notify open phone place please "
    "press put raise read remove replace report return rinse run seek send set shout sign "
    "skip start stay stop store switch take tell try turn unplug upgrade use wait walk "
    "wash wear write".split())
_LEADING = frozenset("then always never first just simply immediately".split())
# A term that names nothing by itself ("the answer", "the third argument").
_VAGUE = frozenset(
    "answer problem result reason way thing other same following next last only best main "
    "first second third fourth difference idea point case rest".split())


def phrase_questions(passages: Sequence[SourcePassage]) -> list[QuestionDraft]:
    """The definition and condition questions of these passages.

    >>> passage = SourcePassage(1, "Alarms", "When the alarm sounds continuously, stop work "
    ...     "and leave by the nearest exit. A near miss is an event that could have caused "
    ...     "harm but did not.")
    >>> for q in phrase_questions([passage]):
    ...     print(q.question, "|", q.answer)
    What should you do when the alarm sounds continuously? | stop work and leave by the nearest exit
    What is a near miss? | an event that could have caused harm but did not
    """
    return [draft for passage in passages for draft in _questions(passage)]


def _questions(passage: SourcePassage) -> Iterable[QuestionDraft]:
    for unit in passage_units(passage.text):
        if unit.kind != "sentence" or not is_complete_sentence(unit.text):
            continue
        sentence = unit.text.rstrip()
        body = sentence.rstrip(".")
        if (match := _CONDITION.match(body)) and _is_order(match.group(3)) and not (
                _POINTS_BACK.search(match.group(2))):
            word, condition, order = match.group(1).lower(), match.group(2), match.group(3)
            order = re.sub(r"^then\s+", "", order)  # "then install unstable"
            if not re.search(r"\b(?:this|these|those)\b", order, re.I):  # "mail this address"
                yield _short(passage, f"What should you do {word} {condition}?", order,
                             sentence)
        elif (match := _DEFINITION.match(body)) and _is_term(match["term"]) and not (
                _POINTS_BACK.search(match["term"])):
            term = match["term"][0].lower() + match["term"][1:]
            asks = "What does" if match["verb"] == "means" else f"What {match['verb']}"
            ending = " mean?" if match["verb"] == "means" else "?"
            yield _short(passage, f"{asks} {term}{ending}", match["meaning"], sentence)


def _is_order(clause: str) -> bool:
    """Whether a clause says what to do.

    >>> _is_order("then install unstable"), _is_order("then the field will be 'stable'")
    (True, False)
    """
    words = clause.lower().split()
    if words and words[0] in _LEADING:
        words = words[1:]
    return bool(words) and words[0] in _ORDERS


def _is_term(term: str) -> bool:
    words = term.lower().split()[1:]  # without its article
    return 1 <= len(words) <= 3 and not set(words) & (_VAGUE | {"is", "are", "which", "that"})


def _short(passage: SourcePassage, question: str, answer: str, sentence: str) -> QuestionDraft:
    return QuestionDraft("short", question, (), answer.strip(), passage.chunk_id,
                         passage.skill, sentence, answer.strip(), basis="phrase")

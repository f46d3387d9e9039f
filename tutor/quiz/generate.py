"""Questions from the material itself, with no model: each testable fact of a
whole sentence (tutor/quiz/facts.py) becomes a multiple-choice question (the
sentence with the fact blanked, the fact and three wrong facts of the same kind
from the same course), a true/false statement (the sentence, or the sentence with
a wrong fact), or a short answer (the blank, typed). So the packaged CPU model
still yields good questions; every one is validated (tutor/quiz/validate.py)
before a learner sees it.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from knowledge.sentences import TextUnit, is_complete_sentence, passage_units
from tutor.answers.injection import material_units
from tutor.answers.terms import content_words
from tutor.quiz.facts import Fact, facts, key, same_kind, styled_like

BLANK = "_____"
OPTIONS = 4
MIN_WORDS = 6  # a shorter sentence gives too little context to answer from
ROLE_OVERLAP = 0.5  # share of a sentence's words another sentence of a role shares: same duty


@dataclass(frozen=True)
class SourcePassage:
    chunk_id: int
    skill: str
    text: str  # normalised Markdown, as chunks store it


@dataclass(frozen=True)
class QuestionDraft:
    kind: str  # "choice", "true_false" or "short"
    question: str
    options: tuple[str, ...]  # empty for "short"
    answer: str
    chunk_id: int
    skill: str
    sentence: str  # the sentence of the material it tests
    fact: str  # the fact it tests, as the sentence says it
    wrong: tuple[str, ...] = ()  # the wrong facts it offers (options, or the false statement's)
    generator: str = "text"  # which generator wrote it: "text" or "llm"
    basis: str = "fact"  # what it tests: a "fact" of its sentence, the "order" of steps, or
    # a "phrase": a definition's meaning, what a rule says to do


def stable_seed(text: str) -> int:
    """A seed that the same text always gives, in every process (hash() does not), so
    the same material always makes the same questions in the same order."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def states(passage: str, sentence: str) -> bool:
    """Whether a passage still states a sentence, as its units read (a question whose
    passage no longer does is wrong or out of date).

    >>> states("Cool the burn **for 20 minutes**. Call 999.", "Cool the burn for 20 minutes.")
    True
    """
    return sentence in {unit.text for unit in material_units(passage)}


# A pronoun inside a sentence ("All staff complete *it* at induction") points back.
_POINTS_BACK = re.compile(r"(?<!^)\b(?:it|this|these|those)\b", re.I)
# A context sentence that itself leans back: "It is…", "This is…", but not "This module…".
_STARTS_BACK = re.compile(r"^(?:it|they|then|also)\b|^(?:this|these|those)\s+(?:is|are|was|"
                          r"were|means|can|will|may|has|have|also|should|must)\b", re.I)


def fact_sentences(text: str) -> Iterable[tuple[str, list[Fact], str]]:
    """The whole sentences and list items of a passage that state a testable fact,
    each with the sentence before it when it needs that to be understood ("This
    module covers fire safety." for "All staff complete it every 12 months.")."""
    before: TextUnit | None = None
    for unit in material_units(text):  # never a fact an injection planted
        same_paragraph = before is not None and before.block == unit.block
        previous = before.text if same_paragraph and before is not None else ""
        before = unit if unit.kind == "sentence" else None
        if unit.kind not in ("sentence", "item") or len(unit.text.split()) < MIN_WORDS:
            continue
        if unit.kind == "sentence" and not is_complete_sentence(unit.text):
            continue
        if found := facts(unit.text):
            needs = unit.kind == "sentence" and _POINTS_BACK.search(unit.text)
            usable = needs and not _STARTS_BACK.match(previous)
            yield unit.text, found, previous if usable else ""


def wrong_facts(fact: Fact, pool: Sequence[Fact], sentence: str, count: int,
                mentions: dict[str, list[str]] | None = None) -> list[str]:
    """Wrong options for a fact: facts of the same kind from the course, the closest
    quantities first, none that the sentence itself states. A role is no wrong
    option where the course says something like this sentence of it (`mentions`:
    the course's sentences naming each role): "the Shift Manager" is no wrong
    answer to "Report it to your _____" when another page says "or the Shift Manager"."""
    stated = {key(f) for f in facts(sentence)}
    candidates = {key(f): f for f in pool if same_kind(fact, f) and key(f) not in stated}
    if fact.kind == "role" and mentions:
        topic = content_words(sentence) - content_words(fact.text)
        candidates = {k: f for k, f in candidates.items() if not any(
            len(topic & content_words(other)) >= ROLE_OVERLAP * max(1, len(topic))
            for other in mentions.get(k, ()))}
    ranked = sorted(candidates.values(), key=lambda f: (
        abs((f.value or 0) - (fact.value or 0)) if fact.value is not None else 0, key(f)))
    return [styled_like(f.text, fact.text) for f in ranked[:count]]


def role_mentions(passages: Sequence[SourcePassage]) -> dict[str, list[str]]:
    """Every sentence of the course that names each role, by the role's key."""
    mentions: dict[str, list[str]] = {}
    for passage in passages:
        for unit in passage_units(passage.text):
            for fact in facts(unit.text):
                if fact.kind == "role":
                    mentions.setdefault(key(fact), []).append(unit.text)
    return mentions


QuestionGenerator = Callable[[Sequence[SourcePassage]], list[QuestionDraft]]


def generate(passages: Sequence[SourcePassage]) -> list[QuestionDraft]:
    """Every question the text generator makes from these passages (one course), in
    passage order; the same passages always give the same questions.

    >>> passages = [SourcePassage(1, "Burns", "Cool a burn under running water for "
    ...     "20 minutes. Leave the dressing on for 10 minutes."),
    ...     SourcePassage(2, "Eyes", "Rinse the eye with clean water for 15 minutes at least. "
    ...     "Then wash the hands for 2 minutes.")]
    >>> for q in generate(passages):
    ...     print(q.kind, "|", q.question, "|", q.answer)
    true_false | True or false? Cool a burn under running water for 20 minutes. | True
    short | Fill in the blank: Leave the dressing on for _____. | 10 minutes
    true_false | True or false? Rinse the eye with clean water for 15 minutes at least. | True
    short | Fill in the blank: Then wash the hands for _____. | 2 minutes
    """
    found = [(passage, sentence, fact, context) for passage in passages
             for sentence, sentence_facts, context in fact_sentences(passage.text)
             for fact in sentence_facts]
    pool = [fact for _, _, fact, _ in found]
    mentions = role_mentions(passages)
    drafts = []
    for passage, sentence, fact, context in found:
        wrong = wrong_facts(fact, pool, sentence, OPTIONS - 1, mentions)
        seed = stable_seed(f"{sentence}|{fact.start}")
        shuffle = random.Random(seed)
        # The sentence before, when this one points back to it, unless it gives the fact away.
        lead = f"{context} " if context and key(fact) not in {key(f) for f in facts(context)} \
            and fact.text.lower() not in context.lower() else ""
        stem = lead + fact.in_place_of(sentence, BLANK)
        kind = ("choice", "true_false", "short")[seed % 3] if len(wrong) == OPTIONS - 1 else (
            "true_false" if wrong else "short")
        if kind == "choice":
            options = [fact.text, *wrong]
            shuffle.shuffle(options)
            drafts.append(QuestionDraft("choice", stem, tuple(options), fact.text,
                                        passage.chunk_id, passage.skill, sentence, fact.text,
                                        tuple(wrong)))
        elif kind == "true_false":
            false = shuffle.random() < 0.5
            statement = fact.in_place_of(sentence, wrong[0]) if false else sentence
            # The context is the material's, given; only the statement after it is judged.
            given = f"{context}\n" if lead else ""
            drafts.append(QuestionDraft(
                "true_false", f"{given}True or false? {statement}", ("True", "False"),
                "False" if false else "True", passage.chunk_id, passage.skill, sentence,
                fact.text, (wrong[0],) if false else ()))
        else:
            drafts.append(QuestionDraft("short", f"Fill in the blank: {stem}", (), fact.text,
                                        passage.chunk_id, passage.skill, sentence, fact.text))
    from tutor.quiz.phrases import phrase_questions  # both build on this module's drafts
    from tutor.quiz.steps import step_questions

    return drafts + step_questions(passages) + phrase_questions(passages)

"""Every question is checked before any learner sees it; one that fails is
discarded and counted by its reason. A question passes when

- its answer is stated in its source passage (the sentence it blanks is there);
- no wrong option is also true by the passage: each, put in place of the answer,
  is contradicted by the sentence (claims.conflict) or states a number the
  passage never gives, and the passage does not state it elsewhere;
- its options are distinct and of one form (quantities of one unit, words of
  one class);
- its stem does not give the answer away and can be read without the sentence
  before it ("Then wash…", "This is…" cannot);
- it is not a near-duplicate of a question already in the bank.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from tutor.answers.claims import conflict, numbers, read_claim
from tutor.answers.terms import content_words
from tutor.i18n import N_
from tutor.quiz.facts import facts, key, normal
from tutor.quiz.generate import BLANK, QuestionDraft, states

# A sentence that leans on the one before it cannot stand alone as a question.
_LEANS_BACK = re.compile(
    r"^(?:then|this|that|these|those|it|its|they|them|their|he|she|also|so|however|"
    r"otherwise|instead|here|there|such|both|now|the latter|the former|the converse)\b",
    re.IGNORECASE)
# An example's made-up figures are no rule to learn ("Let's say this threshold is 5 days").
_EXAMPLE = re.compile(r"^(?:let['\u2019]s|let us|suppose|imagine|assume|say|for example|"
                      r"for instance|e\.g\.)\b", re.IGNORECASE)
NEAR_DUPLICATE = 0.8  # share of word pairs two stems may share


@dataclass(frozen=True)
class Check:
    """One check a question went through: whether it passed, the reason a question
    that fails it is discarded with (what `validate` counts), and what it found, as
    figures a trainer's page can show."""

    passed: bool
    reason: str
    found: dict[str, str] = field(default_factory=dict)


def problem(draft: QuestionDraft, passage: str) -> str | None:
    """Why a question may not reach learners, or None: the first check it fails.

    >>> from tutor.quiz.generate import QuestionDraft as Q
    >>> passage = "Cool a burn for 20 minutes. A big burn needs 999."
    >>> good = Q("choice", "Cool a burn for _____.", ("20 minutes", "5 minutes", "10 minutes",
    ...          "1 minute"), "20 minutes", 1, "Burns", "Cool a burn for 20 minutes.",
    ...          "20 minutes", ("5 minutes", "10 minutes", "1 minute"))
    >>> problem(good, passage) is None
    True
    >>> problem(good.__class__(**{**good.__dict__, "wrong": ("20 Minutes",)}), passage)
    'a wrong option is the answer'
    """
    return next((c.reason for c in checks(draft, passage) if not c.passed), None)


def checks(draft: QuestionDraft, passage: str) -> Iterator[Check]:
    """The validator's checks on a question, in the order it makes them, each with
    what it found. A question fails at its first failed check; the checks after
    that one are not made (the generator stops where the reader does).

    >>> from tutor.quiz.generate import QuestionDraft as Q
    >>> q = Q("short", "Fill in the blank: Cool a burn for _____.", (), "20 minutes", 1,
    ...       "Burns", "Cool a burn for 20 minutes.", "20 minutes")
    >>> [(c.passed, c.reason) for c in checks(q, "Cool a burn for 20 minutes.")][:2]
    [(True, 'answer not in the passage'), (True, 'leans on the sentence before it')]
    >>> next(checks(q, "Cool a burn for 10 minutes.")).passed
    False
    """
    flat = " ".join(passage.split())
    stated = states(passage, draft.sentence)
    yield Check(stated and draft.fact in draft.sentence, N_("answer not in the passage"),
                {"sentence": draft.sentence, "fact": draft.fact,
                 "stated": "yes" if stated else "no"})
    if draft.basis == "order":  # the list states the order: every other step is wrong
        yield Check(len(set(draft.options)) == len(draft.options), N_("options repeat"),
                    {"options": str(len(draft.options)), "basis": "order"})
        return
    yield Check(not _LEANS_BACK.match(draft.sentence), N_("leans on the sentence before it"))
    yield Check(not _EXAMPLE.match(draft.sentence), N_("an example's figures, not a rule"))
    yield Check(not (draft.sentence.rstrip().endswith(":") or draft.sentence[:1].islower()),
                N_("a lead-in or a fragment, not a statement"))
    stem = draft.question.replace(BLANK, "")
    if draft.kind != "true_false":
        yield Check(normal(draft.fact) not in normal(stem), N_("the stem gives the answer away"),
                    {"fact": draft.fact})
    said = {key(f) for f in facts(flat)}
    answer = option_key(draft.fact)
    if draft.wrong:
        yield Check(all(option_key(w) != answer for w in draft.wrong),
                    N_("a wrong option is the answer"), {"wrong": str(len(draft.wrong))})
    if draft.kind == "choice":
        yield Check(len({option_key(o) for o in draft.options}) == len(draft.options),
                    N_("options repeat"), {"options": str(len(draft.options))})
        # One form: quantities of one unit, words of one class, roles, or all plain words.
        kinds = {next(((f.kind, f.unit) for f in facts(f"x {o} x")), ("words", ""))
                 for o in draft.options}
        yield Check(len(kinds) == 1, N_("options of different forms"),
                    {"form": "; ".join(sorted(f"{k} ({u})" if u else k for k, u in kinds))})
    for wrong in draft.wrong:
        plain = not facts(f"x {wrong} x")
        yield Check(not (option_key(wrong) in said or (plain and re.search(
            rf"\b{re.escape(normal(wrong))}\b", normal(flat)))),
            N_("a wrong option is stated in the passage"), {"option": wrong})
        if bounds := _bounds(draft):
            yield Check(not _within_bound(draft, wrong), N_("a wrong option satisfies the bound"),
                        {"option": wrong, "bound": " and ".join(sorted(bounds))})
        filled = draft.sentence.replace(draft.fact, wrong, 1)
        # A number or a role the passage never gives, where the sentence gives its own.
        invented = (numbers(filled) - numbers(flat)) | (_roles(filled) - _roles(flat))
        if plain:  # plain words: unsupported when the passage never says them
            invented |= content_words(wrong) - content_words(flat)
        contradiction = conflict(filled, draft.sentence)
        yield Check(contradiction is not None or bool(invented), N_("a wrong option may be true"),
                    {"option": wrong, "conflict": contradiction.detail if contradiction else "",
                     "invented": ", ".join(sorted(invented))})


def _bounds(draft: QuestionDraft) -> set[str]:
    """The bounds ("lower", "upper") the sentence puts on the quantity a question tests.

    >>> from tutor.quiz.generate import QuestionDraft as Q
    >>> _bounds(Q("short", "", (), "15 minutes", 1, "", "Flush for at least 15 minutes.",
    ...           "15 minutes"))
    {'lower'}
    """
    right = facts(f"x {draft.fact} x")
    if not right or right[0].value is None:
        return set()
    value = f"{right[0].value:g}"
    return {bound for number, unit, bound in read_claim(draft.sentence).quantities
            if bound and number == value and unit == right[0].unit}


def _within_bound(draft: QuestionDraft, wrong: str) -> bool:
    """Whether a wrong quantity is still true under the sentence's bound: 20 minutes
    for "flush for at least 15 minutes", 5 kg for "no more than 10 kg".

    >>> from tutor.quiz.generate import QuestionDraft as Q
    >>> q = Q("short", "", (), "15 minutes", 1, "", "Flush for at least 15 minutes.", "15 minutes")
    >>> _within_bound(q, "20 minutes"), _within_bound(q, "10 minutes")
    (True, False)
    """
    right, other = facts(f"x {draft.fact} x"), facts(f"x {wrong} x")
    if not right or not other or right[0].value is None or other[0].value is None:
        return False
    bounds = _bounds(draft)
    return ("lower" in bounds and other[0].value > right[0].value) or (
        "upper" in bounds and other[0].value < right[0].value)


def _roles(text: str) -> set[str]:
    return {key(f) for f in facts(text) if f.kind == "role"}


def option_key(option: str) -> str:
    """What an option says, as `facts.key` reads it ("24-hour" is "24 hour")."""
    found = facts(f"x {option} x")
    return key(found[0]) if found else normal(option)


def shared_pairs(stem: str, others: Iterable[str]) -> list[float]:
    """The share of a stem's word pairs that each other stem has too: at NEAR_DUPLICATE
    or more, `validate` discards it as a near-duplicate of that one.

    >>> shared_pairs("Cool a burn for _____ under water.", ["Cool a burn for 20 minutes."])
    [0.6]
    """
    pairs = _pairs(stem)
    size = max(1, len(pairs))
    return [len(pairs.intersection(itertools.pairwise(_words(other)))) / size
            for other in others]


def _pairs(text: str) -> set[tuple[str, str]]:
    return set(itertools.pairwise(_words(text)))


class _NonWord(dict[int, int]):
    """str.translate's table: a character that is no word character (as the regex
    `\\w` reads it) becomes a space; each is looked up once, on first sight."""

    def __missing__(self, char: int) -> int:
        self[char] = mapped = char if re.fullmatch(r"\w", chr(char)) else ord(" ")
        return mapped


_SPACED = _NonWord()


def _words(text: str) -> list[str]:
    """A stem's words, as `re.findall(r"\\w+")` finds them in it lower-cased, the blank
    a space; translate and split find them in half the time (the question page
    compares a stem with every other of its course: bench.console_pages).

    >>> _words("Cool a BURN_____ for 20 min—or so, ça va?")
    ['cool', 'a', 'burn', 'for', '20', 'min', 'or', 'so', 'ça', 'va']
    """
    return text.lower().replace(BLANK, " ").translate(_SPACED).split()


def validate(drafts: Iterable[QuestionDraft], passages: dict[int, str],
             bank: Sequence[str] = ()) -> tuple[list[QuestionDraft], Counter[str]]:
    """The questions that pass, and how many failed for each reason. `passages` maps
    a chunk id to its text; `bank` holds the stems already stored.

    >>> from tutor.quiz.generate import QuestionDraft as Q
    >>> a = Q("short", "Fill in the blank: Cool a burn for _____.", (), "20 minutes", 1, "B",
    ...       "Cool a burn for 20 minutes.", "20 minutes")
    >>> kept, failed = validate([a, a], {1: "Cool a burn for 20 minutes."})
    >>> len(kept), dict(failed)
    (1, {'near-duplicate': 1})
    """
    kept: list[QuestionDraft] = []
    failed: Counter[str] = Counter()
    seen = [_pairs(stem) for stem in bank]
    for draft in drafts:
        reason = problem(draft, passages.get(draft.chunk_id, ""))
        pairs = _pairs(draft.question)
        if reason is None and any(len(pairs & other) >= NEAR_DUPLICATE * max(1, len(pairs))
                                  for other in seen):
            reason = N_("near-duplicate")
        if reason is not None:
            failed[reason] += 1
            continue
        kept.append(draft)
        seen.append(pairs)
    return kept, failed

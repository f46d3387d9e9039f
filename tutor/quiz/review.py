"""Why a question in the bank passed, as a trainer reads it: the validator's checks
(tutor/quiz/validate.py `checks`) made again on the question as it is stored, each
with what it found, and its source passage with the sentence and fact it tests
marked. The bank keeps no record of a validation, so the page runs the same checks
again: what it shows is what the validator finds today, never a reason made up."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge.sentences import TextUnit, passage_units
from tutor.i18n import N_
from tutor.i18n import gettext as _
from tutor.quiz.generate import QuestionDraft
from tutor.quiz.validate import NEAR_DUPLICATE, Check, checks, shared_pairs


@dataclass(frozen=True)
class Piece:
    text: str
    mark: str = ""  # "", "sentence" (the one the question tests) or "fact" (within it)


@dataclass(frozen=True)
class Block:
    kind: str  # "heading", "paragraph", "item", "row" or "code"
    pieces: tuple[Piece, ...]


@dataclass(frozen=True)
class Reason:
    passed: bool
    text: str


def marked_passage(passage: str, sentence: str, fact: str) -> tuple[list[Block], bool]:
    """The passage as its blocks of text (markers and emphasis removed, as questions
    read it), the first unit that is the sentence marked and the fact marked within
    it; and whether the sentence was found.

    >>> blocks, found = marked_passage("## Burns\\n\\nCool a **burn** for 20 minutes. "
    ...                                "Call 999.", "Cool a burn for 20 minutes.", "20 minutes")
    >>> found, [b.kind for b in blocks]
    (True, ['heading', 'paragraph'])
    >>> [(p.text, p.mark) for p in blocks[1].pieces][1:]
    [('20 minutes', 'fact'), ('.', 'sentence'), (' Call 999.', '')]
    """
    blocks: list[Block] = []
    found = False
    for group in _by_block(passage_units(passage)):
        pieces: list[Piece] = []
        for unit in group:
            text = unit.text if not pieces else f" {unit.text}"
            if found or unit.text != sentence:
                pieces.append(Piece(text))
                continue
            found = True
            if text != unit.text:
                pieces.append(Piece(" "))
            before, fact_here, after = sentence.partition(fact) if fact else (sentence, "", "")
            pieces += [Piece(t, m) for t, m in ((before, "sentence"), (fact_here, "fact"),
                                                (after, "sentence")) if t]
        blocks.append(Block(_kind(group), tuple(_merged(pieces))))
    return blocks, found


def _by_block(units: list[TextUnit]) -> Iterable[list[TextUnit]]:
    group: list[TextUnit] = []
    for unit in units:
        if group and unit.block != group[0].block:
            yield group
            group = []
        group.append(unit)
    if group:
        yield group


def _kind(group: list[TextUnit]) -> str:
    first = group[0]
    if first.kind in ("heading", "row", "code"):
        return first.kind
    return "item" if first.in_item else "paragraph"


def _merged(pieces: list[Piece]) -> list[Piece]:
    """Neighbouring pieces with the same mark as one."""
    out: list[Piece] = []
    for piece in pieces:
        if out and out[-1].mark == piece.mark:
            out[-1] = Piece(out[-1].text + piece.text, piece.mark)
        else:
            out.append(piece)
    return out


# What each check found when the question passed it, and when it failed (by the
# validator's reason; the figures it reports fill the blanks).
PASSED = {
    "answer not in the passage": N_(
        "The passage states the sentence it tests, and its answer “%(fact)s” is in that "
        "sentence."),
    "order": N_("It asks for the order of the steps the list gives, so every other step is "
                "wrong; its %(options)s options are all different."),
    "options repeat": N_("Its %(options)s options are all different."),
    "leans on the sentence before it": N_(
        "The sentence stands on its own: it does not start by pointing back (“Then…”, "
        "“This…”, “It…”)."),
    "an example's figures, not a rule": N_(
        "The sentence states a rule, not an example's made-up figures (“Let's say…”, "
        "“For example…”)."),
    "a lead-in or a fragment, not a statement": N_(
        "The sentence is a whole statement, not a lead-in ending in “:” or a fragment."),
    "the stem gives the answer away": N_(
        "Its wording does not give the answer away: “%(fact)s” is not in it."),
    "a wrong option is the answer": N_(
        "None of its %(wrong)s wrong options says the same as the answer."),
    "options of different forms": N_("Its options are all of one form: %(form)s."),
    "a wrong option is stated in the passage": N_(
        "The wrong option “%(option)s” is stated nowhere in the passage."),
    "a wrong option satisfies the bound": N_(
        "The wrong option “%(option)s” falls outside the sentence's bound (%(bound)s)."),
    "conflict": N_("The wrong option “%(option)s”, put in place of the answer, contradicts "
                   "the sentence: %(conflict)s."),
    "invented": N_("The wrong option “%(option)s”, put in place of the answer, says what "
                   "the passage never gives: %(invented)s."),
}
FAILED = {
    "answer not in the passage": N_(
        "Its answer is not in the passage: the passage does not state “%(sentence)s”"),
    "answer not in the sentence": N_(
        "Its answer “%(fact)s” is not in the sentence it tests: “%(sentence)s”"),
    "options repeat": N_("Two of its options say the same."),
    "leans on the sentence before it": N_("The sentence leans on the one before it."),
    "an example's figures, not a rule": N_("The sentence gives an example's figures, not "
                                           "a rule."),
    "a lead-in or a fragment, not a statement": N_(
        "The sentence is a lead-in or a fragment, not a statement."),
    "the stem gives the answer away": N_("Its wording gives the answer “%(fact)s” away."),
    "a wrong option is the answer": N_("A wrong option says the same as the answer."),
    "options of different forms": N_("Its options are of different forms: %(form)s."),
    "a wrong option is stated in the passage": N_(
        "The wrong option “%(option)s” is stated in the passage."),
    "a wrong option satisfies the bound": N_(
        "The wrong option “%(option)s” still meets the sentence's bound (%(bound)s)."),
    "a wrong option may be true": N_(
        "The wrong option “%(option)s” may be true: the sentence does not contradict it "
        "and it gives nothing the passage does not."),
}
BOUNDS = {"lower": N_("at least"), "upper": N_("at most")}
# The forms an option takes (tutor/quiz/facts.py's kinds of fact, "words" for the rest).
FORMS = {"quantity": N_("a quantity"), "role": N_("a role"), "words": N_("plain words"),
         "colour": N_("a colour"), "direction": N_("a direction"), "weekday": N_("a weekday"),
         "month": N_("a month")}
NOT_DUPLICATE = N_("It is no near-duplicate: the closest other active question of the "
                   "course, #%(id)s, shares %(share)s of its word pairs (%(limit)s would be "
                   "too many).")
ONLY_ONE = N_("It is no near-duplicate: the course has no other active question.")
DUPLICATE = N_("It is a near-duplicate of question #%(id)s: they share %(share)s of its "
               "word pairs (%(limit)s is too many).")


def reasons(draft: QuestionDraft, passage: str,
            others: Sequence[tuple[int, str]] = ()) -> list[Reason]:
    """Each check the validator makes on the question, in its order, as a trainer
    reads it, up to the first it fails; then, as `validate` adds, whether it is a
    near-duplicate of one of `others` (the course's other active questions: id, wording).

    >>> q = QuestionDraft("short", "Fill in the blank: Cool a burn for _____.", (),
    ...                   "20 minutes", 1, "Burns", "Cool a burn for 20 minutes.", "20 minutes")
    >>> found = reasons(q, "Cool a burn for 20 minutes.", [(7, "Call 999.")])
    >>> len(found), all(r.passed for r in found)
    (6, True)
    >>> print(found[-1].text)
    It is no near-duplicate: the closest other active question of the course, #7, shares 0% of \
its word pairs (80% would be too many).
    >>> reasons(q, "Cool a burn for 10 minutes.")[-1].passed
    False
    """
    found: list[Reason] = []
    for check in checks(draft, passage):
        found.append(Reason(check.passed, _said(check, draft.basis)))
        if not check.passed:
            return found
    return [*found, _duplicate(draft.question, others)]


def _said(check: Check, basis: str) -> str:
    figures = dict(check.found)
    if "bound" in figures:
        figures["bound"] = " / ".join(_(BOUNDS[b]) for b in figures["bound"].split(" and "))
    if "form" in figures:
        figures["form"] = _forms(figures["form"])
    if not check.passed:
        name = "answer not in the sentence" if figures.get("stated") == "yes" else check.reason
        return _(FAILED[name]) % figures
    name = check.reason
    if name == "options repeat" and basis == "order":
        name = "order"
    elif name == "a wrong option may be true":
        name = "conflict" if figures["conflict"] else "invented"
    return _(PASSED[name]) % figures


def _forms(found: str) -> str:
    """The validator's forms ("quantity (m); words"), each in the reader's words; a
    unit is the material's, as it is.

    >>> _forms("quantity (m); words")
    'a quantity (m); plain words'
    """
    shown = []
    for form in found.split("; "):
        kind, _sep, unit = form.partition(" (")
        label = _(FORMS[kind]) if kind in FORMS else kind
        shown.append(_("%(form)s (%(unit)s)") % {"form": label, "unit": unit.rstrip(")")}
                     if unit else label)
    return "; ".join(shown)


def _duplicate(stem: str, others: Sequence[tuple[int, str]]) -> Reason:
    numbers, stems = zip(*others, strict=True) if others else ((), ())
    shares = shared_pairs(stem, stems)
    if not shares:
        return Reason(True, _(ONLY_ONE))
    share, number = max(zip(shares, numbers, strict=True), key=lambda pair: (pair[0], -pair[1]))
    figures = {"id": number, "share": f"{share:.0%}", "limit": f"{NEAR_DUPLICATE:.0%}"}
    passed = share < NEAR_DUPLICATE
    return Reason(passed, _(NOT_DUPLICATE if passed else DUPLICATE) % figures)

"""Questions on the order of steps: a numbered list of a passage ("1. Pull the
safety pin. 2. Aim the nozzle…") asks what comes right after a step. The material
states the order, so the answer is certain and every other step of the list is
wrong: with five steps or more a multiple-choice question, with three or four a
true/false statement (the true next step, or another one of the list).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from knowledge.sentences import passage_units, plain
from tutor.quiz.generate import OPTIONS, QuestionDraft, SourcePassage, stable_seed

_ITEM = re.compile(r"^\s{0,3}(\d{1,2})[.)]\s+(\S.*)$")
MIN_STEPS = 3


def numbered_lists(text: str) -> list[tuple[str, list[str]]]:
    """Each numbered list of a passage (1, 2, 3… in order) with the line that leads
    into it ("" if none), its items without Markdown emphasis.

    >>> numbered_lists("Remember **PASS**:\\n\\n1. **Pull** the pin.\\n2. **Aim** low.\\n"
    ...                "3. Squeeze.\\n\\nDone.")
    [('Remember PASS:', ['Pull the pin.', 'Aim low.', 'Squeeze.'])]
    """
    found: list[tuple[str, list[str]]] = []
    lead, items, last_text = "", [], ""
    for line in [*text.splitlines(), "(end)"]:  # the end closes a list like any text
        match = _ITEM.match(line)
        if match and int(match.group(1)) == len(items) + 1:
            if not items:
                lead = last_text
            items.append(plain(match.group(2)))  # as passage_units reads it
            continue
        if not line.strip():
            continue  # a blank line inside or before a list
        if len(items) >= MIN_STEPS:
            found.append((lead, items))
        items = []
        last_text = plain(line)
    return found


def step_questions(passages: Sequence[SourcePassage]) -> list[QuestionDraft]:
    """What comes right after each step but the last, of every numbered list.

    >>> passage = SourcePassage(1, "PASS", "Remember PASS:\\n\\n1. Pull the safety pin.\\n"
    ...     "2. Aim the nozzle at the base of the fire.\\n3. Squeeze the handle steadily.")
    >>> [(q.kind, q.answer) for q in step_questions([passage])]
    [('true_false', 'True'), ('true_false', 'True')]
    >>> step_questions([SourcePassage(2, "Shell", "It has drawbacks:\\n\\n1. Since it is big, it "
    ...     "is slow.\\n2. An option may clash.\\n3. It uses memory.")])  # no procedure
    []
    """
    drafts = []
    for passage in passages:
        units = [unit.text for unit in passage_units(passage.text)]
        for lead, items in numbered_lists(passage.text):
            if not is_procedure(items):
                continue  # a list of reasons or drawbacks has no order to learn
            steps = [_label(item, units) for item in items]
            if None in steps:
                continue  # read otherwise than the passage's units: no certain source
            named = [step for step in steps if step is not None]
            drafts += [_after(passage, lead, named, n) for n in range(len(named) - 1)]
    return drafts


# Words a step does not start with: a step says what to do ("Pull…", "Phone…").
_NOT_A_STEP = frozenset(
    "the a an this that these those it its since if when because there some many you your "
    "they their we our each every all any no not most as although while which who".split())


def is_procedure(items: list[str]) -> bool:
    """Whether a numbered list is steps to follow: three in four of its items or more
    start by saying what to do.

    >>> is_procedure(["Shout Fire!", "Operate the call point.", "Phone 2222.",
    ...               "The gatehouse calls 999."])
    True
    >>> is_procedure(["Since it is big, it is slow.", "An option may clash.", "Phone 2222."])
    False
    """
    doing = [item.split()[0].lower().strip("\"'“(") not in _NOT_A_STEP for item in items]
    return sum(doing) >= 0.75 * len(items)


def _label(item: str, units: list[str]) -> str | None:
    """A step as the passage's units read it: the item, or its first sentence when it
    has several ("Plan the lift." of "Plan the lift. Know where the load is going.")."""
    if item in units:
        return item
    return next((unit for unit in units if item.startswith(unit) and len(unit.split()) >= 2),
                None)


def _after(passage: SourcePassage, lead: str, steps: list[str], position: int) -> QuestionDraft:
    step, answer = steps[position], steps[position + 1]
    others = [s for n, s in enumerate(steps) if n not in (position, position + 1)]
    seed = stable_seed(f"{step}|{answer}")
    shuffle = random.Random(seed)
    intro = f"{lead} " if lead and not lead.endswith("?") else f"In “{passage.skill}”: "
    if len(others) >= OPTIONS - 1:
        wrong = shuffle.sample(others, OPTIONS - 1)
        options = [answer, *wrong]
        shuffle.shuffle(options)
        return QuestionDraft("choice", f"{intro}Which step comes right after “{step}”?",
                             tuple(options), answer, passage.chunk_id, passage.skill, answer,
                             answer, tuple(wrong), basis="order")
    false = seed % 2 == 1
    shown = shuffle.choice(others) if false else answer
    return QuestionDraft("true_false",
                         f"{intro}True or false? “{shown}” comes right after “{step}”.",
                         ("True", "False"), "False" if false else "True", passage.chunk_id,
                         passage.skill, answer, answer, (shown,) if false else (), basis="order")

"""The facts a sentence of the material states that a question can test: a number
with its unit ("20 minutes", "1 metre", "16 km/h"), or a word of a closed class
("black band", "Wednesday"). Each is a stretch of the sentence, so a question
blanks exactly it and the learner's answer can be compared with exactly it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge.sentences import plain
from tutor.answers.claims import NUMBER_WORD_NAMES, number_value, unit_of
from tutor.answers.injection import material_units
from tutor.answers.terms import CLOSED_CLASSES, content_words, is_general

# A number in digits or words, then its unit: "20 minutes", "1.5 m", "ten seconds", "50%".
# A number word needs a space or hyphen before its unit ("ones" is no quantity); a
# number inside code ("<ESC>[1;31m") is none either.
_QUANTITY = re.compile(
    r"(?<![\w.;\[$#%])(?:(?P<value>\d+(?:[.,]\d+)?)\s*|(?P<word>" + "|".join(NUMBER_WORD_NAMES)
    + r")(?:\s+|-))(?P<unit>%|[A-Za-z]+(?:/[A-Za-z]+)?)(?![\w])", re.IGNORECASE)
_CODE_SPAN = re.compile(r"`[^`']*'|`[^`]*`|``.*?''|<[A-Z]+>\S*")
# A role or body named with capitals inside a sentence: "the Team Leader", "the Health
# and Safety Adviser", "the Technical Committee". Who does what is a fact to learn.
ROLE_HEADS = frozenset(
    "Leader Manager Adviser Advisor Officer Supervisor Warden Wardens Aider Aiders Coordinator "
    "Director Representative Engineer Operator Administrator Maintainer Maintainers Committee "
    "Team Secretary Chair Controller Inspector Assessor Marshal Steward Lead".split())
_ROLE = re.compile(r"\b(?:(?!(?:The|A|An|This|That|Our|Your|Each|Every|Any|All|If|When)\b)"
                   r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?\s+(?:(?:and|of|&)\s+)?){0,3}"
                   r"(?:" + "|".join(sorted(ROLE_HEADS, key=len, reverse=True)) + r")\b")
_WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class Fact:
    start: int  # where it stands in the sentence
    end: int
    text: str  # as the sentence says it: "20 minutes"
    kind: str  # "quantity", "role", or the name of its closed class ("colour", …)
    unit: str = ""  # for a quantity: its unit in one spelling ("minute")
    value: float | None = None  # for a quantity in digits

    def in_place_of(self, sentence: str, other: str) -> str:
        """The sentence with another fact (or a blank) where this one stands."""
        return sentence[: self.start] + other + sentence[self.end:]


# The closed classes by the name a fact of one carries as its kind.
CLASSES = dict(zip(("colour", "direction", "weekday", "month"), CLOSED_CLASSES, strict=True))


def facts(sentence: str) -> list[Fact]:
    """The testable facts of a sentence, in reading order.

    >>> [(f.text, f.kind, f.unit) for f in facts("Cool the burn for 20 minutes, then call 999.")]
    [('20 minutes', 'quantity', 'minute')]
    >>> [(f.text, f.kind) for f in facts("CO2 (black band): for electrical fires on Mondays.")]
    [('black', 'colour'), ('Mondays', 'weekday')]
    >>> facts("Keep a 1 metre space clear; 2 people lift it.")[0].value
    1.0
    >>> facts("Disown the ones you keep; ``<ESC>[1;31m'' makes it red in `ls -l 5m'.")[0].text
    'red'
    >>> [(f.text, f.kind) for f in facts("Tell the Health and Safety Adviser within 2 days.")]
    [('Health and Safety Adviser', 'role'), ('2 days', 'quantity')]

    """
    found: list[Fact] = []
    code = [span.span() for span in _CODE_SPAN.finditer(sentence)]
    for match in _QUANTITY.finditer(sentence):
        unit = unit_of(match.group("unit"))
        if not unit or any(a <= match.start() < b for a, b in code):
            continue
        raw = digits(match.group("value") or number_value(match.group("word")) or "")
        value = float(raw) if re.fullmatch(r"\d+(?:\.\d+)?", raw) else None
        found.append(Fact(match.start(), match.end(), match.group(0), "quantity", unit, value))
    for match in _WORD.finditer(sentence):
        word = match.group(0).lower()
        for name, members in CLASSES.items():
            inside = any(f.start <= match.start() < f.end for f in found)
            # "Peter Gray" is a name: a colour capitalised inside a sentence is no colour.
            named = name == "colour" and match.start() > 0 and match.group(0)[0].isupper()
            # "Mondays" is a weekday; "creams" (barrier creams) is no colour.
            plural = name == "weekday" and word.rstrip("s") in members
            if (word in members or plural) and not inside and not named:
                found.append(Fact(match.start(), match.end(), match.group(0), name))
    for match in _ROLE.finditer(sentence):
        inside = any(f.start < match.end() and match.start() < f.end for f in found) or any(
            a <= match.start() < b for a, b in code)
        # At the start of a sentence a capital says nothing; a lone head word ("Team")
        # names no one in particular.
        # In a title, not a role: "the New Maintainers' Guide", "the Guide for Debian Maintainers".
        titled = sentence[match.end():match.end() + 1] in ("'", "\u2019") or bool(
            re.search(r"[A-Z][a-z]+\s+(?:for|of|to)\s+$", sentence[:match.start()]))
        if match.start() > 0 and " " in match.group(0) and not inside and not titled:
            found.append(Fact(match.start(), match.end(), match.group(0), "role"))
    return sorted(found, key=lambda fact: fact.start)


def digits(number: str) -> str:
    """A written number as plain digits: a comma before three digits groups
    thousands ("2,000"); any other comma is a decimal point ("20,5").

    >>> digits("2,000"), digits("20,5"), digits("200,0"), digits("15")
    ('2000', '20.5', '200.0', '15')
    """
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", number):
        return number.replace(",", "")
    return number.replace(",", ".")


def same_kind(fact: Fact, other: Fact) -> bool:
    """Whether `other` can stand in for `fact` as a wrong option: a quantity of the same
    unit, or a word of the same class, that says something else.

    >>> [one, two] = facts("Cool it for 20 minutes, or 10 minutes at least.")
    >>> same_kind(one, two), same_kind(one, one)
    (True, False)
    """
    if fact.kind == "role" and _role_form(fact) != _role_form(other):
        return False  # "the Team Leader" for "the Debian Maintainers" reads wrong at once
    return fact.kind == other.kind and fact.unit == other.unit and key(fact) != key(other)


_BODIES = frozenset({"committee", "team"})


def _role_form(fact: Fact) -> tuple[bool, bool]:
    """A role's form: a body or a person, one or many."""
    head = fact.text.split()[-1].lower()
    return head in _BODIES, head.endswith("s")


def key(fact: Fact) -> str:
    """What a fact says, however it is written: "24 hours", "24-hour" and "24 Hours"
    are one quantity.

    >>> {key(f) for f in facts("Within 24 hours, a 24-hour check, 24 Hours.")}
    {'24 hour'}
    """
    if fact.kind == "quantity":
        value = f"{fact.value:g}" if fact.value is not None else normal(fact.text).split()[0]
        return f"{value} {fact.unit}"
    return normal(fact.text).rstrip("s")


def normal(text: str) -> str:
    """Text as options are compared: case and spacing ignored ("20 Minutes" is
    "20 minutes", "20-minute" is "20 minute")."""
    return " ".join(re.sub(r"[-\s]+", " ", text.lower()).split())


def styled_like(text: str, model: str) -> str:
    """A wrong option written like the answer: capitalised if it is.

    >>> styled_like("blue", "Red"), styled_like("Blue", "red")
    ('Blue', 'blue')
    """
    if model[:1].isupper():
        return text[:1].upper() + text[1:]
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


# ---- things of one kind that a course names --------------------------------------------
# What the bank offers as wrong options, for the typed answers too: a response naming
# two of a course's things of the answer's kind is a list, whatever joins them.

# A list item's head, the thing it is about: "- **CO2 (black band):** for…", "- Bleach: …".
_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+\u2022]|\d{1,2}[.)])\s+(?P<body>\S.*)$")
_HEAD = re.compile(r"^(?P<head>[^():;,.]{1,40}?)\s*(?:\([^)]*\))?\s*[:\u2013\u2014]\s")
# A name in code: `setopt', `bindkey foo` (a command or function); SH_WORD_SPLIT (an
# option); .zshrc (a file).
_QUOTED = re.compile(r"`(?P<name>[a-z][\w-]*[a-z0-9])(?=[\s'`])[^`'\n]{0,60}['`]")
_OPTION = re.compile(r"(?<![\w$])[A-Z][A-Z0-9]*_[A-Z0-9_]+\b")
_DOTFILE = re.compile(r"(?<![\w/.~])~?/?\.[a-z][a-z0-9_-]{2,}\b(?![\w/]|\.\w)")
MIN_KIND = 3  # fewer things of a kind make no list to choose from


@dataclass(frozen=True)
class Kinds:
    """The things of each kind a course names: the heads of one list, names in code
    of one shape (a command, an option, a file), and its facts (tutor/quiz/facts.py)."""

    groups: tuple[frozenset[str], ...]
    facts: tuple[Fact, ...]

    def of(self, answer: str) -> tuple[str, ...]:
        """The things of the answer's kind the course names: those of each group the
        answer names something of, and the facts that could stand in for it.

        >>> kinds = course_kinds([["Spills:\\n\\n- **Bleach (hypochlorite):** never mix "
        ...     "it.\\n- **Ammonia:** ventilate.\\n- **Vinegar:** rinse.\\n\\nWear blue gloves "
        ...     "for 10 minutes, green ones for 5 minutes."]])
        >>> kinds.of("bleach"), kinds.of("blue"), kinds.of("5 minutes"), kinds.of("rinse it")
        (('Ammonia', 'Bleach', 'Vinegar'), ('green',), ('10 minutes',), ())
        """
        found = {name for group in self.groups if any(names(answer, m) for m in group)
                 for name in group}
        if (fact := _whole_fact(answer)) is not None:
            found |= {f.text for f in self.facts if same_kind(fact, f)}
        return tuple(sorted(found))


def course_kinds(sections: Iterable[Sequence[str]]) -> Kinds:
    """The things of one kind a course names, from its passages by section (the heads
    of a list are one kind only within a section; a passage may hold half a list).

    >>> kinds = course_kinds([["Run `setopt foo' or `unsetopt foo', then `bindkey -v'. "
    ...     "Set SH_WORD_SPLIT, KSH_ARRAYS or NO_NOMATCH in .zshrc, not .zshenv or .zlogin."]])
    >>> [sorted(group) for group in kinds.groups]
    [['bindkey', 'setopt', 'unsetopt'], ['KSH_ARRAYS', 'NO_NOMATCH', 'SH_WORD_SPLIT'], \
['.zlogin', '.zshenv', '.zshrc']]
    """
    groups: list[frozenset[str]] = []
    pool: dict[str, Fact] = {}
    code: list[str] = []
    for texts in sections:
        heads = {}
        for text in texts:
            heads.update((normal(head), head) for head in _heads(text))
            code.append(text)
            for unit in material_units(text):
                pool.update((key(f), f) for f in facts(unit.text))
        groups.append(frozenset(heads.values()))
    everything = "\n".join(code)
    groups += [_commands(everything), frozenset(_OPTION.findall(everything)),
               frozenset(m.group().lstrip("~/") for m in _DOTFILE.finditer(everything))]
    return Kinds(tuple(g for g in groups if len(g) >= MIN_KIND), tuple(pool.values()))


def names(text: str, name: str) -> bool:
    """Whether a text names a thing, as a word of its own, in any case or the plural.

    >>> names("two reach trucks", "reach truck"), names("use .zshrc", ".zshrc")
    (True, True)
    >>> names("a truckload", "truck"), names("setopt-like", "setopt")
    (False, False)
    """
    return bool(re.search(rf"(?<![\w-]){re.escape(name)}(?:e?s)?(?![\w-])", text, re.I))


def _heads(text: str) -> Iterable[str]:
    """The heads of a passage's list items: what each is about, or the item itself
    when it is a name of a few words."""
    for line in text.splitlines():
        if (item := _LIST_ITEM.match(line)) is None:
            continue
        body = plain(item.group("body"))
        head = _HEAD.match(body)
        name = head.group("head").strip() if head else body.strip(" ;,.:")
        if 1 <= len(name.split()) <= (4 if head else 3) and content_words(name):
            yield name


def _commands(text: str) -> frozenset[str]:
    """The commands and functions a course quotes as code (`setopt', `bindkey -v`),
    less the words its prose also writes as words: one that starts a sentence ("If",
    "Print") or that the prose says far more often than it quotes ("function").

    >>> sorted(_commands("Use `bindkey -v' or `print foo'. Print it; `if' and `setopt' too."))
    ['bindkey', 'setopt']
    """
    quoted = Counter(m.group("name") for m in _QUOTED.finditer(text))
    prose = _QUOTED.sub(" ", text)
    capitalised = set(re.findall(r"(?<![\w`'-])[A-Z][a-z][\w-]*", prose))
    said = Counter(re.findall(r"(?<![\w`'-])[a-z][\w-]*[a-z0-9](?![\w'-])", prose))
    return frozenset(name for name, count in quoted.items() if not is_general(name)
                     and name.capitalize() not in capitalised and said[name] <= 3 * count + 3)


def _whole_fact(answer: str) -> Fact | None:
    """The one fact an answer is, if it is one: "20 minutes", "green", "Team Leader"."""
    for found in (facts(answer), facts(f"x {answer} x")):
        whole = [f for f in found if len(f.text) >= len(answer.strip()) - 1]
        if len(whole) == 1:
            return whole[0]
    return None

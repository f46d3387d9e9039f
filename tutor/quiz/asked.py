"""What a learner's question asks for, found in the sentence that answers it: the
stretch a guiding question leaves blank. "Which extinguisher…?" is answered by the
extinguisher ("CO2"), "what colour band…?" by the colour, "how long…?" by a time.

Where the question asks no one thing ("how do I…", "why…", "do I need to…"), or
the sentence holds nothing of the kind asked, there is no blank: a blank on some
other fact would quiz the learner on what they did not ask.
"""

from __future__ import annotations

import re

from tutor.answers.claims import NUMBER_WORD_NAMES
from tutor.answers.terms import content_words
from tutor.quiz.facts import Fact, facts

# The dimension of the amount a "how …" asks, by the units that can answer it.
_TIME = {"second", "minute", "hour", "day", "week", "month", "year"}
_LENGTH = {"mm", "cm", "m", "km", "metre", "ft", "inch", "foot", "mile"}
_MASS = {"g", "kg", "tonne", "lb"}
_ASKED_AMOUNT = [
    (re.compile(r"\bhow (?:long|often|soon|frequently)\b|\bwhat (?:time limit|deadline)\b",
                re.I), _TIME),
    (re.compile(r"\bhow (?:far|high|wide|deep|tall|close)\b|\bwhat (?:distance|height)\b",
                re.I), _LENGTH),
    (re.compile(r"\bhow heavy\b|\bheaviest\b|\bwhat (?:weight|load)\b|\bweigh", re.I), _MASS),
    (re.compile(r"\bhow (?:fast|quick)\b|\bwhat speed\b|\bspeed limit\b", re.I), None),
    (re.compile(r"\bhow (?:much|hot|cold|big|old)\b|\bwhat (?:size|age|temperature|"
                r"percentage|limit)\b|\b(?:maximum|minimum)\b", re.I), None),
]
_HOW_MANY = re.compile(r"\bhow many ([a-z]+)", re.I)
# "What colour…", "the colour of…"; not "coloured prompts on my colour xterm".
_COLOUR = re.compile(r"\b(?:what|which) colou?r\b|\bcolou?r (?:of|is|are|does|do)\b", re.I)
_DAY = re.compile(r"\b(?:what|which) (?:day|month)\b|\bwhen\b", re.I)
_WHO = re.compile(r"^\W*(?:who|whom|whose)\b|\b(?:which|what) (?:person|role|people)\b", re.I)
# "Which extinguisher…", "what type of glove…": a thing of a kind, named in the material.
_WHICH = re.compile(r"\b(?:which|what)(?: (?:kind|type|sort)s? of)? ([a-z]+)", re.I)
_NOT_A_KIND = frozenset(
    "is are was were do does did can could should would will must has have had the a an "
    "i you we they it this that happens happen to if".split())
# The thing an item or definition is about: "CO2 (black band): the first choice…".
_ITEM_HEAD = re.compile(r"^\W*(?P<head>[^():;,.]{1,40}?)\s*(?:\([^)]*\))?\s*[:\u2013\u2014-]\s")
_NUMBER = r"\d+(?:[.,]\d+)?|" + "|".join(NUMBER_WORD_NAMES)


def answer_span(question: str, sentence: str) -> Fact | None:
    """The stretch of `sentence` that answers `question`, or None.

    >>> item = "CO2 (black band): the first choice for fires in electrical equipment."
    >>> answer_span("Which extinguisher do I use on a computer fire?", item).text
    'CO2'
    >>> answer_span("What colour band does the CO2 extinguisher have?", item).text
    'black'
    >>> burn = "Cool the burn under running water for 20 minutes, then cover it."
    >>> answer_span("How long should I cool a burn?", burn).text
    '20 minutes'
    >>> answer_span("How should I treat a burn?", burn) is None
    True
    >>> answer_span("How many points of contact?", "Keep three points of contact.").text
    'three'
    >>> answer_span("When is the alarm tested?", "It is tested every Wednesday at 10:00.").text
    'Wednesday'
    >>> answer_span("Who leads the roll call?", "Wardens report to the Chief Fire Warden.").text
    'Chief Fire Warden'
    """
    asked = content_words(question)
    found = [fact for fact in facts(sentence) if not content_words(fact.text) <= asked
             or not content_words(fact.text)]
    for pattern, units in _ASKED_AMOUNT:
        if pattern.search(question):
            amounts = [f for f in found if f.kind == "quantity"
                       and (units is None or f.unit in units)]
            return amounts[0] if len(amounts) == 1 else _first_unless_ambiguous(amounts)
    if many := _HOW_MANY.search(question):
        return _counted(sentence, many.group(1), found)
    if _COLOUR.search(question):
        return _first_of(found, {"colour"})
    if _WHO.search(question):
        return _first_of(found, {"role"})
    if _DAY.search(question) and (day := _first_of(found, {"weekday", "month"})):
        return day
    which = _WHICH.search(question)
    if which and which.group(1).lower() not in _NOT_A_KIND:
        return _head(sentence, asked)
    return None


def _first_of(found: list[Fact], kinds: set[str]) -> Fact | None:
    return next((fact for fact in found if fact.kind in kinds), None)


def _first_unless_ambiguous(amounts: list[Fact]) -> Fact | None:
    """Two amounts of the asked kind that say different things: which one answers is
    for the reader to see, not for a blank to guess."""
    return amounts[0] if amounts and all(a.text == amounts[0].text for a in amounts) else None


def _counted(sentence: str, noun: str, found: list[Fact]) -> Fact | None:
    """The number before what "how many" counts: "three" in "three points of contact"."""
    stem = re.escape(noun.lower().rstrip("s"))
    match = re.search(rf"\b(?P<n>{_NUMBER})\s+{stem}", sentence, re.I)
    if match:
        return Fact(match.start("n"), match.end("n"), match.group("n"), "number")
    return _first_unless_ambiguous([f for f in found if f.kind == "quantity"])


def _head(sentence: str, asked: set[str]) -> Fact | None:
    """The term an item or definition is about, unless the question names it."""
    match = _ITEM_HEAD.match(sentence)
    if match is None:
        return None
    head = match.group("head").strip()
    words = content_words(head)
    # "The Universal Operating System: …" is a title, not an item's term.
    titled = head.split()[0].lower() in ("the", "a", "an", "this")
    if not words or words <= asked or len(head.split()) > 4 or titled:
        return None
    start = match.start("head")
    return Fact(start, start + len(head), head, "term")

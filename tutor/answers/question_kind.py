"""What kind of answer a question asks for: how long, how often, how many, which
order, why, who, where, when, yes or no, whether it can be done, a way of doing
something, or a thing. Two questions that ask for different kinds are different
questions however alike their words ("How long do you cool a burn?" / "How do you
cool a burn?"); tutor/answers/same_question.py checks this first.
"""

from __future__ import annotations

import re

from tutor.answers.terms import stem, tokens
from tutor.asking import reads_as_question
from tutor.asking import words as message_words

# What a question asks for, found anywhere in it ("zsh doesn't save my history, why?").
_ASK_PHRASES = [
    (re.compile(r"\bhow (?:long|much time)\b|\bhow many (?:seconds|minutes|hours|days|weeks"
                r"|months|years)\b"), "duration"),
    (re.compile(r"\bhow (?:often|frequently)\b|\bhow many times\b"), "frequency"),
    (re.compile(r"\bhow (?:many|much)\b"), "amount"),
    (re.compile(r"\b(?:in )?(?:what|which) order\b"), "order"),
    (re.compile(r"\bwhy\b|\bhow come\b|\bwhat (?:is|'s) the reason\b"), "reason"),
    (re.compile(r"\bwho(?:m|se|'s)?\b"), "person"),
]
# "when" and "where" ask only at the start or before an auxiliary: "…saved when I exit".
_PLACE_TIME = re.compile(r"(?:^|[.?!,;]\s*)(where|when)\b|\b(where|when) (?:is|are|was|were|do|"
                         r"does|did|can|could|should|will|would|must|shall|may|might)\b")
# "What's the command to…", "is there a way to…": a way of doing something.
WAY = re.compile(r"^(?:what(?: is|'s) the (?:\w+ )?(?:way|command|procedure|method|steps?) "
                  r"(?:to|for)|(?:what|which) (?:command|tool|program)s?\b|is there (?:a|any) way"
                  r"|what (?:do|should|must) (?:i|we|you) (?:need to )?do (?:to|if|when|about)"
                  r"|how to)\b")
_CAN = re.compile(r"^(?:can|could) (?!you (?:explain|tell|describe|define|clarify)\b)\w+"
                  r"|^is it possible\b|^(?:am|are) (?:i|we) able to\b")
_REQUEST = re.compile(r"^(?:(?:can|could|would) you |please )?(?:explain|describe|define"
                      r"|clarify|tell me about)\b")
# "How do I find out which…": asks the embedded question, by a way.
_FIND_OUT = re.compile(r"^how (?:do|can|could|should|would) (?:i|we|you|one) (?:find out|tell"
                       r"|know|check|see|work out|figure out|determine|learn) (which|what"
                       r"|whether|if|who|where|when)\b")
_AUXILIARY = frozenset(
    "do does did is are was were am can could should would will shall may might must have "
    "has had".split())
# Kinds a question of the other may ask and still mean the same: "Can I…?" asks both
# whether and how; "which X" and "what is X" ask a thing.
_COMPATIBLE = {frozenset({"can", "way"}), frozenset({"can", "yesno"})}


def asks(question: str) -> frozenset[str]:
    """What kinds of answer a question asks for.

    >>> sorted(asks("How long do you cool a burn?")), sorted(asks("How do you cool a burn?"))
    (['duration'], ['way'])
    >>> sorted(asks("who checks the fire assembly point")), sorted(asks("what is it"))
    (['person'], ['thing'])
    >>> sorted(asks("zsh doesn't save my history, why?")), sorted(asks("Must I reboot?"))
    (['reason'], ['yesno'])
    >>> sorted(asks("Can I install .deb files on Red Hat?"))
    ['can']
    >>> sorted(asks("How can I tell which packages are installed?"))
    ['thing', 'way']
    >>> sorted(asks("Why isn't my history saved when I exit zsh?"))
    ['reason']
    """
    question = asking_part(question)
    text = " ".join(message_words(question))
    found = {kind for pattern, kind in _ASK_PHRASES if pattern.search(text)}
    if where := _PLACE_TIME.search(question.lower()):
        found.add("place" if "where" in where.group(0) else "time")
    if found:
        return frozenset(found)
    first = text.split(" ", 1)[0] if text else ""
    if embedded := _FIND_OUT.match(text):
        inner = embedded.group(1)
        return frozenset({"way", "yesno" if inner in ("whether", "if") else
                          {"who": "person", "where": "place", "when": "time"}.get(inner, "thing")})
    if _REQUEST.match(text):
        return frozenset({"thing"})
    if WAY.match(text):
        return frozenset({"way"})
    if _CAN.match(text):
        return frozenset({"can"})
    if first == "how":  # "how do I…" asks a way; "how does zsh differ…", also a thing
        doer = re.match(r"how (?:\w+ )?(?:i|you|we|one)\b", text)
        return frozenset({"way"} if doer else {"way", "thing"})
    if first in _AUXILIARY or first.endswith("n't"):
        return frozenset({"yesno"})
    return frozenset({"thing"})  # "what", "which", or no question word at all


def asking_part(question: str) -> str:
    """The part of a message that asks, from the first that reads as a question:
    "I'm not root. How can I…", "Without root access, how do I…", "…, why?".

    >>> asking_part("Without root access, how do I get zsh?")
    'how do I get zsh?'
    """
    parts = re.split(r"(?<=[.,;:!?])\s+", question.strip())
    for index, part in enumerate(parts):
        if reads_as_question(part):
            return " ".join(parts[index:])
    return question


def asks_alike(one: frozenset[str], other: frozenset[str]) -> bool:
    """
    >>> asks_alike(asks("Can I hold a package?"), asks("How do I hold a package?"))
    True
    >>> asks_alike(asks("Do I have to reboot?"), asks("How do I reboot?"))
    False
    """
    return bool(one & other) or any(frozenset({a, b}) in _COMPATIBLE for a in one for b in other)


# Words that change nothing a question asks: who asks ("I", "you", "one"), how it is
# put ("do", "can", "should"), articles and the like. Negations, quantities, question
# words and every content word stay, in their order.
_WORDING = frozenset(
    "i you we one me my your our a an the do does did can could should would shall will "
    "is are am be to please ever actually really just".split())


def same_wording(one: str, other: str) -> bool:
    """Whether two questions are one question worded alike: the same content words
    (by stem) in the same order, apart from who asks and how it is put. A trainer's
    answer is served unasked only to such a question; any other likely match is
    offered (tutor/answers/trainer_match.py): a near miss turns on a word (double or
    single, how or how long), a reversal (hex to decimal, decimal to hex) on the order.

    >>> same_wording("How do you cool a burn?", "how should I cool a burn")
    True
    >>> same_wording("How do you cool a burn?", "How long do you cool a burn?")
    False
    >>> same_wording("How do I convert hexadecimal to decimal?",
    ...              "How do I convert decimal to hexadecimal?")
    False
    >>> same_wording("Why can't I log in?", "Why can I log in?")
    False
    """
    return _worded(one) == _worded(other) != []


def _worded(question: str) -> list[str]:
    return [stem(word) for word in tokens(question) if word not in _WORDING]

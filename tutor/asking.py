"""Whether a learner's message asks something or answers something.

While a quiz question or a coached gap waits, a learner may still ask ("what does
PASS stand for?"); that is answered from the material, never graded. An answer,
though, can be several words ("cool running water for 20 minutes") or hedged with
a question mark ("20 minutes?"), and is graded. What reads as a question: a
question word opening it ("what…", "which one…", "when is…"), an auxiliary before
its subject ("do I…", "can you…"), a request ("explain…", "tell me…", but not
"tell a first aider"), or a question mark with a question word anywhere ("PASS
means what?").
"""

from __future__ import annotations

import re

_WORDS = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# These open a question whatever follows; no answer to a fill-in question starts so.
_ASKING = frozenset("what whats why how hows which who whos whom whose".split())
# "When is…" asks, "when the alarm sounds" answers.
_OPENING = frozenset("when where".split())
_AUXILIARIES = frozenset(
    "do does did is are was were am can could should would will shall may might must "
    "have has had isn't aren't don't doesn't can't shouldn't won't".split())
# After an auxiliary, a subject makes it a question ("do I…"); "do not…" is a rule.
_SUBJECTS = frozenset(
    "i you we they he she it there this that these those the a an my our your their "
    "someone anyone anybody somebody everyone people staff".split())
_REQUESTS = frozenset("explain describe define clarify".split())
# These ask only of the tutor: "tell me…" asks, "tell a first aider" is an answer.
_ASKED_OF_ME = frozenset("tell remind show give".split())
# A guess may say a little more than the fact it fills ("it's 20 minutes"), not a
# sentence more.
GUESS_SLACK = 4


def words(text: str) -> list[str]:
    """The words of a message, lower case, apostrophes kept ("what's").

    >>> words("What's PASS?")
    ["what's", 'pass']
    """
    return _WORDS.findall(text.lower().replace("\u2019", "'"))


def reads_as_question(text: str) -> bool:
    """Whether a message asks something rather than answers.

    >>> reads_as_question("What does PASS stand for?"), reads_as_question("which one for oil")
    (True, True)
    >>> reads_as_question("Do I need to leave?"), reads_as_question("explain the PASS steps")
    (True, True)
    >>> reads_as_question("When is the alarm tested"), reads_as_question("PASS means what?")
    (True, True)
    >>> reads_as_question("cool running water for 20 minutes")
    False
    >>> reads_as_question("20 minutes?"), reads_as_question("Do not use water")
    (False, False)
    >>> reads_as_question("when the alarm sounds"), reads_as_question("CO2")
    (False, False)
    >>> reads_as_question("tell me the PASS steps"), reads_as_question("tell the Shift Manager")
    (True, False)
    """
    said = words(text)
    if not said:
        return False
    first, second = said[0].replace("'s", "s"), said[1] if len(said) > 1 else ""
    if first in _ASKING or first in _REQUESTS:
        return True
    if first in _ASKED_OF_ME and second in ("me", "us"):
        return True
    if first in _OPENING and second in _AUXILIARIES:
        return True
    if first in _AUXILIARIES and second in _SUBJECTS:
        return True
    asking = _ASKING | _OPENING
    return "?" in text and any(word.replace("'s", "s") in asking for word in said)


def is_a_guess(text: str, gap: str) -> bool:
    """Whether a message is a go at a coached gap: it asks nothing and is about as
    long as the fact left out, not a new question or a remark.

    >>> is_a_guess("20 minutes", "20 minutes"), is_a_guess("20 minutes?", "20 minutes")
    (True, True)
    >>> is_a_guess("CO2", "CO2"), is_a_guess("How do I lift a box?", "20 minutes")
    (True, False)
    >>> is_a_guess("what about foam", "CO2")
    False
    >>> is_a_guess("I lifted a heavy box yesterday and my back hurts now", "20 minutes")
    False
    """
    return not reads_as_question(text) and len(words(text)) <= len(words(gap)) + GUESS_SLACK

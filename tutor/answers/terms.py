"""The words a sentence's claim rests on, compared the way a reader compares them:
"putting" is "put", "10" is "ten", "the", "make" and "simply" say nothing about
the material; "green", "north", "Shift Manager" and ".zshrc" say a great deal.
"""

from __future__ import annotations

import re
from functools import cache

_WORD = re.compile(r"[a-z0-9][a-z0-9'_.-]*[a-z0-9]|[a-z0-9]")
# Words that carry no claim of their own: function words, and general verbs and
# adverbs a paraphrase brings in ("make sure", "give", "simply", "still").
_GENERAL = frozenset(
    "a about above after again also always am an and another any are as at be because been "
    "before being below between both but by can could did do does doing done down during "
    "each every few for from further had has have having here how however i if in into is "
    "it its itself just like made make makes making more most much must need needs never "
    "no nor not now of off often on once only or other our out over own same shall should "
    "so some such than that the their them then there these they this those through to too "
    "under until up upon usually very want was we were what when where which while who whom "
    "why will with within without would you your yours you're it's don't "
    "important ensure sure help get gets getting got give gives given giving take takes "
    "taken taking put puts putting let lets say says said tell tells told know knows known "
    "see seen way ways thing things something anything everything one ones even still "
    "simply really actually already always just quite rather instead also therefore thus "
    "use used uses using okay ok yes remember note notice basically generally".split()
)
COLOURS = frozenset(
    "red orange yellow green blue purple violet pink brown black white grey gray silver gold "
    "cream amber".split()
)
COMPASS = frozenset("north south east west northern southern eastern western".split())
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
MONTHS = frozenset(
    "january february march april may june july august september october november "
    "december".split()
)
# Closed classes: a word of one exchanged for another of the same class is a
# changed fact, never a paraphrase ("a green lanyard" for "a yellow lanyard").
CLOSED_CLASSES = (COLOURS, COMPASS, WEEKDAYS, MONTHS - {"may"})


@cache
def _stemmer():  # snowballstemmer has no type hints
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@cache
def stem(word: str) -> str:
    """
    >>> [stem(w) for w in ["putting", "closed", "closing", "extinguishers", "co2"]]
    ['put', 'close', 'close', 'extinguish', 'co2']
    """
    return str(_stemmer().stemWord(word))


def tokens(text: str) -> list[str]:
    """Lower-case words, numbers and code-like terms (".zshrc", "apt-get", "SH_WORD_SPLIT").

    >>> tokens("Edit ~/.zshrc: set SH_WORD_SPLIT, then run apt-get (v5.9).")
    ['edit', 'zshrc', 'set', 'sh_word_split', 'then', 'run', 'apt-get', 'v5.9']
    """
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def is_general(word: str) -> bool:
    """A word that carries no claim of its own ("the", "make", "simply")."""
    return word in _GENERAL


def content_words(text: str) -> set[str]:
    """The stems a sentence's claim rests on, with the numbers it states (as digits).

    >>> sorted(content_words("Keep the 2 exits clear at all times, for ten minutes."))
    ['10', '2', 'all', 'clear', 'exit', 'keep', 'minut', 'time']
    """
    from tutor.answers.claims import numbers  # claims reads numbers; it imports nothing here

    found = numbers(text)
    for word in tokens(text):
        if word in _GENERAL or word in _NUMBER_NAMES or word.isdigit():
            continue
        found.add(stem(word))
    return found


_NUMBER_NAMES = frozenset(
    "zero two three four five six seven eight nine ten eleven twelve fifteen twenty thirty "
    "forty fifty hundred dozen twice half".split()
)


def specific_terms(text: str) -> set[str]:
    """Words that name something exactly: names and roles written with capitals (not
    at the start of the sentence), code, file names and options, and the words of
    the closed classes (colours, points of the compass, days, months).

    >>> sorted(specific_terms("Ask the Shift Manager for the green key to ~/.zshrc or -f."))
    ['-f', 'green', 'manag', 'shift', 'zshrc']
    """
    found = set()
    raw = re.findall(r"[\w'.~/-]*\w", text)
    for index, word in enumerate(raw):
        lower = word.lower()
        capitalised = index > 0 and word[0].isupper() and lower not in _GENERAL
        code = bool(re.search(r"[._/~]|^-|\d", word)) and not re.fullmatch(r"\d+(?:[.,]\d+)?",
                                                                             word)
        closed = any(lower in cls for cls in CLOSED_CLASSES)
        if capitalised or code or closed:
            found.add(stem(lower.strip("./~")) if not code else lower.strip(".~/"))
    return found


def substituted(answer: str, source: str) -> tuple[str, str] | None:
    """A word of a closed class in the answer, where the source says another of the
    same class: (the answer's word, the source's).

    >>> substituted("First aiders wear a yellow lanyard.", "First aiders wear a green lanyard.")
    ('yellow', 'green')
    >>> substituted("Wear a green or yellow vest.", "Wear a green vest or a yellow one.") is None
    True
    """
    said, given = set(tokens(answer)), set(tokens(source))
    for cls in CLOSED_CLASSES:
        new, replaced = (said - given) & cls, (given - said) & cls
        if new and replaced:
            return sorted(new)[0], sorted(replaced)[0]
    return None


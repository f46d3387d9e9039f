"""What a typed answer commits to. Naming every candidate ("water, foam, CO2,
powder"), hedging between two ("CO2 or foam"), copying the question, or burying
the answer among other facts shows no knowledge of which one is right, however
many of the answer's words it holds.

A response is read as items, split where a list or a hedge splits (commas, "or",
"and", "/", sentence ends, "maybe"). An item that gives a reason ("because it
conducts"), says what is not ("not water") or describes the one before it
("CO2 (black band)") is no candidate. Of the rest, an item holding a part of the
reference answer is a hit, "not" or no, if it says it the way the answer does (the
answer's opposite beside it is a hedge), and one holding words that neither the
answer nor the question says is another candidate.

Words of the answer's own kind name other candidates whatever joins them ("foam
CO2", "CO2, usually foam", "bleach ammonia"), unless said in a reason or of what is
not. The kinds come from the answer's course, as its wrong options do (the heads of
one list, names in code of one shape, facts of one kind), plus a few synonyms. An
exception the answer does not make ("do not use it unless…") or a "regardless" takes
the answer back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tutor.answers.claims import NEGATIONS
from tutor.answers.terms import content_words, stem, tokens
from tutor.quiz.facts import names, normal
from tutor.quiz.generate import BLANK
from tutor.quiz.phrases import _is_order

# Where a list or a hedge splits a response: the separator is kept, as it says how
# the item after it stands to the one before ("(" describes, "or" hedges). "CO2/foam"
# is two items; "/etc/kbd/config" and "and/or" are not.
_SPLIT = re.compile(
    r"\s*([,;\n()\[\]:+&/|]|[.!?](?=\s|$)|"
    r"\s[-\u2013\u2014]+\s|\b(?:and/or|as well as|or else|or|and|nor|plus|also|but|maybe|"
    r"perhaps|possibly|probably|either|otherwise)\b|(?=\b(?:because|since|whereas|so that|"
    r"as it|as they|which|unless|except)\b))\s*", re.I)
_DANGLING = re.compile(r"(?:\s*(?:[,;:(\-/|+&]|\b(?:and|or|but|nor|maybe|perhaps|possibly|"
                       r"probably|either|also|plus)\b))+\s*$", re.I)
_PATH = re.compile(r"(?<!\S)(?:[~.]?/\S+|\S*/\S*/\S*)")  # a path's slashes split nothing
_ENDS = frozenset(".!?;\n")  # where a reason or a contrast stops
_LISTING = frozenset(("or", "and", "and/or", "nor", "plus", "also", "but", "maybe", "perhaps",
                      "possibly", "probably", "either", "otherwise", "or else", "as well as",
                      "&", "+", "|", ","))
_HEDGES = _LISTING - {"and", "also", "plus", "as well as", "but", "&", "+", ","} | {"/", "|"}
_GLOSSES = frozenset(":-")  # the last item after a colon or a dash may describe the one before
# An item that starts so explains or qualifies; it names no candidate.
_REASONS = frozenset(
    "because since as so for which that who whose it its it's they this these those there "
    "to when whenever if unless otherwise due thus hence therefore e.g eg i.e ie such like "
    "only especially mainly usually ideally preferably then".split())
# Of those, the words of a reason proper: what it names is said of another thing
# ("CO2, because water conducts"), not offered as an answer ("CO2, usually foam").
_CAUSES = frozenset("because since as due thus hence therefore whereas".split())
_EXCEPTIONS = frozenset(("unless", "except"))
# Words that say to go ahead whatever the answer says ("…, then walk in regardless").
_REGARDLESS = re.compile(r"\b(?:regardless|anyway|anyhow|all the same|no matter|either way|"
                         r"nevertheless|nonetheless)\b", re.I)
# Most kinds come from the course (`kind`: its lists, its names in code, its facts).
# These two stay because a course cannot give them: synonyms, each member with the
# name it is counted by ("carbon dioxide" is CO2, "safety helmet" a hard hat), and
# the PPE the sample course names in prose, not in a list of one kind.
_KINDS = (
    {"water": "water", "foam": "foam", "co2": "co2", "carbon dioxide": "co2",
     "powder": "powder", "dry powder": "powder", "wet chemical": "wet chemical",
     "fire blanket": "fire blanket", "halon": "halon"},  # extinguishers
    {"hard hat": "hard hat", "safety helmet": "hard hat", "helmet": "hard hat",
     "bump cap": "bump cap", "cap": "cap", "beanie": "beanie", "hood": "hood",
     "glove": "gloves", "safety boot": "footwear", "boot": "footwear",
     "safety shoe": "footwear", "safety footwear": "footwear", "goggle": "goggles",
     "safety glasses": "glasses", "glasses": "glasses", "face shield": "face shield",
     "visor": "face shield", "mask": "mask", "respirator": "mask", "earplug": "earplugs",
     "ear plug": "earplugs", "ear defender": "ear defenders", "hi-vis vest": "vest",
     "vest": "vest", "hi-vis": "vest", "apron": "apron", "overall": "overalls",
     "harness": "harness"},  # personal protective equipment
)
# Words a learner wraps an answer in ("I think", "the answer is").
_WRAPPING = frozenset(stem(word) for word in
                      "i i'm im think guess believ believe sure pretty definitely answer option "
                      "correct probably".split())


@dataclass(frozen=True)
class Item:
    text: str
    joined: tuple[str, ...]  # the separators before it: (), (",",), ("(", "or"), (".",) …
    start: int  # where it stands in the response

    @property
    def aside(self) -> bool:
        """In brackets, as a description ("CO2 (black band)"), not a hedge ("(or foam)")."""
        return "(" in self.joined and not _LISTING & set(self.joined)

    @property
    def new_sentence(self) -> bool:
        return bool(_ENDS & set(self.joined))


def items(text: str) -> list[Item]:
    """A response cut where a list or a hedge cuts it; empty items dropped.

    >>> [(i.text, i.joined) for i in items("water, foam or CO2 (black band)")]
    [('water', ()), ('foam', (',',)), ('CO2', ('or',)), ('black band', ('(',))]
    >>> [i.text for i in items("either CO2/foam, maybe powder; see /etc/kbd/config")]
    ['CO2', 'foam', 'powder', 'see /etc/kbd/config']
    """
    found: list[Item] = []
    joined: list[str] = []
    at, masked = 0, _PATH.sub(lambda path: path.group().replace("/", "\0"), text)
    for cut in [*_SPLIT.finditer(masked), None]:
        end = cut.start() if cut else len(text)
        part = masked[at:end]
        if part.strip(" \"'`*"):
            start = at + len(part) - len(part.lstrip(" \"'`*"))
            found.append(Item(part.strip(" \"'`*").replace("\0", "/"), tuple(joined), start))
            joined = []
        if cut:
            raw = cut.group(1)  # empty before "because": a clause, not a new sentence
            mark = raw.strip().lower() or ("\n" if "\n" in raw else "~")
            joined.append("-" if mark[0] in "-\u2013\u2014" else mark)
            at = cut.end()
    return found


@dataclass(frozen=True)
class Reading:
    hits: int  # items that give (a part of) the answer
    others: tuple[str, ...]  # the other candidates named, each once
    claim: str  # the response up to the first reason it gives, the part a rule is read in
    said: str = ""  # the response less its reasons and asides, other candidates kept
    taken_back: str = ""  # an exception or a "regardless" that undoes the answer


def candidates(answer: str, response: str, question: str = "",
               kind: Sequence[str] = ()) -> Reading:
    """The answer's parts and the other candidates a response names. `kind`: the
    things of the answer's kind its course names (tutor/quiz/facts.py `Kinds.of`),
    each another candidate wherever a response names it.

    >>> candidates("CO2", "water, foam, CO2, powder").others
    ('water', 'foam', 'powder')
    >>> candidates("hard hat", "hard hat or safety boots or gloves or goggles").others
    ('safety boots', 'gloves', 'goggles')
    >>> candidates("CO2", "the CO2 one, because water conducts and foam does too").claim
    'the CO2 one'
    >>> reading = candidates("CO2", "CO2 (black band), not water or foam")
    >>> reading.hits, reading.others, reading.claim
    (1, (), 'CO2 (black band)')
    >>> candidates("CO2", "foam CO2").others, candidates("CO2", "CO2, usually foam").others
    (('foam',), ('foam',))
    >>> candidates("do not use the truck", "do not use the truck / use the truck").others
    ('use the truck',)
    >>> candidates("do not use the truck", "don't use it unless you are in a hurry").taken_back
    'unless you are in a hurry'

    >>> candidates("gnash and swfdec", "swfdec, gnash").hits
    2
    >>> candidates("bleach", "bleach ammonia vinegar", kind=("Ammonia", "Bleach", "Vinegar")).others
    ('ammonia', 'vinegar')
    """
    asked = content_words(question)
    parts = [(key, _negated(item.text)) for item in items(answer)
             if (key := _key(item.text, asked))]
    known = content_words(answer) | asked | _WRAPPING
    course = {normal(name): normal(name) for name in kind if not names(question, name)}
    own, kinds = _kind_words(answer, (*_KINDS, course) if course else _KINDS)
    own_kind = set(own)
    found = items(response)
    hits, others, dropped, asides = 0, {}, [], []
    taken_back, added = "", []
    steps = _is_order(answer)  # a procedure: "," and "and" add steps to it; "or" hedges
    forbids = any(not_ for _, not_ in parts) and not _EXCEPTIONS & set(tokens(answer))
    aside = shielded = last_hit = False  # aside: in a reason or a contrast, to the sentence's
    # end; shielded: in a reason proper or a "not", where other things are named, not offered
    for index, item in enumerate(found):
        words = content_words(item.text)
        if item.new_sentence:
            aside = shielded = False
        first = tokens(item.text)[:1]
        reason = bool(index and first) and first[0] in _REASONS
        negated = _negated(item.text)
        held = [not_ for key, not_ in parts if _holds(words, key)]
        exception = forbids and index and first and first[0] in _EXCEPTIONS
        if not shielded and (exception or (_REGARDLESS.search(item.text) and not negated)):
            taken_back = taken_back or item.text  # "…unless you are in a hurry", "…anyway"
        named: dict[str, str] = {}
        if not (negated or shielded or item.aside or (reason and first[0] in _CAUSES)):
            named = _kind_words(item.text, kinds)[0]
            for name, said in named.items():  # counted by its kind's name: "dry powder"
                if name not in own_kind:  # is "powder"
                    others.setdefault(frozenset((name,)), said)
        if steps and not held and _is_order(item.text) and not _HEDGES & set(item.joined):
            dropped.append(item)  # "do not use the truck, report it": a next step, no rival;
            added.append(item)  # but the answer among several steps is buried in them
            continue
        if not reason and held and negated in held:  # the answer, "not" and all
            hits, last_hit, aside, shielded = hits + 1, True, False, False
            continue
        if not reason and held:  # its opposite ("use the truck" for "do not use the truck")
            others.setdefault(frozenset(words), item.text)
            last_hit = False
            continue
        if negated:  # "not water" names another thing; "not sure" names none
            aside, shielded = True, shielded or bool(words - known)
            if reason or words - known:  # "not water": said of another thing
                dropped.append(item)
                asides.append(item)
            continue
        if aside or reason:
            shielded = shielded or (reason and first[0] in _CAUSES)
            aside = True
            dropped.append(item)
            asides.append(item)
            continue
        gloss = bool(_GLOSSES & set(item.joined)) and last_hit and index == len(found) - 1
        if gloss or item.aside or not words - known:
            continue
        if not set(named) - own_kind:
            others.setdefault(frozenset(words), item.text)
        dropped.append(item)  # the claim is read for what it says of the answer
        last_hit = False
    if len(added) >= 2:
        others.update((frozenset(content_words(item.text)), item.text) for item in added)
    return Reading(hits, tuple(others.values()), _without(response, dropped) or response,
                   _without(response, asides) or response, taken_back)


def _kind_words(text: str, kinds: tuple[dict[str, str], ...] = _KINDS
                ) -> tuple[dict[str, str], tuple[dict[str, str], ...]]:
    """The things of a kind a text names, by the names they are counted by (with the
    words it names them in), and the kinds they belong to.

    >>> sorted(_kind_words("water foam CO2 (carbon dioxide)")[0])
    ['co2', 'foam', 'water']
    >>> _kind_words("hard hat or dry powder")[0]
    {'powder': 'dry powder', 'hard hat': 'hard hat'}
    >>> sorted(_kind_words("a hard hat, safety boots and gloves")[0])
    ['footwear', 'gloves', 'hard hat']
    """
    named: dict[str, str] = {}
    of: list[dict[str, str]] = []
    for kind in kinds:
        for member in sorted(kind, key=len, reverse=True):  # "dry powder" before "powder"
            pattern = rf"(?<![\w-]){re.escape(member)}(?:e?s)?(?![\w-])"
            if found := re.search(pattern, text, re.I):
                named.setdefault(kind[member], found.group())
                of += [kind] if kind not in of else []
                text = re.sub(pattern, " ", text, flags=re.I)
    return named, tuple(of)


def _without(text: str, gone: list[Item]) -> str:
    """A response less some of its items, and the separators they leave dangling."""
    for item in reversed(gone):
        text = text[:item.start] + text[item.start + len(item.text):]
    text = re.sub(r"\s*([,;])(?:\s*[,;])+", r"\1", text)
    return _DANGLING.sub("", text).strip()


def _key(part: str, asked: set[str]) -> set[str]:
    """The words that make a part of the answer itself: those the question does not say."""
    words = content_words(part)
    return words - asked or words


def _holds(words: set[str], key: set[str]) -> bool:
    """Whether an item gives a part of the answer: all of a short one's key words,
    half of a long one's (a paraphrase keeps most of them)."""
    return key <= words if len(key) <= 3 else 2 * len(key & words) >= len(key)


def _negated(text: str) -> bool:
    return any(word in NEGATIONS or word.endswith("n't") for word in tokens(text))


def own_words(question: str, response: str) -> tuple[str, float]:
    """The response less what it copies from the question, and the share of its words
    copied. Around a blank, the words before it that the response starts with and those
    after it that it ends with ("two feet *and one hand*"); otherwise any run of three
    words the question says in that order.

    >>> own_words("Keep three points of contact: _____ and one hand.", "two feet and one hand")
    ('two feet', 0.6)
    >>> own_words("Keep three points of contact: _____ and one hand, or two hands.",
    ...           "two feet or two hands")
    ('two feet or two hands', 0.0)
    >>> own_words("Which command runs foo from a function called foo?", "a function called foo")
    ('', 1.0)
    >>> own_words("Which extinguisher is it?", "CO2 + foam | water")
    ('CO2 + foam | water', 0.0)
    """
    said = [word for word in map(_plain, question.split()) if word]
    every = [(m.start(), m.end(), _plain(m.group())) for m in re.finditer(r"\S+", response)]
    spans = [span for span in every if span[2]]
    words = [word for _, _, word in spans]
    blank = next((i for i, word in enumerate(said) if BLANK in word), None)
    copied = _runs(words, said if blank is None else said[:blank])
    if blank is not None:
        lead = next((i for i, gone in enumerate(copied) if not gone), len(words))
        before, after = said[:blank], said[blank + 1:]
        lead += next((k for k in range(min(3, len(words) - lead), 0, -1)
                      if words[lead:lead + k] == before[len(before) - k:]), 0)
        trail = next((k for k in range(len(words) - lead, 0, -1)
                      if words[len(words) - k:] == after[:k]), 0)
        copied = [i < lead or i >= len(words) - trail for i in range(len(words))]
    gone = {start for (start, _, _), copy in zip(spans, copied, strict=True) if copy}
    # Marks between words ("CO2 + foam", "CO2 | foam") are kept: they split a list.
    kept = " ".join(response[start:end] for start, end, _ in every if start not in gone)
    share = sum(copied) / len(spans) if spans else 0.0
    return kept.strip(" ,;:-+&/|\u2013\u2014"), round(share, 2)


def _runs(words: list[str], said: list[str]) -> list[bool]:
    """Which words stand in a run of three that `said` has in the same order."""
    grams = {tuple(said[i:i + 3]) for i in range(len(said) - 2)}
    copied = [False] * len(words)
    for i in range(len(words) - 2):
        if tuple(words[i:i + 3]) in grams:
            copied[i:i + 3] = [True] * 3
    return copied


def _plain(word: str) -> str:
    """A word as copies are compared; the blank stays, so no run crosses it."""
    return word if BLANK in word else re.sub(r"[^\w%'-]|_", "", word.lower())

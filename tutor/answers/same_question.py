"""Whether a learner's question asks what a trainer's question asked: the test that
decides if a trainer's answer is served.

Sentence embeddings measure topic, and a near miss is on the topic: "How long do
you cool a burn?" sits next to "How do you cool a burn?", "Why do my bash aliases
not work in zsh?" next to "…csh aliases…" (MiniLM: 0.85), closer than many true
paraphrases ("zsh doesn't save my history, why?" / "Why is my history not being
saved?": 0.68). So the cosine only admits a candidate; the question must then:

- ask for the same kind of thing (how long, how often, who, where, why, which
  order, yes or no, a way, a thing: `asks`);
- keep the polarity, the numbers, the named terms ("Meta", "ALL_EXPORT", ".zshrc")
  and the direction ("put on hold" / "take off hold") of the trainer's question;
- and account for its words: every content word of either question that the other
  lacks, is not common to the whole course, and pairs with no word of the other
  (embedding similarity of the two words alone) counts, and each one counted
  raises the cosine required (`MatchPolicy`). A paraphrase changes words and stays
  close; a near miss adds or swaps one and drifts.

bench/trainer_matching.py measures it on the public sets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from knowledge.lexical import STOPWORDS
from tutor.answers.claims import NEGATIONS, OPPOSITE, numbers, read_claim
from tutor.answers.terms import is_general, specific_terms, stem, tokens
from tutor.asking import reads_as_question
from tutor.asking import words as message_words


@dataclass(frozen=True)
class MatchPolicy:
    """Chosen on the tuning half of bench/data/trainer_paraphrases.jsonl."""

    min_similarity: float = 0.62  # cosine of the two questions, with nothing unexplained
    per_word: float = 0.08  # required on top, for each word left unexplained
    word_pairing: float = 0.5  # cosine of two words alone that makes them a pair
    course_wide: float = 0.2  # share of a course's passages a word is in: it says nothing


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
_WAY = re.compile(r"^(?:what(?: is|'s) the (?:\w+ )?(?:way|command|procedure|method|steps?) "
                  r"(?:to|for)|(?:what|which) (?:command|tool|program)s?\b|is there (?:a|any) way"
                  r"|what (?:do|should|must) (?:i|we|you) (?:need to )?do (?:to|if|when|about)"
                  r"|how to)\b")
_CAN = re.compile(r"^(?:can|could) (?:i|we|you|one|zsh|debian|it)\b(?! (?:explain|tell|describe"
                  r"|define|clarify))|^is it possible\b|^(?:am|are) (?:i|we) able to\b")
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
    question = _asking_part(question)
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
    if _WAY.match(text):
        return frozenset({"way"})
    if _CAN.match(text):
        return frozenset({"can"})
    if first == "how":  # "how do I…" asks a way; "how does zsh differ…", also a thing
        doer = re.match(r"how (?:\w+ )?(?:i|you|we|one)\b", text)
        return frozenset({"way"} if doer else {"way", "thing"})
    if first in _AUXILIARY or first.endswith("n't"):
        return frozenset({"yesno"})
    return frozenset({"thing"})  # "what", "which", or no question word at all


def _asking_part(question: str) -> str:
    """The part of a message that asks, from the first that reads as a question:
    "I'm not root. How can I…", "Without root access, how do I…", "…, why?".

    >>> _asking_part("Without root access, how do I get zsh?")
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


# Words that frame a question and name nothing asked about.
_FRAMING = frozenset(
    "explain mean means meaning possible way ways happen happens happened exactly right best "
    "correct proper properly please thanks question wondering wonder idea needed required "
    "go goes going come comes anyone someone somebody able particular specific certain "
    "given".split())
# Phrases that frame a question and name nothing: "how do I find out which…", "…, how
# do I check?", "set up" (a light verb, as "make" is).
_FRAMES = re.compile(r"\bhow (?:do|can|could|should|would) (?:i|we|you|one) (?:find out|tell|"
                     r"know|check|see|work out|figure out|determine|learn)\b(?= (?:which|what|"
                     r"whether|if|who|where|when|how)\b|\s*[?.!]?\s*$)|\bset(?:ting)? up\b")
# Function words that still decide what is asked ("my own", "only", "all").
_KEPT = frozenset("own only all".split())
# Opposites that questions turn on, beyond the answer check's (tutor/answers/claims.py).
_QUESTION_OPPOSITES = [("on", "off"), ("add", "remove"), ("install", "remove"),
                       ("install", "uninstall"), ("install", "purge"), ("new", "old"),
                       ("put", "take"), ("show", "hide"), ("upgrade", "downgrade"),
                       ("set", "unset"), ("hold", "unhold"), ("import", "export"),
                       ("mount", "unmount"), ("load", "unload")]
_OPPOSITES: dict[str, set[str]] = {}
for _one, _other in [*OPPOSITE.items(), *_QUESTION_OPPOSITES]:
    _OPPOSITES.setdefault(_one, set()).add(_other)
    _OPPOSITES.setdefault(_other, set()).add(_one)


def is_framing(word: str) -> bool:
    """A word that says nothing of what is asked ("the", "explain", "what's", "don't")."""
    if word in _KEPT:
        return False
    return (word in STOPWORDS or is_general(word) or word in _FRAMING or word in NEGATIONS
            or bool(re.search(r"'(?:s|m|re|ve|ll|d|t)$", word)))


@dataclass(frozen=True)
class Shape:
    """What of a question the test compares."""

    text: str
    asks: frozenset[str]
    negative: bool
    numbers: frozenset[str]
    terms: frozenset[str]  # named things: "meta", "all_export", "zshrc"
    tokens: frozenset[str]  # every word, lower case
    words: dict[str, str]  # content word: its stem -> the word as written

    @property
    def spellings(self) -> frozenset[str]:
        return self.tokens | frozenset(self.words) | frozenset(stem(t) for t in self.tokens)


def shape(question: str) -> Shape:
    """
    >>> s = shape("Why do my csh aliases not work in zsh?")
    >>> sorted(s.asks), s.negative, sorted(s.words)
    (['reason'], True, ['alias', 'csh', 'work', 'zsh'])
    """
    said = tokens(question)
    content: dict[str, str] = {}
    for word in tokens(_FRAMES.sub(" ", question.lower())):
        if not is_framing(word) and not word.isdigit():
            content.setdefault(stem(word), word)
    return Shape(question, asks(question), read_claim(question).negative,
                 frozenset(numbers(question)), frozenset(specific_terms(question)),
                 frozenset(said), content)


def conflict(trainer: Shape, learner: Shape,
             course_wide: Callable[[str], bool] = lambda word: False) -> str | None:
    """Why the learner's question asks something else, whatever its wording; None when
    nothing does.

    >>> conflict(shape("How do you cool a burn?"), shape("How long do you cool a burn?"))
    'it asks for another kind of answer'
    >>> conflict(shape("How do I put a package on hold?"), shape("How do I take it off hold?"))
    "it says 'off' where the trainer's question says 'on'"
    >>> conflict(shape("Why is my history not saved?"), shape("Why is my history saved?"))
    'one of them is negated'
    >>> conflict(shape("Why does the Meta key fail?"), shape("why does the meta key fail"))
    """
    if not asks_alike(trainer.asks, learner.asks):
        return "it asks for another kind of answer"
    if trainer.negative != learner.negative:
        return "one of them is negated"
    if trainer.numbers and learner.numbers and trainer.numbers != learner.numbers:
        return "it names other numbers"
    for one, other, whose in ((learner, trainer, "it names"), (trainer, learner, "it leaves out")):
        if missing := sorted(t for t in one.terms - other.spellings
                             if not is_framing(t) and not course_wide(t)):
            return f"{whose} '{missing[0]}'"
    for word in sorted(learner.tokens - trainer.tokens):
        opposites = _OPPOSITES.get(word, set()) | {_prefixed_opposite(word, trainer.tokens)}
        for opposite in sorted(o for o in opposites if o in trainer.tokens - learner.tokens):
            return f"it says '{word}' where the trainer's question says '{opposite}'"
    return None


def _prefixed_opposite(word: str, others: Iterable[str]) -> str:
    """ "uninstall" for "install", "disable" for "able": a negating prefix added or dropped.

    >>> _prefixed_opposite("uninstall", {"install"}), _prefixed_opposite("undo", {"redo"})
    ('install', '')
    """
    for other in others:
        for prefix in ("un", "dis", "de", "non"):
            if len(other) > 3 and word in (prefix + other, other.removeprefix(prefix)) and (
                    word != other and (word.startswith(prefix) or other.startswith(prefix))):
                return other
    return ""


def unexplained(trainer: Shape, learner: Shape, similarity: Callable[[str, str], float],
                course_wide: Callable[[str], bool], pairing: float) -> list[str]:
    """The content words either question has and the other does not account for: not
    in it, not common to the whole course, and paired with none of its words.

    >>> same = lambda a, b: 1.0 if {a, b} == {"newest", "latest"} else 0.0
    >>> unexplained(shape("What is the latest zsh?"), shape("Which zsh is the newest?"),
    ...             same, lambda word: False, 0.5)
    []
    >>> unexplained(shape("Why do csh aliases fail?"), shape("Why do bash aliases fail?"),
    ...             same, lambda word: False, 0.5)
    ['+bash', '-csh']
    """
    added = [w for s, w in learner.words.items() if s not in trainer.words and not course_wide(w)]
    dropped = [w for s, w in trainer.words.items() if s not in learner.words
               and not course_wide(w)]
    # A compound and its parts ("newline" / "line", "apt-able" / "apt") pair at once.
    paired = {w for w in added + dropped
              if any(_compounded(w, other) for other in _other_side(w, learner, trainer))}
    added = [w for w in added if w not in paired]
    dropped = [w for w in dropped if w not in paired]
    pairs = sorted(((similarity(a, d), a, d) for a in added for d in dropped), reverse=True)
    for score, a, d in pairs:
        if score >= pairing and a not in paired and d not in paired:
            paired.update((a, d))
    return ([f"+{w}" for w in added if w not in paired]
            + [f"-{w}" for w in dropped if w not in paired])


def _other_side(word: str, learner: Shape, trainer: Shape) -> Iterable[str]:
    return trainer.tokens if word in learner.words.values() else learner.tokens


def _compounded(word: str, other: str) -> bool:
    """
    >>> _compounded("newline", "line"), _compounded("apt-able", "apt"), _compounded("is", "this")
    (True, True, False)
    """
    short, long = sorted((word, other), key=len)
    return (short != long and len(short) >= 3 and long.startswith(short)) or (
        len(short) >= 4 and long.endswith(short))


def required_similarity(unexplained_words: int, policy: MatchPolicy) -> float:
    """
    >>> round(required_similarity(2, MatchPolicy(min_similarity=0.6, per_word=0.1)), 2)
    0.8
    """
    return policy.min_similarity + policy.per_word * unexplained_words


def words_to_pair(trainer: Shape, learner: Shape) -> list[str]:
    """The words whose vectors `unexplained` compares (each side's own)."""
    return sorted({w for s, w in learner.words.items() if s not in trainer.words}
                  | {w for s, w in trainer.words.items() if s not in learner.words})


@dataclass(frozen=True)
class Verdict:
    same: bool
    why: str  # what decided it, for logs and the bench


def judge(trainer: Shape, learner: Shape, cosine: float,
          similarity: Callable[[str, str], float], course_wide: Callable[[str], bool],
          policy: MatchPolicy) -> Verdict:
    """Whether the learner's question is the trainer's, given the two questions'
    cosine and how alike two words are.

    >>> never = lambda a, b: 0.0
    >>> judge(shape("How do you cool a burn?"), shape("How do I cool down a burn?"), 0.9,
    ...       never, lambda word: False, MatchPolicy())
    Verdict(same=True, why='cosine 0.90, needs 0.62')
    >>> judge(shape("How do you cool a burn?"), shape("How long do you cool a burn?"), 0.95,
    ...       never, lambda word: False, MatchPolicy()).why
    'it asks for another kind of answer'
    """
    if cosine < policy.min_similarity:
        return Verdict(False, f"cosine {cosine:.2f} below {policy.min_similarity:.2f}")
    if why := conflict(trainer, learner, course_wide):
        return Verdict(False, why)
    left = unexplained(trainer, learner, similarity, course_wide, policy.word_pairing)
    needed = required_similarity(len(left), policy)
    words = f" ({' '.join(left)})" if left else ""
    return Verdict(cosine >= needed, f"cosine {cosine:.2f}, needs {needed:.2f}{words}")

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
from functools import lru_cache

from knowledge.lexical import STOPWORDS
from tutor.answers.claims import NEGATIONS, OPPOSITE, numbers, read_claim
from tutor.answers.question_kind import WAY, asking_part, asks, asks_alike
from tutor.answers.terms import CLOSED_CLASSES, is_general, specific_terms, stem, tokens


@dataclass(frozen=True)
class MatchPolicy:
    """Chosen on the development batches of bench/data/trainer_paraphrases.jsonl."""

    min_similarity: float = 0.65  # cosine of the two questions, with nothing unexplained
    # A question that passes the test, or failing that any trainer question this close,
    # is offered: a button names the trainer's question and the learner chooses (only
    # the same question worded alike is served unasked: question_kind.same_wording).
    offered_similarity: float = 0.65
    per_word: float = 0.14  # required on top, for each word left unexplained
    word_pairing: float = 0.45  # cosine of two words alone that makes them a pair
    course_wide: float = 0.2  # share of a course's passages a word is in: it says nothing


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
_QUESTION_OPPOSITES = [("on", "off"), ("input", "output"), ("short", "long"),
                       ("add", "remove"), ("install", "remove"), ("install", "uninstall"),
                       ("install", "purge"), ("new", "old"),
                       ("put", "take"), ("show", "hide"), ("upgrade", "downgrade"),
                       ("set", "unset"), ("hold", "unhold"), ("import", "export"),
                       ("mount", "unmount"), ("load", "unload")]
_OPPOSITES: dict[str, set[str]] = {}
for _one, _other in [*OPPOSITE.items(), *_QUESTION_OPPOSITES]:
    _OPPOSITES.setdefault(_one, set()).add(_other)
    _OPPOSITES.setdefault(_other, set()).add(_one)


# Words of one kind: exchanged for another of it, the question asks something else
# ("for all commands" / "for a single command", "at the end" / "in the middle").
_HOW_MANY = {"all": "all", "every": "all", "each": "all", "whole": "all", "any": "any",
             "some": "some", "several": "some", "single": "one", "one": "one", "only": "one"}
_WHERE_IN = {"start": "start", "beginning": "start", "middle": "middle", "end": "end",
             "top": "top", "bottom": "bottom", "first": "first", "last": "last"}
_SWAPPABLE = (_HOW_MANY, _WHERE_IN, *({word: word for word in kind} for kind in CLOSED_CLASSES))


# General verbs that still say what a question asks ("see the known bugs" / "report a
# bug"), though an answer sentence's claim does not rest on them (tutor/answers/terms.py).
_ASKING_VERBS = frozenset(
    "make makes made making get gets got getting give gives gave given giving take takes took "
    "taken taking put puts putting see sees saw seen know knows knew known tell tells told "
    "use uses used using say says said".split())
VERBS_COUNT = True


# Characters that are the subject of a question ("What does the # pattern character do?").
_SYMBOL = re.compile(r"(?<![\w])[#^~|&*!<>%@]+(?![\w])")
# "How do I prevent…", "…keep X from being purged", "how do I stop that": the opposite
# of making it happen.
_PREVENTS = re.compile(r"\bprevent|\b(?:stop|keep)\w* (?:[\w']+ ){0,5}?from\b|^how (?:do|can) "
                       r"(?:i|we|you) stop\b|\bhow (?:do|can) (?:i|we|you) stop (?:that|it|this)\b")


def is_framing(word: str) -> bool:
    """A word that says nothing of what is asked ("the", "explain", "what's", "don't")."""
    if word in _KEPT or (VERBS_COUNT and word in _ASKING_VERBS):
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
    sequence: tuple[str, ...] = ()  # the content words' stems in order
    said: tuple[str, ...] = ()  # every word, in order
    symbols: frozenset[str] = frozenset()  # "^", "~", "|": pattern and shell characters
    prevents: bool = False  # asks how to keep something from happening

    @property
    def spellings(self) -> frozenset[str]:
        return self.tokens | frozenset(self.words) | frozenset(stem(t) for t in self.tokens)


@lru_cache(maxsize=4096)  # a course's trainer questions are read for every question
def shape(question: str) -> Shape:
    """
    >>> s = shape("Why do my csh aliases not work in zsh?")
    >>> sorted(s.asks), s.negative, sorted(s.words)
    (['reason'], True, ['alias', 'csh', 'work', 'zsh'])
    """
    said = tokens(question)
    content: dict[str, str] = {}
    sequence: list[str] = []
    framing = WAY.match(asking_part(question).lower())
    framed = set(tokens(framing.group(0))) if framing else set()
    for word in tokens(_FRAMES.sub(" ", question.lower())):
        if word in framed:
            continue
        if not is_framing(word) and not word.isdigit():
            content.setdefault(stem(word), word)
            sequence.append(stem(word))
    return Shape(question, asks(question), read_claim(question).negative,
                 frozenset(numbers(question)), frozenset(specific_terms(question)),
                 frozenset(said), content, tuple(sequence), tuple(said),
                 frozenset(_SYMBOL.findall(question)), bool(_PREVENTS.search(question.lower())))


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
    if trainer.numbers != learner.numbers:
        return "it names other numbers"
    if trainer.symbols != learner.symbols:
        return "it names other characters"
    if trainer.prevents != learner.prevents:
        return "one asks how to prevent it"
    for kind in _SWAPPABLE:
        said = {kind[word] for word in trainer.tokens if word in kind}
        asked = {kind[word] for word in learner.tokens if word in kind}
        if said and asked and said != asked:
            return f"it says '{sorted(asked)[0]}' where the trainer's question says " \
                   f"'{sorted(said)[0]}'"
    for one, other, whose in ((learner, trainer, "it names"), (trainer, learner, "it leaves out")):
        if missing := sorted(t for t in one.terms - other.spellings
                             if not is_framing(t) and not course_wide(t)):
            return f"{whose} '{missing[0]}'"
    if _passive(trainer.said) == _passive(learner.said) and (
            swap := _swapped(trainer.sequence, learner.sequence)):
        return f"it turns round '{swap[0]}' and '{swap[1]}'"
    for word in sorted(learner.tokens - trainer.tokens):
        opposites = _OPPOSITES.get(word, set()) | {_prefixed_opposite(word, trainer.tokens)}
        for opposite in sorted(o for o in opposites if o in trainer.tokens - learner.tokens):
            return f"it says '{word}' where the trainer's question says '{opposite}'"
    return None


def _passive(said: tuple[str, ...]) -> bool:
    """Whether a question is in the passive ("is Java supported on Debian"): its words
    come in another order, and nothing is turned round.

    >>> _passive(("is", "java", "supported", "on", "debian")), _passive(("does", "it", "run"))
    (True, False)
    """
    return any(word in _BE and any(w.endswith(("ed", "en")) for w in said[i + 1:i + 4])
               for i, word in enumerate(said))


_BE = frozenset("is are was were be been being get gets got".split())


def _swapped(one: tuple[str, ...], other: tuple[str, ...]) -> tuple[str, str] | None:
    """Two stretches of the same words in each other's places, all else in place: roles
    turned round ("a bash script run in zsh" / "a zsh script run in bash").

    >>> _swapped(("bash", "script", "error", "run", "zsh"), ("zsh", "script", "error", "run",
    ...                                                       "bash"))
    ('zsh', 'bash')
    >>> _swapped(("debian", "packages", "red", "hat"), ("red", "hat", "packages", "debian"))
    ('red hat', 'debian')
    >>> _swapped(("zsh", "kill", "jobs", "log"), ("log", "zsh", "kill", "jobs")) is None
    True
    """
    if one == other or sorted(one) != sorted(other):
        return None
    size = len(one)
    for a in range(size):
        for a_end in range(a + 1, size):
            for b in range(a_end + 1, size):  # apart: two stretches side by side only move
                for b_end in range(b + 1, size + 1):
                    first, second = one[a:a_end], one[b:b_end]
                    if first != second and (one[:a] + second + one[a_end:b] + first
                                            + one[b_end:]) == other:
                        return " ".join(second), " ".join(first)
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
    in it, not paired with one of its words, and not common to the whole course
    ("What is sid?" for "What is Debian sid?" in a Debian course), unless it was put
    in place of another ("How many packages…" for "How many distributions…").

    >>> same = lambda a, b: 1.0 if {a, b} == {"newest", "latest"} else 0.0
    >>> unexplained(shape("What is the latest zsh?"), shape("Which zsh is the newest?"),
    ...             same, lambda word: False, 0.5)
    []
    >>> unexplained(shape("Why do csh aliases fail?"), shape("Why do bash aliases fail?"),
    ...             same, lambda word: False, 0.5)
    ['+bash', '-csh']
    >>> wide = lambda word: word == "debian"
    >>> unexplained(shape("What is Debian sid?"), shape("What is sid?"), same, wide, 0.5)
    []
    >>> unexplained(shape("Is Debian old?"), shape("Is sid old?"), same, wide, 0.5)
    ['+sid', '-debian']
    """
    # Words of a kind `conflict` compares ("single", "all", "green") are settled there.
    added = [w for s, w in learner.words.items() if s not in trainer.words and not _kind_of(w)]
    dropped = [w for s, w in trainer.words.items() if s not in learner.words
               and not _kind_of(w)]
    # A compound and its parts ("newline" / "line", "apt-able" / "apt") pair at once, as
    # do two general verbs ("get" / "make") and two words of one kind ("single" / "one").
    paired = {w for w in added + dropped
              if any(_compounded(w, other) for other in _other_side(w, learner, trainer))}
    for a in added:
        for d in dropped:
            if a not in paired and d not in paired and _alike(a, d):
                paired.update((a, d))
    pairs = sorted(((similarity(a, d), a, d) for a in added for d in dropped
                    if a not in paired and d not in paired), reverse=True)
    for score, a, d in pairs:
        if score >= pairing and a not in paired and d not in paired:
            paired.update((a, d))
    added = [w for w in added if w not in paired]
    dropped = [w for w in dropped if w not in paired]
    swapped = bool(added) and bool(dropped)  # one word put in another's place
    return ([f"+{w}" for w in added if swapped or not course_wide(w)]
            + [f"-{w}" for w in dropped if swapped or not course_wide(w)])


def _kind_of(word: str) -> bool:
    return any(word in kind for kind in _SWAPPABLE)


def _alike(one: str, other: str) -> bool:
    """
    >>> _alike("get", "make"), _alike("single", "only"), _alike("all", "one")
    (True, True, False)
    """
    if one in _ASKING_VERBS and other in _ASKING_VERBS:
        return True
    return any(one in kind and other in kind and kind[one] == kind[other] for kind in _SWAPPABLE)


def weight(word: str) -> float:
    """What a word left unexplained costs: a general verb half as much as the rest."""
    return 0.5 if word.lstrip("+-") in _ASKING_VERBS else 1.0


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


_DETERMINERS = frozenset("a an the my your its their our this that these those his her".split())


def narrowing(trainer: Shape, learner: Shape, left: list[str]) -> str | None:
    """A word left unexplained that qualifies a word both questions share, which the
    other leaves unqualified: a narrower or a wider question ("a chemical burn" / "a
    burn", "the second assembly point" / "the assembly point").

    >>> burn, chemical = shape("How do you cool a burn?"), shape("How do you cool a chemical burn?")
    >>> narrowing(burn, chemical, ["+chemical"])
    "it asks about 'chemical burn', the other about 'burn'"
    >>> narrowing(chemical, burn, ["-chemical"])
    "it asks about 'burn', the other about 'chemical burn'"
    >>> narrowing(burn, shape("How do you cool down a burn?"), [])
    """
    for sign, one, other in (("+", learner, trainer), ("-", trainer, learner)):
        loose = {word[1:] for word in left if word[0] == sign}
        for before, word, following in zip(one.said, one.said[1:], one.said[2:], strict=False):
            head = stem(following)
            if word in loose and before in _DETERMINERS and head in one.words and (
                    head in other.words) and not any(
                    stem(before) in other.words for before, after in
                    zip(other.said, other.said[1:], strict=False) if stem(after) == head):
                narrow, wide = f"{word} {following}", following
                return (f"it asks about '{narrow}', the other about '{wide}'" if sign == "+"
                        else f"it asks about '{wide}', the other about '{narrow}'")
    return None


def required_similarity(unexplained_words: list[str], policy: MatchPolicy) -> float:
    """
    >>> policy = MatchPolicy(min_similarity=0.6, per_word=0.1)
    >>> round(required_similarity(["+bash", "-csh"], policy), 2)
    0.8
    >>> round(required_similarity(["+bash", "-get"], policy), 2)
    0.75
    """
    return policy.min_similarity + policy.per_word * sum(map(weight, unexplained_words))


@dataclass(frozen=True)
class Verdict:
    same: bool
    why: str  # what decided it, for logs and the bench
    margin: float = 0.0  # the cosine beyond what was required: the likelier of two matches


def judge(trainer: Shape, learner: Shape, cosine: float,
          similarity: Callable[[str, str], float], course_wide: Callable[[str], bool],
          policy: MatchPolicy) -> Verdict:
    """Whether the learner's question is the trainer's, given the two questions'
    cosine and how alike two words are.

    >>> never = lambda a, b: 0.0
    >>> verdict = judge(shape("How do you cool a burn?"), shape("How do I cool down a burn?"),
    ...                 0.9, never, lambda word: False, MatchPolicy())
    >>> verdict.same, verdict.why, round(verdict.margin, 2)
    (True, 'cosine 0.90, needs 0.65', 0.25)
    >>> judge(shape("How do you cool a burn?"), shape("How long do you cool a burn?"), 0.95,
    ...       never, lambda word: False, MatchPolicy()).why
    'it asks for another kind of answer'
    """
    if cosine < policy.min_similarity:
        return Verdict(False, f"cosine {cosine:.2f} below {policy.min_similarity:.2f}")
    if why := conflict(trainer, learner, course_wide):
        return Verdict(False, why)
    left = unexplained(trainer, learner, similarity, course_wide, policy.word_pairing)
    if narrowed := narrowing(trainer, learner, left):
        return Verdict(False, narrowed)
    needed = required_similarity(left, policy)
    words = f" ({' '.join(left)})" if left else ""
    return Verdict(cosine >= needed, f"cosine {cosine:.2f}, needs {needed:.2f}{words}",
                   cosine - needed)

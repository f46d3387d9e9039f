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
    # "Above what noise level…": a level is no time or length ("every 2 years" is none).
    (re.compile(r"\bwhat (?:[a-z]+ )?(?:level|percentage)\b", re.I), {"dB", "%", "degree C",
                                                                     "degree", "volt"}),
    (re.compile(r"\bhow (?:much|hot|cold|big)\b|\bwhat (?:size|temperature|"
                r"limit|load)\b|\b(?:maximum|minimum)\b", re.I), None),
]
# "How old…", "what age…": years, or a bare age ("at least 18").
_AGE = re.compile(r"\bhow old\b|\bwhat age\b|\bminimum age\b", re.I)
_AGE_SPAN = re.compile(r"\b(?:aged?|at least|over|under)\s+(?P<n>\d{1,2})\b(?!\s*[%.,]?\d)")
_MONEY = re.compile(r"[£$€]\s?\d+(?:[.,]\d+)?")
# "What extension…", "what number do I call…": a phone or extension number.
_PHONE_ASKED = re.compile(r"\bwhat (?:extension|(?:phone |telephone )?number)\b", re.I)
_PHONE = re.compile(r"\b(?:extension|ext\.|number|on)\s+(?P<n>\d{3,}(?: \d{3,})*)\b", re.I)
# "Which version…", "in which release…": a version number ("3.1.6", "Debian 6.0").
_VERSION_ASKED = re.compile(r"\b(?:which|what) (?:[a-z]+ )?(?:version|release)\b", re.I)
_VERSION = re.compile(r"(?<![\w.])\d+\.\d+(?:\.\d+)*(?![\w.]*\w)")
# "What is X called?", "what are X named?", "what is the name of X?"
_NAME_ASKED = re.compile(r"\b(?:called|named)\?|\bwhat(?:'s| is| was| are)? (?:the |its )?"
                         r"(?:code)?name\b", re.I)
_NAMED = re.compile(r"\b(?:called|named)\s+[\"\u201d\u2018\u2019'`]?(?P<name>[\w][\w.+/-]*\w"
                    r"(?:\s+or\s+[\w][\w.+/-]*\w)?)")
# "Which option / file / function…": a name in code, of the shape its kind takes.
_CODE_KINDS = {
    "option": re.compile(r"(?<![\w$])[A-Z][A-Z0-9]*_[A-Z0-9_]+\b"),
    "file": re.compile(r"(?<![\w/])(?:~?/[\w.-]+)+|(?<![\w.])\.[a-z][\w.]+\b"),
    "function": re.compile(r"`(?P<code>[\w-]+)'"),
    "command": re.compile(r"`(?P<code>[\w-]+)'"),
}
_CODE_ASKED = re.compile(r"\b(?:which|what) (?:[a-z]+ )?(option|file|function|command)s?\b", re.I)
# "Linux is written by Linus Torvalds": who did it, a person's name after "by".
_BY_NAME = re.compile(r"\bby\s+(?P<name>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,2})\b")
# The head word of what a stretch is for: "16 kg for a woman", "white for oil and fuel".
_QUALIFIER = re.compile(r"^\W*(?:[\w-]+\s+){0,4}?(?:for|of|in|on|at|to|with)\s+(?:(?:a|an|the)\s+)?"
                        r"(?P<word>[\w.-]+)(?:\s+(?P<number>\d+(?:\.\d+)*))?", re.I)
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
    if _AGE.search(question):
        years = [f for f in found if f.kind == "quantity" and f.unit == "year"]
        ages = [_span(m, "n", "number") for m in _AGE_SPAN.finditer(sentence)]
        return _pick(question, sentence, years or ages)
    for pattern, units in _ASKED_AMOUNT:
        if pattern.search(question):
            if units is None and re.search(r"\bhow much\b", question, re.I):
                # "How much can I claim?": money, or an amount that is no time.
                units = {f.unit for f in found if f.kind == "quantity"} - _TIME
                money = [Fact(m.start(), m.end(), m.group(0), "money")
                         for m in _MONEY.finditer(sentence)]
            else:
                money = []
            amounts = [f for f in found if f.kind == "quantity"
                       and (units is None or f.unit in units)] + money
            return _both_units(sentence, _pick(question, sentence, amounts))
    if many := _HOW_MANY.search(question):
        return _counted(sentence, many.group(1), found)
    if _COLOUR.search(question):
        # The colour of what was asked: "yellow helmet", "white for oil", not "green lines".
        return _pick(question, sentence, [f for f in found if f.kind == "colour"
                                          and _describes(question, sentence, f)])
    if _WHO.search(question):
        roles = [f for f in found if f.kind == "role"]
        return roles[0] if roles else _doer(question, sentence)
    if _DAY.search(question) and (day := _first_of(found, {"weekday", "month"})):
        return day
    if _PHONE_ASKED.search(question):
        return _pick(question, sentence, [_span(m, "n", "number")
                                          for m in _PHONE.finditer(sentence)])
    if _VERSION_ASKED.search(question):
        return _pick(question, sentence, [Fact(m.start(), m.end(), m.group(0), "version")
                                          for m in _VERSION.finditer(sentence)
                                          if m.group(0) not in question])
    if _NAME_ASKED.search(question):
        return _named(sentence, asked)
    if code := _CODE_ASKED.search(question):
        return _code(question, sentence, code.group(1).lower())
    which = _WHICH.search(question)
    if which and which.group(1).lower() not in _NOT_A_KIND:
        kind = which.group(1).lower()
        return _situation(sentence, kind, asked) or _head(sentence, asked) or _proper(
            question, sentence, kind)
    return None


def answer_in(question: str, sentences: list[str] | tuple[str, ...]) -> tuple[str, Fact] | None:
    """The quoted sentence that answers `question`, with its answering stretch: of the
    sentences with one, the one sharing most words with the question; two that share as
    many but answer differently leave the reader to choose, so None.

    >>> said = ["All staff wear an orange vest on the floor.",
    ...         "Visitors are issued a yellow vest at the gatehouse."]
    >>> answer_in("What colour vest are visitors given?", said)[1].text
    'yellow'
    >>> answer_in("What colour vest do staff wear?", said)[1].text
    'orange'
    """
    asked = content_words(question)
    best: list[tuple[int, str, Fact]] = []
    for sentence in sentences:
        if (fact := answer_span(question, sentence)) is None:
            continue
        fit = len(asked & (content_words(fact.in_place_of(sentence, " ")) - content_words(
            fact.text)))
        if not best or fit > best[0][0]:
            best = [(fit, sentence, fact)]
        elif fit == best[0][0]:
            best.append((fit, sentence, fact))
    if not best or len({fact.text.lower() for _, _, fact in best}) > 1:
        return None
    return best[0][1], best[0][2]


def _span(match: re.Match[str], group: str, kind: str) -> Fact:
    return Fact(match.start(group), match.end(group), match.group(group), kind)


def _pick(question: str, sentence: str, found: list[Fact]) -> Fact | None:
    """The one of `found` that answers: all saying the same, or the only one whose
    qualifier the question names ("16 kg for a woman" for "…for a woman to lift?");
    else None.

    >>> guide = "25 kg for a man lifting close to the body, and 16 kg for a woman."
    >>> amounts = [f for f in facts(guide) if f.kind == "quantity"]
    >>> _pick("What can a woman lift?", guide, amounts).text
    '16 kg'
    >>> _pick("What can a person lift?", guide, amounts) is None
    True
    """
    if not found or all(f.text == found[0].text for f in found):
        return found[0] if found else None
    asked = content_words(question) | set(re.findall(r"\d+(?:\.\d+)+", question))
    named = [f for f in found if _qualifier(sentence[f.end:]) & asked]
    return named[0] if len(named) == 1 else None


def _qualifier(after: str) -> set[str]:
    """What the words after a stretch say it is for: "for a woman" → woman, "for
    release 2.0" → release, 2.0."""
    match = _QUALIFIER.match(after)
    if match is None:
        return set()
    return content_words(match.group("word")) | ({match.group("number")} - {None})


def _describes(question: str, sentence: str, colour: Fact) -> bool:
    """A colour is the answer only if it colours what was asked: a word just after it
    ("yellow helmet", "black band") or what it is for ("white for oil") is in the question."""
    after = " ".join(sentence[colour.end:].split()[:3])
    return bool(content_words(after) & content_words(question)) or bool(
        _qualifier(sentence[colour.end:]) & content_words(question))


def _both_units(sentence: str, fact: Fact | None) -> Fact | None:
    """An amount given in two units blanks both: "16 km/h (10 mph)", not "16 km/h (_____)"."""
    if fact is None:
        return None
    before = re.search(r"\d+(?:[.,]\d+)?\s*[A-Za-z/]+\s*\($", sentence[:fact.start])
    if before and sentence[fact.end:fact.end + 1] == ")":
        return Fact(before.start(), fact.end + 1, sentence[before.start():fact.end + 1],
                    fact.kind, fact.unit, fact.value)
    return fact


def _doer(question: str, sentence: str) -> Fact | None:
    """"Who wrote Linux?" in "Linux is written by Linus Torvalds": the name after "by",
    where the clause before it speaks of what was asked about."""
    asked = content_words(question)
    for match in _BY_NAME.finditer(sentence):
        clause = re.split(r"[;,:]|\band\b", sentence[:match.start()])[-1]
        if content_words(clause) & asked:
            return _span(match, "name", "name")
    return None


def _named(sentence: str, asked: set[str]) -> Fact | None:
    """The name after "called"/"named", where the words before it are the question's:
    "Unstable is always called Sid"; not "the next stable release will be called …" for
    the current one."""
    names = []
    for match in _NAMED.finditer(sentence):
        before = re.split(r"[;,:(]", sentence[:match.start()])[-1]
        # The last three words naming what is called: all of them must be asked about.
        words = [w for w in re.findall(r"[\w'-]+", before) if content_words(w)][-3:]
        if words and all(content_words(w) <= asked for w in words):
            names.append(_span(match, "name", "name"))
    return names[0] if len({n.text for n in names}) == 1 else None


def _code(question: str, sentence: str, kind: str) -> Fact | None:
    """A name in code of the kind asked ("NO_FLOW_CONTROL" for "which option"), the one
    the sentence gives that the question does not."""
    found = []
    for match in _CODE_KINDS[kind].finditer(sentence):
        group = "code" if "code" in match.re.groupindex else 0
        if match.group(group).lower() not in question.lower():
            found.append(Fact(match.start(group), match.end(group), match.group(group), kind))
    return _pick(question, sentence, found)


def _situation(sentence: str, kind: str, asked: set[str]) -> Fact | None:
    """A "situation: answer" item whose situation the question names: the answer's
    words up to the kind asked ("nitrile-coated grip gloves" for "which gloves for
    picking?" in "General picking and packing: nitrile-coated grip gloves (grey).")."""
    match = re.match(r"^\W*(?P<head>[^:;.]{1,80}?):\s+(?P<body>.+)$", sentence)
    if match is None or not content_words(match.group("head")) & asked:
        return None
    stem = re.escape(kind.rstrip("s"))
    body = re.match(rf"(?P<np>(?:[\w-]+\s+){{0,4}}?{stem}s?)\b", match.group("body"), re.I)
    if body is None:
        return None
    start = match.start("body")
    return Fact(start, start + body.end("np"), body.group("np"), "term")


def _proper(question: str, sentence: str, kind: str) -> Fact | None:
    """A thing of the kind asked named with capitals: "the Korn shell" for "which
    shell", unless the question names it."""
    stem = re.escape(kind.rstrip("s"))
    found = [Fact(m.start(), m.end(), m.group(0), "term") for m in re.finditer(
        rf"(?<=\s)(?:[A-Z][\w-]*\s+){{1,3}}{stem}s?\b", sentence)
        if not content_words(m.group(0)) - content_words(kind) <= content_words(question)]
    return _pick(question, sentence, found)


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

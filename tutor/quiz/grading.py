"""Grading a learner's answer to a bank question: right, partly right or wrong,
with a score and, when it is not right, what was missing.

A choice or true/false answer is one of the options (by number or by its words);
a typed "1 or 2", or every option, picks none. A short answer is first read for
what it commits to (tutor/quiz/hedging.py): the question's own words it copies
earn nothing, several candidates beside the answer are wrong, one is a hedge
(at most partly right). Then it is compared with the reference answer and its
sentence:

- when the answer is a fact (tutor/quiz/facts.py), the facts of the response:
  the same quantity is right whatever its spelling ("ten mins" for "10 minutes"),
  the right number without its unit is partly right, another number or unit is
  wrong ("10 pounds" for "10 kg" too); a hedge between the answer and one other
  is partly right, a list of several is wrong; a role is right only as itself;
- otherwise key-term coverage (the share of the answer's content words the
  response holds) with the semantic similarity of the two, when an embedding
  is given, as partial credit;
- either way, a response that, put in the blank, contradicts the sentence
  ("must not" for "must") is wrong, however many words it shares.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tutor.answers.claims import NUMBER_WORD_NAMES, conflict, number_value, numbers, unit_of
from tutor.answers.terms import content_words, tokens
from tutor.quiz.facts import CLASSES, Fact, digits, facts, key, normal
from tutor.quiz.generate import BLANK
from tutor.quiz.hedging import candidates as read_candidates
from tutor.quiz.hedging import own_words

RIGHT, PARTLY = 0.8, 0.4  # the scores from which an answer is right, partly right
HEDGED = 0.5  # the most a hedge between the answer and one other earns
SEVERAL = "you gave several answers; name the one you mean"
HEDGE = "you gave more than one answer; only one is right"
# One scale per kind of amount, so "12 months" is "1 year" and "2 m" is "200 cm".
_SCALE = {"second": 1, "minute": 60, "hour": 3600, "day": 86_400, "week": 604_800,
          "month": 2_628_000, "year": 31_536_000, "mm": 0.001, "cm": 0.01, "m": 1, "km": 1000,
          "g": 0.001, "kg": 1, "tonne": 1000, "ml": 0.001, "litre": 1}
_KIND = {unit: ("time" if _SCALE[unit] >= 1 and unit in ("second", "minute", "hour", "day",
                                                          "week", "month", "year") else unit)
         for unit in _SCALE}
_KIND.update({u: "length" for u in ("mm", "cm", "m", "km")},
             **{u: "mass" for u in ("g", "kg", "tonne")}, **{u: "volume" for u in ("ml", "litre")})
# How learners say a number without digits: "a year", "both feet", "half an hour".
_SPOKEN = [(re.compile(r"\bhalf (?:an? )?", re.I), "0.5 "),
           (re.compile(r"\ba quarter (?:of )?(?:an? )?", re.I), "0.25 "),
           (re.compile(r"\ba third (?:of )?(?:an? )?", re.I), "0.3333 "),
           (re.compile(r"\bboth\b", re.I), "2"),
           (re.compile(r"\b(?:completely|fully|entirely|totally|wholly)\b", re.I), "100%"),
           (re.compile(r"\b(?:a|an)\s+(?=[a-z])", re.I), "1 ")]
TRUE_FALSE = {"true": "True", "t": "True", "yes": "True", "y": "True",
              "false": "False", "f": "False", "no": "False", "n": "False"}


@dataclass(frozen=True)
class Grade:
    verdict: str  # "right", "partly" or "wrong"
    score: float  # 0 to 1, before what hints and retries cost
    why: str = ""  # what was missing or wrong, in one line; empty when right

    @property
    def correct(self) -> bool:
        return self.verdict == "right"


def verdict_of(score: float) -> str:
    return "right" if score >= RIGHT else "partly" if score >= PARTLY else "wrong"


def chosen_option(options: list[str], response: str) -> str | None:
    """The option a typed response picks: its number, its words, or for true/false
    a yes or no; None if it picks none.

    >>> chosen_option(["5 minutes", "20 minutes"], "2"), chosen_option(["True", "False"], "no")
    ('20 minutes', 'False')
    >>> chosen_option(["5 minutes", "20 minutes"], "20 Minutes."), chosen_option(["a", "b"], "9")
    ('20 minutes', None)
    """
    text = normal(response).strip(" .!)")
    if text.isascii() and text.isdecimal():
        number = int(text)
        return options[number - 1] if 1 <= number <= len(options) else None
    if options == ["True", "False"] and text in TRUE_FALSE:
        return TRUE_FALSE[text]
    return next((option for option in options if normal(option) == text), None)


_EVERY = frozenset({"all", "both", "any", "every one", "all of them", "both of them",
                    "all of the above", "any of them", "either", "none"})


def options_named(options: list[str], response: str) -> list[str]:
    """The options a typed response names, by their words or their numbers: more than
    one is a hedge, never an answer to a choice.

    >>> options_named(["5 minutes", "20 minutes"], "1 or 2")
    ['5 minutes', '20 minutes']
    >>> options_named(["True", "False"], "true/false"), options_named(["a", "b", "c"], "all")
    (['True', 'False'], ['a', 'b', 'c'])
    >>> options_named(["2 metres", "1 metre"], "1 metre")
    ['1 metre']
    """
    text = normal(response).strip(" .!?")
    if text in _EVERY:
        return list(options)
    named = set()
    for option in sorted(options, key=len, reverse=True):  # "20 minutes" before "2"
        pattern = rf"(?<![\w.]){re.escape(normal(option))}(?![\w.])"
        if re.search(pattern, text):
            named.add(option)
            text = re.sub(pattern, " ", text)
    for word in tokens(text):
        if word.isdecimal() and 1 <= int(word) <= len(options):
            named.add(options[int(word) - 1])
        elif options == ["True", "False"] and word in TRUE_FALSE:
            named.add(TRUE_FALSE[word])
    return [option for option in options if option in named]


def grade_choice(answer: str, picked: str) -> Grade:
    if picked == answer:
        return Grade("right", 1.0)
    return Grade("wrong", 0.0, f"you chose {picked}")


def grade_short(answer: str, sentence: str, response: str,
                similarity: float | None = None, question: str = "",
                candidates: Sequence[str] = ()) -> Grade:
    """A typed answer to a fill-in-the-blank question. `candidates`: the things of the
    answer's kind its course names (`Kinds.of`), so "bleach ammonia" names two.

    >>> grade_short("20 minutes", "Cool it for 20 minutes.", "twenty mins")
    Grade(verdict='right', score=1.0, why='')
    >>> grade_short("20 minutes", "Cool it for 20 minutes.", "20").why
    'the unit is missing: 20 what?'
    >>> grade_short("20 minutes", "Cool it for 20 minutes.", "20 seconds").verdict
    'wrong'
    >>> grade_short("green", "Wear the green vest.", "Green.").verdict
    'right'
    >>> grade_short("never", "Never use water.", "always").verdict
    'wrong'

    Naming several candidates is no answer, and a hedge between two is at most partly
    right, whatever kind of answer it is (a term, a role, an amount, a colour):

    >>> co2 = "CO2 (black band): the first choice for fires in electrical equipment."
    >>> grade_short("CO2", co2, "water, foam, CO2, powder").verdict
    'wrong'
    >>> grade_short("CO2", co2, "CO2 or foam")
    Grade(verdict='partly', score=0.5, why='you gave more than one answer; only one is right')
    >>> [grade_short("CO2", co2, said).verdict for said in
    ...  ("the CO2 one", "CO2 extinguisher", "CO2, because it does not conduct electricity")]
    ['right', 'right', 'right']
    >>> leader = "The Team Leader must make sure a report is submitted."
    >>> grade_short("Team Leader", leader, "Team Leader, Fire Warden, First Aider").verdict
    'wrong'
    >>> grade_short("hard hat", "Wear a hard hat.", "hard hat or safety boots or gloves or goggles")
    Grade(verdict='wrong', score=0.0, why='you gave several answers; name the one you mean')
    >>> grade_short("20 minutes", "Cool it for 20 minutes.", "5, 10, 20 or 30 minutes").verdict
    'wrong'
    >>> grade_short("gnash and swfdec", "Debian ships both gnash and swfdec.", "swfdec, gnash")
    Grade(verdict='right', score=1.0, why='')

    Copying the question is no answer either:

    >>> grade_short("command foo", "The command `command foo' does just that.",
    ...             "the command foo from within a function called foo",
    ...             question="Which command runs the command foo in a function called foo?")
    Grade(verdict='wrong', score=0.0, why='that repeats the question')
    """
    if not tokens(response):
        return Grade("wrong", 0.0, "the answer was empty")
    own, copied = own_words(question, response)
    if not tokens(own) or (copied >= 0.6 and _echoed(answer, question, own)):
        return Grade("wrong", 0.0, "that repeats the question")
    response = own  # what the learner added to the question's words
    reading = read_candidates(answer, response, question, candidates)
    if len(reading.others) >= 2:
        return Grade("wrong", 0.0, SEVERAL)
    if reading.taken_back:
        return Grade("wrong", 0.0, f"the material makes no such exception: {reading.taken_back}")
    # Put in the blank without the reason it gives, which may say "not" of another thing.
    stated = reading.claim.strip().rstrip(".!")
    if sentence and BLANK not in sentence and answer in sentence:
        filled = sentence.replace(answer, stated, 1)
        if normal(stated) != normal(answer) and (found := conflict(filled, sentence)):
            return Grade("wrong", 0.0, f"that says the opposite of the material ({found.kind})")
    expected = facts(answer)
    if len(expected) == 1 and expected[0].end - expected[0].start >= len(answer.strip()) - 1:
        return _grade_fact(expected[0], response)
    if (role := _role(answer)) is not None and (named := _roles(reading.said)):
        return _grade_role(role, named)
    grade = _grade_terms(answer, response, similarity, question, reading.claim)
    if reading.hits and reading.others and grade.score > HEDGED:  # the answer and one other
        return Grade("partly", HEDGED, HEDGE)
    return grade


def _echoed(answer: str, question: str, own: str) -> bool:
    """Whether the answer's words came only with the question's: a question that says
    them ("…the command foo…") is no source of credit."""
    wanted = content_words(answer)
    return wanted <= content_words(question) and not wanted <= content_words(own)


_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_ONES = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9}
_COMPOUND = re.compile(rf"\b({'|'.join(_TENS)})[- ]({'|'.join(_ONES)})\b", re.I)


def spoken(text: str) -> str:
    """A response with its spoken numbers in digits.

    >>> spoken("a year"), spoken("both feet"), spoken("half an hour"), spoken("fully")
    ('1 year', '2 feet', '0.5 hour', '100%')
    >>> spoken("twenty-five kg"), spoken("forty five degrees")
    ('25 kg', '45 degrees')
    """
    text = _COMPOUND.sub(lambda m: str(_TENS[m[1].lower()] + _ONES[m[2].lower()]), text)
    for pattern, number in _SPOKEN:
        text = pattern.sub(number, text)
    return text


_NUMBER = r"(?:\d+(?:[.,]\d+)?|" + "|".join(NUMBER_WORD_NAMES) + r")"
_LISTED = re.compile(rf"\b((?:{_NUMBER}\s*(?:,|or|and|to|-)\s*)+)({_NUMBER})\s*([A-Za-z%]+)",
                     re.I)


def shared_units(text: str) -> str:
    """Numbers listed before one unit each take it, so each is read as an amount.

    >>> shared_units("25 or 40 kg"), shared_units("one, two or three years")
    ('25 kg or 40 kg', 'one years, two years or three years')
    """
    def spread(match: re.Match[str]) -> str:
        head, last, unit = match.groups()
        if not unit_of(unit):
            return match.group(0)
        head = re.sub(rf"({_NUMBER})(?=\s*(?:,|or|and|to|-))", rf"\1 {unit}", head, flags=re.I)
        return f"{head}{last} {unit}"
    return _LISTED.sub(spread, text)


def same_amount(one: Fact, other: Fact) -> bool:
    """Whether two quantities are one amount, in whatever units.

    >>> [year, months] = facts("1 year, or 12 months")
    >>> same_amount(year, months)
    True
    """
    if key(one) == key(other):
        return True
    if one.value is None or other.value is None or one.unit not in _SCALE or (
            other.unit not in _SCALE) or _KIND[one.unit] != _KIND[other.unit]:
        return False
    a, b = one.value * _SCALE[one.unit], other.value * _SCALE[other.unit]
    return abs(a - b) <= 0.02 * max(a, b)


def _roles(text: str) -> list[Fact]:
    """The roles a short text names ("the Team Leader"), read as inside a sentence."""
    return [f for f in facts(f"x {text.strip()} x") if f.kind == "role"]


def _role(text: str) -> Fact | None:
    found = _roles(text)
    return found[0] if len(found) == 1 else None


def _grade_role(role: Fact, named: list[Fact]) -> Grade:
    """A role is right only as itself, and only alone.

    >>> [role] = _roles("Team Leader")
    >>> _grade_role(role, _roles("Team Leader, Fire Warden, First Aider")).verdict
    'wrong'
    >>> _grade_role(role, _roles("your Team Leader or the Shift Manager")).verdict
    'partly'
    """
    others = list({key(f): f for f in named if key(f) != key(role)}.values())
    if len(others) == len(named):
        return Grade("wrong", 0.0, f"that is another role: {others[0].text}")
    if len(others) >= 2:
        return Grade("wrong", 0.0, SEVERAL)
    return Grade("partly", HEDGED, HEDGE) if others else Grade("right", 1.0)


def _grade_fact(expected: Fact, response: str) -> Grade:
    response = shared_units(spoken(response))
    given = [fact for fact in facts(response) if fact.kind == expected.kind]
    if expected.kind == "quantity":
        same = [fact for fact in given if same_amount(fact, expected)]
    else:
        same = [fact for fact in given if key(fact) == key(expected)]
    others = list({key(fact): fact for fact in given if fact not in same}.values())
    beside = len(others) + (len(_loose_numbers(response, given, expected))
                            if expected.kind == "quantity" else 0)
    if same and beside >= 2:  # a list of every option is no answer
        return Grade("wrong", 0.0, SEVERAL)
    if same and beside:
        return Grade("partly", HEDGED, HEDGE)
    if same:
        return Grade("right", 1.0)
    if expected.kind == "quantity":
        return _grade_quantity(expected, response, others)
    if others:
        return Grade("wrong", 0.0, f"the material says {expected.text}, not {others[0].text}")
    members = CLASSES[expected.kind]
    if any(word.rstrip("s") in members for word in tokens(response)):
        return Grade("wrong", 0.0, f"the material says {expected.text}")
    return Grade("wrong", 0.0, f"the answer is a {expected.kind}")


_PLURALS = {"ft": "feet", "inch": "inches", "%": "per cent", "degree C": "degrees C"}


def plural(unit: str) -> str:
    """A unit as an answer counts it: "minutes", "feet", "kg".

    >>> plural("minute"), plural("ft"), plural("kg")
    ('minutes', 'feet', 'kg')
    """
    return _PLURALS.get(unit) or (unit + "s" if len(unit) > 3 or unit in ("day", "lb") else unit)


def _grade_quantity(expected: Fact, response: str, others: list[Fact]) -> Grade:
    bare = _bare_numbers(response)
    value = f"{expected.value:g}" if expected.value is not None else ""
    if others:
        other = others[0]
        if other.unit != expected.unit and value and f"{other.value or 0:g}" == value:
            return Grade("wrong", 0.0,
                         f"the number is right but not the unit: {plural(expected.unit)}")
        return Grade("wrong", 0.0, f"the material gives another {expected.unit}")
    if value and value in bare:
        if len(bare) > 2:
            return Grade("wrong", 0.0, SEVERAL)
        if len(bare) > 1:
            return Grade("partly", 0.3, "you gave more than one number; only one is right")
        as_digits = " ".join(number_value(word) or word for word in response.lower().split())
        counted = re.search(r"\d\S*\s*([a-z]{2,})", as_digits)
        if counted and counted.group(1) not in _FILLER:  # "10 pounds", "two hands"
            return Grade("wrong", 0.0, f"the number is right but not what it counts: "
                                       f"{plural(expected.unit)}")
        return Grade("partly", 0.5, f"the unit is missing: {value} what?")
    if bare:
        return Grade("wrong", 0.0, "another number")
    if any(unit_of(word) == expected.unit for word in tokens(response)):
        return Grade("partly", 0.4, f"the number is missing: how many {plural(expected.unit)}?")
    return Grade("wrong", 0.0, f"the answer is an amount in {plural(expected.unit)}")


_FILLER = frozenset("or and to the of at about approx approximately around roughly is".split())


def _loose_numbers(text: str, given: list[Fact], expected: Fact) -> set[tuple[str, str]]:
    """The numbers a response gives beside its quantities, with what each counts:
    "10 to 20 minutes" gives 10, "two feet or two hands" gives two hands.

    >>> text = "2 feet, or 2 hands"
    >>> _loose_numbers(text, facts(text), facts("two feet")[0])
    {('2', 'hands')}
    """
    rest = "".join(" " if any(f.start <= i < f.end for f in given) else char
                   for i, char in enumerate(text))
    words = re.findall(r"\d+(?:[.,]\d+)?|[a-z]+", rest.lower())
    found = set()
    for i, word in enumerate(words):
        raw = digits(word) if word[0].isdigit() else number_value(word) or ""
        if not re.fullmatch(r"\d+(?:\.\d+)?", raw):
            continue
        counted = words[i + 1] if i + 1 < len(words) and words[i + 1] not in _FILLER else ""
        if word == "one" and not counted:  # "the blue one"
            continue
        if counted or expected.value is None or float(raw) != expected.value:
            found.add((f"{float(raw):g}", counted))
    return found


def _bare_numbers(text: str) -> set[str]:
    found = set()
    for word in re.findall(r"\d+(?:[.,]\d+)?|[a-z]+", spoken(text).lower()):
        raw = digits(word) if word[0].isdigit() else number_value(word) or ""
        if re.fullmatch(r"\d+(?:\.\d+)?", raw):
            found.add(f"{float(raw):g}")
    return found


def _grade_terms(answer: str, response: str, similarity: float | None,
                 question: str, claim: str) -> Grade:
    if found := conflict(claim, answer):
        return Grade("wrong", 0.0, f"that says the opposite of the answer ({found.kind})")
    # The words the question itself says ("Which *package*…") need not be repeated.
    wanted = content_words(answer) - content_words(question) or content_words(answer)
    given = content_words(response)
    stated, said = numbers(answer), numbers(response)
    if stated and said and not stated & said:
        return Grade("wrong", 0.0, "another number")
    if not wanted:  # an answer of function words only: compare the words themselves
        return Grade("right", 1.0) if normal(answer) == normal(response) else Grade(
            "wrong", 0.0, "the words differ")
    coverage = len(wanted & given) / len(wanted)
    score = coverage
    if similarity is not None:  # meaning counts too, but never more than the words
        score = 0.7 * coverage + 0.3 * min(1.0, max(0.0, (similarity - 0.3) / 0.5))
    missing = [word for word in tokens(answer) if content_words(word) & wanted - given]
    why = "" if not missing else "missing: " + ", ".join(dict.fromkeys(missing))
    verdict = verdict_of(score)
    return Grade(verdict, round(score, 2), "" if verdict == "right" else why)

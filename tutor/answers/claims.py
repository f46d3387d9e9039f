"""What a sentence asserts beyond its topic: polarity, modality, how often,
quantities and directions; and whether an answer sentence says the opposite of a
source sentence on the same topic.

Sentence embeddings put "Never use water on electrical equipment" right next
to "Always use water on electrical equipment": they measure topic, not truth.
A trainee acts on what the tutor says, so a sentence whose source says the
opposite must never be kept, however similar it looks. Sentences are compared
clause by clause: "Never wedge fire doors open, and keep 1 m clear in front of
exits" holds a negative and a positive rule, and an answer restating either
one must be read against that one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from tutor.answers.terms import CLOSED_CLASSES, is_general, stem, substituted
from tutor.i18n import gettext

# Words that turn a clause into its opposite; "n't" and "rather than" / "instead
# of" ("the base of the fire rather than the flames") count as "not".
NEGATIONS = frozenset(
    "not no never none nothing nobody nowhere neither nor without cannot n't "
    "avoid avoided avoiding prohibited forbidden banned unable refrain rather_than "
    "instead_of unless away_from apart separately".split()
)
# "unless" is "if not": "Do not enter unless the driver signals" has two negations,
# and says what "Only enter once the driver signals" says, which has none. Keeping
# things apart is a "not with": "keep acids away from alkalis" / "…with alkalis".
_REQUIRED = frozenset(
    "must have_to has_to had_to need_to needs_to required requires require mandatory shall "
    "compulsory obliged essential".split()
)
_PERMITTED = frozenset("may can could allowed permitted optional free_to able_to".split())
_FREQUENCY = {  # how often, on one scale: a sentence that moves a rule along it is wrong
    "always": 4, "usually": 3, "normally": 3, "generally": 3, "often": 3, "frequently": 3,
    "sometimes": 2, "occasionally": 2, "rarely": 1, "seldom": 1, "never": 0,
}
# Pairs of words of one kind that point opposite ways.
# (Not "on"/"off" or "up"/"down": "put on gloves, brush off the powder", "write it
# down" are no directions; "first aid" is read as one word.)
_OPPOSITES = [
    ("before", "after"), ("above", "below"), ("more", "less"), ("more", "fewer"),
    ("higher", "lower"), ("increase", "decrease"), ("maximum", "minimum"), ("most", "least"),
    ("open", "closed"), ("open", "shut"), ("hot", "cold"), ("warm", "cold"),
    ("left", "right"), ("inside", "outside"), ("indoors", "outdoors"),
    ("upwards", "downwards"), ("start", "stop"), ("enable", "disable"),
    ("enabled", "disabled"), ("wet", "dry"), ("loose", "tight"), ("push", "pull"),
    ("forwards", "backwards"), ("forward", "backward"), ("early", "late"),
    ("earlier", "later"), ("heavier", "lighter"), ("shorter", "longer"), ("slower", "faster"),
    ("include", "exclude"), ("accept", "reject"), ("allow", "deny"), ("true", "false"),
    ("same", "different"), ("stable", "unstable"), ("safe", "unsafe"),
    ("lowercase", "uppercase"), ("internal", "external"), ("local", "remote"),
    ("lock", "unlock"), ("smaller", "larger"), ("small", "large"), ("dangerous", "harmless"),
    ("first", "last"), ("raise", "lower"), ("raised", "lowered"), ("raising", "lowering"),
    ("switch_on", "switch_off"), ("turn_on", "turn_off"), ("power_on", "power_off"),
    ("with", "away_from"),
]
OPPOSITE = {a: b for a, b in _OPPOSITES} | {b: a for a, b in _OPPOSITES}
_NUMBER_WORDS = {
    "zero": "0", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "fifteen": "15", "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50", "sixty": "60",
    "hundred": "100", "dozen": "12",
}
_COUNTING = {"one": "1", "once": "1", "twice": "2", "every": "1", "each": "1", "per": "1",
             "a": "1", "an": "1"}  # numbers only before a unit: "every year" is 1 year
_FRACTIONS = {"half": "0.5", "halves": "0.5", "third": "0.33", "thirds": "0.33",
              "quarter": "0.25", "quarters": "0.25"}
_ORDINALS = {"second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th", "sixth": "6th",
             "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th"}
# How many, on one scale: "all staff" is not "some staff".
_QUANTITY = {"no": 0, "none": 0, "few": 1, "some": 2, "several": 2, "many": 3, "most": 3,
             "all": 4, "every": 4, "each": 4, "everyone": 4, "anyone": 4, "any": 4}
_RESTRICTORS = frozenset("only unless except solely exclusively just".split())
# Words that make a statement optional or doubtful.
_HEDGES = frozenset(
    "consider might perhaps maybe possibly optionally optional may available offered okay ok "
    "fine recommended ideally preferably if_you_like if_you_wish".split()
)
_UNITS = {
    "s": "second", "sec": "second", "secs": "second", "second": "second", "seconds": "second",
    "min": "minute", "mins": "minute", "minute": "minute", "minutes": "minute",
    "h": "hour", "hr": "hour", "hrs": "hour", "hour": "hour", "hours": "hour",
    "day": "day", "days": "day", "week": "week", "weeks": "week", "month": "month",
    "months": "month", "year": "year", "years": "year",
    "mm": "mm", "millimetre": "mm", "millimetres": "mm", "cm": "cm", "centimetre": "cm",
    "centimetres": "cm", "m": "m", "metre": "m", "metres": "m", "meter": "m", "meters": "m",
    "km": "km", "kilometre": "km", "kilometres": "km", "ft": "ft", "foot": "ft", "feet": "ft",
    "inch": "inch", "inches": "inch", "mph": "mph", "kph": "km/h",
    "kg": "kg", "kilo": "kg", "kilos": "kg", "kilogram": "kg", "kilograms": "kg", "g": "g",
    "gram": "g", "grams": "g", "tonne": "tonne", "tonnes": "tonne", "lb": "lb", "lbs": "lb",
    "l": "litre", "litre": "litre", "litres": "litre", "liter": "litre", "ml": "ml",
    "c": "degree C", "degrees": "degree", "degree": "degree", "percent": "%", "%": "%",
    "v": "volt", "volts": "volt", "amps": "amp", "w": "watt", "watts": "watt", "db": "dB",
}


def number_value(word: str) -> str | None:
    """The digits a number word stands for, before a unit ("three-day" is 3 days).

    >>> number_value("Three"), number_value("one"), number_value("door")
    ('3', '1', None)
    """
    word = word.lower()
    return _NUMBER_WORDS.get(word) or ("1" if word == "one" else None)


NUMBER_WORD_NAMES = (*_NUMBER_WORDS, "one")


def unit_of(word: str) -> str:
    """The unit a word names, in one spelling ("mins" is "minute"), or "".

    >>> unit_of("mins"), unit_of("Metres"), unit_of("doors")
    ('minute', 'm', '')
    """
    return _UNITS.get(word.lower(), "")


_LOWER_BOUND = ("at least", "no less than", "not less than", "minimum", "min", "more than",
                "over", "above", "exceeding", "greater than", "upwards of", "no fewer than")
_UPPER_BOUND = ("at most", "no more than", "not more than", "maximum", "max", "less than",
                "under", "below", "up to", "within", "fewer than", "no later than")
# Longest first: "no more than" is an upper bound though it ends in "more than".
_BOUNDS = sorted([(p, "lower") for p in _LOWER_BOUND] + [(p, "upper") for p in _UPPER_BOUND],
                 key=lambda bound: -len(bound[0]))
# Bounds and set phrases whose "no"/"not" is no negation of the clause.
_NOT_NEGATING = re.compile(
    r"\b(?:no|not|never) (?:less|more|fewer|later|earlier|sooner) than\b|"
    r"\bnot only\b|\bno matter\b|\bno doubt\b"
)
# Clauses end at punctuation and at the conjunctions that join two statements; a
# contrast ("at the base, not at the flames", "push rather than pull") starts one.
_CLAUSE_BREAK = re.compile(
    r"\s*(?:[;,]|:\s|\s[-\u2013\u2014]\s|\s(?:but|whereas)\s)\s*"
    r"(?:(?:and|but|or|so|while|whereas|although|though|because|then|yet)\s+)?"
    r"|\s+(?=(?:rather than|instead of|as long as|provided|if|when|whenever|because|"
    r"so that|although|though|while|where|wherever)\s)"
    # "do not wrap it and do not burst blisters"; "forms a blanket and should not be sprayed"
    r"|\s+(?:and|or)\s+(?=(?:\w+\s+){0,2}(?:not|never|no)\s)"
)
# Function words: the rest of a clause says what it is about.
_FUNCTION = frozenset(
    "a an the and or but of to in on at by for from with as into onto than that this these "
    "those it its is are was were be been being do does did done will would should could "
    "can may might must shall you your yours we our they their them he she his her i me my "
    "if when where which who whom what how so then there here also just any some all each "
    "every such very too only about up out".split()
)
COVERAGE = 0.5  # share of an answer clause's words a source clause holds to be on its topic
# A short clause starting with these sets a circumstance ("by default", "where possible");
# others are claims however short ("pull it out", "handle it").
_CIRCUMSTANCE = frozenset(
    "by where if when whenever wherever in at for to with during after before once on from "
    "as while until within under over".split()
)


def words(text: str) -> list[str]:
    """Lower-case tokens; modal pairs joined ("have_to", "rather_than"); "n't" its
    own token.

    >>> words("You don't have to lift 2.5 kg boxes.")
    ['you', 'do', "n't", 'have_to', 'lift', '2.5', 'kg', 'boxes']
    """
    text = text.lower().replace("\u2019", "'")
    text = _NOT_NEGATING.sub(lambda m: m.group(0).replace(" ", "_"), text)
    text = re.sub(r"\b(ca|wo|sha)n't\b", r"\1 n't", text)
    text = re.sub(r"(\w)n't\b", r"\1 n't", text)
    text = re.sub(r"\b(have|has|had|need|needs|free|able) to\b", r"\1_to", text)
    text = re.sub(r"\bfirst aid", "first_aid", text)
    text = re.sub(r"\b(?:stay|keep) away from\b", "avoid", text)
    text = re.sub(r"\baway from\b", "away_from", text)
    text = re.sub(r"\bif you (like|wish)\b", r"if_you_\1", text)
    # "switch the charger on" / "switch it off": the particle belongs to the verb.
    text = re.sub(r"\b(switch|turn|power|shut)(?:\s+(?:the|it|them|\w+))?\s+(on|off)\b",
                  r"\1_\2", text)
    text = re.sub(r"\b(rather) than\b|\b(instead) of\b",
                  lambda m: f"{m.group(1) or m.group(2)}_{'than' if m.group(1) else 'of'}", text)
    tokens = re.findall(r"[a-z0-9_]+(?:[.,][0-9]+)*(?:'[a-z]+)?|n't|%", text)
    return [token.rstrip(".,") for token in tokens]


def clauses(text: str) -> list[str]:
    """
    >>> clauses("Never wedge fire doors open, and keep 1 m clear; report blocked exits.")
    ['Never wedge fire doors open', 'keep 1 m clear', 'report blocked exits.']
    >>> clauses("Aim at the base of the fire, not at the flames.")
    ['Aim at the base of the fire', 'not at the flames.']
    """
    return [part for part in _CLAUSE_BREAK.split(text) if part.strip(" .,;:()")] or [text]


@dataclass(frozen=True)
class Claim:
    """The parts of a clause that decide whether it says the same as another."""

    negations: int  # negating words: their parity is the clause's polarity
    required: bool
    permitted: bool
    hedged: bool  # "consider", "might", "optional": the clause makes it a choice
    frequency: int | None  # on the _FREQUENCY scale, when the clause says how often
    quantity: int | None  # on the _QUANTITY scale, when the clause says how many
    quantities: frozenset[tuple[str, str, str]]  # (number, unit, bound) triples
    words: frozenset[str]
    tokens: tuple[str, ...] = ()  # the words in order

    @property
    def negative(self) -> bool:
        return self.negations % 2 == 1

    def negative_about(self, shared: frozenset[str]) -> bool:
        """The polarity as it bears on `shared` words: a negation after the last of
        them is about something else ("Foam forms a blanket over the surface and
        should not be sprayed into a pool" is positive about the blanket)."""
        last = max((i for i, t in enumerate(self.tokens) if stem(t) in shared), default=-1)
        return sum(t in NEGATIONS for t in self.tokens[: last + 1]) % 2 == 1

    @property
    def topic(self) -> frozenset[str]:
        """The stems of the words that say what the clause is about."""
        return frozenset(stem(w) for w in self.words
                         if w not in _FUNCTION and w not in NEGATIONS and w not in _REQUIRED
                         and w not in _PERMITTED and w not in _FREQUENCY)


def read_claim(text: str) -> Claim:
    """
    >>> claim = read_claim("Never use water on electrical equipment.")
    >>> claim.negative, claim.required, sorted(claim.quantities)
    (True, False, [])
    >>> sorted(read_claim("Cool it for no less than 20 minutes, twice a day.").quantities)
    [('2', 'day', ''), ('20', 'minute', 'lower')]
    >>> read_claim("Cool it for no less than 20 minutes.").negative
    False
    """
    tokens = words(text)
    frequencies = [_FREQUENCY[t] for t in tokens if t in _FREQUENCY]
    return Claim(
        negations=sum(token in NEGATIONS for token in tokens),
        required=any(t in _REQUIRED for t in tokens),
        permitted=any(t in _PERMITTED for t in tokens),
        hedged=any(t in _HEDGES for t in tokens),
        frequency=frequencies[0] if frequencies else None,
        quantity=next((_QUANTITY[t] for t in tokens if t in _QUANTITY), None),
        quantities=frozenset(_quantities(tokens)),
        words=frozenset(tokens),
        tokens=tuple(tokens),
    )


def _quantities(tokens: list[str]) -> list[tuple[str, str, str]]:
    found = []
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        previous = tokens[index - 1] if index else ""
        unit = _UNITS.get(following, "")
        value = _NUMBER_WORDS.get(token, token)
        if token in ("once", "twice") and following in ("a", "an", "per", "every", "each"):
            value = _COUNTING[token]  # "twice a day": 2 per day
            unit = _UNITS.get(tokens[index + 2] if index + 2 < len(tokens) else "", "")
        elif token in _COUNTING and unit and previous not in ("once", "twice"):
            value = _COUNTING[token]
        elif token in _ORDINALS and previous == "the" and not unit:
            found.append((_ORDINALS[token], "", ""))  # "the third time"
            continue
        elif token in _FRACTIONS:
            two_thirds = previous == "two" and token == "thirds"
            value = "0.67" if two_thirds else _FRACTIONS[token]
        elif token in _NUMBER_WORDS and following in _FRACTIONS:
            continue  # the "two" of "two-thirds"
        if not re.fullmatch(r"\d+(?:[.,]\d+)?", value):
            continue
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+", value):
            value = value.replace(",", "")
        before = " ".join(tokens[max(0, index - 3):index]).replace("_", " ")
        after = " ".join(tokens[index + 1 + bool(unit):index + 3 + bool(unit)])
        bound = next((kind for phrase, kind in _BOUNDS if before.endswith(phrase)), "")
        bound = bound or ("lower" if after == "or more" else
                          "upper" if after in ("or less", "or fewer") else "")
        found.append((value, unit, bound))
    return found


def numbers(text: str) -> set[str]:
    """The numbers a text states, digits or words ("ten minutes" is 10).

    >>> sorted(numbers("Wait ten minutes, twice a day, for 1,500 people; one of them."))
    ['10', '1500', '2']
    >>> sorted(numbers("Renew it every year, the third time, with two-thirds of the load."))
    ['0.67', '1', '3rd']
    """
    return {value for value, _, _ in _quantities(words(text))}


@dataclass(frozen=True)
class Conflict:
    kind: str  # "negation", "modality", "frequency", "direction", "substitution", "unit", "bound"
    detail: str


def conflict(answer: str, source: str, *, negated: bool = False) -> Conflict | None:
    """Whether `answer` says the opposite of `source`, a sentence on its topic: each
    clause of the answer is read against the source clauses that share its words;
    numbers, directions and terms are compared across the whole sentence.

    >>> never = "Never use water on electrical equipment."
    >>> conflict("Always use water on electrical equipment.", never).kind
    'negation'
    >>> conflict("Do not use water on electrical equipment.", never) is None
    True
    >>> conflict("Fire doors may be kept open.", "Fire doors must be kept open.").kind
    'modality'
    >>> conflict("You must package it.", "You should consider packaging it.").kind
    'modality'
    >>> conflict("Cool the burn for 20 seconds.", "Cool the burn for 20 minutes.").kind
    'unit'
    >>> doors = "Fire doors must never be wedged open, and a 1 metre space must be kept clear."
    >>> conflict("A 1 metre space must be kept clear.", doors) is None
    True
    >>> conflict("You can stand on pallets.", "Standing on pallets.", negated=True).kind
    'negation'

    `negated`: the source is a list item under a prohibition ("The following are
    strictly prohibited:"), so each of its clauses says the opposite of its words.
    """
    source_claims = _with_inherited_modality([read_claim(part) for part in clauses(source)])
    if negated:
        source_claims = [replace(c, negations=c.negations + 1,
                                 tokens=("not", *c.tokens)) for c in source_claims]
    for part in clauses(answer):
        claim = read_claim(part)
        if not claim.topic:
            continue
        if len(claim.topic) < 2 and not claim.negative and claim.tokens[0] in _CIRCUMSTANCE:
            continue  # "By default", "Where possible": a circumstance, not a claim
        # Every source clause on this clause's topic (one answer clause may restate two).
        for source_claim in source_claims:
            if _overlap(claim.topic, source_claim.topic) < COVERAGE:
                continue
            if found := _clause_conflict(claim, source_claim):
                return found
    whole_answer, whole_source = read_claim(answer), read_claim(source)
    if found := _direction_conflict(whole_answer, whole_source):
        return found
    if swap := substituted(answer, source):
        return Conflict("substitution", gettext(
            "the answer says '%(said)s', the source '%(source)s'") % {
            "said": swap[0], "source": swap[1]})
    if swap := swapped_roles(answer, source):
        return Conflict("swap", gettext(
            "the answer says of '%(said)s' what the source says of '%(source)s'") % {
            "said": swap[0], "source": swap[1]})
    return _number_conflict(whole_answer, whole_source)


def covers(answer: str, source: str) -> bool:
    """Whether one source sentence is on the topic of every clause of the answer: a
    rule and its condition must come from one sentence, not be joined from two.

    >>> siren = "When the alarm sounds, leave by the nearest exit."
    >>> covers("When the alarm sounds, leave by the nearest exit.", siren)
    True
    >>> covers("When the alarm sounds, you need not evacuate.", siren)
    False
    """
    source_claims = [read_claim(part) for part in clauses(source)]
    for part in clauses(answer):
        claim = read_claim(part)
        if claim.topic and max(_overlap(claim.topic, s.topic) for s in source_claims) < COVERAGE:
            return False
    return True


def _with_inherited_modality(claims: list[Claim]) -> list[Claim]:
    """A clause with no modal of its own carries the one before it: in "you must port
    the script, reviewing it line by line", the reviewing is a rule too."""
    carried: list[Claim] = []
    for claim in claims:
        previous = carried[-1] if carried else None
        if previous is not None and not (claim.required or claim.permitted or claim.hedged):
            claim = replace(claim, required=previous.required, permitted=previous.permitted,
                            hedged=previous.hedged)
        carried.append(claim)
    return carried


def _overlap(one: frozenset[str], other: frozenset[str]) -> float:
    """Shared words as a share of the smaller set: a short clause ("do not pull it
    out") is about what a longer one says of it ("pull out the stuck object")."""
    return len(one & other) / min(len(one), len(other)) if one and other else 0.0


def _clause_conflict(answer: Claim, source: Claim) -> Conflict | None:
    shared = answer.topic & source.topic
    if answer.negative_about(shared) != source.negative_about(shared):
        return Conflict("negation", gettext("the answer not, the source says it")
                        if answer.negative else gettext("the answer says it, the source not"))
    if source.required and answer.permitted and not answer.required:
        return Conflict("modality", gettext(
            "the source makes it a rule, the answer makes it optional"))
    if answer.hedged and not (source.hedged or source.permitted):
        return Conflict("modality", gettext(
            "the source states it, the answer makes it a choice"))
    if (source.permitted and not source.required and not source.negative
            and answer.required and not answer.permitted):
        return Conflict("modality", gettext("the source allows it, the answer makes it a rule"))
    if source.hedged and not source.required and answer.required and not answer.hedged:
        return Conflict("modality", gettext(
            "the source suggests it, the answer makes it a rule"))
    if (answer.frequency is not None and source.frequency is not None
            and answer.frequency != source.frequency):
        return Conflict("frequency", gettext("the answer changes how often"))
    if (answer.quantity is not None and source.quantity is not None
            and answer.quantity != source.quantity and answer.negative == source.negative):
        return Conflict("quantity", gettext("the answer changes how many"))
    if _narrows(answer) and not source.words & _RESTRICTORS:
        return Conflict("scope", gettext(
            "the answer adds 'only', which the source does not say"))
    return _direction_conflict(answer, source)


def _narrows(claim: Claim) -> bool:
    """An "only" that restricts ("only trained staff"), not "not only" or "only then"."""
    tokens = claim.tokens
    return any(token == "only" and (i == 0 or tokens[i - 1] not in ("not", "the"))
               and (i + 1 == len(tokens) or tokens[i + 1] != "then")
               for i, token in enumerate(tokens))


def _direction_conflict(answer: Claim, source: Claim) -> Conflict | None:
    """A word whose opposite the source uses, and not the word itself ("before
    charging" where the source says "after charging")."""
    for word in sorted(answer.words):
        opposite = OPPOSITE.get(word)
        if opposite and opposite in source.words and word not in source.words:
            return Conflict("direction", gettext(
                "the answer says '%(said)s', the source '%(source)s'") % {
                "said": word, "source": opposite})
    return None


def _counts(claim: Claim) -> set[tuple[str, str]]:
    """(number, stem of what it counts) for numbers without a unit: "three points of
    contact" is ("3", "point").

    >>> sorted(_counts(read_claim("Keep three points of contact: two hands and a foot.")))
    [('2', 'hand'), ('3', 'point')]
    """
    found = set()
    tokens = claim.tokens
    for index, token in enumerate(tokens[:-1]):
        value = _NUMBER_WORDS.get(token, token)
        counted = tokens[index + 1]
        if (re.fullmatch(r"\d+", value) and counted not in _UNITS and counted.isalpha()
                and counted not in _FUNCTION):
            found.add((value, stem(counted)))
    return found


def _number_conflict(answer: Claim, source: Claim) -> Conflict | None:
    """A number both sentences state, with another unit or the bound turned round, or
    a count of the same thing changed ("two points of contact" where the source says
    three, though it says "two feet"). (A number the source does not state is the
    grounding check's business.)

    >>> source = read_claim("Keep three points of contact: two hands and a foot.")
    >>> _number_conflict(read_claim("Keep two points of contact."), source).kind
    'number'
    >>> _number_conflict(read_claim("Keep two hands on the ladder."), source) is None
    True
    """
    said = _counts(source)
    for value, counted in _counts(answer):
        others = {v for v, c in said if c == counted}
        if others and value not in others:
            shown = sorted(others)
            for other in shown[1:]:
                shown[0] = gettext("%(one)s or %(other)s") % {"one": shown[0], "other": other}
            return Conflict("number", gettext(
                "%(value)s %(counted)s, where the source says %(others)s") % {
                "value": value, "counted": counted, "others": shown[0]})
    by_value: dict[str, list[tuple[str, str]]] = {}
    for value, unit, bound in source.quantities:
        by_value.setdefault(value, []).append((unit, bound))
    for value, unit, bound in answer.quantities:
        seen = by_value.get(value, [])
        if unit and seen and all(u and u != unit for u, _ in seen):
            return Conflict("unit", gettext(
                "%(value)s %(unit)s, where the source gives another unit") % {
                "value": value, "unit": unit})
        if bound and seen and all(b and b != bound for _, b in seen):
            return Conflict("bound", (gettext(
                "%(value)s as a lower bound, the source the other way") if bound == "lower"
                else gettext("%(value)s as an upper bound, the source the other way")) % {
                "value": value})
    return None


_TERM_TOKEN = re.compile(r"\(#\w+\)|\\[A-Za-z]-\w|[\w~./#-]*\w")


def _is_term(word: str, position: int) -> bool:
    """A number, code, a name written with capitals (not first), a closed-class word."""
    return (bool(re.search(r"[\d~./#\\]|^[-(]", word)) or (position > 0 and word[:1].isupper())
            or any(word.lower() in cls for cls in CLOSED_CLASSES))


def _said_of_terms(text: str) -> dict[str, set[str]]:
    """What a text says of each of its terms: the content words of the term's clause
    that follow it (or, before the clause's first term, precede it)."""
    said: dict[str, set[str]] = {}
    position = 0
    for clause in clauses(text):
        raw = _TERM_TOKEN.findall(clause)
        current: str | None = None
        waiting: set[str] = set()
        for word in raw:
            if _is_term(word, position):
                current = word.lower()
                said.setdefault(current, set()).update(waiting)
                waiting = set()
            elif not is_general(word.lower()) and len(word) > 1:
                (said[current] if current is not None else waiting).add(stem(word.lower()))
            position += 1
    return said


def swapped_roles(answer: str, source: str) -> tuple[str, str] | None:
    """Two terms both texts name, where the answer says of one only what the source
    says of the other: (that term, the other).

    >>> swapped_roles("\\\\C-q stops all output, and \\\\C-s resumes it.",
    ...               "In other words, \\\\C-s stops all output, while \\\\C-q resumes it.")
    ('\\\\c-q', '\\\\c-s')
    >>> swapped_roles("For a man it is 25 kg at waist height, and for a woman 16 kg.",
    ...               "25 kg is the maximum for a man at waist height, and 16 kg for a woman.")
    >>> swapped_roles("It is 25 kg for a woman and 16 kg for a man.",
    ...               "25 kg is the maximum for a man at waist height, and 16 kg for a woman.")
    ('16', '25')
    """
    said, given = _said_of_terms(answer), _said_of_terms(source)
    shared = sorted(said.keys() & given.keys())
    for one in shared:
        others = [t for t in shared if t != one]
        own = given[one] - set().union(*(given[t] for t in others)) if others else set()
        if not own or said[one] & own:
            continue
        for other in others:
            theirs = given[other] - given[one]
            if said[one] & theirs:
                return one, other
    return None

"""Grading rewards knowing, not listing (issue 20): lists of candidates, hedges, the
question copied and the answer buried among other facts earn no "right"; answers
that are right in more words stay right. Material from the sample course and the
public FAQs in bench/data."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from knowledge.library import find_course
from tutor.quiz.bank import kinds_of
from tutor.quiz.facts import course_kinds
from tutor.quiz.grading import chosen_option, grade_short, options_named
from tutor.quiz.hedging import items, own_words
from tutor.runtime import Runtime

CO2_Q = "Which extinguisher is the first choice for fires in electrical equipment?"
CO2_S = ("CO2 (black band): the first choice for fires in electrical equipment, such as "
         "computers, label printers, conveyor control panels and battery chargers.")
LEADER_Q = ("Fill in the blank: The _____ must also make sure an incident report is submitted "
            "within 24 hours.")
LEADER_S = "The Team Leader must also make sure an incident report is submitted within 24 hours."
BURN_Q = "Fill in the blank: Cool the burn under cool or lukewarm running water for _____."
BURN_S = "Cool the burn under cool or lukewarm running water for 20 minutes."
FEET_Q = ("Fill in the blank: Keep three points of contact at all times: _____ and one hand, or "
          "two hands and one foot.")
FEET_S = ("Keep three points of contact at all times: two feet and one hand, or two hands and "
          "one foot, on the ladder.")
VEST_Q = ("Fill in the blank: All staff wear an _____ hi-vis vest on the warehouse floor and in "
          "the yard.")
VEST_S = "All staff wear an orange hi-vis vest on the warehouse floor and in the yard."
HAT_Q = "What do you wear on your head on the loading dock?"
HAT_S = "Wear a hard hat on the loading dock."
EXT_Q = "Which extension do you phone for the site emergency line?"
EXT_S = "Phone the site emergency line on extension 2222 and tell the operator the location."
HEAVY_Q = "Fill in the blank: Any single item over _____ in the pick faces is marked."
HEAVY_S = "Any single item over 25 kg in the pick faces is marked."
SWF_Q = "Which two free SWF movie players does Debian ship?"
SWF_S = "Debian ships both gnash and swfdec: two free SWF movie players."
HIST_Q = "Which three variables must you set so that your history is written out?"
HIST_S = ("$HISTSIZE tells the shell how many lines to keep internally, $HISTFILE tells it where "
          "to write the history, and $SAVEHIST tells it how many to write out.")
FOO_Q = "Which command runs the command foo from within a function called foo?"
FOO_S = "The command `command foo' does just that."
REACH_Q = "What should you do if you cannot reach an item?"
REACH_S = "If you cannot reach an item, ask for a reach truck or a platform."

CASES = {  # name: (answer, sentence, question)
    "co2": ("CO2", CO2_S, CO2_Q), "leader": ("Team Leader", LEADER_S, LEADER_Q),
    "burn": ("20 minutes", BURN_S, BURN_Q), "feet": ("two feet", FEET_S, FEET_Q),
    "vest": ("orange", VEST_S, VEST_Q), "hat": ("hard hat", HAT_S, HAT_Q),
    "ext": ("2222", EXT_S, EXT_Q), "heavy": ("25 kg", HEAVY_S, HEAVY_Q),
    "swf": ("gnash and swfdec", SWF_S, SWF_Q),
    "hist": ("HISTSIZE, HISTFILE and SAVEHIST", HIST_S, HIST_Q),
    "foo": ("command foo", FOO_S, FOO_Q),
    "reach": ("ask for a reach truck or a platform", REACH_S, REACH_Q),
    "minimum": ("a hi-vis vest and safety footwear",
                "The minimum for anyone entering the floor is a hi-vis vest and safety footwear.",
                "What is the minimum PPE for anyone entering the warehouse floor?"),
    "committee": ("Health and Safety Committee",
                  "The Health and Safety Committee reviews open actions every month.",
                  "Fill in the blank: The _____ reviews open actions every month."),
}


def grade(name: str, response: str) -> tuple[str, float]:
    answer, sentence, question = CASES[name]
    found = grade_short(answer, sentence, response, None, question)
    return found.verdict, found.score


# The three answers of the outside review, then each kind of answer listed.
@pytest.mark.parametrize(("name", "response"), [
    ("co2", "water, foam, CO2, powder"),
    ("leader", "Team Leader, Fire Warden, First Aider"),
    ("hat", "hard hat or safety boots or gloves or goggles"),
    ("leader", "team leader, fire warden, first aider"),  # roles in lower case: terms
    ("leader", "the Shift Manager, the Team Leader or the Health and Safety Adviser"),
    ("burn", "5, 10, 20 or 30 minutes"),  # numbers
    ("burn", "ten, twenty or thirty minutes"),
    ("feet", "one foot, two feet, two hands"),
    ("heavy", "16 kg, 25 kg or 40 kg"),
    ("vest", "orange, yellow or green"),  # a closed class
    ("ext", "999, 112 or 2222"),  # numbers without a unit
    ("swf", "gnash, swfdec, flashplayer and lightspark"),  # a listed answer, padded
    ("hist", "HISTSIZE, HISTFILE, SAVEHIST, HISTCONTROL and HISTFILESIZE"),
    ("reach", "ask for a reach truck, a ladder, a chair or a platform"),
    ("foo", "command foo, builtin foo, exec foo or noglob foo"),
])
def test_a_list_of_candidates_is_wrong(name: str, response: str) -> None:
    assert grade(name, response) == ("wrong", 0.0)


@pytest.mark.parametrize(("name", "response"), [
    ("co2", "Water is for paper and wood, foam for burning liquids, CO2 for electrical fires "
            "and powder for flammable gas."),
    ("vest", "Visitors get yellow, staff wear orange and first aiders wear a green lanyard."),
    ("burn", "Phone 2222, cool it under running water for 20 minutes, cooling still helps up to "
             "3 hours later."),
    ("leader", "The Team Leader checks it. The Shift Manager signs it. The Health and Safety "
               "Adviser files it."),
])
def test_the_answer_buried_among_other_facts_is_wrong(name: str, response: str) -> None:
    assert grade(name, response)[0] == "wrong"


@pytest.mark.parametrize(("name", "response"), [
    ("co2", "CO2 or foam"), ("co2", "either foam or CO2"), ("co2", "CO2/foam"),
    ("co2", "CO2 (or foam)"), ("co2", "CO2, maybe dry powder"),
    ("leader", "the Team Leader or the Shift Manager"), ("hat", "hard hat or bump cap"),
    ("burn", "10 or 20 minutes"), ("burn", "ten or twenty minutes"),
    ("feet", "two feet or two hands"), ("heavy", "25 or 40 kg"), ("vest", "yellow or orange"),
    ("ext", "2222 or 999"),
])
def test_a_hedge_between_two_is_at_most_partly_right(name: str, response: str) -> None:
    assert grade(name, response) == ("partly", 0.5)


@pytest.mark.parametrize(("name", "response"), [
    ("burn", "Cool the burn under cool or lukewarm running water for"),
    ("burn", "Cool the burn under cool or lukewarm running water"),
    ("leader", "must also make sure an incident report is submitted within 24 hours"),
    ("feet", "and one hand, or two hands and one foot"),
    ("foo", "the command foo from within a function called foo"),  # holds the answer's words
    ("co2", "the first choice for fires in electrical equipment"),
])
def test_copying_the_question_is_wrong(name: str, response: str) -> None:
    assert grade(name, response)[0] == "wrong"


@pytest.mark.parametrize(("name", "response"), [
    ("co2", "CO2"), ("co2", "CO2 extinguisher"), ("co2", "the CO2 one"),
    ("co2", "CO2, because it does not conduct electricity"),  # a short reason, with "not"
    ("co2", "CO2 since it leaves no residue on the equipment"),
    ("co2", "CO2 (black band)"), ("co2", "I think it's CO2"), ("co2", "CO2: safe on electrics"),
    ("co2", "CO2, not water"),
    ("leader", "the Team Leader"), ("leader", "The Team Leader must also make sure"),
    ("burn", "twenty mins"), ("burn", "cool the burn under running water for 20 minutes"),
    ("burn", "20 minutes, then cover it with cling film"),
    ("feet", "two feet and one hand"),  # the question's words after the blank
    ("feet", "three points of contact: two feet and one hand"),
    ("vest", "an orange one"), ("hat", "a hard hat"), ("ext", "extension 2222"),
    ("heavy", "25 kg"),
    # answers whose reference itself is a list, or holds "and" / "or"
    ("swf", "gnash and swfdec"), ("swf", "swfdec, gnash"),
    ("hist", "HISTSIZE, HISTFILE and SAVEHIST"), ("hist", "SAVEHIST, HISTFILE, HISTSIZE"),
    ("reach", "ask for a reach truck or a platform"),
    ("reach", "Ask for a reach truck or a platform."),
    ("minimum", "a hi-vis vest and safety footwear"),
    ("committee", "the Health and Safety Committee"),
    ("foo", "command foo"), ("foo", "use `command foo`"),
])
def test_right_answers_in_more_words_stay_right(name: str, response: str) -> None:
    assert grade(name, response) == ("right", 1.0)


def test_an_answer_given_in_part_is_not_a_hedge() -> None:
    assert grade("swf", "gnash")[0] == "partly"
    assert grade("hist", "HISTSIZE and HISTFILE")[0] == "partly"


def test_several_answers_are_explained() -> None:
    answer, sentence, question = CASES["co2"]
    assert grade_short(answer, sentence, "water, foam or CO2", None, question).why == (
        "you gave several answers; name the one you mean")
    assert grade_short(answer, sentence, "CO2 or foam", None, question).why == (
        "you gave more than one answer; only one is right")
    assert grade_short("20 minutes", BURN_S, BURN_Q.split(": ")[1].replace("_____.", ""),
                       None, BURN_Q).why == "that repeats the question"


def test_items_and_copies() -> None:
    assert [i.text for i in items("edit /etc/kbd/config or ~/.zshrc and/or foo")] == [
        "edit /etc/kbd/config", "~/.zshrc", "foo"]
    assert own_words(BURN_Q, "running water for 20 minutes") == ("20 minutes", 0.6)
    assert own_words(FEET_Q, "two feet or two hands")[0] == "two feet or two hands"


OPTIONS = ["5 minutes", "10 minutes", "20 minutes", "30 minutes"]


@pytest.mark.parametrize("typed", [
    "1 or 2", "3, 4", "2/3", "20 minutes or 30 minutes", "5 minutes, 10 minutes, 20 minutes, "
    "30 minutes", "1 2 3 4", "all of them", "either 3 or 4",
])
def test_a_typed_choice_of_several_options_picks_none(typed: str) -> None:
    assert chosen_option(OPTIONS, typed) is None
    assert len(options_named(OPTIONS, typed)) > 1


def test_a_typed_choice_of_one_option() -> None:
    assert chosen_option(OPTIONS, "3") == "20 minutes"
    assert options_named(OPTIONS, "20 minutes") == ["20 minutes"]
    assert options_named(["2 metres", "1 metre"], "1 metre") == ["1 metre"]
    assert chosen_option(["True", "False"], "true or false") is None
    assert options_named(["True", "False"], "true or false") == ["True", "False"]
    assert options_named(["True", "False"], "yes") == ["True"]


# Issue 20 review: bank questions of the sample course, as the reviewer graded them.
TRUCK = ("do not use the truck", "If you find a safety defect, do not use the truck.",
         "What should you do if you find a safety defect?")
LADDER = ("do not use the ladder", "If anything is wrong, do not use the ladder.",
          "What should you do if anything is wrong?")
AISLE = ("check the aisle light", "Before entering a racking aisle, check the aisle light.",
         "What should you do before entering a racking aisle?")
WARDEN = ("Chief Fire Warden", "Wardens sweep their area, including toilets, and give the roll "
          "call to the Chief Fire Warden, normally the Shift Manager, who briefs the fire service "
          "on arrival.", "Fill in the blank: Wardens sweep their area, including toilets, and "
          "give the roll call to the _____, normally the Shift Manager, who briefs the fire "
          "service on arrival.")
ALARM = ("stop work, switch off machinery if it is safe to do so, and leave by the nearest fire "
         "exit", "When the alarm sounds continuously, stop work, switch off machinery if it is "
         "safe to do so, and leave by the nearest fire exit.",
         "What should you do when the alarm sounds continuously?")
SMALLER = ("leave immediately and close doors behind you", "If the fire is not clearly getting "
           "smaller after one extinguisher, leave immediately and close doors behind you.",
           "What should you do if the fire is not clearly getting smaller after one "
           "extinguisher?")
CASES.update(truck=TRUCK, ladder=LADDER, aisle=AISLE, warden=WARDEN, alarm=ALARM,
             smaller=SMALLER)


@pytest.mark.parametrize(("name", "response", "verdict"), [
    ("truck", "do not use the truck, or use it carefully", "partly"),
    ("ladder", "do not use the ladder, or use it carefully", "partly"),
    ("truck", "do not use the truck / use the truck", "partly"),  # the answer and its opposite
    ("truck", "do not use the truck unless you are in a hurry", "wrong"),
    ("ladder", "do not use the ladder unless you are careful", "wrong"),
    ("aisle", "check the aisle light, then walk in regardless", "wrong"),
])
def test_a_hedge_after_a_not_answer_is_no_right_answer(name: str, response: str,
                                                        verdict: str) -> None:
    assert grade(name, response)[0] == verdict


@pytest.mark.parametrize(("name", "response"), [
    ("co2", "water foam CO2 powder wet chemical"), ("co2", "any of water foam CO2"),
    ("co2", "not sure: CO2 foam water"), ("hat", "hard hat helmet cap beanie"),
    ("co2", "CO2 + foam + water"), ("co2", "CO2 & foam & water"), ("co2", "CO2 / foam / water"),
    ("co2", "CO2 | foam | water"), ("co2", "CO2 \u2014 foam \u2014 water"),
    ("co2", "CO2, then foam, then water"), ("co2", "CO2, preferably foam or water"),
    ("co2", "CO2, like foam or water"), ("co2", "CO2, there is also foam and water"),
    ("hat", "hard hat, then gloves and boots"),
])
def test_things_of_the_answers_kind_make_a_list_whatever_joins_them(name: str,
                                                                    response: str) -> None:
    assert grade(name, response) == ("wrong", 0.0)


@pytest.mark.parametrize("response", [
    "foam CO2", "CO2, usually foam", "CO2, especially foam", "CO2, it could also be foam",
    "CO2 which is sometimes foam",
])
def test_one_thing_of_the_answers_kind_beside_it_is_a_hedge(response: str) -> None:
    assert grade("co2", response) == ("partly", 0.5)


@pytest.mark.parametrize(("name", "response"), [
    ("warden", "the Chief Fire Warden, who is usually the Shift Manager"),
    ("truck", "do not use the truck, report it to your team leader"),
    ("ladder", "don't use the ladder, report it"),
    ("co2", "CO2 (carbon dioxide)"), ("co2", "CO2, because water conducts and foam does too"),
    ("hat", "a hard hat (safety helmet)"),
])
def test_right_answers_that_name_more_stay_right(name: str, response: str) -> None:
    assert grade(name, response)[0] == "right"


def test_a_paraphrase_is_told_what_it_misses() -> None:
    answer, sentence, question = ALARM
    found = grade_short(answer, sentence, "stop working, turn off machines if safe and leave by "
                        "the nearest exit", 0.87, question)
    assert found.why.startswith("missing:")
    answer, sentence, question = SMALLER
    found = grade_short(answer, sentence, "get out and shut the doors", None, question)
    assert found.why.startswith("missing:")


# Issue 20: the kinds come from the course, so a list of its things is a list in any
# course, whatever joins them. A chemicals course and a forklift course, not the sample.
CHEMICALS = """# Cleaning chemicals

## Products in the cleaning cupboard

Three products are kept in the locked cupboard by the canteen.

- **Bleach (sodium hypochlorite):** for disinfecting toilets and drains. Never mix it.
- **Ammonia:** for glass and steel; use it only with the window open.
- **Vinegar:** for descaling kettles and taps.

Mixing bleach with ammonia releases a toxic gas.
"""
TRUCKS = """# Forklift trucks

## Truck types

- **Counterbalance:** the sit-down truck for loading lorries in the yard.
- **Reach truck:** for high racking in the narrow aisles.
- **Pallet truck:** for moving pallets across the dock floor by hand.
"""
BLEACH = ("Bleach", "Bleach (sodium hypochlorite): for disinfecting toilets and drains.",
          "Which product is for disinfecting toilets and drains?")
REACH = ("Reach truck", "Reach truck: for high racking in the narrow aisles.",
         "Which truck is for high racking in the narrow aisles?")


def course_grade(course: str, case: tuple[str, str, str], response: str) -> str:
    answer, sentence, question = case
    kind = course_kinds([[course]]).of(answer)
    return grade_short(answer, sentence, response, None, question, kind).verdict


@pytest.mark.parametrize(("course", "case", "response", "verdict"), [
    (CHEMICALS, BLEACH, "bleach ammonia vinegar", "wrong"),
    (CHEMICALS, BLEACH, "bleach then vinegar then ammonia", "wrong"),
    (CHEMICALS, BLEACH, "ammonia bleach", "partly"),
    (CHEMICALS, BLEACH, "bleach, usually vinegar", "partly"),
    (TRUCKS, REACH, "reach truck counterbalance pallet truck", "wrong"),
    (TRUCKS, REACH, "a reach truck, then a pallet truck", "partly"),
])
def test_things_of_the_answers_kind_in_its_course_make_a_list(
        course: str, case: tuple[str, str, str], response: str, verdict: str) -> None:
    assert course_grade(course, case, response) == verdict


@pytest.mark.parametrize(("course", "case", "response"), [
    (CHEMICALS, BLEACH, "bleach"), (CHEMICALS, BLEACH, "Bleach, never mixed with ammonia"),
    (CHEMICALS, BLEACH, "bleach, not vinegar"), (TRUCKS, REACH, "the reach truck"),
])
def test_the_answer_alone_in_its_course_stays_right(course: str, case: tuple[str, str, str],
                                                    response: str) -> None:
    assert course_grade(course, case, response) == "right"


def test_commands_and_options_quoted_by_a_course_are_one_kind_each() -> None:
    zsh = ("Use `setopt foo' to set an option and `unsetopt foo' to unset it; `bindkey -v' "
           "picks vi keys. Set SH_WORD_SPLIT, KSH_ARRAYS or NO_NOMATCH for sh scripts.")
    question = "Which command sets an option?"
    for response, verdict in (("setopt unsetopt bindkey", "wrong"), ("setopt", "right"),
                              ("setopt then bindkey", "partly")):
        kind = course_kinds([[zsh]]).of("setopt")
        assert grade_short("setopt", zsh, response, None, question, kind).verdict == verdict
    assert "SH_WORD_SPLIT" not in course_kinds([[zsh]]).of("setopt")


def test_the_quiz_reads_a_courses_kinds_once_per_version(runtime: Runtime,
                                                        tmp_path: Path) -> None:
    folder = tmp_path / "chemicals"
    folder.mkdir()
    (folder / "chemicals.md").write_text(CHEMICALS)
    runtime.add_material([folder], "chemicals")
    course_id = find_course(runtime.engine, "chemicals").id or 0
    first = kinds_of(runtime.engine, course_id)
    with ThreadPoolExecutor(4) as pool:  # quiz handlers read it from threads of their own
        read = list(pool.map(lambda _: kinds_of(runtime.engine, course_id), range(8)))
    assert all(kinds is first for kinds in read)  # read once, then cached
    assert first.of("bleach") == ("Ammonia", "Bleach", "Vinegar")
    (folder / "trucks.md").write_text(TRUCKS)
    runtime.add_material([folder], "chemicals")
    assert kinds_of(runtime.engine, course_id).of("pallet truck") == (
        "Counterbalance", "Pallet truck", "Reach truck")  # the new material is read

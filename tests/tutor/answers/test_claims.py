"""Worked examples of each kind of contradiction the check must catch, and of the
faithful restatements it must let through (pure functions: no model)."""

import pytest

from tutor.answers.claims import conflict, numbers

NEVER_WATER = "Never use water on electrical equipment or burning liquids."
DOORS = "Fire doors must never be wedged open or blocked by pallets."


@pytest.mark.parametrize(("answer", "source", "kind"), [
    ("Always use water on electrical equipment.", NEVER_WATER, "negation"),
    ("Fire doors must always be wedged open.", DOORS, "negation"),
    ("Fire doors can be wedged open.", DOORS, "negation"),
    ("Burst the blisters.", "Do not wrap it tightly and do not burst blisters.", "negation"),
    ("Enter the zone whenever you like.", "Do not enter it unless the driver has stopped.",
     "negation"),
    ("Wearing a hard hat is optional in the yard.", "You must wear a hard hat in the yard.",
     "modality"),
    ("Consider leaving the building.", "Leave the building immediately.", "modality"),
    ("Visitors must sign in at reception.", "Visitors may sign in at reception.", "modality"),
    ("A fire point usually has a CO2 extinguisher.", "A fire point always has a CO2 "
     "extinguisher.", "frequency"),
    ("Cool the burn for 20 seconds.", "Cool the burn for 20 minutes.", "unit"),
    ("Operators must be no more than 18.", "Operators must be at least 18.", "bound"),
    ("Top up the batteries before charging.", "Top up with deionised water after charging.",
     "direction"),
    ("First aiders wear a yellow lanyard.", "First aiders wear a green lanyard.",
     "substitution"),
    (r"\C-q stops all output, and \C-s resumes it.",
     r"In other words, \C-s stops all output, while \C-q resumes it.", "swap"),
])
def test_each_kind_of_contradiction_is_caught(answer: str, source: str, kind: str) -> None:
    found = conflict(answer, source)
    assert found is not None and found.kind == kind, found


@pytest.mark.parametrize(("answer", "source"), [
    ("Do not use water on electrical equipment.", NEVER_WATER),
    ("Water must not be used on burning liquids.", NEVER_WATER),
    ("Avoid using water on electrical equipment.", NEVER_WATER),
    ("Aim at the base of the fire rather than at the flames.",
     "Aim the nozzle at the base of the fire, not at the flames."),
    ("Only enter once the driver has stopped.", "Do not enter it unless the driver has "
     "stopped."),
    ("Rinse for no less than 20 minutes.", "Rinse for at least 20 minutes."),
    ("Keep a 1 metre space clear in front of every exit.",
     "Fire doors must never be wedged open, and a 1 metre space must be kept clear in front "
     "of every exit."),
    ("Foam forms a blanket over the liquid.", "Foam forms a blanket over the liquid surface "
     "and should not be sprayed directly into a pool of burning liquid."),
])
def test_faithful_restatements_are_no_contradiction(answer: str, source: str) -> None:
    assert conflict(answer, source) is None


def test_numbers_are_read_in_digits_and_words() -> None:
    assert numbers("Keep pressure on for a minimum of ten minutes.") == {"10"}
    assert numbers("Refresh it every year.") == {"1"}
    assert numbers("It takes two-thirds of the sum.") == {"0.67"}

"""The blank is what the learner asked: one test per kind of span (tutor/quiz/asked.py)."""

from __future__ import annotations

import pytest

from tutor.quiz.asked import answer_in, answer_span

CASES = [
    # A phone extension for "what extension".
    ("What extension is the site emergency line?",
     "Call the site emergency line on extension 2222 or use radio channel 1.", "2222"),
    # A version number for "which version".
    ("In which version did the SHARE_HISTORY option appear?",
     "The option SHARE_HISTORY appeared in 3.1.6 and is set in ksh mode.", "3.1.6"),
    # The name after "called", where what is called is what was asked about.
    ("What is Debian unstable always called?", "Unstable is always called Sid.", "Sid"),
    # An option's name in code for "which option".
    ("Which option stops zsh from allowing flow control?",
     "There is an option NO_FLOW_CONTROL to stop zsh from allowing flow control.",
     "NO_FLOW_CONTROL"),
    # A function's name in quotes for "which function".
    ("Which special function is called when the directory changes?",
     "You should use the special function `chpwd', which is called when it changes.", "chpwd"),
    # A "situation: answer" item whose situation is asked: the answer, not the head.
    ("Which gloves do I wear for general picking and packing?",
     "General picking and packing: nitrile-coated knitted grip gloves (grey).",
     "nitrile-coated knitted grip gloves"),
    # Two amounts of one kind: the one the question's words qualify.
    ("What is the guideline maximum weight for a woman to lift?",
     "25 kg is the guideline maximum for a man lifting a load, and 16 kg for a woman.", "16 kg"),
    # Two colours: the one for what was asked.
    ("What colour spill kit is used for oil and fuel?",
     "Use the right spill kit: yellow for chemicals, white for oil and fuel", "white"),
    # Money for "how much", not the time in the same sentence.
    ("How much can I claim towards my own safety boots?",
     "Staff can claim up to £60 towards them once every 12 months.", "£60"),
    # One amount in two units is blanked whole.
    ("What is the speed limit for vehicles in the yard?",
     "In the yard: maximum 16 km/h (10 mph) for all vehicles.", "16 km/h (10 mph)"),
    # A bare age for "how old".
    ("How old do you have to be to drive a forklift?", "Operators must be at least 18.", "18"),
    # The doer after "by" for "who".
    ("Who wrote Linux?", "Linux is written by Linus Torvalds and many others.", "Linus Torvalds"),
    # A thing of the kind asked, named with capitals.
    ("Which shell does zsh most resemble?",
     "Zsh most resembles the Korn shell (ksh) of the standard shells.", "Korn shell"),
    # A level: a noise level, not how often noise is measured.
    ("Above what noise level is hearing protection mandatory?",
     "Noise is measured every 2 years; above 85 dB(A) protection is mandatory.", "85 dB"),
]


@pytest.mark.parametrize(("question", "sentence", "gap"), CASES)
def test_blank_is_what_was_asked(question: str, sentence: str, gap: str) -> None:
    fact = answer_span(question, sentence)
    assert fact is not None and fact.text == gap
    assert sentence[fact.start:fact.end] == gap


# Where the sentence does not answer what was asked, no blank: the open prompt instead.
UNSURE = [
    # The next release's name is no answer to the current one's.
    ("What is the current stable distribution called?",
     "The next stable distribution will be called bookworm."),
    # Green lines on walkways are not the colour of escape-route signs.
    ("What colour are the signs that mark escape routes?",
     "Pedestrians use the walkways marked with green lines and green paint."),
    # Two amounts, and the question names neither's qualifier.
    ("What is the guideline maximum weight to lift?",
     "25 kg for a man lifting a load, and 16 kg for a woman."),
    # A length is no age.
    ("How old do you have to be to drive a forklift?",
     "Travel with the forks about 150 mm above the floor."),
    # Four files, and the question picks none of them.
    ("Which file is run for every zsh?",
     "There are four files: .zshenv, .zprofile, .zshrc and .zlogin."),
    # "by" a name, but the clause is about something else.
    ("Who wrote zsh?", "The mailing list has been run by Peter Stephenson."),
]


@pytest.mark.parametrize(("question", "sentence"), UNSURE)
def test_no_blank_when_unsure(question: str, sentence: str) -> None:
    assert answer_span(question, sentence) is None


def test_the_sentence_that_speaks_of_what_was_asked() -> None:
    said = ["Any item over 25 kg must be moved by two people or with a mechanical aid.",
            "Items over 40 kg must always be moved with equipment."]
    assert answer_in("Above what weight must an item always be moved with equipment?",
                     said) == (said[1], answer_span("what weight", said[1]))


def test_two_sentences_as_near_answering_differently_leave_it_open() -> None:
    said = ["Above 80 dB(A) protection is available.", "Above 85 dB(A) protection is worn."]
    assert answer_in("Above what noise level is protection needed?", said) is None

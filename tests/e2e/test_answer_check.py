"""The answer check with the real MiniLM at the shipped thresholds: each class of
the labelled set (bench/data/check_pairs.jsonl) on worked examples, the safety
rules of the sample course first."""

from __future__ import annotations

import pytest

from knowledge.embedder import TransformerEmbedder
from tutor.answers.grounding import CheckedSentence, check_sentences, passage_sentences
from tutor.settings import Settings

pytestmark = pytest.mark.e2e

EXTINGUISHERS = (
    "- **Water (red band):** for fires in ordinary solid materials such as paper, cardboard, "
    "wood and textiles (Class A). Never use water on electrical equipment or burning liquids.\n"
    "- **Foam (cream band):** for Class A fires and burning liquids such as diesel or oil.\n"
    "- **CO2 (black band):** the first choice for fires in electrical equipment, such as "
    "computers, label printers, conveyor control panels and battery chargers."
)
DOORS = ("Fire doors must never be wedged open or blocked by pallets, and a 1 metre clear "
         "space must be kept in front of every fire exit.")
BURNS = ("Cool the burn under cool or lukewarm running water for 20 minutes. Do not wrap it "
         "tightly and do not burst blisters.")
SPLIT = ("SH_WORD_SPLIT is set when zsh is invoked with the names `ksh' or `sh', or "
         "(entirely equivalent) when `emulate ksh' or `emulate sh' is in effect.")
ZSH = ("However, .zprofile and .zlogin are only run when the shell is a login shell --- when "
       "you first login, of course, and whenever you start zsh with the -l option.")


@pytest.fixture(scope="module")
def embedder() -> TransformerEmbedder:
    return TransformerEmbedder()


def check(embedder: TransformerEmbedder, passage: str, sentence: str,
          question: str) -> CheckedSentence:
    sources = passage_sentences([passage])
    vectors = embedder.embed([sentence, question] + [s.text for s in sources])
    return check_sentences([sentence], vectors[:1], sources, vectors[2:], [passage], question,
                           vectors[1])[0]


@pytest.mark.parametrize(("passage", "sentence", "question", "verdict"), [
    # The issue's own examples: reversed safety rules.
    (EXTINGUISHERS, "Always use water on electrical equipment.",
     "Can I use water on electrical equipment?", "contradicted"),
    (DOORS, "Fire doors must always be wedged open.", "Can fire doors be wedged open?",
     "contradicted"),
    (DOORS, "Fire doors can be wedged open.", "Can fire doors be wedged open?", "contradicted"),
    (BURNS, "Burst the blisters.", "Should I burst blisters?", "contradicted"),
    (EXTINGUISHERS, "Water is the first choice for fires in electrical equipment.",
     "What do I use on electrical fires?", "contradicted"),
    (ZSH, "The .zprofile and .zlogin files are run only when zsh is not a login shell.",
     "When are .zprofile and .zlogin run?", "contradicted"),
    # A term moved from the next item, a changed number, something the material never says.
    (EXTINGUISHERS, "Foam is the first choice for fires in electrical equipment.",
     "What do I use on electrical fires?", "moved terms"),
    (BURNS, "Cool the burn under running water for 5 minutes.", "How long do I cool a burn?",
     "new words"),
    (BURNS, "Burns should be seen by a doctor within one hour.", "Must a doctor see a burn?",
     "new words"),
    (BURNS, "Lifting heavy boxes needs two people.", "How do I treat a burn?", "unsupported"),
    # The learner's premise is not the material's: only the question says "csh".
    (SPLIT, "SH_WORD_SPLIT is set when zsh is invoked as csh or when `emulate csh' is in effect.",
     "Does invoking zsh as csh set SH_WORD_SPLIT?", "new words"),
    (BURNS, "Cool the burn for 20 seconds under running water.", "How long do I cool a burn?",
     "contradicted"),
])
def test_what_the_material_does_not_say_is_removed(embedder: TransformerEmbedder, passage: str,
                                                   sentence: str, question: str,
                                                   verdict: str) -> None:
    checked = check(embedder, passage, sentence, question)
    threshold = Settings(_env_file=None).support_threshold
    assert checked.verdict(threshold) == verdict, checked.reason(threshold)


@pytest.mark.parametrize(("passage", "sentence", "question"), [
    (EXTINGUISHERS, "Never use water on electrical equipment.",
     "Can I use water on an electrical fire?"),
    (EXTINGUISHERS, "CO2 is the first choice for fires in electrical equipment.",
     "Which extinguisher is for electrical fires?"),
    (BURNS, "Cool the burn under running water for 20 minutes.", "How long do I cool a burn?"),
    (BURNS, "Do not burst blisters.", "Should I burst blisters?"),
    (DOORS, "Fire doors must never be wedged open.", "Can fire doors be wedged open?"),
])
def test_what_the_material_says_is_kept(embedder: TransformerEmbedder, passage: str,
                                        sentence: str, question: str) -> None:
    checked = check(embedder, passage, sentence, question)
    threshold = Settings(_env_file=None).support_threshold
    assert checked.supported(threshold), checked.reason(threshold)

"""The quoted answer: whole sentences, one passage, reading order, cited once, never
empty; code as a block. The units come from real normalised text."""

import numpy as np

from knowledge.normalize import SourceKind, normalize
from tutor.answers.grounding import passage_sentences
from tutor.answers.quote import choose_quote

WRAPPED = normalize(
    "The simplest way is to use the built-in\n  command `which', which tells you\n"
    "  where a command lives.  When freezing Tkinter\n  apps, include the library.\n",
    SourceKind.TEXT)
WITH_CODE = normalize(
    "One workaround is to use the \"function\" keyword instead:\n  \n"
    "    alias l='/bin/ls -F'\n    function l { /bin/ls -la }\n  \n"
    "  The `l' after `function' is not expanded.\n", SourceKind.TEXT)


def quote_of(passages: list[str], scores: list[float]) -> list[str]:
    units = passage_sentences(passages)
    quote = choose_quote(np.array(scores, dtype=np.float32), units)
    assert quote is not None
    return [unit.text for unit in quote.units]


def test_the_quote_of_a_hard_wrapped_passage_is_whole_sentences() -> None:
    assert quote_of([WRAPPED], [0.9, 0.2]) == [
        "The simplest way is to use the built-in command `which', which tells you where a "
        "command lives."]


def test_a_heading_alone_is_never_the_quote_nor_a_fragment() -> None:
    units = passage_sentences(["# Burns and scalds\n\nBurns and\n\nCool the burn for 20 "
                               "minutes. Cover it loosely."])
    scores = np.array([0.99, 0.95, 0.8, 0.5], dtype=np.float32)
    quote = choose_quote(scores, units)
    assert quote is not None and [u.text for u in quote.units] == [
        "Cool the burn for 20 minutes.", "Cover it loosely."]


def test_close_sentences_of_the_same_passage_join_in_reading_order() -> None:
    passages = ["Stop the truck. Lower the forks. Apply the brake.", "Report every defect."]
    assert quote_of(passages, [0.80, 0.85, 0.79, 0.84]) == [
        "Stop the truck.", "Lower the forks.", "Apply the brake."]


def test_a_lead_in_brings_its_code_block_which_is_shown_as_a_block() -> None:
    units = passage_sentences([WITH_CODE])
    scores = np.array([0.9, 0.5, 0.4], dtype=np.float32)
    quote = choose_quote(scores, units)
    assert quote is not None and quote.is_code
    rendered = quote.render()
    assert rendered.startswith('> One workaround is to use the "function" keyword instead: [1]')
    assert "```\nalias l='/bin/ls -F'\nfunction l { /bin/ls -la }\n```" in rendered


def test_the_quote_cites_once_and_is_never_empty() -> None:
    units = passage_sentences(["- Tyres: no cuts or missing chunks.\n- Forks: no cracks."])
    quote = choose_quote(np.array([0.7, 0.69], dtype=np.float32), units)
    assert quote is not None
    assert quote.render() == ("> - Tyres: no cuts or missing chunks.\n> - Forks: no cracks. [1]")
    assert quote.render().count("[1]") == 1


def test_a_lead_in_paragraph_brings_the_items_after_it() -> None:
    passage = normalize(
        "Here are some things that zsh is particularly good at.  No claim of\n"
        "  exclusivity is made.\n\n  o Command line editing.\n  o Globbing.\n", SourceKind.TEXT)
    assert quote_of([passage], [0.9, 0.3, 0.2, 0.2]) == [
        "Here are some things that zsh is particularly good at.",
        "Command line editing.", "Globbing."]


def test_the_best_sentence_is_chosen_alone_and_its_neighbours_in_context() -> None:
    units = passage_sentences(["Northbridge uses four types of extinguisher. Each has a band.",
                               "CO2: the first choice for computers. Hold it by the handle."])
    alone = np.array([0.62, 0.1, 0.63, 0.1], dtype=np.float32)
    in_context = np.array([0.64, 0.6, 0.62, 0.3], dtype=np.float32)
    quote = choose_quote(alone, units, in_context)
    assert quote is not None and [u.text for u in quote.units] == [
        "CO2: the first choice for computers.", "Hold it by the handle."]

"""The check with the deterministic bag-of-words embedder: word rules, not meaning.
(tests/e2e/test_answer_check.py runs the same classes with the real MiniLM.)"""

from tests.fakes import FakeEmbedder
from tutor.answers.grounding import (
    CheckedSentence,
    answer_sentences,
    check_sentences,
    passage_sentences,
)

PASSAGES = [
    "- **CO2 (black band):** the first choice for fires in electrical equipment.\n"
    "- **Foam (cream band):** for burning liquids such as diesel.",
    "Cool a burn under cool running water for 20 minutes. Never burst blisters.",
]


def check(answer: str, question: str = "What do I use on electrical fires?"
          ) -> list[CheckedSentence]:
    embedder = FakeEmbedder()
    sources = passage_sentences(PASSAGES)
    sentences = answer_sentences(answer)
    vectors = embedder.embed(sentences + [s.text for s in sources] + [question])
    return check_sentences(sentences, vectors[: len(sentences)], sources,
                           vectors[len(sentences):-1], PASSAGES, question, vectors[-1])


def test_a_supported_sentence_stands_and_cites_the_passage_that_says_it() -> None:
    [checked] = check("CO2 is the first choice for fires in electrical equipment [2].")
    assert checked.supported(0.5) and checked.source == 1


def test_a_term_moved_from_another_item_is_removed() -> None:
    [checked] = check("Foam is the first choice for fires in electrical equipment.")
    assert checked.verdict(0.5) == "moved terms" and "foam" in checked.moved_words


def test_the_opposite_of_the_material_is_removed_however_similar() -> None:
    [checked] = check("Always burst blisters.", "What about blisters?")
    assert checked.verdict(0.5) == "contradicted"
    assert checked.conflict_text == "Never burst blisters."


def test_a_changed_or_invented_number_is_removed() -> None:
    [changed] = check("Cool a burn under cool running water for 5 minutes.", "Burns?")
    assert not changed.supported(0.5) and "5" in changed.new_words


def test_a_word_only_the_question_uses_is_new() -> None:
    [checked] = check("Use a wet blanket on fires in electrical equipment.",
                      "Can I use a wet blanket on electrical fires?")
    assert not checked.supported(0.5) and "blanket" in checked.new_words


def test_a_true_sentence_about_something_else_is_no_answer() -> None:
    [checked] = check("Cool a burn under cool running water for 20 minutes.",
                      "Which extinguisher for diesel?")
    assert checked.verdict(0.5) == "off the question"


def test_model_sentences_are_read_whole_and_once() -> None:
    text = "Use zsh 5.9 [1]. Call the warden [2].\n- Stop work. Stop work. Then wai"
    assert answer_sentences(text) == ["Use zsh 5.9.", "Call the warden.", "Stop work."]
    assert answer_sentences("Use zsh 5.9 [1]. Call the", finished=False) == ["Use zsh 5.9."]

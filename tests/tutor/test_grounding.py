
from tests.fakes import FakeEmbedder
from tutor.answers.grounding import (
    answer_sentences,
    assemble,
    best_sentences,
    check_sentences,
    passage_sentences,
)

PASSAGES = [
    "- **CO2 (black band):** the first choice for fires in electrical equipment.\n"
    "- **Foam (cream band):** for burning liquids such as diesel.",
    "Cool a burn under cool running water for 20 minutes.",
]


def ground(answer: str, question: str = "What do I use on electrical fires?"):
    embedder = FakeEmbedder()
    sources = passage_sentences(PASSAGES)
    sentences = answer_sentences(answer)
    vectors = embedder.embed(sentences + [s.text for s in sources])
    checked = check_sentences(sentences, vectors[: len(sentences)], sources,
                              vectors[len(sentences) :], PASSAGES, question)
    quote = best_sentences(question, embedder.embed([question])[0], sources,
                           vectors[len(sentences) :])
    return assemble(checked, 0.5, quote)


def test_supported_answer_stands_and_citation_is_corrected() -> None:
    result = ground("CO2 is the first choice for fires in electrical equipment [2].")
    assert result.grounded and not result.fallback
    assert result.text == "CO2 is the first choice for fires in electrical equipment. [1]"


def test_wrong_extinguisher_is_removed_even_though_the_topic_matches() -> None:
    result = ground("Use foam on electrical equipment fires, it is the first choice. "
                    "CO2 is the first choice for fires in electrical equipment.")
    assert result.removed and "foam" in result.removed[0].lower()
    assert "CO2" in result.text and "foam" not in result.text.lower()


def test_invented_number_is_removed() -> None:
    result = ground("Cool a burn under cool running water for 5 minutes.",
                    "How long to cool a burn?")
    assert result.fallback and "20 minutes" in result.text
    assert result.text.startswith("From the course material")


def test_empty_or_rambling_answer_falls_back_to_the_best_sentences() -> None:
    result = ground("Well", "What is the first choice for electrical fires?")
    assert result.fallback and result.cited == (1,)
    assert "CO2" in result.text.splitlines()[2]

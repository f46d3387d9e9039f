"""The model's questions: parsed from its reply, checked by the same validation as
the text generator's, stored with the bank when a capable model is configured."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from tests.fakes import FakeEmbedder, FakeGenerator
from tutor.llm import GenerationRequest
from tutor.quiz.generate import SourcePassage
from tutor.quiz.llm_generate import LLMQuestionGenerator
from tutor.quiz.validate import validate
from tutor.runtime import Runtime
from tutor.settings import Settings
from tutor.tables import Question

PASSAGE = SourcePassage(1, "Fire", "Use the CO2 extinguisher on fires in electrical equipment. "
                        "Never use water on electrical equipment.")


def replies(*texts: str):
    def batch(requests: list[GenerationRequest]) -> list[str]:
        return list(texts[: len(requests)])
    return batch


def test_a_question_whose_answer_and_options_hold_up_is_kept() -> None:
    reply = ("QUESTION: Which extinguisher is used on fires in electrical equipment?\n"
             "ANSWER: CO2\nWRONG: foam | powder | wet chemical")
    drafts = LLMQuestionGenerator(replies(reply))([PASSAGE])
    kept, failed = validate(drafts, {1: PASSAGE.text})
    assert [d.generator for d in kept] == ["llm"] and not failed
    assert kept[0].sentence == "Use the CO2 extinguisher on fires in electrical equipment."


def test_a_wrong_option_the_passage_states_is_refused() -> None:
    reply = ("QUESTION: Which extinguisher is used on fires in electrical equipment?\n"
             "ANSWER: CO2\nWRONG: water | foam | powder")
    kept, failed = validate(LLMQuestionGenerator(replies(reply))([PASSAGE]), {1: PASSAGE.text})
    assert not kept and failed["a wrong option is stated in the passage"] == 1


def test_an_answer_the_passage_does_not_state_is_dropped() -> None:
    made_up = "QUESTION: What should you use on electrical fires?\nANSWER: a fire blanket"
    rambling = "Sure! Here is a question about fire safety."
    assert LLMQuestionGenerator(replies(made_up, rambling))([PASSAGE, PASSAGE]) == []


def test_the_bank_takes_the_models_questions_when_configured(tmp_path: Path) -> None:
    notes = tmp_path / "fire.md"
    notes.write_text("# Fire\n\n## Extinguishers\n\n" + PASSAGE.text + "\n")
    generator = FakeGenerator("QUESTION: Which extinguisher is used on fires in electrical "
                              "equipment?\nANSWER: CO2\nWRONG: foam | powder | wet chemical")
    settings = Settings(data_dir=tmp_path / "data", quiz_generator="both", _env_file=None)
    runtime = Runtime(settings, embedder=FakeEmbedder(), generator_factory=lambda: generator)
    try:
        report = runtime.add_material([notes], "fire")
        with Session(runtime.engine) as session:
            stored = session.exec(select(Question).where(Question.generator == "llm")).all()
    finally:
        runtime.close()
    assert report.questions_added >= 1
    assert [q.answer for q in stored] == ["CO2"] and generator.batches

"""The skill map: derived from the material's headings at ingest, shaped by the
trainer's skills.yaml, kept in step when documents come and go."""

from pathlib import Path

from sqlmodel import Session, select

from knowledge.ingest import ingest
from knowledge.library import remove_document, skill_summaries
from knowledge.tables import Chunk, Skill
from tests.conftest import SAMPLE_COURSE
from tutor.quiz.bank import retire_removed
from tutor.runtime import Runtime
from tutor.tables import Attempt, Mastery

FIRE = ("# Fire safety\n\nThis module covers fire.\n\n## Raising the alarm\n\nBreak the glass."
        "\n\n## Extinguishers\n\nCO2 for electrical fires.\n\n## Evacuation\n\nWalk, do not run.\n")
AID = "# First aid\n\n## Burns\n\nCool the burn for 20 minutes.\n\n## Evacuation\n\nHelp others.\n"


def run_ingest(runtime: Runtime, *paths: Path, course: str = "safety"):
    return ingest(list(paths), course, engine=runtime.engine, embedder=runtime.embedder,
                  index_store=runtime.index_store, max_bytes=5_000_000)


def material(tmp_path: Path, spec: str | None = None, spec_name: str = "skills.yaml") -> Path:
    folder = tmp_path / "course"
    folder.mkdir(exist_ok=True)
    (folder / "1-fire.md").write_text(FIRE)
    (folder / "2-aid.md").write_text(AID)
    if spec is not None:
        (folder / spec_name).write_text(spec)
    return folder


def skills(runtime: Runtime) -> list[tuple[str, list[str], int]]:
    return [(s["skill"], s["prerequisites"], s["passages"])
            for s in skill_summaries(runtime.engine, "safety")]


def test_top_sections_become_skills_chained_within_each_document(runtime: Runtime,
                                                                 tmp_path: Path) -> None:
    report = run_ingest(runtime, material(tmp_path))
    assert report.skills == 5 and not report.skill_problems
    assert skills(runtime) == [
        ("Raising the alarm", [], 2),  # the introduction goes with the first section
        ("Extinguishers", ["Raising the alarm"], 1),
        ("Fire safety: Evacuation", ["Extinguishers"], 1),  # two documents have one
        ("Burns", [], 1),
        ("First aid: Evacuation", ["Burns"], 1),
    ]
    with Session(runtime.engine) as session:
        assert all(chunk.skill_id is not None for chunk in session.exec(select(Chunk)))


def test_skills_yaml_renames_merges_and_sets_prerequisites(runtime: Runtime,
                                                            tmp_path: Path) -> None:
    spec = ("skills:\n"
            "  - name: Fire response\n"
            "    sections: [Raising the alarm, Extinguishers, 'Fire safety: Evacuation']\n"
            "  - name: Burns\n"
            "    prerequisites: [Fire response]\n")
    report = run_ingest(runtime, material(tmp_path, spec))
    assert not report.failed and not report.skill_problems  # the file is not material
    assert skills(runtime) == [("Fire response", [], 4), ("Burns", ["Fire response"], 1),
                               ("First aid: Evacuation", ["Burns"], 1)]


def test_a_malformed_skills_file_is_named_with_its_line_and_the_material_still_goes_in(
        runtime: Runtime, tmp_path: Path) -> None:
    spec = "skills:\n  - name: Fire response\n  sections: [Extinguishers]\n"
    report = run_ingest(runtime, material(tmp_path, spec))
    assert report.added == ["1-fire.md", "2-aid.md"]
    assert report.skill_problems == [
        "skills.yaml line 3: not valid YAML (expected <block end>, but found '?')"]
    assert len(skills(runtime)) == 5  # the derived map


def test_an_entry_naming_no_skill_is_reported_and_the_others_apply(runtime: Runtime,
                                                                    tmp_path: Path) -> None:
    spec = ('{"skills": [{"name": "Alarms", "sections": ["Raising the alarm"]},\n'
            ' {"name": "Ladders", "sections": ["Ladder safety"]}]}')
    report = run_ingest(runtime, material(tmp_path, spec, "skills.json"))
    assert report.skill_problems == [
        "skills.json, skill 2: no skill named 'Ladder safety' in the material"]
    assert skills(runtime)[0] == ("Alarms", [], 2)


def test_a_skill_keeps_its_id_and_a_removed_document_takes_its_skills(runtime: Runtime,
                                                                       tmp_path: Path) -> None:
    folder = material(tmp_path)
    run_ingest(runtime, folder)
    with Session(runtime.engine) as session:
        burns = session.exec(select(Skill).where(Skill.name == "Burns")).one().id
    run_ingest(runtime, SAMPLE_COURSE / "fire-safety.md")
    remove_document(runtime.engine, runtime.index_store, "safety", "1-fire.md",
                    on_removed=retire_removed)
    names = [name for name, _, _ in skills(runtime)]
    assert "Extinguishers" not in names and "Evacuation" in names  # no longer shared
    assert "Fire extinguisher types" in names
    with Session(runtime.engine) as session:
        assert session.exec(select(Skill).where(Skill.name == "Burns")).one().id == burns


def practise(runtime: Runtime, skill: str, learner: str = "test:ana") -> int:
    """A learner's mastery and two attempts on a skill of 'safety'; returns its id."""
    with Session(runtime.engine) as session:
        skill_id = session.exec(select(Skill.id).where(Skill.name == skill)).one()
        session.add(Mastery(learner_id=learner, skill_id=skill_id, course="safety",
                            estimate=0.83, attempts=2, correct=2))
        session.add_all(Attempt(learner_id=learner, course="safety", question_id=0,
                                skill_id=skill_id, response="20 minutes", score=1.0,
                                correct=True) for _ in range(2))
        session.commit()
    return skill_id


def progress(runtime: Runtime, learner: str = "test:ana") -> dict[str, tuple[int, float, int]]:
    """The learner's skills as /progress sees them: name -> (id, mastery, attempts)."""
    return {s.name: (s.skill_id, round(s.state.estimate, 2), s.state.attempts)
            for s in runtime.knowledge.course(learner, "safety").skills}


def test_a_skill_qualified_by_a_new_document_keeps_its_learners_progress(
        runtime: Runtime, tmp_path: Path) -> None:
    folder = material(tmp_path)
    run_ingest(runtime, folder / "1-fire.md")
    evacuation = practise(runtime, "Evacuation")
    assert progress(runtime)["Evacuation"] == (evacuation, 0.83, 2)
    run_ingest(runtime, folder / "2-aid.md")  # also has an "Evacuation" section
    after = progress(runtime)
    assert "Evacuation" not in after
    assert after["Fire safety: Evacuation"] == (evacuation, 0.83, 2)  # still theirs
    assert after["First aid: Evacuation"][0] != evacuation
    remove_document(runtime.engine, runtime.index_store, "safety", "2-aid.md",
                    on_removed=retire_removed)
    assert progress(runtime)["Evacuation"] == (evacuation, 0.83, 2)  # and back


def test_a_skill_renamed_while_its_document_changes_keeps_its_learners_progress(
        runtime: Runtime, tmp_path: Path) -> None:
    folder = material(tmp_path)
    run_ingest(runtime, folder / "1-fire.md")
    evacuation = practise(runtime, "Evacuation")
    (folder / "1-fire.md").write_text(FIRE.replace("Walk, do not run.", "Walk to the exit."))
    report = run_ingest(runtime, folder)  # the fire document replaced, first aid added
    assert report.updated == ["1-fire.md"] and report.added == ["2-aid.md"]
    assert progress(runtime)["Fire safety: Evacuation"] == (evacuation, 0.83, 2)


def test_a_skills_yaml_rename_keeps_its_learners_progress(runtime: Runtime,
                                                          tmp_path: Path) -> None:
    run_ingest(runtime, material(tmp_path))
    burns = practise(runtime, "Burns")
    alarm = practise(runtime, "Raising the alarm", learner="test:ben")
    spec = ("skills:\n"
            "  - name: Treating burns\n"
            "    sections: [Burns]\n"
            "  - name: Fire response\n"
            "    sections: [Raising the alarm, Extinguishers]\n")
    report = run_ingest(runtime, material(tmp_path, spec))
    assert not report.skill_problems
    assert "Burns" not in progress(runtime)
    assert progress(runtime)["Treating burns"] == (burns, 0.83, 2)
    # A merge continues the skill that gives it most passages (2 against 1).
    assert progress(runtime, "test:ben")["Fire response"] == (alarm, 0.83, 2)
    run_ingest(runtime, material(tmp_path, "skills: []\n"))  # the renames undone
    assert progress(runtime)["Burns"] == (burns, 0.83, 2)

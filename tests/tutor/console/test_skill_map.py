"""The console's skill edits: stored as the course's skills file, applied as an ingest
applies one, and followed by learners' progress, questions and the audit log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from knowledge.ingest import ingest
from knowledge.skill_edits import SkillEditError
from knowledge.tables import Course, Skill
from tests.conftest import SAMPLE_COURSE
from tutor.console.accounts import Account, add_account
from tutor.console.audit import AuditQuery, find_entries
from tutor.console.skills import chain_skill, course_skill_map, merge_skills, rename_skill
from tutor.dialogue import DialogueManager
from tutor.mastery import SkillState, combined, updated
from tutor.messages import IncomingMessage, Reply
from tutor.quiz.bank import build_bank
from tutor.runtime import Runtime
from tutor.tables import Attempt, Mastery, Question

DOCUMENTS = ("fire-safety.md", "manual-handling.md")
TYPES, PASS = "Fire extinguisher types", "Using an extinguisher: the PASS technique"
ALARM = "Raising the alarm"


def add_course(runtime: Runtime, course: str = "safety", folder: Path | None = None) -> None:
    """The two documents (and the skills file in `folder`, if given) ingested, and the
    question bank built, as `tutorbot ingest` does."""
    paths = [folder] if folder else [SAMPLE_COURSE / name for name in DOCUMENTS]
    ingest(paths, course, engine=runtime.engine, embedder=runtime.embedder,
           index_store=runtime.index_store, max_bytes=10**7)
    build_bank(runtime.engine, course)


@pytest.fixture
def admin(runtime: Runtime) -> Account:
    add_course(runtime)
    return add_account(runtime.engine, "dana@example.org", "admin")


def skill_id(runtime: Runtime, name: str, course: str = "safety") -> int | None:
    with Session(runtime.engine) as session:
        return session.exec(select(Skill.id).join(Course, col(Course.id) == Skill.course_id)
                            .where(Skill.name == name, Course.name == course)).first()


def practise(runtime: Runtime, learner: str, skill: str, scores: list[float],
             course: str = "safety") -> SkillState:
    """Answers to the skill's questions, stored as a quiz stores them; returns the
    mastery they give."""
    state, found = SkillState(), skill_id(runtime, skill, course)
    with Session(runtime.engine) as session:
        questions = session.exec(select(Question).where(
            Question.skill_id == found, Question.status == "active")).all()
        assert questions, skill
        for number, score in enumerate(scores):
            question = questions[number % len(questions)]
            session.add(Attempt(learner_id=learner, course=course, question_id=question.id or 0,
                                skill_id=found or 0, response="x", score=score,
                                correct=score == 1.0))
            state = updated(state, score, score == 1.0)
        session.add(Mastery(learner_id=learner, skill_id=found or 0, course=course,
                            estimate=state.estimate, attempts=state.attempts,
                            correct=state.correct))
        session.commit()
    return state


def mastery(runtime: Runtime, learner: str, skill: str, course: str = "safety"
            ) -> tuple[float, int, int] | None:
    with Session(runtime.engine) as session:
        row = session.get(Mastery, (learner, skill_id(runtime, skill, course)))
        return (round(row.estimate, 4), row.attempts, row.correct) if row else None


async def progress(runtime: Runtime, learner: str = "test:ana") -> Reply:
    replies = [reply async for reply in DialogueManager(runtime).handle(
        IncomingMessage(learner, "/progress"))]
    return replies[-1]


def rows(runtime: Runtime, course: str = "safety") -> list[tuple[str, tuple[str, ...], int, int]]:
    return [(s.name, s.prerequisites, s.passages, s.questions)
            for s in course_skill_map(runtime.engine, course).skills]


async def test_a_rename_keeps_the_skill_and_progress_shows_the_new_name(
        runtime: Runtime, admin: Account) -> None:
    before = practise(runtime, "test:ana", ALARM, [1.0, 1.0, 0.0])
    alarm = skill_id(runtime, ALARM)
    assert ALARM in (await progress(runtime)).text
    done = rename_skill(runtime.engine, admin, "safety", ALARM, "  Sounding   the alarm ")
    assert done == f"Renamed '{ALARM}' to 'Sounding the alarm'."
    assert skill_id(runtime, "Sounding the alarm") == alarm and skill_id(runtime, ALARM) is None
    reply = await progress(runtime)
    assert "Sounding the alarm" in reply.text and ALARM not in reply.text
    shown = next(p for p in reply.data["progress"] if p["skill"] == "Sounding the alarm")
    assert (shown["mastery"], shown["attempts"]) == (round(before.estimate, 3), 3)
    # What needed it needs it under its new name; its questions are still its own.
    assert ("Evacuation routes and the assembly point", ("Sounding the alarm",)) in [
        (name, needs) for name, needs, _, _ in rows(runtime)]
    with Session(runtime.engine) as session:
        assert session.exec(select(Question).where(Question.skill_id == alarm,
                                                   Question.status == "active")).first()
    # Applied again whenever the map is derived again: new material, a rebuilt bank.
    ingest([SAMPLE_COURSE / "first-aid.html"], "safety", engine=runtime.engine,
           embedder=runtime.embedder, index_store=runtime.index_store, max_bytes=10**7)
    assert build_bank(runtime.engine, "safety").retired == 0
    assert skill_id(runtime, "Sounding the alarm") == alarm


async def test_a_merge_takes_passages_questions_and_learners_progress_along(
        runtime: Runtime, admin: Account) -> None:
    (_, _, types_passages, types_questions), (_, _, pass_passages, pass_questions) = [
        row for row in rows(runtime) if row[0] in (TYPES, PASS)]
    ana_types = practise(runtime, "test:ana", TYPES, [1.0, 1.0, 1.0])
    ana_pass = practise(runtime, "test:ana", PASS, [0.0, 1.0])
    ben_pass = practise(runtime, "test:ben", PASS, [1.0])
    types, gone = skill_id(runtime, TYPES), skill_id(runtime, PASS)

    merge_skills(runtime.engine, admin, "safety", PASS, TYPES)
    assert skill_id(runtime, PASS) is None and skill_id(runtime, TYPES) == types
    merged = next(row for row in rows(runtime) if row[0] == TYPES)
    assert merged[2:] == (types_passages + pass_passages, types_questions + pass_questions)
    assert ALARM in [name for name, needs, _, _ in rows(runtime) if TYPES in needs]
    with Session(runtime.engine) as session:
        assert not session.exec(select(Question).where(Question.skill_id == gone)).all()
        assert not session.exec(select(Attempt).where(Attempt.skill_id == gone)).all()
        assert session.get(Mastery, ("test:ana", gone)) is None
    want = combined(ana_types, ana_pass)
    assert mastery(runtime, "test:ana", TYPES) == (round(want.estimate, 4), 5, 4)
    assert mastery(runtime, "test:ben", TYPES) == (round(ben_pass.estimate, 4), 1, 1)
    shown = next(p for p in (await progress(runtime)).data["progress"] if p["skill"] == TYPES)
    assert shown["attempts"] == 5
    assert build_bank(runtime.engine, "safety").retired == 0  # nothing of it is "gone"


async def test_the_same_edits_in_a_skills_yaml_make_the_same_map(
        runtime: Runtime, admin: Account, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
        ) -> None:
    """The file the console stores, put with the material and ingested into another
    course the way `tutorbot ingest` does: the same file kept, the same map, the same
    progress moved, and `tutorbot skills` lists both alike."""
    add_course(runtime, "copy")
    for course in ("safety", "copy"):
        practise(runtime, "test:ana", TYPES, [1.0, 0.0], course)
        practise(runtime, "test:ana", PASS, [1.0, 1.0, 1.0], course)
    rename_skill(runtime.engine, admin, "safety", ALARM, "Sounding the alarm")
    merge_skills(runtime.engine, admin, "safety", PASS, TYPES)
    chain_skill(runtime.engine, admin, "safety", "Fire wardens", [TYPES])
    with Session(runtime.engine) as session:
        stored = session.exec(select(Course).where(Course.name == "safety")).one()
        text, file = stored.skills_spec, stored.skills_spec_file
    assert file == "skills.yaml" and "Sounding the alarm" in text
    folder = tmp_path / "material"
    folder.mkdir()
    for name in DOCUMENTS:
        (folder / name).write_bytes((SAMPLE_COURSE / name).read_bytes())
    (folder / "skills.yaml").write_text(text)
    add_course(runtime, "copy", folder)
    with Session(runtime.engine) as session:
        copy = session.exec(select(Course).where(Course.name == "copy")).one()
        assert (copy.skills_spec, copy.skills_spec_file) == (text, file)
    assert rows(runtime, "copy") == rows(runtime, "safety")
    assert mastery(runtime, "test:ana", TYPES, "copy") == mastery(runtime, "test:ana", TYPES)
    monkeypatch.setenv("TUTORBOT_DATA_DIR", str(runtime.settings.data_dir))
    monkeypatch.setenv("TUTORBOT_DATABASE_URL", runtime.settings.db_url)
    from bot.cli import app

    listed = [json.loads(CliRunner().invoke(app, ["skills", "--course", course, "--json"]).output)
              for course in ("safety", "copy")]
    assert listed[0] == listed[1]
    assert {"skill": "Fire wardens", "prerequisites": [TYPES]}.items() <= next(
        row for row in listed[0] if row["skill"] == "Fire wardens").items()


def test_a_loop_is_refused_and_nothing_changes(runtime: Runtime, admin: Account) -> None:
    with Session(runtime.engine) as session:
        before = session.exec(select(Course.skills_spec).where(Course.name == "safety")).one()
    with pytest.raises(SkillEditError, match=f"That would make a loop: '{ALARM}' needs "
                                             "'Fire wardens', which needs"):
        chain_skill(runtime.engine, admin, "safety", ALARM, ["Fire wardens"])
    with Session(runtime.engine) as session:
        assert session.exec(select(Course.skills_spec).where(Course.name == "safety")
                            ).one() == before
    assert find_entries(runtime.engine, AuditQuery(action="skill-edit"))[1] == 0
    chain_skill(runtime.engine, admin, "safety", ALARM, [])
    assert next(row for row in rows(runtime) if row[0] == ALARM)[1] == ()
    chain_skill(runtime.engine, admin, "safety", ALARM, None)  # the material's order
    assert next(row for row in rows(runtime) if row[0] == ALARM)[1] == (PASS,)


def test_every_edit_is_audited_with_who_what_and_which_course(runtime: Runtime,
                                                              admin: Account) -> None:
    rename_skill(runtime.engine, admin, "safety", ALARM, "Sounding the alarm")
    merge_skills(runtime.engine, admin, "safety", PASS, TYPES)
    chain_skill(runtime.engine, admin, "safety", "Fire wardens", [TYPES])
    entries, total = find_entries(runtime.engine, AuditQuery(action="skill-edit"),
                                  newest_first=False)
    assert total == 3
    assert [(e.actor, e.course, e.target, json.loads(e.detail)) for e in entries] == [
        ("dana@example.org", "safety", ALARM, {"change": "rename", "name": "Sounding the alarm"}),
        ("dana@example.org", "safety", PASS, {"change": "merge", "into": TYPES}),
        ("dana@example.org", "safety", "Fire wardens",
         {"change": "prerequisites", "prerequisites": [TYPES]}),
    ]

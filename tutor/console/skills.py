"""The skill map in the console: each skill of a course in teaching order with its
prerequisites, passages, questions and learners' mean mastery; and the trainer's
edits (rename, merge, chain), each stored as the course's skills file and applied
the way an ingest applies one (knowledge.library.refresh_skills), in one transaction
with its audit entry.

What an edit does to learners: a rename keeps the skill's id, so its mastery,
attempts and questions stay with it and /progress shows the new name; a merge moves
the merged skill's questions, attempts and mastery into the skill it joins
(tutor/skill_moves.py), and a quiz on it goes on with the joined skill's name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from knowledge.index import lock_course
from knowledge.library import derived_skills, find_course, refresh_skills, stored_spec
from knowledge.skill_edits import EditableMap, SkillEditError, valid_name
from knowledge.skills import SpecError
from knowledge.tables import Chunk, Course, Skill
from tutor.console.accounts import Account
from tutor.console.audit import record
from tutor.i18n import gettext as _
from tutor.skill_moves import follow_passages
from tutor.tables import Mastery, Question

DEFAULT_FILE = "skills.yaml"


@dataclass(frozen=True)
class SkillRow:
    id: int
    number: int  # its place in teaching order, from 1
    name: str
    prerequisites: tuple[str, ...]
    chosen: bool  # prerequisites set by a trainer; else the material's order
    sections: tuple[str, ...]  # the material's sections it is made of
    passages: int
    questions: int  # active ones
    learners: int  # with a mastery of it
    mastery: float | None  # their mean mastery


@dataclass(frozen=True)
class CourseSkills:
    course: str
    skills: list[SkillRow]
    file: str  # the skills file's name, as ingested or edited
    text: str  # the file as stored: the map as it stands (see skills_file)

    def by_id(self, skill_id: int) -> SkillRow:
        found = next((s for s in self.skills if s.id == skill_id), None)
        if found is None:
            raise SkillEditError(_("That skill is not in this course any more: reload the "
                                   "page."))
        return found


def course_skill_map(engine: Engine, course: str) -> CourseSkills:
    """The course's skills in teaching order, with their numbers."""
    course_id = find_course(engine, course).id or 0
    with Session(engine) as session:
        row = session.get(Course, course_id)
        assert row is not None
        editable = _editable(session, row)
        skills = list(session.exec(select(Skill).where(Skill.course_id == course_id)
                                   .order_by(col(Skill.position))))
        ids = [s.id for s in skills]
        passages = _per_skill(session, select(Chunk.skill_id, func.count(col(Chunk.id)))
                              .where(col(Chunk.skill_id).in_(ids)).group_by(Chunk.skill_id))
        questions = _per_skill(session, select(Question.skill_id, func.count(col(Question.id)))
                               .where(col(Question.skill_id).in_(ids),
                                      Question.status == "active").group_by(Question.skill_id))
        mastery = {skill: (count, mean) for skill, count, mean in session.exec(
            select(Mastery.skill_id, func.count(), func.avg(Mastery.estimate))
            .where(col(Mastery.skill_id).in_(ids)).group_by(Mastery.skill_id)).all()}
        text, file = row.skills_spec, row.skills_spec_file
    entries = {entry.name: entry for entry in editable.entries}
    rows = []
    for number, skill in enumerate(skills, 1):
        entry = entries.get(skill.name)
        learners, mean = mastery.get(skill.id, (0, None))
        rows.append(SkillRow(skill.id or 0, number, skill.name,
                             tuple(skill.prerequisite_names()), bool(entry and entry.chosen),
                             entry.sections if entry else (skill.name,),
                             passages.get(skill.id, 0), questions.get(skill.id, 0), learners,
                             float(mean) if mean is not None else None))
    return CourseSkills(course, rows, file or DEFAULT_FILE, text)


def skills_file(engine: Engine, course: str) -> tuple[str, str]:
    """The course's skills file (name, text) to download: as stored, or, for a course
    that has none, the file that keeps its map as it is."""
    course_id = find_course(engine, course).id or 0
    with Session(engine) as session:
        row = session.get(Course, course_id)
        assert row is not None
        file = row.skills_spec_file or DEFAULT_FILE
        return file, row.skills_spec or _editable(session, row).text(file)


def rename_skill(engine: Engine, actor: Account, course: str, skill: str, name: str) -> str:
    """`skill` called `name` from now on; returns what was done, for the trainer."""
    name = valid_name(name)
    _edit(engine, actor, course, lambda m: m.rename(skill, name), skill, change="rename",
          name=name)
    return _("Renamed '%(skill)s' to '%(name)s'.") % {"skill": skill, "name": name}


def merge_skills(engine: Engine, actor: Account, course: str, skill: str, into: str) -> str:
    """`skill` made part of `into`, with its passages, questions and learners' progress."""
    _edit(engine, actor, course, lambda m: m.merge(skill, into), skill, change="merge",
          into=into)
    return _("Merged '%(skill)s' into '%(into)s'.") % {"skill": skill, "into": into}


def chain_skill(engine: Engine, actor: Account, course: str, skill: str,
                prerequisites: Sequence[str] | None) -> str:
    """`skill` needs `prerequisites` (None: what the material's order gives)."""
    edited = _edit(engine, actor, course, lambda m: m.chain(skill, prerequisites), skill,
                   change="prerequisites", prerequisites=list(prerequisites)
                   if prerequisites is not None else None)  # None: the material's order
    needs = edited.entry(skill).prerequisites
    if not needs:
        return _("'%(skill)s' now needs no other skill.") % {"skill": skill}
    return _("'%(skill)s' now needs %(needs)s.") % {
        "skill": skill, "needs": ", ".join(f"'{need}'" for need in needs)}


def _edit(engine: Engine, actor: Account, course: str,
          edit: Callable[[EditableMap], EditableMap], target: str,
          **detail: object) -> EditableMap:
    """Apply one edit: the course's skills file rewritten, the map derived again from
    it and the material (as an ingest does), what refers to skills moved after their
    passages, and the audit entry, in one transaction under the course's lock."""
    course_id = find_course(engine, course).id or 0
    with Session(engine) as session:
        lock_course(session, course_id)  # an ingest or another edit goes first, or waits
        row = session.get(Course, course_id)
        assert row is not None
        edited = edit(_editable(session, row))
        row.skills_spec_file = row.skills_spec_file or DEFAULT_FILE
        row.skills_spec = edited.text(row.skills_spec_file)
        session.add(row)
        session.flush()
        # Only the kept entries that name absent material can go unapplied: not news.
        refresh_skills(session, course_id)
        follow_passages(session, course_id)
        record(session, actor, "skill-edit", course, target, **detail)
        session.commit()
    return edited


def _editable(session: Session, course: Course) -> EditableMap:
    try:
        spec = stored_spec(course)
    except SpecError as error:  # kept by an older version that stored unreadable files
        raise SkillEditError(_("The course's skills file cannot be read (%(error)s): "
                               "ingest a corrected one first.") % {"error": error}) from None
    return EditableMap.of(derived_skills(session, course.id or 0), spec)


def _per_skill(session: Session, statement: Select) -> dict[int, int]:
    return {skill: count for skill, count in session.exec(statement).all()}


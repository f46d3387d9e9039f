"""Courses and documents in the database, and keeping each course's index in step."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import Engine, func
from sqlmodel import Session, col, delete, select, update

from knowledge.errors import UnknownCourse
from knowledge.index import IndexStore, lock_course, next_index_version
from knowledge.skills import (
    SkillDraft,
    Spec,
    SpecError,
    apply_spec,
    carried_over,
    derive_skills,
    parse_spec,
    qualified_sections,
)
from knowledge.tables import Chunk, Course, Document, Skill
from knowledge.translation import gettext as _

# What else goes with removed material, beyond knowledge/: called in the transaction
# that removes it, once its chunks and skills are gone, with the course's id (the
# tutor retires the questions on it, so no quiz asks about withdrawn material).
OnRemoved = Callable[[Session, int], object]

def course_names(engine: Engine) -> list[str]:
    return list(course_ids(engine))


def course_ids(engine: Engine) -> dict[str, int]:
    """Each course's id by its name, in the order of the names."""
    with Session(engine) as session:
        rows = session.exec(select(Course.name, Course.id).order_by(Course.name)).all()
    return {name: course_id for name, course_id in rows if course_id is not None}


def other_embedding_models(engine: Engine, model: str) -> dict[str, list[str]]:
    """Embedding models other than `model` that documents were embedded with, and the
    courses that hold them: their passages cannot be found with `model`'s vectors."""
    with Session(engine) as session:
        rows = session.exec(select(Document.embedding_model, Course.name)
                            .join(Course, col(Course.id) == Document.course_id)
                            .where(Document.embedding_model != model).distinct()).all()
    found: dict[str, list[str]] = {}
    for other, course in rows:
        found.setdefault(other, []).append(course)
    return found


def find_course(engine: Engine, name: str) -> Course:
    with Session(engine) as session:
        course = session.exec(select(Course).where(Course.name == name)).first()
    if course is None:
        raise UnknownCourse(name, course_names(engine))
    return course


def get_or_create_course(session: Session, name: str) -> Course:
    course = session.exec(select(Course).where(Course.name == name)).first()
    if course is None:
        course = Course(name=name)
        session.add(course)
        session.flush()
    return course


def course_summaries(engine: Engine) -> list[dict[str, object]]:
    """Each course with its document and chunk counts."""
    with Session(engine) as session:
        rows = session.exec(
            select(
                Course.name,
                func.count(func.distinct(Document.id)),
                func.count(Chunk.id),
            )
            .select_from(Course)
            .join(Document, col(Document.course_id) == Course.id, isouter=True)
            .join(Chunk, col(Chunk.document_id) == Document.id, isouter=True)
            .group_by(Course.name)
            .order_by(Course.name)
        ).all()
    return [{"course": n, "documents": d, "chunks": c} for n, d, c in rows]


def document_names(engine: Engine, course: str) -> list[str]:
    course_id = find_course(engine, course).id
    with Session(engine) as session:
        query = select(Document.name).where(Document.course_id == course_id)
        return list(session.exec(query.order_by(Document.name)))


def delete_chunks(session: Session, document_ids: list[int]) -> list[int]:
    """Delete the chunks of these documents; returns their ids for the index."""
    if not document_ids:
        return []
    chunk_ids = list(session.exec(select(Chunk.id).where(col(Chunk.document_id).in_(document_ids))))
    session.exec(delete(Chunk).where(col(Chunk.document_id).in_(document_ids)))
    return [i for i in chunk_ids if i is not None]


def skills_by_heading(session: Session, document_ids: list[int]) -> dict[tuple[int, str], int]:
    """The skill of each (document, heading) in these documents, read before their
    chunks are replaced: a new chunk under the same heading starts in that skill, so
    a skill renamed in the same batch still keeps its id (refresh_skills)."""
    rows = session.exec(select(Chunk.document_id, Chunk.heading, Chunk.skill_id)
                        .where(col(Chunk.document_id).in_(document_ids))).all()
    return {(document, heading): skill for document, heading, skill in rows if skill is not None}


def remove_document(engine: Engine, index_store: IndexStore, course: str, name: str, *,
                    on_removed: OnRemoved) -> int:
    """Remove one document and its chunks; returns how many chunks went."""
    course_row = find_course(engine, course)
    assert course_row.id is not None
    with Session(engine) as session:
        next_index_version(session, course_row.id)  # first: it takes the course's lock
        document = session.exec(
            select(Document).where(Document.course_id == course_row.id, Document.name == name)
        ).first()
        if document is None:
            raise LookupError(_("Course '%(course)s' has no document named '%(name)s'.") % {
                "course": course, "name": name})
        removed = delete_chunks(session, [document.id])
        session.delete(document)
        session.flush()
        refresh_skills(session, course_row.id)
        session.flush()
        on_removed(session, course_row.id)
        session.commit()
    index_store.rebuild(course_row.id)
    return len(removed)


def remove_course(engine: Engine, index_store: IndexStore, name: str, *,
                  on_removed: OnRemoved) -> None:
    course = find_course(engine, name)
    assert course.id is not None
    with Session(engine) as session:
        lock_course(session, course.id)  # an ingest into it finishes first, or waits
        query = select(Document.id).where(Document.course_id == course.id)
        document_ids = [i for i in session.exec(query) if i is not None]
        delete_chunks(session, document_ids)
        session.exec(delete(Document).where(col(Document.course_id) == course.id))
        session.exec(delete(Skill).where(col(Skill.course_id) == course.id))
        session.exec(delete(Course).where(col(Course.id) == course.id))
        on_removed(session, course.id)
        session.commit()
    index_store.delete(course.id)


def refresh_skills(session: Session, course_id: int) -> list[str]:
    """Derive the course's skill map again from its documents (and the trainer's
    skills file, if one was ingested) and tag every chunk with its skill. A skill
    keeps its id while its name stays, or, renamed (qualified by its document's
    title once another document shares its section, or by the skills file), while
    its passages go with it: what refers to it (learners' mastery, attempts,
    questions) survives. Returns the problems found in the skills file (the
    entries that could not be applied)."""
    course = session.get(Course, course_id)
    documents, chunks = _course_chunks(session, course_id)
    outline = [(title or name, [h for _, h, _ in chunks[d]]) for d, title, name in documents]
    spec, problems = None, []
    try:
        spec = stored_spec(course) if course is not None else None
    except SpecError as error:
        problems.append(str(error))
    skill_map, unapplied = apply_spec(derive_skills(outline), spec)
    problems.extend(unapplied)
    # Each chunk's skill before and after, by the derived section it sits in.
    moves = [(chunk, skill_map.of_section[section])
             for (document, _, _), sections in zip(documents, qualified_sections(outline),
                                                   strict=True)
             for chunk, section in zip(chunks[document], sections, strict=True)]
    existing = {s.id: s for s in session.exec(select(Skill).where(Skill.course_id == course_id))}
    carried = carried_over({i: s.name for i, s in existing.items() if i is not None},
                           [(chunk[2], name) for chunk, name in moves],
                           [draft.name for draft in skill_map.skills])
    rows: dict[str, Skill] = {}
    for position, draft in enumerate(skill_map.skills):
        row = (existing.pop(carried[draft.name]) if draft.name in carried
               else Skill(course_id=course_id, name=draft.name, position=position))
        row.name, row.position = draft.name, position
        row.prerequisites = json.dumps(list(draft.prerequisites))
        session.add(row)
        rows[draft.name] = row
    session.flush()
    tagged: dict[int, list[int]] = {}  # skill id -> its chunks
    for chunk, name in moves:
        tagged.setdefault(rows[name].id or 0, []).append(chunk[0])
    for skill_id, chunk_ids in tagged.items():
        session.exec(update(Chunk).where(col(Chunk.id).in_(chunk_ids)).values(skill_id=skill_id))
    session.flush()
    for stale in existing.values():  # no chunk refers to them any more
        session.delete(stale)
    return problems


ChunkRows = dict[int, list[tuple[int, str, int | None]]]  # document -> (chunk, heading, skill)


def _course_chunks(session: Session, course_id: int
                   ) -> tuple[list[tuple[int, str, str]], ChunkRows]:
    """The course's documents (id, title, name) in the order they came, and each one's
    chunks (id, heading, skill id) in reading order."""
    documents = [(d, title, name) for d, title, name in session.exec(
        select(Document.id, Document.title, Document.name)
        .where(Document.course_id == course_id).order_by(col(Document.id))) if d is not None]
    # Ids and headings only: a course's embeddings need not be read to tag its chunks.
    chunks: dict[int, list[tuple[int, str, int | None]]] = {d: [] for d, _, _ in documents}
    for chunk_id, document_id, heading, skill_id in session.exec(
            select(Chunk.id, Chunk.document_id, Chunk.heading, Chunk.skill_id)
            .where(col(Chunk.document_id).in_(list(chunks))).order_by(col(Chunk.ordinal))):
        chunks[document_id].append((chunk_id or 0, heading, skill_id))
    return documents, chunks


def derived_skills(session: Session, course_id: int) -> list[SkillDraft]:
    """The skill map the course's material gives before any skills file (as
    `refresh_skills` derives it): what a skills file's `sections` name."""
    documents, chunks = _course_chunks(session, course_id)
    return derive_skills([(title or name, [h for _, h, _ in chunks[d]])
                          for d, title, name in documents])


def stored_spec(course: Course) -> Spec | None:
    """The course's skills file as last ingested or edited; raises SpecError if it
    cannot be read (ingest and the console only keep files that can)."""
    if not course.skills_spec:
        return None
    return parse_spec(course.skills_spec, course.skills_spec_file)


def refresh_course_skills(engine: Engine, course_id: int) -> list[str]:
    with Session(engine) as session:
        problems = refresh_skills(session, course_id)
        session.commit()
    return problems


def skill_summaries(engine: Engine, course: str) -> list[dict[str, object]]:
    """The course's skills in order: name, prerequisites, and how many passages teach it."""
    skills = course_skills(engine, course)
    with Session(engine) as session:
        counts = dict(session.exec(
            select(Chunk.skill_id, func.count(col(Chunk.id)))
            .where(col(Chunk.skill_id).in_([s.id for s in skills])).group_by(Chunk.skill_id)
        ).all())
    return [{"skill": s.name, "prerequisites": s.prerequisite_names(),
             "passages": counts.get(s.id, 0)} for s in skills]


def course_skills(engine: Engine, course: str) -> list[Skill]:
    """The course's skills in the order the material teaches them."""
    course_id = find_course(engine, course).id
    with Session(engine) as session:
        return list(session.exec(select(Skill).where(Skill.course_id == course_id)
                                 .order_by(col(Skill.position))))


def skill_course(engine: Engine, skill_id: int) -> tuple[Skill, str] | None:
    """A skill and the name of its course."""
    with Session(engine) as session:
        found = session.exec(select(Skill, Course.name)
                             .join(Course, col(Course.id) == Skill.course_id)
                             .where(Skill.id == skill_id)).first()
    return (found[0], found[1]) if found else None


def skill_passages(engine: Engine, skill_id: int, limit: int = 2
                   ) -> tuple[Skill | None, list[tuple[Chunk, str]]]:
    """A skill and its first passages in reading order, each with its document's name."""
    with Session(engine) as session:
        skill = session.get(Skill, skill_id)
        rows = session.exec(
            select(Chunk, Document.name).join(Document, col(Document.id) == Chunk.document_id)
            .where(Chunk.skill_id == skill_id)
            .order_by(col(Document.name), col(Chunk.ordinal)).limit(limit)).all()
    return skill, [(chunk, name) for chunk, name in rows]

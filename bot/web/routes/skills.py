"""The skill map: a course's skills in teaching order with a graph of prerequisites,
and the forms that rename, merge and chain them (tutor/console/skills.py does it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from sqlalchemy import Engine
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from bot.web.security import SignedIn, allowed
from bot.web.tables import Column, ListRequest, ListView, Rows, show
from knowledge.errors import UnknownCourse
from knowledge.skill_edits import SkillEditError
from tutor.console.courses import course_overview
from tutor.console.skill_graph import NODE_H, NODE_W, layout
from tutor.console.skills import (
    CourseSkills,
    chain_skill,
    course_skill_map,
    merge_skills,
    rename_skill,
    skills_file,
)
from tutor.i18n import N_

router = APIRouter()
FLASH = "skill_map_flash"  # the session key of the message shown after an edit

COURSES = ListView(
    name="skill-map-courses", title=N_("Skill map"), default_sort="course",
    default_descending=False,
    columns=(Column("course", N_("Course"), link="href"),
             Column("skills", N_("Skills"), numeric=True),
             Column("passages", N_("Passages"), numeric=True),
             Column("questions", N_("Questions"), numeric=True)),
    empty=N_("No courses yet. Upload course material to start one."),
)

SKILLS = ListView(
    name="skill-map", title=N_("Skill map"), default_sort="number", default_descending=False,
    columns=(Column("number", N_("Order"), numeric=True),
             Column("name", N_("Skill"), link="href"),
             Column("prerequisites", N_("Prerequisites"), sortable=False),
             Column("passages", N_("Passages"), numeric=True),
             Column("questions", N_("Questions"), numeric=True),
             Column("learners", N_("Learners"), numeric=True),
             Column("mastery", N_("Mean mastery"), numeric=True)),
    empty=N_("No skills yet: the course has no material."),
)


@router.get("/skills")
def skill_courses(request: Request, account: SignedIn) -> Response:
    def fetch(wanted: ListRequest) -> Rows:
        rows = course_overview(request.app.state.runtime.engine, account.scope())
        for row in rows:
            row["href"] = f"/skills/{quote(str(row['course']), safe='')}"
        rows.sort(key=lambda row: row[wanted.sort], reverse=wanted.descending)
        return Rows(rows[wanted.offset:wanted.offset + wanted.per_page], len(rows))

    return show(request, COURSES, fetch)


@router.get("/skills/{course}")
def skill_map(request: Request, account: SignedIn, course: str, skill: int | None = None
              ) -> Response:
    allowed(account, course)
    data = _map(request, course)
    flash = request.session.pop(FLASH, None)
    return _page(request, data, skill, *(flash or ("", "")))


@router.get("/skills/{course}/skills-file")
def download(request: Request, account: SignedIn, course: str) -> Response:
    allowed(account, course)
    try:
        name, text = skills_file(_engine(request), course)
    except UnknownCourse:
        raise HTTPException(404) from None
    kind = "application/json" if name.endswith(".json") else "application/yaml"
    return Response(text, media_type=f"{kind}; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


@router.post("/skills/{course}/rename")
def rename(request: Request, account: SignedIn, course: str, skill: Annotated[int, Form()],
           name: Annotated[str, Form()]) -> Response:
    allowed(account, course)
    return _edit(request, course, skill, lambda data: rename_skill(
        _engine(request), account, course, data.by_id(skill).name, name))


@router.post("/skills/{course}/merge")
def merge(request: Request, account: SignedIn, course: str, skill: Annotated[int, Form()],
          into: Annotated[int, Form()]) -> Response:
    allowed(account, course)
    return _edit(request, course, into, lambda data: merge_skills(
        _engine(request), account, course, data.by_id(skill).name, data.by_id(into).name))


@router.post("/skills/{course}/prerequisites")
def prerequisites(request: Request, account: SignedIn, course: str,
                  skill: Annotated[int, Form()],
                  needs: Annotated[list[int] | None, Form()] = None,
                  order: Annotated[str, Form()] = "chosen") -> Response:
    allowed(account, course)
    return _edit(request, course, skill, lambda data: chain_skill(
        _engine(request), account, course, data.by_id(skill).name,
        None if order == "material" else [data.by_id(n).name for n in needs or []]))


def _engine(request: Request) -> Engine:
    return request.app.state.runtime.engine


def _map(request: Request, course: str) -> CourseSkills:
    try:
        return course_skill_map(_engine(request), course)
    except UnknownCourse:
        raise HTTPException(404) from None


def _edit(request: Request, course: str, skill: int,
          apply: Callable[[CourseSkills], str]) -> Response:
    """Apply an edit, then show the map again with what was done; a refused edit shows
    the page with the reason (400), the form as it was."""
    data = _map(request, course)
    try:
        done = apply(data)
    except SkillEditError as refused:
        return _page(request, data, skill, str(refused), "error", status_code=400)
    request.session[FLASH] = (done, "ok")
    return RedirectResponse(f"/skills/{quote(course, safe='')}?skill={skill}#edit",
                            status_code=303)


def _page(request: Request, data: CourseSkills, selected: int | None, flash: str,
          flash_kind: str, status_code: int = 200) -> Response:
    skills = data.skills
    chosen = next((s for s in skills if s.id == selected), skills[0] if skills else None)
    number = {s.name: s.number for s in skills}
    graph = layout([s.name for s in skills],
                   [[number[p] - 1 for p in s.prerequisites if p in number] for s in skills])
    rows = [{"number": s.number, "name": s.name, "href": f"?skill={s.id}#edit",
             "prerequisites": ", ".join(s.prerequisites) or "—", "passages": s.passages,
             "questions": s.questions, "learners": s.learners,
             "mastery": "" if s.mastery is None else f"{s.mastery:.0%}",
             "mastery_value": -1.0 if s.mastery is None else s.mastery} for s in skills]

    def fetch(wanted: ListRequest) -> Rows:
        key = "mastery_value" if wanted.sort == "mastery" else wanted.sort
        ordered = sorted(rows, key=lambda row: row[key], reverse=wanted.descending)
        return Rows(ordered[wanted.offset:wanted.offset + wanted.per_page], len(rows))

    return show(request, SKILLS, fetch, template="skills.html", data=data, chosen=chosen,
                graph=graph, node_w=NODE_W, node_h=NODE_H, title=data.course,
                flash=flash, flash_kind=flash_kind, status_code=status_code)

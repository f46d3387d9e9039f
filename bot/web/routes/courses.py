"""The courses: the list with each course's numbers, a course's page with its documents,
starting a new course, and removing a document or a course.

Who may do what: an admin, everything; a trainer, only the courses named for them
(`tutorbot admin add --course`): their pages, uploads, re-ingests and removals,
removing the whole course included (it is theirs to run; the audit log keeps who
did it). A trainer starts a named course of theirs that has no material yet by
uploading into it."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from bot.web.security import SignedIn, allowed
from bot.web.tables import Column, ListRequest, ListView, Rows, show
from bot.web.templating import when
from knowledge.convert import SUPPORTED_SUFFIXES
from knowledge.errors import UnknownCourse
from knowledge.library import course_names
from tutor.console.accounts import Account
from tutor.console.courses import (
    course_documents,
    course_overview,
    document_kind,
    remove_material,
)
from tutor.console.upload_jobs import MAX_FILES, STATE_LABELS
from tutor.errors import TutorError
from tutor.i18n import N_, ngettext
from tutor.uploads import check_course_name

router = APIRouter()

COURSES = ListView(
    name="courses", title=N_("Courses"), default_sort="course", default_descending=False,
    columns=(Column("course", N_("Course"), link="href"),
             Column("documents", N_("Documents"), numeric=True),
             Column("passages", N_("Passages"), numeric=True),
             Column("skills", N_("Skills"), numeric=True),
             Column("questions", N_("Questions"), numeric=True),
             Column("learners", N_("Learners"), numeric=True),
             Column("changed_at", N_("Last change"))),
    empty=N_("No courses yet. Start one below by uploading its material."),
)

DOCUMENTS = ListView(
    name="documents", title=N_("Documents"), default_sort="document",
    default_descending=False,
    columns=(Column("document", N_("Document")),
             Column("title", N_("Title")),
             Column("kind", N_("Kind")),
             Column("passages", N_("Passages"), numeric=True),
             Column("ingested_at", N_("Ingested at")),
             Column("actions", N_("Actions"), sortable=False, export=False)),
    empty=N_("No documents yet: upload the course's files above to start it."),
)


def course_path(course: str) -> str:
    """
    >>> course_path("fire safety 2")
    '/courses/fire%20safety%202'
    """
    return f"/courses/{quote(course, safe='')}"


def take_flash(request: Request) -> tuple[str, str]:
    """The message a redirect left for the next page, once: (text, kind)."""
    flash = request.session.pop("flash", None)
    return (flash[0], flash[1]) if isinstance(flash, list) and len(flash) == 2 else ("", "")


def leave_flash(request: Request, text: str, kind: str = "ok") -> None:
    request.session["flash"] = [text, kind]


@router.get("/courses")
def courses_page(request: Request, account: SignedIn, new: str = "") -> Response:
    engine = request.app.state.runtime.engine
    error = ""
    if new.strip():  # the "New course" form: its page, where its first upload starts it
        try:
            name = allowed(account, check_course_name(new.strip()))
            return RedirectResponse(course_path(name), status_code=303)
        except TutorError as refused:
            error = str(refused)

    def fetch(wanted: ListRequest) -> Rows:
        rows = course_overview(engine, account.scope())
        for row in rows:
            row["href"] = course_path(str(row["course"]))
            row["changed_at"] = when(row.pop("changed"))  # type: ignore[arg-type]
        rows.sort(key=lambda row: row[wanted.sort], reverse=wanted.descending)
        return Rows(rows[wanted.offset:wanted.offset + wanted.per_page], len(rows))

    flash, kind = take_flash(request)
    return show(request, COURSES, fetch, template="courses.html",
                startable=_startable(account, course_names(engine)), new=new,
                flash=error or flash, flash_kind="error" if error else kind)


def _startable(account: Account, existing: list[str]) -> list[str]:
    """A trainer's named courses that have no material yet (an admin names any)."""
    return [name for name in account.courses if name not in existing]


@router.get("/courses/{name}")
def course_page(request: Request, name: str, account: SignedIn, upload: str = "") -> Response:
    course = allowed(account, name)
    runtime = request.app.state.runtime
    try:
        documents = course_documents(runtime.engine, course)
        overview = course_overview(runtime.engine, [course])[0]
    except UnknownCourse:
        try:
            check_course_name(course)
        except TutorError:
            raise HTTPException(404) from None
        documents, overview = [], None

    def fetch(wanted: ListRequest) -> Rows:
        rows = [{**row, "ingested_at": when(row["ingested"]),  # type: ignore[arg-type]
                 "kind": document_kind(str(row["kind"]))} for row in documents]
        rows.sort(key=lambda row: row[wanted.sort], reverse=wanted.descending)
        return Rows(rows[wanted.offset:wanted.offset + wanted.per_page], len(rows))

    flash, kind = take_flash(request)
    jobs = request.app.state.uploads.of_course(course, also=upload)
    return show(request, DOCUMENTS, fetch, template="course.html", course=course,
                course_path=course_path(course), overview=overview, jobs=jobs,
                changed=when(overview["changed"]) if overview else "",  # type: ignore[arg-type]
                suffixes=", ".join(sorted(SUPPORTED_SUFFIXES)),
                max_mb=f"{runtime.settings.max_upload_mb:g}", max_files=MAX_FILES,
                state_labels=STATE_LABELS,
                flash=flash, flash_kind=kind)


@router.post("/courses/{name}/documents/remove")
def remove_document_form(request: Request, name: str, account: SignedIn,
                         document: Annotated[str, Form()]) -> Response:
    course = allowed(account, name)
    try:
        retired = remove_material(request.app.state.runtime, account, course, document)
    except LookupError as error:  # gone meanwhile (another tab, another trainer)
        leave_flash(request, str(error), "error")
    else:
        leave_flash(request, ngettext(
            "Removed %(document)s from %(course)s; %(n)d of its questions retired.",
            "Removed %(document)s from %(course)s; %(n)d of its questions retired.",
            retired) % {"document": document, "course": course, "n": retired})
    return RedirectResponse(course_path(course), status_code=303)


@router.post("/courses/{name}/remove")
def remove_course_form(request: Request, name: str, account: SignedIn) -> Response:
    course = allowed(account, name)
    try:
        retired = remove_material(request.app.state.runtime, account, course)
    except UnknownCourse as error:
        leave_flash(request, str(error), "error")
    else:
        leave_flash(request, ngettext(
            "Removed the course %(course)s; %(n)d question retired.",
            "Removed the course %(course)s; %(n)d questions retired.", retired) % {
            "course": course, "n": retired})
    return RedirectResponse("/courses", status_code=303)

"""The courses page: every course the account may see, with its numbers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from bot.web.security import SignedIn
from bot.web.tables import Column, ListRequest, ListView, Rows, show
from bot.web.templating import when
from tutor.console.courses import course_overview
from tutor.i18n import N_

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
    empty=N_("No courses yet. Upload course material to start one."),
)


@router.get("/courses")
def courses_page(request: Request, account: SignedIn) -> Response:
    def fetch(wanted: ListRequest) -> Rows:
        rows = course_overview(request.app.state.runtime.engine, account.scope())
        for row in rows:
            row["href"] = f"/courses/{row['course']}"
            row["changed_at"] = when(row.pop("changed"))  # type: ignore[arg-type]
        rows.sort(key=lambda row: row[wanted.sort], reverse=wanted.descending)
        return Rows(rows[wanted.offset:wanted.offset + wanted.per_page], len(rows))

    return show(request, COURSES, fetch)

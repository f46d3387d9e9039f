"""The question bank: the list (filtered by course, skill, status, kind and text), one
question with its passage and why it passed validation, and a trainer's approval, edit
and retirement."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from bot.web.security import Forbidden, SignedIn, allowed
from bot.web.tables import Column, Filter, ListRequest, ListView, Rows, show
from bot.web.templating import render
from knowledge.library import course_names
from tutor.console.accounts import Account
from tutor.console.questions import (
    GENERATORS,
    KINDS,
    STATUSES,
    QuestionQuery,
    approve,
    edit_question,
    find_questions,
    question_course,
    question_detail,
    retire_question,
    shown_answer,
    skill_names,
)
from tutor.errors import TutorError
from tutor.i18n import N_
from tutor.i18n import gettext as _

router = APIRouter()

QUESTIONS = ListView(
    name="questions", title=N_("Question bank"), default_sort="id", default_descending=False,
    columns=(Column("id", N_("#"), numeric=True, link="href"),
             Column("course", N_("Course")),
             Column("skill", N_("Skill")),
             Column("kind_label", N_("Kind"), sortable=False),
             Column("question", N_("Question"), link="href"),
             Column("answer", N_("Answer")),
             Column("status_label", N_("Status"), sortable=False),
             Column("source", N_("Source"))),
    filters=(Filter("course", N_("Course"), "select", data_options=True),
             Filter("skill", N_("Skill"), "select", data_options=True),
             Filter("status", N_("Status"), "select", tuple(STATUSES.items())),
             Filter("kind", N_("Kind"), "select", tuple(KINDS.items())),
             Filter("text", N_("Text"))),
    empty=N_("No questions match. Questions are written from a course's material when it "
             "is uploaded; try other filters."),
)
# What each action says once done (the redirect names it: no free text in the address).
DONE = {"approved": N_("Approved. Rebuilding the bank will not replace this question."),
        "edited": N_("Saved. Learners get the new wording from their next question on."),
        "retired": N_("Retired. No learner gets this question again.")}


def _courses(request: Request, account: Account) -> list[str]:
    return account.visible(course_names(request.app.state.runtime.engine))


@router.get("/questions")
def questions_page(request: Request, account: SignedIn) -> Response:
    engine = request.app.state.runtime.engine
    courses = _courses(request, account)
    chosen = request.query_params.get("course", "").strip()
    if chosen:
        allowed(account, chosen)
    scope = [chosen] if chosen else account.scope()
    skills = skill_names(engine, scope)
    one_course = bool(chosen) or len(courses) == 1  # then its column says nothing
    view = replace(QUESTIONS, columns=tuple(
        c for c in QUESTIONS.columns if c.key != "course" or not one_course), filters=(
        replace(QUESTIONS.filters[0], options=tuple((c, c) for c in courses)),
        replace(QUESTIONS.filters[1], options=tuple((s, s) for s in skills)),
        *QUESTIONS.filters[2:]))

    def fetch(wanted: ListRequest) -> Rows:
        f = wanted.filters
        query = QuestionQuery(course=chosen, skill=f.get("skill", ""),
                              status=f.get("status", ""), kind=f.get("kind", ""),
                              text=f.get("text", ""))
        rows, total = find_questions(engine, account.scope(), query, sort=wanted.sort,
                                     descending=wanted.descending, offset=wanted.offset,
                                     limit=wanted.per_page)
        for row in rows:
            row["href"] = f"/questions/{row['id']}"
            row["kind_label"] = _(KINDS.get(str(row["kind"]), str(row["kind"])))
            row["status_label"] = _status(row)
            row["answer"] = shown_answer(str(row["kind"]), str(row["answer"]))
        return Rows(rows, total)

    return show(request, view, fetch, "questions.html")


def _status(row: dict[str, object]) -> str:
    """What the status column says, the CSV export included."""
    status = "retired" if row["status"] == "retired" else "active"
    words = [_(STATUSES[status])]
    if row["approved_by"]:
        words.append(_(STATUSES["approved"]))
    if row["edited"]:
        words.append(_(STATUSES["edited"]))
    return ", ".join(words)


def _course_of(request: Request, account: Account, question_id: int) -> str:
    course = question_course(request.app.state.runtime.engine, question_id)
    if course is None:
        raise HTTPException(404)
    if not account.can(course):
        raise Forbidden
    return course


def _detail_page(request: Request, account: Account, question_id: int, *,
                 form: dict[str, str] | None = None,
                 error: str = "") -> Response:
    _course_of(request, account, question_id)
    detail = question_detail(request.app.state.runtime.engine, question_id)
    if detail is None:
        raise HTTPException(404)
    row = detail.row
    options = row["options"] if isinstance(row["options"], list) else []
    typed = form or {"question": str(row["question"]), "options": "\n".join(options),
                     "answer": str(row["answer"])}
    done = DONE.get(request.query_params.get("done", ""))
    return render(request, "question.html", detail=detail, row=row,
                  title=_("Question %(id)s") % {"id": question_id}, form=typed, error=error,
                  kinds=KINDS, generators=GENERATORS, flash=_(done) if done else "")


@router.get("/questions/{question_id:int}")
def question_page(request: Request, account: SignedIn, question_id: int) -> Response:
    return _detail_page(request, account, question_id)


def _done(question_id: int, what: str) -> Response:
    return RedirectResponse(f"/questions/{question_id}?done={what}", status_code=303)


@router.post("/questions/{question_id:int}/approve")
def approve_question(request: Request, account: SignedIn, question_id: int) -> Response:
    course = _course_of(request, account, question_id)
    approve(request.app.state.runtime.engine, course, question_id, account)
    return _done(question_id, "approved")


@router.post("/questions/{question_id:int}/retire")
def retire(request: Request, account: SignedIn, question_id: int) -> Response:
    course = _course_of(request, account, question_id)
    retire_question(request.app.state.runtime.engine, course, question_id, account)
    return _done(question_id, "retired")


@router.post("/questions/{question_id:int}/edit")
def edit(request: Request, account: SignedIn, question_id: int,
         question: Annotated[str, Form()] = "", answer: Annotated[str, Form()] = "",
         options: Annotated[str | None, Form()] = None) -> Response:
    """Saved, or the page again with the validator's reason and what was typed."""
    course = _course_of(request, account, question_id)
    lines = [line.strip() for line in options.splitlines() if line.strip()] if (
        options is not None) else None
    try:
        edit_question(request.app.state.runtime.engine, course, question_id, account,
                      question=question, options=lines, answer=answer.strip())
    except TutorError as refused:
        typed = {"question": question, "options": options or "", "answer": answer}
        # 200: the page is the form again, as expected (a 4xx would log a console error).
        return _detail_page(request, account, question_id, form=typed, error=str(refused))
    return _done(question_id, "edited")

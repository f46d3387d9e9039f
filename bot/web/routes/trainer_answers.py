"""Trainer answers: written from an answer or a "not covered" question, citing a
passage or on the trainer's own authority; served first to later questions that mean
the same; confirmed again after their passage changed; edited or retired."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from bot.web.security import SignedIn, allowed
from bot.web.tables import Column, Filter, ListRequest, ListView, Rows, show
from bot.web.templating import render, when
from knowledge.library import course_names
from tutor.answers import trainer
from tutor.answers.review import answer_detail
from tutor.console.accounts import Account
from tutor.console.audit import log_change
from tutor.console.passages import PassageChoice, passages_quoted, passages_with
from tutor.errors import TutorError
from tutor.i18n import N_
from tutor.i18n import gettext as _
from tutor.tables import TrainerAnswer

router = APIRouter()

STATUS_LABELS = {"active": N_("Served"), "review": N_("To review"), "retired": N_("Retired")}
TRAINER_ANSWERS = ListView(
    name="trainer-answers", title=N_("Trainer answers"),
    columns=(Column("id", N_("#"), sortable=False, numeric=True, link="href"),
             Column("course", N_("Course"), sortable=False),
             Column("question", N_("Question"), sortable=False, link="href"),
             Column("cites", N_("Cites"), sortable=False),
             Column("author_name", N_("Signed"), sortable=False),
             Column("status_label", N_("Status"), sortable=False),
             Column("updated", N_("Changed"), sortable=False)),
    filters=(Filter("course", N_("Course"), "select", data_options=True),
             Filter("status", N_("Status"), "select", tuple(STATUS_LABELS.items()))),
    empty=N_("No trainer answers yet. Open an answer (or a question the material did not "
             "cover) on the Answers page and write the right one."),
)
DONE = {"written": N_("Saved. Learners who ask the same get this answer first, from now on."),
        "edited": N_("Saved. Learners get the new text from now on."),
        "confirmed": N_("Confirmed: learners get this answer again."),
        "retired": N_("Retired: learners get the material's answer again.")}


def _review_why(row: TrainerAnswer) -> str:
    """Why it waits for review: stored as tutor/answers/trainer.py words it."""
    return _(row.review_why) if row.review_why else ""


def _cites(row: TrainerAnswer) -> str:
    if row.chunk_id is None and not row.document:
        return _("the trainer's own authority")
    return f"{row.document} — {row.section}" if row.section else row.document


@router.get("/trainer-answers")
def trainer_answers_page(request: Request, account: SignedIn) -> Response:
    engine = request.app.state.runtime.engine
    chosen = request.query_params.get("course", "").strip()
    if chosen:
        allowed(account, chosen)
    view = replace(TRAINER_ANSWERS, filters=(
        replace(TRAINER_ANSWERS.filters[0], options=tuple(
            (c, c) for c in account.visible(course_names(engine)))),
        *TRAINER_ANSWERS.filters[1:]))

    def fetch(wanted: ListRequest) -> Rows:
        status = wanted.filters.get("status")
        found = trainer.list_trainer_answers(
            engine, [chosen] if chosen else account.scope(),
            status if status in STATUS_LABELS else None, wanted.page, wanted.per_page)
        rows = [{"id": row.id, "href": f"/trainer-answers/{row.id}", "course": row.course,
                 "question": row.question, "cites": _cites(row),
                 "author_name": row.author_name, "status": row.status,
                 "status_label": _(STATUS_LABELS[row.status]),
                 "review_why": _review_why(row),
                 "updated": when(row.updated_at)} for row in found.rows]
        return Rows(rows, found.total)

    return show(request, view, fetch, "trainer_answers.html")


def _form(request: Request, account: Account, *, course: str, question: str, answer: str = "",
          cite: str = "", from_answer: int | None = None, quoted: list[PassageChoice],
          error: str = "") -> Response:
    courses = account.visible(course_names(request.app.state.runtime.engine))
    return render(request, "trainer_answer_new.html", title=_("Write a trainer answer"),
                  course=course, courses=courses, question=question, answer=answer,
                  cite=cite, from_answer=from_answer, quoted=quoted, error=error,
                  signed_as=account.shown_name)


@router.get("/trainer-answers/new")
def new_trainer_answer(request: Request, account: SignedIn, answer: int | None = None,
                       course: str = "", question: str = "") -> Response:
    quoted: list[PassageChoice] = []
    if answer is not None:
        record, quoted = _quoted(request, account, answer)
        course, question = str(record["course"]), str(record["question"])
    if course:
        allowed(account, course)
    return _form(request, account, course=course, question=question, from_answer=answer,
                 quoted=quoted, cite=str(quoted[0].chunk_id) if quoted else "")


@router.get("/trainer-answers/passages")
def passages_found(request: Request, account: SignedIn, course: str, words: str = ""
                   ) -> Response:
    """The passages containing `words`, as choices for the form (htmx swaps them in)."""
    allowed(account, course)
    found = passages_with(request.app.state.runtime.engine, course, words)
    return render(request, "_passage_choices.html", choices=found, cite="", words=words)


def _quoted(request: Request, account: Account, answer_id: int
            ) -> tuple[dict, list[PassageChoice]]:
    """An answer of the log (of the account's courses), and the passages it quoted,
    as they are now."""
    record = answer_detail(request.app.state.runtime.engine, request.app.state.labels,
                           answer_id)
    if record is None:
        raise HTTPException(404)
    allowed(account, str(record["course"]))
    texts = [source["text"] for source in record["sources"]]  # type: ignore[attr-defined]
    return record, passages_quoted(request.app.state.runtime.engine, str(record["course"]),
                                   texts)


def _chunk(cite: str) -> int | None:
    return int(cite) if cite.strip().isdigit() else None


@router.post("/trainer-answers")
def write_trainer_answer(request: Request, account: SignedIn,
                         course: Annotated[str, Form()], question: Annotated[str, Form()],
                         answer: Annotated[str, Form()], cite: Annotated[str, Form()] = "",
                         from_answer: Annotated[str, Form()] = "") -> Response:
    allowed(account, course)
    engine = request.app.state.runtime.engine
    source = int(from_answer) if from_answer.isdigit() else None
    if source is not None and _quoted(request, account, source)[0]["course"] != course:
        raise TutorError(_("That answer is of another course."))
    try:
        row = trainer.create(engine, course, question, answer, author=account.email,
                             author_name=account.shown_name, chunk_id=_chunk(cite),
                             from_answer=source)
    except TutorError as error:  # the form again, as typed, with the reason
        quoted = _quoted(request, account, source)[1] if source is not None else []
        return _form(request, account, course=course, question=question, answer=answer,
                     cite=cite, from_answer=source, quoted=quoted, error=str(error))
    log_change(engine, account, "trainer-answer", course, f"#{row.id}", question=row.question,
               answer=row.answer, cites=_cites(row), from_answer=source)
    return RedirectResponse(f"/trainer-answers/{row.id}?done=written", status_code=303)


def _own(request: Request, account: Account, answer_id: int) -> TrainerAnswer:
    try:
        row = trainer.get(request.app.state.runtime.engine, answer_id)
    except TutorError:
        raise HTTPException(404) from None
    allowed(account, row.course)
    return row


def _page(request: Request, account: Account, row: TrainerAnswer, error: str = "",
          typed: dict[str, str] | None = None) -> Response:
    done = DONE.get(request.query_params.get("done", ""))
    return render(request, "trainer_answer.html", row=row, cites=_cites(row),
                  status_label=_(STATUS_LABELS[row.status]), review_why=_review_why(row),
                  error=error,
                  typed=typed or {"question": row.question, "answer": row.answer},
                  flash=_(done) if done else "", title=_("Trainer answer %(id)s") % {
                      "id": row.id})


@router.get("/trainer-answers/{answer_id:int}")
def trainer_answer_page(request: Request, account: SignedIn, answer_id: int) -> Response:
    return _page(request, account, _own(request, account, answer_id))


@router.post("/trainer-answers/{answer_id:int}/edit")
def edit_trainer_answer(request: Request, account: SignedIn, answer_id: int,
                        question: Annotated[str, Form()], answer: Annotated[str, Form()],
                        cite: Annotated[str, Form()] = "keep") -> Response:
    row = _own(request, account, answer_id)
    engine = request.app.state.runtime.engine
    changes: dict[str, object] = {"cite": True, "chunk_id": None} if cite == "own" else {}
    try:
        edited = trainer.edit(engine, answer_id, question=question, answer=answer,
                              author=account.email, author_name=account.shown_name, **changes)
    except TutorError as error:
        return _page(request, account, row, str(error), {"question": question, "answer": answer})
    log_change(engine, account, "trainer-answer", edited.course, f"#{answer_id}",
               question=edited.question, answer=edited.answer, cites=_cites(edited))
    return RedirectResponse(f"/trainer-answers/{answer_id}?done=edited", status_code=303)


@router.post("/trainer-answers/{answer_id:int}/confirm")
def confirm_trainer_answer(request: Request, account: SignedIn, answer_id: int,
                           cite: Annotated[str, Form()] = "keep") -> Response:
    row = _own(request, account, answer_id)
    engine = request.app.state.runtime.engine
    try:
        confirmed = trainer.confirm(engine, answer_id, keep_citation=cite != "own")
    except TutorError as error:
        return _page(request, account, row, str(error))
    log_change(engine, account, "trainer-answer-confirm", confirmed.course, f"#{answer_id}",
               cites=_cites(confirmed), was=_review_why(row))
    return RedirectResponse(f"/trainer-answers/{answer_id}?done=confirmed", status_code=303)


@router.post("/trainer-answers/{answer_id:int}/retire")
def retire_trainer_answer(request: Request, account: SignedIn, answer_id: int) -> Response:
    row = _own(request, account, answer_id)
    engine = request.app.state.runtime.engine
    trainer.retire(engine, answer_id)
    log_change(engine, account, "trainer-answer-retire", row.course, f"#{answer_id}",
               question=row.question)
    return RedirectResponse(f"/trainer-answers/{answer_id}?done=retired", status_code=303)

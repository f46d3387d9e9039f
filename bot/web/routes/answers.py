"""What learners were told: every answer with its quote, the explanation sentences
kept and removed (with why), its sources and rating; filtered by course, 👎, "not
covered", "explanation removed", dates and words."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import Response

from bot.web.security import SignedIn, allowed
from bot.web.tables import Column, Filter, ListRequest, ListView, Rows, show
from bot.web.templating import render, when
from knowledge.library import course_names
from tutor.answers.review import AnswerFilter, answer_detail, find_answers
from tutor.i18n import N_
from tutor.i18n import gettext as _

router = APIRouter()

RATINGS = {"down": N_("👎 Not helpful"), "up": N_("👍 Helpful"), "none": N_("Not rated")}
ANSWERS = ListView(
    name="answers", title=N_("What learners were told"), default_sort="created_at",
    columns=(Column("created_at", N_("When")),
             Column("course", N_("Course")),
             Column("learner", N_("Learner"), sortable=False),
             Column("question", N_("Question"), link="href"),
             Column("rating", N_("Rating")),
             Column("flags", N_("Notes"), sortable=False)),
    filters=(Filter("course", N_("Course"), "select", data_options=True),
             Filter("rating", N_("Rating"), "select", tuple(RATINGS.items())),
             Filter("not_covered", N_("Not covered"), "check"),
             Filter("explanation_removed", N_("Explanation removed"), "check"),
             Filter("since", N_("From"), "date"),
             Filter("until", N_("To"), "date"),
             Filter("text", N_("Words"))),
    empty=N_("No answers match. Learners' questions and the answers they got appear here "
             "as they ask."),
)


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def flags(row: dict[str, object]) -> list[str]:
    """The notes a trainer scans the list for."""
    notes = []
    if not row["covered"]:
        notes.append(_("Not covered"))
    if row["explanation_removed"]:
        notes.append(_("Explanation removed"))
    if row["trainer_answer_id"]:
        notes.append(_("Trainer answer"))
    return notes


def rating(helpful: object) -> str:
    """The rating as the CSV export writes it."""
    return {True: _("helpful"), False: _("not helpful")}.get(helpful, "")  # type: ignore[call-overload]


@router.get("/answers")
def answers_page(request: Request, account: SignedIn) -> Response:
    runtime = request.app.state.runtime
    courses = account.visible(course_names(runtime.engine))
    chosen = request.query_params.get("course", "").strip()
    if chosen:
        allowed(account, chosen)
    view = replace(ANSWERS, filters=(
        replace(ANSWERS.filters[0], options=tuple((c, c) for c in courses)),
        *ANSWERS.filters[1:]))

    def fetch(wanted: ListRequest) -> Rows:
        f = wanted.filters
        picked = f.get("rating")
        query = AnswerFilter(
            course=chosen or None,
            rating=picked if picked in RATINGS else None,  # type: ignore[arg-type]
            not_covered=bool(f.get("not_covered")),
            explanation_removed=bool(f.get("explanation_removed")),
            since=_day(f.get("since")), until=_day(f.get("until")), text=f.get("text", ""))
        rows, total = find_answers(runtime.engine, request.app.state.labels,
                                   courses=account.scope(), filters=query, sort=wanted.sort,
                                   descending=wanted.descending, page=wanted.page,
                                   per_page=wanted.per_page)
        for row in rows:
            row.update(href=f"/answers/{row['id']}", learner=row["learner_label"],
                       rating=rating(row["helpful"]), flags=", ".join(flags(row)),
                       created_at=when(row["created_at"]))  # type: ignore[arg-type]
        return Rows(rows, total)

    return show(request, view, fetch, "answers.html")


@router.get("/answers/{answer_id:int}")
def answer_page(request: Request, account: SignedIn, answer_id: int) -> Response:
    runtime = request.app.state.runtime
    row = answer_detail(runtime.engine, request.app.state.labels, answer_id)
    if row is None:
        raise HTTPException(404)
    allowed(account, str(row["course"]))
    return render(request, "answer.html", row=row, notes=flags(row),
                  title=_("Answer %(id)s") % {"id": answer_id})

"""The console's JSON: what scripts and htmx read. Signed-in like the pages, but a
missing session is a 401 (not a redirect) and a refusal is JSON."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException

from bot.web.security import SignedIn, allowed
from bot.web.templating import when
from tutor.console.courses import course_overview

router = APIRouter(prefix="/api")


def _shown(row: dict[str, object]) -> dict[str, object]:
    changed = row.pop("changed")
    return {**row, "changed": when(changed) if changed else None}  # type: ignore[arg-type]


@router.get("/courses")
def courses(request: Request, account: SignedIn) -> list[dict[str, object]]:
    """The account's courses with their numbers, as on the courses page."""
    return [_shown(row) for row in course_overview(request.app.state.runtime.engine,
                                                   account.scope())]


@router.get("/courses/{course}")
def course(request: Request, account: SignedIn, course: str) -> dict[str, object]:
    """One course's numbers: 403 for a trainer's other course, whether it exists or not
    (a trainer learns nothing of courses that are not theirs)."""
    rows = course_overview(request.app.state.runtime.engine, [allowed(account, course)])
    if not rows:
        raise HTTPException(404)
    return _shown(rows[0])

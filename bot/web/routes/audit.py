"""The audit log: admins read and export every change made in the console."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from starlette.responses import Response

from bot.web.security import Forbidden, SignedIn
from bot.web.tables import Column, Filter, ListRequest, ListView, Rows, show
from bot.web.templating import when
from tutor.console.audit import ACTIONS, AuditQuery, find_entries

router = APIRouter()

AUDIT = ListView(
    name="audit-log", title="Audit log", default_sort="at",
    columns=(Column("at", "When"), Column("actor", "Who", sortable=False),
             Column("action", "Action", sortable=False), Column("course", "Course", sortable=False),
             Column("target", "What", sortable=False), Column("detail", "Details", sortable=False)),
    filters=(Filter("actor", "Who"), Filter("action", "Action", "select",
                                             tuple((a, a) for a in ACTIONS)),
             Filter("course", "Course"), Filter("since", "From", "date"),
             Filter("until", "To", "date")),
    empty="No changes have been made in the console yet.",
)


def _day(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/audit")
def audit_page(request: Request, account: SignedIn) -> Response:
    if not account.is_admin:
        raise Forbidden

    def fetch(wanted: ListRequest) -> Rows:
        f = wanted.filters
        until = _day(f.get("until"))
        query = AuditQuery(actor=f.get("actor", "").lower(), action=f.get("action", ""),
                           course=f.get("course", ""), since=_day(f.get("since")),
                           until=until + timedelta(days=1) if until else None)
        entries, total = find_entries(request.app.state.runtime.engine, query,
                                      offset=wanted.offset, limit=wanted.per_page,
                                      newest_first=wanted.descending)
        rows = [{"at": when(e.at), "actor": e.actor, "action": e.action, "course": e.course,
                 "target": e.target, "detail": e.detail} for e in entries]
        return Rows(rows, total)

    return show(request, AUDIT, fetch)

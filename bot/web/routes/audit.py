"""The audit log: admins read and export every change made in the console."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from starlette.responses import Response

from bot.web.security import Forbidden, SignedIn
from bot.web.tables import Column, Filter, ListRequest, ListView, Rows, show
from bot.web.templating import when
from tutor.console.audit import ACTION_LABELS, AuditQuery, action_label, described, find_entries
from tutor.i18n import N_

router = APIRouter()

AUDIT = ListView(
    name="audit-log", title=N_("Audit log"), default_sort="at",
    columns=(Column("at", N_("When")),
             Column("actor", N_("Who"), sortable=False),
             Column("action", N_("Action"), sortable=False),
             Column("course", N_("Course"), sortable=False),
             Column("target", N_("What"), sortable=False),
             Column("detail", N_("Details"), sortable=False)),
    filters=(Filter("actor", N_("Who")), Filter("action", N_("Action"), "select",
                                             tuple(ACTION_LABELS.items())),
             Filter("course", N_("Course")), Filter("since", N_("From"), "date"),
             Filter("until", N_("To"), "date")),
    empty=N_("No changes have been made in the console yet."),
)


def _day(text: str | None) -> datetime | None:
    """A day typed in a date filter, as the UTC midnight the stored times compare with
    (a naive one made the query fail: the filter answered 500).

    >>> _day("2025-03-01"), _day("soon"), _day("")
    (datetime.datetime(2025, 3, 1, 0, 0, tzinfo=datetime.timezone.utc), None, None)
    """
    try:
        day = datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day.replace(tzinfo=day.tzinfo or UTC) if day else None


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
        rows = [{"at": when(e.at), "actor": e.actor, "action": action_label(e.action),
                 "course": e.course, "target": e.target, "detail": described(e.detail)}
                for e in entries]
        return Rows(rows, total)

    return show(request, AUDIT, fetch)

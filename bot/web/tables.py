"""The one table component every list page uses: declared columns and filters, sorted,
paged and filtered by the query string, exported as CSV with the same filters.

A page declares a `ListView` and a fetch function that does the work in `tutor/`
(paging in SQL); `show` turns a request into a `ListRequest`, calls it and renders
list.html (or streams the CSV)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from starlette.responses import Response, StreamingResponse

from bot.web.templating import render
from tutor.i18n import N_
from tutor.i18n import gettext as _

PER_PAGE = 50
MAX_PER_PAGE = 500
CSV_BATCH = 2000


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # English source text (marked with N_); translated when shown
    sortable: bool = True
    numeric: bool = False  # right-aligned
    link: str = ""  # a row key whose value is this cell's href
    export: bool = True  # in the CSV (not a column of buttons)


@dataclass(frozen=True)
class Filter:
    key: str
    label: str
    kind: str = "text"  # "text", "select", "date" or "check"
    options: tuple[tuple[str, str], ...] = ()  # (value, label) for "select"
    data_options: bool = False  # labels are data (course names), not words to translate


@dataclass(frozen=True)
class ListRequest:
    sort: str
    descending: bool
    page: int = 1
    per_page: int = PER_PAGE
    filters: Mapping[str, str] = field(default_factory=dict)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class Rows:
    rows: list[dict[str, Any]]
    total: int


Fetch = Callable[[ListRequest], Rows]


@dataclass(frozen=True)
class ListView:
    name: str  # the CSV file's name
    title: str
    columns: tuple[Column, ...]
    filters: tuple[Filter, ...] = ()
    default_sort: str = ""
    default_descending: bool = True
    empty: str = N_("Nothing here yet.")

    def parse(self, request: Request) -> ListRequest:
        """The query string as a ListRequest: unknown sort keys and bad numbers fall
        back to the defaults, so a hand-edited address never fails."""
        params = request.query_params
        sortable = {c.key for c in self.columns if c.sortable}
        sort = params.get("sort", "")
        sort = sort if sort in sortable else self.default_sort or next(iter(sortable), "")
        descending = params.get("desc", "1" if self.default_descending else "0") == "1"
        page = _number(params.get("page"), 1, 1, 10**9)
        per_page = _number(params.get("per_page"), PER_PAGE, 1, MAX_PER_PAGE)
        filters = {f.key: params[f.key].strip() for f in self.filters
                   if params.get(f.key, "").strip()}
        return ListRequest(sort, descending, page, per_page, filters)


def _number(text: str | None, default: int, low: int, high: int) -> int:
    """
    >>> _number("3", 1, 1, 10), _number("x", 1, 1, 10), _number("99", 1, 1, 10)
    (3, 1, 10)
    """
    try:
        return min(max(int(text or default), low), high)
    except ValueError:
        return default


def show(request: Request, view: ListView, fetch: Fetch, template: str = "list.html",
         **context: Any) -> Response:
    """The list page for this request, or its CSV export with ?format=csv."""
    wanted = view.parse(request)
    if request.query_params.get("format") == "csv":
        return _csv(view, fetch, wanted)
    rows = fetch(wanted)
    pages = max(1, -(-rows.total // wanted.per_page))
    return render(request, template, view=view, rows=rows, wanted=wanted, pages=pages,
                  link=lambda **changes: _link(request, changes), **context)


def _link(request: Request, changes: Mapping[str, object]) -> str:
    """This page's address with some parameters changed (sorting resets the page)."""
    params = dict(request.query_params)
    params.update({k: str(v) for k, v in changes.items()})
    return f"{request.url.path}?{urlencode(params)}"


def _csv(view: ListView, fetch: Fetch, wanted: ListRequest) -> Response:
    columns = [c for c in view.columns if c.export]

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([_(c.label) for c in columns])
        page = 1
        while True:
            rows = fetch(replace(wanted, page=page, per_page=CSV_BATCH)).rows
            for row in rows:
                writer.writerow([csv_cell(row.get(c.key)) for c in columns])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if len(rows) < CSV_BATCH:
                return
            page += 1

    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="{view.name}.csv"'})


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: learners' words that start like a formula
    are quoted (OWASP's CSV injection advice).

    >>> csv_cell("=HYPERLINK(1)"), csv_cell(3), csv_cell(None)
    ("'=HYPERLINK(1)", '3', '')
    """
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text

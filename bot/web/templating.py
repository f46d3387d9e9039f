"""The console's templates: Jinja2 with autoescaping and the translation layer's
gettext (`_`, `ngettext` and `{% trans %}`, in the request's language), and the
navigation every page shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import Response

from bot.web.security import CSRF_FIELD, csrf_token
from tutor.i18n import N_, current_language, gettext, ngettext

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str  # the English source text; translated when shown
    admin_only: bool = False


# The sections, in order; a later issue adds analytics pages here.
NAVIGATION: list[NavItem] = [
    NavItem("/courses", N_("Courses")),
    NavItem("/skills", N_("Skill map")),
    NavItem("/questions", N_("Question bank")),
    NavItem("/answers", N_("Answers")),
    NavItem("/trainer-answers", N_("Trainer answers")),
    NavItem("/audit", N_("Audit log"), admin_only=True),
]


def when(value: datetime | None) -> str:
    """A time as trainers read it: UTC, to the minute."""
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True, lstrip_blocks=True,
    )
    # The layer's own functions, not one catalogue: they translate into the language of
    # the request being rendered (app.py sets it).
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=gettext, ngettext=ngettext, newstyle=True)
    environment.filters["when"] = when
    return environment


templates = Jinja2Templates(env=_environment())


def render(request: Request, template: str, status_code: int = 200, **context: Any
           ) -> Response:
    """A page: the template with the signed-in account, the navigation and the CSRF
    token that its forms send back."""
    account = getattr(request.state, "account", None)
    navigation = [item for item in NAVIGATION
                  if not item.admin_only or (account is not None and account.is_admin)]
    return templates.TemplateResponse(request, template, {
        "account": account, "navigation": navigation, "csrf_field": CSRF_FIELD,
        "csrf": csrf_token(request), "path": request.url.path,
        "language": current_language().replace("_", "-"), **context,
    }, status_code=status_code)


_ = gettext

"""Signing in (a password, or a one-time link) and out."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from bot.web.security import client_address, session_account, sign_in_session
from bot.web.templating import render
from tutor.console.accounts import (
    SignInRefused,
    end_sessions,
    sign_in,
    use_sign_in_link,
)

router = APIRouter()


def local_path(target: str | None) -> str:
    r"""Where to go after signing in: a path of this site only (no open redirect).
    Browsers drop tabs and newlines from an address and read a backslash as a slash,
    so "/\t/evil.example" would leave the site: anything but a plain path goes home.

    >>> local_path("/questions?page=2"), local_path("//evil.example"), local_path(None)
    ('/questions?page=2', '/', '/')
    >>> local_path("/\t/evil.example"), local_path("/\\evil.example"), local_path("https://x")
    ('/', '/', '/')
    """
    if (not target or not target.startswith("/") or target.startswith("//")
            or "\\" in target or not target.isprintable()):
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


@router.get("/sign-in")
def sign_in_page(request: Request, next: str = "/") -> Response:
    return render(request, "sign_in.html", next=local_path(next), email="", error="")


@router.post("/sign-in")
async def sign_in_form(request: Request, email: Annotated[str, Form()],
                       password: Annotated[str, Form()], next: Annotated[str, Form()] = "/"
                       ) -> Response:
    engine = request.app.state.runtime.engine
    try:  # argon2 takes a moment on purpose: off the event loop
        account = await run_in_threadpool(sign_in, engine, email, password,
                                          client_address(request))
    except SignInRefused as refused:
        return render(request, "sign_in.html", status_code=401, next=local_path(next),
                      email=email, error=str(refused))
    sign_in_session(request, account)
    return RedirectResponse(local_path(next), status_code=303)


@router.get("/sign-in/link")
def sign_in_link(request: Request, token: str = "") -> Response:
    try:
        account = use_sign_in_link(request.app.state.runtime.engine, token)
    except SignInRefused as refused:
        return render(request, "sign_in.html", status_code=401, next="/", email="",
                      error=str(refused))
    sign_in_session(request, account)
    return RedirectResponse("/", status_code=303)


@router.post("/sign-out")
def sign_out(request: Request) -> Response:
    """Sign out, and end the account's other sessions too: a session is a signed cookie,
    and only a new epoch stops a copy of it (OWASP: sign-out ends the session on the
    server)."""
    account = session_account(request)
    if account is not None:
        end_sessions(request.app.state.runtime.engine, account.id)
    request.session.clear()
    return RedirectResponse("/sign-in", status_code=303)

"""Who is signed in, CSRF tokens, and the headers every page carries.

Sessions are Starlette's signed cookies (itsdangerous): HttpOnly, SameSite=Lax,
Secure with TUTORBOT_WEB_HTTPS. The cookie holds the account's id, its session epoch
(a password reset, a removal or signing out ends every older session), when it was
signed in (a session lasts SESSION_HOURS, however busy) and the CSRF token that every
form and htmx request sends back."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tutor.console.accounts import Account, account_by_id
from tutor.console.upload_jobs import MAX_FILES
from tutor.i18n import gettext as _
from tutor.settings import Settings

SESSION_COOKIE = "tutorbot_console"
SESSION_HOURS = 12
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
OPEN_POSTS = {"/sign-in"}  # the only form one posts before signing in
HEADERS = {
    # No inline script or style anywhere: a learner's text that slipped through
    # escaping still could not run.
    "content-security-policy": "default-src 'self'; img-src 'self' data:; "
    "style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",  # a one-time link never leaves in a Referer
}


class NotSignedIn(Exception):
    """No valid session: a page redirects to sign-in, an API call gets 401."""


class Forbidden(Exception):
    """Signed in, but not allowed to see or change this (another trainer's course)."""


class BadCsrf(Exception):
    """A form or htmx request without the session's CSRF token."""


def session_secret(settings: Settings) -> str:
    """TUTORBOT_WEB_SECRET, or a key made once and kept (owner-only) in the data dir."""
    if settings.web_secret is not None:
        return settings.web_secret.get_secret_value()
    path: Path = settings.data_dir / "web_secret"
    if not path.exists() or not path.read_text().strip():
        _write_secret(path)
    return path.read_text().strip()


def _write_secret(path: Path) -> None:
    """Write the key whole or not at all: a crash between creating the file and writing
    it used to leave it empty, and an empty key signs cookies anyone can forge. Two
    processes starting at once agree on one key (the second link fails; it reads the
    first's)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(48))
        file.flush()
        os.fsync(file.fileno())
    try:
        if path.exists():  # empty: replace it
            os.replace(fresh, path)
        else:
            os.link(fresh, path)
    except FileExistsError:
        pass
    finally:
        fresh.unlink(missing_ok=True)


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF_FIELD)
    if not token:
        token = request.session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return token


async def check_csrf(request: Request) -> None:
    """A dependency of every router: an unsafe request carries the session's token, in
    the X-CSRF-Token header (htmx) or the form's `csrf` field."""
    if request.method not in UNSAFE_METHODS:
        return
    # Nobody signed in may post anything but the sign-in form: refused before its body
    # is read (an upload is written to disk while it is parsed).
    if request.url.path not in OPEN_POSTS and session_account(request) is None:
        raise NotSignedIn
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > largest_body(request):
        raise HTTPException(413, _("The upload is too large: send fewer or smaller files."))
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        # Cached: the route reads it again (and an upload's files are counted there).
        form: FormData = await request.form(max_files=MAX_FILES + 1, max_fields=1000)
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    expected = request.session.get(CSRF_FIELD)
    # As bytes: compare_digest raises TypeError on a str with non-ASCII characters,
    # which made a forged token a 500 instead of a 403.
    if not sent or not expected or not secrets.compare_digest(
            sent.encode(errors="surrogatepass"), str(expected).encode()):
        raise BadCsrf


def largest_body(request: Request) -> int:
    """The most a request may send: a whole upload of the largest files, and a margin."""
    return MAX_FILES * request.app.state.runtime.settings.max_upload_bytes + 1_000_000


def sign_in_session(request: Request, account: Account) -> None:
    request.session.clear()  # a fresh session (and CSRF token) at every sign-in
    request.session.update(account=account.id, epoch=account.session_epoch,
                           since=int(time.time()))
    csrf_token(request)


def signed_in(request: Request) -> Account:
    """The signed-in account (a dependency of every console page)."""
    account = session_account(request)
    if account is None:
        request.session.pop("account", None)
        raise NotSignedIn
    request.state.account = account
    return account


def session_account(request: Request) -> Account | None:
    """The session's account while its session holds: the epoch it was signed in under
    is still the account's, and it is under SESSION_HOURS old. The cookie is signed
    again on every response (a sliding expiry), so without `since` a copied cookie
    in use would never lapse. Read once a request (the CSRF check and the page's
    dependency both ask)."""
    account = getattr(request.state, "session_account", _UNREAD)
    if account is _UNREAD:
        account = request.state.session_account = _session_account(request)
    return account


def _session_account(request: Request) -> Account | None:
    account_id, epoch = request.session.get("account"), request.session.get("epoch")
    since = request.session.get("since")
    if not isinstance(account_id, int) or not isinstance(since, int):
        return None
    if not 0 <= time.time() - since < SESSION_HOURS * 3600:
        return None
    account = account_by_id(request.app.state.runtime.engine, account_id)
    return account if account is not None and account.session_epoch == epoch else None


_UNREAD = object()
SignedIn = Annotated[Account, Depends(signed_in)]


def allowed(account: Account, course: str) -> str:
    if not account.can(course):
        raise Forbidden
    return course


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class SecurityHeaders:
    """Adds `HEADERS` to every response (pure ASGI: it never reads the body), and
    `Cache-Control: no-store` to all but the static files: pages hold learners' words
    and names, which a shared computer's browser cache should not keep."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        private = not scope["path"].startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers.extend((k.encode(), v.encode()) for k, v in HEADERS.items())
                if private:
                    headers.append((b"cache-control", b"no-store"))
            await send(message)

        await self.app(scope, receive, with_headers)

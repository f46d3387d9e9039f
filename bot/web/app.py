"""The console's application: middleware, error pages and the sections' routers."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.web.routes import (
    answers,
    api,
    audit,
    auth,
    courses,
    questions,
    skills,
    trainer_answers,
    uploads,
)
from bot.web.security import (
    SESSION_COOKIE,
    SESSION_HOURS,
    BadCsrf,
    Forbidden,
    NotSignedIn,
    SecurityHeaders,
    check_csrf,
    session_secret,
    signed_in,
)
from bot.web.templating import HERE, render
from tutor.console.upload_jobs import UploadJobs
from tutor.errors import TutorError
from tutor.i18n import gettext as _
from tutor.i18n import language as speaking
from tutor.learner_names import LearnerLabels
from tutor.runtime import Runtime

log = logging.getLogger(__name__)


def create_app(runtime: Runtime, language: str | None = None) -> FastAPI:
    """The console over `runtime` (the same database, models and workers as the bots
    of this process), in `language` (default: TUTORBOT_LANGUAGE)."""
    app = FastAPI(title="tutorbot console", docs_url=None, redoc_url=None,
                  openapi_url=None, dependencies=[Depends(check_csrf)])
    app.state.runtime = runtime
    app.state.labels = LearnerLabels.from_settings(runtime.settings)
    app.state.uploads = UploadJobs(runtime)
    settings = runtime.settings
    app.state.language = language or settings.language
    app.add_middleware(SessionMiddleware, secret_key=session_secret(settings),
                       session_cookie=SESSION_COOKIE, max_age=SESSION_HOURS * 3600,
                       same_site="lax", https_only=settings.web_https)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(Speaks, language=app.state.language)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(auth.router)
    pages = [Depends(signed_in)]
    app.include_router(courses.router, dependencies=pages)
    app.include_router(uploads.router, dependencies=pages)
    app.include_router(audit.router, dependencies=pages)
    app.include_router(answers.router, dependencies=pages)
    app.include_router(questions.router, dependencies=pages)
    app.include_router(api.router, dependencies=pages)
    app.include_router(skills.router, dependencies=pages)
    app.include_router(trainer_answers.router, dependencies=pages)

    @app.get("/", dependencies=pages)
    def home() -> Response:
        return RedirectResponse("/courses", status_code=303)

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    _error_pages(app)
    return app


class Speaks:
    """Every request handled in the console's language: the pages, the messages its
    code words, and the work it starts (tutor/i18n.py)."""

    def __init__(self, app: ASGIApp, language: str) -> None:
        self.app, self.language = app, language

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with speaking(self.language):
            await self.app(scope, receive, send)


def _error_pages(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    def not_signed_in(request: Request, error: Exception) -> Response:
        if _wants_data(request):
            return JSONResponse({"error": _("not signed in")}, status_code=401,
                                headers={"HX-Redirect": "/sign-in"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/sign-in?next={quote(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    def forbidden(request: Request, error: Exception) -> Response:
        return _error(request, 403, _("Not yours to see"),
                      _("Your account does not have this course. An admin can add it."))

    @app.exception_handler(BadCsrf)
    def bad_csrf(request: Request, error: Exception) -> Response:
        return _error(request, 403, _("The form expired"),
                      _("This form was not sent from the console page (or your session "
                        "changed). Go back, reload the page and try again."))

    @app.exception_handler(TutorError)
    def tutor_error(request: Request, error: Exception) -> Response:
        return _error(request, 400, _("That did not work"), str(error))

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, error: Exception) -> Response:
        # FastAPI's own answer is a 422 that echoes what was sent (a password field
        # among it): say what is wrong, repeat nothing.
        return _error(request, 400, _("That did not work"),
                      _("Something this page needs was missing or not as expected. Go back, "
                        "reload the page and try again."))

    @app.exception_handler(Exception)
    def failed(request: Request, error: Exception) -> Response:
        # Starlette re-raises the error after this answer, so the server logs its
        # traceback; the person sees one apology and no detail. (This handler runs
        # outside the middleware, Speaks included.)
        with speaking(app.state.language):
            return _error(request, 500, _("Something went wrong"),
                          _("The console could not do this. The error is in the server's "
                            "log."))

    @app.exception_handler(HTTPException)
    def http_error(request: Request, error: HTTPException) -> Response:
        if error.status_code == 404:
            return _error(request, 404, _("Not found"),
                          _("There is nothing at this address."))
        # Starlette's own (405 Method Not Allowed, say) are English phrases: say it here.
        return _error(request, error.status_code, _("That did not work"),
                      _("The console does not answer this request (HTTP %(status)d).") % {
                          "status": error.status_code})


def _wants_data(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "hx-request" in request.headers


def _error(request: Request, status: int, heading: str, message: str) -> Response:
    if _wants_data(request):
        return JSONResponse({"error": message}, status_code=status)
    return render(request, "error.html", status_code=status, heading=heading,
                  message=message, title=heading)

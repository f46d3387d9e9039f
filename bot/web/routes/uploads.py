"""Uploading files into a course and re-ingesting its documents: the work runs off the
request (tutor.console.upload_jobs); the page polls the job's fragment every second
and /api/uploads/{id} gives the same as JSON.

With JavaScript, htmx posts the form and puts the job's fragment on the page; without
it, the form posts as plain multipart and the course page shows the job (reloading
itself until the job is done)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from bot.web.routes.courses import course_path
from bot.web.security import SignedIn, allowed
from bot.web.templating import render
from tutor.console.upload_jobs import STATE_LABELS, UploadJob, UploadJobs, receive_files
from tutor.errors import TutorError
from tutor.i18n import gettext as _
from tutor.uploads import check_course_name

router = APIRouter()
DONE_EVENT = "material-changed"  # the course page reloads its numbers and documents


@router.post("/courses/{name}/uploads")
async def upload_files(request: Request, name: str, account: SignedIn) -> Response:
    course = check_course_name(allowed(account, name))
    form = await request.form()
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile)
             and (f.filename or f.size)]  # a form sent with no file has one empty part
    if not files:
        raise TutorError(_("Choose at least one file to upload."))
    jobs: UploadJobs = request.app.state.uploads
    settings = request.app.state.runtime.settings

    def start() -> UploadJob:  # disk work: off the event loop
        received = receive_files(jobs.new_folder(), [(f.filename or "", f.file, f.size)
                                                     for f in files], settings.max_upload_bytes)
        return jobs.upload(account, course, received)

    return _started(request, course, await run_in_threadpool(start))


@router.post("/courses/{name}/reingest")
async def reingest(request: Request, name: str, account: SignedIn) -> Response:
    course = allowed(account, name)
    form = await request.form()
    documents = [d for d in form.getlist("document") if isinstance(d, str) and d]
    if not documents:
        raise TutorError(_("Choose a document to re-ingest."))
    job = request.app.state.uploads.reingest(account, course, documents)
    return _started(request, course, job)


def _started(request: Request, course: str, job: UploadJob) -> Response:
    if "hx-request" in request.headers:
        return _fragment(request, course, job)
    return RedirectResponse(f"{course_path(course)}?upload={job.id}#uploads", status_code=303)


@router.get("/courses/{name}/uploads/{job_id}")
def upload_fragment(request: Request, name: str, job_id: str, account: SignedIn) -> Response:
    allowed(account, name)
    if request.app.state.uploads.get(job_id) is None:  # the server restarted meanwhile
        return render(request, "_upload_gone.html")  # (no trigger: the polling stops)
    job = _job(request, job_id, account)
    if job.course != name:
        raise HTTPException(404)
    response = _fragment(request, name, job)
    if job.finished:
        response.headers["HX-Trigger"] = DONE_EVENT
    return response


@router.get("/api/uploads/{job_id}")
def upload_status(request: Request, job_id: str, account: SignedIn) -> Response:
    return JSONResponse(_job(request, job_id, account).as_dict())


def _job(request: Request, job_id: str, account: SignedIn) -> UploadJob:
    job = request.app.state.uploads.get(job_id)
    if job is None:
        raise HTTPException(404)
    allowed(account, job.course)
    return job


def _fragment(request: Request, course: str, job: UploadJob) -> Response:
    return render(request, "_upload_job.html", job=job, course_path=course_path(course),
                  state_labels=STATE_LABELS)

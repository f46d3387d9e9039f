"""Uploads and re-ingests started in the console. Each runs off the request, in one
background thread (ingest takes one batch at a time anyway), and tells per file what
is happening to it: the course page's progress bars and /api/uploads/{id} read it.

A file goes waiting → converting → embedding → storing (the index, the skill map and
the question bank) → done; or it is unchanged (there already as it is), or refused,
with the reason, and the rest go in."""

from __future__ import annotations

import contextvars
import copy
import logging
import secrets
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from knowledge.convert import ConversionError, check_size, check_type
from knowledge.ingest import FileReporter, IngestReport, ProgressReporter, RefreshReport
from tutor.console.accounts import Account
from tutor.console.audit import log_change
from tutor.errors import TutorError
from tutor.i18n import N_, ngettext
from tutor.i18n import gettext as _
from tutor.ingest_lines import ReportLine, file_names_only, report_lines
from tutor.runtime import Runtime
from tutor.uploads import safe_file_name

log = logging.getLogger(__name__)

MAX_FILES = 50  # in one upload
KEEP_FINISHED = 200  # finished jobs remembered for their pages, the oldest forgotten first
COPY_BLOCK = 1 << 20
SKILLS_HINT = N_("the Skill map")
FINISHED = ("done", "unchanged", "refused")
# What each state is called on the page, and how far along it is (for the file's
# progress bar; "embedding" moves on with the batch).
STATE_LABELS = {"waiting": N_("Waiting"), "converting": N_("Converting"),
                "converted": N_("Converted, waiting to embed"), "embedding": N_("Embedding"),
                "storing": N_("Indexing, writing questions"), "done": N_("Done"),
                "unchanged": N_("Unchanged"), "refused": N_("Refused")}
FRACTIONS = {"waiting": 0.0, "converting": 0.1, "converted": 0.3, "embedding": 0.3,
             "storing": 0.95, "done": 1.0, "unchanged": 1.0, "refused": 1.0}


@dataclass
class FileProgress:
    name: str  # as stored: the safe name, which the course's document will have
    state: str = "waiting"
    reason: str = ""  # why it was refused
    passages: int | None = None


@dataclass
class UploadJob:
    id: str
    kind: str  # "upload" or "reingest"
    course: str
    actor: str  # the account's email
    files: list[FileProgress]
    stage: str = "waiting"  # "converting", "embedding", "storing", "finished"
    embedded: int = 0
    to_embed: int = 0
    lines: list[ReportLine] = field(default_factory=list)
    error: str = ""
    started: float = field(default_factory=time.time)
    finished_at: float | None = None

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    def fraction(self, file: FileProgress) -> float:
        """How far along `file` is, 0 to 1: its state's share, and within embedding
        the share of the batch's chunks embedded (one call embeds every file's)."""
        if file.state == "embedding" and self.to_embed:
            return FRACTIONS["embedding"] + 0.6 * self.embedded / self.to_embed
        return FRACTIONS.get(file.state, 0.0)

    def file(self, name: str) -> FileProgress | None:
        return next((f for f in self.files if f.name == name), None)

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id, "kind": self.kind, "course": self.course, "stage": self.stage,
            "finished": self.finished, "error": self.error,
            "files": [{"name": f.name, "state": f.state, "reason": f.reason,
                       "passages": f.passages, "progress": round(self.fraction(f), 3)}
                      for f in self.files],
            "lines": [line.text for line in self.lines],
            "seconds": round((self.finished_at or time.time()) - self.started, 1),
        }


@dataclass
class Received:
    """An upload's files in its folder, and those refused before ingest: (name, why)."""

    folder: Path
    paths: list[Path] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def receive_files(folder: Path, files: Iterable[tuple[str, BinaryIO, int | None]],
                  max_bytes: int) -> Received:
    """Save each (name as sent, stream, size if known) into `folder` under a safe name
    (tutor.uploads.safe_file_name: whatever was sent, it stays in the folder), after
    checking its type and size; a refused file is named with the reason."""
    received = Received(folder)
    for number, (sent, stream, size) in enumerate(files):
        name = safe_file_name(sent)
        path = folder / name
        try:
            if number >= MAX_FILES:
                raise ConversionError(ngettext(
                    "more than %(n)d file in one upload: send this one in another",
                    "more than %(n)d files in one upload: send this one in another",
                    MAX_FILES) % {"n": MAX_FILES})
            if path.parent != folder or path in received.paths:
                raise ConversionError(_("another file in this upload has the same name"))
            check_type(path)
            if size is not None:
                check_size(size, max_bytes)
            _copy(stream, path, max_bytes)
        except ConversionError as error:
            received.refused.append((name, str(error)))
            continue
        except OSError as error:  # the disk refused it: this file only, the rest go in
            received.refused.append((name, _("could not be saved: %(error)s") % {
                "error": error.strerror or type(error).__name__}))
            continue
        received.paths.append(path)
    return received


def _copy(stream: BinaryIO, path: Path, max_bytes: int) -> None:
    """Copy at most `max_bytes` (a size the client declared is not trusted)."""
    written = 0
    with path.open("xb") as out:
        while block := stream.read(COPY_BLOCK):
            written += len(block)
            if written > max_bytes:
                break
            out.write(block)
    try:
        check_size(written, max_bytes)
    except ConversionError:
        path.unlink()
        raise


class UploadJobs:
    """The console's uploads and re-ingests: started here, watched by id."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, UploadJob] = OrderedDict()
        # One at a time, in order: ingest holds one lock per process anyway, and a
        # queued job shows as waiting.
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="console-ingest")

    def new_folder(self) -> Path:
        return Path(tempfile.mkdtemp(prefix="tutorbot-console-upload-"))

    def upload(self, account: Account, course: str, received: Received) -> UploadJob:
        """Ingest what `received` holds into `course`, off this thread; its folder is
        removed afterwards."""
        files = [FileProgress(path.name) for path in received.paths]
        files += [FileProgress(name, "refused", reason) for name, reason in received.refused]
        job = self._add("upload", course, account, files)
        # The worker speaks the language of the request that started it (tutor/i18n.py).
        self._worker.submit(contextvars.copy_context().run, self._run_upload, job, account,
                            received)
        return job

    def reingest(self, account: Account, course: str, documents: list[str]) -> UploadJob:
        job = self._add("reingest", course, account, [FileProgress(d) for d in documents])
        self._worker.submit(contextvars.copy_context().run, self._run_reingest, job, account,
                            documents)
        return job

    def get(self, job_id: str) -> UploadJob | None:
        """A copy of the job as it is now (its thread goes on changing the original)."""
        with self._lock:
            job = self._jobs.get(job_id)
            return copy.deepcopy(job) if job else None

    def of_course(self, course: str, also: str = "") -> list[UploadJob]:
        """The course's jobs still running, and the job `also` (the one just started
        by a page without JavaScript), newest first."""
        with self._lock:
            return [copy.deepcopy(job) for job in reversed(self._jobs.values())
                    if job.course == course and (not job.finished or job.id == also)]

    def wait(self, job_id: str, timeout_s: float = 60) -> UploadJob | None:
        """The job once finished (tests, benchmarks)."""
        deadline = time.monotonic() + timeout_s
        while (job := self.get(job_id)) is not None and not job.finished:
            if time.monotonic() > deadline:
                raise TimeoutError(f"upload {job_id} still running after {timeout_s} s")
            time.sleep(0.05)
        return job

    def close(self) -> None:
        self._worker.shutdown(wait=True)

    # ---- the worker's side ---------------------------------------------------------

    def _add(self, kind: str, course: str, account: Account,
             files: list[FileProgress]) -> UploadJob:
        job = UploadJob(secrets.token_urlsafe(12), kind, course, account.email, files)
        with self._lock:
            self._jobs[job.id] = job
            finished = [key for key, old in self._jobs.items() if old.finished]
            for key in finished[:max(0, len(finished) - KEEP_FINISHED)]:
                del self._jobs[key]
        return job

    def _progress(self, job: UploadJob) -> tuple[ProgressReporter, FileReporter]:
        def on_stage(stage: str, done: int, total: int) -> None:
            with self._lock:
                if stage == "read":
                    job.stage = "converting"
                elif stage == "embed":
                    job.stage, job.embedded, job.to_embed = "embedding", done, total
                    state = "embedding" if done < total else "storing"
                    for file in job.files:
                        if file.state in ("converted", "embedding"):
                            file.state = state
                else:  # the model writing questions, or storing sentences
                    job.stage = "storing"

        def on_file(name: str, event: str, reason: str) -> None:
            with self._lock:
                if (file := job.file(name)) is not None:
                    file.state, file.reason = event, reason

        return on_stage, on_file

    def _run_upload(self, job: UploadJob, account: Account, received: Received) -> None:
        report, error = IngestReport(job.course), ""
        on_stage, on_file = self._progress(job)
        try:
            if received.paths:
                report = file_names_only(self.runtime.add_material(
                    received.paths, job.course, on_stage, sentences_later=True,
                    on_file=on_file))
        except Exception as failure:  # the job's page says so; the server log has it all
            error = _failure(failure, job)
        finally:
            shutil.rmtree(received.folder, ignore_errors=True)
        report.failed = received.refused + report.failed
        self._audit(account, "upload", job, report, error, added=report.added,
                    updated=report.updated, unchanged=report.unchanged)
        self._finish(job, report, error)

    def _run_reingest(self, job: UploadJob, account: Account, documents: list[str]) -> None:
        report, error, added, retired = RefreshReport(), "", 0, 0
        on_stage, on_file = self._progress(job)
        try:
            report, added, retired = self.runtime.reingest(job.course, documents, on_stage,
                                                           on_file)
        except Exception as failure:
            error = _failure(failure, job)
        found = set(report.rechunked) | {name for name, _ in report.skipped}
        missing = [(name, _("no such document in the course")) for name in documents
                   if name not in found and not error]
        as_ingest = IngestReport(job.course, updated=report.rechunked,
                                 failed=report.skipped + missing,
                                 chunks_added=sum(report.passages.values()),
                                 passages=report.passages, questions_added=added,
                                 questions_retired=retired)
        as_ingest.skills = _skill_count(self.runtime, job.course)
        self._audit(account, "reingest", job, as_ingest, error, rechunked=report.rechunked)
        self._finish(job, as_ingest, error)

    def _audit(self, account: Account, action: str, job: UploadJob, report: IngestReport,
               error: str, **detail: object) -> None:
        """The job's audit entry, written before the job shows as finished (whoever
        sees it done finds it in the log)."""
        try:
            log_change(self.runtime.engine, account, action, job.course,
                       ", ".join(f.name for f in job.files), job=job.id, **detail,
                       refused=[list(pair) for pair in report.failed],
                       passages=report.chunks_added, questions_added=report.questions_added,
                       questions_retired=report.questions_retired, error=error)
        except Exception:  # the material is in: the job still finishes
            log.exception("could not write the audit entry of console %s %s", action, job.id)

    def _finish(self, job: UploadJob, report: IngestReport, error: str) -> None:
        refused = dict(report.failed)
        with self._lock:
            for file in job.files:
                if file.name in report.added or file.name in report.updated:
                    file.state, file.passages = "done", report.passages.get(file.name)
                elif file.name in report.unchanged:
                    file.state = "unchanged"
                elif file.name in refused:
                    file.state, file.reason = "refused", refused[file.name]
                elif file.state not in FINISHED:
                    file.state = "refused"
                    file.reason = file.reason or (error or _("it was not ingested"))
            job.lines = report_lines(report, _(SKILLS_HINT)) if not error else []
            job.error, job.stage, job.finished_at = error, "finished", time.time()


def _failure(failure: Exception, job: UploadJob) -> str:
    if isinstance(failure, TutorError):
        return str(failure)
    log.exception("console %s %s into '%s' failed", job.kind, job.id, job.course)
    if job.kind == "upload":
        text = _("The upload failed (%(error)s); the server log has the details.")
    else:
        text = _("The re-ingest failed (%(error)s); the server log has the details.")
    return text % {"error": type(failure).__name__}


def _skill_count(runtime: Runtime, course: str) -> int:
    from knowledge.library import skill_summaries

    try:
        return len(skill_summaries(runtime.engine, course))
    except LookupError:
        return 0

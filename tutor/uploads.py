"""Course material sent by chat: only admins may add it; each file is checked, fetched
into a temporary folder and ingested; the admin gets a summary of what went in."""

from __future__ import annotations

import asyncio
import re
import tempfile
from pathlib import Path

from knowledge.convert import ConversionError, check_size, check_type
from knowledge.ingest import IngestReport
from tutor.errors import TutorError
from tutor.i18n import gettext as _
from tutor.messages import Attachment
from tutor.runtime import Runtime

# 50 characters: a course button's data ("course:" + name) must fit Telegram's 64 bytes.
_COURSE_NAME = re.compile(r"^[\w][\w .-]{0,49}$")
_CAPTION_PREFIX = re.compile(r"^\s*(/?course\s*:?\s*)", re.IGNORECASE)
_UNSAFE = re.compile(r"[^\w .()-]")
MAX_NAME_BYTES = 200  # file systems take 255; room for the folder's own additions


def course_from_caption(caption: str) -> str:
    """The course named in an upload's caption.

    >>> course_from_caption("course: forklift-safety"), course_from_caption(" fire safety ")
    ('forklift-safety', 'fire safety')
    """
    name = _CAPTION_PREFIX.sub("", caption).strip()
    if not name:
        raise TutorError("Name the course in the caption, for example: course: forklift-safety")
    return check_course_name(name)


def check_course_name(name: str) -> str:
    """`name` if a course can have it (chat buttons, file names and web addresses all
    carry it); a TutorError that says why not otherwise.

    >>> check_course_name("fire safety 2")
    'fire safety 2'
    """
    if not _COURSE_NAME.fullmatch(name):
        raise TutorError(_("'%(name)s' is not a usable course name: use letters, digits, "
                           "spaces, dots, dashes or underscores (at most 50).") % {
            "name": name[:40]})
    return name


def safe_file_name(name: str) -> str:
    """A file name that cannot leave the temporary folder, and that every file system
    takes: at most MAX_NAME_BYTES in UTF-8, its suffix kept.

    >>> safe_file_name("../../etc/passwd"), safe_file_name("Fire Safety (v2).PDF")
    ('passwd', 'Fire Safety (v2).PDF')
    >>> long = safe_file_name("a" * 300 + ".txt")
    >>> len(long.encode()), long[-6:]
    (200, 'aa.txt')
    """
    safe = _UNSAFE.sub("_", Path(name).name).lstrip(".") or "upload"
    if len(safe.encode()) <= MAX_NAME_BYTES:
        return safe
    suffix = Path(safe).suffix if len(Path(safe).suffix.encode()) <= 16 else ""
    room = MAX_NAME_BYTES - len(suffix.encode())
    stem = safe[:len(safe) - len(suffix)].encode()[:room].decode(errors="ignore")
    return stem + suffix


async def ingest_uploads(runtime: Runtime, files: tuple[Attachment, ...],
                         course: str) -> IngestReport:
    """Fetch and ingest; files refused before download (type, size) are in the report."""
    refused: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="tutorbot-upload-") as folder:
        paths: list[Path] = []
        for attachment in files:
            path = Path(folder) / safe_file_name(attachment.name)
            try:
                check_type(path)
                if attachment.size is not None:
                    check_size(attachment.size, runtime.settings.max_upload_bytes)
            except ConversionError as error:
                refused.append((attachment.name, str(error)))
                continue
            path.write_bytes(await attachment.fetch())
            paths.append(path)
        report = (await asyncio.to_thread(runtime.add_material, paths, course,
                                          sentences_later=True) if paths
                  else IngestReport(course))
    report.failed = [(Path(name).name, reason) for name, reason in refused + report.failed]
    return report


def summary(report: IngestReport) -> str:
    lines = [f"Course '{report.course}': {report.chunks_added} passages added from "
             f"{len(report.added) + len(report.updated)} file(s)."]
    if report.updated:
        lines.append("Replaced with the new version: " + ", ".join(report.updated))
    if report.unchanged:
        lines.append("Skipped, already there unchanged: " + ", ".join(report.unchanged))
    lines += [f"Not added: {name}: {reason}" for name, reason in report.failed]
    if report.failed and not (report.added or report.updated or report.unchanged):
        lines.append("Nothing was changed.")
    return "\n".join(lines)

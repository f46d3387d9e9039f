"""Turn one course file into Markdown, or say exactly why it cannot be read."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.errors import ConversionError
from knowledge.isolated import ConversionLimits, ConverterProcess
from knowledge.translation import N_
from knowledge.translation import gettext as _
from knowledge.word import docx_to_markdown

if TYPE_CHECKING:
    from markitdown import DocumentConverter

PLAIN_TEXT = {".md", ".markdown", ".txt"}
# The converted formats, by what readers call them (translated where shown).
CONVERTED = {".html": N_("HTML"), ".htm": N_("HTML"), ".pdf": N_("PDF"), ".docx": N_("Word"),
             ".pptx": N_("PowerPoint")}
SUPPORTED_SUFFIXES = frozenset(PLAIN_TEXT | CONVERTED.keys())


# A Word or PowerPoint file is a zip archive: what its parts unpack to is read before
# any parser runs. Text XML packs about ten to one, pictures hardly at all.
MAX_UNPACKED_BYTES = 1 << 30
MAX_PACKING_RATIO = 200
CONVERTER = ConverterProcess()
DEFAULT_LIMITS = ConversionLimits()


def to_markdown(path: Path, *, max_bytes: int,
                limits: ConversionLimits = DEFAULT_LIMITS) -> str:
    """Markdown text of `path`. PDF pages are separated by form feeds, slides by
    ``<!-- Slide number: N -->`` comments, so the chunker can keep page numbers.
    Converted formats are read in a worker process within `limits`."""
    suffix = check_type(path)
    if not path.is_file():
        raise ConversionError(_("file not found"))
    check_size(path.stat().st_size, max_bytes)
    if suffix in PLAIN_TEXT:
        text = _read_plain(path)
    else:
        if suffix in (".docx", ".pptx"):
            check_unpacked_size(path, CONVERTED[suffix])
        text = CONVERTER.convert(CONVERTED[suffix], path, limits)
    if not text.strip():
        raise ConversionError(_("no text could be extracted (is it a scan or only images?)"))
    return text


def check_unpacked_size(path: Path, kind: str) -> None:
    """ConversionError for an archive whose parts unpack to more than 1 GB, or pack
    one of more than a megabyte over 200 to one: a decompression bomb. (zipfile
    reads no part past the size it declares, so the declared sizes bound the work.)"""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise ConversionError(_("could not be read as %(kind)s (not a valid %(kind)s file: "
                                "%(error)s)") % {"kind": _(kind), "error": error}) from None
    unpacked = sum(part.file_size for part in parts)
    packed_hard = [part for part in parts if part.file_size > 1 << 20
                   and part.file_size > MAX_PACKING_RATIO * max(part.compress_size, 1)]
    if unpacked > MAX_UNPACKED_BYTES or packed_hard:
        raise ConversionError(_(
            "its parts unpack to %(gb).1f GB (a decompression bomb?), so it was not "
            "opened") % {"gb": unpacked / 1e9})


def check_type(path: Path) -> str:
    """The lower-case suffix of a file type ingest reads; ConversionError otherwise.
    (Also used on chat uploads, before they are downloaded.)"""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ConversionError(_("unsupported file type '%(suffix)s' (supported: "
                                "%(supported)s)") % {
            "suffix": suffix or path.name, "supported": ", ".join(sorted(SUPPORTED_SUFFIXES))})
    return suffix


def check_size(size: int, max_bytes: int) -> None:
    if size == 0:
        raise ConversionError(_("the file is empty"))
    if size > max_bytes:
        raise ConversionError(_("the file is %(mb).1f MB, over the %(limit).0f MB limit") % {
            "mb": size / 1e6, "limit": max_bytes / 1e6})


def _read_plain(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise ConversionError(_("this is a binary file, not text"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ConversionError(_("not valid UTF-8 text (byte %(at)d)") % {
            "at": error.start}) from None


def failure_detail(error: BaseException) -> str:
    """A reader's exception as one line: its type and the start of its message, which
    are the reader's words (a library's) and go untranslated into `unreadable`'s.
    (MarkItDown's own convert() is not used: it would fall back to reading a broken PDF
    as plain text, and ingest its raw bytes.)

    >>> failure_detail(ValueError("No /Root object!")), failure_detail(MemoryError())
    ('ValueError: No /Root object!', 'MemoryError')
    """
    cause = error.__cause__ or error
    detail = str(cause).strip().splitlines()[0][:160] if str(cause).strip() else ""
    return f"{type(cause).__name__}: {detail}" if detail else type(cause).__name__


def unreadable(kind: str, detail: str) -> ConversionError:
    """
    >>> str(unreadable("PDF", "ValueError: No /Root object!"))
    'could not be read as PDF (ValueError: No /Root object!)'
    """
    return ConversionError(_("could not be read as %(kind)s (%(reason)s)") % {
        "kind": _(kind), "reason": detail})


PDF_CHAR_MARGIN = 4.0


def _pdf_text(path: Path) -> str:
    """pdfminer's layout-aware text, the engine under markitdown's PDF converter. Called
    directly because that converter, on any page it takes for a form, joins pages
    without the form feeds that carry page numbers into citations, and reads every
    page three times (a third of the speed).

    Words of one line further apart than PDF_CHAR_MARGIN character widths become two
    text boxes, which pdfminer may put in the wrong order: justified LaTeX lines came
    out as "…it requires In general one can say that stable very little
    administration." at pdfminer's default of 2; at 4, 65 lines of the Debian FAQ read
    whole again, and columns 10 points apart stay apart (tests/knowledge)."""
    from pdfminer.high_level import extract_text
    from pdfminer.layout import LAParams

    return extract_text(path, laparams=LAParams(char_margin=PDF_CHAR_MARGIN))


def _markitdown(kind: str) -> Callable[[Path], str]:
    """markitdown's own converter for HTML and PowerPoint (slow import: paid only here)."""

    def read(path: Path) -> str:
        from markitdown import StreamInfo

        info = StreamInfo(extension=path.suffix.lower(), filename=path.name,
                          local_path=str(path))
        with path.open("rb") as stream:
            return _markitdown_converters()[kind].convert(stream, info).markdown

    return read


@cache
def _markitdown_converters() -> dict[str, DocumentConverter]:
    from markitdown.converters import HtmlConverter, PptxConverter

    return {"HTML": HtmlConverter(), "PowerPoint": PptxConverter()}


def import_readers() -> None:
    """Import every reader's libraries now (the worker does, before its memory ceiling)."""
    import docx  # noqa: F401
    import pdfminer.high_level  # noqa: F401

    _markitdown_converters()


READERS: dict[str, Callable[[Path], str]] = {
    "HTML": _markitdown("HTML"), "PowerPoint": _markitdown("PowerPoint"),
    "PDF": _pdf_text, "Word": docx_to_markdown,
}

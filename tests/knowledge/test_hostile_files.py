"""Files built to hurt: each ends in one clear refusal (or in text) within the
conversion limits, the worker recovers for the next file, and the rest of a batch
still goes in."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest

from knowledge.chunking import LONGEST_PART
from knowledge.convert import ConversionError, to_markdown
from knowledge.ingest import chunk_document
from knowledge.isolated import ConversionLimits
from tests.fakes import FakeEmbedder
from tutor.runtime import Runtime

LIMIT = 10**9


def pdf_of_pages(count: int) -> bytes:
    """A valid PDF of `count` pages, one line of text each."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b"",
                            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for page in range(1, count + 1):
        text = f"BT /F1 12 Tf 72 720 Td (Page {page}: keep exits clear) Tj ET".encode()
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text))
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources "
                       b"<< /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % len(objects))
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids), count)
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    start = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, start))
    return out.getvalue()


def docx_with_body(path: Path, paragraphs: list[str]) -> Path:
    """A Word file whose document.xml holds `paragraphs` (the other parts: python-docx's)."""
    import docx

    docx.Document().save(str(path))
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w='
           '"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           + "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
           + "</w:body></w:document>")
    parts = {}
    with zipfile.ZipFile(path) as template:
        parts = {item.filename: template.read(item) for item in template.infolist()}
    parts["word/document.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_a_decompression_bomb_is_refused_unopened(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.pptx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("ppt/slides/slide1.xml", b"\0" * (100 << 20))  # 100 MB of zeros
    assert bomb.stat().st_size < 200_000
    with pytest.raises(ConversionError, match="a decompression bomb"):
        to_markdown(bomb, max_bytes=LIMIT)


def test_a_pdf_too_long_to_convert_in_time_is_stopped_then_the_next_reads(
        tmp_path: Path) -> None:
    long = tmp_path / "manual.pdf"
    long.write_bytes(pdf_of_pages(10_000))
    with pytest.raises(ConversionError, match="took over 1 s, so it was stopped"):
        to_markdown(long, max_bytes=LIMIT, limits=ConversionLimits(timeout_s=1))
    short = tmp_path / "short.pdf"
    short.write_bytes(pdf_of_pages(3))
    assert "Page 3: keep exits clear" in to_markdown(short, max_bytes=LIMIT)


def test_a_file_past_the_memory_ceiling_is_refused(tmp_path: Path) -> None:
    rng = random.Random(7)
    words = "keep exits clear fire door alarm warden check report lift ladder".split()
    big = docx_with_body(tmp_path / "big.docx", [
        f"{' '.join(rng.choices(words, k=8))} {n}." for n in range(600_000)])
    with pytest.raises(ConversionError, match="needed more than 400 MB of memory"):
        to_markdown(big, max_bytes=LIMIT, limits=ConversionLimits(memory_mb=400))
    small = docx_with_body(tmp_path / "small.docx", ["Keep exits clear."])
    assert "Keep exits clear." in to_markdown(small, max_bytes=LIMIT)


def test_html_nested_too_deep_still_gives_its_text(tmp_path: Path) -> None:
    nested = tmp_path / "nested.html"
    nested.write_text("<html><body>" + "<div>" * 100_000 + "Exits stay unlocked."
                      + "</div>" * 100_000 + "</body></html>")
    assert "Exits stay unlocked." in to_markdown(nested, max_bytes=LIMIT)


def test_the_rest_of_a_batch_goes_in(runtime: Runtime, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    with zipfile.ZipFile(folder / "bomb.docx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (100 << 20))
    (folder / "manual.pdf").write_bytes(pdf_of_pages(10_000))
    (folder / "exits.md").write_text("# Exits\n\nFire exits stay unlocked while staff are in.\n")
    runtime.settings = runtime.settings.model_copy(update={"conversion_timeout_s": 1.0})
    report = runtime.add_material([folder], "hostile")
    reasons = dict(report.failed)
    assert report.added == ["exits.md"]
    assert "decompression bomb" in reasons[str(folder / "bomb.docx")]
    assert "took over 1 s" in reasons[str(folder / "manual.pdf")]


def test_a_50_mb_single_line_is_refused_by_size_and_a_long_one_is_cut(tmp_path: Path) -> None:
    line = tmp_path / "line.txt"
    line.write_bytes(b"x" * 50_000_000)
    with pytest.raises(ConversionError, match=r"50\.0 MB, over the 25 MB limit"):
        to_markdown(line, max_bytes=25_000_000)
    text = "y" * 1_000_000  # under the limit, but one "word" a tokenizer counts as one
    _, chunks = chunk_document(text, "text", "line.txt", FakeEmbedder())
    assert max(len(chunk.text) for chunk in chunks) <= 2 * LONGEST_PART
    assert sum(chunk.text.count("y") for chunk in chunks) >= len(text)  # nothing dropped

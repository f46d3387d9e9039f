from pathlib import Path

import pytest

from knowledge.convert import ConversionError, to_markdown
from tests.conftest import SAMPLE_COURSE

LIMIT = 1_000_000


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.md", b"", "the file is empty"),
        ("notes.xyz", b"hello", "unsupported file type '.xyz'"),
        ("big.txt", b"a" * (LIMIT + 1), "over the 1 MB limit"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "could not be read as PDF"),
        ("broken.docx", b"PK\x03\x04 not a zip", "could not be read as Word"),
        ("latin1.md", "café".encode("latin-1"), "not valid UTF-8"),
        ("binary.txt", b"\x00\x01\x02" * 10, "binary file"),
        ("blank.md", b"   \n\n  ", "no text could be extracted"),
    ],
)
def test_bad_files_get_a_specific_reason(tmp_path: Path, name: str, data: bytes,
                                         reason: str) -> None:
    with pytest.raises(ConversionError, match=reason):
        to_markdown(write(tmp_path, name, data), max_bytes=LIMIT)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("first-aid.html", "20 minutes"),
        ("forklift-safety.pdf", "\f"),
        ("incident-reporting.docx", "# "),
        ("hazardous-substances.pptx", "<!-- Slide number: 2 -->"),
    ],
)
def test_sample_formats_convert(name: str, expected: str) -> None:
    assert expected in to_markdown(SAMPLE_COURSE / name, max_bytes=LIMIT * 25)


def test_word_keeps_headings_lists_and_tables_in_order(tmp_path: Path) -> None:
    from docx import Document

    document = Document()
    document.add_heading("Ladders", level=1)
    document.add_paragraph("Check before use.")
    document.add_paragraph("Feet intact", style="List Bullet")
    document.add_paragraph("Rungs clean", style="List Bullet")
    document.add_heading("Limits", level=2)
    table = document.add_table(rows=2, cols=2)
    for cell, text in zip(table._cells, ["Ladder", "Max load", "Step | A", "150 kg"],
                          strict=True):
        cell.text = text
    document.add_paragraph("Report damage.")
    path = tmp_path / "ladders.docx"
    document.save(str(path))

    assert to_markdown(path, max_bytes=LIMIT) == (
        "# Ladders\n\nCheck before use.\n\n- Feet intact\n- Rungs clean\n\n## Limits\n\n"
        "| Ladder | Max load |\n| --- | --- |\n| Step \\| A | 150 kg |\n\nReport damage.\n"
    )

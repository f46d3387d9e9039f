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


def _pdf(path: Path, columns: list[str], gutter: float) -> Path:
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    width = (595 - 2 * 56 - gutter * (len(columns) - 1)) / len(columns)
    for number, text in enumerate(columns):
        pdf.set_xy(56 + number * (width + gutter), 80)
        pdf.multi_cell(width, 12, text)
    pdf.output(str(path))
    return path


def _justified_pdf(path: Path, lines: list[str], word_gap: float) -> Path:
    """Lines whose word spaces are stretched wide, as LaTeX justifies them."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for number, line in enumerate(lines):
        pdf.set_xy(56, 80 + 12 * number)
        for word in line.split():
            pdf.cell(text=word)
            pdf.set_x(pdf.get_x() + (word_gap if number == 0 else 3))
    pdf.output(str(path))
    return path


def test_pdf_columns_stay_apart_and_a_widely_spaced_line_reads_whole(tmp_path: Path) -> None:
    left = ("Fire doors must never be wedged open. They hold back smoke and flames for "
            "thirty minutes, which gives everyone time to leave.")
    right = ("Forklift drivers sound the horn at every blind corner. Pedestrians keep to "
             "the marked walkways at all times.")
    text = " ".join(to_markdown(_pdf(tmp_path / "columns.pdf", [left, right], 10),
                                max_bytes=LIMIT).split())
    assert left in text and right in text
    # At pdfminer's default this came out as "Never … equipment. electrical water use on".
    lines = ["Never use water on electrical equipment.", "Use the CO2 extinguisher instead."]
    text = to_markdown(_justified_pdf(tmp_path / "justified.pdf", lines, 12), max_bytes=LIMIT)
    assert " ".join(text.split()) == " ".join(lines)

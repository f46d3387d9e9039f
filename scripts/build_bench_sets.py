"""Build the public benchmark document sets under bench/data/ from Debian packages.

Two real-world course-like document sets with question/answer files, written by nobody on the
team, to measure retrieval and answer quality:

- bench/data/zsh-faq/: the Z-Shell FAQ (zsh-common 5.9-4), one .txt per chapter, with the
  question headings removed from the text so that retrieval cannot match a question to its
  own heading.
- bench/data/debian-faq/: the LaTeX-typeset Debian GNU/Linux FAQ PDF (debian-faq 11.1) with the
  section headings, the running section headers and the table of contents entries removed from
  the page content; everything else is left exactly as typeset.
- bench/data/off_topic.txt: questions that neither set (nor the sample safety course) answers.

Usage (pikepdf is a build-time tool only: `.venv/bin/pip install pikepdf`):

    .venv/bin/python scripts/build_bench_sets.py /tmp/deb          # folder holding the .deb files
    .venv/bin/python scripts/build_bench_sets.py zsh-common_5.9-4_all.deb debian-faq_11.1_all.deb
    .venv/bin/python scripts/build_bench_sets.py --download        # runs `apt-get download`

The output is deterministic: running it twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "data"

ZSH_PACKAGE, ZSH_VERSION = "zsh-common", "5.9-4"
ZSH_FAQ_MEMBER = "usr/share/doc/zsh-common/FAQ.gz"
DFAQ_PACKAGE, DFAQ_VERSION = "debian-faq", "11.1"
DFAQ_PDF_MEMBER = "usr/share/doc/debian/FAQ/debian-faq.en.pdf.gz"
DFAQ_TXT_MEMBER = "usr/share/doc/debian/FAQ/debian-faq.en.txt.gz"
DFAQ_COPYRIGHT_MEMBER = "usr/share/doc/debian-faq/copyright"

# ---------------------------------------------------------------------------------------------
# Reading .deb files (an ar archive holding control.tar.* and data.tar.*), no dpkg needed.
# ---------------------------------------------------------------------------------------------


@dataclass
class Deb:
    path: Path
    package: str
    version: str
    files: dict[str, bytes] = field(default_factory=dict)


def _ar_members(blob: bytes) -> dict[str, bytes]:
    if not blob.startswith(b"!<arch>\n"):
        raise ValueError("not an ar archive")
    members: dict[str, bytes] = {}
    pos = 8
    while pos + 60 <= len(blob):
        header = blob[pos : pos + 60]
        name = header[:16].decode().strip().rstrip("/")
        size = int(header[48:58].decode().strip())
        members[name] = blob[pos + 60 : pos + 60 + size]
        pos += 60 + size + (size % 2)
    return members


def _tar_member(members: dict[str, bytes], prefix: str) -> tarfile.TarFile:
    for name, data in members.items():
        if name.startswith(prefix):
            return tarfile.open(fileobj=io.BytesIO(data), mode="r:*")
    raise ValueError(f"no {prefix}* member")


def read_deb(path: Path, wanted: list[str]) -> Deb:
    """The package name, version and the wanted files (paths without leading './')."""
    members = _ar_members(path.read_bytes())
    with _tar_member(members, "control.tar") as control_tar:
        control_file = control_tar.extractfile("./control")
        assert control_file is not None
        control = control_file.read().decode()
    fields = dict(
        line.split(": ", 1) for line in control.splitlines() if ": " in line and line[0] != " "
    )
    deb = Deb(path, fields["Package"], fields["Version"])
    with _tar_member(members, "data.tar") as data_tar:
        for member in data_tar.getmembers():
            name = member.name.removeprefix("./")
            if name in wanted:
                extracted = data_tar.extractfile(member)
                assert extracted is not None, f"{name} is not a regular file in {path}"
                deb.files[name] = extracted.read()
    missing = set(wanted) - deb.files.keys()
    if missing:
        raise SystemExit(f"{path}: missing {sorted(missing)}")
    return deb


def find_debs(args: list[str], download_to: Path | None) -> dict[str, Path]:
    """Map package name -> .deb path, from files/folders given, or by running apt-get download."""
    candidates: list[Path] = []
    if download_to is not None:
        tmp = download_to
        for spec in (f"{ZSH_PACKAGE}={ZSH_VERSION}", f"{DFAQ_PACKAGE}={DFAQ_VERSION}"):
            result = subprocess.run(["apt-get", "download", spec], cwd=tmp, check=False)
            if result.returncode != 0:  # that exact version is not in the sources: take theirs
                subprocess.run(["apt-get", "download", spec.split("=")[0]], cwd=tmp, check=True)
        candidates = sorted(tmp.glob("*.deb"))
    for arg in args:
        path = Path(arg)
        candidates += sorted(path.glob("*.deb")) if path.is_dir() else [path]
    found: dict[str, Path] = {}
    for package in (ZSH_PACKAGE, DFAQ_PACKAGE):
        matches = [c for c in candidates if c.name.startswith(f"{package}_")]
        if not matches:
            raise SystemExit(f"no {package}_*.deb among {[str(c) for c in candidates]}")
        found[package] = matches[-1]
    return found


def check_version(deb: Deb, expected: str) -> None:
    if deb.version != expected:
        print(
            f"warning: {deb.package} is {deb.version}, the sets were checked against {expected}; "
            "the script fails below if the question headings changed",
            file=sys.stderr,
        )


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    write_text(path, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))


# ---------------------------------------------------------------------------------------------
# Set A: the Z-Shell FAQ
# ---------------------------------------------------------------------------------------------

ZSH_CHAPTER_RE = re.compile(r"^Chapter (\d+): (.*)$")
ZSH_HEADING_RE = re.compile(r"^(\d+\.\d+): (.*)$")

# id -> (start of the original heading, standalone question). The heading check makes the
# script fail rather than pair a question with the wrong answer if a new FAQ renumbers.
ZSH_QUESTIONS: dict[str, tuple[str, str]] = {
    "1.1": ("Sources of information", "Where can I find information about zsh?"),
    "1.2": ("What is it?", "What is zsh?"),
    "1.3": ("What is it good at?", "What is zsh good at?"),
    "1.4": ("On what machines will it run?", "On what machines will zsh run?"),
    "1.5": ("What's the latest version?", "What's the latest version of zsh?"),
    "1.6": ("Where do I get it?", "Where do I get zsh?"),
    "1.7": ("I don't have root access", ""),
    "2.1": ("Differences from sh and ksh", "How does zsh differ from sh and ksh?"),
    "2.2": ("Similarities with csh", "How does zsh differ from csh?"),
    "2.3": ("Why do my csh aliases not work?", "Why do my csh aliases not work in zsh?"),
    "2.4": ("Similarities with tcsh", "How does zsh differ from tcsh?"),
    "2.5": ("Similarities with bash", "How does zsh differ from bash?"),
    "2.6": ("Shouldn't zsh be more/less like", ""),
    "2.7": ("What is zsh's support for Unicode", ""),
    "2.8": ("Why does my bash script report an error", ""),
    "3.1": (
        "Why does `$var' where",
        "Why does `$var' where `var=\"foo bar\"' not do what I expect in zsh?",
    ),
    "3.2": ("In which startup file", "In which zsh startup file do I put my settings?"),
    "3.3": ("What is the difference between `export'", ""),
    "3.4": ("How do I turn off spelling correction", ""),
    "3.5": ("How do I get the Meta key", ""),
    "3.6": ("How do I automatically display the directory", ""),
    "3.7": ("How do I make the completion list use eight bit", ""),
    "3.8": ("Why do the cursor (arrow) keys not work?", "Why do the cursor (arrow) keys not work?"),
    "3.9": ("Why does my terminal act funny", ""),
    "3.10": ("Why does zsh not work in an Emacs shell mode", ""),
    "3.11": ("Why do my autoloaded functions not autoload", ""),
    "3.12": ("How does base arithmetic work?", "How does base arithmetic work in zsh?"),
    "3.13": ("How do I get a newline in my prompt?", ""),
    "3.14": ("Why does `bindkey ^a command-name'", ""),
    "3.15": ("Why can't I bind \\C-s and \\C-q any more?", ""),
    "3.16": ("How do I execute command `foo' within function `foo'?", ""),
    "3.17": ("Why do history substitutions with single bangs", ""),
    "3.18": ("Why does zsh kill off all my background jobs", ""),
    "3.19": ("How do I list all my history entries?", ""),
    "3.20": ("How does the alternative loop syntax", ""),
    "3.21": ("Why is my history not being saved?", ""),
    "3.22": ("How do I get a variable's value to be evaluated", ""),
    "3.23": ("How do I prevent the prompt overwriting output", ""),
    "3.24": ("What's wrong with cut and paste on my xterm?", ""),
    "3.25": ("How do I get coloured prompts", ""),
    "3.26": ("Why is my output duplicated", ""),
    "3.27": ("What are these `^' and `~' pattern characters", ""),
    "3.28": ("How do I edit the input buffer in $EDITOR?", ""),
    "3.29": ("Why does `which' output for missing commands", ""),
    "3.30": ("Why doesn't the expansion `*.{tex,aux,pdf}'", ""),
    "4.1": ("What is completion?", "What is completion in zsh?"),
    "4.2": ("What sorts of things can be completed?", "What sorts of things can zsh complete?"),
    "4.3": ("How does zsh deal with ambiguous completions?", ""),
    "4.4": ("How do I complete in the middle of words", ""),
    "4.5": ("How do I get started with programmable completion?", ""),
    "4.6": (
        "Suppose I want to complete all files",
        "How do I complete all files during a special completion?",
    ),
    "5.1": ("What is multibyte input?", ""),
    "5.2": ("How does zsh handle multibyte input and output?", ""),
    "5.3": ("How do I ensure multibyte input and output work", ""),
    "5.4": ("How can I input characters that aren't on my keyboard?", ""),
    "6.1": (
        "What bugs are currently known and unfixed?",
        "What bugs in zsh are known and unfixed?",
    ),
    "6.2": (
        "Where do I report bugs",
        "Where do I report zsh bugs, get more information, and who is working on zsh?",
    ),
    "6.3": ("What's on the wish-list?", "What's on the zsh wish-list?"),
    "6.4": ("Did zsh have problems in the year 2000?", ""),
    "6.5": ("When reporting a bug, how do I reduce my `.zshrc'", ""),
}


@dataclass
class Question:
    id: str
    heading: str
    source: str
    answer: str


def split_zsh_faq(text: str) -> tuple[dict[str, str], str, list[Question]]:
    """(chapter files, copyright notice, questions) from the plain-text FAQ."""
    lines = text.split("\n")
    contents_at = lines.index("Contents:")
    contents_end = lines.index("--- End of Contents ---")
    copyright_at = lines.index("Copyright Information:")
    front = lines[:contents_at]  # Usenet header and introduction, ends with blank lines
    body = lines[contents_end + 1 : copyright_at]
    while body and not body[0].strip():
        body.pop(0)

    chapters: dict[str, list[str]] = {}
    current: list[str] = []
    for line in body:
        match = ZSH_CHAPTER_RE.match(line)
        if match:
            current = []
            chapters[f"chapter-{match.group(1)}.txt"] = current
        current.append(line)
    if not chapters or not body or not ZSH_CHAPTER_RE.match(body[0]):
        raise SystemExit("zsh FAQ: could not find the chapters")
    first = next(iter(chapters))
    chapters[first][:0] = front

    files: dict[str, str] = {}
    questions: list[Question] = []
    for name, chapter_lines in chapters.items():
        out: list[str] = []
        answers: list[tuple[str, str, list[str]]] = []  # (id, heading, answer lines)
        in_answer = False
        i = 0
        while i < len(chapter_lines):
            line = chapter_lines[i]
            match = ZSH_HEADING_RE.match(line)
            if match:
                answers.append((match.group(1), match.group(2), []))
                in_answer = True
                i += 1
                while i < len(chapter_lines) and not chapter_lines[i].strip():
                    i += 1  # the blank lines that belong to the heading go with it
                continue
            if line == "Acknowledgments:":  # not a question: ends the last answer, stays
                in_answer = False
            out.append(line)
            if in_answer:
                answers[-1][2].append(line)
            i += 1
        for qid, heading, answer_lines in answers:
            while answer_lines and not answer_lines[-1].strip():
                answer_lines.pop()
            questions.append(Question(qid, heading, name, "\n".join(answer_lines)))
        while out and not out[-1]:
            out.pop()
        files[name] = "\n".join(out) + "\n"

    notice_lines = lines[copyright_at:]
    while notice_lines and not notice_lines[-1]:
        notice_lines.pop()
    return files, "\n".join(notice_lines) + "\n", questions


def build_zsh(deb: Deb, out: Path) -> dict[str, int]:
    check_version(deb, ZSH_VERSION)
    text = gzip.decompress(deb.files[ZSH_FAQ_MEMBER]).decode("utf-8")
    files, notice, questions = split_zsh_faq(text)
    target = out / "zsh-faq"
    material = target / "material"
    for old in material.glob("*"):
        old.unlink()
    for name, content in files.items():
        write_text(material / name, content)
    write_text(material / "COPYRIGHT", notice)

    rows: list[dict[str, Any]] = []
    seen = set()
    for q in questions:
        if q.id not in ZSH_QUESTIONS:
            raise SystemExit(f"zsh FAQ: unknown question {q.id} {q.heading!r}: update the script")
        prefix, standalone = ZSH_QUESTIONS[q.id]
        if not q.heading.startswith(prefix):
            raise SystemExit(f"zsh FAQ: {q.id} is now {q.heading!r}, expected {prefix!r}...")
        seen.add(q.id)
        if not q.answer.strip() or q.answer not in files[q.source]:
            raise SystemExit(f"zsh FAQ: bad answer for {q.id}")
        rows.append(
            {
                "id": q.id,
                "question": standalone or q.heading,
                "heading": q.heading,
                "source": q.source,
                "answer": q.answer,
            }
        )
    if seen != ZSH_QUESTIONS.keys():
        raise SystemExit(f"zsh FAQ: questions not found: {sorted(ZSH_QUESTIONS.keys() - seen)}")
    for name, content in files.items():  # no heading survives in the ingested text
        for q in questions:
            if f"{q.id}: {q.heading}" in content:
                raise SystemExit(f"zsh FAQ: heading {q.id} left in {name}")
    write_jsonl(target / "qa.jsonl", rows)
    write_text(target / "SOURCE.md", zsh_source_md(deb, notice, len(files), len(rows)))
    return {"documents": len(files), "questions": len(rows)}


def zsh_source_md(deb: Deb, notice: str, n_files: int, n_questions: int) -> str:
    return f"""# Z-Shell FAQ benchmark set

## Provenance

- Debian package `{deb.package}` version `{deb.version}` (Debian bookworm), file
  `/{ZSH_FAQ_MEMBER}`: the Z-Shell FAQ by Peter Stephenson (Last-Modified 2020/08/08),
  plain text generated from YODL.
- Upstream: https://zsh.sourceforge.io/FAQ/

## License

The FAQ may be redistributed provided its copyright notice appears in all copies. The notice
is reproduced below and in `material/COPYRIGHT` (no file extension, so tutorbot does not
ingest it):

```
{notice.rstrip()}
```

## How the files were made

```
.venv/bin/pip install pikepdf   # build-time only, used for the Debian FAQ set
.venv/bin/python scripts/build_bench_sets.py /path/to/folder/with/debs   # or --download
```

- `material/chapter-N.txt` ({n_files} files): the FAQ text split at its `Chapter N:` lines.
  The Usenet header and introduction that precede the table of contents are kept at the top
  of `chapter-1.txt`; the table of contents (which lists every question) is dropped.
- **Every question heading line (e.g. `3.12: How does base arithmetic work?`) and the blank
  lines that follow it were removed from the ingested text**, so retrieval cannot match a
  question against its own heading. Everything else is byte-for-byte as in the original: hard
  wraps at ~72 columns, the odd two-space indentation of continuation lines, code blocks,
  trailing spaces. Chapter titles (`Chapter 3: How to get various things to work`) and the
  chapter introductions are kept. The Acknowledgments section stays at the end of
  `chapter-6.txt`; the copyright section moved to `material/COPYRIGHT`.
- `qa.jsonl` ({n_questions} questions): one object per FAQ question,
  `{{"id", "question", "heading", "source", "answer"}}`. `heading` is the original heading;
  `question` is the heading, or a minimal standalone rewrite where the heading only makes sense
  under its chapter title (e.g. `2.4: Similarities with tcsh` -> "How does zsh differ from
  tcsh?") or says "it" for zsh. `answer` is the full text between the removed heading and the
  next one, exactly as it appears in the `source` file (it is a substring of that file).
"""


# ---------------------------------------------------------------------------------------------
# Set B: the Debian GNU/Linux FAQ, as typeset by LaTeX (dblatex + xdvipdfmx)
# ---------------------------------------------------------------------------------------------

SECTION_NUMBER_RE = re.compile(r"^\d+(\.\d+)+")
HEADER_TOP = 780.0  # running headers are drawn at y ~ 794
FOOTER_BOTTOM = 45.0  # page numbers are drawn at y ~ 31
HEADING_SIZES = (14.35, 11.96)  # section and subsection headings (bold, bold-italic, mono-bold)
BODY_SIZE = 9.96  # sub-sub-section headings (8.1.6.1, 12.2.1.1) are bold at body size


@dataclass
class TextOp:
    font: str
    size: float
    text: str
    x: float
    y: float
    raw: bytes  # the string operands, to align pdfminer's and pikepdf's view of the stream


def _string_bytes(seq: list[Any]) -> bytes:
    return b"".join(bytes(item) for item in seq if isinstance(item, bytes | bytearray))


def pdf_text_ops(path: Path) -> list[list[TextOp]]:
    """Every text-showing operator of every page, in content-stream order, as pdfminer sees it."""
    from pdfminer.converter import PDFLayoutAnalyzer
    from pdfminer.layout import LTChar
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    class Recorder(PDFLayoutAnalyzer):
        def __init__(self, rsrcmgr: PDFResourceManager) -> None:
            super().__init__(rsrcmgr, laparams=None)
            self.ops: list[TextOp] = []
            self.chars: list[LTChar] = []

        def render_string(self, textstate: Any, seq: Any, ncs: Any, graphicstate: Any) -> None:
            self._flush()
            self.pending = (textstate.font.fontname, float(textstate.fontsize), list(seq))
            super().render_string(textstate, seq, ncs, graphicstate)
            self._flush()

        def render_char(self, *args: Any, **kwargs: Any) -> float:
            advance = super().render_char(*args, **kwargs)
            item = self.cur_item._objs[-1]
            if isinstance(item, LTChar):
                self.chars.append(item)
            return advance

        def _flush(self) -> None:
            pending = getattr(self, "pending", None)
            if pending is None:
                return
            font, size, seq = pending
            text = "".join(c.get_text() for c in self.chars)
            x = self.chars[0].x0 if self.chars else 0.0
            y = self.chars[0].y0 if self.chars else 0.0
            self.ops.append(TextOp(font, size, text, x, y, _string_bytes(seq)))
            self.chars = []
            self.pending = None

    pages: list[list[TextOp]] = []
    rsrcmgr = PDFResourceManager()
    with path.open("rb") as f:
        for page in PDFPage.get_pages(f):
            device = Recorder(rsrcmgr)
            PDFPageInterpreter(rsrcmgr, device).process_page(page)
            pages.append(device.ops)
    return pages


def _is_heading_font(op: TextOp) -> bool:
    return any(abs(op.size - size) < 0.05 for size in HEADING_SIZES) and "Bold" in op.font


def classify_ops(pages: list[list[TextOp]]) -> tuple[list[set[int]], list[int]]:
    """Per page, the indices of the text operators to drop; and the table-of-contents pages."""
    drops: list[set[int]] = []
    toc_pages: list[int] = []
    body_started = False
    for pno, ops in enumerate(pages):
        drop: set[int] = set()
        is_toc = any(re.search(r"\.{10,}", op.text.replace(" ", "")) for op in ops)
        if is_toc:
            toc_pages.append(pno)
        if any(op.size > 20 and op.text.startswith("Chapter") for op in ops):
            body_started = True
        in_section_header = False
        for i, op in enumerate(ops):
            text = op.text.replace("\xa0", " ").strip()
            if op.y > HEADER_TOP:  # running header: keep "CHAPTER n. TITLE", drop "n.m. TITLE"
                if text.startswith(("CHAPTER", "CONTENTS")):
                    in_section_header = False
                elif SECTION_NUMBER_RE.match(text):
                    in_section_header = True
                if in_section_header:
                    drop.add(i)
                continue
            if is_toc:  # keep the "Contents" title, the chapter entries (bold), page footers
                if "Bold" not in op.font and op.y > FOOTER_BOTTOM:
                    drop.add(i)
                continue
            if not body_started:
                continue
            subsubsection = (
                abs(op.size - BODY_SIZE) < 0.05
                and op.font.endswith("Bold")
                and re.match(r"^\d+\.\d+\.\d+\.\d+", text)
            )
            if _is_heading_font(op) or subsubsection:
                drop.add(i)
        drops.append(drop)
    return drops, toc_pages


TEXT_SHOW_OPS = {"Tj", "TJ", "'", '"'}
TEXT_POSITION_OPS = {"Td", "TD", "Tm", "T*", "BT"}


def _operand_bytes(operands: list[Any]) -> bytes:
    import pikepdf

    out = b""
    for operand in operands:
        if isinstance(operand, pikepdf.String):
            out += bytes(operand)
        elif isinstance(operand, pikepdf.Array):
            out += b"".join(bytes(item) for item in operand if isinstance(item, pikepdf.String))
    return out


def strip_pdf_headings(src: Path, dst: Path) -> dict[str, Any]:
    """Write dst: src without the heading text, running section headers, TOC entries, outline."""
    import pikepdf

    pages_ops = pdf_text_ops(src)
    drops, toc_pages = classify_ops(pages_ops)
    removed: list[list[str]] = []
    with pikepdf.open(src) as pdf:
        if len(pdf.pages) != len(pages_ops):
            raise SystemExit("pdfminer and pikepdf disagree on the number of pages")
        for pno, page in enumerate(pdf.pages):
            instructions = pikepdf.parse_content_stream(page)
            new: list[Any] = []
            show_index = -1
            dropped_since_move = False
            removed_here: list[str] = []
            for instruction in instructions:
                operands, operator = instruction.operands, str(instruction.operator)
                if operator in TEXT_SHOW_OPS:
                    show_index += 1
                    if _operand_bytes(list(operands)) != pages_ops[pno][show_index].raw:
                        raise SystemExit(f"page {pno + 1}: content streams do not line up")
                    if show_index in drops[pno]:
                        removed_here.append(pages_ops[pno][show_index].text)
                        dropped_since_move = True
                        # ' and " also move to the next line: keep that part of their effect
                        if operator == '"':
                            new.append(pikepdf.ContentStreamInstruction([operands[0]], "Tw"))
                            new.append(pikepdf.ContentStreamInstruction([operands[1]], "Tc"))
                        if operator in {"'", '"'}:
                            new.append(pikepdf.ContentStreamInstruction([], "T*"))
                        continue
                    if dropped_since_move:
                        # a kept string would start where a dropped one ended: never happens in
                        # this PDF (every string is positioned with Td), so refuse to guess
                        raise SystemExit(f"page {pno + 1}: kept text follows dropped text")
                elif operator in TEXT_POSITION_OPS:
                    dropped_since_move = False
                new.append(instruction)
            if show_index + 1 != len(pages_ops[pno]):
                raise SystemExit(f"page {pno + 1}: content streams do not line up")
            if removed_here:
                page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(new))
            removed.append(removed_here)
            if pno in toc_pages and "/Annots" in page.obj:  # links of the removed TOC entries
                kept = [
                    annot
                    for annot in page.obj.Annots
                    if not (
                        "/A" in annot
                        and "/D" in annot.A
                        and str(annot.A.D).startswith(("section.", "subsection.", "subsub"))
                    )
                ]
                page.obj.Annots = pdf.make_indirect(pikepdf.Array(kept))
        if "/Outlines" in pdf.Root:  # the bookmarks carry every heading
            del pdf.Root["/Outlines"]
        pdf.Root.PageMode = pikepdf.Name.UseNone
        pdf.remove_unreferenced_resources()
        dst.parent.mkdir(parents=True, exist_ok=True)
        pdf.save(dst, deterministic_id=True, compress_streams=True)
    return {"removed": removed, "toc_pages": toc_pages}


DFAQ_HEADING_RE = re.compile(r"^(\d+(?:\.\d+)+)\.[\u00a0 ](.*)$")
DFAQ_CHAPTER_RE = re.compile(r"^Chapter[\u00a0 ](\d+)\.[\u00a0 ](.*)$")
CROSS_REF_RE = re.compile(r"\b((?:Section|Chapter) \d+(?:\.\d+)*), “[^”]*”")


@dataclass
class TxtSection:
    id: str
    heading: str
    body: list[str]


def parse_debian_txt(text: str) -> tuple[list[TxtSection], dict[str, str]]:
    """The numbered sections of the text version, and the chapter titles by number."""
    lines = text.split("\n")
    chapters: dict[str, str] = {}
    start = next(i for i, line in enumerate(lines) if DFAQ_CHAPTER_RE.match(line))
    sections: list[TxtSection] = []
    current: TxtSection | None = None
    i = start
    while i < len(lines):
        line = lines[i]
        match = DFAQ_HEADING_RE.match(line)
        if match:
            heading = [match.group(2)]
            i += 1
            while i < len(lines) and lines[i].strip() and not lines[i].startswith(" "):
                heading.append(lines[i])  # headings wrap onto unindented lines
                i += 1
            current = TxtSection(match.group(1), unwrap(heading), [])
            sections.append(current)
            continue
        chapter = DFAQ_CHAPTER_RE.match(line)
        if chapter:
            chapters[chapter.group(1)] = chapter.group(2).strip()
        if chapter or re.fullmatch(r"-{20,}", line.strip()):
            current = None  # a chapter, or the chapter's footnotes after a rule: not an answer
        elif current is not None:
            current.body.append(line)
        i += 1
    return sections, chapters


def unwrap(lines: list[str]) -> str:
    """Join wrapped lines of the text version with spaces, except where it broke a URL or path
    at a slash because the line was full ("(https:" / "//www.debian.org", "GNU/" / "Linux")."""
    joined = ""
    previous = ""
    for raw in lines:
        part = raw.strip()
        if not part:
            continue
        last = previous.split()[-1] if previous.strip() else ""
        broken_path = len(previous) >= 45 and (
            previous.endswith(("/", "#"))
            or part.startswith("//")
            or (part.startswith("/") and ("/" in last or "://" in last or last.isupper()))
        )
        joined += part if not joined or broken_path else " " + part
        previous = raw.rstrip()
    return " ".join(joined.split())


def normalise_answer(body: list[str], chapters: dict[str, str]) -> str:
    """Paragraphs of the text version with the wrapping undone and whitespace collapsed."""
    paragraphs = [unwrap(block.split("\n")) for block in "\n".join(body).split("\n\n")]
    # footnote markers go; the notes themselves (after the chapter's last section) are left out
    paragraphs = [re.sub(r" ?\^\[\d+\]", "", p).strip() for p in paragraphs]
    answer = "\n\n".join(p for p in paragraphs if p)
    # The text version writes cross-references as 'Section 12.1, “<heading>”' and 'Chapter 3,
    # <title>'; the PDF only says 'Section 12.1', 'Chapter 3'. Keep the PDF's words, so that
    # word overlap does not reward heading text.
    answer = CROSS_REF_RE.sub(r"\1", answer)
    for number, title in chapters.items():
        answer = answer.replace(f"Chapter {number}, {title}", f"Chapter {number}")
    return answer


# id -> (start of the original heading, standalone question; "" = the heading as it stands).
DFAQ_QUESTIONS: dict[str, tuple[str, str]] = {
    "1.1": ("What is this FAQ?", "What does the Debian GNU/Linux FAQ cover?"),
    "1.2": ("What is Debian GNU/Linux?", ""),
    "1.3": ("OK, now I know what Debian is", "What is Linux?"),
    "1.4": ("Does Debian just do GNU/Linux?", ""),
    "1.5": ("What is the difference between Debian GNU/Linux and other", ""),
    "1.6": ("How does the Debian project fit in", ""),
    "1.7": ("How does one pronounce Debian", ""),
    "2.1": ("What is the latest version of Debian?", ""),
    "2.2": ("Are there package upgrades in", "Are there package upgrades in Debian stable?"),
    "2.3": ("Where/how can I get the Debian installation images?", ""),
    "2.4": ("How do I install Debian from CD-ROMs?", ""),
    "2.5": (
        "Why does the official stable released CD-ROM",
        "Why does the official Debian stable CD-ROM contain symlinks for frozen and unstable?",
    ),
    "2.6": ("Can I get and install Debian directly", ""),
    "2.7": (
        "Are there any alternative strategies for booting",
        "Are there any alternative strategies for booting the Debian installer?",
    ),
    "3.1": ("Which Debian distribution", ""),
    "3.1.1": (
        "You asked me to install stable",
        "My hardware is not detected or not working in Debian stable. What should I do?",
    ),
    "3.1.2": (
        "Will there be different versions of packages",
        "Will there be different versions of packages in different Debian distributions?",
    ),
    "3.1.3": (
        "The stable distributions really contains outdated",
        "Why does Debian stable contain such old versions of packages like KDE, GNOME, Xorg "
        "or the kernel?",
    ),
    "3.1.4": (
        "If I were to decide to change to another distribution",
        "If I later decide to change to another Debian distribution, can I do that?",
    ),
    "3.1.5": (
        "Could you tell me whether to install stable",
        "Should I install Debian stable, testing or unstable?",
    ),
    "3.1.6": (
        "You are talking about testing being broken",
        "What does it mean when Debian testing is said to be broken?",
    ),
    "3.1.7": (
        "Why is it that testing could be broken for months?",
        "Why can Debian testing stay broken for months? Don't the fixes introduced in "
        "unstable flow directly down into testing?",
    ),
    "3.1.8": (
        "From an administrator's point of view",
        "From an administrator's point of view, which Debian distribution requires more attention?",
    ),
    "3.1.9": (
        "What happens when a new release is made?",
        "What happens when a new Debian release is made?",
    ),
    "3.1.10": (
        "I have a working Desktop/cluster",
        "How do I know which Debian distribution I am running?",
    ),
    "3.1.11": (
        "I am currently tracking stable",
        "I am tracking Debian stable. Can I change to testing or unstable, and how?",
    ),
    "3.1.12": (
        "I am currently tracking testing",
        "I am tracking Debian testing. What happens when a release is made: will I still be "
        "tracking testing, or will my machine be running the new stable distribution?",
    ),
    "3.1.13": (
        "I am still confused",
        "Which Debian distribution should I install if I am unsure?",
    ),
    "3.2": (
        "But what about Knoppix",
        "What about Debian-based distributions such as Knoppix, Linux Mint Debian Edition "
        "and Ubuntu?",
    ),
    "3.2.1": (
        "I know that Knoppix",
        "After installing a Debian-based distribution such as Knoppix, Linux Mint Debian "
        "Edition or Ubuntu on my hard disk, can I use the apt package tools on it?",
    ),
    "3.2.2": (
        "I installed Knoppix",
        "I installed Knoppix, Linux Mint Debian Edition or Ubuntu on my hard disk and now I "
        "have a problem. What should I do?",
    ),
    "3.2.3": (
        "I'm using Knoppix/LMDE/Ubuntu",
        "I'm using Knoppix, LMDE or Ubuntu and now I want to use Debian. How do I migrate?",
    ),
    "4.1": ("On what hardware architectures/systems", ""),
    "4.2": ("What kernels does Debian GNU/Linux run?", ""),
    "4.3": ("How compatible is Debian with other distributions", ""),
    "4.4": ("How source code compatible is Debian", ""),
    "4.5": (
        "Can I use Debian packages",
        "Can I use Debian packages (.deb files) on my Red Hat or Slackware Linux system, and "
        "Red Hat packages (.rpm files) on my Debian system?",
    ),
    "4.6": ("How should I install a non-Debian program?", ""),
    "5.1": ("What types of applications and development software", ""),
    "5.2": ("Who wrote all that software?", "Who wrote all the software in Debian?"),
    "5.3": ("How can I get a current list of programs", ""),
    "5.4": (
        "How can I install a developer's environment",
        "How can I install a developer's environment to build packages on Debian?",
    ),
    "5.5": ("What is missing from Debian GNU/Linux?", ""),
    "5.6": ('Why do I get "ld: cannot find -lfoo"', ""),
    "5.7": ("(How) Does Debian support Java?", "Does Debian support Java, and how?"),
    "5.8": ("How can I check that I am using a Debian system", ""),
    "5.9": ("How does Debian support non-English languages?", ""),
    "5.10": ("Where is ezmlm/djbdns/qmail?", "Where are ezmlm, djbdns and qmail in Debian?"),
    "5.11": ("Where is a player for Flash (SWF)?", "Is there a Flash (SWF) player in Debian?"),
    "5.12": ("Where is Google Earth?", "How do I get Google Earth on Debian?"),
    "5.13": ("Where is VoIP software?", "What VoIP software is there in Debian?"),
    "5.14": ("I have a wireless network card", ""),
    "6.1": ("How many Debian distributions are there?", ""),
    "6.2": (
        "What are all those names like etch, lenny",
        "What are all those Debian release names like etch and lenny?",
    ),
    "6.2.1": (
        "Which other codenames have been used in the past?",
        "Which other codenames has Debian used in the past?",
    ),
    "6.2.2": (
        "Where do these codenames come from?",
        "Where do the Debian release codenames come from?",
    ),
    "6.3": ('What about "sid"?', 'What is Debian "sid"?'),
    "6.4": (
        "What does the stable directory contain?",
        "What does the stable directory of the Debian archive contain?",
    ),
    "6.5": (
        "What does the testing distribution contain?",
        "What does the Debian testing distribution contain?",
    ),
    "6.5.1": ('What about "testing"? How is it', "How is Debian testing frozen?"),
    "6.6": (
        "What does the unstable distribution contain?",
        "What does the Debian unstable distribution contain?",
    ),
    "6.7": ("What are all those directories at the Debian archives?", ""),
    "6.8": (
        "What are all those directories inside dists/stable/main?",
        "What are all those directories inside dists/stable/main in the Debian archive?",
    ),
    "6.9": ("Where is the source code?", "Where is the source code of Debian packages?"),
    "6.10": (
        "What's in the pool directory?",
        "What's in the pool directory of the Debian archive?",
    ),
    "6.11": ('What is "incoming"?', 'What is "incoming" in the Debian archive?'),
    "6.12": ("How do I set up my own apt-able repository?", ""),
    "7.1": ("What is a Debian package?", ""),
    "7.2": ("What is the format of a Debian binary package?", ""),
    "7.3": ("Why are Debian package file names so long?", ""),
    "7.4": ("What is a Debian control file?", ""),
    "7.5": ("What is a Debian conffile?", ""),
    "7.6": ("What is a Debian preinst, postinst", ""),
    "7.7": ("What is an Essential, Required", ""),
    "7.8": ("What is a Virtual Package?", "What is a virtual package in Debian?"),
    "7.9": ("What is meant by saying that a package Depends", ""),
    "7.10": ("What is meant by Pre-Depends?", "What does Pre-Depends mean for a Debian package?"),
    "7.11": ("What is meant by unknown, install, remove, purge", ""),
    "7.12": ("How do I put a package on hold?", ""),
    "7.13": ("How do I install a source package?", ""),
    "7.14": ("How do I build binary packages from a source package?", ""),
    "7.15": ("How do I create Debian packages myself?", ""),
    "8.1": ("What programs does Debian provide", ""),
    "8.2": ("Debian claims to be able to update a running program", ""),
    "8.3": ("How can I tell what packages are already installed", ""),
    "8.4": ("How do I display the files of an installed package?", ""),
    "8.5": ("How can I find out what package produced a particular file?", ""),
    "8.6": (
        "Why is `foo-data' not removed",
        "Why is foo-data not removed when I uninstall foo? How do I make sure old unused "
        "library packages get purged?",
    ),
    "9.1": ("How can I keep my Debian system current?", ""),
    "9.2": (
        "Must I go into single user mode",
        "Must I go into single user mode to upgrade a package on Debian?",
    ),
    "9.3": ("Do I have to keep all those .deb archive files", ""),
    "9.4": ("How can I keep a log of the packages I added", ""),
    "9.5": (
        "Can I automatically update the system?",
        "Can I automatically update my Debian system?",
    ),
    "9.6": (
        "I have several machines",
        "I have several Debian machines; how can I download the updates only once?",
    ),
    "10.1": ("Can I install and compile a kernel without", ""),
    "10.2": ("What tools does Debian provide to build custom kernels?", ""),
    "10.3": ("What special provisions does Debian provide to deal with modules?", ""),
    "10.4": ("Can I safely de-install an old kernel package", ""),
    "10.5": ("Where can I get more information about Linux packages", ""),
    "11.1": (
        "How can I ensure that all programs use the same paper size?",
        "How can I ensure that all programs on Debian use the same paper size?",
    ),
    "11.2": ("How can I provide access to hardware peripherals", ""),
    "11.3": ("How do I load a console font on startup the Debian way?", ""),
    "11.4": ("How can I configure an X11 program's application defaults?", ""),
    "11.5": ("How does a Debian system boot?", ""),
    "11.6": (
        "And how about Debian and traditional System V init?",
        "How does Debian handle traditional System V init?",
    ),
    "11.7": (
        "And are there yet other ways of booting",
        "Are there other ways of booting a Debian system besides systemd and System V init?",
    ),
    "11.8": ("How does the package management system deal with packages", ""),
    "11.9": ("How do I override a file installed by a package", ""),
    "11.10": ("How can I have my locally-built package included", ""),
    "11.11": (
        "Some users like mawk",
        "Some users like mawk and others gawk, some like vim and others elvis: how does "
        "Debian support such diversity?",
    ),
    "12.1": ("What other documentation exists on and for a Debian system?", ""),
    "12.2": ("Are there any on-line resources for discussing Debian?", ""),
    "12.2.1.1": (
        "What is the code of conduct for the mailing lists?",
        "What is the code of conduct for the Debian mailing lists?",
    ),
    "12.3": ("Is there a quick way to search for information", ""),
    "12.4": ("Are there logs of known bugs?", "Are there logs of known bugs in Debian?"),
    "12.5": ("How do I report a bug in Debian?", ""),
    "13.1": ("How can I become a Debian member/Debian developer?", ""),
    "13.2": ("How can I contribute resources to the Debian project?", ""),
    "13.3": ("How can I contribute financially to the Debian project?", ""),
    "14.1": ("Can I make and sell Debian CDs?", ""),
    "14.2": ("Can Debian be packaged with non-free software?", ""),
    "14.3": ("I am making a special Linux distribution", ""),
    "14.4": ("Can I put my commercial program in a Debian", ""),
    "15.1": (
        "Hardening the system",
        "How is the Debian project hardening installed systems against attacks?",
    ),
    "16.1": ("Authors", "Who wrote and maintains the Debian FAQ?"),
    "16.3": ("Availability", "Where can I get the latest version of the Debian FAQ?"),
}
# Headings that are not questions a learner would ask (tool names under 8.1 and 9.1, the
# resources under 12.2, the organisations under 13.3, most "next release" notes, and the
# FAQ's own feedback and format notes): their text stays in the PDF, they get no question.
DFAQ_NOT_QUESTIONS = set(
    "8.1.1 8.1.2 8.1.3 8.1.4 8.1.5 8.1.6 8.1.6.1 9.1.1 9.1.2 12.2.1 12.2.2 12.2.3 12.2.4 12.2.5 "
    "13.3.1 13.3.2 15.2 15.3 15.4 15.5 16.2 16.4".split()
)


def _alnum(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def find_page(answer: str, page_alnum: list[str]) -> int | None:
    """1-based page where the answer starts, found by its letters and digits only (so line
    breaks, hyphenation and quote styles do not matter)."""
    doc = "".join(page_alnum)
    starts = []
    pos = 0
    for page in page_alnum:
        starts.append(pos)
        pos += len(page)
    key = _alnum(answer)
    for offset in range(0, max(1, len(key) - 60), 30):
        window = key[offset : offset + 60]
        if len(window) < 30:
            break
        hit = doc.find(window)
        if hit >= 0 and doc.find(window, hit + 1) < 0:
            at = max(0, hit - offset)
            return max(i for i, s in enumerate(starts) if s <= at) + 1
    return None


def build_debian(deb: Deb, out: Path) -> dict[str, Any]:
    from pdfminer.high_level import extract_text

    check_version(deb, DFAQ_VERSION)
    target = out / "debian-faq"
    material = target / "material"
    for old in material.glob("*"):
        old.unlink()
    material.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        original = Path(tmp) / "debian-faq.en.pdf"
        original.write_bytes(gzip.decompress(deb.files[DFAQ_PDF_MEMBER]))
        stripped = material / "debian-faq.pdf"
        report = strip_pdf_headings(original, stripped)
        before = extract_text(str(original))
    after = extract_text(str(stripped))
    copyright_text = deb.files[DFAQ_COPYRIGHT_MEMBER].decode("utf-8")
    write_text(material / "COPYRIGHT", copyright_text)

    sections, chapters = parse_debian_txt(
        gzip.decompress(deb.files[DFAQ_TXT_MEMBER]).decode("utf-8")
    )
    check = verify_pdf(before, after, report["removed"], sections, chapters)
    page_alnum = [_alnum(page) for page in after.split("\f")]

    rows: list[dict[str, Any]] = []
    ids = {s.id for s in sections}
    expected = DFAQ_QUESTIONS.keys() | DFAQ_NOT_QUESTIONS
    if ids != expected:
        raise SystemExit(
            f"Debian FAQ headings changed: new {sorted(ids - expected)}, "
            f"gone {sorted(expected - ids)}: update the script"
        )
    for section in sections:
        if section.id in DFAQ_NOT_QUESTIONS:
            continue
        prefix, standalone = DFAQ_QUESTIONS[section.id]
        if not section.heading.startswith(prefix):
            raise SystemExit(f"Debian FAQ: {section.id} is now {section.heading!r}")
        # Subsections that are not questions of their own (8.1.1 dpkg, 9.1.1 aptitude, 12.2.1
        # Mailing lists, ...) are part of their parent's answer.
        body = list(section.body)
        for sub in sections:
            if sub.id.startswith(section.id + ".") and sub.id in DFAQ_NOT_QUESTIONS:
                body += ["", *sub.body]
        answer = normalise_answer(body, chapters)
        if len(answer.split()) < 8:
            raise SystemExit(f"Debian FAQ: answer to {section.id} is too short: {answer!r}")
        row: dict[str, Any] = {
            "id": section.id,
            "question": standalone or section.heading,
            "heading": section.heading,
            "source": "debian-faq.pdf",
            "answer": answer,
        }
        page = find_page(answer, page_alnum)
        if page is None:
            raise SystemExit(f"Debian FAQ: cannot find the answer to {section.id} in the PDF")
        row["page"] = page
        rows.append(row)
    write_jsonl(target / "qa.jsonl", rows)
    write_text(
        target / "SOURCE.md", debian_source_md(deb, copyright_text, len(rows), report, check)
    )
    return {"documents": 1, "questions": len(rows), **check}


RUNNING_HEADER_RE = re.compile(
    r"\b\d+(?:\.\d+)+\.\s+[A-Z\u201d\"(][A-Z0-9\u2019\u201d'\"(),./?!\s-]{6,}"
)


def _running_headers(text: str) -> list[str]:
    """Running section headers, "1.3. OK, NOW I KNOW WHAT DEBIAN IS... …": a section number
    with a dot, then capitals (pdfminer sometimes puts them on the chapter header's line)."""
    return [match.group() for match in RUNNING_HEADER_RE.finditer(text)]


def verify_pdf(
    before: str,
    after: str,
    removed: list[list[str]],
    sections: list[TxtSection],
    chapters: dict[str, str],
) -> dict[str, int]:
    """Fail unless the headings are gone and every other character of the text survived."""
    # 1. Exactly the removed strings' characters are missing, nothing else.
    removed_chars = Counter(ch for page in removed for op in page for ch in op if not ch.isspace())
    lost = Counter(ch for ch in before if not ch.isspace())
    lost.subtract(ch for ch in after if not ch.isspace())
    lost = +lost
    if lost != removed_chars:
        raise SystemExit(f"PDF: characters lost differ from those removed: {lost - removed_chars}")
    # 2. No heading (of four words or more) survives, in any case, anywhere in the text.
    # (A heading that is also a phrase of the body text, like "Software in the Public
    # Interest", is allowed to stay as body text.)
    after_alnum = _alnum(after)
    prose = _alnum(" ".join(normalise_answer(s.body, chapters) for s in sections))
    survivors = [
        s.id
        for s in sections
        if len(s.heading.split()) >= 4
        and (_alnum(s.id + s.heading) in after_alnum or _alnum(s.heading) in after_alnum)
        and _alnum(s.heading) not in prose
    ]
    if survivors:
        raise SystemExit(f"PDF: headings survived: {survivors}")
    # 3. No running section header, no numbered heading line.
    if _running_headers(after):
        raise SystemExit(f"PDF: running headers survived: {_running_headers(after)[:5]}")
    if before.count("\f") != after.count("\f"):
        raise SystemExit("PDF: page count changed")
    body_words_before = len(before.split())
    body_words_after = len(after.split())
    return {
        "pages": after.count("\f"),
        "removed_strings": sum(len(page) for page in removed),
        "words_before": body_words_before,
        "words_after": body_words_after,
        "running_headers_before": len(_running_headers(before)),
    }


def debian_source_md(
    deb: Deb, copyright_text: str, n_questions: int, report: dict[str, Any], check: dict[str, int]
) -> str:
    toc = ", ".join(str(p + 1) for p in report["toc_pages"])
    return f"""# Debian GNU/Linux FAQ benchmark set

## Provenance

- Debian package `{deb.package}` version `{deb.version}` (Debian bookworm), files
  `/{DFAQ_PDF_MEMBER}` (the LaTeX-typeset PDF: dblatex + xdvipdfmx,
  built 2022-05-31) and `/{DFAQ_TXT_MEMBER}` (the same content as text,
  used for the gold answers).
- Upstream: https://www.debian.org/doc/FAQ/, source https://salsa.debian.org/ddp-team/debian-faq

## License

From `/{DFAQ_COPYRIGHT_MEMBER}` (also in `material/COPYRIGHT`, no file extension,
so tutorbot does not ingest it; the PDF keeps its own copyright page, page 2, which reads
"Copyright © 1996-2021 Software in the Public Interest" with the same permission notice):

```
{copyright_text.rstrip()}
```

`material/debian-faq.pdf` is a modified version of the PDF (headings removed, see below),
distributed under the same permission notice, which the PDF itself carries on page 2.

## How the files were made

```
.venv/bin/pip install pikepdf   # build-time only
.venv/bin/python scripts/build_bench_sets.py /path/to/folder/with/debs   # or --download
```

`material/debian-faq.pdf` is the original PDF with **the section heading text removed from the
page content**, so that text extraction (pdfminer.six `extract_text`, as tutorbot uses) cannot
match a question against its own heading:

- pdfminer's interpreter is run with a recording device to get, for every text-showing
  operator (`Tj`, `TJ`, `'`, `"`) in content-stream order, its font, size, position and text;
  pikepdf parses the same content streams and the two views are checked to line up operator by
  operator (same string bytes).
- Dropped operators: the section and subsection headings (bold fonts at 14.35 pt and 11.96 pt,
  e.g. `1.3 OK, now I know what Debian is... what is Linux?!`); the two sub-sub-section
  headings set in bold at body size (`8.1.6.1 dpkg-deb`, `12.2.1.1 What is the code of
  conduct...`); in the running header at the top of each page, the section part
  (`1.3. OK, NOW I KNOW WHAT DEBIAN IS... …`), while the chapter part (`CHAPTER 1. DEFINITIONS
  AND OVERVIEW`) stays; on the table-of-contents pages ({toc}), every entry except the
  chapter entries (bold), together with the links of the removed entries.
- The document outline (bookmarks), which lists every heading, is removed.
- Nothing else changes: body text, hyphenation, bullets, page numbers, chapter titles
  (`Chapter 1` / `Definitions and overview`) and the index are exactly as typeset. Every
  string is positioned by its own `Td`, so dropping strings moves nothing else.
- The build verifies: the characters missing from the extracted text are exactly those of
  the dropped strings ({check["removed_strings"]} strings); no heading of four words or more
  survives anywhere in the extracted text; no running section header survives; the page count
  is unchanged ({check["pages"]} pages). Whitespace-separated words in the extracted text:
  {check["words_before"]} before, {check["words_after"]} after (most of the difference is the
  table of contents, whose dot leaders count one word per dot).

`qa.jsonl` ({n_questions} questions): `{{"id", "question", "heading", "source", "answer",
"page"}}` for the FAQ sections a learner could ask about, across all chapters. `heading` is the
original heading (from the text version); `question` is the heading or a minimal standalone
rewrite (e.g. "OK, now I know what Debian is... what is Linux?!" -> "What is Linux?").
`answer` is the section text from the text version, up to the next heading of any level, with
the line wrapping undone and whitespace collapsed (paragraphs separated by a blank line); the
text version's cross-references `Section 12.1, “<heading>”` and `Chapter 3, <title>` are cut
to `Section 12.1` and `Chapter 3`, as the PDF prints them; footnote markers (`^[1]`) are
dropped and the footnotes themselves (printed at the end of each chapter in the text version)
are not part of any answer. A parent section's answer ends where its first subsection
starts, except that subsections which are not questions themselves (8.1.1 `dpkg`, 9.1.1
`aptitude`, 12.2.1 `Mailing lists`, 13.3.1 `Software in the Public Interest`, ...) are
appended to their parent's answer (so 8.1, 9.1, 12.2 and 13.3 are not contiguous text).
`page` is the 1-based PDF page where the answer starts (form feeds in
pdfminer's extracted text + 1), found by matching the answer's letters and digits.
Sections left without a question: tool-name subsections (8.1.x, 9.1.x), the list of support
channels (12.2.x), the organisations (13.3.x), most next-release notes (15.2-15.5) and the
FAQ's own feedback and format notes (16.2, 16.4).
"""


# ---------------------------------------------------------------------------------------------
# Off-topic questions: neither FAQ nor the sample workplace-safety course answers them.
# ---------------------------------------------------------------------------------------------

OFF_TOPIC = [
    # near misses: shells and systems the two FAQs do not cover
    "How do I make bash ignore duplicate commands in its history?",
    "How do I show the current git branch in my bash prompt?",
    "What does Set-ExecutionPolicy do in PowerShell?",
    "How do I write a PowerShell loop that renames every file in a folder?",
    "How do I change the default profile in Windows Terminal to PowerShell 7?",
    "How do I set an environment variable permanently in Windows 11?",
    "How do I create abbreviations in the fish shell?",
    "How do I install a package with Homebrew on my Mac?",
    "How do I schedule a script to run every night with Windows Task Scheduler?",
    "How do I remap Caps Lock to Escape on macOS?",
    "How do I update my graphics card drivers on Windows 11?",
    "What does git rebase do and when should I use it instead of merge?",
    "What is the difference between a list and a tuple in Python?",
    # office software and accounts
    "How do I create a pivot table in Excel?",
    "How do I recall an email I sent by mistake in Outlook?",
    "How do I let colleagues comment on a Google Doc without letting them edit it?",
    "How do I set up two-factor authentication on my Microsoft 365 account?",
    "How do I convert a Word document to PDF on a Mac?",
    "How do I free up storage space on my iPhone?",
    "How do I add a shared mailbox to Outlook on the web?",
    # HR and admin
    "How many days of annual leave do I get in my first year?",
    "How do I submit an expense claim for a client lunch?",
    "What notice period do I have to give if I want to resign?",
    "Can I carry unused holiday over into next year?",
    "How do I apply for a flexible working pattern?",
    "How do I change the bank account my salary is paid into?",
    "When is payday if the last day of the month falls on a weekend?",
    "How do I write a good cover letter for an internal job application?",
    # cooking
    "How long should I rest a steak after cooking it?",
    "What is the difference between baking soda and baking powder?",
    "How do I stop pasta from sticking together while it cooks?",
    "How do I make a sourdough starter from scratch?",
    # travel and money
    "Do I need a visa to visit Japan for two weeks?",
    "How early should I get to the airport for an international flight?",
    "How do I claim compensation for a delayed flight?",
    "How do I fill in a self-assessment tax return as a freelancer?",
    "What is the difference between a Roth IRA and a traditional IRA?",
    # everything else
    "How do I get better at public speaking?",
    "What is the best way to learn Spanish in six months?",
    "How do I repot a houseplant without damaging the roots?",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("debs", nargs="*", help=".deb files or folders holding them")
    parser.add_argument("--download", action="store_true", help="run `apt-get download` first")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: bench/data")
    args = parser.parse_args(argv)
    if not args.debs and not args.download:
        parser.error("give the .deb files (or a folder), or --download")
    with tempfile.TemporaryDirectory(prefix="bench-debs-") as tmp:
        debs = find_debs(args.debs, Path(tmp) if args.download else None)
        zsh = read_deb(debs[ZSH_PACKAGE], [ZSH_FAQ_MEMBER])
        dfaq_files = [DFAQ_PDF_MEMBER, DFAQ_TXT_MEMBER, DFAQ_COPYRIGHT_MEMBER]
        dfaq = read_deb(debs[DFAQ_PACKAGE], dfaq_files)
    print("zsh-faq:", build_zsh(zsh, args.out))
    print("debian-faq:", build_debian(dfaq, args.out))
    if len(OFF_TOPIC) != len(set(OFF_TOPIC)):
        raise SystemExit("duplicate off-topic question")
    write_text(args.out / "off_topic.txt", "".join(q + "\n" for q in OFF_TOPIC))
    print("off_topic:", len(OFF_TOPIC))
    return 0


if __name__ == "__main__":
    sys.exit(main())

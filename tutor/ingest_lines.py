"""An ingest's report as the lines a trainer reads: `tutorbot ingest` prints them and
the console's upload page shows them, worded once, here. One summary line, then one
line per file (what went in, what was there already, what was refused and why),
then the problems found in a skills file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.ingest import IngestReport

# The mark before each kind of line (the CLI colours it, the console styles it).
MARKS = {"in": "✓", "unchanged": "=", "refused": "✗", "problem": "!"}
CLI_SKILLS_HINT = "`tutorbot skills`"


@dataclass(frozen=True)
class ReportLine:
    kind: str  # "summary", or a key of MARKS
    text: str  # the whole line, mark included
    file: str = ""  # the file a per-file line is about

    @property
    def mark(self) -> str:
        return MARKS.get(self.kind, "")


def _passages(count: int | None) -> str:
    """
    >>> _passages(1), _passages(12), _passages(None)
    (', 1 passage', ', 12 passages', '')
    """
    if count is None:
        return ""
    return f", {count} passage{'s' * (count != 1)}"


def report_lines(report: IngestReport, skills_hint: str = CLI_SKILLS_HINT) -> list[ReportLine]:
    """The lines of `report`; `skills_hint` says where the skill map is seen.

    >>> report = IngestReport("fire", added=["a.md"], unchanged=["b.md"],
    ...                       failed=[("c.pdf", "could not be read as PDF")],
    ...                       chunks_added=3, passages={"a.md": 3}, skills=2)
    >>> for line in report_lines(report, skills_hint=""):
    ...     print(line.text)
    Course fire: 1 added, 0 updated, 1 unchanged, 1 failed; 3 chunks indexed; 2 skills.
    ✓ a.md: added, 3 passages
    = b.md: unchanged, already there as it is
    ✗ c.pdf: could not be read as PDF
    """
    where = f" ({skills_hint})" if skills_hint else ""
    lines = [ReportLine("summary", (
        f"Course {report.course}: {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.failed)} failed; "
        f"{report.chunks_added} chunks indexed; {report.skills} skills{where}."))]
    for verb, names in (("added", report.added), ("updated", report.updated)):
        lines += [ReportLine("in", f"{MARKS['in']} {name}: {verb}"
                             f"{_passages(report.passages.get(name))}", name) for name in names]
    lines += [ReportLine("unchanged", f"{MARKS['unchanged']} {name}: unchanged, already "
                         "there as it is", name) for name in report.unchanged]
    lines += [ReportLine("refused", f"{MARKS['refused']} {name}: {reason}", name)
              for name, reason in report.failed]
    lines += [ReportLine("problem", f"{MARKS['problem']} {problem}")
              for problem in report.skill_problems]
    return lines


def file_names_only(report: IngestReport) -> IngestReport:
    """`report` with each refused file named by its name alone: an upload's temporary
    folder means nothing to the trainer who sent it."""
    report.failed = [(Path(name).name, reason) for name, reason in report.failed]
    return report

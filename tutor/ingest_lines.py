"""An ingest's report as the lines a trainer reads: `tutorbot ingest` prints them and
the console's upload page shows them, worded once, here. One summary line, then one
line per file (what went in, what was there already, what was refused and why),
then the problems found in a skills file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.ingest import IngestReport
from tutor.i18n import gettext as _
from tutor.i18n import ngettext

# The mark before each kind of line (the CLI colours it, the console styles it): a
# sign, not a word, put before each line as it is translated.
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


def _went_in(name: str, verb: str, count: int | None) -> str:
    """
    >>> _went_in("a.md", "added", 1), _went_in("b.md", "updated", 12)
    ('a.md: added, 1 passage', 'b.md: updated, 12 passages')
    >>> _went_in("c.md", "added", None)
    'c.md: added'
    """
    if count is None:
        return (_("%(name)s: added") if verb == "added" else _("%(name)s: updated")) % {
            "name": name}
    if verb == "added":
        text = ngettext("%(name)s: added, %(n)d passage", "%(name)s: added, %(n)d passages",
                        count)
    else:
        text = ngettext("%(name)s: updated, %(n)d passage",
                        "%(name)s: updated, %(n)d passages", count)
    return text % {"name": name, "n": count}


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
    skills = ngettext("%(n)d skill", "%(n)d skills", report.skills) % {"n": report.skills}
    if skills_hint:
        skills = _("%(skills)s (%(where)s)") % {"skills": skills, "where": skills_hint}
    chunks = ngettext("%(n)d chunk indexed", "%(n)d chunks indexed", report.chunks_added) % {
        "n": report.chunks_added}
    lines = [ReportLine("summary", _(
        "Course %(course)s: %(added)d added, %(updated)d updated, %(unchanged)d unchanged, "
        "%(failed)d failed; %(chunks)s; %(skills)s.") % {
        "course": report.course, "added": len(report.added), "updated": len(report.updated),
        "unchanged": len(report.unchanged), "failed": len(report.failed), "chunks": chunks,
        "skills": skills})]
    for verb, names in (("added", report.added), ("updated", report.updated)):
        lines += [ReportLine("in", f"{MARKS['in']} "
                             f"{_went_in(name, verb, report.passages.get(name))}", name)
                  for name in names]
    lines += [ReportLine("unchanged", f"{MARKS['unchanged']} " + _(
        "%(name)s: unchanged, already there as it is") % {"name": name}, name)
        for name in report.unchanged]
    lines += [ReportLine("refused", f"{MARKS['refused']} " + _("%(name)s: %(reason)s") % {
        "name": name, "reason": reason}, name) for name, reason in report.failed]
    lines += [ReportLine("problem", f"{MARKS['problem']} {problem}")
              for problem in report.skill_problems]
    return lines


def file_names_only(report: IngestReport) -> IngestReport:
    """`report` with each refused file named by its name alone: an upload's temporary
    folder means nothing to the trainer who sent it."""
    report.failed = [(Path(name).name, reason) for name, reason in report.failed]
    return report

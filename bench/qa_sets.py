"""The public question sets the quality benches run on (bench/data, built by
scripts/build_bench_sets.py from Debian packages; nobody here wrote them).

Each set is ingested once into its own data dir under the system temp folder
(an unchanged file is skipped on the next run), with the real models.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tutor.runtime import Runtime
from tutor.settings import Settings

DATA = Path(__file__).resolve().parent / "data"
SAMPLE_COURSE = Path(__file__).resolve().parent.parent / "knowledge" / "sample_course"


@dataclass(frozen=True)
class QASet:
    name: str
    shape: str  # what kind of text it is, for the report
    material: Path
    questions: Path

    def items(self) -> list[dict]:
        return [json.loads(line) for line in self.questions.read_text().splitlines()
                if line.strip()]


SETS = {
    "zsh-faq": QASet("zsh-faq", "plain text, hard-wrapped, code blocks",
                     DATA / "zsh-faq" / "material", DATA / "zsh-faq" / "qa.jsonl"),
    "debian-faq": QASet("debian-faq", "LaTeX PDF, hyphenated, running heads",
                        DATA / "debian-faq" / "material", DATA / "debian-faq" / "qa.jsonl"),
}


def off_topic_questions() -> list[str]:
    return [line.strip() for line in (DATA / "off_topic.txt").read_text().splitlines()
            if line.strip()]


def bench_runtime(name: str, **overrides: object) -> Runtime:
    """A runtime on the set's own data dir (real models), its material ingested."""
    data_dir = Path(tempfile.gettempdir()) / "tutorbot-bench" / name
    settings = Settings(data_dir=data_dir, _env_file=None, **overrides)  # type: ignore[arg-type]
    runtime = Runtime(settings)
    material = SETS[name].material if name in SETS else SAMPLE_COURSE
    report = runtime.add_material([material], name)
    if report.failed:
        raise RuntimeError(f"could not ingest {name}: {report.failed}")
    return runtime

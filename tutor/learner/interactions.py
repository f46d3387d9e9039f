"""Interactions as the learner model reads them: one attempt of a learner on an
item of a skill, in time order. Files have the columns
`learner_id,item_id,skill_id,correct,timestamp` (correct 0/1, seconds)."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tutor.errors import TutorError

COLUMNS = ("learner_id", "item_id", "skill_id", "correct", "timestamp")


@dataclass(frozen=True)
class Interaction:
    learner: str
    item: str
    skill: str
    correct: int  # 0 or 1
    timestamp: float  # seconds
    hints: int = 0


class InteractionFileError(TutorError):
    """A file of interactions that cannot be read, with the line at fault."""


def read_interactions(path: Path) -> list[Interaction]:
    """A CSV (or .csv.gz) of interactions, sorted by learner then time. Raises
    InteractionFileError naming the line of the first bad row."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8", newline="") as file:  # type: ignore[operator]
            return parse(file, path.name)
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise InteractionFileError(f"{path.name}: cannot be read ({error})") from error


def parse(file: io.TextIOBase | Iterable[str], name: str = "input") -> list[Interaction]:
    reader = csv.DictReader(file)  # type: ignore[arg-type]
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise InteractionFileError(f"{name}: missing column(s) {', '.join(missing)}; "
                                   f"expected {','.join(COLUMNS)}")
    rows = []
    for line, row in enumerate(reader, 2):
        try:
            correct = int(float(row["correct"]))
            if correct not in (0, 1):
                raise ValueError("correct must be 0 or 1")
            rows.append(Interaction(row["learner_id"], row["item_id"], row["skill_id"],
                                    correct, float(row["timestamp"])))
        except (TypeError, ValueError) as error:
            raise InteractionFileError(f"{name} line {line}: {error}") from error
    return sorted(rows, key=lambda r: (r.learner, r.timestamp))


def write_interactions(rows: Sequence[Interaction], path: Path) -> None:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8", newline="") as file:  # type: ignore[operator]
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        for r in rows:
            writer.writerow([r.learner, r.item, r.skill, r.correct, f"{r.timestamp:.0f}"])


def by_learner(rows: Sequence[Interaction]) -> dict[str, list[Interaction]]:
    grouped: dict[str, list[Interaction]] = {}
    for row in rows:
        grouped.setdefault(row.learner, []).append(row)
    return grouped

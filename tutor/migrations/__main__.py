"""`python -m tutor.migrations revision "message"`: a new revision from the models'
difference to a scratch database brought to head; `... upgrade` migrates the
configured database (what every start does anyway)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from tutor.database import make_engine
from tutor.migrations import alembic_config, migrate
from tutor.settings import Settings


def main(argv: list[str]) -> None:
    if argv[:1] == ["revision"] and len(argv) == 2:
        with tempfile.TemporaryDirectory() as folder:
            engine = make_engine(f"sqlite:///{Path(folder) / 'scratch.db'}")
            migrate(engine)
            command.revision(alembic_config(engine), message=argv[1], autogenerate=True)
    elif argv == ["upgrade"]:
        migrate(make_engine(Settings().db_url))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])

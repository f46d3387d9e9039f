"""A throwaway PostgreSQL cluster for the tests: initdb in a temporary folder,
served on a Unix socket only, stopped and deleted at the end of the session.
Debian's `postgresql` package provides the binaries (.ci/run installs it); without
them the PostgreSQL half of the database tests is skipped, saying why."""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text

from tutor.database import create_db_and_tables, make_engine

TEMPLATE = "tutorbot_template"


def postgres_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


class PostgresCluster:
    """One cluster; `new_database()` hands each test a fresh, migrated database."""

    def __init__(self) -> None:
        bin_dir = postgres_bin()
        if bin_dir is None:
            raise FileNotFoundError("PostgreSQL is not installed (apt-get install postgresql)")
        self.bin_dir = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="tutorbot-pg-"))
        self.port = free_port()
        self._names = itertools.count()
        # PostgreSQL will not run as root: as root, the cluster is the postgres user's.
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            shutil.chown(self.folder, "postgres")
        self._run("initdb", "-D", str(self.folder / "data"), "-U", "tutorbot", "-A", "trust",
                  "--no-sync", "-E", "UTF8")
        options = (f"-k {self.folder} -p {self.port} -c listen_addresses='' -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-o", options, "-w",
                  "-l", str(self.folder / "log"), "start")
        try:
            self._admin("CREATE DATABASE " + TEMPLATE)
            template = make_engine(self.url(TEMPLATE))
            create_db_and_tables(template)
            template.dispose()
        except Exception:
            self.stop()  # no server left running behind a failed setup
            raise

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://tutorbot@/{database}?host={self.folder}&port={self.port}"

    def new_database(self, *, migrated: bool = True) -> str:
        """A fresh database: a copy of the migrated template, or an empty one."""
        name = f"test_{next(self._names)}"
        self._admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {TEMPLATE}" if migrated else ""))
        return self.url(name)

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def _admin(self, statement: str) -> None:
        engine = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(statement))
        engine.dispose()

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run([*self._as, str(self.bin_dir / program), *args],
                              capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{program} failed: {done.stderr.strip() or done.stdout.strip()}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])

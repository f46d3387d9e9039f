"""`tutorbot admin add|list|remove|reset|link`, as an admin types them."""

from __future__ import annotations

import getpass
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from bot.cli import app
from tutor.console.accounts import (
    SignInRefused,
    list_accounts,
    sign_in,
    use_sign_in_link,
)
from tutor.database import make_engine
from tutor.settings import Settings

LINK = re.compile(r"http://127\.0\.0\.1:(\d+)/sign-in/link\?token=([\w-]+)")


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The database the commands use: TUTORBOT_DATA_DIR's, no .env read."""
    for name in ("TUTORBOT_DATABASE_URL", "TUTORBOT_WEB_HOST", "TUTORBOT_WEB_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TUTORBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    engine = make_engine(Settings().db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the admin types at the password prompts (getpass reads no terminal here)."""
    answers: list[str] = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": answers.pop(0))
    return answers


def tutorbot(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(app, ["admin", *args], input=input)


def token_of(result: Result) -> str:
    found = LINK.search(result.output)
    assert found, result.output
    assert found.group(1) == "8765"  # the default address, where `serve web` listens
    return found.group(2)


def test_add_asks_a_password_twice_then_prints_a_link(engine: Engine, typed: list[str]
                                                      ) -> None:
    typed += ["a long password", "a long password"]
    added = tutorbot("add", "Tina@Example.org", "--role", "trainer", "--course", "forklifts",
                     "--course", "fire-safety", "--name", "Tina T.")
    assert added.exit_code == 0, added.output
    assert "Added tina@example.org (trainer of fire-safety, forklifts)" in added.output
    tina = use_sign_in_link(engine, token_of(added))
    assert tina.email == "tina@example.org" and tina.name == "Tina T."
    assert sign_in(engine, "tina@example.org", "a long password", "cli").id == tina.id

    typed += ["one password", "another one"]
    differ = tutorbot("add", "bo@example.org", "--role", "admin")
    assert differ.exit_code == 1 and "The two passwords differ" in differ.output
    typed += ["short", "short"]
    short = tutorbot("add", "bo@example.org", "--role", "admin")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    again = tutorbot("add", "tina@example.org", "--role", "admin", "--link-only")
    assert again.exit_code == 1 and "already an account" in again.output
    no_course = tutorbot("add", "bo@example.org", "--role", "trainer", "--link-only")
    assert no_course.exit_code == 1 and "--course NAME" in no_course.output
    assert [a.email for a in list_accounts(engine)] == ["tina@example.org"]


def test_list_shows_roles_courses_and_passwords(engine: Engine, typed: list[str]) -> None:
    empty = tutorbot("list")
    assert empty.exit_code == 0 and "No accounts yet" in empty.output
    assert tutorbot("add", "boss@example.org", "--role", "admin", "--link-only"
                    ).exit_code == 0
    typed += ["a long password"] * 2
    assert tutorbot("add", "tina@example.org", "--role", "trainer", "--course", "forklifts"
                    ).exit_code == 0
    listed = tutorbot("list")
    assert listed.exit_code == 0
    rows = {line.split()[1]: line for line in listed.output.splitlines()
            if "@example.org" in line}
    assert "admin" in rows["boss@example.org"] and "all" in rows["boss@example.org"]
    assert "links only" in rows["boss@example.org"]
    assert "forklifts" in rows["tina@example.org"] and "set" in rows["tina@example.org"]


def test_reset_sets_or_removes_the_password_and_ends_sessions(engine: Engine,
                                                              typed: list[str]) -> None:
    typed += ["the first password"] * 2
    tutorbot("add", "boss@example.org", "--role", "admin")
    before = list_accounts(engine)[0]
    typed += ["the second password"] * 2
    reset = tutorbot("reset", "boss@example.org")
    assert reset.exit_code == 0 and "its sessions have ended" in reset.output
    after = list_accounts(engine)[0]
    assert after.session_epoch == before.session_epoch + 1
    with pytest.raises(SignInRefused):
        sign_in(engine, "boss@example.org", "the first password", "cli")
    assert sign_in(engine, "boss@example.org", "the second password", "cli").is_admin
    links_only = tutorbot("reset", "boss@example.org", "--link-only")
    assert links_only.exit_code == 0 and not list_accounts(engine)[0].has_password
    unknown = tutorbot("reset", "nobody@example.org", "--link-only")
    assert unknown.exit_code == 1 and "no account for nobody@example.org" in unknown.output


def test_link_prints_a_working_one_time_link(engine: Engine) -> None:
    tutorbot("add", "boss@example.org", "--role", "admin", "--link-only")
    printed = tutorbot("link", " BOSS@example.org")
    assert printed.exit_code == 0
    token = token_of(printed)
    assert use_sign_in_link(engine, token).email == "boss@example.org"
    with pytest.raises(SignInRefused):
        use_sign_in_link(engine, token)
    unknown = tutorbot("link", "nobody@example.org")
    assert unknown.exit_code == 1 and "no account" in unknown.output


def test_remove_asks_first(engine: Engine) -> None:
    added = tutorbot("add", "boss@example.org", "--role", "admin", "--link-only")
    token = token_of(added)
    kept = tutorbot("remove", "boss@example.org", input="n\n")
    assert kept.exit_code == 1 and "Aborted" in kept.output
    assert len(list_accounts(engine)) == 1
    removed = tutorbot("remove", "boss@example.org", input="y\n")
    assert removed.exit_code == 0 and "Removed boss@example.org" in removed.output
    assert list_accounts(engine) == []
    with pytest.raises(SignInRefused):  # its links went with it
        use_sign_in_link(engine, token)
    gone = tutorbot("remove", "boss@example.org", "--yes")
    assert gone.exit_code == 1 and "no account" in gone.output

"""No secret reaches a log line, whichever logger or handler writes it."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from tutor.logs import RedactSecrets, masked, secrets_of
from tutor.settings import Settings

TOKEN = "123456:AAHsecretTOKENvalue"


@pytest.fixture
def redacting() -> Iterator[None]:
    before = logging.getLogRecordFactory()
    settings = Settings(_env_file=None, telegram_token=SecretStr(TOKEN),
                        database_url="postgresql://tutor:p%40ss@db/tutorbot")
    RedactSecrets(secrets_of(settings)).install()
    yield
    logging.setLogRecordFactory(before)


def test_a_library_handler_added_later_sees_no_secret(redacting: None) -> None:
    out = io.StringIO()
    library = logging.getLogger("some.library")
    library.propagate = False
    library.addHandler(logging.StreamHandler(out))
    try:
        library.warning("GET https://api.telegram.org/bot%s/getMe", TOKEN)
        library.warning("GET /bot123456%3AAAHsecretTOKENvalue/getMe and password p@ss")
        try:
            raise RuntimeError(f"token {TOKEN} rejected")
        except RuntimeError:
            library.exception("failed")
    finally:
        library.handlers.clear()
        library.propagate = True
    shown = out.getvalue()
    assert "AAHsecret" not in shown and "p@ss" not in shown and "p%40ss" not in shown
    assert shown.count("***") >= 4


def test_settings_print_masked() -> None:
    settings = Settings(_env_file=None, slack_signing_secret=SecretStr("s3cret"),
                        database_url="postgresql://tutor:pw123@db/x?password=pw456")
    shown = masked(settings)
    assert shown["slack_signing_secret"] == "***"
    assert shown["database_url"] == "postgresql://tutor:***@db/x?password=***"


def test_a_malformed_call_is_reported_as_logging_does_and_redacted(
        redacting: None, capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    library = logging.getLogger("some.library")
    library.propagate = False
    library.addHandler(logging.StreamHandler(out))
    try:
        library.warning("%s %s", "one")  # one argument short: no exception for the caller
        library.warning("GET %s %d", f"/bot{TOKEN}/getMe", "not a number")
        library.warning("after them, %s", "still logging")
    finally:
        library.handlers.clear()
        library.propagate = True
    reported = capsys.readouterr().err
    assert reported.count("--- Logging error ---") == 2  # as the standard library reports it
    assert "Message: '%s %s'\nArguments: ('one',)" in reported
    assert "Arguments: ('/bot***/getMe', 'not a number')" in reported
    assert "AAHsecret" not in reported
    assert out.getvalue() == "after them, still logging\n"

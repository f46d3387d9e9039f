"""Log lines on stderr, never with a secret in them: the Bot API puts the Telegram
token in every request URL, which httpx logs at INFO and DEBUG, and a library's
error message may quote a token. Every record is redacted as it is made (the log
record factory), so no handler a library adds later, nor logging's last resort,
sees a secret; tracebacks included."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import parse_qs, quote, unquote, urlsplit

from pydantic import SecretStr

from tutor.settings import Settings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
OWN_LOGGERS = ("bot", "tutor", "knowledge")
MASK = "***"
_MAKE_RECORD = logging.getLogRecordFactory()


class RedactSecrets(logging.Filter):
    """Replaces each secret in a record's message and traceback with ***.

    >>> redact = RedactSecrets(["123:AAH-token"])
    >>> url = "/bot123:AAH-token/getMe"
    >>> record = logging.LogRecord("httpx", logging.INFO, "", 0, "POST %s", (url,), None)
    >>> redact.filter(record), record.getMessage()
    (True, 'POST /bot***/getMe')
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # The longest first: a token that contains another secret is masked whole.
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            record.msg, record.args = self.redact(record.getMessage()), None
        except Exception:  # a malformed call ('%s %s', 'one'), from any library
            # Left malformed, so its handler reports it as logging does ("--- Logging
            # error ---", the message and its arguments) and the caller goes on; only
            # what would show a secret is replaced.
            record.msg = self._redacted(record.msg)
            record.args = (tuple(map(self._redacted, record.args))
                           if isinstance(record.args, tuple) else self._redacted(record.args))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True

    def _redacted(self, value: object) -> object:
        """`value`, or its text with the secrets masked where its text or repr shows one
        (a dict of arguments is one value: logging prints it whole).

        >>> redact = RedactSecrets(["AAH-token"])
        >>> redact._redacted(["/botAAH-token"]), redact._redacted(2)
        ("['/bot***']", 2)
        """
        try:
            text, shown = str(value), repr(value)
        except Exception:  # its own failure is what the handler reports
            return value
        return value if self.redact(text) == text and self.redact(shown) == shown else (
            self.redact(text))

    def install(self) -> None:
        """Redact every record as it is made, whichever logger or handler gets it."""
        def redacted(*args: object, **kwargs: object) -> logging.LogRecord:
            record = _MAKE_RECORD(*args, **kwargs)  # a second install replaces the first
            self.filter(record)
            return record

        logging.setLogRecordFactory(redacted)


def secrets_of(settings: Settings) -> list[str]:
    """Every secret value set: tokens, signing and webhook secrets, the LLM server's
    key, and the database password."""
    found = [value.get_secret_value() for value in vars(settings).values()
             if isinstance(value, SecretStr)]
    if settings.database_url:
        found += database_passwords(settings.database_url)
    # As a URL carries them too: a token's ":" is "%3A" in a logged request line.
    return [form for secret in found for form in {secret, quote(secret, safe=""),
                                                  unquote(secret)}]


def database_passwords(url: str) -> list[str]:
    """The passwords in a database URL: after the user, or as ?password=.

    >>> database_passwords("postgresql://u:p%40ss@db/x?password=two")
    ['p%40ss', 'two']
    """
    parts = urlsplit(url)
    found = [parts.password] if parts.password else []
    return found + parse_qs(parts.query).get("password", [])


def configure_logging(settings: Settings, default_level: str = "WARNING") -> None:
    """Lines on stderr: tutorbot's own from TUTORBOT_LOG_LEVEL (else `default_level`),
    libraries' from WARNING (all of them at DEBUG), secrets masked."""
    level = settings.log_level or default_level
    logging.basicConfig(level=logging.DEBUG if level == "DEBUG" else logging.WARNING,
                        format=FORMAT, force=True)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(level)
    RedactSecrets(secrets_of(settings)).install()


def masked(settings: Settings) -> dict[str, object]:
    """The settings as `tutorbot settings` prints them: a secret shows as *** when
    set, the database URL without its password.

    >>> masked(Settings(telegram_token="1:x", _env_file=None))["telegram_token"]
    '***'
    """
    shown: dict[str, object] = {}
    redact = RedactSecrets(database_passwords(settings.database_url or ""))
    for name, value in vars(settings).items():
        if isinstance(value, SecretStr):
            value = MASK
        elif name == "database_url" and value:
            value = redact.redact(value)
        shown[name] = str(value) if value is not None and not isinstance(value, list) else value
    return shown

"""How trainers' pages name a learner: never by the platform's id.

TUTORBOT_CONSOLE_NAMES=display shows the name the learner's chat app shows
(stored when they ask a question, listed in /mydata, deleted by /forget);
=pseudonymous shows a stable pseudonym instead. A learner with no stored name
gets the pseudonym in either mode.

The pseudonym is an HMAC-SHA256 of the platform id under a deployment's key, so it
is the same on every page, worker and restart, and cannot be turned back into the
id without the key (Telegram ids are small numbers: a plain hash of one is found by
trying them all). The key: derived from TUTORBOT_WEB_SECRET where that is set (it
is already the same on every worker), else 32 random bytes made at first use and
kept in the data dir as `pseudonym.key`. Changing either changes every pseudonym.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from tutor.settings import Settings

KEY_FILE = "pseudonym.key"
_PURPOSE = b"tutorbot learner pseudonyms"


def pseudonym(learner_id: str, key: bytes) -> str:
    """Eight letters and digits, in two fours: 40 bits, so that 100,000 learners
    very likely (99.5 %) never share one.

    >>> pseudonym("telegram:12345", b"k"), pseudonym("telegram:12345", b"k")
    ('UC43-JDCM', 'UC43-JDCM')
    >>> pseudonym("telegram:12346", b"k") != pseudonym("telegram:12345", b"k")
    True
    """
    digest = hmac.new(key, learner_id.encode(), hashlib.sha256).digest()
    letters = base64.b32encode(digest[:5]).decode()  # 40 bits: eight base-32 letters
    return f"{letters[:4]}-{letters[4:]}"


def learner_label(learner_id: str, display_name: str, mode: str, key: bytes) -> str:
    """The learner as a trainer's page shows them.

    >>> learner_label("slack:U1", "Ana Lima", "display", b"k")
    'Ana Lima'
    >>> learner_label("slack:U1", "Ana Lima", "pseudonymous", b"k")
    'Learner E3B4-ZNYU'
    >>> learner_label("slack:U1", "  ", "display", b"k")
    'Learner E3B4-ZNYU'
    """
    name = " ".join(display_name.split())
    if mode == "display" and name:
        return name
    return f"Learner {pseudonym(learner_id, key)}"


@dataclass(frozen=True)
class LearnerLabels:
    """`learner_label` with a deployment's mode and key: what a page holds."""

    mode: str
    key: bytes

    @classmethod
    def from_settings(cls, settings: Settings) -> LearnerLabels:
        return cls(settings.console_names, pseudonym_key(settings))

    def __call__(self, learner_id: str, display_name: str) -> str:
        return learner_label(learner_id, display_name, self.mode, self.key)


def pseudonym_key(settings: Settings) -> bytes:
    """The deployment's pseudonym key (the module's docstring says where it comes from)."""
    if settings.web_secret is not None:
        secret = settings.web_secret.get_secret_value().encode()
        return hmac.new(secret, _PURPOSE, hashlib.sha256).digest()
    return _key_in(settings.data_dir)


def _key_in(data_dir: Path) -> bytes:
    """The key kept in the data dir, made by whichever worker comes first: written
    to a file of its own, then linked into place, which fails if another worker's
    is there already, so every worker ends up reading the same one."""
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        draft = data_dir / f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        draft.write_text(secrets.token_hex(32))
        draft.chmod(0o600)
        try:
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
        finally:
            draft.unlink()
    return bytes.fromhex(path.read_text().strip())

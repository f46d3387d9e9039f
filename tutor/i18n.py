"""The one translation layer: every string a person reads goes through `gettext`
(`_` in templates). Catalogues are gettext's, made with Babel: `babel.cfg` says what
to extract, `tutor/locales/LANG/LC_MESSAGES/tutorbot.po` holds a language (docs/
translating.md). English is the source language, so it needs no catalogue: a
language without one falls back to the English text.

Which language: the one `language()` set for the work at hand (the console sets its
own for each request), else English. It is a context variable, so requests, chat
turns and the threads they start each keep theirs; a thread started by hand takes
it along with `contextvars.copy_context().run`.

>>> gettext("Sign in")
'Sign in'
>>> ngettext("%(n)d question", "%(n)d questions", 2) % {"n": 2}
'2 questions'
>>> with language("de"):  # no German catalogue: the English text
...     current_language(), gettext("Sign in")
('de', 'Sign in')
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

from knowledge import translation as _knowledge

LOCALES = Path(__file__).resolve().parent / "locales"
DOMAIN = "tutorbot"
DEFAULT_LANGUAGE = "en"
_LANGUAGE: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


@cache
def translations(language: str = DEFAULT_LANGUAGE) -> NullTranslations:
    """The catalogue of `language` ("zh_Hans", "de"), English where there is none."""
    return Translations.load(str(LOCALES), [language, DEFAULT_LANGUAGE], DOMAIN)


def current_language() -> str:
    return _LANGUAGE.get()


@contextmanager
def language(code: str) -> Iterator[None]:
    """Translate into `code` within this block (and what it starts)."""
    token = _LANGUAGE.set(code)
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


def gettext(message: str, language: str | None = None) -> str:
    return translations(language or _LANGUAGE.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int, language: str | None = None) -> str:
    return translations(language or _LANGUAGE.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a string for the catalogue where it is declared (a column's label) and
    leaves it as it is: it is translated where it is shown."""
    return message


_ = gettext
_knowledge.install(gettext, ngettext)  # knowledge/'s messages go through this layer too

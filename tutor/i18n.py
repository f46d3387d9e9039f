"""The one translation layer: every string a person reads goes through `gettext`
(`_` in templates). Catalogues are gettext's, made with Babel: `babel.cfg` says what
to extract, `tutor/locales/LANG/LC_MESSAGES/tutorbot.po` holds a language (docs/
translating.md). English is the source language, so it needs no catalogue: a
language without one falls back to the English text.

>>> gettext("Sign in")
'Sign in'
>>> ngettext("%(n)d question", "%(n)d questions", 2) % {"n": 2}
'2 questions'
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

LOCALES = Path(__file__).resolve().parent / "locales"
DOMAIN = "tutorbot"
DEFAULT_LANGUAGE = "en"


@cache
def translations(language: str = DEFAULT_LANGUAGE) -> NullTranslations:
    """The catalogue of `language` ("zh_Hans", "de"), English where there is none."""
    return Translations.load(str(LOCALES), [language, DEFAULT_LANGUAGE], DOMAIN)


def gettext(message: str, language: str = DEFAULT_LANGUAGE) -> str:
    return translations(language).gettext(message)


def ngettext(singular: str, plural: str, n: int, language: str = DEFAULT_LANGUAGE) -> str:
    return translations(language).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a string for the catalogue where it is declared (a column's label) and
    leaves it as it is: it is translated where it is shown."""
    return message


_ = gettext

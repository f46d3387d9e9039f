"""knowledge/'s end of the one translation layer. What knowledge/ refuses (a file it
cannot read, a skill edit it will not make) is read by people, but languages are the
tutor's business: tutor/i18n.py installs its gettext here when it is imported, and
until then, or in a process that never imports it, the English source is the text.
Mark messages as tutor/ does (`_`, `ngettext`, `N_`): `pybabel extract` finds them.

>>> gettext("the file is empty")
'the file is empty'
>>> ngettext("%(n)d file", "%(n)d files", 2) % {"n": 2}
'2 files'
"""

from __future__ import annotations

from collections.abc import Callable


def _english(message: str) -> str:
    return message


def _english_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


_translate: Callable[[str], str] = _english
_translate_plural: Callable[[str, str, int], str] = _english_plural


def install(gettext_: Callable[[str], str],
            ngettext_: Callable[[str, str, int], str]) -> None:
    """Translate knowledge/'s messages with the tutor's layer (tutor/i18n.py calls it)."""
    global _translate, _translate_plural
    _translate, _translate_plural = gettext_, ngettext_


def gettext(message: str) -> str:
    return _translate(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translate_plural(singular, plural, n)


def N_(message: str) -> str:
    """Marks a string for the catalogue where it is declared; translated where shown."""
    return message


_ = gettext

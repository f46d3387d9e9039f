"""Errors whose text is for a person: the one who sent a file, or a learner.

`TutorError` lives here, below the tutor, so that knowledge/ can raise one (an
unknown course) without importing tutor/; tutor.errors gives it under its name."""

from knowledge.translation import gettext as _


class TutorError(Exception):
    """A problem the user can act on; `str(error)` is the message shown to them."""


class UnknownCourse(TutorError, LookupError):
    """No course of that name: removed, or never ingested. The text names the known ones.

    >>> str(UnknownCourse("fire", ["first-aid", "safety"]))
    "There is no course named 'fire'. Known courses: first-aid, safety."
    """

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = known
        if known:
            text = _("There is no course named '%(name)s'. Known courses: %(known)s.") % {
                "name": name, "known": ", ".join(known)}
        else:
            text = _("There is no course named '%(name)s'. No course is ingested yet.") % {
                "name": name}
        super().__init__(text)


class ConversionError(ValueError):
    """The file cannot be ingested; the message says why, in words for the person who sent it."""

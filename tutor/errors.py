"""Errors whose text is safe to show a learner. Anything else is a bug: logged, and
answered by the adapter's central handler with one apology."""

# Defined in knowledge/, whose errors for learners (an unknown course) are TutorErrors too.
from knowledge.errors import TutorError as TutorError
from knowledge.errors import UnknownCourse as UnknownCourse


class ModelLoadError(TutorError):
    """The language or embedding model could not be loaded (name, path or files wrong)."""


class ModelUnavailable(TutorError):
    """The language model could not answer now: its server is down, too slow, or broke
    off mid-answer. Answers fall back to the material's own words."""


class PlatformRefused(Exception):
    """A chat platform refused a setting (a rejected token): serving cannot start until
    it is fixed. `str(error)` names the setting, never its value."""

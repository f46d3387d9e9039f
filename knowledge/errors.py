"""Errors of reading course files, in words for the person who sent the file."""


class ConversionError(ValueError):
    """The file cannot be ingested; the message says why, in words for the person who sent it."""

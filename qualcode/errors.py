"""Errors that a user can fix. The CLI prints them as one sentence and exits with code 2."""
from __future__ import annotations

from typing import Optional


class QualcodeError(Exception):
    """A user's mistake or an unusable input: one clear sentence saying which file, which
    line and what to do.  Never shown with a traceback (unless ``--debug``)."""

    exit_code = 2

    def __init__(self, message: str, *, path: Optional[str] = None, line: Optional[int] = None):
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(where + message)


class ReadError(QualcodeError):
    """A file could not be read as the format its name promises."""


class CodebookError(QualcodeError):
    """A codebook is invalid (unknown key, duplicate id, missing parent, cycle, bad regex)."""


class StoreError(QualcodeError):
    """The project store cannot be opened or written."""


class ProjectError(QualcodeError):
    """No project found, or the project folder is invalid."""


class ConstructError(QualcodeError):
    """A segmentation, care model, timeline or template file is invalid (one sentence with
    the file, the line and what to do)."""


class ReportWarning(UserWarning):
    """A report was written on a basis its reader must know (unreviewed suggestions counted,
    or no reviewed codings at all); the document says so too.  The CLI prints it."""


def warn_text(path: str, line: Optional[int], message: str) -> str:
    """Format a warning the same way errors are formatted: ``file:line: message``."""
    return f"{path}:{line}: {message}" if line else f"{path}: {message}"

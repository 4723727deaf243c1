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


#: What the user can do about each kind of SQLite fault (by SQLite's primary result code).
_STORE_FAULTS = {
    "SQLITE_BUSY": "another qualcode command is writing to this project; try again when it has finished",
    "SQLITE_LOCKED": "another qualcode command is writing to this project; try again when it has finished",
    "SQLITE_FULL": "the disk is full; the store is as it was before this command — free some space "
                   "and run the command again",
    "SQLITE_READONLY": "the project store cannot be written (read-only file or folder); give yourself "
                       "write permission on the project folder or copy the project somewhere writable",
    "SQLITE_CANTOPEN": "the project store cannot be opened (missing folder or no permission); check the "
                       "project folder's permissions",
    "SQLITE_PERM": "the project store cannot be written (no permission); check the project folder's "
                   "permissions",
    "SQLITE_CORRUPT": "the project store is damaged; restore .qualcode/project.db from a backup "
                      "(the transcripts and codebook files themselves are untouched)",
    "SQLITE_NOTADB": "this file is not a qualcode store (it is not an SQLite database); restore "
                     ".qualcode/project.db from a backup",
}


def store_fault(exc: BaseException, path: Optional[str] = None) -> "StoreError":
    """The :class:`StoreError` a user sees for an ``sqlite3`` error: what happened and what to do
    (busy, read-only, disk full, damaged …); an error SQLite gives no code for says so plainly.

    >>> import sqlite3
    >>> e = sqlite3.OperationalError("database or disk is full"); e.sqlite_errorname = "SQLITE_FULL"
    >>> str(store_fault(e, "p.db")).startswith("p.db: the disk is full")
    True
    """
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    primary = "_".join(name.split("_")[:2])      # SQLITE_IOERR_WRITE -> SQLITE_IOERR
    text = str(exc).lower()
    if primary not in _STORE_FAULTS:
        if "disk is full" in text or "no space" in text:
            primary = "SQLITE_FULL"
        elif "locked" in text or "busy" in text:
            primary = "SQLITE_BUSY"
        elif "readonly" in text or "read-only" in text:
            primary = "SQLITE_READONLY"
        elif "malformed" in text or "no such table" in text or "no such column" in text:
            primary = "SQLITE_CORRUPT"
        elif "not a database" in text:
            primary = "SQLITE_NOTADB"
    message = _STORE_FAULTS.get(primary, f"the project store could not be read or written ({exc}); "
                                         "check the disk and restore .qualcode/project.db from a backup "
                                         "if this repeats")
    return StoreError(message, path=path)


def is_sqlite_error(exc: BaseException) -> bool:
    """True for the errors of Python's sqlite3 module (told by their class, without importing it)."""
    return any(c.__module__ == "sqlite3" for c in type(exc).__mro__)


def as_user_error(exc: BaseException) -> Optional[QualcodeError]:
    """The one-sentence error for ``exc`` when the user can do something about it (a
    QualcodeError, a store fault, a full disk, no permission, too little memory, input nested
    too deeply), else None: a bug.

    >>> str(as_user_error(OSError(28, "No space left on device", "out.xlsx")))
    'out.xlsx: the disk is full; free some space and run the command again (nothing was written)'
    >>> as_user_error(ValueError("x")) is None
    True
    """
    import errno

    if isinstance(exc, QualcodeError):
        return exc
    if is_sqlite_error(exc):
        return store_fault(exc)
    if isinstance(exc, OSError) and exc.errno is not None:
        where = str(exc.filename) if exc.filename else None
        if exc.errno == errno.ENOSPC:
            return QualcodeError("the disk is full; free some space and run the command again "
                                 "(nothing was written)", path=where)
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return QualcodeError("permission denied (read-only file or folder); give yourself write "
                                 "permission or choose another place", path=where)
    if isinstance(exc, MemoryError):
        return QualcodeError("the input is too large for this computer's memory; split it into "
                             "smaller files")
    if isinstance(exc, RecursionError):
        return QualcodeError("the input is nested too deeply to read; simplify it (e.g. flatten "
                             "the code tree)")
    return None

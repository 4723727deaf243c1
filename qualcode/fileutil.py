"""Small file helpers every stage shares: atomic writes, XML-safe text, missing values, dates
(spreadsheet cells and workbooks: :mod:`qualcode.sheets`).

>>> parse_date_text("3.8.2021"), parse_date_text("2021-08-03"), parse_date_text("31.2.2021")
(datetime.date(2021, 8, 3), datetime.date(2021, 8, 3), None)
"""
from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Iterator, Optional, Union

from .errors import QualcodeError

#: Characters XML 1.0 cannot hold: control characters other than tab, LF and CR, lone
#: surrogates, and the non-characters U+FFFE and U+FFFF.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


#: Environment variable naming the cache folder (tests point it at a temporary folder).
CACHE_ENV = "QUALCODE_CACHE_DIR"


def cache_dir() -> Path:
    """The folder of qualcode's per-machine cache (not created here): ``$QUALCODE_CACHE_DIR``
    when set, else the user's cache folder (``platformdirs``, or ``$XDG_CACHE_HOME``/``~/.cache``)
    + ``qualcode``."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    try:
        from platformdirs import user_cache_dir
    except ImportError:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "qualcode"
    return Path(user_cache_dir("qualcode", appauthor=False))


def xml_safe(value: Any) -> str:
    """``value`` as text that any XML file (xlsx, docx, qdpx) can hold: characters XML 1.0
    forbids are dropped; None is the empty text.

    >>> xml_safe("a\\x00b\\x0bc\\uffff"), xml_safe(None)
    ('abc', '')
    """
    return _ILLEGAL.sub("", "" if value is None else str(value))


@contextlib.contextmanager
def atomic_output(path: Union[str, Path], make_parents: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` (``os.replace``),
    on any error it is deleted and ``path`` is left as it was — never a half-written file."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if make_parents:
        folder.mkdir(parents=True, exist_ok=True)
    elif not folder.is_dir():
        raise QualcodeError("the folder does not exist; create it first", path=str(folder))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=target.suffix or ".tmp", dir=folder)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT and pandas' NA (a cell or frame value that is empty)."""
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):   # lists, dicts …
        return False


def as_date(value: Any) -> Optional[dt.date]:
    """A ``datetime.date`` from a date, a datetime, a pandas Timestamp, ``yyyy-mm-dd`` or
    ``d.m.yyyy``; ``None`` when empty or unreadable."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "to_pydatetime"):
        try:
            value = value.to_pydatetime()
        except (ValueError, TypeError):
            return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text or text.lower() in ("nan", "nat", "none"):
        return None
    return parse_date_text(text)


def parse_date_text(text: str) -> Optional[dt.date]:
    """A date written ``d.m.yyyy`` (Finnish) or ``yyyy-mm-dd``; None when it is neither."""
    text = text.strip()
    try:
        m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
        if m:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?", text)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return None

"""The informant list (``informants.csv`` / ``informants.xlsx``): one row per informant.

Columns ``code, role, organisation, date, mode, duration_min`` (Finnish headers such as
``koodi, titteli, organisaatio, pvm, tapa, kesto`` are accepted too); every other column
becomes an attribute.  Dates are ``d.m.yyyy`` or ISO ``yyyy-mm-dd`` or real spreadsheet
dates; durations are minutes (``36`` or ``36min``).

>>> parse_date("3.8.2021", "x.csv", 2)
datetime.date(2021, 8, 3)
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Optional

from ..errors import ReadError
from ..fileutil import as_date
from ..model import Informant
from .readers import read_document

#: File names recognised as the informant list when met among ingested files.
INFORMANT_FILE_STEMS = {"informants", "haastateltavat", "informantit", "tiedonantajat"}

_ALIASES = {
    "code": {"code", "koodi", "id", "tunnus", "informant", "haastateltava"},
    "role": {"role", "rooli", "titteli", "title", "tehtävä", "asema"},
    "organisation": {"organisation", "organization", "organisaatio", "yritys", "company", "org"},
    "date": {"date", "pvm", "päivämäärä", "paivamaara", "haastattelupäivä"},
    "mode": {"mode", "tapa", "haastattelun tapa", "method", "menetelmä"},
    "duration_min": {"duration_min", "duration", "kesto", "kesto_min", "minutes", "min"},
}


def is_informant_file(path: Path) -> bool:
    """Whether ``path`` is named like an informant list (``informants.csv``, ``haastateltavat.xlsx`` …)."""
    return path.suffix.lower() in (".csv", ".xlsx") and path.stem.lower() in INFORMANT_FILE_STEMS


def _canonical(header: str) -> str:
    h = header.strip().rstrip(":").lower()
    for canon, names in _ALIASES.items():
        if h in names:
            return canon
    return header.strip()


def parse_date(value: Any, path: str, line: int) -> Optional[dt.date]:
    """A date from ``d.m.yyyy``, ``yyyy-mm-dd`` or a spreadsheet date; ``None`` if empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    parsed = as_date(value)
    if parsed is not None:
        return parsed
    raise ReadError(f"the date '{str(value).strip()}' is not a date; write it as d.m.yyyy (3.8.2021) or "
                    "yyyy-mm-dd", path=path, line=line)


def parse_duration(value: Any, path: str, line: int) -> Optional[float]:
    """Minutes from ``36``, ``36,5`` or ``36min``; ``None`` if empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    m = re.fullmatch(r"\s*(\d+(?:[.,]\d+)?)\s*(?:min|minuuttia|minutes|m)?\s*", str(value))
    if not m:
        raise ReadError(f"the duration '{value}' is not a number of minutes; write e.g. 36 or 36min",
                        path=path, line=line)
    return float(m.group(1).replace(",", "."))


def coerce_attribute(value: Any) -> Any:
    """Spreadsheet/CSV cell → attribute value: integers and decimals as numbers, dates as ISO text;
    a text that would change as a number (a postal code ``00100``, a phone number, 16+ digits)
    stays text.

    >>> coerce_attribute("00100"), coerce_attribute("42"), coerce_attribute("3,5"), coerce_attribute("0.5")
    ('00100', 42, 3.5, 0.5)
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        v = value.strip()
        if re.fullmatch(r"-?\d{1,15}", v) and str(int(v)) == v:
            return int(v)
        if re.fullmatch(r"-?(0|[1-9]\d{0,14})[.,]\d{1,15}", v):
            return float(v.replace(",", "."))
        return v
    return value


def read_informants(path: Path) -> list[Informant]:
    """Read an informant list; duplicate codes, missing codes and bad dates raise
    :class:`ReadError` naming the file and line."""
    path = Path(path)
    doc = read_document(path)
    if doc.rows is None:
        raise ReadError("the informant list must be a .csv or .xlsx file", path=str(path))
    informants: list[Informant] = []
    seen: dict[str, int] = {}
    for row in doc.rows:
        line = row.pop("__line__")
        fields = {_canonical(k): v for k, v in row.items()}
        if "code" not in fields:
            raise ReadError("the informant list has no 'code' column; add a column 'code' "
                            "(or 'koodi') with codes like H1", path=str(path), line=1)
        code = fields.pop("code")
        if code is None or not str(code).strip():
            raise ReadError("this row has no informant code; fill in the code column",
                            path=str(path), line=line)
        code = str(code).strip()
        if code in seen:
            raise ReadError(f"the informant code '{code}' appears twice (also on line {seen[code]}); "
                            "give every informant its own code", path=str(path), line=line)
        seen[code] = line
        inf = Informant(
            code=code,
            role=str(fields.pop("role", "") or ""),
            organisation=str(fields.pop("organisation", "") or ""),
            date=parse_date(fields.pop("date", None), str(path), line),
            mode=str(fields.pop("mode", "") or ""),
            duration_min=parse_duration(fields.pop("duration_min", None), str(path), line),
            attributes={k: coerce_attribute(v) for k, v in fields.items() if v is not None},
        )
        informants.append(inf)
    return informants

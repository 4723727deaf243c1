"""Files the project layer reads or writes for the command line and notebooks that belong
to no single stage: a codebook file of any format, a table as .xlsx or .csv."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Union

from ..errors import QualcodeError

if TYPE_CHECKING:   # pandas loads on first use: commands that need no table start faster
    import pandas as pd

PathLike = Union[str, Path]
CODEBOOK_SUFFIXES = (".yaml", ".yml", ".xlsx", ".qdc")


def read_codebook_file(path: PathLike):
    """A codebook from .yaml, .xlsx (sheet Koodikirja) or REFI-QDA .qdc, checked: keys, ids,
    parents, cycles and regular expressions."""
    from ..codebook import load_codebook
    from ..interop.refi import import_qdc

    p = Path(path)
    if not p.is_file():
        raise QualcodeError("the codebook file does not exist; check the path", path=str(path))
    return import_qdc(p) if p.suffix.lower() == ".qdc" else load_codebook(p)


def convert_codebook(source: PathLike, target: PathLike, lang: str = "fi"):
    """Convert a codebook between .yaml, .xlsx and .qdc (by the suffixes); returns
    ``(path written, codebook)``."""
    from ..codebook import save_codebook
    from ..interop.refi import export_qdc

    cb = read_codebook_file(source)
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix == ".qdc":
        return export_qdc(cb, target), cb
    if suffix in CODEBOOK_SUFFIXES:
        return save_codebook(cb, target, lang=lang), cb
    raise QualcodeError("write the codebook as .yaml, .xlsx or .qdc", path=str(target))


def csv_safe(value) -> str:
    """A CSV cell that a spreadsheet opens as text, never as a formula: a cell starting with
    ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading apostrophe (OWASP's advice for CSV
    injection; the csv module then quotes what needs quoting).  Missing values are empty.

    >>> csv_safe("=HYPERLINK(1)"), csv_safe("-3 kohtaa"), csv_safe(None), csv_safe(2)
    ("'=HYPERLINK(1)", "'-3 kohtaa", '', '2')
    """
    from ..fileutil import is_missing, xml_safe
    from ..sheets import RISKY_PREFIXES

    if is_missing(value):
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)            # numbers stay numbers: a negative number is not a formula
    text = xml_safe(value)
    return "'" + text if text.startswith(RISKY_PREFIXES) else text


def write_frame(frame: pd.DataFrame, path: PathLike, sheet: str = "Sheet1") -> Path:
    """The one writer of tables: .xlsx (every text a literal cell, :mod:`qualcode.sheets`) or
    .csv (UTF-8, every text cell formula-safe, :func:`csv_safe`), to a temporary file that is
    then moved into place — never a half-written file, never a live formula.

    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> out = write_frame(pd.DataFrame({"memo": ["=1+1", "ok"], "n": [-1, 2]}),
    ...                   pathlib.Path(tempfile.mkdtemp()) / "t.csv")
    >>> out.read_text(encoding="utf-8").splitlines()
    ['memo,n', "'=1+1,-1", 'ok,2']
    """
    from ..fileutil import atomic_output

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise QualcodeError("write tables as .xlsx or .csv; change the file name", path=str(path))
    with atomic_output(path) as tmp:
        if suffix == ".csv":
            _write_csv(frame, tmp)
        else:
            _write_xlsx(frame, tmp, sheet)
    return path


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    import csv

    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow([csv_safe(str(c)) for c in frame.columns])
        for row in frame.itertuples(index=False, name=None):
            writer.writerow([csv_safe(_plain(v)) for v in row])


def _plain(value):
    """numpy numbers as Python numbers, so :func:`csv_safe` keeps them as numbers."""
    if hasattr(value, "item") and getattr(getattr(value, "dtype", None), "kind", "") in "iuf":
        return value.item()
    return value


def _write_xlsx(frame: pd.DataFrame, path: Path, sheet: str) -> None:
    from openpyxl import Workbook

    from ..sheets import header_cell, safe_sheet_title, set_column_widths, text_width, write_cell

    wb = Workbook()
    ws = wb.active
    ws.title = "~"          # so the title chosen never clashes with the default sheet
    ws.title = safe_sheet_title(sheet, wb)
    for j, column in enumerate(frame.columns, start=1):
        header_cell(ws.cell(row=1, column=j), str(column))
    for i, row in enumerate(frame.itertuples(index=False, name=None), start=2):
        for j, value in enumerate(row, start=1):
            write_cell(ws.cell(row=i, column=j), value)
    set_column_widths(ws, [text_width([c, *frame[c].head(200).tolist()]) for c in frame.columns])
    wb.save(path)

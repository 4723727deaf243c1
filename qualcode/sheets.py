"""The one home of the openpyxl helpers every workbook writer and reader shares: literal-safe
cells, header and caption styling, frozen headers with filters, sheet titles Excel accepts,
column widths, the atomic save, and opening and reading a workbook with one clear error.

Every string goes through :func:`write_text_cell`: it is written as a literal (text starting
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return never becomes a formula), with the
characters XML cannot hold removed and cut to the cell limit.  Numbers and dates stay typed.

openpyxl is imported inside the functions, so importing this module costs nothing until a
workbook is written or read.

>>> from openpyxl import Workbook
>>> wb = Workbook(); ws = wb.active
>>> write_cell(ws["A1"], "=1+1"); write_cell(ws["B1"], 3); write_cell(ws["C1"], None)
>>> [(c.value, c.data_type) for c in ws[1]]
[('=1+1', 's'), (3, 'n'), (None, 'n')]
>>> safe_sheet_title("Q1/2025: [luonnos]", wb)
'Q1_2025_ _luonnos_'
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from .errors import QualcodeError
from .fileutil import atomic_output, is_missing, xml_safe

PathLike = Union[str, Path]

#: First characters that make a spreadsheet read a cell as a formula.
RISKY_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Longest text written into one cell (Excel's hard limit is 32 767 characters).
MAX_CELL_CHARS = 32000
#: Longest sheet title Excel accepts.
MAX_TITLE_CHARS = 31
#: Characters a sheet title may not hold.
_INVALID_TITLE = re.compile(r"[\[\]:*?/\\]")


# ----------------------------------------------------------------------------- cells
def write_text_cell(cell, value: Any) -> None:
    """Write ``value`` into an openpyxl cell as a literal string, never as a formula
    (a text starting with ``=``, ``+``, ``-``, ``@``, tab or CR stays text); characters XML
    cannot hold are dropped and the text is cut to :data:`MAX_CELL_CHARS`.

    >>> from openpyxl import Workbook
    >>> c = Workbook().active["A1"]; write_text_cell(c, "=HYPERLINK(1)"); (c.value, c.data_type)
    ('=HYPERLINK(1)', 's')
    """
    text = xml_safe(value)[:MAX_CELL_CHARS]
    cell.value = text
    cell.data_type = "s"
    if text.startswith(RISKY_PREFIXES):
        cell.quotePrefix = True


def write_cell(cell, value: Any) -> None:
    """Write any value: missing values (None, NaN) leave the cell empty, numbers and dates stay
    typed (booleans become text), everything else is a literal string (:func:`write_text_cell`).

    >>> import numpy as np
    >>> from openpyxl import Workbook
    >>> ws = Workbook().active
    >>> write_cell(ws["A1"], np.int64(2)); write_cell(ws["A2"], True); write_cell(ws["A3"], float("nan"))
    >>> ws["A1"].value, ws["A2"].value, ws["A3"].value
    (2, 'True', None)
    """
    if is_missing(value):
        cell.value = None
        return
    if isinstance(value, bool):
        write_text_cell(cell, str(value))
    elif isinstance(value, (int, float)):
        cell.value = value
    elif hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iuf":   # numpy numbers
        cell.value = value.item()
    elif isinstance(value, (dt.date, dt.datetime, dt.time)):
        cell.value = value
    else:
        write_text_cell(cell, value)


def fill(colour: str):
    """A solid openpyxl fill of ``colour`` (``"D9E1F2"``)."""
    from openpyxl.styles import PatternFill

    return PatternFill("solid", fgColor=colour)


#: The workbook's letter (openpyxl's default): a styled cell names it, since a font with only
#: "bold" set prints in whatever the reader falls back on (a serif, wider, in LibreOffice).
FONT_NAME = "Calibri"


def font(**style):
    """An openpyxl ``Font`` of the workbook's letter with ``style`` (``bold=True``, ``size=12`` …)."""
    from openpyxl.styles import Font

    return Font(name=FONT_NAME, **style)


def header_cell(cell, text: Any, colour: Optional[str] = None, *, border=None, alignment=None) -> None:
    """A header cell: the text (literal; None leaves it empty), bold, on ``colour`` when given;
    ``border`` and ``alignment`` (openpyxl styles) when given."""
    write_cell(cell, text)
    cell.font = font(bold=True)
    if colour:
        cell.fill = fill(colour)
    if border is not None:
        cell.border = border
    if alignment is not None:
        cell.alignment = alignment


def caption_cell(ws, text: str, row: int = 1) -> None:
    """The caption (``Taulukko N. …``) in column A of ``row``: bold, a size larger."""
    cell = ws.cell(row=row, column=1)
    write_text_cell(cell, text)
    cell.font = font(bold=True, size=12)


def freeze_header(ws, header_row: int, last_column: Optional[int] = None,
                  last_row: Optional[int] = None) -> None:
    """Freeze the rows up to ``header_row``; with ``last_column`` an autofilter from the header
    row down to ``last_row`` (default: the header row itself when the sheet has no data)."""
    from openpyxl.utils import get_column_letter

    ws.freeze_panes = f"A{header_row + 1}"
    if last_column is not None:
        bottom = max(header_row, last_row if last_row is not None else ws.max_row)
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(max(1, last_column))}{bottom}"


# ----------------------------------------------------------------------------- titles and widths
def safe_sheet_title(name: Any, workbook) -> str:
    """A sheet title Excel accepts (≤ 31 characters, none of ``[]:*?/\\``, no surrounding
    quotes), unique (case-insensitively) among the sheets of ``workbook``.

    >>> from openpyxl import Workbook
    >>> wb = Workbook(); wb.active.title = "Teemat"
    >>> safe_sheet_title("teemat", wb), len(safe_sheet_title("x" * 40, wb))
    ('teemat (2)', 31)
    """
    used = {ws.title.lower() for ws in workbook.worksheets}
    edges = " \t\r\n'"             # Excel refuses a title that starts or ends with an apostrophe
    base = _INVALID_TITLE.sub("_", xml_safe(name)).strip(edges)[:MAX_TITLE_CHARS].strip(edges) or "Sheet"
    title, i = base, 2
    while title.lower() in used:
        suffix = f" ({i})"
        title = base[: MAX_TITLE_CHARS - len(suffix)] + suffix
        i += 1
    return title


def text_width(values: Iterable[Any], cap: float = 40, minimum: float = 8) -> float:
    """A column width for ``values``: the longest line plus a margin, between ``minimum`` and ``cap``.

    >>> text_width(["ab", "a much longer line\\nshort"]), text_width(["x" * 99], cap=70)
    (20.0, 70.0)
    """
    longest = 0
    for v in values:
        if v is None:
            continue
        for line in str(v).split("\n"):
            longest = max(longest, len(line))
    return float(max(minimum, min(cap, longest + 2)))


def set_column_widths(ws, widths: Union[Sequence[float], Mapping[str, float]]) -> None:
    """Column widths: a sequence for columns A, B, … in order, or a mapping of column letters."""
    from openpyxl.utils import get_column_letter

    items = widths.items() if isinstance(widths, Mapping) else (
        (get_column_letter(i), w) for i, w in enumerate(widths, start=1))
    for letter, w in items:
        ws.column_dimensions[letter].width = w


# ----------------------------------------------------------------------------- files
def save_workbook(workbook, path: PathLike, make_parents: bool = False) -> Path:
    """Save ``workbook`` atomically (a temporary file beside ``path``, then moved into place),
    so a failed save never leaves a half-written file; returns the path."""
    target = Path(path)
    with atomic_output(target, make_parents=make_parents) as tmp:
        workbook.save(tmp)
    return target


def open_workbook(path: PathLike, what: str):
    """Open an xlsx file for reading, or raise one clear :class:`QualcodeError` saying which
    file it should have been (``what``, e.g. "the review sheet written by qualcode")."""
    from openpyxl import load_workbook

    from .safearchive import check_office_file

    check_office_file(path)
    try:
        return load_workbook(path, read_only=True, data_only=False)
    except FileNotFoundError:
        raise QualcodeError(f"file not found; give {what}", path=str(path)) from None
    except Exception as exc:  # zip / XML errors: not an xlsx file
        raise QualcodeError(f"cannot be opened as an Excel workbook ({exc.__class__.__name__}); "
                            f"give {what}", path=str(path)) from None


def read_sheet_rows(path: PathLike, what: str, sheet_names: list[str]) -> tuple[str, list[tuple]]:
    """(title, rows of values) of the first sheet in ``sheet_names`` that the workbook has, else
    of its first sheet; errors as :func:`open_workbook`.  Rows are read as wide as the header
    row's last filled cell and end at the last row with a value, so one stray cell far down or
    right (or a forged sheet dimension) costs nothing.

    With python-calamine installed the values are read by it (about 9× faster than openpyxl
    on a 1M-word review sheet) and given as openpyxl gives them (see :func:`_calamine_rows`).

    >>> import tempfile, pathlib
    >>> from openpyxl import Workbook
    >>> wb = Workbook(); ws = wb.active; ws.title = "Tarkistus"
    >>> ws.append(["id", "koodi", None]); ws.append([7, "hinta", None]); ws.append([None, "=1+1"])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"; wb.save(path)
    >>> read_sheet_rows(path, "a test sheet", ["Tarkistus"])
    ('Tarkistus', [('id', 'koodi'), (7, 'hinta'), (None, '=1+1')])
    """
    title, rows, _ = read_sheet_table(path, what, sheet_names, strays=False)
    return title, rows


def read_sheet_table(path: PathLike, what: str, sheet_names: list[str],
                     strays: bool = True) -> tuple[str, list[tuple], list[tuple[int, str]]]:
    """:func:`read_sheet_rows` and, with ``strays``, ``(row, coordinate)`` of every filled cell
    to the right of the table's width (the header row's last filled cell): a note typed beside
    the table, which a reader of the table would otherwise leave out without a word.  With
    python-calamine both come from one read of the sheet.

    >>> import tempfile, pathlib
    >>> from openpyxl import Workbook
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.xlsx"
    >>> wb = Workbook(); ws = wb.active; ws["A1"], ws["B1"], ws["A2"], ws["E7"] = "a", "b", 1, "hyväksy"
    >>> wb.save(p)
    >>> read_sheet_table(p, "a sheet", [ws.title])
    ('Sheet', [('a', 'b'), (1, None)], [(7, 'E7')])
    """
    wb = _calamine_workbook(path, what)
    if wb is not None:
        title = next((n for n in sheet_names if n in wb.sheet_names), wb.sheet_names[0])
        grid = _calamine_rows(_calamine_grid(wb, title, path, what))
        rows = _used_part(grid)
        return title, rows, _cells_beyond(grid, len(rows[0]) if rows else 0) if strays else []
    wb = open_workbook(path, what)
    try:
        ws = next((wb[n] for n in sheet_names if n in wb.sheetnames), wb[wb.sheetnames[0]])
        title, rows = ws.title, used_rows(ws)
    finally:
        wb.close()
    return title, rows, cells_right_of(path, title, len(rows[0]) if rows else 0, what) if strays else []


def _cells_beyond(grid: list[tuple], width: int) -> list[tuple[int, str]]:
    from openpyxl.utils import get_column_letter

    return [(r, f"{get_column_letter(c + 1)}{r}") for r, row in enumerate(grid, start=1)
            for c in range(width, len(row)) if row[c] is not None and str(row[c]).strip()]


def used_rows(ws) -> list[tuple]:
    """The rows of a (read-only) worksheet within its real used range: as wide as the first
    non-blank row's last filled cell, up to the last row that has a value in that width."""
    leading: list[tuple] = []
    for row in ws.iter_rows(values_only=True):
        filled = [i for i, v in enumerate(row) if v is not None and str(v).strip()]
        if filled:
            return _rest_of_rows(ws, leading, filled[-1] + 1)
        leading.append(())
    return []


def _rest_of_rows(ws, leading: list[tuple], width: int) -> list[tuple]:
    rows = list(leading)
    last = len(rows)
    for row in ws.iter_rows(min_row=len(leading) + 1, max_col=width, values_only=True):
        rows.append(row)
        if not is_blank_row(row):
            last = len(rows)
    return rows[:last]


def _calamine_workbook(path: PathLike, what: str):
    """The workbook opened by python-calamine; None when it is not installed or
    :func:`_calamine_can_read` says no (then openpyxl reads it)."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        return None
    from .safearchive import check_office_file

    if not Path(path).is_file():
        raise QualcodeError(f"file not found; give {what}", path=str(path))
    check_office_file(path)
    if not _calamine_can_read(path):
        return None
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # zip / XML errors: not an xlsx file
        raise QualcodeError(f"cannot be opened as an Excel workbook ({exc.__class__.__name__}); "
                            f"give {what}", path=str(path)) from None


def _calamine_grid(wb, title: str, path: PathLike, what: str) -> list[list]:
    try:
        return wb.get_sheet_by_name(title).to_python(skip_empty_area=False)
    except Exception as exc:  # a damaged sheet part
        raise QualcodeError(f"cannot be opened as an Excel workbook ({exc.__class__.__name__}); "
                            f"give {what}", path=str(path)) from None


#: Largest sheet (rows × columns of its used range) handed to python-calamine, which holds the
#: range as one dense grid: a stray cell at XFD1048576 would ask it for hundreds of GB.
_CALAMINE_MAX_CELLS = 4_000_000
_ROW_REF = re.compile(rb'<row [^>]*?r="(\d+)"')
_COLUMN_OF = {n: re.compile(rb' r="([A-Z]{%d})\d' % n) for n in (3, 2)}   # a cell reference's letters


def _calamine_can_read(path: PathLike) -> bool:
    """Whether python-calamine reads this xlsx file as openpyxl would, safely: no worksheet
    holds a formula (openpyxl gives its text, calamine its last value) and every worksheet's
    used range is small enough for a dense grid (:data:`_CALAMINE_MAX_CELLS`)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    data = zf.read(name)
                    # (literal searches: a worksheet of a 1M-word review sheet is ~25 MB of XML)
                    if b":sheetData" in data:   # prefixed tags: not worth the patterns here
                        return False
                    if b"<f>" in data or b"<f " in data or _extent(data) > _CALAMINE_MAX_CELLS:
                        return False
    except (OSError, zipfile.BadZipFile):
        return True    # not a zip: calamine's own error names the file
    return True


def _extent(sheet_xml: bytes) -> int:
    """Rows × columns up to the farthest row and column a worksheet's XML names.  The widest
    column is looked for among the references with three letters, then two (one search each
    over the text, not a Python step per cell)."""
    rows = max(map(int, _ROW_REF.findall(sheet_xml)), default=0)
    column = 26
    for n, pattern in _COLUMN_OF.items():
        letters = pattern.findall(sheet_xml)
        if letters:
            column = 0
            for ch in max(letters):
                column = column * 26 + ch - 64
            break
    return rows * column


def _calamine_rows(grid: list[list]) -> list[tuple]:
    """Cells as openpyxl reads them: an empty cell is None (not ""), a whole number is an int
    (calamine reads every number as a float)."""
    def value(v):
        if v == "":
            return None
        if isinstance(v, float) and v.is_integer():
            return int(v)
        return v

    return [tuple(value(v) for v in row) for row in grid]


def _used_part(rows: list[tuple]) -> list[tuple]:
    """:func:`used_rows` of rows already read."""
    for first, row in enumerate(rows):
        filled = [i for i, v in enumerate(row) if v is not None and str(v).strip()]
        if filled:
            width = filled[-1] + 1
            out = [()] * first + [tuple(r[:width]) + (None,) * (width - len(r[:width])) for r in rows[first:]]
            last = max(i for i, r in enumerate(out) if r and not is_blank_row(r)) + 1
            return out[:last]
    return []


def other_sheets_rows(path: PathLike, what: str, skip: set[str]) -> dict[str, list[tuple]]:
    """Title → used rows (:func:`used_rows`) of every sheet of the workbook whose title is not in
    ``skip`` (to find decisions pasted into the wrong sheet)."""
    wb = _calamine_workbook(path, what)
    if wb is not None:
        return {n: _used_part(_calamine_rows(_calamine_grid(wb, n, path, what)))
                for n in wb.sheet_names if n not in skip}
    wb = open_workbook(path, what)
    try:
        return {ws.title: used_rows(ws) for ws in wb.worksheets if ws.title not in skip}
    finally:
        wb.close()


def is_blank_row(row: Sequence[Any]) -> bool:
    """True when every value of a sheet row is empty or only whitespace.

    >>> is_blank_row((None, " ")), is_blank_row((None, 0))
    (True, False)
    """
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def cells_right_of(path: PathLike, title: str, width: int, what: str) -> list[tuple[int, str]]:
    """``(row, coordinate)`` of every filled cell of sheet ``title`` to the right of its first
    ``width`` columns, found by the cells the file really holds (a forged sheet dimension
    costs nothing): a note typed beside the table, which a reader of the table would
    otherwise leave out without a word.

    >>> import tempfile, pathlib
    >>> from openpyxl import Workbook
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.xlsx"
    >>> wb = Workbook(); ws = wb.active; ws["A1"], ws["B1"], ws["E7"] = "a", "b", "hyväksy"; wb.save(p)
    >>> cells_right_of(p, ws.title, 2, "a sheet")
    [(7, 'E7')]
    """
    from openpyxl.utils import get_column_letter

    wb = open_workbook(path, what)
    try:
        ws = wb[title]
        ws.reset_dimensions()
        found = []
        for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
            for c in range(width, len(row)):
                if row[c] is not None and str(row[c]).strip():
                    found.append((r, f"{get_column_letter(c + 1)}{r}"))
        return found
    finally:
        wb.close()

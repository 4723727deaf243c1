"""The workshop workbook: one styled sheet per artefact (see :mod:`qualcode.report.tables`).

Every sheet has a caption row (``Taulukko N. …``, numbered in sheet order), a bold
header row, wrapped text, column widths from the content, a frozen header and an
autofilter.  Every text cell is written as a literal string — text starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return never becomes a formula.  The
file is written to a temporary file beside the target and moved into place, so a
failed run never leaves a half-written report.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional, Union

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..fileutil import write_text_cell
from ..labels import label
from ..fileutil import atomic_output
from .inputs import ReportInputs
from .tables import Table, all_tables

PathLike = Union[str, Path]

_INVALID_SHEET = re.compile(r"[\[\]:*?/\\]")

HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
QUADRANT_FILLS = {(0, 1): "E2EFDA", (0, 2): "FCE4D6", (1, 1): "DDEBF7", (1, 2): "FFF2CC"}
WRAP = Alignment(wrap_text=True, vertical="top")


def set_cell(cell, value: Any) -> None:
    """Write ``value``: numbers as numbers, everything else as a literal string (never a
    formula), with characters that XML cannot hold removed."""
    if value is None:
        cell.value = None
        return
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.value = value
        return
    write_text_cell(cell, value)


def _sheet_title(name: str, used: set) -> str:
    base = _INVALID_SHEET.sub("_", name)[:31] or "Sheet"
    title, i = base, 2
    while title.lower() in used:
        suffix = f" ({i})"
        title = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(title.lower())
    return title


def _width(values: list[Any], wide: bool) -> float:
    longest = 0
    for v in values:
        if v is None:
            continue
        for line in str(v).split("\n"):
            longest = max(longest, len(line))
    cap = 70 if wide else 40
    return float(max(8, min(cap, longest + 2)))


def write_table(ws, table: Table, number: int, lang: str) -> None:
    """Lay one :class:`Table` out on a worksheet (caption row 1, header row 2)."""
    ncols = max(1, len(table.header))
    caption = label("caption.table", lang, n=number, title=table.title)
    set_cell(ws.cell(row=1, column=1), caption)
    ws.cell(row=1, column=1).font = Font(bold=True, size=12)
    for j, h in enumerate(table.header, 1):
        c = ws.cell(row=2, column=j)
        set_cell(c, h)
        c.font = Font(bold=True)
        c.fill = HEADER_FILL
        c.alignment = WRAP
        c.border = BORDER
    r = 3
    for i, row in enumerate(table.rows):
        for j, v in enumerate(row, 1):
            c = ws.cell(row=r, column=j)
            set_cell(c, v)
            c.alignment = WRAP
            c.border = BORDER
            if table.kind == "grid":
                if j == 1:
                    c.font = Font(bold=True)
                else:
                    c.fill = PatternFill("solid", fgColor=QUADRANT_FILLS.get((i, j - 1), "FFFFFF"))
        r += 1
    last_data = max(2, r - 1)
    if table.footer:
        r += 1
        for row in table.footer:
            for j, v in enumerate(row, 1):
                c = ws.cell(row=r, column=j)
                set_cell(c, v)
                c.font = Font(italic=True)
                c.alignment = Alignment(wrap_text=False, vertical="top")
            r += 1
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{get_column_letter(ncols)}{last_data}"
    # printed (or exported to PDF) on landscape pages one sheet wide, headers repeated
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "2:2"
    for j in range(1, ncols + 1):
        values = [table.header[j - 1]] + [row[j - 1] for row in table.rows if j - 1 < len(row)]
        wide = (j - 1) in table.wide
        ws.column_dimensions[get_column_letter(j)].width = _width(values, wide)
    if table.kind == "grid":
        for i in range(len(table.rows)):
            lines = max(str(v).count("\n") + 1 for v in table.rows[i])
            ws.row_dimensions[3 + i].height = max(60, 15 * lines)
        for j in range(2, ncols + 1):
            ws.column_dimensions[get_column_letter(j)].width = 50
    ws.sheet_view.zoomScale = 100


def build_workbook(inputs: ReportInputs, lang: Optional[str] = None, show_codes: bool = True,
                   tables: Optional[list[Table]] = None) -> Workbook:
    """The workbook in memory (see :func:`write_xlsx_report`)."""
    lang = lang or inputs.language
    tables = tables if tables is not None else all_tables(inputs, lang, show_codes)
    wb = Workbook()
    wb.remove(wb.active)
    used: set = set()
    for n, t in enumerate(tables, 1):
        ws = wb.create_sheet(_sheet_title(t.sheet, used))
        write_table(ws, t, n, lang)
    if inputs.constructs is not None:
        from .construct_sheets import add_construct_sheets

        add_construct_sheets(wb, inputs.constructs, lang, len(tables) + 1, codebook=inputs.codebook)
    if inputs.title:
        wb.properties.title = inputs.title
    wb.properties.creator = "qualcode"
    return wb


def write_xlsx_report(inputs: ReportInputs, path: PathLike, lang: Optional[str] = None,
                      show_codes: bool = True) -> Path:
    """Write the workshop workbook to ``path`` (atomically) and return the path.

    ``lang`` (``fi``/``en``) defaults to ``inputs.language``; ``show_codes=False``
    hides the informant-code column of the interview table."""
    target = Path(path)
    wb = build_workbook(inputs, lang, show_codes)
    with atomic_output(target) as tmp:
        wb.save(tmp)
    return target

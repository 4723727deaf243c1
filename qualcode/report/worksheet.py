"""One :class:`~qualcode.report.tables.Table` laid out on a worksheet, shared by the workshop
workbook (:mod:`qualcode.report.xlsx`) and the construct sheets
(:mod:`qualcode.report.construct_sheets`), plus the report's cell styles.

Every sheet has a caption row (``Taulukko N. …``), a bold header row, wrapped text, column
widths from the content, a frozen header and an autofilter; footer rows (a summary) follow
below the filter range, in italics.

>>> from openpyxl import Workbook
>>> from qualcode.report.tables import Table
>>> ws = Workbook().active
>>> write_table(ws, Table("t", "T", "Testi.", ["Koodi", "Määrä"], [["=A1", 2]], [["n = 1", ""]]), 3, "fi")
>>> [ws["A1"].value, ws["A3"].value, ws["A3"].data_type, ws["A5"].value, ws.auto_filter.ref, ws.freeze_panes]
['Taulukko 3. Testi.', '=A1', 's', 'n = 1', 'A2:B3', 'A3']
"""
from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from ..labels import label
from ..sheets import caption_cell, fill, freeze_header, header_cell, text_width, write_cell

HEADER_COLOUR = "D9E1F2"
HEADER_FILL = fill(HEADER_COLOUR)
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
#: The SWOT grid's quadrants: (row, column) of the data cells → colour.
QUADRANT_FILLS = {(0, 1): "E2EFDA", (0, 2): "FCE4D6", (1, 1): "DDEBF7", (1, 2): "FFF2CC"}
WRAP = Alignment(wrap_text=True, vertical="top")


def write_table(ws, table, number: int, lang: str) -> None:
    """Lay one :class:`~qualcode.report.tables.Table` out on a worksheet (caption row 1,
    header row 2, data from row 3, footer rows after one empty row)."""
    ncols = max(1, len(table.header))
    caption_cell(ws, label("caption.table", lang, n=number, title=table.title))
    for j, h in enumerate(table.header, 1):
        header_cell(ws.cell(row=2, column=j), h, HEADER_COLOUR, border=BORDER, alignment=WRAP)
    last_data = _write_rows(ws, table)
    if table.footer:
        _write_footer(ws, table.footer, last_data + 2)
    freeze_header(ws, 2, ncols, max(2, last_data))
    _print_setup(ws)
    _column_widths(ws, table, ncols)
    ws.sheet_view.zoomScale = 100


def _write_rows(ws, table) -> int:
    """The data rows from row 3; returns the last row written (2 when there are none)."""
    r = 3
    for i, row in enumerate(table.rows):
        for j, v in enumerate(row, 1):
            c = ws.cell(row=r, column=j)
            write_cell(c, v)
            c.alignment = WRAP
            c.border = BORDER
            if table.kind == "grid":
                if j == 1:
                    c.font = Font(bold=True)
                else:
                    c.fill = fill(QUADRANT_FILLS.get((i, j - 1), "FFFFFF"))
        r += 1
    return r - 1


def _write_footer(ws, footer, first_row: int) -> None:
    for r, row in enumerate(footer, first_row):
        for j, v in enumerate(row, 1):
            c = ws.cell(row=r, column=j)
            write_cell(c, v)
            c.font = Font(italic=True)
            c.alignment = Alignment(wrap_text=False, vertical="top")


def _print_setup(ws) -> None:
    # printed (or exported to PDF) on landscape pages one sheet wide, headers repeated
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "2:2"


def _column_widths(ws, table, ncols: int) -> None:
    for j in range(1, ncols + 1):
        values = [table.header[j - 1]] + [row[j - 1] for row in table.rows if j - 1 < len(row)]
        cap = 70 if (j - 1) in table.wide else 40
        ws.column_dimensions[get_column_letter(j)].width = text_width(values, cap=cap)
    if table.kind == "grid":
        for i in range(len(table.rows)):
            lines = max(str(v).count("\n") + 1 for v in table.rows[i])
            ws.row_dimensions[3 + i].height = max(60, 15 * lines)
        for j in range(2, ncols + 1):
            ws.column_dimensions[get_column_letter(j)].width = 50

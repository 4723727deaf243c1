"""One :class:`~qualcode.report.tables.Table` laid out on a worksheet, shared by the workshop
workbook (:mod:`qualcode.report.xlsx`) and the construct sheets
(:mod:`qualcode.report.construct_sheets`), plus the report's cell styles.

Every sheet has a caption row (``Taulukko N. …``), a bold header row, wrapped text, column
widths from the content, row heights that show every wrapped line, a frozen header and an
autofilter; footer rows (a summary) follow below the filter range, in italics; a caption or
footer line longer than the table is wide wraps across its columns.  Printed (or
exported to PDF) on A4: portrait when the columns fit, else landscape; a sheet wider than a
landscape page at a readable scale (:data:`MIN_PRINT_SCALE`) runs on over several pages with its
first column repeated, never shrunk to unreadable; the header row repeats on every page and
the caption is on page 1.  A ``note`` (the warning of a report that counts unreviewed
suggestions) follows the caption in red.

>>> from openpyxl import Workbook
>>> from qualcode.report.tables import Table
>>> ws = Workbook().active
>>> write_table(ws, Table("t", "T", "Testi.", ["Koodi", "Määrä"], [["=A1", 2]], [["n = 1", ""]]), 3, "fi")
>>> [ws["A1"].value, ws["A3"].value, ws["A3"].data_type, ws["A5"].value, ws.auto_filter.ref, ws.freeze_panes]
['Taulukko 3. Testi.', '=A1', 's', 'n = 1', 'A2:B3', 'A3']
>>> ws.print_title_rows, ws.page_setup.orientation, ws.page_setup.paperSize
('$2:$2', 'portrait', 9)
>>> wrapped_lines("yksi kaksi kolme neljä", 14), row_height(["lyhyt", "pitkä " * 20], [10, 20])
(2, 105.0)
"""
from __future__ import annotations

import math
import re
import textwrap
from copy import copy

from openpyxl.styles import Alignment, Border, Side
from openpyxl.utils import get_column_letter

from ..labels import label
from ..sheets import FONT_NAME, caption_cell, fill, font, freeze_header, header_cell, text_width, write_cell

HEADER_COLOUR = "D9E1F2"
HEADER_FILL = fill(HEADER_COLOUR)
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
#: The SWOT grid's quadrants: (row, column) of the data cells → colour.
QUADRANT_FILLS = {(0, 1): "E2EFDA", (0, 2): "FCE4D6", (1, 1): "DDEBF7", (1, 2): "FFF2CC"}
WRAP = Alignment(wrap_text=True, vertical="top")
#: Points per line of 11 pt text, and Excel's tallest row.
LINE_POINTS, MAX_ROW_POINTS = 15.0, 409.0
#: Column width units (characters) that fit the printable width of A4 at 100 %: portrait,
#: landscape (1.5 cm margins).
PORTRAIT_UNITS, LANDSCAPE_UNITS = 95.0, 140.0
#: A sheet is never printed smaller than this (percent); wider sheets continue on more pages.
MIN_PRINT_SCALE = 70
#: Columns are never made narrower than this to fit the page: running text (a table's ``wide``
#: columns), other text.
MIN_TEXT_UNITS, MIN_OTHER_UNITS = 30.0, 16.0
WARNING_FONT = font(bold=True, size=12, color="C00000")


def write_table(ws, table, number: int, lang: str, note: str = "") -> None:
    """Lay one :class:`~qualcode.report.tables.Table` out on a worksheet (caption row 1,
    header row 2, data from row 3, footer rows after one empty row)."""
    ncols = max(1, len(table.header))
    caption_cell(ws, label("caption.table", lang, n=number, title=table.title))
    if note:
        _add_note(ws["A1"], note)
    for j, h in enumerate(table.header, 1):
        header_cell(ws.cell(row=2, column=j), h, HEADER_COLOUR, border=BORDER, alignment=WRAP)
    last_data = _write_rows(ws, table)
    if table.footer:
        _write_footer(ws, table.footer, last_data + 2)
    freeze_header(ws, 2, ncols, max(2, last_data))
    _column_widths(ws, table, ncols)
    fit_row_heights(ws, 2, last_data)
    _span_long_lines(ws, table, ncols, last_data + 2)
    print_setup(ws)
    ws.sheet_view.zoomScale = 100


def _add_note(cell, note: str) -> None:
    """The caption, then ``note`` in red, in one cell (shown and printed on page 1)."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    caption = str(cell.value or "")
    cell.value = CellRichText(TextBlock(InlineFont(rFont=FONT_NAME, b=True, sz=12), caption + "  "),
                              TextBlock(InlineFont(rFont=FONT_NAME, b=True, sz=12, color="C00000"), note))


def wrapped_lines(value, width_units: float) -> int:
    """How many lines ``value`` takes wrapped in a column ``width_units`` characters wide."""
    if value is None or value == "":
        return 1
    chars = max(1, int(width_units * 1.1) - 1)      # a text character is narrower than a width unit
    # a line that fits is one line, as textwrap says (only a tab can grow a line): most cells
    # are, and wrapping each took a fifth of a workbook report
    return sum(1 if len(line) <= chars and "\t" not in line else max(1, wrapped_count(line, chars))
               for line in str(value).split("\n"))


#: What textwrap splits or changes besides runs of spaces: hyphens and dashes, tabs, other whitespace.
_NOT_PLAIN = re.compile(r"[-\t\x0b\x0c\r]")
_RUNS = re.compile(r" +|[^ ]+")


def wrapped_count(line: str, width: int) -> int:
    """``len(textwrap.wrap(line, width, break_long_words=True))``, counted without building
    the lines for the usual line: words and spaces only (no hyphen, dash or tab), none longer
    than ``width``.  Then textwrap's chunks are the runs of spaces and of the rest, and its
    greedy packing is done here on their lengths, step for step; any other line goes to
    textwrap itself.

    >>> text = "yksi  kaksi kolme neljä viisi kuusi seitsemän kahdeksan"
    >>> [wrapped_count(text, w) == len(textwrap.wrap(text, w, break_long_words=True)) for w in (5, 11, 12, 30)]
    [True, True, True, True]
    """
    if _NOT_PLAIN.search(line) is None:
        chunks = _RUNS.findall(line)
        lengths = [len(c) for c in chunks]
        if max(lengths, default=0) <= width:
            return _greedy_lines(lengths, [not c.strip() for c in chunks], width)
    return len(textwrap.wrap(line, width, break_long_words=True))


def _greedy_lines(lengths: list, blank: list, width: int) -> int:
    """The lines of textwrap's ``_wrap_chunks`` for chunks of these ``lengths`` (``blank``:
    the chunk is whitespace, dropped at either end of a line after the first), each at most
    ``width``."""
    lines, i, n = 0, 0, len(lengths)
    while i < n:
        if blank[i] and lines:               # a line after the first starts without spaces
            i += 1
        start, length = i, 0
        while i < n and length + lengths[i] <= width:
            length += lengths[i]
            i += 1
        last = i - 1
        if last >= start and blank[last]:    # nor ends with them
            last -= 1
        if last >= start:
            lines += 1
    return lines


def row_height(values, widths) -> float:
    """The height in points that shows every wrapped line of a row (at most Excel's limit)."""
    lines = max((wrapped_lines(v, w) for v, w in zip(values, widths)), default=1)
    return min(MAX_ROW_POINTS, LINE_POINTS * lines)


def fit_row_heights(ws, first_row: int, last_row: int) -> None:
    """Row heights for the wrapped text of rows ``first_row``…``last_row`` (a row keeps a
    larger height set before)."""
    ncols = ws.max_column
    widths = [ws.column_dimensions[get_column_letter(j)].width or 8.43 for j in range(1, ncols + 1)]
    for r in range(first_row, last_row + 1):
        values = [ws.cell(row=r, column=j).value for j in range(1, ncols + 1)]
        height = row_height(values, widths)
        current = ws.row_dimensions[r].height or 0
        if height > LINE_POINTS or current:
            ws.row_dimensions[r].height = max(height, current)


def span_line(ws, row: int, ncols: int, size: float = 11, bold: bool = False) -> None:
    """Let the text in column A of ``row`` wrap across the table's ``ncols`` columns (a merged
    cell as tall as its wrapped lines) when it is longer than the table is wide: a line left to
    run on past the table widens the printed area and shrinks the whole sheet on the page (one
    that fits runs on over the empty cells beside it, as it is).  ``size`` and ``bold``: the
    cell's font (a larger or bold letter is wider)."""
    text = str(ws.cell(row=row, column=1).value or "")
    widths = [ws.column_dimensions[get_column_letter(j)].width or 8.43 for j in range(1, ncols + 1)]
    letter_units = size / 11 * (1.15 if bold else 1.0)     # width units a letter takes, 11 pt = 1
    if len(text) * letter_units <= sum(widths) - 1:
        return
    if ncols > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
    cell = ws.cell(row=row, column=1)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    lines = wrapped_lines(text, sum(widths) / letter_units)
    ws.row_dimensions[row].height = min(MAX_ROW_POINTS, lines * LINE_POINTS * size / 11)


def _span_long_lines(ws, table, ncols: int, first_footer: int) -> None:
    """The caption (with its note) and each footer line of one text (a summary, the coding
    basis, a justification) wrap across the table instead of running on past it."""
    span_line(ws, 1, ncols, size=12, bold=True)
    for r, row in enumerate(table.footer, first_footer):
        if len(row) == 1 or not any(v not in (None, "") for v in row[1:]):
            span_line(ws, r, ncols)


def print_setup(ws, title_rows: str = "2:2") -> None:
    """A4 pages: portrait when the columns fit it, else landscape, scaled down to fit one page
    wide only as far as :data:`MIN_PRINT_SCALE`; a wider sheet goes on over more pages with
    column A repeated.  ``title_rows`` (the header) repeat on every page."""
    ncols = ws.max_column
    total = sum(ws.column_dimensions[get_column_letter(j)].width or 8.43 for j in range(1, ncols + 1))
    setup = ws.page_setup
    setup.paperSize = ws.PAPERSIZE_A4
    setup.orientation = "portrait" if total <= PORTRAIT_UNITS else "landscape"
    ws.page_margins.left = ws.page_margins.right = 0.6     # inches (1.5 cm)
    room = PORTRAIT_UNITS if setup.orientation == "portrait" else LANDSCAPE_UNITS
    if total <= room / (MIN_PRINT_SCALE / 100):
        setup.fitToWidth, setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    else:
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        setup.scale = MIN_PRINT_SCALE
        ws.print_title_cols = "A:A"
    if title_rows:
        ws.print_title_rows = title_rows


def _write_rows(ws, table) -> int:
    """The data rows from row 3; returns the last row written (2 when there are none)."""
    r = 3
    plain = None       # the style of a wrapped, bordered cell, once
    for i, row in enumerate(table.rows):
        for j, v in enumerate(row, 1):
            c = ws.cell(row=r, column=j)
            if table.kind == "grid":
                write_cell(c, v)
                c.alignment, c.border = WRAP, BORDER
                if j == 1:
                    c.font = font(bold=True)
                else:
                    c.fill = fill(QUADRANT_FILLS.get((i, j - 1), "FFFFFF"))
                continue
            # openpyxl looks a style up by hashing it on every assignment (most of a workbook
            # report's time): the first cell is styled so, the others get its style's ids
            # (as openpyxl copies cells), then their values (a date's format, a text's quote
            # prefix go on top)
            if plain is None:
                c.alignment, c.border = WRAP, BORDER
                plain = copy(c._style)
            else:
                c._style = copy(plain)
            write_cell(c, v)
        r += 1
    return r - 1


def _write_footer(ws, footer, first_row: int) -> None:
    for r, row in enumerate(footer, first_row):
        for j, v in enumerate(row, 1):
            c = ws.cell(row=r, column=j)
            write_cell(c, v)
            c.font = font(italic=True)
            c.alignment = Alignment(wrap_text=False, vertical="top")


def _column_widths(ws, table, ncols: int) -> None:
    for j in range(1, ncols + 1):
        values = [table.header[j - 1]] + [row[j - 1] for row in table.rows if j - 1 < len(row)]
        cap = 70 if (j - 1) in table.wide else 40
        ws.column_dimensions[get_column_letter(j)].width = text_width(values, cap=cap)
    _narrow_text_columns(ws, ncols, LANDSCAPE_UNITS / 0.8, table.wide)
    if table.kind == "grid":
        for i in range(len(table.rows)):
            lines = max(str(v).count("\n") + 1 for v in table.rows[i])
            ws.row_dimensions[3 + i].height = max(60, 15 * lines)
        for j in range(2, ncols + 1):
            ws.column_dimensions[get_column_letter(j)].width = 50


def _narrow_text_columns(ws, ncols: int, budget: float, wide: tuple = ()) -> None:
    """Narrow the text columns (they wrap) so that the sheet prints on a landscape page at 80 %
    or more, each by the same share of its width above its minimum (:data:`MIN_TEXT_UNITS`
    for running text, :data:`MIN_OTHER_UNITS` else); a matrix of many narrow columns goes on
    over more pages instead."""
    letters = [get_column_letter(j) for j in range(1, ncols + 1)]
    widths = [ws.column_dimensions[c].width or 8.43 for c in letters]
    floors = [MIN_TEXT_UNITS if j in wide else MIN_OTHER_UNITS for j in range(ncols)]
    excess = sum(widths) - budget
    pool = sum(max(0.0, w - f) for w, f in zip(widths, floors))
    if excess <= 0 or pool <= 0:
        return
    share = min(1.0, excess / pool)
    for c, w, f in zip(letters, widths, floors):
        if w > f:
            ws.column_dimensions[c].width = round(w - (w - f) * share, 1)

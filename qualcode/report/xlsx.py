"""The workshop workbook: one styled sheet per artefact (see :mod:`qualcode.report.tables`),
then the construct sheets when the project has construct files.

Every sheet has a caption row (``Taulukko N. …``, numbered in sheet order), a bold header
row, wrapped text, column widths from the content, row heights for the wrapped lines, a frozen
header, an autofilter and an A4 print layout (see :mod:`qualcode.report.worksheet`).  The
first sheet states the coding basis below its table; with unreviewed suggestions counted (or
nothing reviewed) every analysis sheet carries a red warning after its caption.  Every text cell is written as a literal string — text
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return never becomes a formula.
The file is written to a temporary file beside the target and moved into place, so a failed
run never leaves a half-written report.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Optional, Union

from openpyxl import Workbook

from ..analysis.study import Analyses, StudyFrames
from ..labels import label
from ..sheets import safe_sheet_title, save_workbook
from .artefacts import add_artefact_sheets, missing_notes
from .construct_sheets import add_construct_sheets
from .tables import ANALYSIS_TABLES, Table, all_tables
from .worksheet import write_table

PathLike = Union[str, Path]


def build_workbook(source: Union[StudyFrames, Analyses], lang: Optional[str] = None, show_codes: bool = True,
                   tables: Optional[list[Table]] = None) -> Workbook:
    """The workbook in memory (see :func:`write_xlsx_report`)."""
    analyses = Analyses.of(source)
    frames = analyses.frames
    lang = lang or frames.language
    tables = tables if tables is not None else all_tables(analyses, lang, show_codes)
    basis = frames.coding_basis
    warning = basis.warning(lang) or ""
    wb = Workbook()
    wb.remove(wb.active)
    for n, t in enumerate(tables, 1):
        if n == 1:      # the basis on the first sheet, below its table
            t = replace(t, footer=list(t.footer) + [[label("report.doc.basis", lang) + ": " + basis.statement(lang)]]
                        + [[note] for note in missing_notes(analyses, lang)])
        note = warning if t.key in ANALYSIS_TABLES or n == 1 else ""
        write_table(wb.create_sheet(safe_sheet_title(t.sheet, wb)), t, n, lang, note=note)
    n = len(tables) + 1
    if frames.constructs is not None:
        n = add_construct_sheets(wb, frames.constructs, lang, n, codebook=frames.codebook)
    add_artefact_sheets(wb, analyses, lang, n, show_codes)       # A10, A16, A17, A20, A21, A22, A26, A29, types
    if frames.title:
        wb.properties.title = frames.title
    wb.properties.creator = "qualcode"
    return wb


def write_xlsx_report(source: Union[StudyFrames, Analyses], path: PathLike, lang: Optional[str] = None,
                      show_codes: bool = True) -> Path:
    """Write the workshop workbook of ``source`` (the frames, or their analyses) to ``path``
    (atomically) and return the path.

    ``lang`` (``fi``/``en``) defaults to the frames' language; ``show_codes=False``
    hides the informant-code column of the interview table."""
    return save_workbook(build_workbook(source, lang, show_codes), path)

"""Reports: the workshop workbook (xlsx), thesis appendices (docx), figures (png/svg)
and quick-look markdown/html, all in Finnish or English (labels from
:mod:`qualcode.labels`).

>>> # inputs = ReportInputs.from_project(project, lang="fi")
>>> # write_xlsx_report(inputs, "raportti.xlsx"); write_docx_report(inputs, "liitteet.docx")
"""
from __future__ import annotations

from .finnish import count_phrase, format_date, format_minutes, partitive
from .inputs import InterviewFrame, ReportInputs, find_frames, load_frame

__all__ = ["ReportInputs", "InterviewFrame", "find_frames", "load_frame", "partitive", "count_phrase",
           "format_date", "format_minutes", "write_xlsx_report", "write_docx_report",
           "write_markdown_report", "write_html_report", "write_figures", "write_report"]


def __getattr__(name: str):
    # writers load lazily: openpyxl, python-docx and matplotlib are imported only when used
    if name == "write_xlsx_report":
        from .xlsx import write_xlsx_report
        return write_xlsx_report
    if name == "write_docx_report":
        from .docx import write_docx_report
        return write_docx_report
    if name in ("write_markdown_report", "write_html_report"):
        from . import markdown
        return getattr(markdown, name)
    if name == "write_figures":
        from .figures import write_figures
        return write_figures
    if name == "write_report":
        from .api import write_report
        return write_report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

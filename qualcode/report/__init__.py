"""Reports: the workshop workbook (xlsx), thesis appendices (docx), figures (png/svg)
and quick-look markdown/html, all in Finnish or English (labels from
:mod:`qualcode.labels`).  Every writer takes the study's frames
(:class:`~qualcode.analysis.study.StudyFrames`, which a project builds once per report) or
their :class:`~qualcode.analysis.study.Analyses`.

>>> import pandas as pd, tempfile, pathlib
>>> from qualcode.analysis.study import StudyFrames
>>> from qualcode.report import write_markdown_report
>>> frames = StudyFrames(title="Pilotti", informants=pd.DataFrame(
...     {"code": ["H1"], "role": ["Controller"], "date": ["2021-08-03"], "mode": ["Teams"], "duration_min": [36]}))
>>> out = write_markdown_report(frames, pathlib.Path(tempfile.mkdtemp()) / "r.md")
>>> out.read_text(encoding="utf-8").splitlines()[:5]
['# Pilotti', '', '*Koodausperusta: Ei tarkistettuja koodauksia: analyysit ovat tyhjiä. 0 automaattista ehdotusta odottaa tarkistusta.*', '', '**Taulukko 1. Haastattelut.**']
"""
from __future__ import annotations

_FINNISH = ("count_phrase", "format_date", "format_minutes", "partitive")
_INPUTS = ("InterviewFrame", "find_frames", "load_frame", "read_type_rules")
__all__ = ["InterviewFrame", "find_frames", "load_frame", "read_type_rules", "partitive", "count_phrase",
           "format_date", "format_minutes", "write_xlsx_report", "write_docx_report",
           "write_markdown_report", "write_html_report", "write_figures", "write_report"]


def __getattr__(name: str):
    # everything loads lazily: openpyxl, python-docx and matplotlib are imported only when used,
    # and the figure process (a module of this package) loads none of the rest
    if name in _FINNISH:
        from . import finnish
        return getattr(finnish, name)
    if name in _INPUTS:
        from . import inputs
        return getattr(inputs, name)
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

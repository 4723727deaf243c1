"""One entry point for the CLI and ``Project``: :func:`write_report` picks the writer by
format (``xlsx``, ``docx``, ``md``, ``html``) or by the file's suffix."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional, Union

from ..errors import QualcodeError
from ..labels import check_language

if TYPE_CHECKING:        # pandas loads with the analyses, after a docx report has started its figure process
    from ..analysis.study import Analyses, StudyFrames

FORMATS = ("xlsx", "docx", "md", "html")
_SUFFIX = {".xlsx": "xlsx", ".docx": "docx", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}


def default_name(fmt: str, lang: str) -> str:
    """``raportti.xlsx`` / ``report.xlsx`` …"""
    return ("raportti" if lang == "fi" else "report") + "." + fmt


def report_format(path: Union[str, Path, None] = None, fmt: Optional[str] = None) -> str:
    """The format of a report: ``fmt``, else the suffix of ``path``, else xlsx.

    >>> report_format("r.DOCX"), report_format(None, ".md"), report_format("r.txt")
    ('docx', 'md', 'xlsx')
    """
    if fmt is None and path is not None:
        fmt = _SUFFIX.get(Path(path).suffix.lower())
    fmt = (fmt or "xlsx").lower().lstrip(".")
    if fmt not in FORMATS:
        raise QualcodeError(f"unknown report format '{fmt}'; use one of {', '.join(FORMATS)}")
    return fmt


def write_report(source: Union[StudyFrames, Analyses], path: Union[str, Path, None] = None,
                 fmt: Optional[str] = None, lang: Optional[str] = None, show_codes: bool = True,
                 template: Union[str, Path, None] = None, drawer=None) -> Path:
    """Write the report of ``source`` (the frames, or their analyses) in ``fmt`` (default: from
    the suffix of ``path``, else xlsx).  ``path`` defaults to ``raportti.<fmt>``
    (``report.<fmt>`` in English) in the project folder (or the working directory).
    ``template``, a Word file, gives a docx report its pages and styles; ``drawer`` draws its
    figures (see :func:`~qualcode.report.docx.write_docx_report`)."""
    from ..analysis.study import Analyses

    analyses = Analyses.of(source)
    frames = analyses.frames
    lang = check_language(lang or frames.language)
    fmt = report_format(path, fmt)
    if template is not None and fmt != "docx":
        raise QualcodeError(f"a Word template shapes docx reports only, not {fmt}", path=str(template))
    if path is None:
        path = (frames.root or Path.cwd()) / default_name(fmt, lang)
    if fmt == "xlsx":
        from .xlsx import write_xlsx_report
        return write_xlsx_report(analyses, path, lang, show_codes)
    if fmt == "docx":
        from .docx import write_docx_report
        return write_docx_report(analyses, path, lang, show_codes, template=template, drawer=drawer)
    from .markdown import write_html_report, write_markdown_report
    writer = write_markdown_report if fmt == "md" else write_html_report
    return writer(analyses, path, lang, show_codes)

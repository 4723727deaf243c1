"""One entry point for the CLI and ``Project``: :func:`write_report` picks the writer by
format (``xlsx``, ``docx``, ``md``, ``html``) or by the file's suffix."""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

from ..errors import QualcodeError
from .inputs import ReportInputs

FORMATS = ("xlsx", "docx", "md", "html")
_SUFFIX = {".xlsx": "xlsx", ".docx": "docx", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}


def default_name(fmt: str, lang: str) -> str:
    """``raportti.xlsx`` / ``report.xlsx`` …"""
    return ("raportti" if lang == "fi" else "report") + "." + fmt


def write_report(inputs: ReportInputs, path: Union[str, Path, None] = None, fmt: Optional[str] = None,
                 lang: Optional[str] = None, show_codes: bool = True) -> Path:
    """Write the report in ``fmt`` (default: from the suffix of ``path``, else xlsx).
    ``path`` defaults to ``raportti.<fmt>`` (``report.<fmt>`` in English) in the
    project folder (or the working directory)."""
    lang = lang or inputs.language
    if lang not in ("fi", "en"):
        raise QualcodeError(f"--lang must be fi or en, not '{lang}'")
    if fmt is None and path is not None:
        fmt = _SUFFIX.get(Path(path).suffix.lower())
    fmt = (fmt or "xlsx").lower().lstrip(".")
    if fmt not in FORMATS:
        raise QualcodeError(f"unknown report format '{fmt}'; use one of {', '.join(FORMATS)}")
    if path is None:
        path = (inputs.root or Path.cwd()) / default_name(fmt, lang)
    if fmt == "xlsx":
        from .xlsx import write_xlsx_report
        return write_xlsx_report(inputs, path, lang, show_codes)
    if fmt == "docx":
        from .docx import write_docx_report
        return write_docx_report(inputs, path, lang, show_codes)
    from .markdown import write_html_report, write_markdown_report
    writer = write_markdown_report if fmt == "md" else write_html_report
    return writer(inputs, path, lang, show_codes)

"""Quick-look reports: Markdown and a self-contained HTML page with the same tables as
the workbook (same captions and numbering) and the interview frames."""
from __future__ import annotations

import html
from pathlib import Path
from typing import Any, Optional, Union

from ..analysis.study import Analyses, StudyFrames
from ..fileutil import atomic_output
from ..labels import label
from .finnish import format_date, role_after_count
from .inputs import InterviewFrame
from .tables import ANALYSIS_TABLES, Table, all_tables

PathLike = Union[str, Path]
Source = Union[StudyFrames, Analyses]


def _md_cell(v: Any) -> str:
    text = "" if v is None else str(v)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", "<br>")


def _md_table(header: list[str], rows: list[list[Any]]) -> list[str]:
    head = header if any(str(h) for h in header) else [" "] * len(header)
    out = ["| " + " | ".join(_md_cell(h) for h in head) + " |",
           "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
    return out


def _frame_md(frame: InterviewFrame, number: int, lang: str, default_language: str = "fi") -> list[str]:
    title = frame.display_title(lang, default_language)
    out = [f"## {label('caption.appendix', lang, n=number, title=title)}", ""]
    if frame.is_group:
        out += [f"**{title.upper()}**", ""]
        out += [x for x in (frame.unit, format_date(frame.date)) if x]
        out.append("")
        if frame.participants:
            out += [label("report.frame.participants", lang), ""]
            out += _md_table(["", ""], [[p.count, role_after_count(p.count, p.role, lang, p.partitive, p.plural)]
                                        for p in frame.participants])
            out.append("")
        for i, t in enumerate(frame.themes, 1):
            out += [f"**{label('report.frame.theme', lang, n=i)}** {t.title}".rstrip(), ""]
            out += [f"- {_md_cell(q.text)}" + (f" ({q.scale_text})" if q.scale_text else "") for q in t.questions]
            out.append("")
        return out
    if frame.intro:
        out += [frame.intro, ""]
    n = 0
    for t in frame.themes:
        if t.title:
            out += [f"**{t.title}**", ""]
        for q in t.questions:
            n += 1
            out.append(f"{n}. {q.text}" + (f" ({q.scale_text})" if q.scale_text else ""))
        out.append("")
    for q in frame.closing:
        n += 1
        out.append(f"{n}. {q.text}" + (f" ({q.scale_text})" if q.scale_text else ""))
    out.append("")
    return out


def markdown_report(source: Source, lang: Optional[str] = None, show_codes: bool = True,
                    tables: Optional[list[Table]] = None) -> str:
    """The report as Markdown text."""
    analyses = Analyses.of(source)
    frames = analyses.frames
    lang = lang or frames.language
    tables = tables if tables is not None else all_tables(analyses, lang, show_codes)
    basis, warning = frames.coding_basis, frames.coding_basis.warning(lang)
    lines = [f"# {frames.title}" if frames.title else "", ""]
    lines += [f"*{label('report.doc.basis', lang)}: {basis.statement(lang)}*", ""]
    for n, t in enumerate(tables, 1):
        lines += [f"**{label('caption.table', lang, n=n, title=t.title)}**", ""]
        if warning and t.key in ANALYSIS_TABLES:
            lines += [f"**{warning}**", ""]
        lines += _md_table(t.header, t.rows)
        for row in t.footer:
            lines += ["", " ".join(_md_cell(v) for v in row if v not in (None, ""))]
        lines.append("")
    for i, frame in enumerate(frames.interview_frames, 1):
        lines += _frame_md(frame, i, lang, frames.frame_language)
    return "\n".join(lines).strip() + "\n"


def html_report(source: Source, lang: Optional[str] = None, show_codes: bool = True) -> str:
    """The report as one HTML page (tables with captions above, frames as lists)."""
    analyses = Analyses.of(source)
    frames = analyses.frames
    lang = lang or frames.language
    esc = html.escape
    parts = [f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>",
             f"<title>{esc(frames.title)}</title><style>body{{font-family:sans-serif;max-width:70em;"
             "margin:auto}table{border-collapse:collapse;margin-bottom:2em}td,th{border:1px solid #999;"
             "padding:4px;vertical-align:top;white-space:pre-wrap}caption{text-align:left;font-weight:bold;"
             "padding:4px 0}.warning{color:#c00000;font-weight:bold}</style></head><body>",
             f"<h1>{esc(frames.title)}</h1>"]
    basis, warning = frames.coding_basis, frames.coding_basis.warning(lang)
    parts.append(f"<p class='basis'><b>{esc(label('report.doc.basis', lang))}:</b> {esc(basis.statement(lang))}</p>")
    for n, t in enumerate(all_tables(analyses, lang, show_codes), 1):
        note = f" <span class='warning'>{esc(warning)}</span>" if warning and t.key in ANALYSIS_TABLES else ""
        parts.append(f"<table class='{esc(t.key)}'><caption>"
                     f"{esc(label('caption.table', lang, n=n, title=t.title))}{note}</caption>")
        parts.append("<tr>" + "".join(f"<th>{esc(str(h))}</th>" for h in t.header) + "</tr>")
        for row in t.rows:
            parts.append("<tr>" + "".join(f"<td>{esc('' if v is None else str(v))}</td>" for v in row) + "</tr>")
        for row in t.footer:
            parts.append("<tr>" + "".join(f"<td><i>{esc('' if v is None else str(v))}</i></td>" for v in row)
                         + "</tr>")
        parts.append("</table>")
    for i, frame in enumerate(frames.interview_frames, 1):
        parts.append(_frame_html(frame, i, lang, frames.frame_language))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _frame_html(frame: InterviewFrame, number: int, lang: str, default_language: str = "fi") -> str:
    esc = html.escape

    def q_text(q) -> str:
        return esc(q.text) + (f" ({esc(q.scale_text)})" if q.scale_text else "")

    title = frame.display_title(lang, default_language)
    out = [f"<h2>{esc(label('caption.appendix', lang, n=number, title=title))}</h2>"]
    if frame.is_group:
        out.append(f"<p><b>{esc(title.upper())}</b></p>")
        out += [f"<p>{esc(x)}</p>" for x in (frame.unit, format_date(frame.date)) if x]
        if frame.participants:
            out.append(f"<p>{esc(label('report.frame.participants', lang))}</p><table>")
            out += [f"<tr><td>{p.count}</td><td>"
                    f"{esc(role_after_count(p.count, p.role, lang, p.partitive, p.plural))}</td></tr>"
                    for p in frame.participants]
            out.append("</table>")
        for i, t in enumerate(frame.themes, 1):
            out.append(f"<p><b>{esc(label('report.frame.theme', lang, n=i))}</b> {esc(t.title)}</p>")
            out.append("<ul>" + "".join(f"<li>{q_text(q)}</li>" for q in t.questions) + "</ul>")
        return "\n".join(out)
    if frame.intro:
        out.append(f"<p>{esc(frame.intro)}</p>")
    out.append("<ol>")
    for t in frame.themes:
        if t.title:
            out.append(f"<p><b>{esc(t.title)}</b></p>")
        out += [f"<li>{q_text(q)}</li>" for q in t.questions]
    out += [f"<li>{q_text(q)}</li>" for q in frame.closing]
    out.append("</ol>")
    return "\n".join(out)


def write_markdown_report(source: Source, path: PathLike, lang: Optional[str] = None,
                          show_codes: bool = True) -> Path:
    """Write :func:`markdown_report` to ``path`` (atomically, UTF-8)."""
    target = Path(path)
    text = markdown_report(source, lang, show_codes)
    with atomic_output(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target


def write_html_report(source: Source, path: PathLike, lang: Optional[str] = None,
                      show_codes: bool = True) -> Path:
    """Write :func:`html_report` to ``path`` (atomically, UTF-8)."""
    target = Path(path)
    text = html_report(source, lang, show_codes)
    with atomic_output(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target

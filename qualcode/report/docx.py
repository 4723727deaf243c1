"""The Word report in the Finnish thesis style: the interview table (caption
``Taulukko 1. Haastattelut.`` above the table), themed results with quotes ending in
the informant code, figures with ``Kuvio N. …`` captions below them, and the
appendices: ``Liite 1. Haastattelurunko`` (numbered questions, scales shown), the group
theme interview frame (upper-case heading, unit, date, participants in the partitive
after numerals, ``TEEMA n`` with bullet questions) and the ``TRENDI | KOMMENTTI``
results table.  English labels with ``lang="en"``.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Optional, Union

from ..labels import label
from .finnish import format_date, role_after_count
from ..fileutil import atomic_output
from .inputs import InterviewFrame, ReportInputs
from .tables import _code_name, interviews_table, quote_records, trend_frame, trends_table

PathLike = Union[str, Path]


def _style(doc, name: str, fallback: Optional[str] = None):
    try:
        return doc.styles[name]
    except KeyError:
        return doc.styles[fallback] if fallback else None


def _clean(text: Any) -> str:
    import re

    return re.sub(r"[\000-\010\013\014\016-\037]", "", "" if text is None else str(text))


def _caption(doc, text: str):
    p = doc.add_paragraph(_clean(text), style=_style(doc, "Caption", "Normal"))
    return p


def _table(doc, header: Optional[list[str]], rows: list[list[Any]]):
    ncols = len(header) if header else max((len(r) for r in rows), default=1)
    table = doc.add_table(rows=0, cols=ncols)
    style = _style(doc, "Table Grid")
    if style is not None:
        table.style = style
    if header:
        cells = table.add_row().cells
        for c, h in zip(cells, header):
            c.text = _clean(h)
            for run in c.paragraphs[0].runs:
                run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for c, v in zip(cells, row):
            c.text = _clean(v)
    _column_widths(table, header, rows, ncols)
    return table


def _column_widths(table, header, rows, ncols: int, total_cm: float = 16.0) -> None:
    """Share the text width between columns by the longest word and the typical length of
    their contents, so that short columns (dates, minutes) stay narrow and no word is split."""
    from docx.shared import Cm

    def lengths(col):
        texts = [_clean(r[col]) for r in rows if col < len(r)] + ([_clean(header[col])] if header else [])
        longest_word = max((len(w) for t in texts for w in t.split()), default=1)
        typical = sorted(len(t) for t in texts)[len(texts) // 2] if texts else 1
        return max(longest_word, min(typical, 60), 3)

    weights = [lengths(c) for c in range(ncols)]
    total = sum(weights)
    table.autofit = False
    for col, w in zip(table.columns, weights):
        width = Cm(max(2.2, total_cm * w / total))
        col.width = width            # the table grid (LibreOffice reads this) …
        for cell in col.cells:       # … and each cell (Word reads this)
            cell.width = width


def _page_break(doc) -> None:
    from docx.enum.text import WD_BREAK

    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _bold_line(doc, text: str):
    p = doc.add_paragraph()
    p.add_run(_clean(text)).bold = True
    return p


# --------------------------------------------------------------------------- appendices

def add_individual_frame(doc, frame: InterviewFrame, number: int, lang: str, default_language: str = "fi") -> None:
    """``Liite N. Haastattelurunko``: the intro, then the questions numbered 1., 2., …
    across themes (theme titles as bold lines), scale questions ending in ``(1–10)``."""
    title = frame.display_title(lang, default_language)
    doc.add_heading(_clean(label("caption.appendix", lang, n=number, title=title)), level=1)
    if frame.intro:
        doc.add_paragraph(_clean(frame.intro))
    n = 0
    for theme in frame.themes:
        if theme.title:
            _bold_line(doc, theme.title)
        for q in theme.questions:
            n += 1
            doc.add_paragraph(_question_text(n, q, lang))
    for q in frame.closing:
        n += 1
        doc.add_paragraph(_question_text(n, q, lang))


def _question_text(n: int, q, lang: str) -> str:
    text = f"{n}. {q.text}"
    if q.scale_text:
        text += " " + label("report.frame.scale", lang, scale=q.scale_text)
    return _clean(text)


def add_group_frame(doc, frame: InterviewFrame, number: int, lang: str, default_language: str = "fi") -> None:
    """The group theme interview frame: ``Liite N. …``, the upper-case heading, unit,
    date (``d.m.yyyy``), ``Osallistujat:`` with a count | role table (no header row;
    roles in the partitive after numerals above one), then ``TEEMA n``, the theme
    title and the questions as bullets."""
    title = frame.display_title(lang, default_language)
    doc.add_heading(_clean(label("caption.appendix", lang, n=number, title=title)), level=1)
    _bold_line(doc, title.upper())
    if frame.unit:
        doc.add_paragraph(_clean(frame.unit))
    if frame.date:
        doc.add_paragraph(format_date(frame.date))
    if frame.participants:
        doc.add_paragraph(label("report.frame.participants", lang))
        _table(doc, None, [[str(p.count), role_after_count(p.count, p.role, lang, p.partitive, p.plural)]
                           for p in frame.participants])
    for i, theme in enumerate(frame.themes, 1):
        _bold_line(doc, label("report.frame.theme", lang, n=i))
        if theme.title:
            doc.add_paragraph(_clean(theme.title))
        for q in theme.questions:
            text = q.text + (" " + label("report.frame.scale", lang, scale=q.scale_text) if q.scale_text else "")
            doc.add_paragraph(_clean(text), style=_style(doc, "List Bullet", "Normal"))


def add_trend_appendix(doc, inputs: ReportInputs, number: int, lang: str, frame=None) -> None:
    """The results appendix: a ``TRENDI | KOMMENTTI`` table, one row per trend."""
    title = label("report.frame.results" if inputs.group_frames else "report.frame.trends", lang)
    doc.add_heading(_clean(label("caption.appendix", lang, n=number, title=title)), level=1)
    t = trends_table(inputs, lang, frame)
    _table(doc, t.header[:2], [r[:2] for r in t.rows])


# --------------------------------------------------------------------------- body

def add_results(doc, inputs: ReportInputs, lang: str, max_quotes: int = 3, trends: Any = None) -> None:
    """Themed results: per theme a heading, how many informants raised it, and per code
    up to ``max_quotes`` quotes, each ending in the informant code (``… H1``)."""
    recs = quote_records(inputs)
    if not len(recs):
        return
    shared = {}
    if trends is not None and len(trends):
        shared = dict(zip(trends["code_id"], trends["shared"]))
    quote_style = _style(doc, "Quote", "Normal")
    for theme in dict.fromkeys(recs["theme"]):
        sub = recs[recs["theme"] == theme]
        doc.add_heading(_clean(_code_name(inputs.codebook, theme)), level=2)
        if theme in shared:
            doc.add_paragraph(label("report.doc.theme_share", lang, shared=shared[theme]))
        for code in dict.fromkeys(sub["code_id"]):
            rows = sub[sub["code_id"] == code]
            if code != theme:
                _bold_line(doc, _code_name(inputs.codebook, code) + ":")
            for r in rows.head(max_quotes).to_dict("records"):
                quote = " ".join(str(r["quote"]).split())
                speaker = r["speaker"] or ""
                doc.add_paragraph(_clean(f"{quote} {speaker}".strip()), style=quote_style)


def build_document(inputs: ReportInputs, lang: Optional[str] = None, show_codes: bool = True,
                   figures: bool = True, figure_dir: Optional[Path] = None):
    """The python-docx ``Document`` (see :func:`write_docx_report`)."""
    from docx import Document
    from docx.shared import Cm

    lang = lang or inputs.language
    doc = Document()
    if inputs.title:
        doc.core_properties.title = inputs.title
        doc.add_heading(_clean(inputs.title), level=0)
    # interviews: caption above the table
    table_no = 0
    t = interviews_table(inputs, lang, show_codes)
    if t.rows:
        doc.add_heading(label("report.doc.interviews", lang), level=1)
        table_no += 1
        _caption(doc, label("caption.table", lang, n=table_no, title=t.title))
        _table(doc, t.header, t.rows)
        for row in t.footer:
            doc.add_paragraph(_clean(row[0]))
    trends = trend_frame(inputs)
    if inputs.codings is not None and len(inputs.codings):
        doc.add_heading(label("report.doc.results", lang), level=1)
        add_results(doc, inputs, lang, trends=trends)
    if figures and figure_dir is not None:
        from .figures import _pyplot, figure_specs, save_figure

        plt = _pyplot()
        specs = figure_specs(inputs, lang)
        if specs:
            doc.add_heading(label("report.doc.figures", lang), level=1)
        for n, spec in enumerate(specs, 1):
            try:
                png = save_figure(spec.figure, figure_dir / f"figure{n}.png", spec.caption(n, lang), "png")
            finally:
                plt.close(spec.figure)
            doc.add_picture(str(png), width=Cm(15))
            _caption(doc, spec.caption(n, lang))       # caption below the figure
    appendix = 0
    for frame in inputs.individual_frames:
        _page_break(doc)
        appendix += 1
        add_individual_frame(doc, frame, appendix, lang, inputs.frame_language)
    for frame in inputs.group_frames:
        _page_break(doc)
        appendix += 1
        add_group_frame(doc, frame, appendix, lang, inputs.frame_language)
    if len(trends):
        _page_break(doc)
        appendix += 1
        add_trend_appendix(doc, inputs, appendix, lang, trends)
    if inputs.constructs is not None:
        from .construct_sheets import add_construct_appendices

        appendix = add_construct_appendices(doc, inputs.constructs, lang, appendix + 1,
                                            codebook=inputs.codebook) - 1
    return doc


def write_docx_report(inputs: ReportInputs, path: PathLike, lang: Optional[str] = None,
                      show_codes: bool = True, figures: bool = True) -> Path:
    """Write the Word report to ``path`` (atomically) and return the path."""
    target = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        doc = build_document(inputs, lang, show_codes, figures, Path(tmp))
        with atomic_output(target) as out:
            doc.save(str(out))
    return target

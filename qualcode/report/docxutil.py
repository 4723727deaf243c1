"""The one home of the python-docx helpers the Word report and the construct appendices
share: style lookup, XML-safe text, tables with column widths from their contents, captions,
page breaks, bold lines and appendix headings.

>>> from docx import Document
>>> doc = Document()
>>> t = table(doc, ["PVM:", "Titteli:"], [["3.8.2021", "Toimitusjohtaja"]])
>>> [[c.text for c in r.cells] for r in t.rows], t.columns[0].width < t.columns[1].width
([['PVM:', 'Titteli:'], ['3.8.2021', 'Toimitusjohtaja']], True)
>>> clean("a\\x00b"), bold_line(doc, "Teema").runs[0].bold
('ab', True)
"""
from __future__ import annotations

from typing import Any, Optional

from ..fileutil import xml_safe
from ..labels import label

#: Text width of a portrait A4 page with the default margins, shared between table columns.
TEXT_WIDTH_CM = 16.0


def clean(text: Any) -> str:
    """``text`` without the characters XML cannot hold (None is empty)."""
    return xml_safe(text)


def style(doc, name: str, fallback: Optional[str] = None):
    """The document's style ``name``, else ``fallback`` (None when neither is given or found)."""
    try:
        return doc.styles[name]
    except KeyError:
        return doc.styles[fallback] if fallback else None


def caption(doc, text: str):
    """A caption paragraph (``Taulukko N. …`` above a table, ``Kuvio N. …`` below a figure)."""
    return doc.add_paragraph(clean(text), style=style(doc, "Caption", "Normal"))


def table(doc, header: Optional[list], rows: list[list[Any]]):
    """A ``Table Grid`` table: a bold header row (when given), then ``rows``; column widths
    from the contents (see :func:`column_widths`)."""
    ncols = len(header) if header else max((len(r) for r in rows), default=1)
    out = doc.add_table(rows=0, cols=ncols)
    grid = style(doc, "Table Grid")
    if grid is not None:
        out.style = grid
    if header:
        for c, h in zip(out.add_row().cells, header):
            c.text = clean(h)
            for run in c.paragraphs[0].runs:
                run.bold = True
    for row in rows:
        for c, v in zip(out.add_row().cells, row):
            c.text = clean(v)
    column_widths(out, header, rows, ncols)
    return out


def column_widths(tbl, header, rows, ncols: int, total_cm: float = TEXT_WIDTH_CM) -> None:
    """Share the text width between columns by the longest word and the typical length of
    their contents, so that short columns (dates, minutes) stay narrow and no word is split."""
    from docx.shared import Cm

    def weight(col: int) -> int:
        texts = [clean(r[col]) for r in rows if col < len(r)] + ([clean(header[col])] if header else [])
        longest_word = max((len(w) for t in texts for w in t.split()), default=1)
        typical = sorted(len(t) for t in texts)[len(texts) // 2] if texts else 1
        return max(longest_word, min(typical, 60), 3)

    weights = [weight(c) for c in range(ncols)]
    total = sum(weights)
    tbl.autofit = False
    for col, w in zip(tbl.columns, weights):
        width = Cm(max(2.2, total_cm * w / total))
        col.width = width            # the table grid (LibreOffice reads this) …
        for cell in col.cells:       # … and each cell (Word reads this)
            cell.width = width


def page_break(doc) -> None:
    """A page break in a paragraph of its own."""
    from docx.enum.text import WD_BREAK

    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def bold_line(doc, text: str):
    """A paragraph of one bold run."""
    p = doc.add_paragraph()
    p.add_run(clean(text)).bold = True
    return p


def appendix_heading(doc, number: int, title: str, lang: str, page_break_before: bool = False) -> None:
    """``Liite N. title`` as a level-1 heading, after a page break when ``page_break_before``."""
    if page_break_before:
        page_break(doc)
    doc.add_heading(clean(label("caption.appendix", lang, n=number, title=title)), level=1)

"""The one home of the python-docx helpers the Word report and the construct appendices
share: the page model (A4 or the user's own template, landscape sections for wide tables),
style lookup, XML-safe text, tables with column widths from their contents, captions kept
with what they caption, figures scaled to the text area, bold lines and appendix headings.

Column widths are measured, not guessed: every word of a column must fit on one line in the
table's font (measured with DejaVu Sans, which matplotlib bundles and which is wider than the
usual thesis fonts, so a word that fits here fits in print).  A table whose words cannot fit
on a portrait page gets a landscape section of its own; one that does not fit even there is
set in a smaller font.

>>> doc = new_document()
>>> round(doc.sections[0].page_width.cm, 1), round(doc.sections[0].page_height.cm, 1)
(21.0, 29.7)
>>> t = table(doc, ["PVM:", "Titteli:"], [["3.8.2021", "Toimitusjohtaja"]])
>>> [[c.text for c in r.cells] for r in t.rows], t.columns[0].width < t.columns[1].width
([['PVM:', 'Titteli:'], ['3.8.2021', 'Toimitusjohtaja']], True)
>>> is_repeated_header(t.rows[0]), is_repeated_header(t.rows[1])
(True, False)
>>> clean("a\\x00b"), bold_line(doc, "Teema").runs[0].bold
('ab', True)
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional, Sequence

from ..errors import QualcodeError
from ..fileutil import xml_safe
from ..labels import label

#: Text width of a portrait A4 page with the default margins.
TEXT_WIDTH_CM = 16.0
A4_CM = (21.0, 29.7)
MARGIN_CM = 2.5
#: Left + right cell margins (Word's and LibreOffice's default 0.19 cm each) and a safety margin.
CELL_PADDING_CM = 0.5
#: A column holding running text grows to at most this width before its lines wrap.
MAX_NATURAL_CM = 9.0
#: Smaller table fonts tried, in points, when the words do not fit even a landscape page.
SMALLER_FONTS = (9.0, 8.0)
#: Room kept below a figure for its caption (and above it for a heading).
CAPTION_ROOM_CM = 3.0
_TEMPLATE_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
_DOCUMENT_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def clean(text: Any) -> str:
    """``text`` without the characters XML cannot hold (None is empty)."""
    return xml_safe(text)


# --------------------------------------------------------------------------- the page model

def new_document(template: Optional[Any] = None):
    """A new python-docx ``Document``: on A4 pages with 2.5 cm margins and Arial 11 pt, or,
    with ``template`` (a .docx or .dotx file, e.g. the university's thesis template), with the
    template's page size, margins, headers and footers and styles, its sample text removed."""
    from docx import Document
    from docx.shared import Cm, Pt

    if template is None:
        doc = Document()
        for s in doc.sections:
            s.page_width, s.page_height = Cm(A4_CM[0]), Cm(A4_CM[1])
            s.left_margin = s.right_margin = s.top_margin = s.bottom_margin = Cm(MARGIN_CM)
        normal = doc.styles["Normal"].font
        normal.name, normal.size = "Arial", Pt(11)
        return _remember_style_ids(doc)
    doc = Document(io.BytesIO(_template_bytes(Path(template))))
    body = doc.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    return _remember_style_ids(doc)


def _remember_style_ids(doc):
    """``doc``, its style ids looked up once per style.  python-docx finds the id of a style given
    to a paragraph or table by scanning every style of the document, and the default style
    too, each time; a report gives styles to hundreds of paragraphs (a fifth of its build
    time).  The styles of a report never change while it is built, so the answer for each
    (style, type) is kept; the ids written are the same."""
    part = doc.part
    find = part.get_style_id
    known: dict = {}

    def get_style_id(style_or_name, style_type):
        if style_or_name is None:
            return None
        key = (style_or_name if isinstance(style_or_name, str)
               else (type(style_or_name), style_or_name.style_id), style_type)
        if key not in known:
            known[key] = find(style_or_name, style_type)
        return known[key]

    part.get_style_id = get_style_id
    return doc


def _template_bytes(path: Path) -> bytes:
    """The template as the bytes of a .docx (a .dotx differs only in its content type)."""
    if not path.is_file():
        raise QualcodeError("the Word template does not exist; give the path of a .docx or .dotx file",
                            path=str(path))
    try:
        with zipfile.ZipFile(path) as z:
            parts = {name: z.read(name) for name in z.namelist()}
    except (zipfile.BadZipFile, OSError) as e:
        raise QualcodeError(f"this is not a Word file ({e}); save the template as .docx or .dotx",
                            path=str(path)) from None
    types = parts.get("[Content_Types].xml", b"")
    if b"wordprocessingml" not in types:
        raise QualcodeError("this is not a Word file; save the template as .docx or .dotx", path=str(path))
    parts["[Content_Types].xml"] = types.replace(_TEMPLATE_TYPE, _DOCUMENT_TYPE)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


def text_width_cm(doc, landscape: Optional[bool] = None) -> float:
    """The width between the margins of the last section, or of a page turned to
    ``landscape`` (True) or portrait (False)."""
    s = doc.sections[-1]
    long, short = max(s.page_width, s.page_height), min(s.page_width, s.page_height)
    if landscape is None:
        width = s.page_width
    else:
        width = long if landscape else short
    return (width - s.left_margin - s.right_margin) / 360000


def text_height_cm(doc) -> float:
    s = doc.sections[-1]
    return (s.page_height - s.top_margin - s.bottom_margin) / 360000


def is_landscape(doc) -> bool:
    s = doc.sections[-1]
    return s.page_width > s.page_height


def start_page(doc, landscape: bool = False):
    """Begin a new page: a new section when the orientation changes (the page size turned,
    the margins kept), else a page break before the next paragraph.  Returns a function that
    marks that paragraph (call it with the paragraph, e.g. a heading)."""
    from docx.enum.section import WD_ORIENT, WD_SECTION

    body_empty = not any(True for _ in doc.element.body.iterchildren() if not _.tag.endswith("}sectPr"))
    if landscape != is_landscape(doc):
        s = doc.add_section(WD_SECTION.NEW_PAGE) if not body_empty else doc.sections[-1]
        long, short = max(s.page_width, s.page_height), min(s.page_width, s.page_height)
        s.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        s.page_width, s.page_height = (long, short) if landscape else (short, long)
        return lambda paragraph: paragraph

    def mark(paragraph):
        if not body_empty:
            paragraph.paragraph_format.page_break_before = True
        return paragraph
    return mark


# --------------------------------------------------------------------------- styles and text

def style(doc, name: str, fallback: Optional[str] = None):
    """The document's style ``name``, else ``fallback`` (None when neither is given or found)."""
    try:
        return doc.styles[name]
    except KeyError:
        return doc.styles[fallback] if fallback else None


def caption(doc, text: str, keep_with_next: bool = False):
    """A caption paragraph (``Taulukko N. …`` above a table, kept with it; ``Kuvio N. …``
    below a figure)."""
    p = doc.add_paragraph(clean(text), style=style(doc, "Caption", "Normal"))
    p.paragraph_format.keep_with_next = keep_with_next
    return p


def heading(doc, text: str, level: int = 1):
    """A heading kept with the paragraph that follows it."""
    h = doc.add_heading(clean(text), level=level)
    h.paragraph_format.keep_with_next = True
    return h


# --------------------------------------------------------------------------- measuring text

#: Text is measured at this many pixels to the em: widths unrounded by hinting, scaled to the size asked.
MEASURE_PX = 1000


def _dejavu(bold: bool) -> str:
    """The DejaVu Sans file that matplotlib ships, found without importing matplotlib (a
    report without figures need not pay for it)."""
    import importlib.util

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    spec = importlib.util.find_spec("matplotlib")
    path = Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf" / name if spec and spec.origin else None
    if path is not None and path.is_file():
        return str(path)
    from matplotlib import font_manager

    return font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans",
                                                             weight="bold" if bold else "normal"))


@lru_cache(maxsize=4)
def _font(bold: bool):
    from PIL import ImageFont

    return ImageFont.truetype(_dejavu(bold), MEASURE_PX, layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=20000)
def text_cm(text: str, size_pt: float = 11.0, bold: bool = False) -> float:
    """The width of ``text`` on one line in ``size_pt`` points, in cm: the advance of its
    glyphs with kerning (Pillow's FreeType layout, a few microseconds a text).

    >>> text_cm("liikevaihto") > text_cm("liike") > 0
    True
    >>> round(text_cm("m" * 10, 10.0), 2)       # DejaVu Sans: "m" is 0.974 em wide
    3.44
    """
    if not text:
        return 0.0
    width_pt = _font(bold).getlength(text) * size_pt / MEASURE_PX
    return width_pt * 2.54 / 72


@dataclass
class ColumnNeeds:
    """What one column needs: ``least`` (its longest word) and ``natural`` (its longest line,
    capped at :data:`MAX_NATURAL_CM`), both in cm with the cell padding."""

    least: float
    natural: float


def column_needs(header: Optional[Sequence], rows: Sequence[Sequence], ncols: int,
                 size_pt: float = 11.0) -> list[ColumnNeeds]:
    needs = []
    for col in range(ncols):
        cells = [(clean(r[col]), False) for r in rows if col < len(r)]
        if header:
            cells.append((clean(header[col]), True))
        least = natural = 0.0
        for text, bold in cells:
            for line in text.split("\n"):
                least = max([least] + [text_cm(w, size_pt, bold) for w in line.split()])
                natural = max(natural, min(text_cm(line, size_pt, bold), MAX_NATURAL_CM))
        needs.append(ColumnNeeds(least + CELL_PADDING_CM, max(natural, least) + CELL_PADDING_CM))
    return needs


def share_width(needs: list[ColumnNeeds], available: float) -> list[float]:
    """Column widths in cm: each column its natural width when all fit, else its longest
    word plus a share of the rest by how much more it would take; scaled down (words will
    break) only when even the longest words do not fit.

    >>> share_width([ColumnNeeds(1, 2), ColumnNeeds(2, 10)], 8)
    [1.556, 6.444]
    """
    least = sum(n.least for n in needs)
    if least >= available:
        return [round(n.least * available / least, 3) for n in needs]
    if sum(n.natural for n in needs) <= available:
        return [n.natural for n in needs]
    extra = available - least
    more = [n.natural - n.least for n in needs]
    return [round(n.least + extra * m / sum(more), 3) for n, m in zip(needs, more)]


def table_layout(doc, header, rows, ncols: int, size_pt: float = 11.0) -> tuple[bool, float]:
    """``(landscape, font size)`` for a table: portrait in the body font when its words fit
    the portrait text width, else landscape (a wide table with long text also goes landscape,
    so that it is not many pages of narrow columns), else a smaller font."""
    portrait, landscape = text_width_cm(doc, False), text_width_cm(doc, True)
    needs = column_needs(header, rows, ncols, size_pt)
    least, natural = sum(n.least for n in needs), sum(n.natural for n in needs)
    if least <= portrait and not (ncols >= 5 and natural > 1.5 * portrait):
        return False, size_pt
    for size in (size_pt,) + SMALLER_FONTS:
        if sum(n.least for n in column_needs(header, rows, ncols, size)) <= landscape:
            return True, size
    return True, SMALLER_FONTS[-1]


def needs_landscape(doc, header, rows) -> bool:
    """Whether the table of ``header`` and ``rows`` goes on a landscape page."""
    ncols = len(header) if header else max((len(r) for r in rows), default=1)
    return table_layout(doc, header, rows, ncols, _body_size(doc))[0]


def _body_size(doc) -> float:
    size = doc.styles["Normal"].font.size
    return size.pt if size is not None else 11.0


# --------------------------------------------------------------------------- tables

def table(doc, header: Optional[list], rows: list[list[Any]]):
    """A ``Table Grid`` table (borders drawn when the template has no such style): a bold
    header row repeated on every page (when given), then ``rows``; column widths from the
    contents (see :func:`share_width`), the font smaller when the words do not fit."""
    from docx.shared import Pt

    ncols = len(header) if header else max((len(r) for r in rows), default=1)
    _, size = table_layout(doc, header, rows, ncols, _body_size(doc))
    out = doc.add_table(rows=0, cols=ncols)
    grid = style(doc, "Table Grid")
    if grid is not None:
        out.style = grid
    else:
        _draw_borders(out)
    if header:
        row = out.add_row()
        _repeat_header(row)
        for c, h in zip(row.cells, header):
            c.text = clean(h)
            for run in c.paragraphs[0].runs:
                run.bold = True
    for row in rows:
        for c, v in zip(out.add_row().cells, row):
            c.text = clean(v)
    if size != _body_size(doc):
        for run in (r for row in out.rows for c in row.cells for p in c.paragraphs for r in p.runs):
            run.font.size = Pt(size)
    column_widths(out, header, rows, ncols, text_width_cm(doc), size)
    return out


def column_widths(tbl, header, rows, ncols: int, total_cm: float = TEXT_WIDTH_CM, size_pt: float = 11.0) -> None:
    """Set the widths from :func:`share_width` on the grid (LibreOffice reads it) and on each
    cell (Word reads that)."""
    set_widths(tbl, share_width(column_needs(header, rows, ncols, size_pt), total_cm))


def set_widths(tbl, widths_cm: Sequence[float]) -> None:
    """Fixed column widths (cm), on the grid (LibreOffice reads it) and on each cell (Word)."""
    from docx.shared import Cm

    tbl.autofit = False
    widths = [Cm(w) for w in widths_cm]
    for col, width in zip(tbl.columns, widths):
        col.width = width
    # row by row: a column's cells are found by walking the whole table each time
    for row in tbl.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width


def _repeat_header(row) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def is_repeated_header(row) -> bool:
    """Whether ``row`` repeats at the top of every page the table runs to."""
    from docx.oxml.ns import qn

    tr_pr = row._tr.trPr
    return tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None


def _draw_borders(tbl) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        for k, v in (("val", "single"), ("sz", "4"), ("space", "0"), ("color", "808080")):
            el.set(qn(f"w:{k}"), v)
        borders.append(el)
    tbl._tbl.tblPr.append(borders)


# --------------------------------------------------------------------------- figures

@dataclass
class FigureSlot:
    """Where a picture goes: its (still empty) paragraph, the room it has there — the text
    width and the text height less the caption's room, in cm — and its caption below it."""

    paragraph: Any
    width_cm: float
    room_cm: float
    caption: Any = None


def figure_slot(doc, caption_text: str) -> FigureSlot:
    """An empty paragraph for a picture, kept on one page with its caption below it; the
    picture is put in later (:func:`place_figure`), when it has been drawn."""
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.keep_with_next = True
    room = text_height_cm(doc) - CAPTION_ROOM_CM
    return FigureSlot(paragraph, text_width_cm(doc), room, caption(doc, caption_text))


def place_figure(slot: FigureSlot, png: Path) -> None:
    """The picture ``png`` in its slot, scaled to the text width (and to the room left by
    the caption when it is tall)."""
    from docx.shared import Cm
    from PIL import Image

    with Image.open(png) as im:
        w_px, h_px = im.size
    width = slot.width_cm
    height = width * h_px / w_px
    if height > slot.room_cm:
        width, height = width * slot.room_cm / height, slot.room_cm
    shape = slot.paragraph.add_run().add_picture(str(png), width=Cm(width), height=Cm(height))
    for side in ("distT", "distB", "distL", "distR"):   # LibreOffice reads a missing distance as 0.125 in
        shape._inline.set(side, "0")


def figure(doc, png: Path, caption_text: str):
    """A picture scaled to the text area (keeping room for its caption) and its caption
    below it, kept on the same page; returns the caption."""
    slot = figure_slot(doc, caption_text)
    place_figure(slot, png)
    return slot.caption


# --------------------------------------------------------------------------- small pieces

def page_break(doc) -> None:
    """A page break in a paragraph of its own."""
    from docx.enum.text import WD_BREAK

    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def bold_line(doc, text: str):
    """A paragraph of one bold run."""
    p = doc.add_paragraph()
    p.add_run(clean(text)).bold = True
    return p


def warning_line(doc, text: str):
    """A warning the reader cannot miss: bold, dark red."""
    from docx.shared import RGBColor

    p = doc.add_paragraph()
    run = p.add_run(clean(text))
    run.bold = True
    run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    return p


def appendix_heading(doc, number: int, title: str, lang: str, page_break_before: bool = False,
                     landscape: bool = False) -> None:
    """``Liite N. title`` as a level-1 heading, on a new page when ``page_break_before``
    (a landscape one when ``landscape``)."""
    mark = start_page(doc, landscape) if page_break_before or landscape != is_landscape(doc) else (lambda p: p)
    mark(heading(doc, label("caption.appendix", lang, n=number, title=title), level=1))

"""One reader per file format: file → :class:`RawDocument` (lines of plain text).

Every reader returns lines; the plain text of the source is ``"\\n".join(lines)``, so
offsets computed on lines are offsets into the source text.  Headings are flagged so the
transcript parser can tag theme areas without guessing.  Survey spreadsheets return rows
instead (one answer per row).

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "h1.txt"
>>> _ = p.write_text("H1: Hei\\n", encoding="utf-8")
>>> read_document(p).lines[0].text
'H1: Hei'
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from ..errors import ReadError
from ..safearchive import check_office_zip
from .decode import decode_bytes, normalise_text

#: Formats read as transcripts (lines) and as survey answers (rows).
TRANSCRIPT_SUFFIXES = {".txt", ".md", ".docx", ".odt", ".vtt", ".srt", ".pdf"}
SURVEY_SUFFIXES = {".csv", ".xlsx"}
SUPPORTED_SUFFIXES = TRANSCRIPT_SUFFIXES | SURVEY_SUFFIXES


@dataclass
class Line:
    """One line of a document, with its heading level and where it is in the file."""
    text: str
    heading: int = 0          # 0 = body text; 1 = title; 2+ = theme-area heading
    src_line: int = 0         # 1-based line / paragraph / cue number in the file


@dataclass
class RawDocument:
    """What a reader found in a file, before speaker turns are parsed."""

    path: str
    format: str
    lines: list[Line] = field(default_factory=list)
    encoding: str = ""
    rows: Optional[list[dict]] = None      # survey answers: one dict per spreadsheet row
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


_READERS: dict[str, Callable[[Path, bytes], RawDocument]] = {}


def reader(*suffixes: str):
    """Register a reader function for file suffixes (like spaCy's registry)."""
    def deco(fn):
        for s in suffixes:
            _READERS[s] = fn
        return fn
    return deco


def read_document(path: Path, data: Optional[bytes] = None) -> RawDocument:
    """Read ``path`` with the reader for its suffix. Raises :class:`ReadError` on bad input."""
    path = Path(path)
    suffix = path.suffix.lower()
    fn = _READERS.get(suffix)
    if fn is None:
        raise ReadError(f"qualcode cannot read '{suffix or 'no extension'}' files; use one of "
                        f"{', '.join(sorted(SUPPORTED_SUFFIXES))}", path=str(path))
    if data is None:
        data = path.read_bytes()
    if not data.strip():
        raise ReadError("the file is empty; check that you exported the transcript", path=str(path))
    doc = fn(path, data)
    if doc.rows is None and not any(line.text.strip() for line in doc.lines):
        raise ReadError("the file contains no text; check that it is the transcript you meant",
                        path=str(path))
    return doc


def _lines_from_text(text: str) -> list[Line]:
    return [Line(t, 0, i + 1) for i, t in enumerate(normalise_text(text).split("\n"))]


@reader(".txt")
def read_text(path: Path, data: bytes) -> RawDocument:
    """Plain text, in any encoding :func:`decode_bytes` recognises."""
    warns: list[str] = []
    text, enc = decode_bytes(data, str(path), warns)
    fmt = path.suffix.lower().lstrip(".")
    return RawDocument(str(path), fmt, _lines_from_text(text), encoding=enc, warnings=warns)


@reader(".md")
def read_markdown(path: Path, data: bytes) -> RawDocument:
    """Markdown, read as Markdown (CommonMark, with tables): the text without its markup
    (``**``, ``_``, list markers, a link's address), each line of a paragraph a line as in
    the file; ``#`` headings, and paragraphs that are one bold phrase (``**Laskutus**``), are
    headings of theme areas.

    >>> [(l.text, l.heading, l.src_line) for l in _markdown_lines(
    ...     "# Haastattelu\\n\\n## Teema 1\\n\\n**H1:** Hyvä [portaali](https://x.fi), *nopea*.\\n- kohta")]
    [('Haastattelu', 1, 1), ('Teema 1', 2, 3), ('H1: Hyvä portaali, nopea.', 0, 5), ('kohta', 0, 6)]
    """
    warns: list[str] = []
    text, enc = decode_bytes(data, str(path), warns)
    return RawDocument(str(path), "md", _markdown_lines(normalise_text(text)), encoding=enc, warnings=warns)


def _markdown_lines(text: str) -> list[Line]:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    lines: list[Line] = []
    row: list[str] = []
    row_line = 1
    for i, tok in enumerate(tokens):
        first = tok.map[0] + 1 if tok.map else row_line
        if tok.type == "tr_open":
            row, row_line = [], first
        elif tok.type == "tr_close":                # a table row: its cells on one line
            lines.append(Line(" | ".join(row), 0, row_line))
        elif tok.type == "inline" and tokens[i - 1].type in ("th_open", "td_open"):
            row.append(" ".join(_inline_lines(tok)))
        elif tok.type == "inline":
            opener = tokens[i - 1]
            level = int(opener.tag[1]) if opener.type == "heading_open" else 0
            parts = _inline_lines(tok)
            if not level and len(parts) == 1 and _is_bold_phrase(tok):
                level = 3                           # "**Laskutus**" alone: a section of the notes
            lines += [Line(t, level, first + k) for k, t in enumerate(parts)]
        elif tok.type in ("fence", "code_block", "html_block"):
            body = re.sub(r"<[^>]*>", "", tok.content) if tok.type == "html_block" else tok.content
            start = first + (tok.type == "fence")   # a fence's content starts after its ``` line
            lines += [Line(t, 0, start + k) for k, t in enumerate(body.rstrip("\n").split("\n"))]
    return lines


def _inline_lines(tok) -> list[str]:
    """The plain text of an inline token, one item per line of the file (soft and hard line
    breaks end a line); link addresses, emphasis and inline HTML dropped, an image's alt text
    kept."""
    lines, cur = [], []
    for child in tok.children or []:
        if child.type in ("softbreak", "hardbreak"):
            lines.append("".join(cur))
            cur = []
        elif child.type in ("text", "code_inline"):
            cur.append(child.content)
        elif child.type == "image":
            cur.append(child.content or "")
    lines.append("".join(cur))
    return lines


def _is_bold_phrase(tok) -> bool:
    """An inline that is one bold phrase and nothing else, and not a speaker label
    (``**H1:**``)."""
    kids = [c for c in tok.children or [] if not (c.type == "text" and not c.content.strip())]
    return (len(kids) >= 3 and kids[0].type == "strong_open" and kids[-1].type == "strong_close"
            and sum(c.type == "strong_open" for c in kids) == 1
            and not "".join(_inline_lines(tok)).rstrip().endswith(":"))


def _open_zip(path: Path, data: bytes, kind: str) -> zipfile.ZipFile:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ReadError(f"this is not a valid {kind} file (it is not a zip package); open it in "
                        f"your word processor and save it again as {kind}", path=str(path))
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ReadError(f"this {kind} file is damaged ({exc}); save it again", path=str(path)) from None
    check_office_zip(zf, len(data), str(path))
    return zf


def _heading_level(style_name: str) -> int:
    name = (style_name or "").lower()
    if name == "title" or name in ("otsikko", "nimi"):
        return 1
    m = re.match(r"(heading|otsikko)\s*(\d)", name)
    return int(m.group(2)) if m else 0


@reader(".docx")
def read_docx(path: Path, data: bytes) -> RawDocument:
    """A Word document: paragraphs (headings flagged by style) and table rows, in order."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    zf = _open_zip(path, data, ".docx")
    if "word/document.xml" not in zf.namelist():
        raise ReadError("this zip file is not a Word document (no word/document.xml inside); "
                        "save the transcript as .docx", path=str(path))
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for broken packages
        raise ReadError(f"this Word file could not be opened ({exc.__class__.__name__}); "
                        "save it again as .docx", path=str(path)) from None
    lines: list[Line] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            p = Paragraph(child, document)
            level = _heading_level(p.style.name if p.style is not None else "")
            for part in normalise_text(p.text).split("\n"):
                lines.append(Line(part, level, len(lines) + 1))
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells = [normalise_text(c.text).replace("\n", " ") for c in row.cells]
                lines.append(Line("\t".join(cells), 0, len(lines) + 1))
    return RawDocument(str(path), "docx", lines, encoding="docx")


@reader(".odt")
def read_odt(path: Path, data: bytes) -> RawDocument:
    """An OpenDocument text: headings and paragraphs, in order."""
    from odf import opendocument, teletype
    from odf.namespaces import TEXTNS

    zf = _open_zip(path, data, ".odt")
    if "content.xml" not in zf.namelist():
        raise ReadError("this zip file is not an OpenDocument text (no content.xml inside); "
                        "save the transcript as .odt", path=str(path))
    try:
        document = opendocument.load(io.BytesIO(data))
    except Exception as exc:
        raise ReadError(f"this OpenDocument file could not be opened ({exc.__class__.__name__}); "
                        "save it again as .odt", path=str(path)) from None
    lines: list[Line] = []

    def walk(node):
        for child in node.childNodes:
            qname = getattr(child, "qname", None)
            if qname == (TEXTNS, "h"):
                level = int(child.getAttrNS(TEXTNS, "outline-level") or 2)
                lines.append(Line(normalise_text(teletype.extractText(child)), max(level, 1), len(lines) + 1))
            elif qname == (TEXTNS, "p"):
                for part in normalise_text(teletype.extractText(child)).split("\n"):
                    lines.append(Line(part, 0, len(lines) + 1))
            elif qname is not None:
                walk(child)

    walk(document.text)
    return RawDocument(str(path), "odt", lines, encoding="odt")


_CUE_TIME = re.compile(r"^\s*(\d{1,2}:)?(\d{1,2}):(\d{2})[.,](\d{1,3})\s*-->\s*")
_VOICE = re.compile(r"<v(?:\.[^\s>]+)*\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]+>")
_LABEL_IN_CUE = re.compile(r"^\s*([^\s:][^:]{0,40}?):\s+")


def _cue_timestamp(m: re.Match) -> str:
    hours = int((m.group(1) or "0:")[:-1])
    return f"{hours:02d}:{int(m.group(2)):02d}:{int(m.group(3)):02d}"


def _subtitle_lines(path: Path, data: bytes, fmt: str) -> RawDocument:
    """Cues → transcript lines ``[hh:mm:ss] Speaker: text``; consecutive cues of one speaker
    are joined into one line so that a turn is not cut at every subtitle break."""
    warns: list[str] = []
    text, enc = decode_bytes(data, str(path), warns)
    raw = normalise_text(text).split("\n")
    if fmt == "vtt" and not raw[0].lstrip().startswith("WEBVTT"):
        raise ReadError("this is not a WebVTT file (it must start with 'WEBVTT'); "
                        "export the subtitles again as .vtt", path=str(path))
    turns: list[list] = []  # [timestamp, speaker, [texts], file line]
    i = 0
    while i < len(raw):
        m = _CUE_TIME.match(raw[i])
        if not m:
            i += 1
            continue
        stamp, cue_line = _cue_timestamp(m), i + 1
        i += 1
        body = []
        while i < len(raw) and raw[i].strip():
            body.append(raw[i].strip())
            i += 1
        cue = " ".join(body)
        speaker = None
        v = _VOICE.search(cue)
        if v:
            speaker = v.group(1).strip()
        cue = _TAG.sub("", cue).strip()
        if speaker is None:
            lab = _LABEL_IN_CUE.match(cue)
            if lab and len(lab.group(1).split()) <= 3:
                speaker, cue = lab.group(1).strip(), cue[lab.end():]
        if not cue:
            continue
        if turns and (speaker is None or speaker == turns[-1][1]):
            turns[-1][2].append(cue)
        else:
            turns.append([stamp, speaker, [cue], cue_line])
    if not turns:
        raise ReadError(f"no subtitle cues were found; check that this is a .{fmt} file with "
                        "timings like 00:00:01.000 --> 00:00:04.000", path=str(path))
    lines = []
    for stamp, speaker, texts, line_no in turns:
        label = f"{speaker}: " if speaker else ""
        lines.append(Line(f"[{stamp}] {label}{' '.join(texts)}", 0, line_no))
    return RawDocument(str(path), fmt, lines, encoding=enc, warnings=warns)


@reader(".vtt")
def read_vtt(path: Path, data: bytes) -> RawDocument:
    """WebVTT subtitles as transcript lines (see :func:`_subtitle_lines`)."""
    return _subtitle_lines(path, data, "vtt")


@reader(".srt")
def read_srt(path: Path, data: bytes) -> RawDocument:
    """SubRip subtitles as transcript lines (see :func:`_subtitle_lines`)."""
    return _subtitle_lines(path, data, "srt")


@reader(".pdf")
def read_pdf(path: Path, data: bytes) -> RawDocument:
    """The text layer of a PDF (a scanned PDF without one is refused)."""
    import logging

    from pypdf import PdfReader

    if not data.lstrip().startswith(b"%PDF"):
        raise ReadError("this is not a PDF file; export the transcript again as PDF",
                        path=str(path))
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        pdf = PdfReader(io.BytesIO(data))
        if pdf.is_encrypted:
            raise ReadError("this PDF is password-protected; save an unprotected copy",
                            path=str(path))
        pages = [page.extract_text() or "" for page in pdf.pages]
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(f"this PDF could not be read ({exc.__class__.__name__}); export it again",
                        path=str(path)) from None
    text = "\n".join(pages)
    if not text.strip():
        raise ReadError("this PDF has no text layer (it is a scanned image); run OCR on it first",
                        path=str(path))
    return RawDocument(str(path), "pdf", _lines_from_text(text), encoding="pdf")


def _clean_cell(value) -> object:
    if isinstance(value, str):
        value = normalise_text(value).strip()
        return value or None
    return value


@reader(".csv")
def read_csv(path: Path, data: bytes) -> RawDocument:
    """A survey table: one row dict per non-empty line, keyed by the header, with ``__line__``."""
    warns: list[str] = []
    text, enc = decode_bytes(data, str(path), warns)
    text = normalise_text(text)
    try:
        dialect = csv.Sniffer().sniff(text[:20000], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows_iter = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(rows_iter)
    except StopIteration:
        raise ReadError("the file is empty", path=str(path)) from None
    header = [h.strip() for h in header]
    rows = []
    for line_no, values in enumerate(rows_iter, start=2):
        if not any(v.strip() for v in values):
            continue
        row = {h: _clean_cell(v) for h, v in zip(header, values) if h}
        row["__line__"] = line_no
        rows.append(row)
    return RawDocument(str(path), "csv", [], encoding=enc, rows=rows, warnings=warns)


@reader(".xlsx")
def read_xlsx(path: Path, data: bytes) -> RawDocument:
    """A survey workbook (first sheet): one row dict per non-empty row, with ``__line__``."""
    import openpyxl

    zf = _open_zip(path, data, ".xlsx")
    if "xl/workbook.xml" not in zf.namelist():
        raise ReadError("this zip file is not an Excel workbook; save it as .xlsx", path=str(path))
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ReadError(f"this Excel file could not be opened ({exc.__class__.__name__}); "
                        "save it again as .xlsx", path=str(path)) from None
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    header = None
    rows = []
    for line_no, values in enumerate(it, start=1):
        if header is None:
            if values and any(v is not None for v in values):
                header = [str(v).strip() if v is not None else "" for v in values]
            continue
        if not values or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        row = {h: _clean_cell(v) for h, v in zip(header, values) if h}
        row["__line__"] = line_no
        rows.append(row)
    wb.close()
    if header is None:
        raise ReadError("the spreadsheet is empty", path=str(path))
    return RawDocument(str(path), "xlsx", [], encoding="xlsx", rows=rows)

"""Anonymity checks: scan texts and written files for names from the key and for identifying
patterns.  An empty result means nothing was found.

Locations: ``Sheet!B7`` in a workbook, ``paragraph 3`` / ``table 1 R2C1`` / ``header 1`` /
``properties: author`` in a Word file, ``member:line`` in a .qdpx archive, ``line 12`` in
text files (.md, .txt, .csv, .tsv, .html, .xml, .qde, .yaml, .json, .vtt, .srt).
"""
from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Optional, Union

import pandas as pd

from ..errors import QualcodeError
from ..labels import LANGS, label
from .key import PseudonymKey
from .replace import find_hits

PathLike = Union[str, Path]
TEXT_SUFFIXES = {".md", ".txt", ".csv", ".tsv", ".html", ".htm", ".xml", ".qde", ".qdc", ".yaml", ".yml",
                 ".json", ".vtt", ".srt", ".svg"}
SUPPORTED = TEXT_SUFFIXES | {".xlsx", ".xlsm", ".docx", ".qdpx"}
FILE_COLUMNS = ["file", "location", "found", "kind"]
TEXT_COLUMNS = ["start", "end", "found", "kind"]
_TAG = re.compile(r"<[^>]*>")
#: the header of a review sheet's hidden text-hash column, in every language
_HASH_HEADERS = {label("review.hash", lang) for lang in LANGS}


def scan_text(text: str, key=None, *, patterns: bool = True) -> pd.DataFrame:
    """Every hit in ``text``: ``start``, ``end`` (offsets), ``found`` (the text), ``kind``
    (person / organisation / place / other for names from the key; email / phone /
    personal_id / iban / url for patterns)."""
    hits = find_hits(text or "", key, patterns=patterns)
    return pd.DataFrame([(h.start, h.end, h.original, h.kind) for h in hits], columns=TEXT_COLUMNS)


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig",):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("cp1252", errors="replace")


_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_GUID = re.compile(r"\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?")


def _strip_markup(line: str) -> str:
    """The visible text of a markup line plus its attribute values (``href="mailto:…"``,
    ``name="…"``), GUIDs left out, entities resolved."""
    def tag(m: re.Match) -> str:
        values = [a or b for name, a, b in _ATTR.findall(m.group(0))
                  if "guid" not in name.lower() and not _GUID.fullmatch(a or b)]
        return " " + " ".join(values) + " "

    return html.unescape(_TAG.sub(tag, line))


def _markup_lines(text: str, markup: bool) -> Iterator[tuple[int, str]]:
    for n, line in enumerate(text.splitlines(), start=1):
        yield n, _strip_markup(line) if markup else line


def _visible_svg(text: str) -> str:
    """An SVG's visible text only: its tags (and their attributes, which hold coordinates such
    as ``0.015625 0`` that look like phone numbers) dropped, line breaks kept for the line
    numbers."""
    def blank(m: re.Match) -> str:
        return "\n" * m.group(0).count("\n")

    text = re.sub(r"<metadata\b.*?</metadata>", blank, text, flags=re.S)   # the writing program's, not shown
    return html.unescape(re.sub(r"<[^>]*>", blank, text))


def _text_units(path: Path, data: Optional[bytes] = None, prefix: str = "line ") -> Iterator[tuple[str, str]]:
    text = _decode(path.read_bytes() if data is None else data)
    if path.suffix.lower() == ".svg":
        text = _visible_svg(text)
        for n, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                yield f"{prefix}{n}", line
        return
    markup = path.suffix.lower() in (".html", ".htm", ".xml", ".qde", ".qdc", ".svg")
    for n, line in _markup_lines(text, markup):
        if line.strip():
            yield f"{prefix}{n}", line


def _xlsx_units(path: Path) -> Iterator[tuple[str, str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds
        raise QualcodeError(f"this is not a readable Excel workbook ({exc})", path=str(path)) from None
    try:
        for ws in wb.worksheets:
            yield f"{ws.title} (sheet name)", ws.title
            skipped = set()
            for row in ws.iter_rows():
                for cell in row:
                    v = getattr(cell, "value", None)
                    if getattr(cell, "row", None) == 1 and v in _HASH_HEADERS:
                        skipped.add(cell.column)      # a review sheet's text hashes: hex, not phone numbers
                    if getattr(cell, "column", None) in skipped and getattr(cell, "row", 1) > 1:
                        continue
                    if v is None or isinstance(v, (int, float)) and not isinstance(v, bool) and v < 1e6:
                        continue
                    coord = getattr(cell, "coordinate", None)
                    if coord is None:
                        continue
                    yield f"{ws.title}!{coord}", str(v)
        props = getattr(wb, "properties", None)
        for attr in ("creator", "lastModifiedBy", "title", "subject"):
            v = getattr(props, attr, None) if props is not None else None
            if v:
                yield f"properties: {attr}", str(v)
    finally:
        wb.close()


def _docx_units(path: Path) -> Iterator[tuple[str, str]]:
    import docx   # python-docx is slow to import; only Word files need it

    try:
        doc = docx.Document(str(path))
    except Exception as exc:
        raise QualcodeError(f"this is not a readable Word file ({exc})", path=str(path)) from None
    for n, p in enumerate(doc.paragraphs, start=1):
        if p.text.strip():
            yield f"paragraph {n}", p.text
    for t, table in enumerate(doc.tables, start=1):
        for r, row in enumerate(table.rows, start=1):
            for c, cell in enumerate(row.cells, start=1):
                if cell.text.strip():
                    yield f"table {t} R{r}C{c}", cell.text
    for s, section in enumerate(doc.sections, start=1):
        for part_name in ("header", "footer"):
            part = getattr(section, part_name, None)
            if part is None:
                continue
            for n, p in enumerate(part.paragraphs, start=1):
                if p.text.strip():
                    yield f"{part_name} {s} paragraph {n}", p.text
    props = doc.core_properties
    for attr in ("author", "last_modified_by", "title", "subject", "comments"):
        v = getattr(props, attr, None)
        if v:
            yield f"properties: {attr}", str(v)


def _qdpx_units(path: Path) -> Iterator[tuple[str, str]]:
    from ..safearchive import SafeArchive, parse_xml

    with SafeArchive(path) as arc:
        for name in arc.names():
            low = name.lower()
            suffix = Path(low).suffix
            if suffix not in (".qde", ".xml", ".txt", ".qdc", ".html", ".md", ".csv"):
                continue
            data = arc.read(name)
            if suffix in (".qde", ".xml", ".qdc"):
                parse_xml(data, f"{path}:{name}")    # refuses DTDs and entities; raises on bad XML
            for loc, line in _text_units(Path(name), data, prefix=f"{name}:"):
                yield loc, line


def _units(path: Path) -> Iterator[tuple[str, str]]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_units(path)
    if suffix == ".docx":
        return _docx_units(path)
    if suffix == ".qdpx":
        return _qdpx_units(path)
    if suffix in TEXT_SUFFIXES:
        return _text_units(path)
    raise QualcodeError(f"qualcode cannot check {suffix or 'this kind of'} files for names; check xlsx, docx, "
                        "qdpx, md, txt, csv or html files", path=str(path))


def scan_file(path: PathLike, key=None, *, patterns: bool = True) -> pd.DataFrame:
    """Every hit in one file: ``file``, ``location``, ``found``, ``kind``."""
    p = Path(path)
    if not p.is_file():
        raise QualcodeError("the file does not exist; check the path", path=str(path))
    key = PseudonymKey.coerce(key)
    rows = []
    for location, text in _units(p):
        # underscores count as spaces (``Virtanen_Matti.docx``); same length, same offsets
        for h in find_hits(text.replace("_", " "), key, patterns=patterns):
            rows.append((str(path), location, text[h.start:h.end], h.kind))
    return pd.DataFrame(rows, columns=FILE_COLUMNS)


def _expand(paths: Iterable[PathLike]) -> list[Path]:
    out: list[Path] = []
    for item in paths:
        p = Path(item)
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED
                          and not any(part.startswith(".") for part in f.relative_to(p).parts))
        else:
            out.append(p)
    return out


def check_anonymity(paths: Union[PathLike, Iterable[PathLike]] = (), key=None,
                    texts: Optional[Union[Mapping[str, str], Iterable[str]]] = None, *,
                    patterns: bool = True) -> pd.DataFrame:
    """Scan files (folders are searched for supported files) and in-memory ``texts``
    (``{name: text}`` or a list) for names from ``key`` and identifying patterns.

    Returns one row per hit (``file``, ``location``, ``found``, ``kind``); empty = clean.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    key = PseudonymKey.coerce(key)
    frames = [scan_file(p, key, patterns=patterns) for p in _expand(paths)]
    if texts is not None:
        items = texts.items() if isinstance(texts, Mapping) else ((f"text {i}", t) for i, t in
                                                                  enumerate(texts, start=1))
        rows = []
        for name, text in items:
            for n, line in enumerate(str(text or "").splitlines(), start=1):
                for h in find_hits(line, key, patterns=patterns):
                    rows.append((str(name), f"line {n}", h.original, h.kind))
        frames.append(pd.DataFrame(rows, columns=FILE_COLUMNS))
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=FILE_COLUMNS)
    return pd.concat(frames, ignore_index=True)

"""Anonymity checks: find names from the key and identifiers in texts and written files.

>>> from qualcode.anonymise import PseudonymKey
>>> scan_text("H1: Sovin asiasta\\nVirtasen kanssa.", PseudonymKey.from_dict({"Virtanen": "H1"}))
  location  start  end     found    kind
0   line 2     18   26  Virtasen  person
"""
from __future__ import annotations

import bisect
import html
import io
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Optional, Union

import pandas as pd

from ..errors import QualcodeError
from .key import PseudonymKey
from .replace import find_hits

PathLike = Union[str, Path]

#: File types :func:`scan_file` reads.
TEXT_SUFFIXES = (".md", ".txt", ".csv", ".tsv", ".html", ".htm", ".json", ".yaml", ".yml", ".xml",
                 ".qde", ".qdc", ".vtt", ".srt")
SCAN_SUFFIXES = (".xlsx", ".xlsm", ".docx", ".qdpx") + TEXT_SUFFIXES
TEXT_COLUMNS = ["location", "start", "end", "found", "kind"]
FILE_COLUMNS = ["file", "location", "found", "kind"]


def _line_starts(text: str) -> list[int]:
    starts = [0]
    i = text.find("\n")
    while i != -1:
        starts.append(i + 1)
        i = text.find("\n", i + 1)
    return starts


def scan_text(text: str, key=None, *, lang: str = "fi", patterns=True, ignore_case: bool = False,
              where: str = "") -> pd.DataFrame:
    """Every name of ``key`` and every identifier in ``text``: ``location`` (``line N``, after
    ``where`` when given), ``start``, ``end``, ``found``, ``kind``.  Empty when clean."""
    key = PseudonymKey.coerce(key)
    hits = find_hits(text or "", key, lang=lang, patterns=patterns, ignore_case=ignore_case)
    if not hits:
        return pd.DataFrame(columns=TEXT_COLUMNS).astype({"start": int, "end": int})
    starts = _line_starts(text)
    prefix = f"{where}, " if where else ""
    rows = [(f"{prefix}line {bisect.bisect_right(starts, h.start)}", h.start, h.end, h.found, h.kind)
            for h in hits]
    return pd.DataFrame(rows, columns=TEXT_COLUMNS)


# ----------------------------------------------------------------------------- readers
# Each yields (location, text) chunks of one file.


def _decode(data: bytes, label: str) -> str:
    from ..ingest.decode import decode_bytes

    return decode_bytes(data, label)[0]


def _text_chunks(data: bytes, label: str, suffix: str, prefix: str = "") -> Iterator[tuple[str, str]]:
    text = _decode(data, label)
    unescape = suffix in (".html", ".htm", ".xml", ".qde", ".qdc")
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield f"{prefix}line {n}", html.unescape(line) if unescape else line


def _xlsx_chunks(data: bytes, label: str, prefix: str = "") -> Iterator[tuple[str, str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), data_only=False)
    except Exception as exc:  # noqa: BLE001 - an unreadable workbook is the user's file
        raise QualcodeError(f"this is not a readable Excel workbook ({exc})", path=label) from None
    props = wb.properties
    for attr in ("creator", "lastModifiedBy", "title", "subject", "description", "keywords", "category"):
        value = getattr(props, attr, None)
        if isinstance(value, str) and value.strip():
            yield f"{prefix}properties: {attr}", value
    for ws in wb.worksheets:
        yield f"{prefix}{ws.title} (sheet name)", ws.title
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.strip():
                    yield f"{prefix}{ws.title}!{cell.coordinate}", cell.value
                if cell.comment is not None and cell.comment.text:
                    yield f"{prefix}{ws.title}!{cell.coordinate} (comment)", cell.comment.text
    wb.close()


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_xml_parts(data: bytes, label: str, prefix: str) -> Iterator[tuple[str, str]]:
    """Comments, footnotes, endnotes and tracked deletions, which python-docx does not show."""
    import zipfile

    from ..interop.safe import parse_xml

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        for part, where in (("word/comments.xml", "comment"), ("word/footnotes.xml", "footnote"),
                            ("word/endnotes.xml", "endnote")):
            if part in names:
                root = parse_xml(zf.read(part), label)
                for n, p in enumerate(root.iter(_W + "p"), start=1):
                    text = "".join(t.text or "" for t in p.iter() if t.tag in (_W + "t", _W + "delText"))
                    if text.strip():
                        yield f"{prefix}{where} paragraph {n}", text
        if "word/document.xml" in names:
            root = parse_xml(zf.read("word/document.xml"), label)
            for n, d in enumerate(root.iter(_W + "del"), start=1):
                text = "".join(t.text or "" for t in d.iter(_W + "delText"))
                if text.strip():
                    yield f"{prefix}tracked deletion {n}", text


def _docx_chunks(data: bytes, label: str, prefix: str = "") -> Iterator[tuple[str, str]]:
    import docx

    try:
        doc = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001
        raise QualcodeError(f"this is not a readable Word document ({exc})", path=label) from None
    cp = doc.core_properties
    for attr in ("author", "last_modified_by", "title", "subject", "comments", "keywords", "category"):
        value = getattr(cp, attr, None)
        if isinstance(value, str) and value.strip():
            yield f"{prefix}properties: {attr}", value
    for n, p in enumerate(doc.paragraphs, start=1):
        if p.text.strip():
            yield f"{prefix}paragraph {n}", p.text

    def tables(tbls, where: str) -> Iterator[tuple[str, str]]:
        for t, table in enumerate(tbls, start=1):
            for r, row in enumerate(table.rows, start=1):
                seen = set()
                for c, cell in enumerate(row.cells, start=1):
                    if id(cell._tc) in seen:          # merged cells repeat
                        continue
                    seen.add(id(cell._tc))
                    text = "\n".join(p.text for p in cell.paragraphs)
                    if text.strip():
                        yield f"{prefix}{where}table {t} row {r} cell {c}", text
                    yield from tables(cell.tables, f"{where}table {t} row {r} cell {c} ")

    yield from tables(doc.tables, "")
    for s, section in enumerate(doc.sections, start=1):
        for kind, part in (("header", section.header), ("footer", section.footer)):
            if part.is_linked_to_previous and s > 1:
                continue
            for n, p in enumerate(part.paragraphs, start=1):
                if p.text.strip():
                    yield f"{prefix}{kind} {s} paragraph {n}", p.text
            yield from tables(part.tables, f"{kind} {s} ")
    yield from _docx_xml_parts(data, label, prefix)


def _qdpx_chunks(path: Path) -> Iterator[tuple[str, str]]:
    from ..interop.safe import SafeArchive

    with SafeArchive(path) as archive:
        for name in sorted(archive.names()):
            suffix = Path(name).suffix.lower()
            label = f"{path}:{name}"
            if suffix in TEXT_SUFFIXES:
                yield from _text_chunks(archive.read(name), label, suffix, f"{name} ")
            elif suffix == ".docx":
                yield from _docx_chunks(archive.read(name), label, f"{name} ")
            elif suffix in (".xlsx", ".xlsm"):
                yield from _xlsx_chunks(archive.read(name), label, f"{name} ")


def _chunks(path: Path) -> Iterator[tuple[str, str]]:
    suffix = path.suffix.lower()
    if suffix == ".qdpx":
        yield from _qdpx_chunks(path)
        return
    data = path.read_bytes()
    if suffix in (".xlsx", ".xlsm"):
        yield from _xlsx_chunks(data, str(path))
    elif suffix == ".docx":
        yield from _docx_chunks(data, str(path))
    else:
        yield from _text_chunks(data, str(path), suffix)


def scan_file(path: PathLike, key=None, *, lang: str = "fi", patterns=True,
              ignore_case: bool = False) -> pd.DataFrame:
    """Every name of ``key`` and every identifier in one file: ``file``, ``location``
    (``Sheet!B3``; ``paragraph 4`` / ``table 1 row 2 cell 3``; ``member line N`` inside a
    .qdpx; ``line N``), ``found``, ``kind``.  Empty when clean."""
    path = Path(path)
    if not path.is_file():
        raise QualcodeError("the file does not exist; check the path", path=str(path))
    if path.suffix.lower() not in SCAN_SUFFIXES:
        raise QualcodeError(f"qualcode cannot check this file type; it reads {', '.join(SCAN_SUFFIXES)}",
                            path=str(path))
    key = PseudonymKey.coerce(key)
    rows = []
    for location, text in _chunks(path):
        for h in find_hits(text, key, lang=lang, patterns=patterns, ignore_case=ignore_case):
            rows.append((str(path), location, h.found, h.kind))
    return pd.DataFrame(rows, columns=FILE_COLUMNS)


def _expand(paths: Iterable[PathLike]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p).parts
                if f.is_file() and f.suffix.lower() in SCAN_SUFFIXES and not any(
                        part.startswith(".") for part in rel):
                    out.append(f)
        elif p.is_file():
            out.append(p)
        else:
            raise QualcodeError("the file or folder does not exist; check the path", path=str(p))
    return out


def check_anonymity(paths: Union[PathLike, Iterable[PathLike]] = (), key=None,
                    store_texts: Optional[Union[Mapping[str, str], Iterable[tuple[str, str]]]] = None, *,
                    lang: str = "fi", patterns=True, ignore_case: bool = False) -> pd.DataFrame:
    """Check files (folders are searched for the types in :data:`SCAN_SUFFIXES`, hidden
    folders skipped) and, optionally, texts from the project store (``{name: text}``, listed
    as ``store:name``).  One row per hit: ``file``, ``location``, ``found``, ``kind``; an empty
    frame means nothing from the key and no identifier was found."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    key = PseudonymKey.coerce(key)
    frames = [scan_file(f, key, lang=lang, patterns=patterns, ignore_case=ignore_case)
              for f in _expand(paths)]
    if store_texts is not None:
        items = store_texts.items() if isinstance(store_texts, Mapping) else store_texts
        for name, text in items:
            df = scan_text(text, key, lang=lang, patterns=patterns, ignore_case=ignore_case)
            if not df.empty:
                frames.append(pd.DataFrame({"file": f"store:{name}", "location": df["location"],
                                            "found": df["found"], "kind": df["kind"]}))
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=FILE_COLUMNS)
    return pd.concat(frames, ignore_index=True)[FILE_COLUMNS]

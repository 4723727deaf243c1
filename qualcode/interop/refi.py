"""REFI-QDA exchange: ``.qdpx`` projects and ``.qdc`` codebooks (QDA-XML 1.0).

A ``.qdpx`` is a zip with ``project.qde`` (XML in namespace ``urn:QDA-XML:project:1.0``) and
``sources/<guid>.txt``, the plain text of each source in UTF-8.  Selections are
``startPosition``/``endPosition`` in Unicode code points into that text, start inclusive
and end exclusive — exactly qualcode's own offsets, so nothing is recounted.

What maps to what:

==========================  ===============================================================
qualcode                    QDA-XML
==========================  ===============================================================
coder (incl. ``auto``)      ``Users/User``
codebook hierarchy          ``CodeBook/Codes/Code`` nested by parent (``Description``, colour)
source + its text           ``Sources/TextSource@plainTextPath="internal://<guid>.txt"``
coding                      ``PlainTextSelection`` + ``Coding`` (``creatingUser``, ``CodeRef``)
informant                   ``Cases/Case`` with ``SourceRef`` and a ``SelectionRef`` per segment
informant fields/attributes ``Variables/Variable`` + ``VariableValue`` (Text, Integer, Float,
                            Date, DateTime, Boolean)
memo                        ``Notes/Note`` + ``NoteRef`` on the project, source, selection or code
coding note                 a ``Note`` referenced from the ``Coding``
==========================  ===============================================================

qualcode's own fields, which the standard has no place for — a code's id, origin, rules
(keywords, phrases, patterns, exclusions, compound), valence and SWOT field, and every
coding whatever its status (rejected ones and open suggestions too) with its coder, rule,
valence, note and time — travel in one project ``Note`` named ``qualcode data`` holding
JSON (:mod:`.qdpx_data`); other programs show it as a note.  Without that note (a file from
another program) imported codings are ``manual``, or ``suggested`` when their user is
``auto``, and code ids are made from the names.  GUIDs are uuid5 of stable keys, and GUIDs
met on import that an export would not make again are remembered, so repeated exports are
byte-identical and re-exports keep the other program's identities.  Elements qualcode does
not model (``Sets``, ``Links``, ``Graphs``, the project ``Description``, picture/PDF/audio/video
sources) are kept on import and written back on export.

This module holds the format (names, GUIDs, typed values, the code tree) and the ``.qdc``
codebook; :mod:`.qdpx_export` writes a project archive from :class:`~.qdpx_export.ExchangeData`,
:mod:`.qdpx_import` reads one into an :class:`~.qdpx_import.ImportPlan` and :mod:`.qdpx_merge`
drops from the plan what the project already holds.  None touches
a project or its store: the project reads the data and applies the plan.

>>> _guid("code", "viestinta") == _guid("code", "viestinta")
True
>>> _slug("Viestintä ja tiedottaminen")
'viestinta_ja_tiedottaminen'
>>> _variable_type([3, None, "", 4]), _variable_type(["2024-03-01", "2024-03-05"])
('Integer', 'Date')
"""
from __future__ import annotations

import datetime as _dt
import re
import sys
import unicodedata
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Optional, Union

from ..errors import QualcodeError
from ..fileutil import atomic_output, is_missing, xml_safe
from ..model import Code, Codebook
from ..safearchive import parse_xml

PathLike = Union[str, Path]

NS = "urn:QDA-XML:project:1.0"
CB_NS = "urn:QDA-XML:codebook:1.0"
SCHEMA_DIR = Path(__file__).with_name("schemas")
PROJECT_XSD = SCHEMA_DIR / "Project-mrt2019.xsd"
CODEBOOK_XSD = SCHEMA_DIR / "Codebook.xsd"
#: project-level elements qualcode keeps from an import and writes back, in the schema's order
PROJECT_EXTRAS = ("Links", "Sets", "Graphs", "Description")

_GUID_NS = uuid.uuid5(uuid.NAMESPACE_URL, "https://qualcode.invalid/refi-qda")
_RGB = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
# XML 1.0 forbids these two non-characters too; xml_safe drops only the control characters
_NON_CHARACTERS = str.maketrans("", "", "\ufffe\uffff")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


def _guid(kind: str, key: str) -> str:
    """A deterministic GUID for an object of ``kind`` with the stable ``key``."""
    return str(uuid.uuid5(_GUID_NS, f"{kind}\x1f{key}"))


def _norm_guid(value: Optional[str]) -> str:
    return (value or "").strip().strip("{}").lower()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _kids(elem, name: str) -> list:
    return [c for c in elem if _local(c.tag) == name]


def _kid(elem, name: str):
    for c in elem:
        if _local(c.tag) == name:
            return c
    return None


def _xml_text(value: Any) -> str:
    return xml_safe(value).translate(_NON_CHARACTERS)


def _el(parent, tag: str, attrs: Optional[list] = None, text: Optional[str] = None, ns: str = NS):
    """A child element with attributes in the given order (None values left out).

    Elements are built without a namespace and the root carries ``xmlns``: ElementTree's
    ``default_namespace`` option rejects unprefixed attributes.
    """
    if parent is None:
        elem = ET.Element(tag)
        elem.set("xmlns", ns)
    else:
        elem = ET.SubElement(parent, tag)
    for key, value in attrs or ():
        if value is not None:
            elem.set(key, _xml_text(value))
    if text is not None:
        elem.text = _xml_text(text)
    return elem

def _xsd_datetime(value: Any) -> Optional[str]:
    """ISO text → ``YYYY-MM-DDTHH:MM:SSZ`` (UTC), or None when it is not a date-time."""
    if value is None or value == "":
        return None
    try:
        stamp = _dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=_dt.timezone.utc)
    return stamp.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso_from_xsd(value: Optional[str]) -> Optional[str]:
    """An xsd:dateTime from a file → qualcode's ISO form (UTC, seconds), or None."""
    if not value:
        return None
    try:
        stamp = _dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=_dt.timezone.utc)
    return stamp.astimezone(_dt.timezone.utc).replace(microsecond=0).isoformat()


def _slug(name: str, fallback: str = "code") -> str:
    """An ascii-safe identifier from a display name."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^A-Za-z0-9]+", "_", text.encode("ascii", "ignore").decode("ascii")).strip("_").lower()
    return text[:48].rstrip("_") or fallback


def _unique(base: str, taken: set, sep: str = "_") -> str:
    out, n = base, 2
    while out in taken:
        out = f"{base}{sep}{n}"
        n += 1
    taken.add(out)
    return out


def _blank(value: Any) -> bool:
    """Missing, or a text of only white space: no variable value is written for it."""
    return is_missing(value) or (isinstance(value, str) and not value.strip())


def _variable_type(values: list) -> str:
    vals = [v for v in values if not _blank(v)]
    if not vals:
        return "Text"
    if all(isinstance(v, bool) for v in vals):
        return "Boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
        return "Integer"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
        if all(v == v and v not in (float("inf"), float("-inf")) for v in vals):
            return "Float"
        return "Text"

    def is_date(v):
        return (isinstance(v, _dt.date) and not isinstance(v, _dt.datetime)) or \
            (isinstance(v, str) and _ISO_DATE.match(v.strip()) is not None and _valid_date(v.strip()))

    def is_datetime(v):
        return isinstance(v, _dt.datetime) or (isinstance(v, str) and _ISO_DATETIME.match(v.strip())
                                               is not None and _xsd_datetime(v) is not None)

    if all(is_date(v) for v in vals):
        return "Date"
    if all(is_datetime(v) for v in vals):
        return "DateTime"
    return "Text"


def _valid_date(text: str) -> bool:
    try:
        _dt.date.fromisoformat(text)
        return True
    except ValueError:
        return False


def _format_value(value: Any, kind: str) -> tuple[str, str]:
    """(element name, text) of a VariableValue."""
    if kind == "Boolean":
        return "BooleanValue", "true" if value else "false"
    if kind == "Integer":
        return "IntegerValue", str(int(value))
    if kind == "Float":
        return "FloatValue", format(Decimal(repr(float(value))), "f")
    if kind == "Date":
        return "DateValue", value.isoformat() if isinstance(value, _dt.date) else str(value).strip()
    if kind == "DateTime":
        return "DateTimeValue", _xsd_datetime(value.isoformat() if isinstance(value, _dt.datetime) else value)
    return "TextValue", str(value)


def _parse_value(elem) -> Any:
    """The Python value of a VariableValue element (None when empty or unreadable)."""
    for child in elem:
        name = _local(child.tag)
        text = (child.text or "").strip()
        if name == "VariableRef" or (not text and name != "TextValue"):
            continue
        try:
            if name == "TextValue":
                return child.text or ""
            if name == "BooleanValue":
                return text.lower() in ("true", "1")
            if name == "IntegerValue":
                return int(text)
            if name == "FloatValue":
                return float(Decimal(text))
            if name == "DateValue":
                return _dt.date.fromisoformat(text[:10]).isoformat()
            if name == "DateTimeValue":
                return _iso_from_xsd(text) or text
        except (ValueError, InvalidOperation):
            return text
    return None


def _serialise(root, ns: str) -> bytes:
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def _write_zip(path: Path, members: list[tuple[str, bytes]]) -> None:
    """Write a deterministic zip (fixed dates, fixed order) to a temp file, then move it in place."""
    with atomic_output(path, make_parents=True) as tmp:
        with zipfile.ZipFile(tmp, "w") as zf:
            for name, data in members:
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3
                info.external_attr = 0o644 << 16
                zf.writestr(info, data, compresslevel=6)


def _version() -> str:
    # Every module of the package is imported after the package itself, so its version is
    # read from there without importing the package root (which imports the project layer).
    return sys.modules[__name__.split(".")[0]].__version__


def _requalify(elem):
    """Stored extras were read with their namespace: write project-namespace elements plainly
    (the root's ``xmlns`` covers them); elements of other namespaces keep theirs."""
    prefix = f"{{{NS}}}"
    for e in elem.iter():
        if isinstance(e.tag, str) and e.tag.startswith(prefix):
            e.tag = e.tag[len(prefix):]
    return elem


def _codes_xml(parent, cb: Codebook, gid: Callable[[str, str], str], ns: str = NS,
               code_notes: Optional[dict] = None, note_guid: Optional[dict] = None) -> None:
    """Nest ``cb``'s codes under ``parent`` by their parent ids (order kept)."""
    ids = {c.id for c in cb.codes}
    children: dict[Optional[str], list[Code]] = {}
    for c in cb.codes:
        children.setdefault(c.parent if c.parent in ids else None, []).append(c)

    def add(xparent, code: Code, trail: set) -> None:
        color = code.color if code.color and _RGB.match(code.color) else None
        xc = _el(xparent, "Code", [("guid", gid("code", code.id)), ("name", code.name or code.id),
                                   ("isCodable", "true"), ("color", color)], ns=ns)
        if code.description:
            _el(xc, "Description", text=code.description, ns=ns)
        if ns == NS:
            for nk in (code_notes or {}).get(code.id, []):
                _el(xc, "NoteRef", [("targetGUID", (note_guid or {})[nk])], ns=ns)
        for child in children.get(code.id, []):
            if child.id not in trail:
                add(xc, child, trail | {child.id})

    for top in children.get(None, []):
        add(parent, top, {top.id})


def export_qdc(codebook: Codebook, path: PathLike, *, origin: Optional[str] = None) -> Path:
    """Write ``codebook`` as a REFI-QDA ``.qdc`` file (namespace ``urn:QDA-XML:codebook:1.0``);
    ``origin`` names the writing program (default: this qualcode and its version)."""
    path = Path(path)
    if not len(codebook):
        raise QualcodeError("the codebook has no codes; a .qdc file needs at least one", path=str(path))
    root = _el(None, "CodeBook", [("origin", origin or f"qualcode {_version()}")], ns=CB_NS)
    _codes_xml(_el(root, "Codes", ns=CB_NS), codebook, _guid, ns=CB_NS)
    with atomic_output(path, make_parents=True) as tmp:
        tmp.write_bytes(_serialise(root, CB_NS))
    return path


def import_qdc(path: PathLike, *, max_bytes: int = 50 * 1024 * 1024) -> Codebook:
    """Read a REFI-QDA ``.qdc`` codebook; code ids are made from the names (ascii, unique)."""
    path = Path(path)
    if not path.is_file():
        raise QualcodeError("the codebook file does not exist; check the path", path=str(path))
    if path.stat().st_size > max_bytes:
        raise QualcodeError(f"the codebook file is larger than {max_bytes // 1048576} MB; qualcode refuses "
                            "it for safety", path=str(path))
    root = parse_xml(path.read_bytes(), str(path))
    if _local(root.tag) != "CodeBook":
        raise QualcodeError(f"this is not a REFI-QDA codebook (the root element is <{_local(root.tag)}>, "
                            "not <CodeBook>)", path=str(path))
    codes_el = _kid(root, "Codes")
    warnings: list[str] = []
    parsed = _read_codes(codes_el, warnings) if codes_el is not None else []
    if not parsed:
        raise QualcodeError("the codebook has no codes", path=str(path))
    codes, _ = _codes_from_parsed(parsed)
    return Codebook(codes=codes, name=path.stem, path=str(path))


@dataclass
class _PCode:
    guid: str
    name: str
    parent: Optional[str]
    description: str
    color: Optional[str]
    notes: list


def _read_codes(codes_el, warnings: list, parent: Optional[str] = None) -> list[_PCode]:
    out: list[_PCode] = []
    for xc in _kids(codes_el, "Code"):
        guid = _norm_guid(xc.get("guid")) or _guid("anonymous-code", f"{parent}:{len(out)}:{xc.get('name')}")
        desc = _kid(xc, "Description")
        color = (xc.get("color") or "").strip()
        out.append(_PCode(guid, (xc.get("name") or "").strip(), parent,
                          (desc.text or "").strip() if desc is not None else "",
                          color if _RGB.match(color) else None,
                          [_norm_guid(n.get("targetGUID")) for n in _kids(xc, "NoteRef")]))
        out.extend(_read_codes(xc, warnings, guid))
    return out


def _codes_from_parsed(parsed: list[_PCode]) -> tuple[list[Code], dict[str, str]]:
    """Codes with ascii-safe unique ids, and the GUID → id map."""
    taken: set[str] = set()
    ids: dict[str, str] = {}
    for pc in parsed:
        if pc.guid in ids:
            continue
        ids[pc.guid] = _unique(_slug(pc.name), taken)
    codes, done = [], set()
    for pc in parsed:
        if pc.guid in done:
            continue
        done.add(pc.guid)
        codes.append(Code(id=ids[pc.guid], name=pc.name or ids[pc.guid],
                          parent=ids.get(pc.parent) if pc.parent else None,
                          description=pc.description, color=pc.color))
    return codes, ids

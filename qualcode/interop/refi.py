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

Not carried by the standard: coding status (``accepted`` and ``manual`` both export as
codings; imported codings are ``manual``, or ``suggested`` when their user is ``auto``),
coding valence, and the codebook's rules (keywords, phrases, patterns).  GUIDs are uuid5 of
stable keys, and GUIDs met on import are remembered, so repeated exports are byte-identical
and re-exports keep the other program's identities.  Elements qualcode does not model
(``Sets``, ``Links``, ``Graphs``, the project ``Description``, picture/PDF/audio/video
sources) are kept on import and written back on export.

>>> _guid("code", "viestinta") == _guid("code", "viestinta")
True
>>> _slug("Viestintä ja tiedottaminen")
'viestinta_ja_tiedottaminen'
"""
from __future__ import annotations

import base64
import bisect
import datetime as _dt
import hashlib
import json
import os
import re
import tempfile
import unicodedata
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Union

from ..codebook import codebook_hash, load_codebook, save_codebook
from ..errors import QualcodeError
from ..fileutil import atomic_output
from ..model import AUTO_CODER, AuditEvent, Code, Codebook, Coding, Informant, Memo, Source, count_words, now_iso
from .safe import MAX_MEMBERS, MAX_TOTAL_BYTES, SafeArchive, parse_xml

PathLike = Union[str, Path]

NS = "urn:QDA-XML:project:1.0"
CB_NS = "urn:QDA-XML:codebook:1.0"
SCHEMA_DIR = Path(__file__).with_name("schemas")
PROJECT_XSD = SCHEMA_DIR / "Project-mrt2019.xsd"
CODEBOOK_XSD = SCHEMA_DIR / "Codebook.xsd"

#: meta keys in the store
META_GUIDS = "refi_guids"
META_EXTRA = "refi_extra"
#: media files of unmodelled sources kept in the store up to this many bytes in total
MAX_KEPT_MEDIA = 50 * 1024 * 1024
#: coder name for codings whose user the file does not name
UNKNOWN_USER = "imported"

_GUID_NS = uuid.uuid5(uuid.NAMESPACE_URL, "https://qualcode.invalid/refi-qda")
_RGB = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
_BAD_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_PROJECT_EXTRAS = ("Links", "Sets", "Graphs", "Description")
_INFORMANT_FIELDS = ("role", "organisation", "date", "mode", "duration_min")
_FIELD_ALIASES = {
    "role": "role", "rooli": "role",
    "organisation": "organisation", "organization": "organisation", "organisaatio": "organisation",
    "date": "date", "päivämäärä": "date", "pvm": "date",
    "mode": "mode", "haastattelutapa": "mode",
    "duration_min": "duration_min", "kesto": "duration_min", "kesto_min": "duration_min",
}


# --------------------------------------------------------------------------- helpers


def _guid(kind: str, key: str) -> str:
    """A deterministic GUID for an object of ``kind`` with the stable ``key``."""
    return str(uuid.uuid5(_GUID_NS, f"{kind}\x1f{key}"))


def _norm_guid(value: Optional[str]) -> str:
    return (value or "").strip().strip("{}").lower()


def _q(tag: str, ns: str = NS) -> str:
    # Elements are built without a namespace and the root carries ``xmlns``: ElementTree's
    # ``default_namespace`` option rejects unprefixed attributes.
    return tag


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _kids(elem, name: str) -> list:
    return [c for c in elem if _local(c.tag) == name]


def _kid(elem, name: str):
    for c in elem:
        if _local(c.tag) == name:
            return c
    return None


def _clean(text: Any) -> str:
    return _BAD_XML_CHARS.sub("", "" if text is None else str(text))


def _el(parent, tag: str, attrs: Optional[list] = None, text: Optional[str] = None, ns: str = NS):
    """A child element with attributes in the given order (None values left out)."""
    if parent is None:
        elem = ET.Element(_q(tag, ns))
        elem.set("xmlns", ns)
    else:
        elem = ET.SubElement(parent, _q(tag, ns))
    for key, value in attrs or ():
        if value is not None:
            elem.set(key, _clean(value))
    if text is not None:
        elem.text = _clean(text)
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


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN
        return True
    return isinstance(value, str) and not value.strip()


def _variable_type(values: list) -> str:
    vals = [v for v in values if not _missing(v)]
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


def _write_bytes_atomic(path: Path, data: bytes) -> None:
    with atomic_output(path, make_parents=True) as tmp:
        tmp.write_bytes(data)


# --------------------------------------------------------------------- pseudonymising


class _Pseudonymiser:
    """Adapter over :mod:`qualcode.pseudonym` for the export: every inflected form of a key
    name (``Virtaselle`` → ``H1:lle``), e-mails, phone numbers, identity codes, IBANs and URLs
    are replaced, and offsets into a changed text are mapped onto the new text."""

    def __init__(self, mapping):
        from ..pseudonym import PseudonymKey

        self.key = PseudonymKey.coerce(mapping)

    def text(self, value: Any) -> Any:
        from ..pseudonym import pseudonymise_text

        if not isinstance(value, str) or not value:
            return value
        return pseudonymise_text(value, self.key).text

    def text_with_map(self, text: str) -> tuple[str, Callable[[int, bool], int]]:
        from ..pseudonym import pseudonymise_text, remap_span

        pseudo = pseudonymise_text(text, self.key)

        def mapper(pos: int, end: bool = False) -> int:
            if end:
                return remap_span(max(pos - 1, 0), pos, pseudo)[1]
            return remap_span(pos, min(pos + 1, len(text)), pseudo)[0]

        return pseudo.text, mapper

    def element(self, elem) -> None:
        for e in elem.iter():
            if e.text:
                e.text = self.text(e.text)
            for k, v in list(e.attrib.items()):
                if "GUID" not in k and k not in ("guid", "path", "currentPath", "plainTextPath", "richTextPath"):
                    e.set(k, self.text(v))


def read_pseudonym_key(path: PathLike) -> dict[str, str]:
    """A pseudonymisation key from a CSV/TSV file: name in the first column, pseudonym in the
    second (a header row ``name,pseudonym`` / ``nimi,pseudonyymi`` is skipped)."""
    import csv

    path = Path(path)
    if not path.is_file():
        raise QualcodeError("the pseudonymisation key does not exist; check the path", path=str(path))
    text = path.read_text(encoding="utf-8-sig")
    first = text.splitlines()[0] if text.strip() else ""
    dialect = "excel-tab" if "\t" in first else "excel"
    out: dict[str, str] = {}
    for n, row in enumerate(csv.reader(text.splitlines(), dialect=dialect), start=1):
        if not row or not row[0].strip():
            continue
        if n == 1 and row[0].strip().lower() in ("name", "nimi", "real name", "oikea nimi"):
            continue
        if len(row) < 2 or not row[1].strip():
            raise QualcodeError("every row of the key needs a name and a pseudonym", path=str(path), line=n)
        out[row[0].strip()] = row[1].strip()
    return out


# ----------------------------------------------------------------------------- export


@dataclass
class _Sel:
    start: int
    end: int
    codings: list = field(default_factory=list)   # (code_id, coder, created_at, note)
    notes: list = field(default_factory=list)     # memo keys


@dataclass
class _Src:
    name: str
    text: str
    created: str
    attributes: dict
    guid: str = ""
    sels: dict = field(default_factory=dict)      # (start, end) -> _Sel
    notes: list = field(default_factory=list)


def _store_guids(project) -> dict:
    raw = project.store.get_meta(META_GUIDS)
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        data = {}
    return {k: dict(v) for k, v in data.items() if isinstance(v, dict)}


def _store_extra(project) -> dict:
    raw = project.store.get_meta(META_EXTRA)
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        data = {}
    return {"project": list(data.get("project", [])), "sources": list(data.get("sources", [])),
            "files": dict(data.get("files", {}))}


def export_qdpx(project, path: PathLike, *, pseudonymise: Optional[Mapping[str, str]] = None,
                include_suggested: bool = False, codebook=None,
                warn: Optional[Callable[[str], None]] = None) -> Path:
    """Write the project as a REFI-QDA ``.qdpx`` archive and return its path.

    Human codings (``accepted``, ``manual``) are exported; with ``include_suggested`` also
    the automatic suggestions that no human has decided on; ``rejected`` never.
    ``pseudonymise`` is the pseudonymisation key (a :class:`~qualcode.pseudonym.PseudonymKey`
    or a ``{name: pseudonym}`` mapping): every inflected form of its names and the identifying
    details are replaced in texts, source and case names, variable values and notes (selection
    offsets are moved to match), and media of unmodelled sources are left out.
    ``warn`` receives one sentence per thing that could not be exported as it is.
    The archive is written to a temporary file and moved into place.
    """
    path = Path(path)
    say = warn or (lambda msg: None)
    store = project.store
    pseudo = _Pseudonymiser(pseudonymise) if pseudonymise else None
    guids = _store_guids(project)

    def gid(kind: str, key: str) -> str:
        return guids.get(kind, {}).get(key) or _guid(kind, key)

    # -- codebook
    try:
        cb = project.codebook(codebook)
    except QualcodeError:
        if codebook is not None:
            raise
        cb = Codebook(codes=[], language=project.language)
    codes = list(cb.codes)
    known = {c.id for c in codes}

    # -- codings
    frame = project.codings()
    human = frame[frame["status"].isin(["accepted", "manual"])]
    rows = list(human.itertuples(index=False))
    if include_suggested:
        decided = {(r.segment_id, r.code_id) for r in frame.itertuples(index=False)
                   if r.status in ("accepted", "manual", "rejected")}
        rows += [r for r in frame[frame["status"] == "suggested"].itertuples(index=False)
                 if (r.segment_id, r.code_id) not in decided]
    for r in rows:
        if r.code_id not in known:
            known.add(r.code_id)
            codes.append(Code(r.code_id, name=r.code_id))
            say(f"code '{r.code_id}' is used by codings but is not in the codebook; exported as a top-level code")

    # -- sources
    srcs: dict[int, _Src] = {}
    for sid, name, text, imported_at, attrs in store.conn.execute(
            "SELECT id, name, text, imported_at, attributes FROM sources WHERE active=1 ORDER BY name, version"):
        srcs[sid] = _Src(name, text, imported_at, json.loads(attrs or "{}"))

    def sel(sid: int, start: int, end: int) -> _Sel:
        key = (int(start), int(end))
        src = srcs[sid]
        if key not in src.sels:
            src.sels[key] = _Sel(*key)
        return src.sels[key]

    for r in sorted(rows, key=lambda r: (r.source_id, r.start, r.end, r.code_id, r.coder, r.coding_id)):
        note = r.note if isinstance(r.note, str) else ""
        sel(r.source_id, r.start, r.end).codings.append((r.code_id, r.coder, r.created_at, note))

    # -- informants (read raw rows: a frame would turn integers with gaps into floats)
    informants = []
    for code, role, org, date, mode, dur, attrs in store.conn.execute(
            "SELECT code, role, organisation, date, mode, duration_min, attributes FROM informants ORDER BY code"):
        values = {"role": role, "organisation": org, "date": date, "mode": mode, "duration_min": dur}
        for k, v in json.loads(attrs or "{}").items():
            values.setdefault(k, v)
        informants.append((code, values))
    segs = project.segments()
    case_sels: dict[str, list] = {code: [] for code, _ in informants}
    for r in segs.itertuples(index=False):
        if r.speaker in case_sels and not r.is_interviewer:
            sel(r.source_id, r.start, r.end)
            case_sels[r.speaker].append((r.source_id, int(r.start), int(r.end)))

    # -- memos
    seg_index = {int(r.segment_id): (r.source_id, int(r.start), int(r.end)) for r in segs.itertuples(index=False)}
    by_name = {s.name: sid for sid, s in srcs.items()}
    memos = []   # (key, text, coder, created)
    project_notes, code_notes = [], {}
    for m in store.memos_frame().itertuples(index=False):
        key = f"memo:{m.memo_id}"
        memos.append((key, m.text, m.coder, m.created_at))
        target = str(m.target_id) if m.target_id is not None else ""
        if m.target_type == "source" and (target in by_name or (target.isdigit() and int(target) in srcs)):
            srcs[by_name.get(target) or int(target)].notes.append(key)
        elif m.target_type == "segment" and target.isdigit() and int(target) in seg_index:
            sel(*seg_index[int(target)]).notes.append(key)
        elif m.target_type == "code" and target in known:
            code_notes.setdefault(target, []).append(key)
        else:
            if m.target_type != "project":
                say(f"memo {m.memo_id} is attached to {m.target_type} '{target}', which is not exported; "
                    "it is exported as a project note")
            project_notes.append(key)

    # -- pseudonymise texts, names and values before anything gets a GUID
    extra = _store_extra(project)
    title = project.config.title
    if pseudo is not None:
        title = pseudo.text(title)
        mappers = {}
        for sid, src in srcs.items():
            new_text, mapper = pseudo.text_with_map(src.text)
            mappers[sid] = mapper
            src.name = pseudo.text(src.name)
            src.attributes = {k: pseudo.text(v) for k, v in src.attributes.items()}
            moved: dict = {}
            for (s, e), item in src.sels.items():
                key = (mapper(s), mapper(e, True))
                item.start, item.end = key
                if key in moved:
                    moved[key].codings += item.codings
                    moved[key].notes += item.notes
                else:
                    moved[key] = item
            src.text = new_text
            src.sels = moved
        # case selections point into the original texts: move them the same way
        case_sels = {pseudo.text(code): [(sid, mappers[sid](s), mappers[sid](e, True)) for sid, s, e in lst]
                     for code, lst in case_sels.items()}
        informants = [(pseudo.text(code), {k: pseudo.text(v) for k, v in values.items()})
                      for code, values in informants]
        memos = [(k, pseudo.text(t), c, d) for k, t, c, d in memos]
        if extra["files"] or extra["sources"]:
            say("picture, PDF, audio and video sources kept from an earlier import are left out of a "
                "pseudonymised export (qualcode cannot pseudonymise them)")
        extra = {"project": extra["project"], "sources": [], "files": {}}

    # -- users
    users: dict[str, str] = {}
    for name in sorted({project.config.coder, AUTO_CODER}
                       | {c[1] for s in srcs.values() for x in s.sels.values() for c in x.codings}
                       | {m[2] for m in memos if m[2]}):
        users[name] = gid("user", name)

    # -- variables (informant fields and attributes, source attributes)
    var_values: dict[str, list] = {}
    for _, values in informants:
        for k, v in values.items():
            if not _missing(v):
                var_values.setdefault(k, []).append(v)
    for src in srcs.values():
        for k, v in src.attributes.items():
            if not _missing(v):
                var_values.setdefault(k, []).append(v)
    var_types = {k: _variable_type(v) for k, v in var_values.items()}

    # -- XML
    created = store.conn.execute("SELECT MIN(time) FROM audit").fetchone()[0]
    root = _el(None, "Project", [("name", title or "qualcode project"),
                                 ("origin", f"qualcode {_version()}"),
                                 ("creatingUserGUID", users[project.config.coder]),
                                 ("creationDateTime", _xsd_datetime(created))])
    xu = _el(root, "Users")
    for name, guid in users.items():
        _el(xu, "User", [("guid", guid), ("name", name)])

    note_guid = {m[0]: gid("note", m[0]) for m in memos}
    if codes:
        xcb = _el(root, "CodeBook")
        _codes_xml(_el(xcb, "Codes"), Codebook(codes=codes), gid, code_notes=code_notes, note_guid=note_guid)
    code_guid = {c.id: gid("code", c.id) for c in codes}

    var_guid = {k: gid("variable", k) for k in var_types}

    def values_xml(parent, values: dict) -> None:
        for k in var_types:
            v = values.get(k)
            if _missing(v):
                continue
            tag, text = _format_value(v, var_types[k])
            if text is None:
                continue
            xv = _el(parent, "VariableValue")
            _el(xv, "VariableRef", [("targetGUID", var_guid[k])])
            _el(xv, tag, text=text)

    if var_types:
        xvars = _el(root, "Variables")
        for k, kind in var_types.items():
            _el(xvars, "Variable", [("guid", var_guid[k]), ("name", k), ("typeOfVariable", kind)])

    for src in srcs.values():
        src.guid = gid("source", src.name)
    sel_guid: dict[tuple, str] = {}
    for src in srcs.values():
        for key in src.sels:
            sel_guid[(src.guid,) + key] = _guid("selection", f"{src.guid}:{key[0]}:{key[1]}")

    if informants:
        xcases = _el(root, "Cases")
        for code, values in informants:
            xc = _el(xcases, "Case", [("guid", gid("case", code)), ("name", code)])
            values_xml(xc, values)
            seen_src = []
            for sid, _, _ in case_sels.get(code, []):
                if srcs[sid].guid not in seen_src:
                    seen_src.append(srcs[sid].guid)
            for g in seen_src:
                _el(xc, "SourceRef", [("targetGUID", g)])
            for sid, s, e in sorted(case_sels.get(code, []), key=lambda t: (srcs[t[0]].name, t[1], t[2])):
                _el(xc, "SelectionRef", [("targetGUID", sel_guid[(srcs[sid].guid, s, e)])])

    members: list[tuple[str, bytes]] = []
    coding_notes: list[tuple[str, str, str, str]] = []   # (guid, text, coder, created)
    xsources = None
    if srcs or extra["sources"]:
        xsources = _el(root, "Sources")
    for src in srcs.values():
        member = f"{src.guid}.txt"
        xs = _el(xsources, "TextSource", [("guid", src.guid), ("name", src.name),
                                          ("plainTextPath", f"internal://{member}"),
                                          ("creationDateTime", _xsd_datetime(src.created))])
        members.append((f"sources/{member}", src.text.encode("utf-8")))
        for key in sorted(src.sels):
            item = src.sels[key]
            sg = sel_guid[(src.guid,) + key]
            first = item.codings[0] if item.codings else None
            xsel = _el(xs, "PlainTextSelection", [
                ("guid", sg), ("name", _selection_name(src.text, *key)),
                ("startPosition", str(key[0])), ("endPosition", str(key[1])),
                ("creatingUser", users.get(first[1]) if first else None),
                ("creationDateTime", _xsd_datetime(first[2]) if first else None)])
            seen: dict[str, int] = {}
            for code_id, coder, created_at, note in item.codings:
                ck = f"{sg}:{code_guid[code_id]}:{users[coder]}"
                seen[ck] = seen.get(ck, 0) + 1
                cg = _guid("coding", f"{ck}:{seen[ck]}")
                xcod = _el(xsel, "Coding", [("guid", cg), ("creatingUser", users[coder]),
                                            ("creationDateTime", _xsd_datetime(created_at))])
                _el(xcod, "CodeRef", [("targetGUID", code_guid[code_id])])
                if note:
                    ng = _guid("note", f"coding:{cg}")
                    coding_notes.append((ng, pseudo.text(note) if pseudo else note, coder, created_at))
                    _el(xcod, "NoteRef", [("targetGUID", ng)])
            for nk in item.notes:
                _el(xsel, "NoteRef", [("targetGUID", note_guid[nk])])
        for nk in src.notes:
            _el(xs, "NoteRef", [("targetGUID", note_guid[nk])])
        values_xml(xs, src.attributes)
    for raw in extra["sources"]:
        elem = _requalify(parse_xml(raw.encode("utf-8"), "<stored REFI element>"))
        xsources.append(elem)
    for member, b64 in sorted(extra["files"].items()):
        members.append((member, base64.b64decode(b64)))

    if memos or coding_notes:
        xnotes = _el(root, "Notes")
        for key, text, coder, created_at in memos:
            _el(_el(xnotes, "Note", [("guid", note_guid[key]), ("name", _note_name(text)),
                                     ("creatingUser", users.get(coder) if coder else None),
                                     ("creationDateTime", _xsd_datetime(created_at))]),
                "PlainTextContent", text=text)
        for ng, text, coder, created_at in coding_notes:
            _el(_el(xnotes, "Note", [("guid", ng), ("name", _note_name(text)),
                                     ("creatingUser", users.get(coder)),
                                     ("creationDateTime", _xsd_datetime(created_at))]),
                "PlainTextContent", text=text)

    _append_project_extras(root, extra["project"], pseudo)
    for nk in project_notes:
        _el(root, "NoteRef", [("targetGUID", note_guid[nk])])

    members.insert(0, ("project.qde", _serialise(root, NS)))
    _write_zip(path, members)
    return path


def _version() -> str:
    from .. import __version__

    return __version__


def _selection_name(text: str, start: int, end: int) -> str:
    snippet = " ".join(text[start:end].split())
    return snippet[:60] + ("…" if len(snippet) > 60 else "")


def _note_name(text: str) -> str:
    first = " ".join((text or "").split())
    return first[:50] + ("…" if len(first) > 50 else "") or "Note"


def _requalify(elem):
    """Stored extras were read with their namespace: write project-namespace elements plainly
    (the root's ``xmlns`` covers them); elements of other namespaces keep theirs."""
    prefix = f"{{{NS}}}"
    for e in elem.iter():
        if isinstance(e.tag, str) and e.tag.startswith(prefix):
            e.tag = e.tag[len(prefix):]
    return elem


def _append_project_extras(root, raws: list[str], pseudo) -> None:
    """Write kept Links, Sets, Graphs and Description back, each element at most once."""
    groups: dict[str, list] = {}
    for raw in raws:
        elem = _requalify(parse_xml(raw.encode("utf-8"), "<stored REFI element>"))
        if pseudo is not None:
            pseudo.element(elem)
        groups.setdefault(_local(elem.tag), []).append(elem)
    for name in _PROJECT_EXTRAS:
        elems = groups.get(name)
        if not elems:
            continue
        if name == "Description":
            _el(root, "Description", text="\n\n".join((e.text or "").strip() for e in elems if e.text))
            continue
        first = elems[0]
        for other in elems[1:]:
            first.extend(list(other))
        root.append(first)


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


# ---------------------------------------------------------------------------- codebook


def export_qdc(codebook: Codebook, path: PathLike) -> Path:
    """Write ``codebook`` as a REFI-QDA ``.qdc`` file (namespace ``urn:QDA-XML:codebook:1.0``)."""
    path = Path(path)
    if not len(codebook):
        raise QualcodeError("the codebook has no codes; a .qdc file needs at least one", path=str(path))
    root = _el(None, "CodeBook", [("origin", f"qualcode {_version()}")], ns=CB_NS)
    _codes_xml(_el(root, "Codes", ns=CB_NS), codebook, _guid, ns=CB_NS)
    _write_bytes_atomic(path, _serialise(root, CB_NS))
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


# ----------------------------------------------------------------------------- import


@dataclass
class ImportReport:
    """What an import did: counts, the codebook written, the GUID → code id map, warnings."""

    path: Path
    sources: int = 0
    codes: int = 0
    codings: int = 0
    informants: int = 0
    variables: int = 0
    memos: int = 0
    codebook_path: Optional[Path] = None
    code_ids: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    def to_frame(self):
        import pandas as pd

        items = ["sources", "codes", "codings", "informants", "variables", "memos"]
        return pd.DataFrame({"count": [getattr(self, k) for k in items]},
                            index=pd.Index(items, name="item"))

    def _repr_html_(self) -> str:
        return self.to_frame()._repr_html_()


@dataclass
class _PSel:
    guid: str
    start: int
    end: int
    user: str
    created: Optional[str]
    codings: list      # (coding guid, code guid, user guid, created, [note guids])
    notes: list


@dataclass
class _PSource:
    guid: str
    name: str
    text: str
    encoding: str
    created: Optional[str]
    sels: list
    doc_codings: list
    notes: list
    values: list       # (variable guid, value)


def import_qdpx(path: PathLike, project, *, max_bytes: int = MAX_TOTAL_BYTES,
                max_members: int = MAX_MEMBERS) -> ImportReport:
    """Read a REFI-QDA ``.qdpx`` archive into ``project``, all or nothing.

    Sources keep their plain text exactly (offsets are not recounted) and are split into
    turns and segments as if ingested; each selection's codings attach to the segment
    holding its start and keep the file's offsets.  Codes become a codebook written to
    ``codebooks/<name>.yaml``; cases become informants with their variables as fields and
    attributes; notes become memos.  Everything goes into the store in one transaction,
    and the codebook file appears only after it committed.
    """
    path = Path(path)
    label = str(path)
    report = ImportReport(path=path)
    with SafeArchive(path, max_bytes=max_bytes, max_members=max_members) as archive:
        qde = archive.find("project.qde")
        if qde is None:
            candidates = [n for n in archive.names() if n.lower().endswith(".qde") and "/" not in n]
            if len(candidates) != 1:
                raise QualcodeError("the archive has no project.qde; is this a REFI-QDA .qdpx file?", path=label)
            qde = candidates[0]
        root = parse_xml(archive.read(qde), f"{label}:{qde}")
        if _local(root.tag) != "Project":
            raise QualcodeError(f"project.qde is not a REFI-QDA project (root <{_local(root.tag)}>, "
                                "not <Project>)", path=label)
        plan = _read_project(root, archive, label, report.warnings)
    _apply_plan(plan, project, path, report)
    return report


def _read_project(root, archive: SafeArchive, label: str, warnings: list) -> dict:
    ns_uri = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if ns_uri and ns_uri != NS:
        warnings.append(f"{label}: the project namespace is '{ns_uri}', not '{NS}'; read as QDA-XML 1.0")
    users: dict[str, str] = {}
    xu = _kid(root, "Users")
    for u in _kids(xu, "User") if xu is not None else []:
        g = _norm_guid(u.get("guid"))
        users[g] = (u.get("name") or u.get("id") or f"user-{g[:8]}").strip()

    codes_el = _kid(_kid(root, "CodeBook"), "Codes") if _kid(root, "CodeBook") is not None else None
    pcodes = _read_codes(codes_el, warnings) if codes_el is not None else []

    variables: dict[str, tuple[str, str]] = {}
    xv = _kid(root, "Variables")
    for v in _kids(xv, "Variable") if xv is not None else []:
        variables[_norm_guid(v.get("guid"))] = ((v.get("name") or "").strip() or f"variable-{len(variables) + 1}",
                                                v.get("typeOfVariable") or "Text")

    cases = []
    xcases = _kid(root, "Cases")
    for c in _kids(xcases, "Case") if xcases is not None else []:
        if _kids(c, "CodeRef"):
            warnings.append(f"{label}: case '{c.get('name')}' is coded with codes (CodeRef); qualcode keeps "
                            "cases as informants and drops their codes")
        desc = _kid(c, "Description")
        cases.append({
            "guid": _norm_guid(c.get("guid")), "name": (c.get("name") or "").strip(),
            "description": (desc.text or "").strip() if desc is not None else "",
            "values": [(_norm_guid(_kid(vv, "VariableRef").get("targetGUID")) if _kid(vv, "VariableRef") is not None
                        else "", _parse_value(vv)) for vv in _kids(c, "VariableValue")],
            "sources": [_norm_guid(r.get("targetGUID")) for r in _kids(c, "SourceRef")],
            "selections": [_norm_guid(r.get("targetGUID")) for r in _kids(c, "SelectionRef")],
        })

    sources: list[_PSource] = []
    extra_sources: list[str] = []
    extra_files: dict[str, str] = {}
    kept_media = 0
    xsources = _kid(root, "Sources")
    for xs in list(xsources) if xsources is not None else []:
        kind = _local(xs.tag)
        name = (xs.get("name") or "").strip()
        if kind != "TextSource":
            extra_sources.append(ET.tostring(xs, encoding="unicode"))
            files = [p for p in (xs.get("path"), xs.get("currentPath")) if p and p.startswith("internal://")]
            for e in xs.iter():
                for attr in ("plainTextPath", "richTextPath"):
                    if (e.get(attr) or "").startswith("internal://"):
                        files.append(e.get(attr))
            for ref in files:
                member = _internal_member(archive, ref)
                if member is None or member in extra_files:
                    continue
                size = archive.size(member)
                if kept_media + size > MAX_KEPT_MEDIA:
                    warnings.append(f"{label}: the file of {kind} '{name}' is too large to keep "
                                    f"({size / 1048576:.0f} MB); a later export will refer to it without it")
                    continue
                kept_media += size
                extra_files[member] = base64.b64encode(archive.read(member)).decode("ascii")
            warnings.append(f"{label}: {kind} '{name}' is kept as it is but not analysed "
                            "(qualcode reads text sources only)")
            continue
        src = _read_text_source(xs, archive, label, warnings)
        if src is not None:
            sources.append(src)

    notes: dict[str, dict] = {}
    xnotes = _kid(root, "Notes")
    for n in _kids(xnotes, "Note") if xnotes is not None else []:
        text_el = _kid(n, "PlainTextContent")
        text = text_el.text if text_el is not None and text_el.text else ""
        if not text and (n.get("plainTextPath") or "").startswith("internal://"):
            member = _internal_member(archive, n.get("plainTextPath"))
            if member is not None:
                from ..ingest.decode import decode_bytes

                text = decode_bytes(archive.read(member), f"{label}:{member}")[0]
        notes[_norm_guid(n.get("guid"))] = {
            "name": n.get("name") or "", "text": text or (n.get("name") or ""),
            "user": _norm_guid(n.get("creatingUser")), "created": _iso_from_xsd(n.get("creationDateTime"))}

    extra_project = []
    for name in _PROJECT_EXTRAS:
        for e in _kids(root, name):
            if name == "Description" and not (e.text or "").strip():
                continue
            extra_project.append(ET.tostring(e, encoding="unicode"))
            if name != "Description":
                warnings.append(f"{label}: the project's {name} are kept as they are but qualcode does not use them")
            else:
                warnings.append(f"{label}: the project description is kept as it is but qualcode does not use it")
    return {"users": users, "codes": pcodes, "variables": variables, "cases": cases, "sources": sources,
            "notes": notes, "project_notes": [_norm_guid(r.get("targetGUID")) for r in _kids(root, "NoteRef")],
            "extra": {"project": extra_project, "sources": extra_sources, "files": extra_files},
            "name": (root.get("name") or "").strip()}


def _internal_member(archive: SafeArchive, ref: str) -> Optional[str]:
    rel = ref[len("internal://"):].lstrip("/")
    for candidate in (f"sources/{rel}", f"Sources/{rel}", rel):
        found = archive.find(candidate)
        if found is not None:
            return found
    return None


def _read_text_source(xs, archive: SafeArchive, label: str, warnings: list) -> Optional[_PSource]:
    from ..ingest.decode import decode_bytes

    guid = _norm_guid(xs.get("guid"))
    name = (xs.get("name") or "").strip() or f"source-{guid[:8]}"
    content = _kid(xs, "PlainTextContent")
    ptp = (xs.get("plainTextPath") or "").strip()
    encoding = "utf-8"
    if content is not None and content.text:
        text = content.text
    elif ptp:
        if not ptp.startswith("internal://") and "://" in ptp:
            warnings.append(f"{label}: the text of source '{name}' is outside the archive ({ptp}); "
                            "the source is skipped — export the project with its sources embedded")
            return None
        member = _internal_member(archive, ptp if ptp.startswith("internal://") else "internal://" + ptp)
        if member is None:
            warnings.append(f"{label}: the text of source '{name}' ({ptp}) is missing from the archive; "
                            "the source is skipped")
            return None
        text, encoding = decode_bytes(archive.read(member), f"{label}:{member}")
    else:
        warnings.append(f"{label}: source '{name}' has no plain text (only a rich-text file); "
                        "the source is skipped")
        return None
    sels = []
    for xsel in _kids(xs, "PlainTextSelection"):
        sg = _norm_guid(xsel.get("guid"))
        try:
            start, end = int(xsel.get("startPosition")), int(xsel.get("endPosition"))
        except (TypeError, ValueError):
            warnings.append(f"{label}: a selection in source '{name}' has no valid positions; skipped")
            continue
        if start > end:
            start, end = end, start
        if start < 0 or end > len(text) or start == end:
            warnings.append(f"{label}: selection {start}-{end} in source '{name}' lies outside its text "
                            f"(0-{len(text)}) or is empty; skipped")
            continue
        sels.append(_PSel(sg, start, end, _norm_guid(xsel.get("creatingUser")),
                          _iso_from_xsd(xsel.get("creationDateTime")),
                          [_read_coding(c) for c in _kids(xsel, "Coding")],
                          [_norm_guid(r.get("targetGUID")) for r in _kids(xsel, "NoteRef")]))
    values = [(_norm_guid(_kid(vv, "VariableRef").get("targetGUID")) if _kid(vv, "VariableRef") is not None else "",
               _parse_value(vv)) for vv in _kids(xs, "VariableValue")]
    return _PSource(guid, name, text, encoding, _iso_from_xsd(xs.get("creationDateTime")), sels,
                    [_read_coding(c) for c in _kids(xs, "Coding")],
                    [_norm_guid(r.get("targetGUID")) for r in _kids(xs, "NoteRef")], values)


def _read_coding(xc) -> tuple:
    ref = _kid(xc, "CodeRef")
    return (_norm_guid(xc.get("guid")), _norm_guid(ref.get("targetGUID")) if ref is not None else "",
            _norm_guid(xc.get("creatingUser")), _iso_from_xsd(xc.get("creationDateTime")),
            [_norm_guid(r.get("targetGUID")) for r in _kids(xc, "NoteRef")])


def _segment_for(segs: list, starts: list, start: int, end: int):
    """The segment holding ``start``; in a gap (label, blank line), the next one the selection
    reaches, else the one before."""
    i = bisect.bisect_right(starts, start) - 1
    if i >= 0 and start < segs[i].end:
        return segs[i]
    if i + 1 < len(segs) and segs[i + 1].start < end:
        return segs[i + 1]
    return segs[i] if i >= 0 else segs[0]


def _apply_plan(plan: dict, project, path: Path, report: ImportReport) -> None:
    from ..ingest.pipeline import guess_kind
    from ..ingest.readers import Line
    from ..ingest.transcript import DEFAULT_INTERVIEWER_LABELS, build_label_regex, parse_lines

    label = str(path)
    warnings = report.warnings
    store = project.store
    cfg = project.config
    users = plan["users"]

    # -- codebook
    codes, code_ids = _codes_from_parsed(plan["codes"])
    cb_name = plan["name"] or path.stem
    codebook = Codebook(codes=codes, language=project.language, name=cb_name)

    # -- cases → informants
    var_names = {g: v[0] for g, v in plan["variables"].items()}
    taken_cases: set[str] = set()
    case_name: dict[str, str] = {}
    informants: list[Informant] = []
    for case in plan["cases"]:
        name = _unique(case["name"] or f"case-{len(informants) + 1}", taken_cases, sep="-")
        case_name[case["guid"]] = name
        inf = Informant(code=name)
        for vg, value in case["values"]:
            vname = var_names.get(vg)
            if vname is None or value is None:
                continue
            fld = _FIELD_ALIASES.get(vname.lower())
            if fld == "date":
                try:
                    inf.date = _dt.date.fromisoformat(str(value)[:10])
                    continue
                except ValueError:
                    pass
            elif fld == "duration_min" and isinstance(value, (int, float)) and not isinstance(value, bool):
                inf.duration_min = float(value)
                continue
            elif fld in ("role", "organisation", "mode"):
                setattr(inf, fld, str(value))
                continue
            inf.attributes[vname] = value
        if case["description"]:
            inf.attributes.setdefault("description", case["description"])
        informants.append(inf)

    # which case speaks where: a source referred to by exactly one case is that case's by default
    src_cases: dict[str, list[str]] = {}
    sel_case: dict[str, str] = {}
    for case in plan["cases"]:
        for sg in case["sources"]:
            src_cases.setdefault(sg, []).append(case_name[case["guid"]])
        for sg in case["selections"]:
            sel_case[sg] = case_name[case["guid"]]

    # -- sources → turns and segments (parsed now, before anything is written)
    label_rx = build_label_regex(set(case_name.values()), cfg.speaker_pattern or None)
    interviewer = set(DEFAULT_INTERVIEWER_LABELS) | {s.lower() for s in cfg.interviewer_labels}
    taken_src: set[str] = set()
    parsed_sources = []
    for src in plan["sources"]:
        name = _unique(src.name, taken_src, sep=" ")
        lines = [Line(t, 0, i + 1) for i, t in enumerate(src.text.split("\n"))]
        owners = src_cases.get(src.guid, [])
        try:
            parsed = parse_lines(lines, f"{label}:{name}", label_regex=label_rx, interviewer_labels=interviewer,
                                 default_speaker=owners[0] if len(owners) == 1 else None)
        except QualcodeError:
            warnings.append(f"{label}: source '{name}' has no text outside headings; skipped")
            continue
        assert parsed.text == src.text
        warnings.extend(w for w in parsed.warnings if "no speaker labels" not in w)
        # speakers from the cases' selections where the text has no label
        case_spans = sorted((s.start, s.end, sel_case[s.guid]) for s in src.sels if s.guid in sel_case)
        for seg in parsed.segments:
            if seg.speaker is None:
                for s, e, who in case_spans:
                    if s < seg.end and seg.start < e:
                        seg.speaker = who
                        break
        var_values = {var_names[g]: v for g, v in src.values if g in var_names and v is not None}
        latest = store.latest_source(name)
        if latest is not None:
            warnings.append(f"{label}: the project already has a source '{name}'; the imported text becomes "
                            f"version {latest[1] + 1}")
        source = Source(id=None, name=name, text=src.text, format="txt",
                        content_hash=hashlib.sha256(src.text.encode("utf-8")).hexdigest(),
                        version=(latest[1] + 1) if latest else 1, kind=guess_kind(Path(name)),
                        encoding=src.encoding, imported_at=now_iso(), attributes=var_values,
                        words=sum(count_words(s.text) for s in parsed.segments))
        parsed_sources.append((src, source, parsed))

    # -- the codebook file, written aside first and checked by loading it back
    cb_dir = project.root / "codebooks"
    cb_path = None
    tmp_cb = None
    if codes:
        cb_dir.mkdir(parents=True, exist_ok=True)
        stem = _slug(cb_name, "codebook").replace("_", "-")
        cb_path, n = cb_dir / f"{stem}.yaml", 2
        while cb_path.exists():
            cb_path, n = cb_dir / f"{stem}-{n}.yaml", n + 1
        fd, tmp_name = tempfile.mkstemp(prefix=f".{cb_path.stem}.", suffix=".yaml", dir=str(cb_dir))
        os.close(fd)
        tmp_cb = Path(tmp_name)
        try:
            save_codebook(codebook, tmp_cb)
            load_codebook(tmp_cb)
        except BaseException:
            tmp_cb.unlink(missing_ok=True)
            raise

    guid_maps = _store_guids(project)
    extra = _store_extra(project)
    try:
        with store.transaction():
            memos_to_add: list[Memo] = []
            codings: list[Coding] = []
            note_used: set[str] = set()
            seen_codings: set[tuple] = set()
            selection_segment: dict[str, int] = {}
            source_names: dict[str, str] = {}
            for src, source, parsed in parsed_sources:
                sid = store.add_source(source, parsed.turns, parsed.segments)
                stored = store.segments_of(sid)
                starts = [s.start for s in stored]
                source_names[src.guid] = source.name
                guid_maps.setdefault("source", {})[source.name] = src.guid
                whole = [(_guid("selection", f"{src.guid}:doc"), 0, len(src.text), "", src.created, src.doc_codings, [])]
                for sg, start, end, sel_user, sel_created, sel_codings, _ in \
                        whole + [(s.guid, s.start, s.end, s.user, s.created, s.codings, s.notes) for s in src.sels]:
                    seg = _segment_for(stored, starts, start, end)
                    selection_segment[sg] = seg.id
                    for cg, code_guid, user_guid, created, note_refs in sel_codings:
                        code_id = code_ids.get(code_guid)
                        if code_id is None:
                            warnings.append(f"{label}: a coding in source '{source.name}' refers to an unknown "
                                            "code; skipped")
                            continue
                        coder = users.get(user_guid) or users.get(sel_user) or UNKNOWN_USER
                        status = "suggested" if coder == AUTO_CODER else "manual"
                        key = (sid, start, end, code_id, coder)
                        if key in seen_codings:
                            continue
                        seen_codings.add(key)
                        note = "\n\n".join(plan["notes"][n]["text"] for n in note_refs if n in plan["notes"])
                        note_used.update(n for n in note_refs if n in plan["notes"])
                        codings.append(Coding(code_id, seg.id, start, end, status, coder,
                                              "refi" if status == "suggested" else None,
                                              created or sel_created or now_iso(), note=note, source_id=sid))
            if informants:
                store.upsert_informants(informants)
            store.add_codings(codings)

            # -- notes → memos, one per place that refers to them
            targets: list[tuple[str, str, Optional[str]]] = []
            for ng in plan["project_notes"]:
                targets.append((ng, "project", None))
            for src, source, _ in parsed_sources:
                for ng in src.notes:
                    targets.append((ng, "source", source.name))
                for s in src.sels:
                    for ng in s.notes:
                        targets.append((ng, "segment", str(selection_segment[s.guid])))
            for pc in plan["codes"]:
                for ng in pc.notes:
                    targets.append((ng, "code", code_ids.get(pc.guid)))
            done: set[tuple] = set()
            for ng, ttype, tid in targets:
                note = plan["notes"].get(ng)
                if note is None or (ng, ttype, tid) in done:
                    continue
                done.add((ng, ttype, tid))
                note_used.add(ng)
                memos_to_add.append(Memo(note["text"], ttype, tid, users.get(note["user"], ""),
                                         note["created"] or now_iso()))
            for ng, note in plan["notes"].items():
                if ng not in note_used:
                    memos_to_add.append(Memo(note["text"], "project", None, users.get(note["user"], ""),
                                             note["created"] or now_iso()))
            for memo in memos_to_add:
                store.add_memo(memo)

            if codes:
                content = {"language": codebook.language, "name": codebook.name,
                           "codes": [{k: v for k, v in asdict(c).items() if k != "line"} for c in codes]}
                store.save_codebook(codebook_hash(codebook), codebook.name, codebook.language,
                                    json.dumps(content, ensure_ascii=False))
            for g, cid in code_ids.items():
                guid_maps.setdefault("code", {})[cid] = g
            for g, name in users.items():
                guid_maps.setdefault("user", {})[name] = g
            for g, name in case_name.items():
                guid_maps.setdefault("case", {})[name] = g
            for g, (name, _) in plan["variables"].items():
                guid_maps.setdefault("variable", {})[name] = g
            store.set_meta(META_GUIDS, json.dumps(guid_maps, ensure_ascii=False, sort_keys=True))
            new_extra = plan["extra"]
            if new_extra["project"] or new_extra["sources"] or new_extra["files"]:
                extra["project"] += [x for x in new_extra["project"] if x not in extra["project"]]
                extra["sources"] += [x for x in new_extra["sources"] if x not in extra["sources"]]
                extra["files"].update(new_extra["files"])
                store.set_meta(META_EXTRA, json.dumps(extra, ensure_ascii=False, sort_keys=True))
            report.sources = len(parsed_sources)
            report.codes = len(codes)
            report.codings = len(codings)
            report.informants = len(informants)
            report.variables = len(plan["variables"])
            report.memos = len(memos_to_add)
            report.code_ids = dict(code_ids)
            store.log(AuditEvent(action="import qdpx", target=path.name, coder=cfg.coder,
                                 details={"sources": report.sources, "codes": report.codes,
                                          "codings": report.codings, "informants": report.informants,
                                          "memos": report.memos,
                                          "codebook": cb_path.name if cb_path else None}))
    except BaseException:
        if tmp_cb is not None:
            tmp_cb.unlink(missing_ok=True)
        raise
    if tmp_cb is not None:
        os.replace(tmp_cb, cb_path)
        report.codebook_path = cb_path
        others = sorted(p.name for p in cb_dir.glob("*") if p != cb_path and not p.name.startswith((".", "~$"))
                        and p.suffix.lower() in (".yaml", ".yml", ".xlsx"))
        if others:
            warnings.append(f"the imported codes are in {cb_path.relative_to(project.root).as_posix()}, next to "
                            f"{', '.join(others)}; choose it with --codebook or set codebook in qualcode.toml")

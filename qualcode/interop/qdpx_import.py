"""Reading a REFI-QDA project archive (``.qdpx``) into an :class:`ImportPlan`.

:func:`import_qdpx` reads and checks the archive and works out everything it would add to
a project — sources split into turns and segments as if ingested, the codebook, codings
with the file's exact offsets on the segment holding their start, informants from the
cases, memos from the notes, the GUIDs and unmodelled elements to keep — without touching
a project or a store.  What it needs to know about the project (its language, speaker
settings, the source versions it has) it takes as arguments.  The project then writes the
plan in one transaction and moves the :class:`StagedCodebook` into place after the commit.

>>> import pathlib, zipfile, tempfile
>>> qde = ('<Project xmlns="urn:QDA-XML:project:1.0" name="Pilotti"><CodeBook><Codes>'
...        '<Code guid="c0de0000-0000-4000-8000-000000000001" name="Nopeus" isCodable="true"/>'
...        '</Codes></CodeBook><Sources><TextSource guid="5a000000-0000-4000-8000-000000000001" '
...        'name="H1" plainTextPath="internal://h1.txt"><PlainTextSelection '
...        'guid="5e100000-0000-4000-8000-000000000001" startPosition="16" endPosition="21">'
...        '<Coding guid="c0d10000-0000-4000-8000-000000000001"><CodeRef '
...        'targetGUID="c0de0000-0000-4000-8000-000000000001"/></Coding></PlainTextSelection>'
...        '</TextSource></Sources></Project>')
>>> path = pathlib.Path(tempfile.mkdtemp()) / "p.qdpx"
>>> with zipfile.ZipFile(path, "w") as zf:
...     zf.writestr("project.qde", qde); zf.writestr("sources/h1.txt", "H1: Aloitus oli nopea.")
>>> plan = import_qdpx(path)
>>> [(s.source.name, [g.text for g in s.segments]) for s in plan.sources]
[('H1', ['Aloitus oli nopea.'])]
>>> [(i, j, c.code_id, c.start, c.end, c.coder, c.status) for i, j, c in plan.codings]
[(0, 0, 'nopeus', 16, 21, 'imported', 'manual')]
"""
from __future__ import annotations

import base64
import bisect
from collections import Counter
import datetime as _dt
import hashlib
import json
import os
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Optional

from ..codebook import codebook_hash, load_codebook, save_codebook
from ..errors import QualcodeError
from ..ingest.decode import decode_bytes
from ..ingest.pipeline import guess_kind
from ..ingest.readers import Line
from ..ingest.transcript import DEFAULT_INTERVIEWER_LABELS, build_label_regex, parse_lines
from ..model import AUTO_CODER, Code, Codebook, Coding, Informant, Memo, Source, count_words, now_iso
from ..safearchive import MAX_MEMBERS, MAX_TOTAL_BYTES, SafeArchive, parse_xml
from .qdpx_data import DATA_NOTE_NAME, CarriedData, read_data_note
from .refi import (NS, PROJECT_EXTRAS, PathLike, _codes_from_parsed, _guid, _iso_from_xsd, _kid, _kids, _local,
                   _norm_guid, _parse_value, _read_codes, _slug, _unique)

#: media files of unmodelled sources kept in the store up to this many bytes in total
MAX_KEPT_MEDIA = 50 * 1024 * 1024
#: coder name for codings whose user the file does not name
UNKNOWN_USER = "imported"

_FIELD_ALIASES = {
    "role": "role", "rooli": "role",
    "organisation": "organisation", "organization": "organisation", "organisaatio": "organisation",
    "date": "date", "päivämäärä": "date", "pvm": "date",
    "mode": "mode", "haastattelutapa": "mode",
    "duration_min": "duration_min", "kesto": "duration_min", "kesto_min": "duration_min",
}


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
    #: sources the project already held with the same text (merged, not added)
    merged_sources: int = 0
    #: codings and memos of the file the project already held (not added again)
    already_there: int = 0

    def to_frame(self):
        import pandas as pd

        items = ["sources", "merged_sources", "codes", "codings", "already_there", "informants", "variables",
                 "memos"]
        return pd.DataFrame({"count": [getattr(self, k) for k in items]},
                            index=pd.Index(items, name="item"))

    def _repr_html_(self) -> str:
        return self.to_frame()._repr_html_()


@dataclass
class ImportedSource:
    """A text source of the archive as the project will store it: a new source version
    (``source.id`` is None until stored) with its turns and segments — or, when ``reused``,
    the project's own active version of the same name and text (``source.id`` set, its
    stored segments, no turns), which the import adds to without changing it."""

    guid: str
    source: Source
    turns: list
    segments: list
    reused: bool = False


@dataclass
class ImportPlan:
    """Everything a ``.qdpx`` archive adds to a project, read and checked, not yet written.

    ``codings`` are ``(source position, segment index, Coding)``: the position of the
    coding's source in ``sources`` and the ``index`` of the segment holding its start (the
    coding's own segment and source ids are None until stored).  ``memos`` are ``(Memo,
    None)`` or, for a note on a selection, ``(Memo, (source position, segment index))``.
    ``guids`` are the file's GUIDs to remember (``{kind: {key: guid}}``), ``extras`` the
    elements qualcode does not model (``{"project": [xml], "sources": [xml], "files":
    {member: base64}}``), ``variables`` the number of variables read.
    """

    path: Path
    sources: list
    codings: list
    informants: list
    memos: list
    codebook: Codebook
    code_ids: dict
    guids: dict
    extras: dict
    variables: int = 0
    warnings: list = field(default_factory=list)
    #: the file carries qualcode's data note (ids, rules, every decision)
    carried: bool = False
    #: codings and memos dropped because the project already holds them (set by the merge)
    already_there: int = 0
    #: False when the project's codebook already has every code of the file (set by the merge)
    write_codebook: bool = True

    def codebook_record(self) -> Optional[tuple[str, str, str, str]]:
        """``(hash, name, language, content)`` of the codebook for the store, or None
        when the archive has no codes."""
        cb = self.codebook
        if not cb.codes or not self.write_codebook:
            return None
        content = {"language": cb.language, "name": cb.name,
                   "codes": [{k: v for k, v in asdict(c).items() if k != "line"} for c in cb.codes]}
        return codebook_hash(cb), cb.name, cb.language, json.dumps(content, ensure_ascii=False)

    def report(self) -> ImportReport:
        """The counts of this plan as an :class:`ImportReport` (codebook path not yet set):
        the sources, codes, codings and memos it adds."""
        merged = sum(s.reused for s in self.sources)
        codes = len(self.codebook.codes) if self.write_codebook else 0
        return ImportReport(path=self.path, sources=len(self.sources) - merged, codes=codes,
                            codings=len(self.codings), informants=len(self.informants),
                            variables=self.variables, memos=len(self.memos), code_ids=dict(self.code_ids),
                            warnings=list(self.warnings), merged_sources=merged,
                            already_there=self.already_there)


class StagedCodebook:
    """The imported codebook as ``<folder>/<name>.yaml`` (``-2``, ``-3`` … when taken),
    written beside that name and checked by loading it back.  Used as a context manager it
    takes its name when the block ends without an error and is removed otherwise; a
    codebook without codes writes nothing (``path`` stays None).  ``warnings`` says when
    other codebooks lie next to it."""

    def __init__(self, codebook: Codebook, folder: PathLike):
        self.folder = Path(folder)
        self.path: Optional[Path] = None
        self.warnings: list[str] = []
        self._tmp: Optional[Path] = None
        if not codebook.codes:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = _slug(codebook.name, "codebook").replace("_", "-")
        path, n = self.folder / f"{stem}.yaml", 2
        while path.exists():
            path, n = self.folder / f"{stem}-{n}.yaml", n + 1
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".yaml", dir=str(self.folder))
        os.close(fd)
        self._tmp = Path(tmp_name)
        try:
            save_codebook(codebook, self._tmp)
            load_codebook(self._tmp)
        except BaseException:
            self._tmp.unlink(missing_ok=True)
            raise
        self.path = path

    def __enter__(self) -> "StagedCodebook":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._tmp is None:
            return
        if exc_type is not None:
            self._tmp.unlink(missing_ok=True)
            return
        os.replace(self._tmp, self.path)
        others = sorted(p.name for p in self.folder.glob("*") if p != self.path
                        and not p.name.startswith((".", "~$")) and p.suffix.lower() in (".yaml", ".yml", ".xlsx"))
        if others:
            self.warnings.append(f"the imported codes are in {self.path.relative_to(self.folder.parent).as_posix()}, "
                                 f"next to {', '.join(others)}; choose it with --codebook or set codebook in "
                                 "qualcode.toml")


# -- what the archive holds, as read


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


@dataclass
class _PCase:
    guid: str
    name: str
    description: str
    values: list       # (variable guid, value)
    sources: list      # source guids
    selections: list   # selection guids


@dataclass
class _PNote:
    text: str
    user: str
    created: Optional[str]


@dataclass
class _Parsed:
    name: str
    users: dict        # user guid -> name
    codes: list        # _PCode
    variables: dict    # variable guid -> (name, type)
    cases: list
    sources: list
    notes: dict        # note guid -> _PNote
    project_notes: list
    extras: dict
    data: Optional[CarriedData] = None


@dataclass
class ExistingSource:
    """A project's active source version, as an import compares and merges into it."""

    id: int
    version: int
    text: str
    segments: list


def import_qdpx(path: PathLike, *, language: str = "fi", speaker_pattern: Optional[str] = None,
                interviewer_labels: Iterable[str] = (), source_versions: Optional[Mapping[str, int]] = None,
                existing: Optional[Mapping[str, ExistingSource]] = None, new_version: bool = False,
                max_bytes: int = MAX_TOTAL_BYTES, max_members: int = MAX_MEMBERS) -> ImportPlan:
    """Read a REFI-QDA ``.qdpx`` archive into an :class:`ImportPlan`; nothing is written.

    Sources keep their plain text exactly (offsets are not recounted) and are split into
    turns and segments as if ingested (``speaker_pattern`` and ``interviewer_labels`` as in
    the project's settings; case names are speaker labels too); each selection's codings
    attach to the segment holding its start and keep the file's offsets.  Codes become a
    codebook in ``language``; cases become informants with their variables as fields and
    attributes; notes become memos.  ``source_versions`` (name → newest version) are the
    project's sources.  ``existing`` are the project's active sources by name: one with the
    same name and text is reused (the file's codings are placed on its stored segments), one
    with the same name and another text is refused — unless ``new_version``, when every
    source of an existing name becomes its next version.  The archive is refused when it is
    unsafe (path traversal, DTDs, over ``max_bytes`` or ``max_members``).
    """
    path = Path(path)
    label = str(path)
    warnings: list[str] = []
    with SafeArchive(path, max_bytes=max_bytes, max_members=max_members) as archive:
        parsed = _read_project(_read_root(archive, label), archive, label, warnings)
    interviewer = set(DEFAULT_INTERVIEWER_LABELS) | {s.lower() for s in interviewer_labels}
    sources_now = _SourcesNow(source_versions or {}, existing or {}, new_version)
    return _plan(parsed, path, language, speaker_pattern, interviewer, sources_now, warnings)


@dataclass
class _SourcesNow:
    """What the project holds of sources, and whether same-named ones become new versions."""

    versions: Mapping[str, int]
    existing: Mapping[str, ExistingSource]
    new_version: bool


# -- reading


def _read_root(archive: SafeArchive, label: str):
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
    return root


def _read_project(root, archive: SafeArchive, label: str, warnings: list) -> _Parsed:
    ns_uri = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if ns_uri and ns_uri != NS:
        warnings.append(f"{label}: the project namespace is '{ns_uri}', not '{NS}'; read as QDA-XML 1.0")
    users: dict[str, str] = {}
    for u in _kids_of(root, "Users", "User"):
        g = _norm_guid(u.get("guid"))
        users[g] = (u.get("name") or u.get("id") or f"user-{g[:8]}").strip()
    codes_el = _kid(_kid(root, "CodeBook"), "Codes") if _kid(root, "CodeBook") is not None else None
    pcodes = _read_codes(codes_el, warnings) if codes_el is not None else []
    variables: dict[str, tuple[str, str]] = {}
    for v in _kids_of(root, "Variables", "Variable"):
        variables[_norm_guid(v.get("guid"))] = ((v.get("name") or "").strip() or f"variable-{len(variables) + 1}",
                                                v.get("typeOfVariable") or "Text")
    cases = [_read_case(c, label, warnings) for c in _kids_of(root, "Cases", "Case")]
    extras = {"project": [], "sources": [], "files": {}}
    sources = _read_sources(root, archive, label, warnings, extras)
    notes, data = {}, None
    for n in _kids_of(root, "Notes", "Note"):
        note = _read_note(n, archive, label)
        if (n.get("name") or "").strip() == DATA_NOTE_NAME and data is None:
            data = read_data_note(note.text, label)
        else:
            notes[_norm_guid(n.get("guid"))] = note
    extras["project"] = _read_project_extras(root, label, warnings)
    return _Parsed((root.get("name") or "").strip(), users, pcodes, variables, cases, sources, notes,
                   [_norm_guid(r.get("targetGUID")) for r in _kids(root, "NoteRef")], extras, data)


def _kids_of(root, group: str, name: str) -> list:
    """The ``name`` children of ``root``'s ``group`` element (none when it is missing)."""
    parent = _kid(root, group)
    return _kids(parent, name) if parent is not None else []


def _values_of(elem) -> list:
    """(variable guid, value) of an element's VariableValues."""
    return [(_norm_guid(_kid(vv, "VariableRef").get("targetGUID")) if _kid(vv, "VariableRef") is not None else "",
             _parse_value(vv)) for vv in _kids(elem, "VariableValue")]


def _read_case(c, label: str, warnings: list) -> _PCase:
    if _kids(c, "CodeRef"):
        warnings.append(f"{label}: case '{c.get('name')}' is coded with codes (CodeRef); qualcode keeps "
                        "cases as informants and drops their codes")
    desc = _kid(c, "Description")
    return _PCase(_norm_guid(c.get("guid")), (c.get("name") or "").strip(),
                  (desc.text or "").strip() if desc is not None else "", _values_of(c),
                  [_norm_guid(r.get("targetGUID")) for r in _kids(c, "SourceRef")],
                  [_norm_guid(r.get("targetGUID")) for r in _kids(c, "SelectionRef")])


def _read_sources(root, archive: SafeArchive, label: str, warnings: list, extras: dict) -> list[_PSource]:
    """The text sources; other kinds are kept as they are in ``extras`` with their files."""
    sources: list[_PSource] = []
    kept_media = 0
    xsources = _kid(root, "Sources")
    for xs in list(xsources) if xsources is not None else []:
        kind = _local(xs.tag)
        if kind != "TextSource":
            kept_media = _keep_unmodelled_source(xs, archive, label, warnings, extras, kept_media)
            continue
        src = _read_text_source(xs, archive, label, warnings)
        if src is not None:
            sources.append(src)
    return sources


def _keep_unmodelled_source(xs, archive: SafeArchive, label: str, warnings: list, extras: dict,
                            kept_media: int) -> int:
    """Keep a picture, PDF, audio or video source and its files (within :data:`MAX_KEPT_MEDIA`
    in all); returns the bytes of media kept so far."""
    kind = _local(xs.tag)
    name = (xs.get("name") or "").strip()
    extras["sources"].append(ET.tostring(xs, encoding="unicode"))
    files = [p for p in (xs.get("path"), xs.get("currentPath")) if p and p.startswith("internal://")]
    for e in xs.iter():
        for attr in ("plainTextPath", "richTextPath"):
            if (e.get(attr) or "").startswith("internal://"):
                files.append(e.get(attr))
    for ref in files:
        member = _internal_member(archive, ref)
        if member is None or member in extras["files"]:
            continue
        size = archive.size(member)
        if kept_media + size > MAX_KEPT_MEDIA:
            warnings.append(f"{label}: the file of {kind} '{name}' is too large to keep "
                            f"({size / 1048576:.0f} MB); a later export will refer to it without it")
            continue
        kept_media += size
        extras["files"][member] = base64.b64encode(archive.read(member)).decode("ascii")
    warnings.append(f"{label}: {kind} '{name}' is kept as it is but not analysed "
                    "(qualcode reads text sources only)")
    return kept_media


def _read_note(n, archive: SafeArchive, label: str) -> _PNote:
    text_el = _kid(n, "PlainTextContent")
    text = text_el.text if text_el is not None and text_el.text else ""
    if not text and (n.get("plainTextPath") or "").startswith("internal://"):
        member = _internal_member(archive, n.get("plainTextPath"))
        if member is not None:
            text = decode_bytes(archive.read(member), f"{label}:{member}")[0]
    return _PNote(text or (n.get("name") or ""), _norm_guid(n.get("creatingUser")),
                  _iso_from_xsd(n.get("creationDateTime")))


def _read_project_extras(root, label: str, warnings: list) -> list[str]:
    kept = []
    for name in PROJECT_EXTRAS:
        for e in _kids(root, name):
            if name == "Description" and not (e.text or "").strip():
                continue
            kept.append(ET.tostring(e, encoding="unicode"))
            if name != "Description":
                warnings.append(f"{label}: the project's {name} are kept as they are but qualcode does not use them")
            else:
                warnings.append(f"{label}: the project description is kept as it is but qualcode does not use it")
    return kept


def _internal_member(archive: SafeArchive, ref: str) -> Optional[str]:
    rel = ref[len("internal://"):].lstrip("/")
    for candidate in (f"sources/{rel}", f"Sources/{rel}", rel):
        found = archive.find(candidate)
        if found is not None:
            return found
    return None


def _read_text_source(xs, archive: SafeArchive, label: str, warnings: list) -> Optional[_PSource]:
    guid = _norm_guid(xs.get("guid"))
    name = (xs.get("name") or "").strip() or f"source-{guid[:8]}"
    read = _read_source_text(xs, name, archive, label, warnings)
    if read is None:
        return None
    text, encoding = read
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
    return _PSource(guid, name, text, encoding, _iso_from_xsd(xs.get("creationDateTime")), sels,
                    [_read_coding(c) for c in _kids(xs, "Coding")],
                    [_norm_guid(r.get("targetGUID")) for r in _kids(xs, "NoteRef")], _values_of(xs))


def _read_source_text(xs, name: str, archive: SafeArchive, label: str, warnings: list) -> Optional[tuple[str, str]]:
    """(text, encoding) of a TextSource, from its content or its file in the archive."""
    content = _kid(xs, "PlainTextContent")
    ptp = (xs.get("plainTextPath") or "").strip()
    if content is not None and content.text:
        return content.text, "utf-8"
    if not ptp:
        warnings.append(f"{label}: source '{name}' has no plain text (only a rich-text file); "
                        "the source is skipped")
        return None
    if not ptp.startswith("internal://") and "://" in ptp:
        warnings.append(f"{label}: the text of source '{name}' is outside the archive ({ptp}); "
                        "the source is skipped — export the project with its sources embedded")
        return None
    member = _internal_member(archive, ptp if ptp.startswith("internal://") else "internal://" + ptp)
    if member is None:
        warnings.append(f"{label}: the text of source '{name}' ({ptp}) is missing from the archive; "
                        "the source is skipped")
        return None
    return decode_bytes(archive.read(member), f"{label}:{member}")


def _read_coding(xc) -> tuple:
    ref = _kid(xc, "CodeRef")
    return (_norm_guid(xc.get("guid")), _norm_guid(ref.get("targetGUID")) if ref is not None else "",
            _norm_guid(xc.get("creatingUser")), _iso_from_xsd(xc.get("creationDateTime")),
            [_norm_guid(r.get("targetGUID")) for r in _kids(xc, "NoteRef")])


# -- planning what the project will store


def _plan(parsed: _Parsed, path: Path, language: str, speaker_pattern: Optional[str], interviewer: set,
          sources_now: _SourcesNow, warnings: list) -> ImportPlan:
    label = str(path)
    if parsed.data is not None:
        codes, code_ids = _carried_codes(parsed.codes, parsed.data)
        carried_cb = parsed.data.codebook
        codebook = Codebook(codes=codes, language=carried_cb.language, name=carried_cb.name or parsed.name or path.stem)
    else:
        codes, code_ids = _codes_from_parsed(parsed.codes)
        codebook = Codebook(codes=codes, language=language, name=parsed.name or path.stem)
    var_names = {g: v[0] for g, v in parsed.variables.items()}
    informants, case_name = _informants(parsed.cases, var_names)
    label_rx = build_label_regex(set(case_name.values()), speaker_pattern or None)
    sources = _parse_sources(parsed, case_name, var_names, label_rx, interviewer, sources_now, label, warnings)
    codings, selection_segment, note_used = _plan_codings(parsed, sources, code_ids, label, warnings)
    memos = _plan_memos(parsed, sources, selection_segment, code_ids, note_used)
    guids = _foreign_guids({"source": {s.source.name: s.guid for s in sources},
                            "code": {cid: g for g, cid in code_ids.items()},
                            "user": {name: g for g, name in parsed.users.items()},
                            "case": {name: g for g, name in case_name.items()},
                            "variable": {name: g for g, (name, _) in parsed.variables.items()}})
    return ImportPlan(path, sources, codings, informants, memos, codebook, code_ids, guids, parsed.extras,
                      len(parsed.variables), warnings, carried=parsed.data is not None)


def _foreign_guids(guids: dict) -> dict:
    """The GUIDs worth remembering: those an export would not make again from the key (a
    file qualcode wrote has none, so importing it back leaves nothing to remember)."""
    return {kind: {key: g for key, g in ids.items() if g != _guid(kind, key)} for kind, ids in guids.items()}


def _carried_codes(pcodes: list, data: CarriedData) -> tuple[list, dict[str, str]]:
    """The data note's codes with their own ids, then codes another program added to the
    file's code tree (ids made from their names, as for a foreign file); GUID → id."""
    codes = list(data.codebook.codes)
    ids = dict(data.code_ids)
    taken = {c.id for c in codes}
    for pc in pcodes:
        if pc.guid in ids:
            continue
        ids[pc.guid] = _unique(_slug(pc.name), taken)
        codes.append(Code(id=ids[pc.guid], name=pc.name or ids[pc.guid],
                          parent=ids.get(pc.parent) if pc.parent else None,
                          description=pc.description, color=pc.color))
    return codes, ids


def _informants(cases: list[_PCase], var_names: dict) -> tuple[list[Informant], dict[str, str]]:
    """An informant per case (unique names), and case guid → informant code."""
    taken: set[str] = set()
    case_name: dict[str, str] = {}
    informants: list[Informant] = []
    for case in cases:
        name = _unique(case.name or f"case-{len(informants) + 1}", taken, sep="-")
        case_name[case.guid] = name
        informants.append(_informant_from_case(case, name, var_names))
    return informants, case_name


def _informant_from_case(case: _PCase, name: str, var_names: dict) -> Informant:
    """Variables named like an informant field fill it (when the value fits); the others
    become attributes."""
    inf = Informant(code=name)
    for vg, value in case.values:
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
    if case.description:
        inf.attributes.setdefault("description", case.description)
    return inf


def _parse_sources(parsed: _Parsed, case_name: dict, var_names: dict, label_rx, interviewer: set,
                   sources_now: _SourcesNow, label: str, warnings: list) -> list[ImportedSource]:
    """Each text source split into turns and segments, before anything is written."""
    # which case speaks where: a source referred to by exactly one case is that case's by default
    src_cases: dict[str, list[str]] = {}
    sel_case: dict[str, str] = {}
    for case in parsed.cases:
        for sg in case.sources:
            src_cases.setdefault(sg, []).append(case_name[case.guid])
        for sg in case.selections:
            sel_case[sg] = case_name[case.guid]
    taken: set[str] = set()
    out = []
    for src in parsed.sources:
        name = _unique(src.name, taken, sep=" ")
        have = sources_now.existing.get(name)
        if have is not None and not sources_now.new_version:
            if have.text != src.text:
                raise QualcodeError(_text_conflict(name, have.text, src.text), path=label)
            out.append(ImportedSource(src.guid, Source(id=have.id, name=name, text=have.text, format="txt",
                                                       content_hash="", version=have.version),
                                      [], sorted(have.segments, key=lambda s: s.index), reused=True))
            continue
        owners = src_cases.get(src.guid, [])
        lines = [Line(t, 0, i + 1) for i, t in enumerate(src.text.split("\n"))]
        try:
            transcript = parse_lines(lines, f"{label}:{name}", label_regex=label_rx, interviewer_labels=interviewer,
                                     default_speaker=owners[0] if len(owners) == 1 else None)
        except QualcodeError:
            warnings.append(f"{label}: source '{name}' has no text outside headings; skipped")
            continue
        assert transcript.text == src.text
        warnings.extend(w for w in transcript.warnings if "no speaker labels" not in w)
        _speakers_from_cases(transcript.segments, src, sel_case)
        latest = sources_now.versions.get(name)
        if latest is not None:
            warnings.append(f"{label}: the project already has a source '{name}'; the imported text becomes "
                            f"version {latest + 1}")
        source = Source(id=None, name=name, text=src.text, format="txt",
                        content_hash=hashlib.sha256(src.text.encode("utf-8")).hexdigest(),
                        version=1 if latest is None else latest + 1, kind=guess_kind(Path(name)),
                        encoding=src.encoding, imported_at=now_iso(),
                        attributes={var_names[g]: v for g, v in src.values if g in var_names and v is not None},
                        words=sum(count_words(s.text) for s in transcript.segments))
        out.append(ImportedSource(src.guid, source, transcript.turns, transcript.segments))
    return out


def _text_conflict(name: str, ours: str, theirs: str) -> str:
    same = len(os.path.commonprefix([ours, theirs]))
    line = ours.count("\n", 0, same) + 1
    return (f"the project already has a source '{name}' with a different text (they differ from line {line} on); "
            "nothing was imported — import the file as a new version of its sources if it is meant to replace them")


def _speakers_from_cases(segments: list, src: _PSource, sel_case: dict) -> None:
    """Where the text has no speaker label, the case whose selection covers the segment speaks."""
    case_spans = sorted((s.start, s.end, sel_case[s.guid]) for s in src.sels if s.guid in sel_case)
    for seg in segments:
        if seg.speaker is None:
            for s, e, who in case_spans:
                if s < seg.end and seg.start < e:
                    seg.speaker = who
                    break


def _plan_codings(parsed: _Parsed, sources: list[ImportedSource], code_ids: dict, label: str,
                  warnings: list) -> tuple[list, dict, set]:
    """The codings on the segments holding their starts (duplicates dropped); also selection
    guid → (source position, segment index) and the notes the codings took as their note."""
    by_guid = {p.guid: p for p in parsed.sources}
    # the data note holds these codings with all their fields: their Coding elements are skipped
    carried = Counter(c.key() for c in parsed.data.codings if c.element) if parsed.data is not None else Counter()
    codings: list[tuple[int, int, Coding]] = []
    selection_segment: dict[str, tuple[int, int]] = {}
    note_used: set[str] = set()
    seen: set[tuple] = set()
    for pos, imported in enumerate(sources):
        src = by_guid[imported.guid]
        segs = sorted(imported.segments, key=lambda s: s.index)
        starts = [s.start for s in segs]
        whole = [(_guid("selection", f"{src.guid}:doc"), 0, len(src.text), "", src.created, src.doc_codings)]
        for sg, start, end, sel_user, sel_created, sel_codings in \
                whole + [(s.guid, s.start, s.end, s.user, s.created, s.codings) for s in src.sels]:
            seg = _segment_for(segs, starts, start, end)
            selection_segment[sg] = (pos, seg.index)
            for _, code_guid, user_guid, created, note_refs in sel_codings:
                code_id = code_ids.get(code_guid)
                if code_id is None:
                    warnings.append(f"{label}: a coding in source '{imported.source.name}' refers to an unknown "
                                    "code; skipped")
                    continue
                coder = parsed.users.get(user_guid) or parsed.users.get(sel_user) or UNKNOWN_USER
                refs = [n for n in note_refs if n in parsed.notes]
                if carried[(imported.guid, start, end, code_id, coder)] > 0:
                    carried[(imported.guid, start, end, code_id, coder)] -= 1
                    note_used.update(refs)
                    continue
                if (pos, start, end, code_id, coder) in seen:
                    continue
                seen.add((pos, start, end, code_id, coder))
                note_used.update(refs)
                status = "suggested" if coder == AUTO_CODER else "manual"
                codings.append((pos, seg.index, Coding(
                    code_id, None, start, end, status, coder, "refi" if status == "suggested" else None,
                    created or sel_created or now_iso(), note="\n\n".join(parsed.notes[n].text for n in refs))))
    if parsed.data is not None:
        codings += _carried_codings(parsed.data, sources, carried, label, warnings)
    return codings, selection_segment, note_used


def _carried_codings(data: CarriedData, sources: list[ImportedSource], removed: Counter, label: str,
                     warnings: list) -> list[tuple[int, int, Coding]]:
    """The data note's codings with their status, coder, rule, valence, note and time, on
    the segments holding their starts.  ``removed`` counts the entries written as Coding
    elements that the file no longer has (another program deleted them): those are left out."""
    position = {s.guid: i for i, s in enumerate(sources)}
    ordered = [sorted(s.segments, key=lambda g: g.index) for s in sources]
    segments = {i: (segs, [g.start for g in segs]) for i, segs in enumerate(ordered)}
    out, dropped, homeless = [], 0, 0
    for c in data.codings:
        if c.element and removed[c.key()] > 0:
            removed[c.key()] -= 1
            dropped += 1
            continue
        pos = position.get(c.source_guid)
        if pos is None:
            homeless += 1
            continue
        if c.end > len(sources[pos].source.text):
            raise QualcodeError(f"the qualcode data note is damaged (a coding at {c.start}-{c.end} lies outside "
                                f"source '{sources[pos].source.name}'); export the project again", path=label)
        seg = _segment_for(*segments[pos], c.start, c.end)
        out.append((pos, seg.index, Coding(c.code_id, None, c.start, c.end, c.status, c.coder, c.rule,
                                           c.created_at or now_iso(), c.valence, c.note, target=c.target,
                                           swot=c.swot)))
    if dropped:
        warnings.append(f"{label}: {dropped} codings were removed from the file by another program after qualcode "
                        "wrote it; they are not imported")
    if homeless:
        warnings.append(f"{label}: {homeless} codings of qualcode's data note belong to sources the file does not "
                        "hold as text; they are not imported")
    return out


def _segment_for(segs: list, starts: list, start: int, end: int):
    """The segment holding ``start``; in a gap (label, blank line), the next one the selection
    reaches, else the one before."""
    i = bisect.bisect_right(starts, start) - 1
    if i >= 0 and start < segs[i].end:
        return segs[i]
    if i + 1 < len(segs) and segs[i + 1].start < end:
        return segs[i + 1]
    return segs[i] if i >= 0 else segs[0]


def _plan_memos(parsed: _Parsed, sources: list[ImportedSource], selection_segment: dict, code_ids: dict,
                note_used: set) -> list[tuple[Memo, Optional[tuple[int, int]]]]:
    """A memo per place that refers to a note; notes nobody refers to become project memos."""
    targets: list[tuple[str, str, object]] = [(ng, "project", None) for ng in parsed.project_notes]
    by_guid = {p.guid: p for p in parsed.sources}
    for imported in sources:
        src = by_guid[imported.guid]
        targets += [(ng, "source", imported.source.name) for ng in src.notes]
        targets += [(ng, "segment", selection_segment[s.guid]) for s in src.sels for ng in s.notes]
    targets += [(ng, "code", code_ids.get(pc.guid)) for pc in parsed.codes for ng in pc.notes]
    users = parsed.users
    memos: list[tuple[Memo, Optional[tuple[int, int]]]] = []
    done: set[tuple] = set()
    for ng, ttype, tid in targets:
        note = parsed.notes.get(ng)
        if note is None or (ng, ttype, tid) in done:
            continue
        done.add((ng, ttype, tid))
        note_used.add(ng)
        memo = Memo(note.text, ttype, None if ttype == "segment" else tid, users.get(note.user, ""),
                    note.created or now_iso())
        memos.append((memo, tid if ttype == "segment" else None))
    for ng, note in parsed.notes.items():
        if ng not in note_used:
            memos.append((Memo(note.text, "project", None, users.get(note.user, ""), note.created or now_iso()), None))
    return memos

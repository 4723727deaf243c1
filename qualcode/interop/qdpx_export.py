"""Writing a REFI-QDA project archive (``.qdpx``) from :class:`ExchangeData`.

The caller (the project) reads everything an export needs into :class:`ExchangeData`; this
module never sees a project or a store.  The export first gathers what goes into the
archive (the codings to export, their selections, the cases' selections, the memos), moves
it onto pseudonymised texts when asked, and then writes one element at a time: users,
codebook, variables, cases, sources with their selections, notes and the elements kept from
an earlier import.

>>> import tempfile, zipfile, pathlib, pandas as pd
>>> from qualcode.model import Code
>>> data = ExchangeData(
...     title="Pilotti", coder="researcher", created_at="2024-03-01T09:00:00+00:00",
...     codes=[Code("nopeus", name="Nopeus")],
...     sources=[(1, "H1.txt", "H1: Aloitus oli nopea.", "2024-03-01T09:00:00+00:00", {})],
...     informants=[("H1", {"role": "asiakas"})],
...     segments=pd.DataFrame({"segment_id": [7], "source_id": [1], "start": [4], "end": [22],
...                            "speaker": ["H1"], "is_interviewer": [False]}),
...     codings=pd.DataFrame({"coding_id": [1], "segment_id": [7], "source_id": [1], "code_id": ["nopeus"],
...                           "start": [16], "end": [21], "status": ["manual"], "coder": ["researcher"],
...                           "created_at": ["2024-03-02T10:00:00+00:00"], "note": [""]}),
...     memos=pd.DataFrame(columns=["memo_id", "target_type", "target_id", "text", "coder", "created_at"]),
...     origin="qualcode test")
>>> path = export_qdpx(data, pathlib.Path(tempfile.mkdtemp()) / "p.qdpx")
>>> with zipfile.ZipFile(path) as zf:
...     qde = zf.read("project.qde").decode("utf-8")
>>> 'startPosition="16" endPosition="21"' in qde, '<Case guid=' in qde
(True, True)
"""
from __future__ import annotations

import base64
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Optional

from ..model import AUTO_CODER, COUNTED_STATUSES, HUMAN_STATUSES, Code, Codebook
from ..safearchive import parse_xml
from .qdpx_data import DATA_NOTE_NAME, data_note_text
from .refi import (NS, PROJECT_EXTRAS, PathLike, _blank, _codes_xml, _el, _format_value, _guid, _local,
                   _requalify, _serialise, _variable_type, _version, _write_zip, _xsd_datetime)

#: attributes of kept elements that are identities or paths, never pseudonymised
_KEPT_ATTRIBUTES = ("guid", "path", "currentPath", "plainTextPath", "richTextPath")


@dataclass
class ExchangeData:
    """Everything a ``.qdpx`` export needs, read from a project by the caller.

    * ``title``, ``coder`` (the project's own coder), ``created_at`` (when the project began,
      ISO text or None), ``origin`` (the writing program; default this qualcode and its
      version);
    * ``codes``: the codebook's codes (may be empty);
    * ``sources``: ``(source id, name, text, imported at, attributes)`` of the active source
      versions, in name order;
    * ``informants``: ``(code, {field or attribute: value})``, values as stored (an integer
      stays an integer);
    * ``segments``, ``codings``, ``memos``: the project's frames (columns ``segment_id,
      source_id, start, end, speaker, is_interviewer``; ``coding_id, segment_id, source_id,
      code_id, start, end, status, coder, created_at, note`` and, when known, ``rule, valence``;
      ``memo_id, target_type,
      target_id, text, coder, created_at``);
    * ``guids``: GUIDs remembered from earlier imports, ``{kind: {key: guid}}``;
    * ``extras``: elements kept from earlier imports, ``{"project": [xml], "sources": [xml],
      "files": {member: base64}}``;
    * ``codebook_name``, ``language``: the codebook's, carried in the data note.
    """

    title: str
    coder: str
    created_at: Optional[str]
    codes: list
    sources: list
    informants: list
    segments: Any
    codings: Any
    memos: Any
    guids: dict = field(default_factory=dict)
    extras: dict = field(default_factory=lambda: {"project": [], "sources": [], "files": {}})
    origin: Optional[str] = None
    codebook_name: str = ""
    language: str = "fi"


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
    decisions: list = field(default_factory=list)  # every coding, as a data-note entry (no source yet)


@dataclass
class _Content:
    """What goes into the archive, gathered (and pseudonymised) before any XML is written."""

    title: str
    codes: list
    sources: dict                                  # source id -> _Src
    informants: list                               # (code, values)
    extra: dict
    case_spans: dict = field(default_factory=dict)     # informant code -> [(source id, start, end)]
    memos: list = field(default_factory=list)          # (key, text, coder, created)
    project_notes: list = field(default_factory=list)  # memo keys
    code_notes: dict = field(default_factory=dict)     # code id -> memo keys
    rewriter: Any = None

    def selection(self, sid: int, start: int, end: int) -> _Sel:
        key = (int(start), int(end))
        src = self.sources[sid]
        if key not in src.sels:
            src.sels[key] = _Sel(*key)
        return src.sels[key]


@dataclass
class _Refs:
    """The GUIDs the elements refer to each other by, and the variables' types."""

    gid: Callable[[str, str], str]
    users: dict
    var_types: dict
    var_guid: dict
    code_guid: dict
    note_guid: dict
    sel_guid: dict


def export_qdpx(data: ExchangeData, path: PathLike, *, include_suggested: bool = False,
                pseudonymiser=None, warn: Optional[Callable[[str], None]] = None) -> Path:
    """Write ``data`` as a REFI-QDA ``.qdpx`` archive and return its path.

    Human codings (``accepted``, ``manual``) are exported as ``Coding`` elements; with
    ``include_suggested`` also the automatic suggestions that no human has decided on;
    ``rejected`` never.  Every coding of the exported sources — any status — and the
    codebook with its ids and rules also go into one data note (:mod:`.qdpx_data`), which
    qualcode reads back and other programs show as a plain note.
    ``pseudonymiser`` rewrites texts: an object with ``rewrite(value)`` and
    ``rewrite_with_map(text) -> (new text, new_offset(pos, end=False))`` (e.g.
    :class:`qualcode.pseudonym.rewriter.TextRewriter`); source texts and names, case names,
    variable values, notes and the title are rewritten (selection offsets are moved to
    match), and media of unmodelled sources are left out.
    ``warn`` receives one sentence per thing that could not be exported as it is.
    The archive is written to a temporary file and moved into place.
    """
    say = warn or (lambda msg: None)
    content = _gather(data, include_suggested, say)
    if pseudonymiser is not None:
        _pseudonymise(content, pseudonymiser, say)
    refs = _references(data, content)
    root = _el(None, "Project", [("name", content.title or "qualcode project"),
                                 ("origin", data.origin or f"qualcode {_version()}"),
                                 ("creatingUserGUID", refs.users[data.coder]),
                                 ("creationDateTime", _xsd_datetime(data.created_at))])
    _users_xml(root, refs)
    _codebook_xml(root, content, refs)
    _variables_xml(root, refs)
    _cases_xml(root, content, refs)
    members, coding_notes = _sources_xml(root, content, refs)
    _notes_xml(root, content.memos, coding_notes, refs, _data_note(data, content, refs))
    _append_project_extras(root, content.extra["project"], content.rewriter)
    for nk in content.project_notes:
        _el(root, "NoteRef", [("targetGUID", refs.note_guid[nk])])
    members.insert(0, ("project.qde", _serialise(root, NS)))
    path = Path(path)
    _write_zip(path, members)
    return path


# -- gathering what goes into the archive


def _gather(data: ExchangeData, include_suggested: bool, say) -> _Content:
    rows = _codings_to_export(data.codings, include_suggested)
    codes = _codes_with_unknown(data.codes, rows, say)
    sources = {sid: _Src(name, text, imported_at, dict(attrs))
               for sid, name, text, imported_at, attrs in data.sources}
    extra = data.extras
    content = _Content(data.title, codes, sources, list(data.informants),
                       {"project": list(extra.get("project", [])), "sources": list(extra.get("sources", [])),
                        "files": dict(extra.get("files", {}))})
    for r in sorted(rows, key=lambda r: (r.source_id, r.start, r.end, r.code_id, r.coder, r.coding_id)):
        note = r.note if isinstance(r.note, str) else ""
        content.selection(r.source_id, r.start, r.end).codings.append((r.code_id, r.coder, r.created_at, note))
    _add_decisions(content, data.codings, {r.coding_id for r in rows})
    _add_case_spans(content, data.segments)
    _add_memos(content, data.memos, data.segments, say)
    return content


def _codings_to_export(codings, include_suggested: bool) -> list:
    """Human codings, and with ``include_suggested`` the suggestions no human decided on."""
    rows = list(codings[codings["status"].isin(COUNTED_STATUSES)].itertuples(index=False))
    if include_suggested:
        decided = {(r.segment_id, r.code_id) for r in codings.itertuples(index=False)
                   if r.status in HUMAN_STATUSES}
        rows += [r for r in codings[codings["status"] == "suggested"].itertuples(index=False)
                 if (r.segment_id, r.code_id) not in decided]
    return rows


def _add_decisions(content: _Content, codings, exported: set) -> None:
    """Every coding of an exported source, whatever its status, for the data note."""
    for r in codings.itertuples(index=False):
        src = content.sources.get(r.source_id)
        if src is None:
            continue
        src.decisions.append({
            "start": int(r.start), "end": int(r.end), "code": r.code_id, "status": r.status, "coder": r.coder,
            "rule": _text_or_none(getattr(r, "rule", None)), "valence": _text_or_none(getattr(r, "valence", None)),
            "note": r.note if isinstance(r.note, str) else "", "created_at": r.created_at or "",
            "element": r.coding_id in exported,
            "target": _text_or_none(getattr(r, "target", None)), "swot": _text_or_none(getattr(r, "swot", None))})


def _text_or_none(value) -> Optional[str]:
    return value if isinstance(value, str) and value != "" else None


def _codes_with_unknown(codes: list, rows: list, say) -> list:
    """The codebook's codes, plus a top-level code for each code id the codings use beyond it."""
    codes = list(codes)
    known = {c.id for c in codes}
    for r in rows:
        if r.code_id not in known:
            known.add(r.code_id)
            codes.append(Code(r.code_id, name=r.code_id))
            say(f"code '{r.code_id}' is used by codings but is not in the codebook; exported as a top-level code")
    return codes


def _add_case_spans(content: _Content, segments) -> None:
    """Each informant's own (not interviewer) segments become selections of its case."""
    content.case_spans = {code: [] for code, _ in content.informants}
    for r in segments.itertuples(index=False):
        if r.speaker in content.case_spans and not r.is_interviewer:
            content.selection(r.source_id, r.start, r.end)
            content.case_spans[r.speaker].append((r.source_id, int(r.start), int(r.end)))


def _add_memos(content: _Content, memos, segments, say) -> None:
    """Memos become notes on their source, segment's selection or code, else on the project."""
    seg_index = {int(r.segment_id): (r.source_id, int(r.start), int(r.end))
                 for r in segments.itertuples(index=False)}
    srcs = content.sources
    by_name = {s.name: sid for sid, s in srcs.items()}
    known = {c.id for c in content.codes}
    for m in memos.itertuples(index=False):
        key = f"memo:{m.memo_id}"
        content.memos.append((key, m.text, m.coder, m.created_at))
        target = str(m.target_id) if m.target_id is not None else ""
        if m.target_type == "source" and (target in by_name or (target.isdigit() and int(target) in srcs)):
            srcs[by_name.get(target) or int(target)].notes.append(key)
        elif m.target_type == "segment" and target.isdigit() and int(target) in seg_index:
            content.selection(*seg_index[int(target)]).notes.append(key)
        elif m.target_type == "code" and target in known:
            content.code_notes.setdefault(target, []).append(key)
        else:
            if m.target_type != "project":
                say(f"memo {m.memo_id} is attached to {m.target_type} '{target}', which is not exported; "
                    "it is exported as a project note")
            content.project_notes.append(key)


def _pseudonymise(content: _Content, rewriter, say) -> None:
    """Rewrite texts, names and values before anything gets a GUID; move the offsets along."""
    rw = rewriter.rewrite
    content.rewriter = rewriter
    content.title = rw(content.title)
    content.codes = [_pseudonymise_code(c, rw) for c in content.codes]
    new_offsets = {sid: _pseudonymise_source(src, rewriter) for sid, src in content.sources.items()}
    # case selections point into the original texts: move them the same way
    content.case_spans = {rw(code): [(sid, new_offsets[sid](s), new_offsets[sid](e, True)) for sid, s, e in spans]
                          for code, spans in content.case_spans.items()}
    content.informants = [(rw(code), {k: rw(v) for k, v in values.items()}) for code, values in content.informants]
    content.memos = [(k, rw(t), c, d) for k, t, c, d in content.memos]
    if content.extra["files"] or content.extra["sources"]:
        say("picture, PDF, audio and video sources kept from an earlier import are left out of a "
            "pseudonymised export (qualcode cannot pseudonymise them)")
    content.extra = {"project": content.extra["project"], "sources": [], "files": {}}


def _pseudonymise_code(code: Code, rw) -> Code:
    """A code with its name, description, terms and examples rewritten; the id stays (the
    codings and the data note refer to it)."""
    lists = {f: [rw(t) for t in getattr(code, f)] for f in ("keywords", "phrases", "exclude", "examples")}
    return replace(code, name=rw(code.name), description=rw(code.description), **lists)


def _pseudonymise_source(src: _Src, rewriter) -> Callable[..., int]:
    """Rewrite one source; selections that land on the same span are merged."""
    new_text, new_offset = rewriter.rewrite_with_map(src.text)
    src.name = getattr(rewriter, "rewrite_name", rewriter.rewrite)(src.name)
    src.attributes = {k: rewriter.rewrite(v) for k, v in src.attributes.items()}
    moved: dict = {}
    for (s, e), item in src.sels.items():
        key = (new_offset(s), new_offset(e, True))
        item.start, item.end = key
        if key in moved:
            moved[key].codings += item.codings
            moved[key].notes += item.notes
        else:
            moved[key] = item
    src.text = new_text
    src.sels = moved
    for d in src.decisions:
        d.update(start=new_offset(d["start"]), end=new_offset(d["end"], True), note=rewriter.rewrite(d["note"]))
    return new_offset


def _references(data: ExchangeData, content: _Content) -> _Refs:
    """GUIDs for users, codes, variables, notes, sources and selections; variable types."""
    def gid(kind: str, key: str) -> str:
        return data.guids.get(kind, {}).get(key) or _guid(kind, key)

    names = ({data.coder, AUTO_CODER}
             | {c[1] for s in content.sources.values() for x in s.sels.values() for c in x.codings}
             | {m[2] for m in content.memos if m[2]})
    var_values: dict[str, list] = {}
    for values in [v for _, v in content.informants] + [s.attributes for s in content.sources.values()]:
        for k, v in values.items():
            if not _blank(v):
                var_values.setdefault(k, []).append(v)
    var_types = {k: _variable_type(v) for k, v in var_values.items()}
    sel_guid: dict[tuple, str] = {}
    for src in content.sources.values():
        src.guid = gid("source", src.name)
        for key in src.sels:
            sel_guid[(src.guid,) + key] = _guid("selection", f"{src.guid}:{key[0]}:{key[1]}")
    return _Refs(gid, {name: gid("user", name) for name in sorted(names)}, var_types,
                 {k: gid("variable", k) for k in var_types}, {c.id: gid("code", c.id) for c in content.codes},
                 {m[0]: gid("note", m[0]) for m in content.memos}, sel_guid)


# -- the elements, in the schema's order


def _users_xml(root, refs: _Refs) -> None:
    xu = _el(root, "Users")
    for name, guid in refs.users.items():
        _el(xu, "User", [("guid", guid), ("name", name)])


def _codebook_xml(root, content: _Content, refs: _Refs) -> None:
    if content.codes:
        xcb = _el(root, "CodeBook")
        _codes_xml(_el(xcb, "Codes"), Codebook(codes=content.codes), refs.gid, code_notes=content.code_notes,
                   note_guid=refs.note_guid)


def _variables_xml(root, refs: _Refs) -> None:
    if refs.var_types:
        xvars = _el(root, "Variables")
        for k, kind in refs.var_types.items():
            _el(xvars, "Variable", [("guid", refs.var_guid[k]), ("name", k), ("typeOfVariable", kind)])


def _values_xml(parent, values: dict, refs: _Refs) -> None:
    """A VariableValue per variable the object has a value for, in the variables' order."""
    for k, kind in refs.var_types.items():
        v = values.get(k)
        if _blank(v):
            continue
        tag, text = _format_value(v, kind)
        if text is None:
            continue
        xv = _el(parent, "VariableValue")
        _el(xv, "VariableRef", [("targetGUID", refs.var_guid[k])])
        _el(xv, tag, text=text)


def _cases_xml(root, content: _Content, refs: _Refs) -> None:
    """A Case per informant: its values, the sources it speaks in and its own selections."""
    if not content.informants:
        return
    srcs = content.sources
    xcases = _el(root, "Cases")
    for code, values in content.informants:
        xc = _el(xcases, "Case", [("guid", refs.gid("case", code)), ("name", code)])
        _values_xml(xc, values, refs)
        spans = content.case_spans.get(code, [])
        seen_src: list[str] = []
        for sid, _, _ in spans:
            if srcs[sid].guid not in seen_src:
                seen_src.append(srcs[sid].guid)
        for g in seen_src:
            _el(xc, "SourceRef", [("targetGUID", g)])
        for sid, s, e in sorted(spans, key=lambda t: (srcs[t[0]].name, t[1], t[2])):
            _el(xc, "SelectionRef", [("targetGUID", refs.sel_guid[(srcs[sid].guid, s, e)])])


def _sources_xml(root, content: _Content, refs: _Refs) -> tuple[list, list]:
    """TextSources with their selections, then the kept unmodelled sources.  Returns the
    archive members (texts, kept media) and the coding notes (guid, text, coder, created)."""
    members: list[tuple[str, bytes]] = []
    coding_notes: list[tuple[str, str, str, str]] = []
    extra = content.extra
    xsources = _el(root, "Sources") if content.sources or extra["sources"] else None
    for src in content.sources.values():
        member = f"{src.guid}.txt"
        xs = _el(xsources, "TextSource", [("guid", src.guid), ("name", src.name),
                                          ("plainTextPath", f"internal://{member}"),
                                          ("creationDateTime", _xsd_datetime(src.created))])
        members.append((f"sources/{member}", src.text.encode("utf-8")))
        for key in sorted(src.sels):
            coding_notes += _selection_xml(xs, src, key, refs, content.rewriter)
        for nk in src.notes:
            _el(xs, "NoteRef", [("targetGUID", refs.note_guid[nk])])
        _values_xml(xs, src.attributes, refs)
    for raw in extra["sources"]:
        xsources.append(_requalify(parse_xml(raw.encode("utf-8"), "<stored REFI element>")))
    for member, b64 in sorted(extra["files"].items()):
        members.append((member, base64.b64decode(b64)))
    return members, coding_notes


def _selection_xml(xs, src: _Src, key: tuple, refs: _Refs, rewriter) -> list:
    """One PlainTextSelection with its codings; returns the notes of its codings."""
    item = src.sels[key]
    sg = refs.sel_guid[(src.guid,) + key]
    first = item.codings[0] if item.codings else None
    xsel = _el(xs, "PlainTextSelection", [
        ("guid", sg), ("name", _selection_name(src.text, *key)),
        ("startPosition", str(key[0])), ("endPosition", str(key[1])),
        ("creatingUser", refs.users.get(first[1]) if first else None),
        ("creationDateTime", _xsd_datetime(first[2]) if first else None)])
    notes = []
    seen: dict[str, int] = {}
    for code_id, coder, created_at, note in item.codings:
        ck = f"{sg}:{refs.code_guid[code_id]}:{refs.users[coder]}"
        seen[ck] = seen.get(ck, 0) + 1
        cg = _guid("coding", f"{ck}:{seen[ck]}")
        xcod = _el(xsel, "Coding", [("guid", cg), ("creatingUser", refs.users[coder]),
                                    ("creationDateTime", _xsd_datetime(created_at))])
        _el(xcod, "CodeRef", [("targetGUID", refs.code_guid[code_id])])
        if note:
            ng = _guid("note", f"coding:{cg}")
            notes.append((ng, rewriter.rewrite(note) if rewriter is not None else note, coder, created_at))
            _el(xcod, "NoteRef", [("targetGUID", ng)])
    for nk in item.notes:
        _el(xsel, "NoteRef", [("targetGUID", refs.note_guid[nk])])
    return notes


def _notes_xml(root, memos: list, coding_notes: list, refs: _Refs, data_note: Optional[str]) -> None:
    """The memos, the coding notes and last the data note (when there is anything to carry)."""
    if not (memos or coding_notes or data_note):
        return
    xnotes = _el(root, "Notes")
    notes = [(refs.note_guid[key], text, coder, created) for key, text, coder, created in memos] + coding_notes
    for guid, text, coder, created_at in notes:
        _el(_el(xnotes, "Note", [("guid", guid), ("name", _note_name(text)),
                                 ("creatingUser", refs.users.get(coder) if coder else None),
                                 ("creationDateTime", _xsd_datetime(created_at))]),
            "PlainTextContent", text=text)
    if data_note:
        _el(_el(xnotes, "Note", [("guid", _guid("note", "qualcode-data")), ("name", DATA_NOTE_NAME)]),
            "PlainTextContent", text=data_note)


def _data_note(data: ExchangeData, content: _Content, refs: _Refs) -> Optional[str]:
    """The data note's text (see :mod:`.qdpx_data`): the codebook with its ids and rules,
    every coding of the exported sources, and the codes those use beyond the codebook (which
    stay outside it on import); None when there are neither codes nor codings."""
    codings = []
    for src in sorted(content.sources.values(), key=lambda s: s.name):
        codings += sorted(({"source": src.guid, **d} for d in src.decisions), key=_decision_order)
    if not (data.codes or codings):
        return None
    listed = {c.id for c in data.codes}
    unlisted = {refs.gid("code", d["code"]): d["code"] for d in codings if d["code"] not in listed}
    written = {c.id: c for c in content.codes}       # pseudonymised when the export is
    name = content.rewriter.rewrite(data.codebook_name) if content.rewriter else data.codebook_name
    return data_note_text(name, data.language, [written.get(c.id, c) for c in data.codes],
                          {c.id: refs.gid("code", c.id) for c in data.codes}, codings, unlisted)


def _decision_order(d: dict) -> tuple:
    return (d["start"], d["end"], d["code"], d["coder"], d["status"], d["created_at"], d["rule"] or "",
            d["valence"] or "", d["note"], d["element"])


def _append_project_extras(root, raws: list[str], rewriter) -> None:
    """Write kept Links, Sets, Graphs and Description back, each element at most once."""
    groups: dict[str, list] = {}
    for raw in raws:
        elem = _requalify(parse_xml(raw.encode("utf-8"), "<stored REFI element>"))
        if rewriter is not None:
            _pseudonymise_element(elem, rewriter)
        groups.setdefault(_local(elem.tag), []).append(elem)
    for name in PROJECT_EXTRAS:
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


def _pseudonymise_element(elem, rewriter) -> None:
    """Rewrite the texts and attribute values of a kept element, but not its GUIDs and paths."""
    for e in elem.iter():
        if e.text:
            e.text = rewriter.rewrite(e.text)
        for k, v in list(e.attrib.items()):
            if "GUID" not in k and k not in _KEPT_ATTRIBUTES:
                e.set(k, rewriter.rewrite(v))


def _selection_name(text: str, start: int, end: int) -> str:
    snippet = " ".join(text[start:end].split())
    return snippet[:60] + ("…" if len(snippet) > 60 else "")


def _note_name(text: str) -> str:
    first = " ".join((text or "").split())
    return first[:50] + ("…" if len(first) > 50 else "") or "Note"

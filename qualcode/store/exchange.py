"""The store methods a project exchange (REFI-QDA export and import) needs.

:class:`ExchangeStore` is a mixin of :class:`~qualcode.store.sqlite.SQLiteStore`: it reads
what an export writes (raw source and informant rows, the GUIDs and unmodelled elements kept
from earlier imports) and writes an import in one transaction.  It knows nothing of the
exchange format: the import arrives as model objects and plain tuples.

>>> import tempfile, pathlib
>>> from qualcode.model import AuditEvent, Coding, Informant, Memo, Segment, Source, Turn
>>> from qualcode.store import SQLiteStore
>>> store = SQLiteStore(pathlib.Path(tempfile.mkdtemp()) / "project.db", create=True)
>>> text = "H1: Hei.\\n\\nHyvää päivää."
>>> source = Source(None, "H1.txt", text, "txt", "abc")
>>> segments = [Segment(None, None, 0, 0, 4, 8, "Hei."), Segment(None, None, 0, 1, 10, 23, "Hyvää päivää.")]
>>> store.add_exchange_import(
...     sources=[(source, [Turn(None, 0, 0, 23, "H1")], segments)],
...     codings=[(0, 1, Coding("tervehdys", None, 10, 15, "manual", "maria"))],
...     informants=[Informant("H1", attributes={"age": 41})],
...     memos=[(Memo("Kohtelias.", "segment"), (0, 1))], codebook=None,
...     guids={"source": {"H1.txt": "6d1a2b3c-0000-4000-8000-000000000001"}},
...     extras={"project": [], "sources": [], "files": {}}, event=AuditEvent("import qdpx"))
>>> store.codings_frame()[["code_id", "start", "end", "quote"]].values.tolist()
[['tervehdys', 10, 15, 'Hyvää']]
>>> store.memos_frame()["target_id"].tolist() == [str(store.segments_of(source.id)[1].id)]
True
>>> store.exchange_informants()[0][1]["age"], store.exchange_guids()["source"], store.source_versions()
(41, {'H1.txt': '6d1a2b3c-0000-4000-8000-000000000001'}, {'H1.txt': 1})
"""
from __future__ import annotations

import json
from dataclasses import replace
from typing import Mapping, Optional, Sequence

from .faults import fault_point

#: meta key of the GUIDs met on import, ``{kind: {key: guid}}``
META_GUIDS = "refi_guids"
#: meta key of the elements qualcode does not model, kept from imports
META_EXTRA = "refi_extra"


class ExchangeStore:
    """Exchange reads and writes; mixed into the SQLite store (uses its ``conn``,
    ``transaction`` and the other store methods)."""

    # -- what an export reads -------------------------------------------------------
    def exchange_sources(self) -> list[tuple[int, str, str, str, dict]]:
        """``(id, name, text, imported_at, attributes)`` of the active source versions, by
        name and version."""
        rows = self.conn.execute(
            "SELECT id, name, text, imported_at, attributes FROM sources WHERE active=1 ORDER BY name, version")
        return [(sid, name, text, imported_at, json.loads(attrs or "{}"))
                for sid, name, text, imported_at, attrs in rows]

    def exchange_informants(self) -> list[tuple[str, dict]]:
        """``(code, {field or attribute: value})`` per informant, by code.  Read from the
        rows, not a frame: a frame would turn integers with gaps into floats."""
        out = []
        for code, role, org, date, mode, dur, attrs in self.conn.execute(
                "SELECT code, role, organisation, date, mode, duration_min, attributes FROM informants ORDER BY code"):
            values = {"role": role, "organisation": org, "date": date, "mode": mode, "duration_min": dur}
            for k, v in json.loads(attrs or "{}").items():
                values.setdefault(k, v)
            out.append((code, values))
        return out

    def first_logged_at(self) -> Optional[str]:
        """The time of the first audit entry (when the project began), or None."""
        return self.conn.execute("SELECT MIN(time) FROM audit").fetchone()[0]

    def exchange_guids(self) -> dict[str, dict[str, str]]:
        """The GUIDs remembered from imports, ``{kind: {key: guid}}`` (empty when none)."""
        try:
            data = json.loads(self.get_meta(META_GUIDS) or "{}")
        except ValueError:
            data = {}
        return {k: dict(v) for k, v in data.items() if isinstance(v, dict)}

    def exchange_extras(self) -> dict:
        """Elements kept from imports: ``{"project": [xml], "sources": [xml], "files":
        {member: base64}}``."""
        try:
            data = json.loads(self.get_meta(META_EXTRA) or "{}")
        except ValueError:
            data = {}
        return {"project": list(data.get("project", [])), "sources": list(data.get("sources", [])),
                "files": dict(data.get("files", {}))}

    def exchange_codings(self) -> list[tuple]:
        """``(source id, segment id, start, end, code id, status, coder, rule, valence, note,
        created at)`` of every coding on an active source version, as stored."""
        return [tuple(r) for r in self.conn.execute(
            'SELECT k.source_id, k.segment_id, k.start, k."end", k.code_id, k.status, k.coder, k.rule, k.valence,'
            " k.note, k.created_at FROM codings k JOIN sources s ON s.id=k.source_id WHERE s.active=1 ORDER BY k.id")]

    def exchange_memos(self) -> list[tuple]:
        """``(target type, target id, text, coder, created at)`` of every memo; a source memo's
        target is its source's name even when the memo names the source by id."""
        names = {str(i): n for i, n in self.conn.execute("SELECT id, name FROM sources")}
        return [(t, names.get(i, i) if t == "source" and i is not None else i, text, coder or "", created)
                for t, i, text, coder, created in self.conn.execute(
                    "SELECT target_type, target_id, text, coder, created_at FROM memos ORDER BY id")]

    def active_source_versions(self) -> dict[str, tuple[int, int, str]]:
        """name → ``(id, version, text)`` of every active source version."""
        return {name: (sid, version, text) for sid, name, version, text in self.conn.execute(
            "SELECT id, name, version, text FROM sources WHERE active=1 ORDER BY name, version")}

    def source_versions(self) -> dict[str, int]:
        """The newest version number of every source name (active or not)."""
        return dict(self.conn.execute("SELECT name, MAX(version) FROM sources GROUP BY name"))

    # -- what an import writes ------------------------------------------------------
    def add_exchange_import(self, *, sources: Sequence[tuple], codings: Sequence[tuple], informants: Sequence,
                            memos: Sequence[tuple], codebook: Optional[tuple[str, str, str, str]],
                            guids: Mapping[str, Mapping[str, str]], extras: Mapping, event) -> None:
        """Write an import, all or nothing.

        ``sources`` are ``(Source, turns, segments)``, a new version each — or, when the
        ``Source`` has an id, a stored one the import adds to (its turns and segments are not
        written again); a coding is ``(source position,
        segment index, Coding)`` — the position of its source in ``sources`` and the
        ``index`` of its segment — and gets its segment and source ids here; a memo is
        ``(Memo, None)`` or, on a segment, ``(Memo, (source position, segment index))``.
        ``codebook`` is ``(hash, name, language, content)`` or None; ``guids`` are added to
        the remembered ones and ``extras`` (as :meth:`exchange_extras`) to the kept ones;
        ``event`` goes into the audit trail.
        """
        guid_maps = self.exchange_guids()
        with self.transaction():
            segment_ids = [self._add_exchange_source(*item) for item in sources]
            fault_point("mid-write")          # crash tests: sources written, codings not yet
            if informants:
                self.upsert_informants(list(informants))
            self.add_codings([replace(c, segment_id=segment_ids[i][j], source_id=sources[i][0].id)
                              for i, j, c in codings])
            for memo, where in memos:
                if where is not None:
                    memo = replace(memo, target_id=str(segment_ids[where[0]][where[1]]))
                self.add_memo(memo)
            if codebook is not None:
                self.save_codebook(*codebook)
            before = json.dumps(guid_maps, ensure_ascii=False, sort_keys=True)
            for kind, ids in guids.items():
                if ids:
                    guid_maps.setdefault(kind, {}).update(ids)
            after = json.dumps(guid_maps, ensure_ascii=False, sort_keys=True)
            if after != before:
                self.set_meta(META_GUIDS, after)
            self._keep_exchange_extras(extras)
            self.log(event)

    def _add_exchange_source(self, source, turns: list, segments: list) -> dict[int, int]:
        """Add one source version (or take the stored one); returns segment index → stored
        segment id."""
        sid = source.id if source.id is not None else self.add_source(source, turns, segments)
        return {s.index: s.id for s in self.segments_of(sid)}

    def _keep_exchange_extras(self, new: Mapping) -> None:
        if not (new["project"] or new["sources"] or new["files"]):
            return
        kept = self.exchange_extras()
        kept["project"] += [x for x in new["project"] if x not in kept["project"]]
        kept["sources"] += [x for x in new["sources"] if x not in kept["sources"]]
        kept["files"].update(new["files"])
        self.set_meta(META_EXTRA, json.dumps(kept, ensure_ascii=False, sort_keys=True))

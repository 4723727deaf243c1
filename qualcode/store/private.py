"""The store methods pseudonymisation needs beyond the texts themselves: every other stored
field a person's name can hide in (source names, reviewers' notes, the audit trail, speakers,
themes, the stored codebook copies, the word list), rewritten in one transaction or listed
for the anonymity check.

:class:`PrivateFields` is a mixin of :class:`~qualcode.store.sqlite.SQLiteStore`; what a name
is and what replaces it is decided by the caller's ``rewrite(value)``.

>>> import tempfile, pathlib
>>> from qualcode.model import AuditEvent, Segment, Source
>>> from qualcode.store import SQLiteStore
>>> store = SQLiteStore(pathlib.Path(tempfile.mkdtemp()) / "project.db", create=True)
>>> sid = store.add_source(Source(None, "Ville.txt", "Moi.", "txt", "h", words=1), [],
...                        [Segment(None, None, 0, 0, 0, 4, "Moi.", speaker="Ville")])
>>> store.log(AuditEvent("ingest", target="Ville.txt", details={"file": "Ville.txt"}))
>>> counts = store.rewrite_fields(lambda v: v.replace("Ville", "H1") if isinstance(v, str) else v)
>>> counts["source names"], counts["audit entries"], counts["speakers and themes"]
(1, 1, 1)
>>> [what for what, row, text in store.private_fields() if "Ville" in text]
[]
>>> store.close()
"""
from __future__ import annotations

import json
from typing import Any, Callable, Iterator, Optional

from ..errors import StoreError
from .faults import fault_point

Rewrite = Callable[[Any], Any]


def _rewrite_json(text: str, rewrite: Rewrite) -> str:
    """A JSON text with every string in it (keys too) rewritten."""
    def walk(value):
        if isinstance(value, str):
            return rewrite(value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {walk(k): walk(v) for k, v in value.items()}
        return value

    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        return rewrite(text)
    return json.dumps(walk(data), ensure_ascii=False, default=str)


class PrivateFields:
    """Rewriting and listing the stored fields outside the source texts."""

    #: (what the user is told, table, key column, columns, JSON columns)
    _FIELDS = (
        ("source names", "sources", "id", ("name",), ()),
        ("source attributes", "sources", "id", (), ("attributes",)),
        ("coding notes", "codings", "id", ("note", "target"), ()),
        ("memo targets", "memos", "id", ("target_id",), ()),
        ("audit entries", "audit", "id", ("target", "reason"), ("details",)),
        ("speakers and themes", "segments", "id", ("speaker", "theme"), ()),
        ("speakers and themes", "turns", "rowid", ("speaker", "theme"), ()),
        ("informants", "informants", "code", ("code", "role", "organisation"), ("attributes",)),
        ("stored codebooks", "codebooks", "hash", ("name", "content"), ()),
        ("word list", "word_types", "rowid", ("form", "lemma", "parts"), ()),
    )

    #: the columns that hold file or source names (rewritten by ``rewrite_name``)
    _NAME_COLUMNS = frozenset({("sources", "name"), ("memos", "target_id"), ("audit", "target")})

    def rewrite_fields(self, rewrite: Rewrite, rewrite_name: Optional[Rewrite] = None) -> dict[str, int]:
        """Apply ``rewrite(value)`` to every field listed in ``_FIELDS`` (inside JSON fields,
        to every string; ``rewrite_name`` to the columns holding file names, default
        ``rewrite``), all in one transaction; returns how many rows changed, per field.

        Two sources (or informants) that would end up with the same name are refused with a
        :class:`StoreError` naming both, and nothing is changed."""
        counts: dict[str, int] = {}
        with self.transaction() as c:
            for what, table, key, columns, json_columns in self._FIELDS:
                counts.setdefault(what, 0)
                by_column = [rewrite_name or rewrite if (table, col) in self._NAME_COLUMNS else rewrite
                             for col in columns]
                counts[what] += self._rewrite_table(c, table, key, columns, json_columns, by_column, rewrite)
                fault_point("mid-write")
        return counts

    @staticmethod
    def _rewrite_table(c, table: str, key: str, columns: tuple, json_columns: tuple, by_column: list,
                       rewrite: Rewrite) -> int:
        names = columns + json_columns
        rows = c.execute(f'SELECT {key}, {", ".join(names)} FROM {table}').fetchall()
        changed = []
        for row in rows:
            old = row[1:]
            new = tuple(fn(v) for fn, v in zip(by_column, old[:len(columns)])) + \
                tuple(_rewrite_json(v, rewrite) if v else v for v in old[len(columns):])
            if new != old:
                changed.append((*new, row[0]))
        _refuse_merged_names(c, table, changed)
        sets = ", ".join(f"{n}=?" for n in names)
        c.executemany(f"UPDATE {table} SET {sets} WHERE {key}=?", changed)
        return len(changed)

    def private_fields(self) -> Iterator[tuple[str, str, str]]:
        """``(what, row, text)`` for every non-empty field :meth:`rewrite_fields` rewrites,
        e.g. ``("coding notes", "12", "…")``; JSON fields as their text."""
        for what, table, key, columns, json_columns in self._FIELDS:
            names = columns + json_columns
            for row in self.conn.execute(f'SELECT {key}, {", ".join(names)} FROM {table}'):
                for value in row[1:]:
                    if isinstance(value, str) and value and value not in ("{}", "[]"):
                        yield what, str(row[0]), value


def _refuse_merged_names(c, table: str, changed: list) -> None:
    """Two sources with the same name and version, or two informants with the same code,
    would be one afterwards: refuse."""
    if table == "sources":
        new_name = {row[-1]: row[0] for row in changed}
        seen: dict = {}
        for sid, name, version in c.execute("SELECT id, name, version FROM sources").fetchall():
            final = new_name.get(sid, name)
            if (final, version) in seen:
                raise StoreError(f"pseudonymising would give two sources the same name '{final}' "
                                 f"('{seen[(final, version)]}' and '{name}'); give one of them another "
                                 "pseudonym in the key")
            seen[(final, version)] = name
    elif table == "informants":
        new_code = {row[-1]: row[0] for row in changed}
        seen = {}
        for (code,) in c.execute("SELECT code FROM informants").fetchall():
            final = new_code.get(code, code)
            if final in seen:
                raise StoreError(f"pseudonymising would give two informants the same code '{final}' "
                                 f"('{seen[final]}' and '{code}'); give one of them another pseudonym in the key")
            seen[final] = code

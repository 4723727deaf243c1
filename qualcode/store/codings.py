"""Codings in the store: automatic suggestions, human decisions, and human codings carried
to a new version of their source.

:class:`CodingQueries` is a part of :class:`~qualcode.store.SQLiteStore` (its connection
and transactions); it is kept in its own module so that each module holds one noun.

>>> import tempfile, pathlib
>>> from qualcode.model import Coding, Segment, Source
>>> from qualcode.store import SQLiteStore
>>> store = SQLiteStore(pathlib.Path(tempfile.mkdtemp()) / "project.db", create=True)
>>> sid = store.add_source(Source(None, "a.txt", "Hyvää palvelua.", "txt", "h", words=2),
...                        [], [Segment(None, None, 0, 0, 0, 15, "Hyvää palvelua.", "H1")])
>>> seg_id, _, start, end = store.segment_bounds(1)
>>> store.add_codings([Coding("palvelu", seg_id, 6, 14, "suggested", rule="keyword:palvelu",
...                           source_id=sid)])
>>> store.suggestion_rule(seg_id, "palvelu"), store.suggestion_counts()
('keyword:palvelu', {'palvelu': (1, 1)})
>>> store.close()
"""
from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Optional

from ..model import AUTO_CODER, HUMAN_STATUSES, Coding, now_iso

if TYPE_CHECKING:
    import pandas as pd


class CodingQueries:
    """Reading and writing codings (a mixin of the store: it needs ``conn``, ``transaction``
    and ``segments_of``)."""

    conn: sqlite3.Connection

    def add_codings(self, codings: list[Coding]) -> None:
        """Insert codings; those without ``created_at`` are stamped now."""
        stamp = now_iso()
        with self.transaction() as c:
            c.executemany(
                'INSERT INTO codings (segment_id, source_id, code_id, start, "end", status, coder, rule,'
                " created_at, valence, note, target, swot) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(int(k.segment_id), int(k.source_id), k.code_id, int(k.start), int(k.end), k.status, k.coder,
                  k.rule, k.created_at or stamp, k.valence, k.note or "", k.target, k.swot) for k in codings])

    def add_suggestions(self, rows: list[tuple[int, int, str, int, int, str]]) -> None:
        """Insert automatic suggestions (status ``suggested``, coder ``auto``), each given as
        (segment id, source id, code id, start, end, rule): what a coding run makes in bulk,
        without a :class:`~qualcode.model.Coding` object per suggestion.

        >>> import tempfile, pathlib
        >>> from qualcode.model import Segment, Source
        >>> from qualcode.store import SQLiteStore
        >>> store = SQLiteStore(pathlib.Path(tempfile.mkdtemp()) / "p.db", create=True)
        >>> sid = store.add_source(Source(None, "a.txt", "Hinta.", "txt", "h", words=1), [],
        ...                        [Segment(None, None, 0, 0, 0, 6, "Hinta.", "H1")])
        >>> store.add_suggestions([(1, sid, "hinta", 0, 5, "keyword:hinta")])
        >>> store.auto_suggestions()
        [(1, 1, 'hinta', 0, 5, 'keyword:hinta')]
        >>> store.close()
        """
        tail = (AUTO_CODER, now_iso())
        with self.transaction() as c:
            c.executemany(
                'INSERT INTO codings (segment_id, source_id, code_id, start, "end", rule, status, coder,'
                " created_at) VALUES (?,?,?,?,?,?,'suggested',?,?)", [row + tail for row in rows])

    def delete_codings(self, ids: list[int]) -> None:
        """Delete the codings with these ids."""
        with self.transaction() as c:
            c.executemany("DELETE FROM codings WHERE id=?", [(i,) for i in ids])

    def codings_frame(self, active_only: bool = True) -> "pd.DataFrame":
        """One row per coding with its source, speaker, quote (the coded span) and segment text."""
        import pandas as pd

        where = "WHERE s.active=1" if active_only else ""
        df = pd.read_sql_query(
            'SELECT k.id AS coding_id, k.segment_id, k.source_id, s.name AS source, k.code_id, k.start,'
            ' k."end", k.status, k.coder, k.rule, k.created_at, k.valence, k.note, k.target, k.swot,'
            ' g.speaker,'
            " substr(s.text, k.start + 1, k.\"end\" - k.start) AS quote, g.text AS segment_text"
            f" FROM codings k JOIN segments g ON g.id=k.segment_id JOIN sources s ON s.id=k.source_id {where}"
            " ORDER BY s.name, g.idx, k.code_id, k.id", self.conn)
        return df

    # -- human decisions ----------------------------------------------------------
    def replace_decision(self, coding: Coding) -> None:
        """Record one coder's decision on a segment and code: it replaces that coder's older
        decisions on the same segment and code (one decision per coder, segment and code)."""
        with self.transaction() as c:
            c.execute("DELETE FROM codings WHERE segment_id=? AND code_id=? AND coder=?",
                      (int(coding.segment_id), coding.code_id, coding.coder))
            self.add_codings([coding])

    def replace_decisions(self, codings: list[Coding]) -> None:
        """:meth:`replace_decision` for many decisions in one pass (the last one wins when a
        coder, segment and code come twice): the older decisions are found by one read of
        the coders' codings, not one search each."""
        latest = {(int(k.segment_id), k.code_id, k.coder): k for k in codings}
        coders = sorted({k.coder for k in latest.values()})
        if not coders:
            return
        with self.transaction() as c:
            old = [(cid,) for cid, seg_id, code_id, coder in c.execute(
                f"SELECT id, segment_id, code_id, coder FROM codings WHERE coder IN ({','.join('?' * len(coders))})",
                coders).fetchall() if (seg_id, code_id, coder) in latest]
            c.executemany("DELETE FROM codings WHERE id=?", old)
            self.add_codings(list(latest.values()))

    def suggestion_rules(self) -> dict[tuple[int, str], str]:
        """(segment id, code id) → :meth:`suggestion_rule`, for every automatic suggestion."""
        rules: dict[tuple[int, str], str] = {}
        for seg_id, code_id, rule in self.conn.execute(
                "SELECT segment_id, code_id, rule FROM codings WHERE coder=? AND status='suggested' ORDER BY id",
                (AUTO_CODER,)):
            rules.setdefault((seg_id, code_id), rule)
        return rules

    def coding_row(self, coding_id: int) -> Optional[tuple]:
        """``(segment id, code id, status, coder, valence, target, swot)`` of a coding, or None."""
        return self.conn.execute("SELECT segment_id, code_id, status, coder, valence, target, swot FROM codings"
                                 " WHERE id=?", (int(coding_id),)).fetchone()

    def set_coding_values(self, coding_id: int, valence: Optional[str], target: Optional[str],
                          swot: Optional[str]) -> None:
        """Set a coding's own valence, target and SWOT quadrant (None: the code's default)."""
        with self.transaction() as c:
            c.execute("UPDATE codings SET valence=?, target=?, swot=? WHERE id=?",
                      (valence, target, swot, int(coding_id)))

    def suggestion_rule(self, segment_id: int, code_id: str) -> Optional[str]:
        """The rule of the (first) automatic suggestion of ``code_id`` on the segment, or None."""
        row = self.conn.execute(
            "SELECT rule FROM codings WHERE segment_id=? AND code_id=? AND coder=?"
            " AND status='suggested' ORDER BY id LIMIT 1", (int(segment_id), code_id, AUTO_CODER)).fetchone()
        return row[0] if row else None

    # -- automatic suggestions ----------------------------------------------------
    def auto_suggestions(self, codes: Optional[list[str]] = None,
                         known: Optional[list[str]] = None) -> list[tuple[int, int, str, int, int, str]]:
        """(coding id, segment id, code id, start, end, rule) of the automatic suggestions on
        active sources.  With ``codes`` and ``known``: only those of ``codes`` and those of
        codes not in ``known`` (codes gone from the codebook)."""
        sql = ('SELECT k.id, k.segment_id, k.code_id, k.start, k."end", k.rule FROM codings k'
               " JOIN sources s ON s.id=k.source_id WHERE s.active=1 AND k.status='suggested' AND k.coder=?")
        params: list = [AUTO_CODER]
        if codes is not None and known is not None:
            # "in codes, or not in known" as one list of codes, so that SQLite looks them up
            # in the code index instead of reading every coding (0.2 ms instead of 20 for one
            # code of 26,000 suggestions); the codes not in ``known`` come from that index too.
            # In the order of the ids, as the reading of the whole table gave them.
            known_set = set(known)
            gone = [c for (c,) in self.conn.execute("SELECT DISTINCT code_id FROM codings") if c not in known_set]
            wanted = list(dict.fromkeys([*codes, *gone]))
            sql += f" AND k.code_id IN ({','.join('?' * len(wanted))}) ORDER BY k.id"
            params += wanted
        return self.conn.execute(sql, params).fetchall()

    def suggestion_counts(self, codes: Optional[list[str]] = None) -> dict[str, tuple[int, int]]:
        """code id → (segments, speakers) with an automatic suggestion, on active sources
        (only of ``codes`` when given)."""
        # All codes: one pass over the codings table (NOT INDEXED), as SQLite would otherwise
        # walk the code index and look up every row, which took 0.10 s for 26,000 suggestions
        # where the pass takes 0.045; a few codes: through the code index.  COUNT(DISTINCT)
        # leaves NULL speakers out.
        only = f" AND k.code_id IN ({','.join('?' * len(codes))})" if codes is not None else ""
        rows = self.conn.execute(
            "SELECT k.code_id, COUNT(DISTINCT k.segment_id), COUNT(DISTINCT g.speaker)"
            f" FROM codings k{' NOT INDEXED' if codes is None else ''} JOIN segments g ON g.id=k.segment_id"
            " WHERE k.status='suggested' AND k.coder=? AND k.source_id IN (SELECT id FROM sources WHERE active=1)"
            f"{only} GROUP BY k.code_id", (AUTO_CODER, *(codes or ())))
        return {code: (segments, speakers) for code, segments, speakers in rows}

    # -- a new version of a source --------------------------------------------------
    def carry_human_codings(self, old_source_id: int, new_source_id: int) -> tuple[int, int]:
        """Copy the human codings of an old source version onto the identical paragraphs of
        the new one (the nearest by position when a text occurs twice), shifted with them.
        Returns (carried, stranded): codings whose paragraph changed stay with the old version."""
        old = {s.id: s for s in self.segments_of(old_source_id)}
        new_by_text: dict[str, list] = {}
        for s in self.segments_of(new_source_id):
            new_by_text.setdefault(s.text, []).append(s)
        rows = self.conn.execute(
            f'SELECT id, segment_id, code_id, start, "end", status, coder, rule, created_at, valence, note,'
            f" target, swot FROM codings WHERE source_id=? AND status IN ({','.join('?' * len(HUMAN_STATUSES))})",
            (old_source_id, *HUMAN_STATUSES)).fetchall()
        moved, stranded = [], 0
        for cid, seg_id, code, start, end, status, coder, rule, created, valence, note, concerns, swot in rows:
            seg = old.get(seg_id)
            targets = new_by_text.get(seg.text) if seg else None
            if not targets:
                stranded += 1
                continue
            target = min(targets, key=lambda s: abs(s.index - seg.index))
            shift = target.start - seg.start
            moved.append(Coding(code, target.id, start + shift, end + shift, status, coder, rule,
                                created, valence, note or "", source_id=new_source_id, target=concerns,
                                swot=swot))
        if moved:
            self.add_codings(moved)
        return len(moved), stranded

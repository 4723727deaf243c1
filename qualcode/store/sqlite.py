"""SQLite store with a schema version and one transaction per command.

Everything the rest of qualcode needs from storage goes through :class:`SQLiteStore`'s
methods (no SQL runs outside this package), so a PostgreSQL backend for teams can implement
the same methods later.  The methods on codings live in :mod:`qualcode.store.codings`.

>>> import tempfile, pathlib
>>> store = SQLiteStore(pathlib.Path(tempfile.mkdtemp()) / "project.db", create=True)
>>> store.schema_version() == SCHEMA_VERSION
True
>>> store.close()
"""
from __future__ import annotations

import json
import sqlite3
import struct
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Optional, Union

from ..errors import StoreError, store_fault
from ..model import AuditEvent, Informant, Memo, Segment, Source, Turn, count_words, now_iso
from .codings import CodingQueries
from .vectors import VectorQueries
from .exchange import ExchangeStore
from .private import PrivateFields   # pseudonymisation: the fields outside the texts
from .faults import fault_point as _fault_point   # crash tests

if TYPE_CHECKING:   # pandas is imported by the methods that make frames, not by opening a store
    import pandas as pd

SCHEMA_VERSION = 5
#: How long a command waits for another one writing to the same project before giving up.
BUSY_WAIT_SECONDS = 10.0
#: Tables every qualcode store has had since schema 1 (a store without one is damaged).
CORE_TABLES = frozenset({"meta", "sources", "informants", "turns", "segments", "source_annotations",
                         "word_types", "codebooks", "codings", "memos", "audit"})

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL,
    content_hash TEXT NOT NULL, format TEXT NOT NULL, kind TEXT NOT NULL, encoding TEXT,
    text TEXT NOT NULL, words INTEGER NOT NULL, imported_at TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1, attributes TEXT NOT NULL DEFAULT '{}',
    UNIQUE (name, version));
CREATE INDEX sources_hash ON sources(content_hash);
CREATE TABLE informants (
    code TEXT PRIMARY KEY, role TEXT, organisation TEXT, date TEXT, mode TEXT,
    duration_min REAL, attributes TEXT NOT NULL DEFAULT '{}');
CREATE TABLE turns (
    source_id INTEGER NOT NULL REFERENCES sources(id), idx INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, speaker TEXT, is_interviewer INTEGER NOT NULL,
    theme TEXT, timestamp TEXT, line INTEGER, PRIMARY KEY (source_id, idx));
CREATE TABLE segments (
    id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL REFERENCES sources(id),
    turn_idx INTEGER NOT NULL, idx INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    text TEXT NOT NULL, speaker TEXT, is_interviewer INTEGER NOT NULL, theme TEXT, line INTEGER);
CREATE INDEX segments_source ON segments(source_id);
CREATE TABLE source_annotations (
    source_id INTEGER NOT NULL REFERENCES sources(id), backend TEXT NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (source_id, backend));
CREATE TABLE pattern_hits (pattern TEXT NOT NULL, data BLOB NOT NULL);
CREATE INDEX pattern_hits_pattern ON pattern_hits(pattern);
CREATE TABLE word_types (
    backend TEXT NOT NULL, id INTEGER NOT NULL, form TEXT NOT NULL, lemma TEXT NOT NULL,
    parts TEXT, PRIMARY KEY (backend, id));
CREATE TABLE codebooks (
    hash TEXT PRIMARY KEY, name TEXT, language TEXT, content TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE codings (
    id INTEGER PRIMARY KEY, segment_id INTEGER NOT NULL REFERENCES segments(id),
    source_id INTEGER NOT NULL REFERENCES sources(id), code_id TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, status TEXT NOT NULL, coder TEXT NOT NULL,
    rule TEXT, created_at TEXT NOT NULL, valence TEXT, note TEXT NOT NULL DEFAULT '', target TEXT,
    swot TEXT);
CREATE INDEX codings_segment ON codings(segment_id);
CREATE INDEX codings_code ON codings(code_id);
CREATE TABLE memos (
    id INTEGER PRIMARY KEY, target_type TEXT NOT NULL, target_id TEXT, text TEXT NOT NULL,
    coder TEXT, created_at TEXT NOT NULL);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY, time TEXT NOT NULL, coder TEXT, action TEXT NOT NULL,
    target TEXT, reason TEXT, details TEXT NOT NULL DEFAULT '{}');
"""

# Forward migrations: MIGRATIONS[n] takes a store at version n to n + 1 (SQL, or a function
# of the connection).
MIGRATIONS: dict[int, Union[str, Callable[[sqlite3.Connection], None]]] = {
    # 1 -> 2: regular-expression hits cached per source version, for fast re-coding
    1: """CREATE TABLE pattern_hits (
        pattern TEXT NOT NULL, source_id INTEGER NOT NULL REFERENCES sources(id), data BLOB NOT NULL,
        PRIMARY KEY (pattern, source_id))""",
    # 2 -> 3: the lemmas of a word type's compound parts ("\n"-separated, "" for none; NULL:
    # not looked up yet), so re-coding needs no lemmatiser for the known word types
    2: lambda conn: _add_column(conn, "word_types", "parts", "TEXT"),
    # 3 -> 4: a coding's own values (per-coding valence and target): whom the remark concerns
    # (a person or role) and its SWOT quadrant, which beat the code's defaults in analyses
    3: lambda conn: (_add_column(conn, "codings", "target", "TEXT"), _add_column(conn, "codings", "swot", "TEXT")),
    # 4 -> 5: a pattern's hits on all the sources one run scanned in one row (a row per
    # pattern and source made a first coding of 1M words write 40,000 rows); a cache, so
    # the old rows are dropped, not converted
    4: """DROP TABLE IF EXISTS pattern_hits;
        CREATE TABLE pattern_hits (pattern TEXT NOT NULL, data BLOB NOT NULL);
        CREATE INDEX pattern_hits_pattern ON pattern_hits(pattern)""",
}


def _add_column(conn: sqlite3.Connection, table: str, column: str, decl: str) -> None:
    # SQLite has no ADD COLUMN IF NOT EXISTS
    if column not in {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}:
        conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    # executescript() would COMMIT the open transaction; run statement by statement instead.
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


class SQLiteStore(CodingQueries, ExchangeStore, VectorQueries, PrivateFields):
    """The project store in one SQLite file."""

    def __init__(self, path: Path, create: bool = False):
        self.path = Path(path)
        existed = self.path.exists()
        if not existed and not create:
            raise StoreError("the project store is missing; run 'qualcode init' in the project folder",
                             path=str(self.path))
        if existed and self.path.is_file() and self.path.stat().st_size == 0:
            # never recreate a store that was there: an empty file is a lost store, not a new one
            raise StoreError("the project store is an empty file (0 bytes); restore it from a backup, "
                             "or delete it to start the project's store from nothing", path=str(self.path))
        self._in_tx = False
        self._after_commit: list[tuple] = []    # (done, undone) of the open transaction
        try:
            self.conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=BUSY_WAIT_SECONDS)
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA journal_mode = WAL")
            # in WAL mode NORMAL keeps the store consistent on a crash; it only skips an fsync
            # per commit
            self.conn.execute("PRAGMA synchronous = NORMAL")
            tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not tables and not existed:
                with self.transaction():
                    _run_script(self.conn, _SCHEMA)
                    self.conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                tables = CORE_TABLES
            self._check_tables(tables)
            self._check_version()
        except (sqlite3.Error, StoreError) as exc:
            if hasattr(self, "conn"):
                self.conn.close()
            if isinstance(exc, StoreError):
                raise
            raise store_fault(exc, str(self.path)) from None

    def _check_tables(self, tables: set[str]) -> None:
        if "meta" not in tables:
            raise StoreError("this SQLite file is not a qualcode store; open the project folder it belongs "
                             "to or restore .qualcode/project.db from a backup", path=str(self.path))
        missing = sorted(CORE_TABLES - set(tables))
        if missing:
            raise StoreError(f"the project store is damaged (table {missing[0]} is missing); restore "
                             ".qualcode/project.db from a backup", path=str(self.path))

    # -- schema -------------------------------------------------------------------
    def schema_version(self) -> int:
        row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None or not str(row[0]).isdigit() or int(row[0]) < min(MIGRATIONS):
            raise StoreError("the project store is damaged (its schema version is missing or unreadable); "
                             "restore .qualcode/project.db from a backup", path=str(self.path))
        return int(row[0])

    def _check_version(self) -> None:
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise StoreError(f"this project was written by a newer qualcode (store schema {version}, "
                             f"this qualcode knows {SCHEMA_VERSION}); upgrade qualcode with "
                             "'pip install -U qualcode'", path=str(self.path))
        while version < SCHEMA_VERSION:
            with self.transaction():
                step = MIGRATIONS[version]
                if callable(step):
                    step(self.conn)
                else:
                    _run_script(self.conn, step)
                version += 1
                self.conn.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(version),))

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All writes inside happen together or not at all (nested calls join the outer one)."""
        if self._in_tx:
            yield self.conn
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise store_fault(exc, str(self.path)) from None
        self._in_tx = True
        try:
            yield self.conn
            _fault_point("before-commit")
            self.conn.execute("COMMIT")
            _fault_point("after-commit")
        except BaseException as exc:
            if self.conn.in_transaction:
                try:
                    self.conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass        # SQLite has already rolled back (e.g. on a full disk)
            self._in_tx = False
            for _, undone in self._take_after_commit():
                if undone is not None:
                    undone()
            if isinstance(exc, sqlite3.Error):
                raise store_fault(exc, str(self.path)) from None
            raise
        finally:
            self._in_tx = False
        for done, _ in self._take_after_commit():
            done()

    def after_commit(self, done, undone=None) -> None:
        """Call ``done()`` when the open transaction has committed (at once when none is
        open), or ``undone()`` when it rolls back: how a caller's memory of what it wrote
        (e.g. which word types the store has) stays true when a later step of the same
        transaction fails."""
        if self._in_tx:
            self._after_commit.append((done, undone))
        else:
            done()

    def _take_after_commit(self) -> list[tuple]:
        callbacks, self._after_commit = self._after_commit, []
        return callbacks

    # -- sources ------------------------------------------------------------------
    def source_by_hash(self, content_hash: str) -> Optional[tuple[int, str, int]]:
        return self.conn.execute(
            "SELECT id, name, version FROM sources WHERE content_hash=? ORDER BY version DESC LIMIT 1",
            (content_hash,)).fetchone()

    def latest_source(self, name: str) -> Optional[tuple[int, int, str]]:
        """(id, version, content_hash) of the newest version of the named source."""
        return self.conn.execute(
            "SELECT id, version, content_hash FROM sources WHERE name=? ORDER BY version DESC LIMIT 1",
            (name,)).fetchone()

    def add_source(self, source: Source, turns: list[Turn], segments: list[Segment]) -> int:
        with self.transaction() as c:
            c.execute("UPDATE sources SET active=0 WHERE name=?", (source.name,))
            cur = c.execute(
                "INSERT INTO sources (name, version, content_hash, format, kind, encoding, text, words,"
                " imported_at, active, attributes) VALUES (?,?,?,?,?,?,?,?,?,1,?)",
                (source.name, source.version, source.content_hash, source.format, source.kind,
                 source.encoding, source.text, source.words, source.imported_at or now_iso(),
                 json.dumps(source.attributes, ensure_ascii=False, default=str)))
            sid = cur.lastrowid
            c.executemany(
                'INSERT INTO turns (source_id, idx, start, "end", speaker, is_interviewer, theme,'
                " timestamp, line) VALUES (?,?,?,?,?,?,?,?,?)",
                [(sid, t.index, t.start, t.end, t.speaker, int(t.is_interviewer), t.theme, t.timestamp,
                  t.line) for t in turns])
            c.executemany(
                'INSERT INTO segments (source_id, turn_idx, idx, start, "end", text, speaker,'
                " is_interviewer, theme, line) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [(sid, s.turn_index, s.index, s.start, s.end, s.text, s.speaker, int(s.is_interviewer),
                  s.theme, s.line) for s in segments])
            source.id = sid
            return sid

    def active_source_texts(self) -> list[tuple[str, str]]:
        """(name, text) of every active source version."""
        return self.conn.execute("SELECT name, text FROM sources WHERE active=1").fetchall()

    def source_text(self, source_id: int) -> str:
        row = self.conn.execute("SELECT text FROM sources WHERE id=?", (source_id,)).fetchone()
        return row[0] if row else ""

    def sources_frame(self, active_only: bool = True) -> "pd.DataFrame":
        import pandas as pd

        where = "WHERE active=1" if active_only else ""
        return pd.read_sql_query(
            f"SELECT id AS source_id, name AS source, version, format, kind, encoding, words,"
            f" content_hash, imported_at, active FROM sources {where} ORDER BY name, version", self.conn)

    def turns_frame(self) -> "pd.DataFrame":
        import pandas as pd

        df = pd.read_sql_query(
            'SELECT t.source_id, s.name AS source, t.idx AS turn, t.speaker, t.is_interviewer, t.theme,'
            ' t.timestamp, t.start, t."end", t.line FROM turns t JOIN sources s ON s.id=t.source_id'
            " WHERE s.active=1 ORDER BY s.name, t.idx", self.conn)
        df["is_interviewer"] = df["is_interviewer"].astype(bool)
        return df

    def segments_frame(self, source_ids: Optional[Iterable[int]] = None) -> "pd.DataFrame":
        import pandas as pd

        sql = ('SELECT g.id AS segment_id, g.source_id, s.name AS source, g.turn_idx AS turn,'
               ' g.idx AS "index", g.speaker, g.is_interviewer, g.theme, g.start, g."end", g.text, g.line'
               " FROM segments g JOIN sources s ON s.id=g.source_id WHERE s.active=1")
        params: tuple = ()
        if source_ids is not None:
            ids = list(source_ids)
            sql += f" AND g.source_id IN ({','.join('?' * len(ids))})"
            params = tuple(ids)
        df = pd.read_sql_query(sql + " ORDER BY s.name, g.idx", self.conn, params=params)
        df["is_interviewer"] = df["is_interviewer"].astype(bool)
        return df

    def segment_rows(self, include_interviewer: bool = False) -> list[tuple[int, int, int]]:
        """(segment id, source id, start) of the active segments, in source order; a lighter
        read than :meth:`segments_frame` for the coding hot path (texts: :meth:`segment_texts`)."""
        where = "" if include_interviewer else " AND g.is_interviewer=0"
        return self.conn.execute(
            "SELECT g.id, g.source_id, g.start FROM segments g JOIN sources s ON s.id=g.source_id"
            f" WHERE s.active=1{where} ORDER BY s.name, g.idx").fetchall()

    def segment_texts(self, source_ids: list[int]) -> dict[int, str]:
        """segment id → text for the segments of the given sources."""
        out: dict[int, str] = {}
        for i in range(0, len(source_ids), 900):
            chunk = source_ids[i:i + 900]
            out.update(self.conn.execute(
                f"SELECT id, text FROM segments WHERE source_id IN ({','.join('?' * len(chunk))})", chunk))
        return out

    def segment_texts_in_order(self, source_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
        """source id → (segment id, text) of its segments in text order."""
        out: dict[int, list[tuple[int, str]]] = {}
        for i in range(0, len(source_ids), 900):
            chunk = source_ids[i:i + 900]
            for sid, seg_id, text in self.conn.execute(
                    f"SELECT source_id, id, text FROM segments WHERE source_id IN ({','.join('?' * len(chunk))})"
                    " ORDER BY source_id, idx", chunk):
                out.setdefault(sid, []).append((seg_id, text))
        return out

    def segment_bounds(self, segment_id: int) -> Optional[tuple[int, int, int, int]]:
        """(segment id, source id, start, end) of a segment of an active source, or None."""
        return self.conn.execute(
            'SELECT g.id, g.source_id, g.start, g."end" FROM segments g JOIN sources s ON s.id=g.source_id'
            " WHERE g.id=? AND s.active=1", (int(segment_id),)).fetchone()

    def active_segment_bounds(self) -> dict[int, tuple[int, int, int]]:
        """segment id → (source id, start, end) of every segment of an active source: one
        read for many decisions (:meth:`segment_bounds` per segment is a query each)."""
        return {seg_id: (src, start, end) for seg_id, src, start, end in self.conn.execute(
            'SELECT id, source_id, start, "end" FROM segments'
            " WHERE source_id IN (SELECT id FROM sources WHERE active=1)")}

    def segments_of(self, source_id: int) -> list[Segment]:
        rows = self.conn.execute(
            'SELECT id, source_id, turn_idx, idx, start, "end", text, speaker, is_interviewer, theme, line'
            " FROM segments WHERE source_id=? ORDER BY idx", (source_id,)).fetchall()
        return [Segment(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]), r[9], r[10]) for r in rows]

    # -- informants ---------------------------------------------------------------
    def upsert_informants(self, informants: list[Informant]) -> None:
        with self.transaction() as c:
            c.executemany(
                "INSERT INTO informants (code, role, organisation, date, mode, duration_min, attributes)"
                " VALUES (?,?,?,?,?,?,?) ON CONFLICT(code) DO UPDATE SET role=excluded.role,"
                " organisation=excluded.organisation, date=excluded.date, mode=excluded.mode,"
                " duration_min=excluded.duration_min, attributes=excluded.attributes",
                [(i.code, i.role, i.organisation, i.date.isoformat() if i.date else None, i.mode,
                  i.duration_min, json.dumps(i.attributes, ensure_ascii=False, default=str))
                 for i in informants])

    def informant_codes(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT code FROM informants")}

    def informants_frame(self) -> "pd.DataFrame":
        import pandas as pd

        import datetime as dt

        rows = self.conn.execute(
            "SELECT code, role, organisation, date, mode, duration_min, attributes FROM informants"
            " ORDER BY code").fetchall()
        records = []
        for code, role, org, date, mode, dur, attrs in rows:
            rec = {"code": code, "role": role, "organisation": org,
                   "date": dt.date.fromisoformat(date) if date else None, "mode": mode, "duration_min": dur}
            for k, v in json.loads(attrs).items():
                rec.setdefault(k, v)
            records.append(rec)
        cols = ["code", "role", "organisation", "date", "mode", "duration_min"]
        df = pd.DataFrame.from_records(records) if records else pd.DataFrame(columns=cols)
        extra = [c for c in df.columns if c not in cols]
        return df[cols + extra]

    # -- annotations (one blob per source version and NLP backend) ------------------
    def source_annotations(self, source_ids: list[int], backend: str) -> dict[int, bytes]:
        out: dict[int, bytes] = {}
        for i in range(0, len(source_ids), 900):
            chunk = source_ids[i:i + 900]
            q = ("SELECT source_id, data FROM source_annotations WHERE backend=? AND source_id IN "
                 f"({','.join('?' * len(chunk))})")
            out.update(self.conn.execute(q, (backend, *chunk)).fetchall())
        return out

    def save_source_annotations(self, items: list[tuple[int, bytes]], backend: str) -> None:
        with self.transaction() as c:
            c.executemany("INSERT OR REPLACE INTO source_annotations (source_id, backend, data) VALUES (?,?,?)",
                          [(sid, backend, data) for sid, data in items])

    def pattern_hits(self, patterns: list[str], source_ids: list[int]) -> dict[tuple[str, int], bytes]:
        """Cached regular-expression hits: (pattern key, source id) → packed int64 triples
        (segment id, start, end)."""
        out: dict[tuple[str, int], bytes] = {}
        if not patterns or not source_ids:
            return out
        wanted = set(source_ids)
        for i in range(0, len(patterns), 900):
            chunk = patterns[i:i + 900]
            q = f"SELECT pattern, data FROM pattern_hits WHERE pattern IN ({','.join('?' * len(chunk))})"
            for pattern, data in self.conn.execute(q, chunk):
                for sid, hits in _unpack_hit_row(data):
                    if sid in wanted:
                        out[(pattern, sid)] = hits
        return out

    def save_pattern_hits(self, items: list[tuple[str, int, bytes]]) -> None:
        """Keep (pattern key, source id, hits) items: one row per pattern key, holding the
        hits of every source of ``items`` (replacing what was kept for those sources)."""
        by_pattern: dict[str, dict[int, bytes]] = {}
        for pattern, sid, data in items:
            by_pattern.setdefault(pattern, {})[sid] = data
        with self.transaction() as c:
            _drop_pattern_hits(c, {pattern: set(new) for pattern, new in by_pattern.items()})
            c.executemany("INSERT INTO pattern_hits (pattern, data) VALUES (?,?)",
                          [(pattern, _pack_hit_row(new)) for pattern, new in by_pattern.items()])

    def word_types(self, backend: str, since: int = 0) -> list[tuple[int, str, str, Optional[str]]]:
        """(id, form, lemma, compound parts) of the backend's word types with id >= ``since``,
        by id.  Parts are the lemmas of the parts joined by newlines, "" for a word that is no
        compound, None when not looked up."""
        return self.conn.execute("SELECT id, form, lemma, parts FROM word_types WHERE backend=? AND id>=?"
                                 " ORDER BY id", (backend, since)).fetchall()

    def add_word_types(self, rows: list[tuple], backend: str) -> None:
        """Add rows (id, form, lemma[, parts]) to the backend's word types."""
        with self.transaction() as c:
            c.executemany("INSERT INTO word_types (backend, id, form, lemma, parts) VALUES (?,?,?,?,?)",
                          [(backend, r[0], r[1], r[2], r[3] if len(r) > 3 else None) for r in rows])

    def set_word_type_parts(self, rows: list[tuple[int, Optional[str]]], backend: str) -> None:
        """Record the compound parts (id, parts) of stored word types."""
        with self.transaction() as c:
            c.executemany("UPDATE word_types SET parts=? WHERE backend=? AND id=?",
                          [(parts, backend, i) for i, parts in rows])

    # -- codebooks ----------------------------------------------------------------
    def save_codebook(self, hash_: str, name: str, language: str, content: str) -> None:
        with self.transaction() as c:
            c.execute("INSERT OR IGNORE INTO codebooks VALUES (?,?,?,?,?)",
                      (hash_, name, language, content, now_iso()))

    def codebook_content(self, hash_: Optional[str] = None) -> Optional[str]:
        if hash_ is None:
            row = self.conn.execute("SELECT content FROM codebooks ORDER BY created_at DESC, rowid DESC LIMIT 1").fetchone()
        else:
            row = self.conn.execute("SELECT content FROM codebooks WHERE hash=?", (hash_,)).fetchone()
        return row[0] if row else None

    # -- rewriting the stored texts (pseudonymisation) ------------------------------
    def rewrite_texts(self, rewrite_text: Callable[[str], Optional[tuple]],
                      rewrite_value: Callable[[object], object]) -> list[tuple[str, tuple]]:
        """Rewrite every stored text, all in one transaction.

        ``rewrite_text(text)`` returns None when a text stays as it is, else a tuple whose
        first items are the new text and ``remap(start, end) -> (start, end)``, which maps a
        span of the old text onto the new one (further items are passed back).  It is applied
        to every source version, moving its turns, segments and codings with the text, and
        to every memo.  ``rewrite_value(value)`` rewrites the informants' role, organisation
        and attribute values.  The rewritten sources' cached annotations and pattern hits
        are dropped.  Returns (source name, what ``rewrite_text`` returned) per rewritten source.

        >>> import tempfile, pathlib
        >>> store = SQLiteStore(pathlib.Path(tempfile.mkdtemp()) / "project.db", create=True)
        >>> sid = store.add_source(Source(None, "a.txt", "Moi Ville.", "txt", "h", words=2), [],
        ...                        [Segment(None, None, 0, 0, 0, 10, "Moi Ville.")])
        >>> def rewrite(text):   # "Ville" (4-9) becomes "Aleksanteri": offsets from 9 on move by 6
        ...     if "Ville" not in text:
        ...         return None
        ...     return text.replace("Ville", "Aleksanteri"), lambda a, b: (a + 6 * (a >= 9), b + 6 * (b >= 9))
        >>> [name for name, _ in store.rewrite_texts(rewrite, lambda value: value)]
        ['a.txt']
        >>> segment = store.segments_of(sid)[0]
        >>> store.source_text(sid), (segment.start, segment.end, segment.text)
        ('Moi Aleksanteri.', (0, 16, 'Moi Aleksanteri.'))
        >>> store.close()
        """
        with self.transaction() as c:
            done, rewritten = [], set()
            for sid, name, text in c.execute("SELECT id, name, text FROM sources").fetchall():
                result = rewrite_text(text)
                if result is not None:
                    self._move_source_text(c, sid, result[0], result[1])
                    done.append((name, result))
                    rewritten.add(sid)
            # the cached pattern hits of the old texts, in one pass over the cache
            _drop_pattern_hits(c, of_every_pattern=frozenset(rewritten))
            for code, role, org, attrs in c.execute(
                    "SELECT code, role, organisation, attributes FROM informants").fetchall():
                values = {k: rewrite_value(v) for k, v in json.loads(attrs).items()}
                c.execute("UPDATE informants SET role=?, organisation=?, attributes=? WHERE code=?",
                          (rewrite_value(role), rewrite_value(org),
                           json.dumps(values, ensure_ascii=False, default=str), code))
            for memo_id, text in c.execute("SELECT id, text FROM memos").fetchall():
                result = rewrite_text(text)
                if result is not None:
                    c.execute("UPDATE memos SET text=? WHERE id=?", (result[0], memo_id))
        return done

    @staticmethod
    def _move_source_text(c: sqlite3.Connection, sid: int, new: str,
                          remap: Callable[[int, int], tuple[int, int]]) -> None:
        # the new text, and every span that points into it moved with it
        segs = c.execute('SELECT id, start, "end" FROM segments WHERE source_id=?', (sid,)).fetchall()
        moved = [(*remap(a, b), seg_id) for seg_id, a, b in segs]
        c.executemany('UPDATE segments SET start=?, "end"=?, text=? WHERE id=?',
                      [(a, b, new[a:b], seg_id) for a, b, seg_id in moved])
        c.executemany('UPDATE turns SET start=?, "end"=? WHERE source_id=? AND idx=?',
                      [(*remap(a, b), sid, idx) for idx, a, b in
                       c.execute('SELECT idx, start, "end" FROM turns WHERE source_id=?', (sid,)).fetchall()])
        c.executemany('UPDATE codings SET start=?, "end"=? WHERE id=?',
                      [(*remap(a, b), cid) for cid, a, b in
                       c.execute('SELECT id, start, "end" FROM codings WHERE source_id=?', (sid,)).fetchall()])
        c.execute("UPDATE sources SET text=?, words=? WHERE id=?",
                  (new, sum(count_words(new[a:b]) for a, b, _ in moved), sid))
        # derived caches of the old text
        c.execute("DELETE FROM source_annotations WHERE source_id=?", (sid,))

    # -- memos and audit ----------------------------------------------------------
    def add_memo(self, memo: Memo) -> int:
        with self.transaction() as c:
            return c.execute("INSERT INTO memos (target_type, target_id, text, coder, created_at)"
                             " VALUES (?,?,?,?,?)", (memo.target_type, memo.target_id, memo.text, memo.coder,
                                                     memo.created_at or now_iso())).lastrowid

    def memos_frame(self) -> "pd.DataFrame":
        import pandas as pd

        return pd.read_sql_query("SELECT id AS memo_id, target_type, target_id, text, coder, created_at"
                                 " FROM memos ORDER BY id", self.conn)

    def log(self, event: AuditEvent) -> None:
        with self.transaction() as c:
            c.execute("INSERT INTO audit (time, coder, action, target, reason, details) VALUES (?,?,?,?,?,?)",
                      (event.time or now_iso(), event.coder, event.action, event.target, event.reason,
                       json.dumps(event.details, ensure_ascii=False, default=str)))

    def audit_frame(self) -> "pd.DataFrame":
        import pandas as pd

        return pd.read_sql_query("SELECT id, time, coder, action, target, reason, details FROM audit"
                                 " ORDER BY id", self.conn)

    # -- key/value metadata (e.g. exchange-format elements qualcode does not model) ----
    def get_meta(self, key: str) -> Optional[str]:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        if key == "schema_version":
            raise ValueError("schema_version is managed by the store")
        with self.transaction() as c:
            c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def delete_meta(self, key: str) -> None:
        """Forget a metadata value (nothing happens when there is none)."""
        if key == "schema_version":
            raise ValueError("schema_version is managed by the store")
        with self.transaction() as c:
            c.execute("DELETE FROM meta WHERE key=?", (key,))

    def change_token(self) -> tuple[int, int]:
        """A value that changes whenever the store is written: by another connection (another
        process; SQLite's data version) or by this one (the rows it has changed).  What a
        reader keeps in memory is still true while it stays the same."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0], self.conn.total_changes

    def counts(self) -> dict[str, int]:
        q = self.conn.execute
        return {
            "sources": q("SELECT COUNT(*) FROM sources WHERE active=1").fetchone()[0],
            "words": q("SELECT COALESCE(SUM(words),0) FROM sources WHERE active=1").fetchone()[0],
            "informants": q("SELECT COUNT(*) FROM informants").fetchone()[0],
            "segments": q("SELECT COUNT(*) FROM segments g JOIN sources s ON s.id=g.source_id"
                          " WHERE s.active=1").fetchone()[0],
            "codings": q("SELECT COUNT(*) FROM codings k JOIN sources s ON s.id=k.source_id"
                         " WHERE s.active=1 AND k.status != 'rejected'").fetchone()[0],
        }


def _drop_pattern_hits(c: sqlite3.Connection, of_patterns: Optional[dict[str, set[int]]] = None,
                       of_every_pattern: frozenset = frozenset()) -> None:
    """Forget kept hits, in one pass over the cache: those of the sources ``of_patterns[p]``
    for each pattern key ``p`` given, and those of the sources ``of_every_pattern`` for all."""
    patterns = list(of_patterns) if of_patterns is not None else None
    q = "SELECT rowid, pattern, data FROM pattern_hits"
    if patterns is not None:
        q += f" WHERE pattern IN ({','.join('?' * len(patterns))})"
    for rowid, pattern, data in c.execute(q, patterns or ()).fetchall():
        gone = of_every_pattern | (of_patterns or {}).get(pattern, set())
        kept = dict(_unpack_hit_row(data))
        if kept.keys() & gone:
            rest = {sid: hits for sid, hits in kept.items() if sid not in gone}
            if rest:
                c.execute("UPDATE pattern_hits SET data=? WHERE rowid=?", (_pack_hit_row(rest), rowid))
            else:
                c.execute("DELETE FROM pattern_hits WHERE rowid=?", (rowid,))


_HIT_HEAD = struct.Struct("<I")


def _pack_hit_row(hits_of: dict[int, bytes]) -> bytes:
    """One pattern's hits per source in one blob: the count, the source ids, the byte
    lengths, then the hits of each source in that order."""
    sids = list(hits_of)
    return b"".join([_HIT_HEAD.pack(len(sids)), struct.pack(f"<{len(sids)}q", *sids),
                     struct.pack(f"<{len(sids)}q", *(len(hits_of[s]) for s in sids)),
                     *(hits_of[s] for s in sids)])


def _unpack_hit_row(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Inverse of :func:`_pack_hit_row`: (source id, its hits) pairs."""
    (n,) = _HIT_HEAD.unpack_from(data, 0)
    sids = struct.unpack_from(f"<{n}q", data, _HIT_HEAD.size)
    lengths = struct.unpack_from(f"<{n}q", data, _HIT_HEAD.size + 8 * n)
    pos = _HIT_HEAD.size + 16 * n
    for sid, length in zip(sids, lengths):
        yield sid, data[pos:pos + length]
        pos += length

"""Cached segment vectors of the suggestion backends, and the suggestions they make.

:class:`VectorQueries` is a part of :class:`~qualcode.store.SQLiteStore`.  Its table is
created when first needed, so stores made before it exist keep working unchanged.  A vector
belongs to one segment of one source version and one backend version; a new version of a
source has new segments, so its vectors are computed anew, and a re-code never recomputes
them.

>>> import tempfile, pathlib
>>> import numpy as np
>>> from qualcode.store import SQLiteStore
>>> store = SQLiteStore(pathlib.Path(tempfile.mkdtemp()) / "project.db", create=True)
>>> store.save_vectors("semantic-v1", {7: np.array([0.6, 0.8], dtype=np.float32)})
>>> cached = store.vectors("semantic-v1", [7, 8])    # segment 8 has none yet
>>> list(cached), [round(float(x), 3) for x in cached[7]]
([7], [0.6, 0.8])
>>> store.save_text_vectors("semantic-v1", {"ab12": np.array([1.0, 0.0], dtype=np.float32)})
>>> sorted(store.text_vectors("semantic-v1", ["ab12", "cd34"]))
['ab12']
>>> store.close()
"""
from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from ..model import Coding

if TYPE_CHECKING:   # numpy is imported by the methods that need it, not by opening a store
    import numpy as np

_TABLE = """CREATE TABLE IF NOT EXISTS segment_vectors (
    segment_id INTEGER NOT NULL, backend TEXT NOT NULL, dim INTEGER NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (segment_id, backend))"""
# what a code means (its description and keywords, or any other text) by a hash of the text:
# a code whose text did not change is not embedded again on the next suggest
_TEXT_TABLE = """CREATE TABLE IF NOT EXISTS text_vectors (
    text_hash TEXT NOT NULL, backend TEXT NOT NULL, dim INTEGER NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (text_hash, backend))"""


class VectorQueries:
    """Vectors per segment and backend (a mixin of the store: it needs ``conn`` and
    ``transaction``)."""

    conn: sqlite3.Connection

    def ensure_vector_table(self) -> None:
        """Create the vector table if this store has none yet."""
        with self.transaction() as c:
            c.execute(_TABLE)
            c.execute(_TEXT_TABLE)

    def vectors(self, backend: str, segment_ids: list[int]) -> dict[int, np.ndarray]:
        """segment id → cached vector (float32) of those segments that have one."""
        return self._cached_vectors("segment_vectors", "segment_id", backend, [int(s) for s in segment_ids])

    def _cached_vectors(self, table: str, key: str, backend: str, keys: list) -> dict:
        """key → cached float32 vector of ``backend`` in ``table``, read in chunks of 900 keys
        (SQLite's limit on bound parameters)."""
        self.ensure_vector_table()
        import numpy as np

        out: dict = {}
        for i in range(0, len(keys), 900):
            chunk = keys[i:i + 900]
            rows = self.conn.execute(
                f"SELECT {key}, vector FROM {table} WHERE backend=? AND {key} IN"
                f" ({','.join('?' * len(chunk))})", (backend, *chunk)).fetchall()
            out.update((k, np.frombuffer(blob, dtype=np.float16).astype(np.float32)) for k, blob in rows)
        return out

    def save_vectors(self, backend: str, vectors: dict[int, np.ndarray]) -> None:
        """Keep segment vectors (as float16: half the space, and cosines stay within 1e-3)."""
        import numpy as np

        self.ensure_vector_table()
        with self.transaction() as c:
            c.executemany("INSERT OR REPLACE INTO segment_vectors (segment_id, backend, dim, vector)"
                          " VALUES (?,?,?,?)",
                          [(int(s), backend, len(v), np.asarray(v, dtype=np.float16).tobytes())
                           for s, v in vectors.items()])

    def vector_count(self, backend: str) -> int:
        """How many segments have a cached vector of ``backend``."""
        self.ensure_vector_table()
        return self.conn.execute("SELECT COUNT(*) FROM segment_vectors WHERE backend=?", (backend,)).fetchone()[0]

    def text_vectors(self, backend: str, hashes: list[str]) -> dict[str, np.ndarray]:
        """text hash → cached vector (float32) of those texts that have one."""
        return self._cached_vectors("text_vectors", "text_hash", backend, list(dict.fromkeys(hashes)))

    def save_text_vectors(self, backend: str, vectors: dict[str, np.ndarray]) -> None:
        """Keep text vectors by text hash (float16, like the segment vectors)."""
        import numpy as np

        self.ensure_vector_table()
        with self.transaction() as c:
            c.executemany("INSERT OR REPLACE INTO text_vectors (text_hash, backend, dim, vector) VALUES (?,?,?,?)",
                          [(h, backend, len(v), np.asarray(v, dtype=np.float16).tobytes())
                           for h, v in vectors.items()])

    def replace_suggestions(self, coder: str, codings: list[Coding]) -> int:
        """Replace the still-undecided suggestions of ``coder`` (status ``suggested``) by
        ``codings``; human decisions are other rows and stay as they are.  Returns how many
        old suggestions went."""
        with self.transaction() as c:
            gone = c.execute("DELETE FROM codings WHERE coder=? AND status='suggested'", (coder,)).rowcount
            self.add_codings(codings)
        return gone

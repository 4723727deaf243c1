"""Word types: the per-backend lexicon of a process, and the store's table of them.

A :class:`Lexicon` maps each lowercase form to an id, its lemma and the lemmas of its
compound parts; a :class:`TypeTable` maps the project store's word-type ids to lexicon ids,
so that the lemmas the store keeps are read, not computed again.

>>> lex = Lexicon("demo-backend")
>>> table = TypeTable([(0, "kissat", "kissa", ""), (1, "koirat", "koira", None)], lex)
>>> lex.lemmas, lex.compound_parts(0), len(table)
(['kissa', 'koira'], (), 2)
"""
from __future__ import annotations

from typing import Iterable, Optional

import numpy as np

from .lemmatizers import Lemmatizer


class Lexicon:
    """Word types seen with one lemmatiser backend: lowercase form → id → lemma (and the
    lemmas of its compound parts).

    This is the per-word-type lemma cache: each distinct form is lemmatised once per
    process, and once per project when the project store keeps the types (see
    :class:`~qualcode.nlp.packing.TypeTable`).  One lexicon exists per backend version
    string (:meth:`for_backend`).

    >>> lex = Lexicon("demo-backend-2")
    >>> lex.intern("kissat", "kissa"), lex.intern("kissat", "kissa"), lex.lemmas[0]
    (0, 0, 'kissa')
    """

    _registry: dict[str, "Lexicon"] = {}

    def __init__(self, backend: str, lemmatizer: Optional[Lemmatizer] = None) -> None:
        self.backend = backend
        self.lemmatizer = lemmatizer
        self.forms: list[str] = []
        self.lemmas: list[str] = []
        self.parts: list[Optional[tuple[str, ...]]] = []   # None: not asked yet
        self.ids: dict[str, int] = {}
        self._by_hash: dict[int, int] = {}  # spaCy's 64-bit string hash -> id

    @classmethod
    def for_backend(cls, backend: str, lemmatizer: Optional[Lemmatizer] = None) -> "Lexicon":
        """The shared lexicon of ``backend`` (created on first use)."""
        lex = cls._registry.get(backend)
        if lex is None:
            lex = cls._registry[backend] = cls(backend, lemmatizer)
        elif lex.lemmatizer is None and lemmatizer is not None:
            lex.lemmatizer = lemmatizer
        return lex

    def __len__(self) -> int:
        return len(self.forms)

    def intern(self, form: str, lemma: Optional[str] = None,
               parts: Optional[tuple[str, ...]] = None) -> int:
        """Id of ``form`` (lowercase), lemmatising it the first time it is seen unless its
        ``lemma`` (and compound ``parts``) are given, e.g. from the project store."""
        gid = self.ids.get(form)
        if gid is None:
            if lemma is None:
                lemma = self.lemmatizer.lemma(form) if self.lemmatizer else form
            gid = len(self.forms)
            self.forms.append(form)
            self.lemmas.append(lemma)
            self.parts.append(parts)
            self.ids[form] = gid
        elif parts is not None and self.parts[gid] is None:
            self.parts[gid] = parts
        return gid

    def lemma(self, form: str) -> str:
        """The lemma of a lowercase form (lemmatised once, the first time it is asked)."""
        gid = self.ids.get(form)
        return self.lemmas[gid if gid is not None else self.intern(form)]

    def compound_parts(self, gid: int) -> tuple[str, ...]:
        """Lemmas of the parts of word type ``gid`` when it is a compound, else ``()``."""
        parts = self.parts[gid]
        if parts is None:
            lem = self.lemmatizer
            parts = self.parts[gid] = tuple(lem.compound_parts(self.forms[gid])) if lem else ()
        return parts

    def intern_hashes(self, hashes: np.ndarray, strings,
                      lemmas: Optional[dict[str, str]] = None) -> np.ndarray:
        """Ids for an array of spaCy LOWER hashes (``strings`` is the StringStore);
        ``lemmas`` gives the lemmas of new forms found in context."""
        by_hash = self._by_hash
        lemmas = lemmas or {}
        out = np.empty(len(hashes), dtype=np.int64)
        for i, h in enumerate(hashes.tolist()):
            gid = by_hash.get(h)
            if gid is None:
                form = strings[h]
                gid = by_hash[h] = self.intern(form, lemmas.get(form))
            out[i] = gid
        return out

    def new_hashes(self, hashes: np.ndarray) -> list[int]:
        """The hashes (of an array of unique ones) that are not known yet."""
        by_hash = self._by_hash
        return [h for h in hashes.tolist() if h not in by_hash]


def _parts_text(parts: Optional[tuple[str, ...]]) -> Optional[str]:
    return None if parts is None else "\n".join(parts)


class TypeTable:
    """The store's word types of one backend: store id ↔ lexicon id, with what the store
    keeps of each type (form, lemma, compound parts).

    Rows read from the store are interned into the process lexicon with their lemmas, so
    their forms are never lemmatised again; types the lexicon gained in this process get
    the next store ids and are written by :meth:`unsaved` / :meth:`mark_saved`.
    """

    def __init__(self, rows: Iterable[tuple] = (), lexicon: Optional[Lexicon] = None):
        self.gids: list[int] = []          # lexicon id of each store id
        self.ids: dict[str, int] = {}      # form -> store id
        self.saved = 0                     # store ids below this are in the store
        self._written = 0                  # ... or written in a transaction not committed yet
        self._absorbed = 0                 # lexicon ids below this were looked at
        self._no_parts: list[int] = []     # store ids read without compound parts
        self._array: Optional[np.ndarray] = None
        self._lexicon: Optional[Lexicon] = None
        self._lut: Optional[np.ndarray] = None     # lexicon id -> store id (-1: not known)
        rows = list(rows)
        if rows:
            self.load(rows, lexicon)

    def __len__(self) -> int:
        return len(self.gids)

    def load(self, rows: Iterable[tuple], lexicon: Lexicon) -> None:
        """Add store rows (id, form, lemma[, parts]) that follow the ones already read.
        Nothing is read while this process holds types the store does not have yet."""
        if len(self.gids) != self.saved:
            return
        self._lut = None
        for row in rows:
            i, form, lemma = row[:3]
            text = row[3] if len(row) > 3 else None
            if i != len(self.gids):
                raise ValueError("word-type ids in the store must be 0..n-1")
            parts = None if text is None else (tuple(text.split("\n")) if text else ())
            self.ids[form] = i
            self.gids.append(lexicon.intern(form, lemma, parts))
            if parts is None:
                self._no_parts.append(i)
        self.saved = self._written = len(self.gids)

    def _add(self, gid: int, form: str) -> int:
        sid = self.ids[form] = len(self.gids)
        self.gids.append(gid)
        if self._lut is not None and gid < len(self._lut):
            self._lut[gid] = sid
        return sid

    def store_ids(self, lexicon: Lexicon, gids: np.ndarray) -> np.ndarray:
        """Store ids of process-lexicon ids, adding unseen types to the table."""
        if not len(gids):
            return np.empty(0, dtype=np.uint32)
        size = max(len(lexicon), int(gids.max()) + 1)
        if self._lut is None or len(self._lut) < size:
            self._lut = np.full(max(size, 2 * len(self._lut) if self._lut is not None else 0), -1, dtype=np.int64)
            self._lut[np.asarray(self.gids, dtype=np.int64)] = np.arange(len(self.gids))
        lut = self._lut
        # the distinct unseen ids, ascending, by marking them (one pass; a sort of a
        # million ids took longer than the rest of packing)
        unseen = np.zeros(len(lut), dtype=bool)
        unseen[gids] = True
        unseen &= lut < 0
        for g in np.flatnonzero(unseen).tolist():   # types this table has not seen
            form = lexicon.forms[g]
            sid = self.ids.get(form)
            lut[g] = sid if sid is not None else self._add(g, form)
        return lut[gids].astype(np.uint32)

    def absorb(self, lexicon: Lexicon) -> "TypeTable":
        """Give store ids to the lexicon's other types too (codebook terms, the possible last
        parts of compounds the matcher lemmatised), so that later runs need no lemmatiser."""
        for g in range(self._absorbed, len(lexicon)):
            if lexicon.forms[g] not in self.ids:
                self._add(g, lexicon.forms[g])
        self._absorbed = len(lexicon)
        return self

    def unsaved(self, lexicon: Lexicon) -> tuple[list[tuple], list[tuple]]:
        """(new rows (id, form, lemma, parts), (id, parts) of stored rows whose compound
        parts were found since they were read) to write to the store."""
        rows = [(i, lexicon.forms[g], lexicon.lemmas[g], _parts_text(lexicon.compound_parts(g)))
                for i, g in enumerate(self.gids[self._written:], start=self._written)]
        parts = [(i, _parts_text(lexicon.parts[self.gids[i]])) for i in self._no_parts
                 if lexicon.parts[self.gids[i]] is not None]
        self._lexicon = lexicon
        return rows, parts

    def written(self, store) -> None:
        """The rows of the last :meth:`unsaved` were written to ``store``: they count as
        saved once its transaction commits; if it rolls back, the next :meth:`unsaved`
        gives them again (a failed run must not leave this table ahead of the store)."""
        upto, lexicon = len(self.gids), self._lexicon
        self._written = upto

        def done() -> None:
            self.saved = max(self.saved, upto)
            if lexicon is not None:
                self._no_parts = [i for i in self._no_parts if lexicon.parts[self.gids[i]] is None]

        def undone() -> None:
            self._written = self.saved

        store.after_commit(done, undone)

    def gid_array(self, lexicon: Optional[Lexicon] = None) -> np.ndarray:
        """Process-lexicon id of every store id."""
        if self._array is None or len(self._array) != len(self.gids):
            self._array = np.asarray(self.gids, dtype=np.int64)
        return self._array

"""Tokenisation (spaCy blank pipeline) plus lemmas: the annotation of a segment.

An :class:`Annotation` keeps, per token, its code-point offsets into the annotated
text and an id into a :class:`Lexicon` (the per-word-type cache of lowercase form →
lemma).  Token data live in numpy arrays so that matching a whole corpus is a few
vectorised look-ups instead of a Python loop per token.

>>> ann = Annotator("fi").annotate("Viestintä toimi, kiitos.")
>>> [(t.start, t.end, t.lower, t.lemma) for t in ann][:2]
[(0, 9, 'viestintä', 'viestintä'), (10, 15, 'toimi', 'toimia')]
>>> Annotation.from_bytes(ann.to_bytes()) == ann
True
"""
from __future__ import annotations

import re
import struct
from typing import Callable, Iterable, Iterator, NamedTuple, Optional, Sequence

import numpy as np

from .lemmatizers import Lemmatizer, cached_backend
from .lexicon import Lexicon, TypeTable

_MAGIC = b"QCA1"
_HEADER = struct.Struct("<IIIIBB")  # tokens, types, backend bytes, table bytes, itemsizes
# Texts are annotated in batches of about this many characters (or _BATCH_TEXTS texts)
# so that numpy's per-call overhead is paid per batch, not per text.
_BATCH_CHARS = 500_000
_BATCH_TEXTS = 2000


class Token(NamedTuple):
    """One token of an annotation (offsets are code points into the annotated text)."""

    start: int
    end: int
    lower: str
    lemma: str


class Annotation:
    """Tokens of one text: offsets, lowercase forms and lemmas (via a :class:`Lexicon`).

    >>> ann = Annotator("en").annotate("Updates were updated.")
    >>> ann.lemmas, ann.backend.startswith("simplemma")
    (['update', 'be', 'update', '.'], True)
    """

    __slots__ = ("starts", "ends", "type_ids", "lexicon")

    def __init__(self, starts: np.ndarray, ends: np.ndarray, type_ids: np.ndarray,
                 lexicon: Lexicon) -> None:
        self.starts = starts
        self.ends = ends
        self.type_ids = type_ids
        self.lexicon = lexicon

    @property
    def backend(self) -> str:
        """Version string of the lemmatiser that produced the lemmas."""
        return self.lexicon.backend

    def __len__(self) -> int:
        return len(self.type_ids)

    def __iter__(self) -> Iterator[Token]:
        forms, lemmas = self.lexicon.forms, self.lexicon.lemmas
        for s, e, g in zip(self.starts.tolist(), self.ends.tolist(), self.type_ids.tolist()):
            yield Token(s, e, forms[g], lemmas[g])

    @property
    def lowers(self) -> list[str]:
        forms = self.lexicon.forms
        return [forms[g] for g in self.type_ids.tolist()]

    @property
    def lemmas(self) -> list[str]:
        lemmas = self.lexicon.lemmas
        return [lemmas[g] for g in self.type_ids.tolist()]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Annotation):
            return NotImplemented
        return self.backend == other.backend and list(self) == list(other)

    def __repr__(self) -> str:
        return f"<Annotation {len(self)} tokens, {self.backend}>"

    def to_bytes(self) -> bytes:
        """Compact, self-contained serialisation (one blob per segment in the store)."""
        gids = self.type_ids.tolist()
        local = dict.fromkeys(gids)  # first-seen order keeps the blob deterministic
        for i, g in enumerate(local):
            local[g] = i
        forms, lemmas = self.lexicon.forms, self.lexicon.lemmas
        # Tokens never contain whitespace, so "\n" separates forms safely.
        table = ("\n".join(forms[g] for g in local) + "\x00"
                 + "\n".join(lemmas[g].replace("\n", " ") for g in local)).encode("utf-8")
        backend = self.backend.encode("utf-8")
        lengths = self.ends - self.starts
        len_size = 2 if len(lengths) == 0 or int(lengths.max()) < 65536 else 4
        id_size = 2 if len(local) < 65536 else 4
        ids = np.fromiter((local[g] for g in gids), dtype=np.int64, count=len(gids))
        return b"".join((
            _MAGIC,
            _HEADER.pack(len(gids), len(local), len(backend), len(table), len_size, id_size),
            backend, table,
            self.starts.astype("<u4").tobytes(),
            lengths.astype(f"<u{len_size}").tobytes(),
            ids.astype(f"<u{id_size}").tobytes(),
        ))

    @classmethod
    def from_bytes(cls, blob: bytes) -> "Annotation":
        """Inverse of :meth:`to_bytes`; interns the types into the backend's lexicon."""
        if blob[:4] != _MAGIC:
            raise ValueError("not a qualcode annotation blob (bad magic bytes)")
        pos = 4
        n, n_types, n_backend, n_table, len_size, id_size = _HEADER.unpack_from(blob, pos)
        pos += _HEADER.size
        backend = blob[pos:pos + n_backend].decode("utf-8")
        pos += n_backend
        table = blob[pos:pos + n_table].decode("utf-8")
        pos += n_table
        starts = np.frombuffer(blob, dtype="<u4", count=n, offset=pos).astype(np.int64)
        pos += 4 * n
        lengths = np.frombuffer(blob, dtype=f"<u{len_size}", count=n, offset=pos)
        pos += len_size * n
        ids = np.frombuffer(blob, dtype=f"<u{id_size}", count=n, offset=pos)
        lex = Lexicon.for_backend(backend)
        forms_s, lemmas_s = table.split("\x00")
        forms = forms_s.split("\n") if n_types else []
        lemmas = lemmas_s.split("\n") if n_types else []
        intern = lex.intern
        gids = np.array([intern(f, l) for f, l in zip(forms, lemmas)], dtype=np.int64)
        type_ids = gids[ids] if n else np.empty(0, dtype=np.int64)
        return cls(starts, starts + lengths, type_ids, lex)


class PackedAnnotations:
    """The annotations of many texts in flat arrays: token starts/ends (offsets into each
    text), word-type ids, and ``offsets[i]:offsets[i+1]`` the tokens of text ``i``.

    Behaves like a sequence of :class:`Annotation` (``len``, indexing, slicing), but matching
    reads the flat arrays directly, so no per-text objects are made.
    """

    __slots__ = ("starts", "ends", "type_ids", "offsets", "lexicon")

    def __init__(self, starts: np.ndarray, ends: np.ndarray, type_ids: np.ndarray,
                 offsets: np.ndarray, lexicon: Optional[Lexicon]) -> None:
        self.starts, self.ends, self.type_ids = starts, ends, type_ids
        self.offsets, self.lexicon = offsets, lexicon

    @classmethod
    def from_annotations(cls, anns: Sequence[Annotation]) -> "PackedAnnotations":
        empty = np.empty(0, dtype=np.int64)
        lengths = np.array([len(a) for a in anns], dtype=np.int64)
        offsets = np.concatenate(([0], np.cumsum(lengths)))
        if not len(anns) or not lengths.sum():
            return cls(empty, empty, empty, offsets, anns[0].lexicon if anns else None)
        cat = np.concatenate
        return cls(cat([a.starts for a in anns]), cat([a.ends for a in anns]),
                   cat([a.type_ids for a in anns]), offsets, anns[0].lexicon)

    @classmethod
    def concat(cls, parts: Sequence["PackedAnnotations"]) -> "PackedAnnotations":
        if len(parts) == 1:
            return parts[0]
        sizes = [len(p.type_ids) for p in parts]
        shifts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        offsets = np.concatenate([[0]] + [p.offsets[1:] + shift for p, shift in zip(parts, shifts)])
        cat = np.concatenate
        return cls(cat([p.starts for p in parts]), cat([p.ends for p in parts]),
                   cat([p.type_ids for p in parts]), offsets, parts[0].lexicon if parts else None)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, item):
        if isinstance(item, slice):
            lo, hi, step = item.indices(len(self))
            if step != 1:
                raise ValueError("PackedAnnotations slices must be contiguous")
            a, b = int(self.offsets[lo]), int(self.offsets[hi]) if hi > lo else int(self.offsets[lo])
            return PackedAnnotations(self.starts[a:b], self.ends[a:b], self.type_ids[a:b],
                                     self.offsets[lo:max(hi, lo) + 1] - a, self.lexicon)
        a, b = int(self.offsets[item]), int(self.offsets[item + 1])
        return Annotation(self.starts[a:b], self.ends[a:b], self.type_ids[a:b], self.lexicon)

    def select(self, rows: Sequence[int]) -> "PackedAnnotations":
        """The texts at positions ``rows`` (in that order), still packed."""
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) == len(self) and bool(np.all(rows == np.arange(len(self)))):
            return self   # every text in order (a first coding's run): nothing to copy
        lengths = self.offsets[rows + 1] - self.offsets[rows]
        offsets = np.concatenate(([0], np.cumsum(lengths)))
        if len(rows) and bool(np.all(rows[1:] > rows[:-1])):
            # rows in order (the usual case: a run's segments follow the stored order), so a
            # mask keeps their tokens: cheaper than gathering them one by one
            keep = np.zeros(len(self), dtype=bool)
            keep[rows] = True
            tokens = np.repeat(keep, np.diff(self.offsets))
            return PackedAnnotations(self.starts[tokens], self.ends[tokens], self.type_ids[tokens],
                                     offsets, self.lexicon)
        # token positions of the chosen texts, in order, without a Python loop
        token_idx = np.repeat(self.offsets[rows] - offsets[:-1], lengths) + np.arange(offsets[-1])
        return PackedAnnotations(self.starts[token_idx], self.ends[token_idx], self.type_ids[token_idx],
                                 offsets, self.lexicon)


# Terms made only of these letters are one token for spaCy unless its tokenizer has a special
# case for them: no prefix, suffix or infix rule of the Finnish or English tokenizer matches a
# letter (tests/test_nlp.py checks this against spaCy on the demo corpus).
_PLAIN_WORD = re.compile(r"[a-zA-ZåäöÅÄÖšžŠŽéÉüÜõÕ]+")


class Annotator:
    """Tokenise with spaCy's blank pipeline and lemmatise with a registered backend.

    spaCy and the backend's dictionary are loaded on first use: a re-run that finds every
    text annotated in the project store (``word_types``: the store, which keeps each word
    type's lemma per backend) loads neither.

    >>> a = Annotator("fi", lemmatizer="simplemma")
    >>> [t.lemma for t in a.annotate("Tilannepäivityksiä tuli.")]
    ['tilannepäivitys', 'tulla', '.']
    """

    def __init__(self, lang: str = "fi", lemmatizer: str | Lemmatizer = "simplemma",
                 word_types=None) -> None:
        self.lang = lang
        self.lemmatizer = cached_backend(lemmatizer, lang)
        self.lexicon = Lexicon.for_backend(self.lemmatizer.version, self.lemmatizer)
        self.word_types = word_types
        self._nlp = None
        self._types: dict[int, object] = {}   # id(store) -> its TypeTable
        self._term_cache: dict[str, tuple[tuple, tuple]] = {}
        self._known_terms: Optional[dict[str, list[str]]] = None
        self._specials: Optional[frozenset[str]] = None
        # spaCy LOWER hashes met by this annotator (sorted) and their lexicon ids
        self._hash_ids: tuple[np.ndarray, np.ndarray] = (np.empty(0, np.uint64), np.empty(0, np.int64))

    @property
    def backend(self) -> str:
        return self.lemmatizer.version

    @property
    def nlp(self):
        """spaCy's blank pipeline of the language (its tokenizer only: no model, no download)."""
        if self._nlp is None:
            import spacy

            from .cache import save_tokenizer_specials

            self._nlp = spacy.blank(self.lang)
            save_tokenizer_specials(self.lang, self._nlp.tokenizer.rules)
        return self._nlp

    @property
    def tokenizer(self):
        return self.nlp.tokenizer

    def type_table(self, store=None):
        """The :class:`~qualcode.nlp.packing.TypeTable` of ``store`` (default: the
        annotator's ``word_types``) for this backend, its types interned into the lexicon;
        read once, then only the rows added since."""
        store = store if store is not None else self.word_types
        table = self._types.get(id(store))
        if table is None:
            table = self._types[id(store)] = TypeTable()
        table.load(store.word_types(self.backend, since=table.saved), self.lexicon)
        return table

    def lemma(self, word: str) -> str:
        """The lowercase lemma of one word: from the project store when it knows the word
        type, else from the backend (loaded on first use)."""
        form = word.lower()
        if form not in self.lexicon.ids and self.word_types is not None and id(self.word_types) not in self._types:
            self.type_table()
        return self.lexicon.lemma(form)

    def term_tokens(self, term: str) -> tuple[tuple, tuple]:
        """(lemmas, lowercase forms) of the tokens of a codebook term.  Plain words split at
        spaces need no tokenizer (see :data:`_PLAIN_WORD`), and the tokens of other terms are
        kept in the per-machine cache, so re-coding after a codebook edit loads spaCy only
        for a new term with punctuation or digits.

        >>> Annotator("fi").term_tokens("Laskuja")
        (('lasku',), ('laskuja',))
        """
        hit = self._term_cache.get(term)
        if hit is None:
            forms = self._term_forms(term)
            hit = self._term_cache[term] = (tuple(self.lexicon.lemma(f) for f in forms), forms)
        return hit

    def prepare_terms(self, terms: Iterable[str]) -> None:
        """Tokenise, in one batch, the codebook terms that need the tokenizer and are not in
        the per-machine cache yet, and add them to the cache in one write: term by term, a
        codebook of thousands of such terms rewrote the cache file thousands of times.

        >>> a = Annotator("fi"); a.prepare_terms(["(palvelu)", "laskuja"])
        >>> a.term_tokens("(palvelu)")
        (('(', 'palvelu', ')'), ('(', 'palvelu', ')'))
        """
        from .cache import read_term_tokens, save_term_tokens

        if self._known_terms is None:
            self._known_terms = {}
        tokenised = [t for t in dict.fromkeys(terms) if t not in self._known_terms and self._plain_forms(t) is None]
        self._known_terms.update(read_term_tokens(self.lang, tokenised) if tokenised else {})
        new = [t for t in tokenised if t not in self._known_terms]
        if not new:
            return
        for term, annotation in zip(new, self.annotate_many(new)):
            self._known_terms[term] = annotation.lowers
        save_term_tokens(self.lang, {t: self._known_terms[t] for t in new})

    def _plain_forms(self, term: str) -> Optional[tuple[str, ...]]:
        """The lowercase words of a term the tokenizer would not split further, else None."""
        chunks = [c for c in term.split(" ") if c]
        if all(self._is_one_token(c) for c in chunks):
            return tuple(c.lower() for c in chunks)
        return None

    def _term_forms(self, term: str) -> tuple[str, ...]:
        plain = self._plain_forms(term)
        if plain is not None:
            return plain
        if term not in (self._known_terms or {}):
            self.prepare_terms([term])
        return tuple(self._known_terms[term])

    def _is_one_token(self, word: str) -> bool:
        """Whether spaCy's tokenizer keeps ``word`` (no spaces) as one token, known without
        loading spaCy once its special cases are in the per-machine cache."""
        if not _PLAIN_WORD.fullmatch(word):
            return False
        if self._nlp is not None:
            return word not in self._nlp.tokenizer.rules
        from .cache import read_tokenizer_specials

        if self._specials is None:
            self._specials = read_tokenizer_specials(self.lang)
        if self._specials is None:   # not cached on this machine yet: ask the tokenizer (and cache)
            return word not in self.nlp.tokenizer.rules
        return word not in self._specials

    def annotate(self, text: str) -> Annotation:
        """Annotation of one text."""
        return self.annotate_many([text])[0]

    def annotate_many(self, texts: Iterable[str],
                      progress: Optional[Callable[[int], object]] = None) -> list[Annotation]:
        """Annotations of many texts, in order.

        ``progress`` (e.g. ``tqdm.update``) is called with the number of texts finished
        since its previous call.
        """
        packed = self.annotate_packed(texts, progress)
        return [packed[i] for i in range(len(packed))]

    def annotate_packed(self, texts: Iterable[str],
                        progress: Optional[Callable[[int], object]] = None) -> PackedAnnotations:
        """:meth:`annotate_many` as one :class:`PackedAnnotations`: the tokens of all texts in
        flat arrays, made batch by batch without an object per text.

        >>> packed = Annotator("fi").annotate_packed(["Laskut tulivat.", "", "Kiitos!"])
        >>> len(packed), packed.offsets.tolist(), packed[2].lemmas
        (3, [0, 3, 3, 5], ['kiitos', '!'])
        """
        parts: list[tuple[np.ndarray, ...]] = []
        batch: list[str] = []
        size = 0
        for text in texts:
            batch.append(text)
            size += len(text) + 1
            if size >= _BATCH_CHARS or len(batch) >= _BATCH_TEXTS:
                parts.append(self._annotate_batch(batch))
                if progress is not None:
                    progress(len(batch))
                batch, size = [], 0
        if batch or not parts:
            parts.append(self._annotate_batch(batch))
            if progress is not None and batch:
                progress(len(batch))
        starts, ends, gids, counts = (np.concatenate(column) for column in zip(*parts))
        offsets = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        return PackedAnnotations(starts, ends, gids, offsets, self.lexicon)

    def _annotate_batch(self, texts: Sequence[str]) -> tuple[np.ndarray, ...]:
        """(token starts, ends, lexicon ids, tokens per text) of a batch of texts, whitespace
        tokens left out."""
        # One Doc per text: spaCy's tokenizer stops caching for the rest of a Doc once
        # it meets a special case, so joining texts into one Doc would be much slower.
        # The numpy work below is done once per batch, not once per text.
        from spacy.attrs import IDX, IS_SPACE, LENGTH, LOWER

        empty = np.empty(0, dtype=np.int64)
        if not texts:
            return empty, empty, empty, empty
        tokenizer = self.tokenizer
        attrs = [LOWER, IDX, LENGTH, IS_SPACE]
        arrays = [doc.to_array(attrs) for doc in tokenizer.pipe(texts)]
        counts = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=len(arrays))
        if not counts.sum():
            return empty, empty, empty, np.zeros(len(texts), dtype=np.int64)
        arr = np.concatenate([a for a in arrays if len(a)])
        keep = arr[:, 3] == 0  # whitespace tokens carry nothing to match
        seg = np.repeat(np.arange(len(texts)), counts)[keep]
        arr = arr[keep]
        starts = arr[:, 1].astype(np.int64)
        ends = starts + arr[:, 2].astype(np.int64)
        # Lemmatise each distinct form of the batch once (and each form once per process).
        uniq, first, inverse = np.unique(arr[:, 0], return_index=True, return_inverse=True)
        lemmas = self._lemmas_in_context(texts, uniq, seg[first]) if self.lemmatizer.contextual else None
        gids = self._gids_of_hashes(uniq, lemmas)[inverse.reshape(-1)]
        return starts, ends, gids, np.bincount(seg, minlength=len(texts))

    def _gids_of_hashes(self, uniq: np.ndarray, lemmas: Optional[dict[str, str]]) -> np.ndarray:
        """Lexicon ids of sorted distinct spaCy LOWER hashes: those this annotator met before
        by one sorted look-up, only the new ones through the lexicon (a Python step each)."""
        keys, values = self._hash_ids
        pos = np.minimum(np.searchsorted(keys, uniq), max(len(keys) - 1, 0))
        known = keys[pos] == uniq if len(keys) else np.zeros(len(uniq), dtype=bool)
        out = np.empty(len(uniq), dtype=np.int64)
        out[known] = values[pos[known]]
        if not known.all():
            new = uniq[~known]
            out[~known] = fresh = self.lexicon.intern_hashes(new, self.tokenizer.vocab.strings, lemmas)
            keys, values = np.concatenate((keys, new)), np.concatenate((values, fresh))
            order = np.argsort(keys, kind="stable")
            self._hash_ids = (keys[order], values[order])
        return out

    def _lemmas_in_context(self, texts: Sequence[str], uniq: np.ndarray,
                           first_text: np.ndarray) -> dict[str, str]:
        """Lemmas of the batch's new word types from a contextual backend: only the texts
        where a new type first occurs go through its pipeline, each type taking the lemma
        of its first occurrence there."""
        new = set(self.lexicon.new_hashes(uniq))
        if not new:
            return {}
        strings = self.tokenizer.vocab.strings
        wanted = {strings[h] for h in new}
        chosen = sorted({t for h, t in zip(uniq.tolist(), first_text.tolist()) if h in new})
        lemmas: dict[str, str] = {}
        for tokens in self.lemmatizer.lemmas_in_texts([texts[i] for i in chosen]):
            for form, lemma in tokens:
                if form in wanted and form not in lemmas:
                    lemmas[form] = lemma
        return lemmas

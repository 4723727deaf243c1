"""Pack the annotations of one source into one blob, with word types kept apart.

A project store keeps one blob per source version and one shared table of word types
(form, lemma) per NLP backend.  A blob holds only integer arrays (segment ids, tokens per
segment, token starts and lengths, word-type ids), so loading a whole corpus for a
re-code is a handful of ``numpy.frombuffer`` calls per source instead of Python work per
token: this is what makes re-coding with a changed codebook cheap.

>>> from qualcode.nlp import Annotator
>>> a = Annotator("fi")
>>> anns = a.annotate_many(["Viestintä toimi.", "Laskut tulivat."])
>>> types = TypeTable()
>>> blob = pack([10, 11], anns, types)
>>> seg_ids, back = unpack_packed(blob, types.gid_array(a.lexicon), a.lexicon)
>>> seg_ids, [back[i].lemmas for i in range(len(back))] == [x.lemmas for x in anns]
([10, 11], True)
"""
from __future__ import annotations

import struct
from typing import Optional, Sequence

import numpy as np

from .annotate import Annotation
from .lexicon import Lexicon, TypeTable

__all__ = ["PackedAnnotations", "TypeTable", "pack", "unpack_packed"]

_MAGIC = b"QCS1"
_HEAD = struct.Struct("<II")   # segments, tokens


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


def pack(segment_ids: Sequence[int], annotations: Sequence[Annotation], types: TypeTable) -> bytes:
    """One blob for the annotations of a source's segments (in the given order)."""
    counts = np.array([len(a) for a in annotations], dtype="<u4")
    if len(annotations) and counts.sum():
        starts = np.concatenate([a.starts for a in annotations])
        lengths = np.concatenate([a.ends - a.starts for a in annotations])
        tids = types.store_ids(annotations[0].lexicon, np.concatenate([a.type_ids for a in annotations]))
    else:
        starts = lengths = tids = np.empty(0, dtype=np.int64)
    return b"".join((_MAGIC, _HEAD.pack(len(annotations), int(counts.sum())),
                     np.asarray(segment_ids, dtype="<i8").tobytes(), counts.tobytes(),
                     starts.astype("<u4").tobytes(), lengths.astype("<u4").tobytes(),
                     tids.astype("<u4").tobytes()))


def unpack_packed(blob: bytes, gid_of_store_id: np.ndarray, lexicon: Lexicon) -> tuple[list[int], PackedAnnotations]:
    """Inverse of :func:`pack`: the segment ids and their annotations, kept in flat arrays
    (``packed[i]`` is the :class:`Annotation` of the i-th segment)."""
    if blob[:4] != _MAGIC:
        raise ValueError("not a qualcode source-annotation blob")
    n_seg, n_tok = _HEAD.unpack_from(blob, 4)
    pos = 4 + _HEAD.size
    seg_ids = np.frombuffer(blob, "<i8", n_seg, pos)
    pos += 8 * n_seg
    counts = np.frombuffer(blob, "<u4", n_seg, pos)
    pos += 4 * n_seg
    starts = np.frombuffer(blob, "<u4", n_tok, pos).astype(np.int64)
    pos += 4 * n_tok
    ends = starts + np.frombuffer(blob, "<u4", n_tok, pos)
    pos += 4 * n_tok
    tids = gid_of_store_id[np.frombuffer(blob, "<u4", n_tok, pos)] if n_tok else np.empty(0, np.int64)
    offsets = np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))
    return seg_ids.tolist(), PackedAnnotations(starts, ends, tids, offsets, lexicon)

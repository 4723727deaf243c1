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

from .annotate import PackedAnnotations
from .lexicon import Lexicon, TypeTable

__all__ = ["PackedAnnotations", "TypeTable", "pack", "pack_sources", "unpack_packed"]

_MAGIC = b"QCS1"
_HEAD = struct.Struct("<II")   # segments, tokens


def pack(segment_ids: Sequence[int], annotations, types: TypeTable,
         store_ids: Optional[np.ndarray] = None) -> bytes:
    """One blob for the annotations of a source's segments (in the given order):
    a :class:`PackedAnnotations` (its flat arrays are written as they are) or a sequence
    of :class:`Annotation`.  ``store_ids`` are the tokens' word-type ids in ``types`` when
    the caller has them already (:func:`pack_sources`)."""
    if not isinstance(annotations, PackedAnnotations):
        annotations = PackedAnnotations.from_annotations(list(annotations))
    counts = np.diff(annotations.offsets).astype("<u4")
    n_tokens = len(annotations.type_ids)
    if n_tokens:
        starts = annotations.starts
        lengths = annotations.ends - starts
        tids = store_ids if store_ids is not None else types.store_ids(annotations.lexicon, annotations.type_ids)
    else:
        starts = lengths = tids = np.empty(0, dtype=np.int64)
    return b"".join((_MAGIC, _HEAD.pack(len(annotations), n_tokens),
                     np.asarray(segment_ids, dtype="<i8").tobytes(), counts.tobytes(),
                     starts.astype("<u4").tobytes(), lengths.astype("<u4").tobytes(),
                     tids.astype("<u4").tobytes()))


def pack_sources(sources: Sequence[tuple[int, Sequence[int], PackedAnnotations]],
                 types: TypeTable) -> list[tuple[int, bytes]]:
    """(source id, :func:`pack` blob) of each (source id, segment ids, annotations), the
    store ids of all their tokens found in one pass (not one sort per source).

    >>> from qualcode.nlp import Annotator
    >>> packed = Annotator("fi").annotate_packed(["Laskut tulivat.", "Kiitos!"])
    >>> types = TypeTable()
    >>> blobs = pack_sources([(1, [10], packed[:1]), (2, [11], packed[1:])], types)
    >>> seg_ids, back = unpack_packed(blobs[1][1], types.gid_array(), packed.lexicon)
    >>> [sid for sid, _ in blobs], seg_ids, back[0].lemmas
    ([1, 2], [11], ['kiitos', '!'])
    """
    if not sources:
        return []
    lexicon = sources[0][2].lexicon
    all_ids = types.store_ids(lexicon, np.concatenate([p.type_ids for _, _, p in sources]))
    bounds = np.cumsum([0] + [len(p.type_ids) for _, _, p in sources]).tolist()
    return [(sid, pack(seg_ids, p, types, all_ids[bounds[k]:bounds[k + 1]]))
            for k, (sid, seg_ids, p) in enumerate(sources)]


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

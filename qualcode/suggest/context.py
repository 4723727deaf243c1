"""What a segment means depends on its neighbours: a short answer ("Yes, weekly would be
good.") needs the turns around it, and every answer the interviewer's question before it.

:func:`context_matrix` is a mixing matrix ``M`` (one row per segment, in source order) so that
``M @ vectors`` are the segment vectors with their context; the cached vectors stay those of
the segments alone.

>>> m = context_matrix([1, 1, 1], [True, False, False], [6, 3, 40])
>>> m.toarray().round(2).tolist()
[[1.0, 0.0, 0.0], [0.3, 1.0, 0.5], [0.3, 0.0, 1.0]]
"""
from __future__ import annotations

from scipy import sparse

#: a turn shorter than this (in words) gets the segments before and after it as context
SHORT_WORDS = 15
NEIGHBOUR_WEIGHT = 0.5
QUESTION_WEIGHT = 0.3


def context_matrix(source_ids: list[int], is_interviewer: list[bool], words: list[int]) -> sparse.csr_matrix:
    """Rows mix each segment with the interviewer's latest question before it (same source)
    and, for short segments, the segments on either side that are not that question."""
    n = len(source_ids)
    rows, cols, vals = list(range(n)), list(range(n)), [1.0] * n
    question = None
    for i in range(n):
        if i and source_ids[i] != source_ids[i - 1]:
            question = None
        if is_interviewer[i]:
            question = i
            continue
        if question is not None:
            rows.append(i), cols.append(question), vals.append(QUESTION_WEIGHT)
        if words[i] < SHORT_WORDS:
            for j in (i - 1, i + 1):
                if 0 <= j < n and source_ids[j] == source_ids[i] and j != question:
                    rows.append(i), cols.append(j), vals.append(NEIGHBOUR_WEIGHT)
    return sparse.csr_matrix((vals, (rows, cols)), shape=(n, n))

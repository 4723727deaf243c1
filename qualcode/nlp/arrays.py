"""Small numpy helpers for the token arrays."""
from __future__ import annotations

import numpy as np


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted: ``np.unique(values)`` by one sort.  numpy 2's plain
    ``np.unique`` goes through a hash table, which on a million mostly distinct integers
    took about a second where a sort takes 0.06 s.

    >>> sorted_unique(np.array([3, 1, 3, 2, 1])).tolist()
    [1, 2, 3]
    """
    ordered = np.sort(np.asarray(values), kind="stable")
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]

"""Code vectors that learn from decisions, and the ranking of codes per segment.

A code's vector starts as its description and keywords.  Every segment a researcher coded
with it (accepted or added) is an example: the code's vector moves to the mean of its
examples, and a segment also scores by its nearest example.  Every rejection is a
counter-example the code's vector moves away from, and a rejected code is never ranked for
that segment again.  Scores are standardised per code over the project's segments, so that
codes whose descriptions happen to resemble everything do not crowd the others out; the
threshold a code needs is fitted on the segments already reviewed.

>>> import numpy as np
>>> segs = np.eye(3, dtype=np.float32)             # three segments, each its own direction
>>> codes = np.array([[1, .2, 0], [0, 0, 1]], dtype=np.float32)
>>> model = CodeModel(segs, [10, 11, 12], codes, ["price", "speed"],
...                   Decisions({"speed": {11}}, {"price": {10}}, {10, 11}))
>>> ranking = model.rank()
>>> ranking.top(1)       # segment 10: price was rejected there; 11: it is an example of speed
{10: ['speed'], 11: ['price'], 12: ['speed']}
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional

import numpy as np
from scipy import sparse

from ..model import DECISION_STATUS
from .backends import unit_rows

#: how far a rejection pushes a code's vector away (relative to the mean of its examples)
NEGATIVE_WEIGHT = 0.5
#: share of the nearest-example similarity in the score of a code that has examples
NEAREST_SHARE = 0.5
#: the standardised score a code needs when nothing has been reviewed yet
DEFAULT_THRESHOLD = 2.5
#: the best code of a segment needs at most this standardised score
TOP_THRESHOLD = 1.5
#: a code needs this many examples among the reviewed segments to get a threshold of its own
OWN_THRESHOLD_MIN = 3


@dataclass
class Decisions:
    """What the researcher decided: code → segments coded with it (accepted or added), code →
    segments where it was rejected, and the segments reviewed (all their codes are known)."""

    positives: dict[str, set] = field(default_factory=dict)
    negatives: dict[str, set] = field(default_factory=dict)
    reviewed: set = field(default_factory=set)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[int, str, str]]) -> "Decisions":
        """From ``(segment id, code id, status)`` of human codings; a later row of the same
        segment and code wins (so feed them oldest first)."""
        latest: dict[tuple[int, str], str] = {}
        for seg, code, status in rows:
            latest[(int(seg), code)] = status
        out = cls()
        for (seg, code), status in latest.items():
            target = out.negatives if status == DECISION_STATUS["reject"] else out.positives
            target.setdefault(code, set()).add(seg)
            out.reviewed.add(seg)
        return out


def _dense(x) -> np.ndarray:
    return np.asarray(x.todense() if sparse.issparse(x) else x, dtype=np.float32)


def _mean_row(vectors, rows: list[int]) -> np.ndarray:
    return _dense(vectors[rows].mean(axis=0)).ravel()


@dataclass
class Ranking:
    """Standardised scores (segments × codes; ``-inf`` where a code may not be suggested),
    the per-code thresholds and the nearest example behind each score."""

    segment_ids: list[int]
    code_ids: list[str]
    scores: np.ndarray
    thresholds: np.ndarray
    nearest: np.ndarray        # segment id of the code's nearest example (-1: none)
    similarity: np.ndarray     # cosine to the code's vector

    def order(self) -> np.ndarray:
        return np.argsort(-self.scores, axis=1, kind="stable")

    def top(self, k: int) -> dict[int, list[str]]:
        """segment id → its ``k`` best codes, best first."""
        order = self.order()[:, :k]
        return {s: [self.code_ids[j] for j in order[i] if np.isfinite(self.scores[i, j])]
                for i, s in enumerate(self.segment_ids)}

    def predicted(self, top_k: int = 3) -> dict[int, set]:
        """segment id → the codes among its ``top_k`` best whose score reaches the threshold."""
        out = {}
        for i, s in enumerate(self.segment_ids):
            best = np.argsort(-self.scores[i], kind="stable")[:top_k]
            # the best code counts once it is clearly above the segment's average (the
            # thresholds, fitted on reviewed segments that shaped the code vectors, run high)
            out[s] = {self.code_ids[j] for n, j in enumerate(best)
                      if self.scores[i, j] >= (min(self.thresholds[j], TOP_THRESHOLD) if n == 0 else self.thresholds[j])}
        return out

    def rows(self, top_k: int = 3) -> list[dict]:
        """The suggestions to store: per segment the codes above threshold among its best
        ``top_k``, with their evidence."""
        out = []
        order = self.order()
        for i, s in enumerate(self.segment_ids):
            for rank, j in enumerate(order[i, :top_k], start=1):
                if np.isfinite(self.scores[i, j]) and self.scores[i, j] >= self.thresholds[j]:
                    out.append({"segment_id": s, "code_id": self.code_ids[j], "rank": rank,
                                "score": float(self.scores[i, j]), "threshold": float(self.thresholds[j]),
                                "similarity": float(self.similarity[i, j]), "nearest": int(self.nearest[i, j])})
        return out


class CodeModel:
    """Code vectors from descriptions and decisions over one project's segment vectors."""

    def __init__(self, segment_vectors, segment_ids: list[int], code_vectors: np.ndarray,
                 code_ids: list[str], decisions: Optional[Decisions] = None) -> None:
        self.vectors = segment_vectors
        self.segment_ids = [int(s) for s in segment_ids]
        self.row = {s: i for i, s in enumerate(self.segment_ids)}
        self.code_vectors = _dense(code_vectors)
        self.code_ids = list(code_ids)
        self.decisions = decisions or Decisions()

    def _rows(self, segs) -> list[int]:
        return sorted(self.row[s] for s in segs if s in self.row)

    def prototypes(self) -> np.ndarray:
        """Each code's vector: description (+ mean of its examples − a share of the mean of its
        counter-examples), unit length."""
        out = self.code_vectors.copy()
        for j, code in enumerate(self.code_ids):
            pos = self._rows(self.decisions.positives.get(code, ()))
            neg = self._rows(self.decisions.negatives.get(code, ()))
            if pos:
                out[j] = out[j] + _mean_row(self.vectors, pos) * 2.0
            if neg:
                out[j] = out[j] - NEGATIVE_WEIGHT * _mean_row(self.vectors, neg)
        return unit_rows(out)

    def _nearest(self, j: int, code: str) -> tuple[np.ndarray, np.ndarray]:
        """Similarity of every segment to the code's nearest example (not itself) and that
        example's segment id."""
        n = len(self.segment_ids)
        pos = self._rows(self.decisions.positives.get(code, ()))
        if not pos:
            return np.full(n, np.nan, dtype=np.float32), np.full(n, -1)
        sims = _dense(self.vectors @ self.vectors[pos].T)
        sims[pos, np.arange(len(pos))] = -np.inf      # an example is not its own evidence
        best = np.argmax(sims, axis=1)
        ids = np.array(self.segment_ids)[np.array(pos)[best]]
        return sims[np.arange(n), best], ids

    def rank(self) -> Ranking:
        """Scores of every code on every segment, standardised per code, with thresholds."""
        similarity = _dense(self.vectors @ self.prototypes().T)
        raw = similarity.copy()
        nearest = np.full(raw.shape, -1)
        for j, code in enumerate(self.code_ids):
            sims, ids = self._nearest(j, code)
            if (ids != -1).any():
                usable = np.isfinite(sims)
                raw[usable, j] = (1 - NEAREST_SHARE) * raw[usable, j] + NEAREST_SHARE * sims[usable]
                nearest[:, j] = ids
        mean, std = raw.mean(axis=0), raw.std(axis=0)
        scores = (raw - mean) / np.where(std > 0, std, 1.0)
        thresholds = self._thresholds(scores)
        self._mask_decided(scores)
        return Ranking(self.segment_ids, self.code_ids, scores, thresholds, nearest, similarity)

    def _mask_decided(self, scores: np.ndarray) -> None:
        """A code already decided on a segment (coded or rejected) is not suggested there."""
        col = {c: j for j, c in enumerate(self.code_ids)}
        for table in (self.decisions.positives, self.decisions.negatives):
            for code, segs in table.items():
                if code in col:
                    scores[self._rows(segs), col[code]] = -np.inf

    def _thresholds(self, scores: np.ndarray) -> np.ndarray:
        """Thresholds fitted on the reviewed segments (see :func:`fit_thresholds`)."""
        reviewed = self._rows(self.decisions.reviewed)
        if not reviewed:
            return np.full(len(self.code_ids), DEFAULT_THRESHOLD)
        local = {r: i for i, r in enumerate(reviewed)}
        truth = np.zeros((len(reviewed), len(self.code_ids)), dtype=bool)
        for j, code in enumerate(self.code_ids):
            for r in self._rows(self.decisions.positives.get(code, ())):
                if r in local:
                    truth[local[r], j] = True
        return fit_thresholds(scores[reviewed], truth)


#: the thresholds tried (standardised scores)
GRID = np.round(np.arange(0.0, 6.01, 0.1), 2)


def _f1(tp, fp, fn):
    return np.where(tp > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)


def fit_thresholds(scores: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Per code the threshold with the best F1 on the reviewed segments, halfway towards the
    threshold that is best for all codes together; codes with fewer than
    ``OWN_THRESHOLD_MIN`` examples take the shared one.

    >>> s = np.array([[3.0, 0.1], [0.2, 2.0], [2.5, 0.0], [0.1, 0.3]])
    >>> t = np.array([[True, False], [False, True], [True, False], [False, False]])
    >>> fit_thresholds(s, t).tolist()
    [0.4, 0.4]
    """
    pred = scores[:, :, None] >= GRID[None, None, :]          # segment × code × threshold
    tp = (pred & truth[:, :, None]).sum(axis=0)
    fp = (pred & ~truth[:, :, None]).sum(axis=0)
    fn = (~pred & truth[:, :, None]).sum(axis=0)
    shared = GRID[int(np.argmax(_f1(tp.sum(0), fp.sum(0), fn.sum(0))))]
    own = GRID[np.argmax(_f1(tp, fp, fn), axis=1)]
    enough = truth.sum(axis=0) >= OWN_THRESHOLD_MIN
    return np.where(enough, (own + shared) / 2, shared)

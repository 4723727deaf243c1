"""Code vectors that learn from decisions, and the ranking of codes per segment.

A code's vector starts as its description and keywords.  Every segment a researcher coded
with it (accepted or added) is an example: the code's vector moves by how its examples differ
from the other reviewed segments, and a segment also scores by its nearest example.  Every rejection is a
counter-example the code's vector moves away from, and a rejected code is never ranked for
that segment again.  A ridge regression of each code's decisions on the reviewed segments
learns what a code is not from the segments reviewed without it, and each code's keyword
hits count by how often they were right there.  Scores are standardised per code over the
project's segments, so that codes whose descriptions happen to resemble everything do not
crowd the others out; the threshold a code needs is fitted on the segments already reviewed.

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

import re
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
#: a code's own threshold counts as much as the one shared by all codes once it has this many
#: examples among the reviewed segments (fewer: the shared one counts more)
THRESHOLD_PRIOR = 4
#: what a keyword hit of a code adds to its standardised score when nothing is reviewed yet
#: (one standard deviation: the keyword coder's rules are the codebook author's own evidence)
KEYWORD_WEIGHT = 1.0
#: the keyword weights tried on the reviewed segments
KEYWORD_GRID = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
#: the shares of the nearest example tried on the reviewed segments
SHARE_GRID = (0.0, 0.25, 0.5)
#: the regularisations of the ridge scores tried
RIDGE = (0.3, 1.0, 3.0)
#: the weights of the ridge scores tried
RIDGE_GRID = (0.0, 0.5, 1.0, 2.0)
#: how many hits of a code's keywords count as all codes' precision before its own counts
TRUST_PRIOR = 10.0
#: reviewed segments needed before the share, the keyword weight and the thresholds are fitted
FIT_MIN = 20


def evidence_rule(backend: str, row: dict, keywords: Optional[str] = None) -> str:
    """The rule stored with a ranked suggestion: its score first, then the evidence.

    >>> rule = evidence_rule("bm25", {"score": 2.345, "threshold": 1.5, "similarity": .41, "nearest": 12})
    >>> rule, rule_score(rule), rule_score("keyword:hinta")
    ('bm25 score 2.35 (threshold 1.50); similarity 0.41; nearest example segment 12', 2.35, None)
    """
    parts = [f"{backend} score {row['score']:.2f} (threshold {row['threshold']:.2f})",
             f"similarity {row['similarity']:.2f}"]
    if row["nearest"] >= 0:
        parts.append(f"nearest example segment {row['nearest']}")
    if keywords:
        parts.append(keywords)
    return "; ".join(parts)


_RULE_SCORE = re.compile(r"^\S+ score (-?\d+(?:\.\d+)?) \(")


def rule_score(rule) -> Optional[float]:
    """The score in a rule written by :func:`evidence_rule` (None for any other rule)."""
    match = _RULE_SCORE.match(rule) if isinstance(rule, str) else None
    return float(match.group(1)) if match else None


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


def _standardised(raw: np.ndarray) -> np.ndarray:
    """Columns (codes) shifted and scaled to mean 0 and standard deviation 1."""
    mean, std = raw.mean(axis=0), raw.std(axis=0)
    return (raw - mean) / np.where(std > 0, std, 1.0)


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

    def chosen(self, i: int, top_k: int = 3) -> list[tuple[int, int]]:
        """(rank from 1, code column) of the codes suggested for segment row ``i``: those
        among its ``top_k`` best whose score reaches the threshold.  The best code counts
        once it is clearly above the segment's average (:data:`TOP_THRESHOLD`): the
        thresholds, fitted on reviewed segments that shaped the code vectors, run high."""
        best = np.argsort(-self.scores[i], kind="stable")[:top_k]
        return [(n + 1, int(j)) for n, j in enumerate(best)
                if np.isfinite(self.scores[i, j]) and self.scores[i, j] >= (
                    min(self.thresholds[j], TOP_THRESHOLD) if n == 0 else self.thresholds[j])]

    def predicted(self, top_k: int = 3) -> dict[int, set]:
        """segment id → the codes :meth:`chosen` for it (what ``suggest`` stores)."""
        return {s: {self.code_ids[j] for _, j in self.chosen(i, top_k)} for i, s in enumerate(self.segment_ids)}

    def rows(self, top_k: int = 3) -> list[dict]:
        """The suggestions to store: per segment the codes :meth:`chosen` for it, with their
        evidence — the same codes :meth:`predicted` gives to ``evaluate``."""
        out = []
        for i, s in enumerate(self.segment_ids):
            for rank, j in self.chosen(i, top_k):
                out.append({"segment_id": s, "code_id": self.code_ids[j], "rank": rank,
                            "score": float(self.scores[i, j]), "threshold": float(self.thresholds[j]),
                            "similarity": float(self.similarity[i, j]), "nearest": int(self.nearest[i, j])})
        return out


class CodeModel:
    """Code vectors from descriptions and decisions over one project's segment vectors."""

    def __init__(self, segment_vectors, segment_ids: list[int], code_vectors: np.ndarray,
                 code_ids: list[str], decisions: Optional[Decisions] = None,
                 keywords: Optional[dict[int, set]] = None, groups: Optional[dict[int, object]] = None,
                 also: Iterable[tuple] = ()) -> None:
        self.vectors = segment_vectors
        self.segment_ids = [int(s) for s in segment_ids]
        self.row = {s: i for i, s in enumerate(self.segment_ids)}
        self.code_vectors = _dense(code_vectors)
        #: (segment vectors, code vectors) of every backend whose scores are averaged, this first
        self.views = [(segment_vectors, self.code_vectors)] + [(v, _dense(c)) for v, c in also]
        self.code_ids = list(code_ids)
        self.decisions = decisions or Decisions()
        self.keyword_hits = self._hit_matrix(keywords or {})
        #: segment id → its source: thresholds are fitted on scores of held-out sources
        self.groups = groups
        #: what :meth:`rank` chose on the reviewed segments (None: too few to fit)
        self.fitted: Optional[dict] = None
        self._grams: dict[int, np.ndarray] = {}

    def _hit_matrix(self, keywords: dict[int, set]) -> np.ndarray:
        """segments × codes: 1 where the keyword coder found the code in the segment."""
        col = {c: j for j, c in enumerate(self.code_ids)}
        out = np.zeros((len(self.segment_ids), len(self.code_ids)), dtype=np.float32)
        for seg, codes in keywords.items():
            if seg in self.row:
                for code in codes:
                    if code in col:
                        out[self.row[seg], col[code]] = 1.0
        return out

    def _rows(self, segs) -> list[int]:
        return sorted(self.row[s] for s in segs if s in self.row)

    def prototypes(self, decisions: Optional[Decisions] = None, view: int = 0) -> np.ndarray:
        """Each code's vector: description (+ how the mean of its examples differs from the
        mean of the other reviewed segments − a share of the mean of its counter-examples),
        unit length.  The difference, not the examples' mean itself: the examples share with
        every answer of their interview what makes them answers of that interview (its
        topic, its informant's way of talking), which says nothing of the code."""
        decisions = decisions or self.decisions
        vectors, out = self.views[view][0], self.views[view][1].copy()
        reviewed = set(self._rows(decisions.reviewed))
        for j, code in enumerate(self.code_ids):
            pos = self._rows(decisions.positives.get(code, ()))
            neg = self._rows(decisions.negatives.get(code, ()))
            if pos:
                rest = sorted(reviewed - set(pos))
                out[j] = out[j] + (_mean_row(vectors, pos) - (_mean_row(vectors, rest) if rest else 0.0)) * 2.0
            if neg:
                out[j] = out[j] - NEGATIVE_WEIGHT * _mean_row(vectors, neg)
        return unit_rows(out)

    def _gram(self, view: int) -> np.ndarray:
        """segments × segments: the cosines of one backend's segment vectors (computed once;
        the decisions only choose rows and columns of it)."""
        if view not in self._grams:
            vectors = self.views[view][0]
            self._grams[view] = _dense(vectors @ vectors.T)
        return self._grams[view]

    def _nearest(self, code: str, decisions: Decisions, view: int) -> tuple[np.ndarray, np.ndarray]:
        """Similarity of every segment to the code's nearest example (not itself) and that
        example's segment id."""
        n = len(self.segment_ids)
        pos = self._rows(decisions.positives.get(code, ()))
        if not pos:
            return np.full(n, np.nan, dtype=np.float32), np.full(n, -1)
        sims = self._gram(view)[:, pos]
        sims[pos, np.arange(len(pos))] = -np.inf      # an example is not its own evidence
        best = np.argmax(sims, axis=1)
        ids = np.array(self.segment_ids)[np.array(pos)[best]]
        return sims[np.arange(n), best], ids

    def _ridge(self, decisions: Decisions, view: int) -> np.ndarray:
        """segments × codes × ``RIDGE``: kernel ridge regression of each code's decisions on the
        reviewed segments (1: coded with it, 0: reviewed without it, centred per code), for each
        regularisation in ``RIDGE``.  Unlike a prototype it learns from what a code is not."""
        n, reviewed = len(self.segment_ids), self._rows(decisions.reviewed)
        out = np.zeros((n, len(self.code_ids), len(RIDGE)), dtype=np.float32)
        if not reviewed:
            return out
        labels = self._truth(reviewed, decisions).astype(np.float64)
        labels -= labels.mean(axis=0)
        cross = self._gram(view)[:, reviewed].astype(np.float64)                # all × reviewed
        for g, lam in enumerate(RIDGE):
            out[:, :, g] = cross @ ridge_solve(cross[reviewed], labels, lam)
        return out

    def _trusted_hits(self, decisions: Decisions) -> np.ndarray:
        """The keyword hits, each weighed by how often the code's keyword hits were right on
        the reviewed segments (relative to all codes' hits, shrunk toward them by
        ``TRUST_PRIOR`` hits): a code whose keywords the researcher keeps rejecting counts less."""
        reviewed = self._rows(decisions.reviewed)
        hits = self.keyword_hits[reviewed] > 0
        if not hits.any():
            return self.keyword_hits
        right = hits & self._truth(reviewed, decisions)
        overall = right.sum() / hits.sum()
        trust = (right.sum(axis=0) + TRUST_PRIOR * overall) / (hits.sum(axis=0) + TRUST_PRIOR)
        return self.keyword_hits * (trust / max(overall, 1e-9)).astype(np.float32)

    def _parts(self, decisions: Decisions) -> list[tuple[np.ndarray, ...]]:
        """Per backend: the cosine of every segment to every code's vector, to the code's
        nearest example (NaN: no example), that example's segment id (-1: none), the ridge
        scores (see :meth:`_ridge`), the keyword hits (see :meth:`_trusted_hits`) and the trust
        in each code's examples (see :meth:`_evidence`)."""
        out, keywords = [], self._trusted_hits(decisions)
        for view, (vectors, _) in enumerate(self.views):
            similarity = _dense(vectors @ self.prototypes(decisions, view).T)
            near = np.full(similarity.shape, np.nan, dtype=np.float32)
            nearest = np.full(similarity.shape, -1)
            for j, code in enumerate(self.code_ids):
                sims, ids = self._nearest(code, decisions, view)
                near[:, j], nearest[:, j] = sims, ids
            out.append((similarity, near, nearest, self._ridge(decisions, view), keywords,
                        self._evidence(decisions, similarity.shape)))
        return out

    def _evidence(self, decisions: Decisions, shape: tuple) -> np.ndarray:
        """segments × codes: how far each code's own examples are trusted, ``n / (n +
        THRESHOLD_PRIOR)`` with ``n`` examples among the reviewed segments (the same for every
        segment): the nearest example and the ridge score of a code seen once are mostly noise."""
        reviewed = set(self._rows(decisions.reviewed))
        n = np.array([len(reviewed.intersection(self._rows(decisions.positives.get(c, ()))))
                      for c in self.code_ids], dtype=np.float32)
        return np.broadcast_to(n / (n + THRESHOLD_PRIOR), shape).copy()

    @staticmethod
    def _combined(parts, share: float, ridge: float = 0.0, k: int = 0) -> np.ndarray:
        """Standardised meaning scores: per backend the cosine to the code's vector mixed with
        ``share`` of the nearest example's, standardised per code, plus ``ridge`` times the
        standardised ridge scores (regularisation ``RIDGE[k]``); both scaled per code by how far
        its examples are trusted (see :meth:`_evidence`); with several backends their mean,
        standardised again."""
        views = []
        for similarity, near, _, ridged, _, trust in parts:
            usable = np.isfinite(near)
            mixed = (1 - share * trust) * similarity + share * trust * np.where(usable, near, 0.0)
            score = _standardised(np.where(usable, mixed, similarity))
            if ridge:
                score = score + ridge * trust * _standardised(ridged[:, :, k])
            views.append(score)
        return views[0] if len(views) == 1 else _standardised(sum(views))

    def _held_out(self, reviewed: list[int]) -> Optional[list]:
        """The parts (see :meth:`_parts`) of the reviewed segments as the model would see them
        before their source was reviewed (learnt from the other reviewed sources only):
        weights and thresholds fitted on scores that a segment's own example shaped come out
        too trusting.  None without sources to hold out."""
        if self.groups is None:
            return None
        out = [tuple(np.empty((len(reviewed),) + x.shape[1:], dtype=x.dtype) for x in view)
               for view in self._parts(Decisions())]
        group_of = [self.groups.get(self.segment_ids[r]) for r in reviewed]
        for group in dict.fromkeys(group_of):
            inside = {self.segment_ids[r] for r, g in zip(reviewed, group_of) if g == group}
            others = Decisions({c: s - inside for c, s in self.decisions.positives.items()},
                               {c: s - inside for c, s in self.decisions.negatives.items()},
                               self.decisions.reviewed - inside)
            rows = [i for i, g in enumerate(group_of) if g == group]
            for target, held in zip(out, self._parts(others)):
                for t, h in zip(target, held):
                    t[rows] = h[[reviewed[i] for i in rows]]
        return out

    def rank(self) -> Ranking:
        """Scores of every code on every segment, standardised per code, with thresholds."""
        parts = self._parts(self.decisions)
        scores, thresholds = self._fitted(parts)
        self._mask_decided(scores)
        return Ranking(self.segment_ids, self.code_ids, scores, thresholds, parts[0][2], parts[0][0])

    def _mask_decided(self, scores: np.ndarray) -> None:
        """A code already decided on a segment (coded or rejected) is not suggested there."""
        col = {c: j for j, c in enumerate(self.code_ids)}
        for table in (self.decisions.positives, self.decisions.negatives):
            for code, segs in table.items():
                if code in col:
                    scores[self._rows(segs), col[code]] = -np.inf

    def _fitted(self, parts) -> tuple[np.ndarray, np.ndarray]:
        """The hybrid score (meaning + weight × keyword hit) and its thresholds.  With at least
        ``FIT_MIN`` reviewed segments the nearest-example share, the keyword weight and the
        thresholds are those with the best F1 on the reviewed segments scored as if held out;
        else ``NEAREST_SHARE``, ``KEYWORD_WEIGHT`` and ``DEFAULT_THRESHOLD``."""
        reviewed = self._rows(self.decisions.reviewed)
        if len(reviewed) < FIT_MIN:     # a threshold fitted on a handful of segments would let everything through
            return (self._combined(parts, NEAREST_SHARE) + KEYWORD_WEIGHT * self.keyword_hits,
                    np.full(len(self.code_ids), DEFAULT_THRESHOLD))
        truth, held = self._truth(reviewed), self._held_out(reviewed)
        hits = held[0][4] if held is not None else parts[0][4][reviewed]
        best = None
        for mix in _meaning_grid():
            meaning = self._combined(held, *mix) if held is not None else self._combined(parts, *mix)[reviewed]
            for weight in KEYWORD_GRID:
                thresholds = fit_thresholds(meaning + weight * hits, truth)
                f1 = micro_f1(meaning + weight * hits >= thresholds, truth)
                if best is None or f1 > best[0]:
                    best = (f1, mix, weight, thresholds)
        _, mix, weight, thresholds = best
        self.fitted = {"f1": best[0], "share": mix[0], "ridge": mix[1], "regularisation": RIDGE[mix[2]],
                       "keyword": weight}
        return self._combined(parts, *mix) + weight * parts[0][4], thresholds

    def _truth(self, reviewed: list[int], decisions: Optional[Decisions] = None) -> np.ndarray:
        """reviewed segments × codes: whether the researcher coded the segment with the code."""
        decisions = decisions or self.decisions
        local = {r: i for i, r in enumerate(reviewed)}
        truth = np.zeros((len(reviewed), len(self.code_ids)), dtype=bool)
        for j, code in enumerate(self.code_ids):
            for r in self._rows(decisions.positives.get(code, ())):
                if r in local:
                    truth[local[r], j] = True
        return truth


def _meaning_grid():
    """The (nearest-example share, ridge weight, ridge regularisation) mixes tried."""
    for share in SHARE_GRID:
        for ridge in RIDGE_GRID:
            for k in (range(len(RIDGE)) if ridge else (0,)):
                yield share, ridge, k


#: the thresholds tried (standardised scores)
GRID = np.round(np.arange(0.0, 6.01, 0.1), 2)


def _f1(tp, fp, fn):
    return np.where(tp > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)


def micro_f1(predicted: np.ndarray, truth: np.ndarray) -> float:
    """Micro F1 of a boolean prediction against the truth (same shape)."""
    tp = int((predicted & truth).sum())
    return float(_f1(tp, int((predicted & ~truth).sum()), int((~predicted & truth).sum())))


def ridge_solve(kernel: np.ndarray, targets: np.ndarray, lam: float, tol: float = 1e-8) -> np.ndarray:
    """``(kernel + lam·I)⁻¹ targets`` for a positive semi-definite kernel, by conjugate
    gradients: only matrix products, which stay fast on shared cores where a threaded LAPACK
    solve stalls (the columns are solved together, each with its own steps).

    >>> k = np.array([[2.0, 1.0], [1.0, 2.0]]); y = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> np.allclose(ridge_solve(k, y, 0.5), np.linalg.solve(k + 0.5 * np.eye(2), y))
    True
    """
    solution = np.zeros_like(targets)
    residual = targets.copy()
    direction = residual.copy()
    norms = (residual * residual).sum(axis=0)
    goal = tol * max(float(norms.max()), 1e-300)
    for _ in range(4 * len(kernel) + 10):
        if norms.max() <= goal:
            break
        moved = kernel @ direction + lam * direction
        step = norms / np.maximum((direction * moved).sum(axis=0), 1e-300)
        solution += direction * step
        residual -= moved * step
        new = (residual * residual).sum(axis=0)
        direction = residual + direction * (new / np.maximum(norms, 1e-300))
        norms = new
    return solution


def fit_thresholds(scores: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Per code the threshold with the best F1 on the reviewed segments, shrunk toward the
    threshold that is best for all codes together: with ``n`` examples the code's own counts
    ``n / (n + THRESHOLD_PRIOR)``, so a code seen twice leans on the shared one.

    >>> s = np.array([[3.0, 0.1], [0.2, 2.0], [2.5, 0.0], [0.1, 0.3]])
    >>> t = np.array([[True, False], [False, True], [True, False], [False, False]])
    >>> fit_thresholds(s, t).tolist()
    [0.37, 0.4]
    """
    pred = scores[:, :, None] >= GRID[None, None, :]          # segment × code × threshold
    tp = (pred & truth[:, :, None]).sum(axis=0)
    fp = (pred & ~truth[:, :, None]).sum(axis=0)
    fn = (~pred & truth[:, :, None]).sum(axis=0)
    shared = GRID[int(np.argmax(_f1(tp.sum(0), fp.sum(0), fn.sum(0))))]
    own = GRID[np.argmax(_f1(tp, fp, fn), axis=1)]
    examples = truth.sum(axis=0)
    own_share = examples / (examples + THRESHOLD_PRIOR)
    return np.round(own_share * own + (1 - own_share) * shared, 2)

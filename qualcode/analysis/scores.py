"""Recommendation scores (suositteluarvosanat) and the Net Promoter Score.

A numeric informant attribute on a 0–10 or 1–10 scale is summarised as a distribution
(every scale value, zeros included), n, mean, median, min and max.  NPS — the share of
promoters (9–10) minus the share of detractors (0–6), passives being 7–8 — is computed
only on a 0–10 scale.  The scale is given or inferred: a 0 among the answers means
0–10, otherwise 1–10 is assumed, and then NPS is not computed and ``note`` says why.

>>> import pandas as pd
>>> inf = pd.DataFrame({"code": ["H1", "H2", "H3", "H4"], "score": [10, 9, 7, 3]})
>>> s = score_summary(inf, scale="0-10")
>>> s.promoters, s.passives, s.detractors, s.nps
(2, 1, 1, 25.0)
>>> score_summary(inf).nps is None
True
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Optional

import pandas as pd

from ..errors import QualcodeError
from ..fileutil import is_missing
from ..labels import label
from .themes import natural_key

SCALES = {"0-10": (0, 10), "1-10": (1, 10)}


def _parse_scale(scale) -> Optional[tuple[int, int]]:
    if scale is None:
        return None
    if isinstance(scale, (tuple, list)) and len(scale) == 2:
        lo, hi = int(scale[0]), int(scale[1])
    else:
        key = str(scale).replace("–", "-").replace(" ", "")
        if key not in SCALES:
            raise QualcodeError(f"unknown scale {scale!r}; use '0-10' or '1-10'")
        lo, hi = SCALES[key]
    if (lo, hi) not in SCALES.values():
        raise QualcodeError(f"unknown scale {lo}-{hi}; use '0-10' or '1-10'")
    return lo, hi


@dataclass
class ScoreSummary:
    """Summary of one score attribute.  ``distribution`` has columns value, count,
    share; the statistics are ``None`` when nobody answered."""

    column: str
    scale: tuple[int, int]
    distribution: pd.DataFrame
    n: int
    mean: Optional[float]
    median: Optional[float]
    min: Optional[float]
    max: Optional[float]
    promoters: Optional[int] = None
    passives: Optional[int] = None
    detractors: Optional[int] = None
    nps: Optional[float] = None
    note: str = ""
    lang: str = "fi"

    @property
    def scale_text(self) -> str:
        return f"{self.scale[0]}–{self.scale[1]}"

    def to_frame(self) -> pd.DataFrame:
        """The distribution (value, count, share)."""
        return self.distribution.copy()

    def stats(self) -> pd.DataFrame:
        """The statistics as a two-column frame (statistic, value); NPS rows only when
        NPS was computed."""
        rows = [("n", self.n), ("mean", self.mean), ("median", self.median),
                ("min", self.min), ("max", self.max)]
        if self.nps is not None:
            rows += [("promoters", self.promoters), ("passives", self.passives),
                     ("detractors", self.detractors), ("nps", self.nps)]
        return pd.DataFrame(rows, columns=["statistic", "value"])

    def __repr__(self) -> str:
        nps = f", NPS={self.nps:.1f}" if self.nps is not None else ""
        mean = f"{self.mean:.2f}" if self.mean is not None else "–"
        return f"ScoreSummary({self.column}, scale {self.scale_text}, n={self.n}, mean={mean}{nps})"

    def _repr_html_(self) -> str:
        parts = [f"<b>{html.escape(self.column)}</b> ({html.escape(self.scale_text)})",
                 self.stats().to_html(index=False), self.distribution.to_html(index=False)]
        if self.note:
            parts.append(f"<p><i>{html.escape(self.note)}</i></p>")
        return "\n".join(parts)


def _pairs(informants: pd.DataFrame, column: str) -> list[tuple[object, float]]:
    """``(informant code, value)`` of every answered score; unreadable values are errors."""
    codes = informants["code"] if "code" in informants.columns else pd.Series([None] * len(informants))
    out = []
    for code, v in zip(codes, informants[column]):
        if is_missing(v) or (isinstance(v, str) and not v.strip()):
            continue
        try:
            x = float(str(v).strip().replace(",", "."))
        except ValueError:
            raise QualcodeError(f"informant {code}: {column} {v!r} is not a number") from None
        if not math.isnan(x):
            out.append((code, x))
    return out


def _values(informants: pd.DataFrame, column: str) -> list[float]:
    return [x for _, x in _pairs(informants, column)]


def score_summary(informants: Optional[pd.DataFrame], column: str = "score", *, scale=None,
                  lang: str = "fi") -> ScoreSummary:
    """Summarise the score attribute ``column`` of the informant list; ``scale`` is
    ``"0-10"``, ``"1-10"`` or ``None`` (infer).  Values outside the scale are an error
    naming the informant.  Empty input gives n = 0 and a zero distribution.

    >>> import pandas as pd
    >>> s = score_summary(pd.DataFrame({"code": ["H1", "H2", "H3"], "score": [8, 9, None]}))
    >>> s.n, s.mean, s.scale_text, int(s.distribution.set_index("value").loc[9, "count"])
    (2, 8.5, '1–10', 1)
    """
    bounds = _parse_scale(scale)
    if informants is None or not len(informants):
        values: list[float] = []
    else:
        if column not in informants.columns:
            raise QualcodeError(f"the informant list has no attribute {column!r}; available: "
                                + ", ".join(map(str, informants.columns)))
        pairs = _pairs(informants, column)
        values = [x for _, x in pairs]
    if bounds is None:
        bounds = (0, 10) if any(v == 0 for v in values) else (1, 10)
    lo, hi = bounds
    if values:
        for code, x in pairs:
            if not lo <= x <= hi:
                raise QualcodeError(f"informant {code}: {column} {x:g} is outside the scale {lo}–{hi}")
    counts = {k: 0 for k in range(lo, hi + 1)}
    for v in values:
        if float(v).is_integer():
            counts[int(v)] += 1
    extra = sorted({v for v in values if not float(v).is_integer()})
    dist_rows = [(k, counts[k]) for k in range(lo, hi + 1)]
    dist_rows += [(v, sum(1 for x in values if x == v)) for v in extra]
    dist_rows.sort(key=lambda r: r[0])
    n = len(values)
    dist = pd.DataFrame(dist_rows, columns=["value", "count"])
    dist["share"] = dist["count"] / n if n else 0.0
    dist = dist.astype({"count": "int64", "share": "float64"})
    s = pd.Series(values, dtype="float64")
    summary = ScoreSummary(column=column, scale=bounds, distribution=dist, n=n,
                           mean=float(s.mean()) if n else None, median=float(s.median()) if n else None,
                           min=float(s.min()) if n else None, max=float(s.max()) if n else None, lang=lang)
    if bounds == (0, 10):
        summary.promoters = sum(1 for v in values if v >= 9)
        summary.passives = sum(1 for v in values if 7 <= v < 9)
        summary.detractors = sum(1 for v in values if v < 7)
        summary.nps = (100.0 * (summary.promoters - summary.detractors) / n) if n else None
        if not n:
            summary.note = label("analysis.scores.no_answers", lang)
    else:
        summary.note = label("analysis.scores.no_nps", lang, scale=summary.scale_text)
    return summary


def score_by_group(informants: Optional[pd.DataFrame], by: str, column: str = "score", *,
                   lang: str = "fi") -> pd.DataFrame:
    """Score statistics per group of an informant attribute ``by``: columns group
    (named ``by``), n, mean, median, min, max; groups naturally sorted, missing last.

    >>> import pandas as pd
    >>> inf = pd.DataFrame({"code": ["H1", "H2", "H3"], "segment": ["KAM", "muu", "KAM"],
    ...                     "score": [9, 6, 7]})
    >>> score_by_group(inf, "segment")[["segment", "n", "mean"]].values.tolist()
    [['KAM', 2, 8.0], ['muu', 1, 6.0]]
    """
    cols = [by, "n", "mean", "median", "min", "max"]
    if informants is None or not len(informants):
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "n" else ("float64" if c != by else object))
                             for c in cols})
    for col in (by, column):
        if col not in informants.columns:
            raise QualcodeError(f"the informant list has no attribute {col!r}; available: "
                                + ", ".join(map(str, informants.columns)))
    missing = label("analysis.missing", lang)
    groups = informants[by].map(lambda v: missing if is_missing(v) else str(v))
    rows = []
    for g in sorted(set(groups), key=lambda x: (x == missing, natural_key(x))):
        vals = pd.Series(_values(informants[groups == g], column), dtype="float64")
        rows.append({by: g, "n": len(vals), "mean": vals.mean() if len(vals) else float("nan"),
                     "median": vals.median() if len(vals) else float("nan"),
                     "min": vals.min() if len(vals) else float("nan"),
                     "max": vals.max() if len(vals) else float("nan")})
    return pd.DataFrame(rows, columns=cols).astype({"n": "int64"})

"""Trends with comments (TRENDI | KOMMENTTI): each theme (or code) as a trend, with how
widely the informants share it and a comment — the researcher's own, or drafted from
the most representative quote (the one sharing most words with the theme's other
quotes).

>>> import pandas as pd
>>> from qualcode.model import Code, Codebook
>>> cb = Codebook(codes=[Code("crm", "CRM-menetelmät käyttöön"), Code("tarve", "Tarpeet vaihtelevat")])
>>> c = pd.DataFrame({"segment_id": [1, 2, 3], "code_id": ["crm", "crm", "tarve"],
...                   "status": "accepted", "speaker": ["H1", "H2", "H2"], "quote": ["a", "b", "c"]})
>>> t = trends(c, cb, comments={"crm": "Välttämättömiä asiakaslähtöisyydelle."})
>>> t[["trend", "comment", "shared"]].values.tolist()
[['CRM-menetelmät käyttöön', 'Välttämättömiä asiakaslähtöisyydelle.', '2/2'], ['Tarpeet vaihtelevat', '”c” (H2)', '1/2']]
"""
from __future__ import annotations

import re
from typing import Mapping, Optional

import pandas as pd

from ..labels import label
from ..model import Codebook
from .swot import format_quote
from .themes import code_name, code_order, informant_universe, prepare_codings, roll_up

TREND_COLUMNS = ["trend", "comment", "code_id", "informants", "shared", "segment_ids"]
_WORD = re.compile(r"\w+", re.UNICODE)


def representative_quote(quotes: list[str]) -> int:
    """Index of the quote with the highest mean word overlap (Jaccard) with the others;
    ties go to the earlier quote.

    >>> representative_quote(["portaali on hyvä", "portaali on vaikea", "ei mitään"])
    0
    """
    if not quotes:
        return -1
    sets = [set(_WORD.findall(q.lower())) for q in quotes]
    best, best_score = 0, -1.0
    for i, a in enumerate(sets):
        others = [b for j, b in enumerate(sets) if j != i]
        score = (sum(len(a & b) / len(a | b) if a | b else 0.0 for b in others) / len(others)
                 if others else 0.0)
        if score > best_score + 1e-12:
            best, best_score = i, score
    return best


def trends(codings: Optional[pd.DataFrame], codebook: Optional[Codebook] = None, *,
           informants: Optional[pd.DataFrame] = None, segments: Optional[pd.DataFrame] = None,
           level: str = "theme", comments: Optional[Mapping[str, str]] = None,
           names: Optional[Mapping[str, str]] = None, min_informants: int = 1,
           include_suggested: bool = False, max_comment: int = 240) -> pd.DataFrame:
    """The trend table: one row per theme (``level="theme"``) or code mentioned by at
    least ``min_informants`` informants.  Columns ``trend`` (the code's name, or
    ``names[code_id]``), ``comment`` (``comments[code_id]``, else the representative
    quote with its informant code), ``code_id``, ``informants``, ``shared`` (e.g.
    ``"5/7"`` of the informant universe) and ``segment_ids`` (sorted list).  Sorted by
    breadth: informants, then segments (both descending), then codebook order.

    >>> import pandas as pd
    >>> trends(pd.DataFrame(columns=["code_id", "status"])).columns.tolist()
    ['trend', 'comment', 'code_id', 'informants', 'shared', 'segment_ids']
    """
    comments = dict(comments or {})
    names = dict(names or {})
    cods = prepare_codings(codings, segments, include_suggested)
    cods["unit"] = [roll_up(codebook, c, level) for c in cods["code_id"]]
    universe = informant_universe(informants, segments, cods)
    known = set(universe)
    rows = []
    for pos, unit in enumerate(code_order(codebook, cods["unit"], level, include_unused=False)):
        sub = cods[cods["unit"] == unit].drop_duplicates("segment_id").sort_values("segment_id",
                                                                                   kind="mergesort")
        speakers = {s for s in sub["speaker"] if s is not None and s in known}
        if len(speakers) < max(min_informants, 0) or not len(sub):
            continue
        comment = comments.get(unit)
        if comment is None or not str(comment).strip():
            recs = sub.to_dict("records")
            i = representative_quote([r["quote"] for r in recs])
            comment = format_quote(recs[i]["quote"], recs[i]["speaker"], max_comment) if i >= 0 else ""
        rows.append({"trend": names.get(unit) or code_name(codebook, unit), "comment": str(comment),
                     "code_id": unit, "informants": len(speakers),
                     "shared": f"{len(speakers)}/{len(universe)}",
                     "segment_ids": sorted(int(s) for s in sub["segment_id"]),
                     "_n": len(sub), "_p": pos})
    out = pd.DataFrame(rows, columns=TREND_COLUMNS + ["_n", "_p"])
    if len(out):
        out = out.sort_values(["informants", "_n", "_p"], ascending=[False, False, True], kind="mergesort")
    out = out.drop(columns=["_n", "_p"]).reset_index(drop=True)
    return out.astype({"informants": "int64"})


def trend_table(trend_frame: pd.DataFrame, lang: str = "fi") -> pd.DataFrame:
    """The two-column appendix table (``TRENDI`` | ``KOMMENTTI``, or English) of a
    :func:`trends` result.

    >>> import pandas as pd
    >>> f = pd.DataFrame({"trend": ["T"], "comment": ["K"]})
    >>> trend_table(f).columns.tolist()
    ['TRENDI', 'KOMMENTTI']
    """
    out = trend_frame[["trend", "comment"]].copy().reset_index(drop=True)
    out.columns = [label("analysis.trend", lang), label("analysis.comment", lang)]
    return out


def trend_narrative(trend_frame: pd.DataFrame, lang: str = "fi") -> str:
    """A numbered narrative draft of a :func:`trends` result, one paragraph per trend.

    >>> import pandas as pd
    >>> f = pd.DataFrame({"trend": ["CRM käyttöön"], "comment": ["Välttämätöntä."], "shared": ["5/7"]})
    >>> trend_narrative(f)
    '1. CRM käyttöön (5/7 haastateltavaa). Välttämätöntä.'
    """
    paras = []
    for i, r in enumerate(trend_frame.to_dict("records"), 1):
        comment = str(r.get("comment") or "").strip()
        paras.append(label("analysis.trend.paragraph", lang, n=i, trend=r["trend"],
                           shared=r.get("shared", ""), comment=comment).strip())
    return "\n\n".join(paras)

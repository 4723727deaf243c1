"""Positive and negative experiences, the valence × theme cross-tab, and the training
needs (koulutustarpeet) that negative experiences point to.

A coding's valence is its own ``valence`` when set, otherwise its code's ``valence``
(inherited from the nearest ancestor that sets one).  Codings with neither have no
valence and are left out (or counted as ``unspecified`` on request).

>>> import pandas as pd
>>> from qualcode.model import Code, Codebook
>>> cb = Codebook(codes=[Code("t", "Viestintä"), Code("a", "Päivitykset", parent="t", valence="negative")])
>>> c = pd.DataFrame({"segment_id": [1, 2], "code_id": ["a", "a"], "status": "accepted",
...                   "valence": [None, "positive"], "speaker": ["H1", "H2"]})
>>> valence_table(c, cb)[["code_id", "positive", "negative", "total"]].values.tolist()
[['t', 1, 1, 2]]
"""
from __future__ import annotations

from typing import Optional, Sequence

import pandas as pd

from ..errors import QualcodeError
from ..fileutil import is_missing
from ..labels import label
from ..model import VALENCES, Codebook
from .themes import (code_frame, code_name, code_order, natural_key,
                     prepare_codings, roll_up)

ITEM_COLUMNS = ["theme", "code_id", "name", "valence", "speaker", "segment_id", "source", "quote"]
NEED_COLUMNS = ["target", "theme", "code_id", "name", "valence", "speaker", "segment_id", "quote"]


def effective_valence(codings: pd.DataFrame, codebook: Optional[Codebook] = None) -> pd.Series:
    """The valence of each coding row: its own when set (and known), else the code's.

    >>> import pandas as pd
    >>> from qualcode.model import Code, Codebook
    >>> cb = Codebook(codes=[Code("a", valence="negative"), Code("b")])
    >>> c = pd.DataFrame({"code_id": ["a", "a", "b"], "valence": [None, "mixed", None]})
    >>> effective_valence(c, cb).tolist()
    ['negative', 'mixed', None]
    """
    frame = code_frame(codebook)
    by_code = dict(zip(frame["id"], frame["valence"]))
    own = codings["valence"] if "valence" in codings.columns else pd.Series([None] * len(codings),
                                                                             index=codings.index)
    out = []
    for v, cid in zip(own, codings["code_id"] if "code_id" in codings.columns else [None] * len(codings)):
        if not is_missing(v) and str(v) in VALENCES:
            out.append(str(v))
        else:
            cv = by_code.get(cid)
            out.append(cv if cv in VALENCES else None)
    return pd.Series(out, index=codings.index, dtype=object)


def _valenced(codings, segments, codebook, include_suggested) -> pd.DataFrame:
    cods = prepare_codings(codings, segments, include_suggested)
    cods["valence"] = effective_valence(cods, codebook)
    cods["theme"] = [roll_up(codebook, c, "theme") for c in cods["code_id"]]
    return cods


def _sort_items(cods: pd.DataFrame, codebook: Optional[Codebook], first: Sequence[str] = ()) -> pd.DataFrame:
    pos = {c.id: i for i, c in enumerate(codebook.codes)} if codebook is not None else {}
    vpos = {v: i for i, v in enumerate(VALENCES)}
    big = 10 ** 9
    keys = [tuple(natural_key(r[f]) for f in first)
            + (vpos.get(r["valence"], big), pos.get(r["theme"], big), natural_key(r["theme"]),
               pos.get(r["code_id"], big), natural_key(r["code_id"]), natural_key(r["speaker"]),
               r["segment_id"])
            for r in cods.to_dict("records")]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return cods.iloc[order].reset_index(drop=True)


def valence_table(codings: Optional[pd.DataFrame], codebook: Optional[Codebook] = None, *,
                  level: str = "theme", segments: Optional[pd.DataFrame] = None,
                  include_suggested: bool = False, include_unspecified: bool = False,
                  include_unused: bool = True) -> pd.DataFrame:
    """Cross-tab of themes (or codes, ``level="code"``) × valence: coded segments per
    cell.  Columns ``code_id``, ``name``, one per valence (``positive``, ``negative``,
    ``neutral``, ``mixed``, ``development_idea``; plus ``unspecified`` on request) and
    ``total`` (sum of the valence columns).

    >>> import pandas as pd
    >>> c = pd.DataFrame({"segment_id": [1, 1, 2], "code_id": ["x", "x", "x"], "status": "manual",
    ...                   "valence": ["negative", "negative", "positive"]})
    >>> valence_table(c)[["positive", "negative", "total"]].values.tolist()
    [[1, 1, 2]]
    """
    cods = _valenced(codings, segments, codebook, include_suggested)
    cols = list(VALENCES) + (["unspecified"] if include_unspecified else [])
    cods["unit"] = [roll_up(codebook, c, level) for c in cods["code_id"]]
    cods["valence"] = cods["valence"].map(lambda v: "unspecified" if v is None else v)
    cods = cods[cods["valence"].isin(cols)]
    units = code_order(codebook, cods["unit"], level, include_unused)
    if len(cods):
        counts = cods.groupby(["unit", "valence"])["segment_id"].nunique().unstack(fill_value=0)
    else:
        counts = pd.DataFrame()
    counts = counts.reindex(index=units, columns=cols, fill_value=0).fillna(0).astype("int64")
    out = counts.reset_index(drop=True)
    out.insert(0, "name", [code_name(codebook, u) for u in units])
    out.insert(0, "code_id", pd.Series(units, dtype=object))
    out["total"] = out[cols].sum(axis=1).astype("int64")
    out.columns.name = None
    return out


def experiences(codings: Optional[pd.DataFrame], codebook: Optional[Codebook] = None, *,
                valences: Sequence[str] = ("positive", "negative"),
                segments: Optional[pd.DataFrame] = None,
                include_suggested: bool = False) -> pd.DataFrame:
    """The coded experiences of the given valences, one row per (segment, code), grouped
    by valence (in the order positive, negative, …), then theme and code in codebook
    order.  Columns: theme, code_id, name, valence, speaker, segment_id, source, quote.

    >>> import pandas as pd
    >>> c = pd.DataFrame({"segment_id": [1, 2], "code_id": ["x", "y"], "status": "accepted",
    ...                   "valence": ["negative", "positive"], "speaker": ["H1", "H2"],
    ...                   "quote": ["huono", "hyvä"]})
    >>> experiences(c)[["valence", "quote"]].values.tolist()
    [['positive', 'hyvä'], ['negative', 'huono']]
    """
    bad = [v for v in valences if v not in VALENCES]
    if bad:
        raise QualcodeError(f"unknown valence {bad[0]!r}; use {', '.join(VALENCES)}")
    cods = _valenced(codings, segments, codebook, include_suggested)
    cods = cods[cods["valence"].isin(list(valences))].drop_duplicates(["segment_id", "code_id", "valence"])
    cods = cods.assign(name=[code_name(codebook, c) for c in cods["code_id"]])
    cods = _sort_items(cods, codebook)
    return cods.reindex(columns=ITEM_COLUMNS).reset_index(drop=True)


def _targets(cods: pd.DataFrame, informants: Optional[pd.DataFrame], by: str, lang: str) -> list[str]:
    missing = label("analysis.missing", lang)
    lookup: dict[str, object] = {}
    if informants is not None and len(informants) and by in informants.columns:
        lookup = {str(c): v for c, v in zip(informants["code"], informants[by]) if not is_missing(c)}
    own = cods["target"] if "target" in cods.columns else [None] * len(cods)
    out = []
    for t, spk in zip(own, cods["speaker"]):
        if not is_missing(t) and str(t).strip():
            out.append(str(t).strip())
        else:
            v = lookup.get(spk) if spk is not None else None
            out.append(missing if is_missing(v) or not str(v).strip() else str(v))
    return out


def training_needs(codings: Optional[pd.DataFrame], informants: Optional[pd.DataFrame] = None,
                   codebook: Optional[Codebook] = None, *, by: str = "role",
                   valences: Sequence[str] = ("negative",), segments: Optional[pd.DataFrame] = None,
                   include_suggested: bool = False, lang: str = "fi") -> pd.DataFrame:
    """Negative experiences (by default) listed per *target*: the coding's ``target``
    column when the codings carry one and it is set (the staff member or role the
    experience concerns), otherwise the speaker's informant attribute ``by``; unknown
    targets are ``(ei tietoa)`` / ``(missing)``.  These are the raw material of the
    training-needs (koulutustarpeet) list; see :func:`training_needs_summary`.

    >>> import pandas as pd
    >>> c = pd.DataFrame({"segment_id": [1, 2], "code_id": ["x", "x"], "status": "accepted",
    ...                   "valence": "negative", "speaker": ["H1", "H2"],
    ...                   "target": ["kehittäjä B", None], "quote": ["q1", "q2"]})
    >>> inf = pd.DataFrame({"code": ["H1", "H2"], "role": ["asiakas", "kumppani"]})
    >>> training_needs(c, inf)[["target", "quote"]].values.tolist()
    [['kehittäjä B', 'q1'], ['kumppani', 'q2']]
    """
    cods = _valenced(codings, segments, codebook, include_suggested)
    has_target = "target" in cods.columns and cods["target"].notna().any()
    if (not has_target and informants is not None and len(informants)
            and by not in informants.columns):
        raise QualcodeError(f"the informant list has no attribute {by!r} to group training needs by; "
                            "available: " + ", ".join(map(str, informants.columns)))
    cods = cods[cods["valence"].isin(list(valences))].drop_duplicates(["segment_id", "code_id"])
    cods = cods.assign(target=_targets(cods, informants, by, lang),
                       name=[code_name(codebook, c) for c in cods["code_id"]])
    missing = label("analysis.missing", lang)
    cods["_m"] = cods["target"] == missing
    cods = _sort_items(cods, codebook, first=("_m", "target"))
    return cods.reindex(columns=NEED_COLUMNS).reset_index(drop=True)


def training_needs_summary(codings: Optional[pd.DataFrame], informants: Optional[pd.DataFrame] = None,
                           codebook: Optional[Codebook] = None, **options) -> pd.DataFrame:
    """Per target and code: how many negative segments and informants point to it.
    Columns target, code_id, name, segments, informants; targets in the order of
    :func:`training_needs`, codes by segments (descending) then codebook order.

    >>> import pandas as pd
    >>> c = pd.DataFrame({"segment_id": [1, 2, 3], "code_id": ["x", "x", "y"], "status": "accepted",
    ...                   "valence": "negative", "speaker": ["H1", "H2", "H1"], "target": "tiimi"})
    >>> training_needs_summary(c)[["code_id", "segments", "informants"]].values.tolist()
    [['x', 2, 2], ['y', 1, 1]]
    """
    items = training_needs(codings, informants, codebook, **options)
    cols = ["target", "code_id", "name", "segments", "informants"]
    if not len(items):
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("segments", "informants") else object)
                             for c in cols})
    targets = list(dict.fromkeys(items["target"]))
    codes = list(dict.fromkeys(items["code_id"]))
    rows = []
    for ti, t in enumerate(targets):
        sub = items[items["target"] == t]
        for cid in dict.fromkeys(sub["code_id"]):
            s = sub[sub["code_id"] == cid]
            rows.append({"target": t, "code_id": cid, "name": s["name"].iloc[0],
                         "segments": int(s["segment_id"].nunique()),
                         "informants": int(s["speaker"].dropna().nunique()),
                         "_t": ti, "_c": codes.index(cid)})
    out = pd.DataFrame(rows).sort_values(["_t", "segments", "_c"], ascending=[True, False, True],
                                         kind="mergesort")
    return out[cols].reset_index(drop=True)


def development_ideas(codings: Optional[pd.DataFrame], codebook: Optional[Codebook] = None, *,
                      segments: Optional[pd.DataFrame] = None, include_suggested: bool = False,
                      valences: Sequence[str] = ("development_idea",)) -> pd.DataFrame:
    """Development targets (kehittämiskohteet): codes with development-idea codings, with
    how many segments and informants raised them and a first example quote.  Sorted by
    informants, segments (descending), then codebook order.

    >>> import pandas as pd
    >>> c = pd.DataFrame({"segment_id": [1, 2], "code_id": ["kirje", "kirje"], "status": "manual",
    ...                   "valence": "development_idea", "speaker": ["H1", "H2"],
    ...                   "quote": ["Tervetuloa-kirje olisi hyvä.", "Kirje auttaisi."]})
    >>> development_ideas(c)[["code_id", "segments", "informants", "example"]].to_dict("records")
    [{'code_id': 'kirje', 'segments': 2, 'informants': 2, 'example': 'Tervetuloa-kirje olisi hyvä. (H1)'}]
    """
    items = experiences(codings, codebook, valences=valences, segments=segments,
                        include_suggested=include_suggested)
    cols = ["code_id", "name", "theme", "segments", "informants", "example"]
    if not len(items):
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("segments", "informants") else object)
                             for c in cols})
    order = code_order(codebook, items["code_id"], "code", include_unused=False)
    rows = []
    for pos, cid in enumerate(order):
        s = items[items["code_id"] == cid]
        first = s.iloc[0]
        who = f" ({first['speaker']})" if first["speaker"] is not None else ""
        rows.append({"code_id": cid, "name": first["name"], "theme": first["theme"],
                     "segments": int(s["segment_id"].nunique()),
                     "informants": int(s["speaker"].dropna().nunique()),
                     "example": f"{first['quote']}{who}", "_p": pos})
    out = pd.DataFrame(rows).sort_values(["informants", "segments", "_p"], ascending=[False, False, True],
                                         kind="mergesort")
    return out[cols].reset_index(drop=True)

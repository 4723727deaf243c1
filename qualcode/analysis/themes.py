"""Thematisation (teemoittelu): how often each code and theme occurs, per informant and
per group of informants.

Counting rules used throughout the analyses:

* a *segment* counts once per code however many codings of that code it carries;
* an *informant* is the speaker of a coded segment; only speakers that are in the
  informant universe (see :func:`informant_universe`) are counted as informants;
* at ``level="theme"`` every code is rolled up to its root (the theme), so a segment
  coded with two codes of one theme counts once for that theme.

>>> import pandas as pd
>>> from qualcode.model import Code, Codebook
>>> cb = Codebook(codes=[Code("t", "Teema"), Code("a", "A", parent="t"), Code("b", "B", parent="t")])
>>> c = pd.DataFrame({"segment_id": [1, 2, 2], "code_id": ["a", "a", "b"],
...                   "status": "accepted", "speaker": ["H1", "H2", "H2"], "source": "x.txt"})
>>> code_frequencies(c, codebook=cb)[["code_id", "segments", "informants"]].values.tolist()
[['a', 2, 2], ['b', 1, 1], ['t', 0, 0]]
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterable, Iterator, Optional

import pandas as pd

from ..errors import QualcodeError
from ..fileutil import is_missing
from ..labels import label
from ..model import Codebook
from . import effective_codings

FREQUENCY_COLUMNS = ["code_id", "name", "theme", "segments", "informants", "sources",
                     "share_of_informants"]
LEVELS = ("code", "theme")


# --------------------------------------------------------------------------- helpers

def natural_key(value: object) -> tuple:
    """Sort key that orders ``H2`` before ``H10`` and puts missing values (None, NaN) last.

    >>> sorted(["H10", "H2", None, "A1"], key=natural_key)
    ['A1', 'H2', 'H10', None]
    """
    if is_missing(value):
        return (1, ())
    parts = re.split(r"(\d+)", str(value))
    return (0, tuple((0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in parts))


def code_frame(codebook: Optional[Codebook]) -> pd.DataFrame:
    """The codebook as the small frame analyses need: ``id``, ``name``, ``parent``,
    ``theme`` (root id), ``level`` (0 = theme), ``valence`` and ``swot`` (both inherited
    from the nearest ancestor that sets them) and ``order`` (position in the codebook).

    >>> from qualcode.model import Code, Codebook
    >>> cb = Codebook(codes=[Code("t", "T", swot="W"), Code("a", "A", parent="t")])
    >>> code_frame(cb)[["id", "theme", "level", "swot"]].values.tolist()
    [['t', 't', 0, 'W'], ['a', 't', 1, 'W']]
    """
    cols = ["id", "name", "parent", "theme", "level", "valence", "swot", "order"]
    if codebook is None or len(codebook) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    rows = []
    for i, code in enumerate(codebook.codes):
        rows.append({
            "id": code.id, "name": code.name or code.id, "parent": code.parent,
            "theme": codebook.root_of(code.id), "level": codebook.depth(code.id),
            "valence": _inherited(codebook, code.id, "valence"),
            "swot": _inherited(codebook, code.id, "swot"), "order": i,
        })
    return pd.DataFrame(rows, columns=cols)


def _inherited(codebook: Codebook, code_id: str, attr: str):
    for cid in [code_id] + codebook.ancestors(code_id):
        code = codebook.get(cid)
        if code is not None and getattr(code, attr, None):
            return getattr(code, attr)
    return None


def code_name(codebook: Optional[Codebook], code_id: str) -> str:
    """The display name of ``code_id`` (its id when unknown)."""
    code = codebook.get(code_id) if codebook is not None else None
    return (code.name or code.id) if code is not None else str(code_id)


def roll_up(codebook: Optional[Codebook], code_id: str, level: str) -> str:
    """``code_id`` itself (``level="code"``) or its theme (``level="theme"``)."""
    if level not in LEVELS:
        raise QualcodeError(f"unknown level {level!r}; use 'code' or 'theme'")
    if level == "theme" and codebook is not None and code_id in codebook:
        return codebook.root_of(code_id)
    return code_id


def code_order(codebook: Optional[Codebook], code_ids: Iterable[str], level: str = "code",
               include_unused: bool = True) -> list[str]:
    """Codes in codebook order (themes only at ``level="theme"``), then unknown ids sorted."""
    known: list[str] = []
    if codebook is not None and include_unused:
        known = [c.id for c in codebook.codes if level == "code" or codebook.depth(c.id) == 0]
    used = list(dict.fromkeys(code_ids))
    if codebook is not None:
        pos = {c.id: i for i, c in enumerate(codebook.codes)}
        in_book = sorted([c for c in used if c in pos and c not in known], key=pos.get)
        known = sorted(set(known) | set(in_book), key=pos.get)
    extra = sorted([c for c in used if c not in set(known)], key=natural_key)
    return known + extra


#: The codings already prepared by the analyses of one study (see :func:`prepared_once`).
_PREPARED: ContextVar[Optional[dict]] = ContextVar("qualcode_prepared_codings", default=None)


@contextmanager
def prepared_once(memo: dict) -> Iterator[None]:
    """Within this block, :func:`prepare_codings` of the same codings and segments frames (the
    same objects) is done once and kept in ``memo``; each call gets its own copy.  The analyses
    of one study (:class:`~qualcode.analysis.study.Analyses`, whose frames do not change) each
    prepare the same codings: this is done once per study instead of once per analysis."""
    token = _PREPARED.set(memo)
    try:
        yield
    finally:
        _PREPARED.reset(token)


def prepare_codings(codings: Optional[pd.DataFrame], segments: Optional[pd.DataFrame] = None,
                    include_suggested: bool = False) -> pd.DataFrame:
    """Effective codings with ``speaker``, ``source`` and ``segment_text`` filled from
    ``segments`` where the coding lacks them, and ``quote`` falling back to the segment."""
    memo = _PREPARED.get()
    key = (id(codings), id(segments), bool(include_suggested))
    if memo is not None and key in memo and memo[key][0] is codings and memo[key][1] is segments:
        return memo[key][2].copy()
    cods = _prepare_codings(codings, segments, include_suggested)
    if memo is not None:
        memo[key] = (codings, segments, cods.copy())
    return cods


def _prepare_codings(codings: Optional[pd.DataFrame], segments: Optional[pd.DataFrame],
                     include_suggested: bool) -> pd.DataFrame:
    cods = effective_codings(codings, include_suggested)
    if segments is not None and len(segments) and len(cods) and "segment_id" in segments:
        seg = segments.drop_duplicates("segment_id").set_index("segment_id")
        for col, seg_col in (("speaker", "speaker"), ("source", "source"),
                             ("segment_text", "text"), ("source_id", "source_id")):
            if seg_col in seg.columns:
                fill = cods["segment_id"].map(seg[seg_col])
                cods[col] = cods[col].where(cods[col].notna(), fill)     # notna: is_missing at once
    if len(cods):
        cods["speaker"] = pd.Series([None if is_missing(s) or str(s).strip() == "" else str(s)
                                     for s in cods["speaker"]], index=cods.index, dtype=object)
        empty_quote = cods["quote"].map(lambda q: is_missing(q) or str(q).strip() == "")
        cods["quote"] = cods["quote"].where(~empty_quote, cods["segment_text"])
        cods["quote"] = cods["quote"].map(lambda q: "" if is_missing(q) else str(q))
        cods["source"] = pd.Series([sid if is_missing(s) else s
                                    for s, sid in zip(cods["source"], cods["source_id"])],
                                   index=cods.index, dtype=object)
    return cods


def informant_universe(informants: Optional[pd.DataFrame] = None,
                       segments: Optional[pd.DataFrame] = None,
                       codings: Optional[pd.DataFrame] = None) -> list[str]:
    """The informants shares are computed against: the codes of the informant list when
    it has rows; otherwise the speakers of non-interviewer segments; otherwise the
    speakers of the codings.  Naturally sorted.

    >>> import pandas as pd
    >>> informant_universe(pd.DataFrame({"code": ["H10", "H2"]}))
    ['H2', 'H10']
    >>> informant_universe(None, pd.DataFrame({"speaker": ["H1", "I", None],
    ...                                        "is_interviewer": [False, True, False]}))
    ['H1']
    """
    if informants is not None and len(informants) and "code" in informants.columns:
        codes = [str(c) for c in informants["code"] if not is_missing(c)]
    elif segments is not None and len(segments) and "speaker" in segments.columns:
        seg = segments
        if "is_interviewer" in seg.columns:
            seg = seg[~seg["is_interviewer"].fillna(False).astype(bool)]
        codes = [str(s) for s in seg["speaker"] if not is_missing(s)]
    elif codings is not None and len(codings) and "speaker" in codings.columns:
        codes = [str(s) for s in codings["speaker"] if not is_missing(s)]
    else:
        codes = []
    return sorted(set(codes), key=natural_key)


# --------------------------------------------------------------------------- frequencies

def code_frequencies(codings: Optional[pd.DataFrame], segments: Optional[pd.DataFrame] = None,
                     informants: Optional[pd.DataFrame] = None,
                     codebook: Optional[Codebook] = None, *, level: str = "code",
                     include_suggested: bool = False, include_unused: bool = True,
                     sort: str = "frequency") -> pd.DataFrame:
    """Frequency of each code (or theme, ``level="theme"``): coded ``segments``,
    ``informants`` who mention it, ``sources`` it occurs in, and
    ``share_of_informants`` (informants / size of the informant universe).

    ``sort="frequency"`` orders by segments, informants (both descending) then codebook
    order; ``sort="codebook"`` keeps codebook order.  Codes never used appear with zeros
    unless ``include_unused=False``.

    >>> import pandas as pd
    >>> from qualcode.model import Code, Codebook
    >>> cb = Codebook(codes=[Code("t", "Teema"), Code("a", "A", parent="t")])
    >>> c = pd.DataFrame({"segment_id": [1, 2], "code_id": ["a", "a"], "status": "manual",
    ...                   "speaker": ["H1", "H1"], "source": ["x", "y"]})
    >>> inf = pd.DataFrame({"code": ["H1", "H2"]})
    >>> code_frequencies(c, informants=inf, codebook=cb).to_dict("records")[0]
    {'code_id': 'a', 'name': 'A', 'theme': 't', 'segments': 2, 'informants': 1, 'sources': 2, 'share_of_informants': 0.5}
    """
    if sort not in ("frequency", "codebook"):
        raise QualcodeError(f"unknown sort {sort!r}; use 'frequency' or 'codebook'")
    cods = prepare_codings(codings, segments, include_suggested)
    cods["unit"] = [roll_up(codebook, c, level) for c in cods["code_id"]]
    universe = informant_universe(informants, segments, cods)
    in_universe = set(universe)
    order = code_order(codebook, cods["unit"], level, include_unused)
    rows = []
    for pos, unit in enumerate(order):
        sub = cods[cods["unit"] == unit]
        speakers = {s for s in sub["speaker"] if s is not None and s in in_universe}
        sources = {s for s in sub["source"] if not is_missing(s)}
        rows.append({
            "code_id": unit, "name": code_name(codebook, unit),
            "theme": roll_up(codebook, unit, "theme") if codebook is not None else None,
            "segments": int(sub["segment_id"].nunique()), "informants": len(speakers),
            "sources": len(sources),
            "share_of_informants": (len(speakers) / len(universe)) if universe else 0.0,
            "_pos": pos,
        })
    out = pd.DataFrame(rows, columns=FREQUENCY_COLUMNS + ["_pos"])
    if sort == "frequency" and len(out):
        out = out.sort_values(["segments", "informants", "_pos"], ascending=[False, False, True],
                              kind="mergesort")
    out = out.drop(columns="_pos").reset_index(drop=True)
    return out.astype({"segments": "int64", "informants": "int64", "sources": "int64",
                       "share_of_informants": "float64"})


def theme_frequencies(codings, segments=None, informants=None, codebook=None, **options) -> pd.DataFrame:
    """:func:`code_frequencies` at ``level="theme"``: codes rolled up to their theme.

    >>> import pandas as pd
    >>> from qualcode.model import Code, Codebook
    >>> cb = Codebook(codes=[Code("t", "Teema"), Code("a", parent="t"), Code("b", parent="t")])
    >>> c = pd.DataFrame({"segment_id": [1, 1], "code_id": ["a", "b"], "status": "accepted",
    ...                   "speaker": "H1", "source": "x"})
    >>> theme_frequencies(c, codebook=cb)[["code_id", "segments"]].values.tolist()
    [['t', 1]]
    """
    options["level"] = "theme"
    return code_frequencies(codings, segments, informants, codebook, **options)


# --------------------------------------------------------------------------- matrices

def _segment_totals(segments: Optional[pd.DataFrame], cods: pd.DataFrame) -> dict[str, int]:
    """Segments spoken per informant (all segments when known, else coded ones)."""
    if segments is not None and len(segments) and "speaker" in segments.columns:
        seg = segments
        if "is_interviewer" in seg.columns:
            seg = seg[~seg["is_interviewer"].fillna(False).astype(bool)]
        seg = seg[~seg["speaker"].map(is_missing)]
        return seg.groupby(seg["speaker"].astype(str))["segment_id"].nunique().to_dict()
    sub = cods[cods["speaker"].notna()]
    return sub.groupby("speaker")["segment_id"].nunique().to_dict()


def informant_code_matrix(codings: Optional[pd.DataFrame], segments: Optional[pd.DataFrame] = None,
                          informants: Optional[pd.DataFrame] = None,
                          codebook: Optional[Codebook] = None, *, value: str = "count",
                          level: str = "code", include_suggested: bool = False,
                          include_unused: bool = True) -> pd.DataFrame:
    """Informant × code matrix (rows: informants of the universe, naturally sorted;
    columns: codes in codebook order).

    ``value``: ``count`` = coded segments, ``presence`` = 1/0, ``share`` = coded
    segments / all segments the informant speaks (coded segments when ``segments`` is
    not given).

    >>> import pandas as pd
    >>> c = pd.DataFrame({"segment_id": [1, 2, 3], "code_id": ["a", "a", "b"],
    ...                   "status": "accepted", "speaker": ["H1", "H1", "H2"]})
    >>> informant_code_matrix(c).values.tolist()
    [[2, 0], [0, 1]]
    """
    if value not in ("count", "presence", "share"):
        raise QualcodeError(f"unknown value {value!r}; use 'count', 'presence' or 'share'")
    cods = prepare_codings(codings, segments, include_suggested)
    cods["unit"] = [roll_up(codebook, c, level) for c in cods["code_id"]]
    universe = informant_universe(informants, segments, cods)
    columns = code_order(codebook, cods["unit"], level, include_unused)
    sub = cods[cods["speaker"].isin(universe)]
    counts = (sub.groupby(["speaker", "unit"])["segment_id"].nunique()
              .unstack(fill_value=0) if len(sub) else pd.DataFrame())
    mat = counts.reindex(index=universe, columns=columns, fill_value=0).fillna(0).astype("int64")
    if value == "presence":
        mat = (mat > 0).astype("int64")
    elif value == "share":
        totals = _segment_totals(segments, cods)
        denom = pd.Series([totals.get(i, 0) for i in universe], index=universe, dtype="float64")
        mat = mat.astype("float64").div(denom.where(denom > 0), axis=0).fillna(0.0)
    mat.index.name = "informant"
    mat.columns.name = "code_id"
    return mat


def group_code_matrix(codings: Optional[pd.DataFrame], informants: Optional[pd.DataFrame],
                      by: str = "role", codebook: Optional[Codebook] = None, *,
                      segments: Optional[pd.DataFrame] = None, value: str = "count",
                      level: str = "code", include_suggested: bool = False,
                      include_unused: bool = True, lang: str = "fi") -> pd.DataFrame:
    """Group × code matrix, grouping informants by any attribute column ``by`` (role,
    segment, lifecycle …).  Informants without a value form the group ``(ei tietoa)``
    / ``(missing)``; speakers not in the informant list are left out.

    ``value``: ``count`` = coded segments by the group's members, ``informants`` =
    members who mention the code, ``presence`` = 1 if any member does, ``share`` =
    members who mention it / members of the group.

    >>> import pandas as pd
    >>> inf = pd.DataFrame({"code": ["H1", "H2", "H3"], "role": ["asiakas", "asiakas", "myyjä"]})
    >>> c = pd.DataFrame({"segment_id": [1, 2], "code_id": ["a", "a"], "status": "accepted",
    ...                   "speaker": ["H1", "H3"]})
    >>> group_code_matrix(c, inf, "role", value="share")["a"].to_dict()
    {'asiakas': 0.5, 'myyjä': 1.0}
    """
    if value not in ("count", "informants", "presence", "share"):
        raise QualcodeError(
            f"unknown value {value!r}; use 'count', 'informants', 'presence' or 'share'")
    cods = prepare_codings(codings, segments, include_suggested)
    cods["unit"] = [roll_up(codebook, c, level) for c in cods["code_id"]]
    columns = code_order(codebook, cods["unit"], level, include_unused)
    if informants is None or not len(informants):
        out = pd.DataFrame(index=pd.Index([], name=by, dtype=object), columns=columns, dtype="int64")
        out.columns.name = "code_id"
        return out
    if by not in informants.columns:
        raise QualcodeError(f"the informant list has no attribute {by!r}; available: "
                            + ", ".join(map(str, informants.columns)))
    missing = label("analysis.missing", lang)
    groups = {str(code): (missing if is_missing(val) else str(val))
              for code, val in zip(informants["code"], informants[by]) if not is_missing(code)}
    names = sorted(set(groups.values()), key=lambda g: (g == missing, natural_key(g)))
    sizes = pd.Series({g: sum(1 for v in groups.values() if v == g) for g in names}, dtype="float64")
    sub = cods[cods["speaker"].isin(groups)].copy()
    sub["group"] = sub["speaker"].map(groups)
    if value == "count":
        agg = sub.groupby(["group", "unit"])["segment_id"].nunique() if len(sub) else None
    else:
        agg = sub.groupby(["group", "unit"])["speaker"].nunique() if len(sub) else None
    mat = (agg.unstack(fill_value=0) if agg is not None else pd.DataFrame())
    mat = mat.reindex(index=names, columns=columns, fill_value=0).fillna(0).astype("int64")
    if value == "presence":
        mat = (mat > 0).astype("int64")
    elif value == "share":
        mat = mat.astype("float64").div(sizes, axis=0).fillna(0.0)
    mat.index.name = by
    mat.columns.name = "code_id"
    return mat

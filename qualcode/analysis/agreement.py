"""Intercoder agreement for segment-level, multi-label coding.

The unit of analysis is the **segment** (a paragraph inside a turn).  For every code, each coder
either applied it to a segment (1), reviewed the segment without applying it (0), or did not
review the segment (missing).  That gives one binary coders × units matrix per code, on which
percent agreement, Cohen's kappa (exactly two coders) and Krippendorff's alpha (nominal, any
number of coders, missing data allowed) are computed.

A coder "applied" a code when one of their codings of it has status ``accepted`` or ``manual``;
``suggested`` and ``rejected`` codings do not count, and codings of the automatic coder
``auto`` are left out unless ``auto`` is named in ``coders``.

>>> round(cohen_kappa([0, 0, 1, 1], [0, 1, 1, 1]), 3)
0.5
>>> percent_agreement([0, 0, 1, 1], [0, 1, 1, 1])
75.0
"""
from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence, Union

import numpy as np
import pandas as pd

from ..errors import QualcodeError
from ..fileutil import is_missing as _missing
from ..labels import LANGS, label
from ..model import COUNTED_STATUSES, HUMAN_STATUSES, MACHINE_CODERS
from ..sheets import (fill, freeze_header, header_cell, is_blank_row, read_sheet_rows, save_workbook,
                      set_column_widths, write_cell)

#: ``code_id`` of the pooled row of :func:`agreement_table`.
OVERALL = "__overall__"
#: Columns of :func:`agreement_table`.
TABLE_COLUMNS = ["code_id", "units", "coders", "percent_agreement", "cohen_kappa",
                 "krippendorff_alpha", "n_coded"]
#: Fixed columns of :func:`disagreements` (one column per coder follows).
DISAGREEMENT_COLUMNS = ["segment_id", "source", "speaker", "text", "code_id"]
#: Columns of :func:`read_consensus_xlsx`.
CONSENSUS_COLUMNS = ["segment_id", "code_id", "agreed"]
#: Coding statuses that count as a coder applying a code (those an analysis counts).
APPLIED_STATUSES = COUNTED_STATUSES


# ----------------------------------------------------------------------------- coefficients
def _pairs(a: Sequence[Any], b: Sequence[Any]) -> list[tuple[Any, Any]]:
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype.kind == b.dtype.kind == "f" \
            and a.ndim == b.ndim == 1 and len(a) == len(b):
        # numbers (NaN = missing), e.g. the pooled row's thousands of decisions: masked at once
        keep = ~(np.isnan(a) | np.isnan(b))
        return list(zip(a[keep].tolist(), b[keep].tolist()))
    a, b = list(a), list(b)
    if len(a) != len(b):
        raise ValueError(f"the two label sequences differ in length ({len(a)} and {len(b)})")
    return [(x, y) for x, y in zip(a, b) if not (_missing(x) or _missing(y))]


def _matrix(data: Any) -> np.ndarray:
    """coders × units as an object array (None for missing)."""
    if isinstance(data, pd.DataFrame):
        data = data.to_numpy(dtype=object)
    arr = np.array(data, dtype=object)
    if arr.ndim != 2:
        raise ValueError("reliability data must be two-dimensional: coders × units")
    out = np.empty(arr.shape, dtype=object)
    for idx, v in np.ndenumerate(arr):
        out[idx] = None if _missing(v) else v
    return out


def _as_float(data: Any) -> Optional[np.ndarray]:
    """Numeric coders × units array (NaN = missing), or None when the labels are not numbers."""
    if isinstance(data, pd.DataFrame):
        data = data.to_numpy()
    try:
        arr = np.array(data, dtype=float)
    except (TypeError, ValueError):
        return None
    if arr.ndim != 2:
        raise ValueError("reliability data must be two-dimensional: coders × units")
    return arr


def _category_matrix(data: Any) -> np.ndarray:
    """Coders × units floats where equal labels get equal numbers (NaN = missing)."""
    arr = _as_float(data)
    if arr is not None:
        return arr
    m = _matrix(data)
    index: dict[Any, float] = {}
    out = np.full(m.shape, np.nan)
    for idx, v in np.ndenumerate(m):
        if v is not None:
            out[idx] = index.setdefault(v, float(len(index)))
    return out


def percent_agreement(a: Any, b: Optional[Sequence[Any]] = None) -> float:
    """Observed agreement in percent (0–100); NaN when there is nothing to compare.

    With two sequences ``a`` and ``b`` (the labels two coders gave the same units): the share
    of units both coded that got the same label.  With one argument: a coders × units matrix
    (rows = coders, ``None``/NaN = not coded); each unit coded by at least two coders
    contributes the share of agreeing coder pairs, and the units are averaged (for two coders
    this is the same as the two-sequence form).

    >>> percent_agreement(["a", "b", "a", None], ["a", "a", "a", "b"])
    66.66666666666667
    >>> percent_agreement([[1, 1, 0], [1, 0, 0], [1, None, 0]])
    66.66666666666666
    """
    if b is not None:
        pairs = _pairs(a, b)
        if not pairs:
            return float("nan")
        return 100.0 * sum(x == y for x, y in pairs) / len(pairs)
    m = _category_matrix(a)
    present = ~np.isnan(m)
    n = present.sum(axis=0)
    keep = n >= 2
    if not keep.any():
        return float("nan")
    same = np.zeros(m.shape[1])
    for v in np.unique(m[present]):
        k = (m == v).sum(axis=0)
        same += k * (k - 1)
    return 100.0 * float(np.mean(same[keep] / (n[keep] * (n[keep] - 1))))


def cohen_kappa(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Cohen's kappa of two coders' labels for the same units (pairs with a missing label are
    dropped).

    ``kappa = (Po - Pe) / (1 - Pe)`` where ``Pe`` is the **sum** over categories of the product
    of the two coders' marginal proportions.  NaN when there are no pairs or when ``Pe == 1``
    (both coders used one and the same category throughout: kappa is undefined).

    >>> round(cohen_kappa([1] * 25 + [0] * 25, [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15), 3)
    0.4
    """
    pairs = _pairs(a, b)
    if not pairs:
        return float("nan")
    n = len(pairs)
    xs = Counter(x for x, _ in pairs)
    ys = Counter(y for _, y in pairs)
    po = sum(x == y for x, y in pairs) / n
    pe = sum(k * ys.get(cat, 0) for cat, k in xs.items()) / (n * n)
    if math.isclose(pe, 1.0):
        return float("nan")
    return (po - pe) / (1.0 - pe)


def krippendorff_alpha(reliability_data: Any, level: str = "nominal") -> float:
    """Krippendorff's alpha of a coders × units matrix (``None``/NaN = missing).

    Computed with the ``krippendorff`` package.  Units coded by fewer than two coders are not
    pairable and do not count.  Returns NaN when alpha is undefined: no pairable unit, or no
    variation at all among the pairable values (every coder gave every unit the same single
    value; then observed and expected disagreement are both zero, and percent agreement is the
    figure to report).  Perfect agreement *with* variation gives 1.0.  Labels may be any
    hashable values for ``level="nominal"``; other levels need numbers.

    >>> krippendorff_alpha([[1, 0, 1], [1, 0, 1]]), krippendorff_alpha([[1, 1], [1, 1]])
    (1.0, nan)
    """
    import krippendorff

    if level not in ("nominal", "ordinal", "interval", "ratio"):
        raise ValueError(f"unknown level {level!r}; use nominal, ordinal, interval or ratio")
    if level == "nominal":
        numeric = _category_matrix(reliability_data)
    else:
        numeric = _as_float(reliability_data)
        if numeric is None:
            raise ValueError(f"level {level!r} needs numeric values; "
                             "use level='nominal' for labels")
    pairable = (~np.isnan(numeric)).sum(axis=0) >= 2
    if not pairable.any():
        return float("nan")
    values = numeric[:, pairable]
    if len(np.unique(values[~np.isnan(values)])) < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=numeric, level_of_measurement=level))


# ----------------------------------------------------------------------------- coding frames
def select_coders(codings: pd.DataFrame, coders: Optional[Iterable[str]] = None,
                  coverage: Optional[pd.DataFrame] = None) -> list[str]:
    """The coders to compare: ``coders`` as given, or every human coder (sorted).

    >>> f = pd.DataFrame({"coder": ["auto", "b", "a"],
    ...                   "status": ["suggested", "manual", "rejected"]})
    >>> select_coders(f)
    ['a', 'b']
    """
    if coders is not None:
        return list(dict.fromkeys(str(c) for c in coders))
    found = set(codings.loc[codings["status"].isin(HUMAN_STATUSES), "coder"].dropna().astype(str))
    if coverage is not None and len(coverage):
        found |= set(coverage["coder"].dropna().astype(str))
    found -= set(MACHINE_CODERS)
    found.discard("")
    return sorted(found)


def _reviewed(segments: pd.DataFrame, coders: list[str], applied: pd.DataFrame,
              coverage: Optional[pd.DataFrame]) -> dict[str, set[int]]:
    seg_ids = set(int(s) for s in segments["segment_id"])
    if coverage is None:
        out = {c: set(seg_ids) for c in coders}
    else:
        out = {c: set() for c in coders}
        for seg, coder in zip(coverage["segment_id"], coverage["coder"]):
            if str(coder) in out and int(seg) in seg_ids:
                out[str(coder)].add(int(seg))
    for seg, coder in zip(applied["segment_id"], applied["coder"]):
        out[str(coder)].add(int(seg))           # coding a segment means having reviewed it
    return out


def _applied(codings: pd.DataFrame, segments: pd.DataFrame, coders: list[str]) -> pd.DataFrame:
    seg_ids = set(int(s) for s in segments["segment_id"])
    keep = codings["status"].isin(APPLIED_STATUSES) & codings["coder"].astype(str).isin(coders)
    c = codings[keep]
    c = c[c["segment_id"].astype(int).isin(seg_ids)]
    return c.assign(coder=c["coder"].astype(str), segment_id=c["segment_id"].astype(int))


def _setup(codings, segments, coders, coverage):
    """(coders, applied codings, reviewed segments per coder, pairable unit ids)."""
    coders = select_coders(codings, coders, coverage)
    applied = _applied(codings, segments, coders)
    reviewed = _reviewed(segments, coders, applied, coverage)
    units = [int(s) for s in segments["segment_id"]
             if sum(int(s) in reviewed[c] for c in coders) >= 2]
    return coders, applied, reviewed, units


def pairable_units(segments: pd.DataFrame, codings: pd.DataFrame,
                   coders: Optional[Iterable[str]] = None,
                   coverage: Optional[pd.DataFrame] = None) -> list[int]:
    """Ids of the segments (in ``segments`` order) that at least two coders reviewed.

    >>> segs = pd.DataFrame({"segment_id": [1, 2, 3]})
    >>> cov = pd.DataFrame({"segment_id": [1, 1, 2, 3], "coder": ["a", "b", "a", "b"]})
    >>> pairable_units(segs, pd.DataFrame(columns=["segment_id", "code_id", "status", "coder"]),
    ...                coverage=cov)
    [1]
    """
    return _setup(codings, segments, coders, coverage)[3]


def binary_matrices(codings: pd.DataFrame, segments: pd.DataFrame,
                    coders: Optional[Iterable[str]] = None, codes: Optional[Iterable[str]] = None,
                    coverage: Optional[pd.DataFrame] = None) -> dict[str, pd.DataFrame]:
    """Per code, the coders × units frame of 1 (applied), 0 (reviewed, not applied), NaN (not
    reviewed).  Units are the segments of ``segments`` (in that order) that at least two of the
    coders reviewed.

    >>> segs = pd.DataFrame({"segment_id": [1, 2]})
    >>> cods = pd.DataFrame({"segment_id": [1], "code_id": ["x"], "status": ["manual"],
    ...                      "coder": ["a"]})
    >>> binary_matrices(cods, segs, coders=["a", "b"])["x"].values.tolist()
    [[1.0, 0.0], [0.0, 0.0]]
    """
    arrays, coders, units = _binary_arrays(codings, segments, coders, codes, coverage)
    return {code: pd.DataFrame(data, index=pd.Index(coders, name="coder"), columns=pd.Index(units, name="segment_id"))
            for code, data in arrays.items()}


def _binary_arrays(codings, segments, coders, codes, coverage) -> tuple[dict[str, np.ndarray], list[str], list[int]]:
    """The arrays of :func:`binary_matrices` (coders × units), the coders and the units."""
    coders, applied, reviewed, units = _setup(codings, segments, coders, coverage)
    if codes is None:
        codes = sorted(set(applied.loc[applied["segment_id"].isin(units), "code_id"].astype(str)))
    col = {u: j for j, u in enumerate(units)}
    base = np.full((len(coders), len(units)), np.nan)
    for i, c in enumerate(coders):
        js = [col[u] for u in reviewed[c] if u in col]
        base[i, js] = 0.0
    hits: dict[str, list[tuple[int, int]]] = {}
    row = {c: i for i, c in enumerate(coders)}
    for c, u, code in zip(applied["coder"], applied["segment_id"], applied["code_id"].astype(str)):
        if u in col:
            hits.setdefault(code, []).append((row[c], col[u]))
    out = {}
    for code in codes:
        data = base.copy()
        for i, j in hits.get(code, ()):
            data[i, j] = 1.0
        out[code] = data
    return out, coders, units


def _row(code_id: str, m: np.ndarray, n_units: int, n_coders: int, n_coded: int) -> dict:
    data = np.asarray(m, dtype=float)
    kappa = cohen_kappa(data[0], data[1]) if n_coders == 2 and data.shape[1] else float("nan")
    return {"code_id": code_id, "units": n_units, "coders": n_coders,
            "percent_agreement": percent_agreement(data) if data.shape[1] else float("nan"),
            "cohen_kappa": kappa,
            "krippendorff_alpha": krippendorff_alpha(data) if data.shape[1] else float("nan"),
            "n_coded": n_coded}


def agreement_table(codings: pd.DataFrame, segments: pd.DataFrame,
                    coders: Optional[Iterable[str]] = None, codes: Optional[Iterable[str]] = None,
                    coverage: Optional[pd.DataFrame] = None, *, pooled_only: bool = False) -> pd.DataFrame:
    """Agreement per code plus a pooled row (``code_id == OVERALL``); with ``pooled_only``
    the pooled row alone (the same figures, without computing each code's).

    Columns: ``code_id``; ``units`` (segments reviewed by at least two coders); ``coders``;
    ``percent_agreement`` (0–100); ``cohen_kappa`` (NaN unless exactly two coders);
    ``krippendorff_alpha`` (nominal); ``n_coded`` (units at least one coder applied the code to).

    ``coverage`` (``segment_id, coder``) says which segments each coder reviewed; by default
    every coder reviewed every segment in ``segments``.  A segment a coder applied a code to
    counts as reviewed by that coder.  ``codes`` defaults to every code some compared coder
    applied to a unit.

    The pooled row stacks the per-code matrices side by side: every (segment, code) pair is one
    binary decision, and the three coefficients are computed over all of them; its ``units``
    is the number of segments and its ``n_coded`` the number of (segment, code) pairs at least
    one coder applied.  Pooling over many rarely used codes raises percent agreement through
    shared zeros; read kappa/alpha alongside it.

    Raises :class:`QualcodeError` when fewer than two coders are found.

    >>> segs = pd.DataFrame({"segment_id": [1, 2, 3, 4]})
    >>> cods = pd.DataFrame({"segment_id": [1, 2, 1, 3], "code_id": ["x"] * 4,
    ...                      "status": ["accepted"] * 4, "coder": ["a", "a", "b", "b"]})
    >>> agreement_table(cods, segs).round(3).values.tolist()[0]
    ['x', 4, 2, 50.0, 0.0, 0.125, 3]
    """
    coders = select_coders(codings, coders, coverage)
    if len(coders) < 2:
        found = ", ".join(coders) if coders else "none"
        raise QualcodeError(
            f"agreement needs codings by at least two coders (found: {found}); let a second "
            "coder review the segments, or name the coders to compare with --coders")
    arrays, coders, units = _binary_arrays(codings, segments, coders, codes, coverage)
    rows, n_coded = [], 0
    for code, m in arrays.items():
        coded = int((m == 1).any(axis=0).sum())
        n_coded += coded
        if not pooled_only:
            rows.append(_row(code, m, len(units), len(coders), coded))
    pooled = np.hstack(list(arrays.values())) if arrays else np.empty((len(coders), 0))
    rows.append(_row(OVERALL, pooled, len(units), len(coders), n_coded))
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    return table.astype({"units": "int64", "coders": "int64", "n_coded": "int64",
                         "percent_agreement": "float64", "cohen_kappa": "float64",
                         "krippendorff_alpha": "float64"})


def label_agreement_table(table: pd.DataFrame, lang: str = "fi") -> pd.DataFrame:
    """The table with headers and the pooled row's name in ``lang``, for reports.

    >>> t = pd.DataFrame({"code_id": [OVERALL], "units": [3]})
    >>> label_agreement_table(t, "en").values.tolist(), list(label_agreement_table(t, "fi"))
    ([['All codes pooled', 3]], ['Koodi', 'Yksiköt'])
    """
    out = table.copy()
    out["code_id"] = out["code_id"].where(out["code_id"] != OVERALL,
                                          label("agreement.overall", lang))
    return out.rename(columns={c: label(f"agreement.{c}", lang) for c in TABLE_COLUMNS
                               if c in out.columns})


def disagreements(codings: pd.DataFrame, segments: pd.DataFrame,
                  coders: Optional[Iterable[str]] = None,
                  coverage: Optional[pd.DataFrame] = None) -> pd.DataFrame:
    """The (segment, code) pairs the coders disagree on, for a consensus meeting.

    Columns ``segment_id, source, speaker, text, code_id`` and one column per coder holding
    1 (applied), 0 (reviewed, not applied) or None (did not review).  Only codes some coder
    applied to the segment are considered; rows are in ``segments`` order, then by code.

    >>> segs = pd.DataFrame({"segment_id": [1, 2], "source": ["a.txt"] * 2,
    ...                      "speaker": ["H1"] * 2, "text": ["yksi", "kaksi"]})
    >>> cods = pd.DataFrame({"segment_id": [1, 2, 2], "code_id": ["x", "x", "y"],
    ...                      "status": ["manual"] * 3, "coder": ["a", "a", "b"]})
    >>> disagreements(cods, segs)[["segment_id", "code_id", "a", "b"]].values.tolist()
    [[1, 'x', 1, 0], [2, 'x', 1, 0], [2, 'y', 0, 1]]
    """
    coders = select_coders(codings, coders, coverage)
    clash = [c for c in coders if c in DISAGREEMENT_COLUMNS]
    if clash:
        raise QualcodeError(f"coder name {clash[0]!r} is also a column name of the "
                            "disagreement table; rename the coder")
    mats = binary_matrices(codings, segments, coders, None, coverage)
    found = []
    for code, m in mats.items():
        data = m.to_numpy()
        lo = np.nanmin(np.where(np.isnan(data), np.inf, data), axis=0) if data.size else data
        hi = np.nanmax(np.where(np.isnan(data), -np.inf, data), axis=0) if data.size else data
        for j in np.flatnonzero(lo != hi):
            found.append((int(m.columns[j]), code,
                          [None if math.isnan(v) else int(v) for v in data[:, j]]))
    ids = [int(x) for x in segments["segment_id"]]
    order = {sid: i for i, sid in enumerate(ids)}

    def column(name: str) -> dict[int, Any]:
        vals = segments[name] if name in segments.columns else [None] * len(ids)
        return {sid: (None if _missing(v) else v) for sid, v in zip(ids, vals)}

    source, speaker, text = column("source"), column("speaker"), column("text")
    found.sort(key=lambda t: (order[t[0]], t[1]))
    rows = [[unit, source[unit], speaker[unit], text[unit], code] + vals
            for unit, code, vals in found]
    columns = DISAGREEMENT_COLUMNS + coders
    data = {c: pd.Series([r[i] for r in rows], dtype="int64" if c == "segment_id" else object)
            for i, c in enumerate(columns)}
    return pd.DataFrame(data, columns=columns)


# ----------------------------------------------------------------------------- consensus sheet
_HEADER_FILL = "DDDDDD"
_INPUT_FILL = "FFF2CC"


def write_disagreements_xlsx(frame: pd.DataFrame, path: Union[str, Path],
                             lang: str = "fi") -> Path:
    """Write :func:`disagreements` as a sheet for a consensus meeting (atomically).

    Columns: segment, source, informant, text, code, one column per coder (1/0/empty), then
    ``Sovittu`` (a kyllä/ei dropdown: does the code apply?) and ``Huomio`` to fill in.

    >>> import tempfile, pathlib, openpyxl
    >>> f = pd.DataFrame({"segment_id": [1], "source": ["a.txt"], "speaker": ["H1"],
    ...                   "text": ["+358 soitti"], "code_id": ["x"], "anna": [1], "ben": [0]})
    >>> p = write_disagreements_xlsx(f, pathlib.Path(tempfile.mkdtemp()) / "c.xlsx", "en")
    >>> ws = openpyxl.load_workbook(p)["Disagreements"]
    >>> [c.value for c in ws[1]], (ws["D2"].value, ws["D2"].data_type)
    (['Segment', 'Source', 'Informant', 'Text', 'Code', 'anna', 'ben', 'Agreed', 'Note'], ('+358 soitti', 's'))
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    coders = [c for c in frame.columns if c not in DISAGREEMENT_COLUMNS]
    heads = ([label(f"agreement.{k}", lang) for k in
              ("segment", "source", "informant", "text", "code")]
             + [str(c) for c in coders]
             + [label("agreement.agreed", lang), label("agreement.note", lang)])
    wb = Workbook()
    ws = wb.active
    ws.title = label("agreement.sheet_disagreements", lang)
    for i, h in enumerate(heads, start=1):
        header_cell(ws.cell(row=1, column=i), h, _INPUT_FILL if i > len(heads) - 2 else _HEADER_FILL)
    set_column_widths(ws, [10, 18, 14, 70, 18] + [10] * len(coders) + [12, 30])
    input_fill = fill(_INPUT_FILL)
    for r, values in enumerate(frame[DISAGREEMENT_COLUMNS + coders].itertuples(index=False, name=None), start=2):
        for i, v in enumerate(values, start=1):
            cell = ws.cell(row=r, column=i)
            write_cell(cell, int(v) if isinstance(v, float) and v.is_integer() else v)
            cell.alignment = Alignment(wrap_text=(i == 4), vertical="top")
        for i in (len(heads) - 1, len(heads)):
            ws.cell(row=r, column=i).fill = input_fill
    last = max(ws.max_row, 1)
    agreed_col = get_column_letter(len(heads) - 1)
    if last >= 2:
        dv = DataValidation(type="list", formula1='"{},{}"'.format(
            label("agreement.yes", lang), label("agreement.no", lang)), allow_blank=True,
            showInputMessage=True, promptTitle=label("agreement.agreed", lang),
            prompt=label("agreement.agreed_prompt", lang))
        dv.add(f"{agreed_col}2:{agreed_col}{last}")
        ws.add_data_validation(dv)
    freeze_header(ws, 1, len(heads), last)
    return save_workbook(wb, path, make_parents=True)


def _truth(v: Any) -> Optional[bool]:
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and not _missing(v) and v in (0, 1):
        return bool(v)
    s = str(v).strip().lower()
    yes = {label("agreement.yes", lg) for lg in LANGS} | {"k", "y", "1", "true", "kylla"}
    no = {label("agreement.no", lg) for lg in LANGS} | {"e", "n", "0", "false"}
    return True if s in yes else False if s in no else None


def read_consensus_xlsx(path: Union[str, Path], lang: Optional[str] = None) -> pd.DataFrame:
    """Read a filled-in consensus sheet: ``segment_id, code_id, agreed`` (bool).

    Every row must have a segment id, a code and ``Sovittu`` = kyllä/ei (yes/no); the whole
    sheet is checked first and one :class:`QualcodeError` lists every bad row by its sheet row
    number.  Delete the rows you do not want to decide.

    >>> import tempfile, pathlib, openpyxl
    >>> f = pd.DataFrame({"segment_id": [5], "source": ["a.txt"], "speaker": [None],
    ...                   "text": ["t"], "code_id": ["x"], "anna": [1], "ben": [0]})
    >>> p = write_disagreements_xlsx(f, pathlib.Path(tempfile.mkdtemp()) / "c.xlsx")
    >>> wb = openpyxl.load_workbook(p); wb.active["H2"] = "kyllä"; wb.save(p)
    >>> read_consensus_xlsx(p).values.tolist()
    [[5, 'x', True]]
    """
    where = str(path)
    title, rows = read_sheet_rows(path, "the .xlsx consensus sheet written by qualcode",
                                  [label("agreement.sheet_disagreements", lg) for lg in ([lang] if lang else LANGS)])
    best, cols = _consensus_columns(rows[0] if rows else (), [lang] if lang else list(LANGS), title, where)
    records, problems, decided = [], [], {}
    for r, row in enumerate(rows[1:], start=2):
        if is_blank_row(row):
            continue
        seg_id, code, agreed, errs = _consensus_row(row, cols, best)
        if not errs:
            key = (seg_id, code)
            if key in decided and decided[key][1] != agreed:
                errs.append(f"segment {seg_id}, code '{code}' was decided differently on row "
                            f"{decided[key][0]}; keep one answer")
            decided.setdefault(key, (r, agreed))
        if errs:
            problems.extend((r, e) for e in errs)
        elif decided[(seg_id, code)][0] == r:
            records.append((seg_id, code, agreed))
    if problems:
        n = len({r for r, _ in problems})
        lines = "\n".join(f"  row {r}: {e}" for r, e in problems)
        raise QualcodeError(
            f"{n} row{'s' if n != 1 else ''} of sheet '{title}' need{'s' if n == 1 else ''} "
            f"fixing (nothing was imported):\n{lines}", path=where)
    return pd.DataFrame({
        "segment_id": pd.Series([r[0] for r in records], dtype="int64"),
        "code_id": pd.Series([r[1] for r in records], dtype=object),
        "agreed": pd.Series([r[2] for r in records], dtype="bool")}, columns=CONSENSUS_COLUMNS)


def _consensus_columns(header_row: tuple, langs: list[str], title: str, where: str
                       ) -> tuple[str, dict[str, int]]:
    """(language, {segment/code/agreed: column index}) of the header row that fits best; an
    error naming the missing headers when one is missing."""
    headers = [None if h is None else str(h).strip() for h in header_row]
    need = ("segment", "code", "agreed")
    best, cols = None, {}
    for lg in langs:
        found = {k: headers.index(label(f"agreement.{k}", lg)) for k in need
                 if label(f"agreement.{k}", lg) in headers}
        if best is None or len(found) > len(cols):
            best, cols = lg, found
    if len(cols) < len(need):
        missing = [label(f"agreement.{k}", best) for k in need if k not in cols]
        raise QualcodeError(
            f"sheet '{title}' is not a consensus sheet: header row 1 lacks "
            f"{', '.join(repr(m) for m in missing)}; fill in the sheet written by "
            "qualcode's disagreement export", path=where, line=1)
    return best, cols


def _consensus_row(row: tuple, cols: dict[str, int], lang: str
                   ) -> tuple[Optional[int], str, Optional[bool], list[str]]:
    """(segment id, code, agreed, errors) of one filled-in row."""
    def get(k: str) -> Any:
        i = cols[k]
        return row[i] if i < len(row) else None

    errs = []
    seg = get("segment")
    seg_id = None
    if isinstance(seg, (int, float)) and not isinstance(seg, bool) and float(seg).is_integer():
        seg_id = int(seg)
    elif isinstance(seg, str) and seg.strip().isdigit():
        seg_id = int(seg.strip())
    if seg_id is None:
        errs.append(f"'{label('agreement.segment', lang)}' is not a segment number; restore "
                    "it from the exported sheet")
    code = get("code")
    code = "" if code is None else str(code).strip()
    if not code:
        errs.append(f"'{label('agreement.code', lang)}' is empty; restore the code id")
    value = get("agreed")
    agreed_head = label("agreement.agreed", lang)
    yes, no = label("agreement.yes", lang), label("agreement.no", lang)
    agreed = None if value is None or str(value).strip() == "" else _truth(value)
    if value is None or str(value).strip() == "":
        errs.append(f"'{agreed_head}' is empty; write {yes} or {no}, or delete the row")
    elif agreed is None:
        errs.append(f"'{agreed_head}' is '{value}'; write {yes} or {no}")
    return seg_id, code, agreed, errs

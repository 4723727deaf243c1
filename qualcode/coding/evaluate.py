"""Measure automatic coding against a gold coding made by a researcher.

A gold file (csv or xlsx) has one row per segment the researcher coded by reading:
``source, segment_index, text, codes`` (code ids separated by ``;``; empty = no code).
Scores are segment-level: a code is predicted for a segment when it has a suggestion there.

>>> import pandas as pd
>>> gold = {1: {"a"}, 2: {"a", "b"}, 3: set()}
>>> pred = {1: {"a"}, 2: {"b"}, 3: {"b"}}
>>> score_sets(gold, pred).set_index("code_id").loc["__micro__", ["precision", "recall", "f1"]].round(3).tolist()
[0.667, 0.667, 0.667]
"""
from __future__ import annotations

from pathlib import Path
from typing import Union

import pandas as pd

from ..errors import QualcodeError

MICRO = "__micro__"
GOLD_COLUMNS = ["source", "segment_index", "text", "codes"]


def split_codes(value) -> set[str]:
    if value is None or (isinstance(value, float) and value != value):
        return set()
    return {c.strip() for c in str(value).replace(",", ";").split(";") if c.strip()}


def read_gold(path: Union[str, Path]) -> pd.DataFrame:
    """The gold file as a frame with a ``code_set`` column."""
    path = Path(path)
    if not path.is_file():
        raise QualcodeError("the gold file does not exist; check the path", path=str(path))
    if path.suffix.lower() == ".xlsx":
        frame = pd.read_excel(path, dtype={"source": str, "text": str, "codes": str})
    else:
        frame = pd.read_csv(path, dtype={"source": str, "text": str, "codes": str}, keep_default_na=False)
    missing = [c for c in GOLD_COLUMNS if c not in frame.columns]
    if missing:
        raise QualcodeError(f"the gold file lacks the column(s) {', '.join(missing)}; it needs "
                            f"{', '.join(GOLD_COLUMNS)}", path=str(path), line=1)
    return frame.assign(code_set=frame["codes"].map(split_codes))


def attach_segments(gold: pd.DataFrame, segments: pd.DataFrame, path: str = "gold") -> pd.DataFrame:
    """Add ``segment_id`` to the gold rows by (source, index); a text that differs from the
    project's segment is an error naming the row (the gold was made on another version)."""
    index = {(str(r.source), int(r.index)): (int(r.segment_id), r.text) for r in segments.itertuples()}
    ids, problems = [], []
    for n, row in enumerate(gold.itertuples(index=False), start=2):
        hit = index.get((str(row.source), int(row.segment_index)))
        if hit is None:
            problems.append(f"row {n}: no segment {row.segment_index} in {row.source}")
        elif hit[1] != row.text:
            problems.append(f"row {n}: the text of segment {row.segment_index} in {row.source} has changed")
        ids.append(hit[0] if hit else None)
    if problems:
        raise QualcodeError("the gold coding does not fit this project: " + "; ".join(problems[:5])
                            + ("; …" if len(problems) > 5 else "") + "; re-make the gold on these transcripts",
                            path=path)
    return gold.assign(segment_id=ids)


def score_sets(gold: dict[int, set], predicted: dict[int, set]) -> pd.DataFrame:
    """Per code and micro-averaged precision, recall and F1 over the gold segments."""
    codes = sorted(set().union(*gold.values(), *(predicted.get(s, set()) for s in gold)) if gold else set())
    rows = []
    tot_tp = tot_fp = tot_fn = 0
    for code in codes:
        tp = sum(1 for s, g in gold.items() if code in g and code in predicted.get(s, set()))
        fp = sum(1 for s, g in gold.items() if code not in g and code in predicted.get(s, set()))
        fn = sum(1 for s, g in gold.items() if code in g and code not in predicted.get(s, set()))
        tot_tp, tot_fp, tot_fn = tot_tp + tp, tot_fp + fp, tot_fn + fn
        rows.append(_row(code, tp, fp, fn))
    rows.append(_row(MICRO, tot_tp, tot_fp, tot_fn))
    return pd.DataFrame(rows, columns=["code_id", "support", "tp", "fp", "fn", "precision", "recall", "f1"])


def _row(code: str, tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"code_id": code, "support": tp + fn, "tp": tp, "fp": fp, "fn": fn,
            "precision": p, "recall": r, "f1": f}


def hit_at(gold: dict[int, set], ranked: dict[int, list], k: int) -> float:
    """Share of the gold segments with a code whose ``k`` best suggestions hold one of them.

    >>> hit_at({1: {"a"}, 2: {"b"}, 3: set()}, {1: ["c", "a"], 2: ["a"]}, 1), hit_at({1: {"a"}}, {1: ["c", "a"]}, 2)
    (0.0, 1.0)
    """
    coded = [s for s, g in gold.items() if g]
    if not coded:
        return 0.0
    return sum(1 for s in coded if gold[s] & set(ranked.get(s, [])[:k])) / len(coded)


def ranking_scores(gold: dict[int, set], ranked: dict[int, list], predicted: dict[int, set]) -> dict:
    """hit@1 and hit@5 per segment and micro precision, recall and F1 of the codes that
    reach the threshold, over the gold segments.

    >>> ranking_scores({1: {"a"}, 2: {"b"}}, {1: ["a"], 2: ["a", "b"]}, {1: {"a"}, 2: {"a"}})
    {'segments': 2, 'hit@1': 0.5, 'hit@5': 1.0, 'precision': 0.5, 'recall': 0.5, 'f1': 0.5}
    """
    micro = score_sets(gold, predicted).set_index("code_id").loc[MICRO]
    return {"segments": len(gold), "hit@1": hit_at(gold, ranked, 1), "hit@5": hit_at(gold, ranked, 5),
            "precision": float(micro["precision"]), "recall": float(micro["recall"]), "f1": float(micro["f1"])}


def simulation_split(gold: pd.DataFrame, reviewed: int) -> tuple[list[str], list[str]]:
    """The gold's sources in file order, split into the first ``reviewed`` that have a coded
    segment (they count as reviewed) and the rest (they are scored).

    >>> frame = pd.DataFrame({"source": ["a", "a", "b", "c"], "code_set": [set(), {"x"}, {"y"}, set()]})
    >>> simulation_split(frame, 1)
    (['a'], ['b', 'c'])
    """
    sources = list(dict.fromkeys(gold["source"]))
    coded = [s for s in sources if gold.loc[gold["source"] == s, "code_set"].map(bool).any()]
    if reviewed >= len(coded):
        raise QualcodeError(f"the gold coding has {len(coded)} coded sources; simulate fewer than that "
                            "so that some are left to score")
    train = coded[:reviewed]
    return train, [s for s in sources if s not in train]

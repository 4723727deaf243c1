"""One coding per segment and code, as the analyses count it, from all coders' codings.

>>> import pandas as pd
>>> codings = pd.DataFrame({
...     "segment_id": [1, 1, 1, 2], "code_id": ["a", "a", "a", "b"], "source": ["s"] * 4,
...     "start": [0, 0, 0, 10], "status": ["suggested", "rejected", "accepted", "suggested"],
...     "coder": ["auto", "liisa", "consensus", "auto"], "created_at": ["1", "2", "3", "1"],
...     "segment_text": ["Hyvä.", "Hyvä.", "Hyvä.", "Huono."]})
>>> resolve_codings(codings, "liisa")[["segment_id", "code_id", "coder", "status"]].values.tolist()
[[1, 'a', 'consensus', 'accepted']]
>>> resolve_codings(codings, "liisa", coders=["liisa"])["code_id"].tolist()
[]
>>> resolve_codings(codings, "liisa", include_suggested=True)["code_id"].tolist()
['a', 'b']
"""
from __future__ import annotations

from typing import Optional

import pandas as pd

from ..model import CONSENSUS_CODER, MACHINE_CODERS, counted_statuses


def resolve_codings(codings: pd.DataFrame, project_coder: str, include_suggested: bool = False,
                    coders: Optional[list[str]] = None) -> pd.DataFrame:
    """One coding per segment and code from ``codings`` (the store's codings frame).

    A human decision beats the automatic suggestion (a rejected suggestion disappears);
    among humans a ``consensus`` decision wins, then ``project_coder``'s, then the newest.
    Suggestions without any human decision are kept only with ``include_suggested``;
    ``coders`` limits the humans considered.  The quote is the whole segment text."""
    df = codings
    if coders is not None:
        df = df[df["coder"].isin(list(coders) + list(MACHINE_CODERS))]
    if df.empty:
        return df
    priority = df["coder"].map(lambda c: 0 if c == CONSENSUS_CODER else 1 if c == project_coder
                               else 3 if c in MACHINE_CODERS else 2)
    df = df.assign(_p=priority).sort_values(["segment_id", "code_id", "_p", "created_at"],
                                            ascending=[True, True, True, False])
    best = df.drop_duplicates(["segment_id", "code_id"], keep="first")
    keep = best["status"].isin(counted_statuses(include_suggested))
    out = best[keep].drop(columns="_p").sort_values(["source", "start", "code_id"]).reset_index(drop=True)
    # Analyses and reports quote at segment level: the whole paragraph, also for an
    # automatic suggestion that marks only the matched words (its span stays in start/end).
    return out.assign(quote=out["segment_text"])

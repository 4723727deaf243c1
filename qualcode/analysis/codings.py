"""Which codings an analysis counts (:func:`effective_codings`) and the columns of the
``codings`` frame every analysis can rely on.

>>> import pandas as pd
>>> c = pd.DataFrame({"code_id": ["a", "b", "c"], "status": ["accepted", "suggested", "rejected"]})
>>> list(effective_codings(c).code_id), list(effective_codings(c, include_suggested=True).code_id)
(['a'], ['a', 'b'])
"""
from __future__ import annotations

import pandas as pd

from ..model import counted_statuses

#: The columns of the ``codings`` frame (see docs/architecture.md).
CODING_COLUMNS = ("coding_id", "segment_id", "source_id", "source", "code_id", "start", "end",
                  "status", "coder", "rule", "created_at", "valence", "speaker", "quote",
                  "segment_text")


def effective_codings(codings: pd.DataFrame | None, include_suggested: bool = False) -> pd.DataFrame:
    """The codings an analysis counts: ``accepted`` and ``manual`` (plus ``suggested``
    when ``include_suggested``), never ``rejected``.  Rows keep their order; missing
    standard columns are added as empty so callers can rely on them.

    >>> import pandas as pd
    >>> c = pd.DataFrame({"code_id": ["a", "b"], "status": ["manual", "rejected"]})
    >>> effective_codings(c)[["code_id", "status"]].to_dict("records")
    [{'code_id': 'a', 'status': 'manual'}]
    """
    if codings is None:
        codings = pd.DataFrame()
    frame = codings.copy()
    for col in CODING_COLUMNS:
        if col not in frame.columns:
            frame[col] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    keep = frame["status"].isin(counted_statuses(include_suggested))
    return frame.loc[keep].reset_index(drop=True)

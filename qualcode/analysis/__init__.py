"""Analyses: pure functions of the project frames (``segments``, ``codings``,
``informants``) plus a :class:`~qualcode.model.Codebook`.

Every function returns a pandas DataFrame with named columns, or a small result
object with ``.to_frame()`` and ``_repr_html_``.  Empty inputs give empty results
with the right columns, never an exception.

Which codings count: by default those a human accepted or added
(``status`` ``accepted`` / ``manual``); with ``include_suggested=True`` also the
automatic suggestions.  Rejected codings never count.

>>> import pandas as pd
>>> c = pd.DataFrame({"code_id": ["a", "b", "c"],
...                   "status": ["accepted", "suggested", "rejected"]})
>>> list(effective_codings(c).code_id), list(effective_codings(c, include_suggested=True).code_id)
(['a'], ['a', 'b'])
"""
from __future__ import annotations

import importlib

import pandas as pd

#: Statuses that count in analyses by default.
COUNTED_STATUSES = ("accepted", "manual")

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
    statuses = COUNTED_STATUSES + (("suggested",) if include_suggested else ())
    keep = frame["status"].isin(statuses)
    return frame.loc[keep].reset_index(drop=True)


from .themes import (  # noqa: E402  (helpers above are used by the submodules)
    code_frame, code_frequencies, group_code_matrix, informant_code_matrix,
    informant_universe, theme_frequencies)
from .reduction import draft_reduction, reduction_table  # noqa: E402
from .typology import Typology, cluster_types, describe_type, rule_types, validate_type_rules  # noqa: E402
from .valence import (  # noqa: E402
    development_ideas, effective_valence, experiences, training_needs,
    training_needs_summary, valence_table)
from .swot import SwotResult, swot  # noqa: E402
from .trends import representative_quote, trend_narrative, trend_table, trends  # noqa: E402
from .network import (  # noqa: E402
    bipartite_graph, cooccurrence_graph, edge_frame, write_graphml)
from .scores import ScoreSummary, score_by_group, score_summary  # noqa: E402
from .quotes import near_duplicate_quotes, normalise_quote, unattributed_quotes  # noqa: E402

__all__ = [
    "COUNTED_STATUSES", "effective_codings",
    "code_frame", "code_frequencies", "theme_frequencies", "informant_code_matrix",
    "group_code_matrix", "informant_universe",
    "reduction_table", "draft_reduction",
    "Typology", "rule_types", "cluster_types", "validate_type_rules", "describe_type",
    "effective_valence", "valence_table", "experiences", "training_needs",
    "training_needs_summary", "development_ideas",
    "SwotResult", "swot",
    "trends", "trend_table", "trend_narrative", "representative_quote",
    "cooccurrence_graph", "bipartite_graph", "edge_frame", "write_graphml",
    "ScoreSummary", "score_summary", "score_by_group",
    "near_duplicate_quotes", "unattributed_quotes", "normalise_quote",
]


def __getattr__(name: str):
    """Reach ``agreement`` (written separately) lazily, so a missing or unfinished
    module never breaks ``import qualcode.analysis``."""
    if name == "agreement":
        return importlib.import_module(".agreement", __name__)
    if not name.startswith("_"):
        try:
            mod = importlib.import_module(".agreement", __name__)
        except ImportError:
            mod = None
        if mod is not None and hasattr(mod, name):
            return getattr(mod, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

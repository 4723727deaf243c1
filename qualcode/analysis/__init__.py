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

from ..model import COUNTED_STATUSES
from .codings import CODING_COLUMNS, effective_codings
from .themes import (
    code_frame, code_frequencies, group_code_matrix, informant_code_matrix,
    informant_universe, theme_frequencies)
from .reduction import draft_reduction, reduction_table
from .typology import Typology, cluster_types, describe_type, rule_types, validate_type_rules
from .valence import (
    development_ideas, effective_valence, experiences, training_needs,
    training_needs_summary, valence_table)
from .swot import SwotResult, swot
from .trends import (ResearcherTrend, draft_trends, parse_trends, representative_quote, researcher_trends,
                     trend_narrative, trend_table, trends)
from .network import (
    bipartite_graph, cooccurrence_graph, edge_frame, write_graphml)
from .scores import ScoreSummary, score_by_group, score_summary
from .quotes import near_duplicate_quotes, normalise_quote, unattributed_quotes
from .agreement import (
    agreement_table, cohen_kappa, disagreements, krippendorff_alpha, label_agreement_table,
    percent_agreement, read_consensus_xlsx, write_disagreements_xlsx)
from .study import Analyses, StudyFrames

__all__ = [
    "COUNTED_STATUSES", "CODING_COLUMNS", "effective_codings",
    "code_frame", "code_frequencies", "theme_frequencies", "informant_code_matrix",
    "group_code_matrix", "informant_universe",
    "reduction_table", "draft_reduction",
    "Typology", "rule_types", "cluster_types", "validate_type_rules", "describe_type",
    "effective_valence", "valence_table", "experiences", "training_needs",
    "training_needs_summary", "development_ideas",
    "SwotResult", "swot",
    "trends", "trend_table", "trend_narrative", "representative_quote",
    "ResearcherTrend", "parse_trends", "draft_trends", "researcher_trends",
    "cooccurrence_graph", "bipartite_graph", "edge_frame", "write_graphml",
    "ScoreSummary", "score_summary", "score_by_group",
    "near_duplicate_quotes", "unattributed_quotes", "normalise_quote",
    "agreement_table", "cohen_kappa", "krippendorff_alpha", "percent_agreement", "disagreements",
    "label_agreement_table", "write_disagreements_xlsx", "read_consensus_xlsx",
    "StudyFrames", "Analyses",
]

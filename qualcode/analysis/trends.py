"""Trends with comments (TRENDI | KOMMENTTI): each theme (or code) as a trend, with how
widely the informants share it and a comment — the researcher's own, or drafted from
the most representative quote (the one sharing most words with the theme's other
quotes), in whole sentences.

The researcher's trends come from a project file (``trendit.yaml``, read by the project;
:func:`parse_trends` checks it): a statement, a comment and the evidence (codes and/or
segment ids).  Without one, :func:`draft_trends` drafts them from the codings, each
statement saying how widely the theme is shared, marked as drafts (``draft`` True).

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
from dataclasses import dataclass
from typing import Any, Mapping, Optional

import pandas as pd

from ..errors import QualcodeError
from ..fileutil import is_missing
from ..labels import label
from ..model import Codebook
from ..yamlutil import line_of
from .quotes import sentence_excerpt
from .swot import format_quote
from .themes import code_name, code_order, informant_universe, prepare_codings, roll_up

TREND_COLUMNS = ["trend", "comment", "code_id", "informants", "shared", "segment_ids"]
#: the columns of :func:`draft_trends` and :func:`researcher_trends`
STATEMENT_COLUMNS = TREND_COLUMNS + ["draft"]
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
    n = len(sets)
    # each pair's overlap once (it is symmetric), summed per quote in the others' order
    overlap = [[0.0] * n for _ in range(n)]
    for i, a in enumerate(sets):
        for j in range(i + 1, n):
            shared = len(a & sets[j])
            union = len(a) + len(sets[j]) - shared
            overlap[i][j] = overlap[j][i] = shared / union if union else 0.0
    best, best_score = 0, -1.0
    for i in range(n):
        score = sum(overlap[i][j] for j in range(n) if j != i) / (n - 1) if n > 1 else 0.0
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
    # each unit's codings, one per segment (its first), in one pass over the frame
    by_unit: dict = {}
    for unit, seg, speaker, quote in zip(cods["unit"], cods["segment_id"], cods["speaker"], cods["quote"]):
        if not is_missing(unit):
            by_unit.setdefault(unit, {}).setdefault(seg, (seg, speaker, quote))
    rows = []
    for pos, unit in enumerate(code_order(codebook, cods["unit"], level, include_unused=False)):
        sub = sorted(by_unit.get(unit, {}).values(), key=lambda r: r[0])       # by segment
        speakers = {s for _, s, _ in sub if s is not None and s in known}
        if len(speakers) < max(min_informants, 0) or not len(sub):
            continue
        comment = comments.get(unit)
        if comment is None or not str(comment).strip():
            i = representative_quote([q for _, _, q in sub])
            comment = (format_quote(sentence_excerpt(sub[i][2], max_comment), sub[i][1], max_comment + 2)
                       if i >= 0 else "")
        rows.append({"trend": names.get(unit) or code_name(codebook, unit), "comment": str(comment),
                     "code_id": unit, "informants": len(speakers),
                     "shared": f"{len(speakers)}/{len(universe)}",
                     "segment_ids": sorted(int(s) for s, _, _ in sub),
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


# --------------------------------------------------------------------------- drafts
def breadth_statement(theme: str, informants: int, universe: int, lang: str = "fi") -> str:
    """A draft trend statement: the theme and how widely the informants share it.

    >>> breadth_statement("Viestintä", 6, 7)
    'Viestintä: lähes kaikki haastateltavat nostivat aiheen esiin (6/7).'
    >>> breadth_statement("Hinta", 1, 7, "en")
    'Hinta: one informant raised it (1/7).'
    """
    share = informants / universe if universe else 0.0
    if universe and informants >= universe:
        key = "all"
    elif share >= 0.75:
        key = "most"
    elif share > 0.5:
        key = "majority"
    elif informants == 1:
        key = "one"
    elif share >= 0.25:
        key = "some"
    else:
        key = "few"
    return label(f"analysis.trend.breadth.{key}", lang, theme=theme, shared=f"{informants}/{universe}")


def draft_trends(codings: Optional[pd.DataFrame], codebook: Optional[Codebook] = None, *,
                 lang: str = "fi", table: Optional[pd.DataFrame] = None, **options: Any) -> pd.DataFrame:
    """:func:`trends` as drafts for the researcher: the statement says how widely the theme is
    shared (:func:`breadth_statement`), the comment is the representative quote in whole
    sentences, ``draft`` is True.  ``options`` are those of :func:`trends`; ``table`` is its
    result when already computed with them (not changed here).

    >>> import pandas as pd
    >>> c = pd.DataFrame({"segment_id": [1, 2], "code_id": "crm", "status": "accepted",
    ...                   "speaker": ["H1", "H2"], "quote": ["CRM auttaa. Se on hyvä.", "CRM auttaa."]})
    >>> draft_trends(c)[["trend", "comment", "draft"]].values.tolist()
    [['crm: kaikki haastateltavat nostivat aiheen esiin (2/2).', '”CRM auttaa. Se on hyvä.” (H1)', True]]
    """
    out = trends(codings, codebook, **options) if table is None else table
    statements = []
    for r in out.to_dict("records"):
        n, total = (int(x) for x in r["shared"].split("/"))
        statements.append(breadth_statement(r["trend"], n, total, lang))
    out = out.assign(trend=pd.Series(statements, index=out.index, dtype=object))
    return out.assign(draft=True)[STATEMENT_COLUMNS]


# --------------------------------------------------------------------------- the researcher's
@dataclass(frozen=True)
class ResearcherTrend:
    """One trend of ``trendit.yaml``: the researcher's statement and comment and its
    evidence (code ids, whose subcodes count too, and segment ids)."""

    statement: str
    comment: str = ""
    codes: tuple = ()
    segments: tuple = ()
    line: Optional[int] = None


#: Finnish keys a trend file may use instead of the English ones.
_TREND_KEYS = {"statement": "statement", "trendi": "statement", "comment": "comment", "kommentti": "comment",
               "codes": "codes", "koodit": "codes", "segments": "segments", "segmentit": "segments"}


def parse_trends(data: Any, path: str, codebook: Optional[Codebook] = None) -> list[ResearcherTrend]:
    """The researcher's trends of a parsed ``trendit.yaml`` (``trends:`` or ``trendit:``, a
    list of entries with ``statement``, ``comment``, ``codes`` and ``segments``; the Finnish
    keys ``trendi``, ``kommentti``, ``koodit``, ``segmentit`` too).  A mistake is one error
    naming the file and line.

    >>> from qualcode.yamlutil import parse_yaml
    >>> text = "trendit:\\n  - trendi: CRM yleistyy\\n    kommentti: Kaikki käyttävät.\\n    koodit: [crm]\\n"
    >>> parse_trends(parse_yaml(text, "trendit.yaml"), "trendit.yaml")[0]
    ResearcherTrend(statement='CRM yleistyy', comment='Kaikki käyttävät.', codes=('crm',), segments=(), line=2)
    >>> parse_trends(parse_yaml("trendit:\\n  - kommentti: x\\n", "t.yaml"), "t.yaml")
    Traceback (most recent call last):
    ...
    qualcode.errors.QualcodeError: t.yaml:2: trend 1 has no statement; write it after 'statement:' (or 'trendi:')
    """
    if data is None:
        return []
    items = data.get("trends", data.get("trendit")) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise QualcodeError("a trend file holds 'trends:' (or 'trendit:') followed by a list of trends, each "
                            "with a statement and a comment", path=path, line=line_of(data))
    return [_trend(item, n, line_of(items, n - 1), path, codebook) for n, item in enumerate(items, 1)]


def _trend(item: Any, n: int, line: Optional[int], path: str, codebook: Optional[Codebook]) -> ResearcherTrend:
    if not isinstance(item, dict):
        raise QualcodeError(f"trend {n} is not an entry with a statement and a comment", path=path, line=line)
    fields: dict = {}
    for key, value in item.items():
        if key not in _TREND_KEYS:
            raise QualcodeError(f"trend {n} has an unknown key '{key}'; use statement, comment, codes and segments",
                                path=path, line=line_of(item, key))
        fields[_TREND_KEYS[key]] = value
    statement = " ".join(str(fields.get("statement") or "").split())
    if not statement:
        raise QualcodeError(f"trend {n} has no statement; write it after 'statement:' (or 'trendi:')",
                            path=path, line=line)
    codes = fields.get("codes") or []
    codes = [codes] if isinstance(codes, str) else codes
    known = {c.id for c in codebook.codes} if codebook is not None else None
    for code in codes:
        if not isinstance(code, str) or (known is not None and code not in known):
            raise QualcodeError(f"trend {n} names the code {code!r}, which the codebook lacks; use a code id of the "
                                "codebook", path=path, line=line_of(item, "codes" if "codes" in item else "koodit"))
    segments = fields.get("segments") or []
    segments = [segments] if isinstance(segments, int) else segments
    if not isinstance(segments, list) or not all(isinstance(s, int) and not isinstance(s, bool) for s in segments):
        raise QualcodeError(f"trend {n}: segments are segment numbers (the review sheet's first column), e.g. "
                            "[12, 40]", path=path, line=line)
    return ResearcherTrend(statement, " ".join(str(fields.get("comment") or "").split()), tuple(codes),
                           tuple(segments), line)


def researcher_trends(items: list, codings: Optional[pd.DataFrame], codebook: Optional[Codebook] = None, *,
                      informants: Optional[pd.DataFrame] = None, segments: Optional[pd.DataFrame] = None,
                      include_suggested: bool = False) -> pd.DataFrame:
    """The researcher's trends (:class:`ResearcherTrend`) in their own order, each with how
    widely its evidence is shared: the informants of the codings of its codes (and their
    subcodes) and of its segments.  ``code_id`` lists the codes, ``draft`` is False.

    >>> import pandas as pd
    >>> c = pd.DataFrame({"segment_id": [1, 2], "code_id": ["crm", "hinta"], "status": "accepted",
    ...                   "speaker": ["H1", "H2"], "quote": ["a", "b"]})
    >>> t = researcher_trends([ResearcherTrend("CRM yleistyy", "Kaikki käyttävät.", ("crm",), (2,))], c)
    >>> t[["trend", "comment", "code_id", "shared", "segment_ids", "draft"]].values.tolist()
    [['CRM yleistyy', 'Kaikki käyttävät.', 'crm', '2/2', [1, 2], False]]
    """
    cods = prepare_codings(codings, segments, include_suggested)
    universe = informant_universe(informants, segments, cods)
    known = set(universe)
    speaker_of = dict(zip(cods["segment_id"], cods["speaker"])) if len(cods) else {}
    if segments is not None and len(segments) and "segment_id" in segments:
        speaker_of.update({k: v for k, v in zip(segments["segment_id"], segments["speaker"]) if k not in speaker_of})
    rows = []
    for item in items:
        wanted = set(item.codes)
        hit = [s for s, c in zip(cods["segment_id"], cods["code_id"])
               if c in wanted or (codebook is not None and wanted & set(codebook.ancestors(c)))]
        ids = sorted({int(s) for s in hit} | set(item.segments))
        speakers = {speaker_of.get(s) for s in ids} & known
        rows.append({"trend": item.statement, "comment": item.comment, "code_id": ", ".join(item.codes),
                     "informants": len(speakers), "shared": f"{len(speakers)}/{len(universe)}",
                     "segment_ids": ids, "draft": False})
    return pd.DataFrame(rows, columns=STATEMENT_COLUMNS).astype({"informants": "int64"})

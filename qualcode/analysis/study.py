"""One frames bundle and one wiring of the analyses.

:class:`StudyFrames` holds everything the analyses and the reports read, built once per
operation (a ``Project`` builds it from its store and files; a notebook may build one by
hand).  :class:`Analyses` calls each analysis function with one set of arguments taken from
the frames, and keeps each result, so a report that shows the SWOT in a table and in a
figure computes it once.  Both are pure: no file is read, no store is queried.

>>> import pandas as pd
>>> from qualcode.model import Code, Codebook
>>> cb = Codebook(codes=[Code("hinta", "Hinta", swot="W")])
>>> cods = pd.DataFrame({"segment_id": [1], "code_id": ["hinta"], "status": ["accepted"],
...                      "speaker": ["H1"], "quote": ["Hinta nousi."]})
>>> frames = StudyFrames(codings=cods, codebook=cb, informants=pd.DataFrame({"code": ["H1", "H2"]}))
>>> an = Analyses(frames)
>>> an.themes()[["code_id", "segments", "informants"]].values.tolist()
[['hinta', 1, 1]]
>>> an.swot() is an.swot()          # computed once
True
>>> an.trends(level="code")["shared"].tolist()
['1/2']
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import pandas as pd

from ..labels import counted, label
from . import themes as _themes
from .network import cooccurrence
from .quotes import near_duplicate_quotes, unattributed_quotes
from .reduction import reduction_table
from .scores import score_summary
from .swot import swot as _swot
from .trends import draft_trends, researcher_trends
from .trends import trends as _trends
from .typology import cluster_types, rule_types
from .valence import training_needs, training_needs_summary, valence_table


@dataclass(frozen=True)
class CodingBasis:
    """What a report counts: ``reviewed`` codings (accepted, manual, consensus) by ``coders``,
    and ``suggestions``, the automatic suggestions nobody has reviewed, counted only when
    ``include_suggested``.

    >>> b = CodingBasis(reviewed=465, coders=("tutkija",), suggestions=539)
    >>> b.statement("fi")
    'Analyysit perustuvat 465 tarkistettuun koodaukseen (tutkija); 539 tarkistamatonta ehdotusta ei ole laskettu mukaan.'
    >>> CodingBasis(suggestions=12).warning("en")
    'No reviewed codings: the analyses are empty. Awaiting review: 12 automatic suggestions.'
    >>> CodingBasis(reviewed=1, coders=("tutkija",), suggestions=1).statement("fi")
    'Analyysit perustuvat 1 tarkistettuun koodaukseen (tutkija); 1 tarkistamaton ehdotus ei ole laskettu mukaan.'
    """

    reviewed: int = 0
    coders: tuple = ()
    suggestions: int = 0
    include_suggested: bool = False

    @classmethod
    def of(cls, codings: pd.DataFrame, include_suggested: bool) -> "CodingBasis":
        """The basis of resolved ``codings`` that include the suggestions (their ``status``
        ``suggested``); ``include_suggested`` says whether the report counts them."""
        if codings is None or not len(codings) or "status" not in codings:
            return cls(include_suggested=include_suggested)
        suggested = codings["status"] == "suggested"
        coders = tuple(sorted(set(codings.loc[~suggested, "coder"].dropna().astype(str))))
        return cls(int((~suggested).sum()), coders, int(suggested.sum()), include_suggested)

    def statement(self, lang: str = "fi") -> str:
        """One sentence for the first page or sheet of a report."""
        coders = ", ".join(self.coders) or "–"
        if self.include_suggested:
            return label("report.basis.with_suggested", lang, reviewed=counted("count.reviewed", self.reviewed, lang),
                         coders=coders, suggestions=counted("count.unreviewed_auto", self.suggestions, lang))
        if not self.reviewed:
            return self.warning(lang) or ""
        return label("report.basis.reviewed", lang, reviewed=counted("count.reviewed_to", self.reviewed, lang),
                     coders=coders, suggestions=counted("count.unreviewed", self.suggestions, lang))

    def warning(self, lang: str = "fi") -> Optional[str]:
        """The warning an analysis table carries: the suggestions counted, or nothing
        reviewed to count; None when the basis is the researcher's review alone."""
        if self.include_suggested and self.suggestions:
            return label("report.basis.warn_suggested", lang,
                         suggestions=counted("count.unreviewed_auto", self.suggestions, lang))
        if not self.include_suggested and not self.reviewed:
            return label("report.basis.none", lang, suggestions=counted("count.auto", self.suggestions, lang))
        return None


@dataclass
class StudyFrames:
    """What the analyses and reports of one operation read.

    Frames follow docs/architecture.md; ``codings`` are the *resolved* codings (one per
    segment and code, see ``Project.resolved_codings``).  ``language`` is the language the
    results are labelled in (the report language), ``data_language`` the project's own
    (transcripts and interview frames are written in it).  ``type_rules`` is the parsed
    ``tyypit.yaml`` (None without one), ``interview_frames`` the interview guides found in the
    project folder, ``constructs`` the care-model constructs (None without construct files)."""

    title: str = ""
    language: str = "fi"
    data_language: Optional[str] = None
    segments: pd.DataFrame = field(default_factory=pd.DataFrame)
    codings: pd.DataFrame = field(default_factory=pd.DataFrame)
    informants: pd.DataFrame = field(default_factory=pd.DataFrame)
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)
    audit: pd.DataFrame = field(default_factory=pd.DataFrame)
    codebook: Any = None
    type_rules: Any = None
    trend_comments: dict = field(default_factory=dict)
    #: the researcher's trends (``trendit.yaml``: :class:`~qualcode.analysis.trends.ResearcherTrend`);
    #: None without the file, when the trend table is a draft from the codings
    researcher_trends: Optional[list] = None
    #: the researcher's SWOT conclusions and actions (``swot.yaml``:
    #: :class:`~qualcode.analysis.swot.SwotPlan`); None without the file
    swot_plan: Any = None
    include_suggested: bool = False
    group_by: str = "role"
    interview_frames: list = field(default_factory=list)
    constructs: Any = None
    root: Optional[Path] = None
    basis: Optional[CodingBasis] = None
    #: word -> lemma, from the project's stored word types (the reduction table's drafts)
    lemmatize: Any = None

    @property
    def frame_language(self) -> str:
        """The language the interview frames are written in: the project's, else the report's."""
        return self.data_language or self.language

    @property
    def individual_frames(self) -> list:
        return [f for f in self.interview_frames if not f.is_group]

    @property
    def group_frames(self) -> list:
        return [f for f in self.interview_frames if f.is_group]

    @property
    def coding_basis(self) -> CodingBasis:
        """What the analyses count (:class:`CodingBasis`); when the frames were built by hand,
        taken from ``codings`` (whose suggestions then are what is counted)."""
        if self.basis is not None:
            return self.basis
        return CodingBasis.of(self.codings, self.include_suggested)


def _cache_key(name: str, args: tuple) -> Optional[tuple]:
    """A hashable key for one call, or None when an argument is not hashable (not cached)."""
    key = (name, args)
    try:
        hash(key)
    except TypeError:
        return None
    return key


class Analyses:
    """Every analysis over one :class:`StudyFrames`, each called with the same arguments for
    the project and for every report, and computed once per instance.

    Methods take the analysis' own options; ``lang`` (the labels of the result) defaults to
    ``frames.language``.  The results are shared: do not change them in place."""

    def __init__(self, frames: StudyFrames):
        self.frames = frames
        self._results: dict[tuple, Any] = {}
        self._prepared: dict = {}       # the codings as every analysis prepares them, once

    @classmethod
    def of(cls, source: Any) -> "Analyses":
        """``source`` itself when it is an :class:`Analyses`, else the analyses of these frames."""
        return source if isinstance(source, Analyses) else cls(source)

    def _once(self, name: str, compute: Callable[[], Any], *args: Any) -> Any:
        key = _cache_key(name, args)
        if key is None:
            with _themes.prepared_once(self._prepared):
                return compute()
        if key not in self._results:
            with _themes.prepared_once(self._prepared):
                self._results[key] = compute()
        return self._results[key]

    def _lang(self, lang: Optional[str]) -> str:
        return lang or self.frames.language

    # -- frequencies and matrices --------------------------------------------------------
    def themes(self, level: str = "code", include_unused: bool = True, sort: str = "frequency") -> pd.DataFrame:
        """Code (or theme) frequencies: segments, informants, sources, share of informants."""
        f = self.frames
        return self._once("themes", lambda: _themes.code_frequencies(
            f.codings, f.segments, f.informants, f.codebook, level=level, include_suggested=f.include_suggested,
            include_unused=include_unused, sort=sort), level, include_unused, sort)

    def informant_matrix(self, value: str = "count", level: str = "code",
                         include_unused: bool = True) -> pd.DataFrame:
        """Informant × code matrix (count, presence or share)."""
        f = self.frames
        return self._once("informant_matrix", lambda: _themes.informant_code_matrix(
            f.codings, f.segments, f.informants, f.codebook, value=value, level=level,
            include_suggested=f.include_suggested, include_unused=include_unused), value, level, include_unused)

    def group_matrix(self, by: Optional[str] = None, value: str = "count", level: str = "code",
                     include_unused: bool = True, lang: Optional[str] = None) -> pd.DataFrame:
        """Group × code matrix by an informant attribute (default ``frames.group_by``)."""
        f, by, lang = self.frames, by or self.frames.group_by, self._lang(lang)
        return self._once("group_matrix", lambda: _themes.group_code_matrix(
            f.codings, f.informants, by, f.codebook, segments=f.segments, value=value, level=level,
            include_suggested=f.include_suggested, include_unused=include_unused, lang=lang),
            by, value, level, include_unused, lang)

    def reduction(self, reductions: Optional[dict] = None, lang: Optional[str] = None) -> pd.DataFrame:
        """Reduction table: original expression → reduced → sub, upper and main category
        (drafted reductions in the project's language)."""
        f, lang = self.frames, self._lang(lang)
        return self._once("reduction", lambda: reduction_table(
            f.codings, f.codebook, reductions=reductions, segments=f.segments, lang=lang,
            language=f.data_language, include_suggested=f.include_suggested, lemmatize=f.lemmatize),
            reductions, lang)

    # -- types, experiences, SWOT, trends ------------------------------------------------
    def types(self, rules: Any = None, k: Optional[int] = None, lang: Optional[str] = None):
        """Typology: the types of ``rules`` (a parsed rules mapping), else of ``frames.type_rules``
        (the project's tyypit.yaml) unless ``k`` asks for clustering, else clusters of informants
        on their code profiles."""
        f, lang = self.frames, self._lang(lang)

        def by_rules(spec):
            return lambda: rule_types(f.codings, f.informants, spec, f.codebook, segments=f.segments,
                                      include_suggested=f.include_suggested, lang=lang)

        if rules is not None:            # the caller's own rules: not kept (they may change)
            return by_rules(rules)()
        if f.type_rules and k is None:
            return self._once("rule_types", by_rules(f.type_rules), lang)
        return self._once("cluster_types", lambda: cluster_types(
            f.codings, f.informants, f.codebook, k=k, segments=f.segments,
            include_suggested=f.include_suggested, lang=lang), k, lang)

    def experiences(self, level: str = "theme") -> pd.DataFrame:
        """Positive and negative experiences: theme (or code) × valence counts of segments."""
        f = self.frames
        return self._once("experiences", lambda: valence_table(
            f.codings, f.codebook, level=level, segments=f.segments, include_suggested=f.include_suggested), level)

    def training_needs(self, by: str = "role", lang: Optional[str] = None) -> pd.DataFrame:
        """Negative experiences per target (role by default): development and training needs."""
        f, lang = self.frames, self._lang(lang)
        return self._once("training_needs", lambda: training_needs(
            f.codings, f.informants, f.codebook, by=by, segments=f.segments,
            include_suggested=f.include_suggested, lang=lang), by, lang)

    def training_needs_summary(self, by: str = "role", lang: Optional[str] = None) -> pd.DataFrame:
        """Per target and code: how many negative segments and informants point to it."""
        f, lang = self.frames, self._lang(lang)
        return self._once("training_needs_summary", lambda: training_needs_summary(
            f.codings, f.informants, f.codebook, by=by, segments=f.segments,
            include_suggested=f.include_suggested, lang=lang), by, lang)

    def swot(self, lang: Optional[str] = None):
        """SWOT (nelikenttä) from the codes' S/W/O/T attributes, with evidence quotes."""
        f, lang = self.frames, self._lang(lang)
        return self._once("swot", lambda: _swot(
            f.codings, f.codebook, segments=f.segments, informants=f.informants,
            include_suggested=f.include_suggested, lang=lang, lemmatize=f.lemmatize), lang)

    def trends(self, level: str = "theme", comments: Optional[dict] = None) -> pd.DataFrame:
        """Trends with comments (TRENDI | KOMMENTTI) and how widely each is shared; ``comments``
        default to ``frames.trend_comments``."""
        f = self.frames
        given = f.trend_comments if comments is None else comments
        return self._once("trends", lambda: _trends(
            f.codings, f.codebook, informants=f.informants, segments=f.segments, level=level,
            comments=given, include_suggested=f.include_suggested), level, tuple(sorted((given or {}).items())))

    def trend_statements(self, lang: Optional[str] = None) -> pd.DataFrame:
        """The A5 trend table's rows: the researcher's trends (``frames.researcher_trends``)
        when given, else drafts from the codings (``draft`` True)."""
        f, lang = self.frames, self._lang(lang)
        if f.researcher_trends:
            return self._once("researcher_trends", lambda: researcher_trends(
                f.researcher_trends, f.codings, f.codebook, informants=f.informants, segments=f.segments,
                include_suggested=f.include_suggested))
        # the trend table of the body, when it has no comments of the researcher's, is the one drafted
        table = None if f.trend_comments else self.trends()
        return self._once("draft_trends", lambda: draft_trends(
            f.codings, f.codebook, informants=f.informants, segments=f.segments,
            include_suggested=f.include_suggested, lang=lang, table=table), lang)

    # -- network, scores, quote checks ---------------------------------------------------
    def network(self, unit: str = "segment", level: str = "code"):
        """Co-occurrence network of codes (networkx graph; edges carry count and Jaccard)."""
        return self._once("network", lambda: self.cooccurrence(unit, level).graph(), unit, level)

    def cooccurrence(self, unit: str = "segment", level: str = "code"):
        """The same network as plain data (:class:`~qualcode.analysis.network.Cooccurrence`:
        nodes and edges, no networkx), as the report's figure takes it."""
        f = self.frames
        return self._once("cooccurrence", lambda: cooccurrence(
            f.codings, f.codebook, unit=unit, level=level, segments=f.segments,
            include_suggested=f.include_suggested), unit, level)

    def scores(self, column: str = "score", scale: Optional[str] = None, lang: Optional[str] = None):
        """Recommendation scores of the informants: distribution, mean, median (NPS on 0–10)."""
        f, lang = self.frames, self._lang(lang)
        return self._once("scores", lambda: score_summary(f.informants, column, scale=scale, lang=lang),
                          column, scale, lang)

    def quote_checks(self) -> dict[str, pd.DataFrame]:
        """Near-duplicate quotes across informants and quotes with no informant code."""
        f = self.frames
        return self._once("quote_checks", lambda: {
            "near_duplicates": near_duplicate_quotes(f.codings, segments=f.segments,
                                                     include_suggested=f.include_suggested),
            "unattributed": unattributed_quotes(f.codings, f.informants, segments=f.segments,
                                                include_suggested=f.include_suggested)})
